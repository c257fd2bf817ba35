package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// Limits on the sealed messages a peer carries for others: a peer that floods
// one recipient, or invents recipients, fills these and no more.
const (
	// MaxHeldPerRecipient is the most sealed messages held for one recipient.
	MaxHeldPerRecipient = 128
	// MaxHeld is the most sealed messages held in all.
	MaxHeld = 10_000
)

// HoldSealed keeps a sealed message for its recipient until it expires or is
// released. It reports false, storing nothing, when the message is already
// held, has expired, or a limit is reached.
func (s *Store) HoldSealed(ctx context.Context, m domain.Sealed, now time.Time) (bool, error) {
	nowMs := s.nowMs(now)
	if m.ExpiresAt <= nowMs {
		return false, nil
	}
	h := m.Hash()
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO mailbox_held(hash, recipient, received_at, expires_at, box)
			SELECT ?, ?, ?, ?, ?
			WHERE (SELECT count(*) FROM mailbox_held WHERE recipient = ?) < ?
			  AND (SELECT count(*) FROM mailbox_held) < ?`,
			h[:], m.To, nowMs, m.ExpiresAt, m.Box, m.To, MaxHeldPerRecipient, MaxHeld)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("hold sealed message for %s: %w", m.To, err)
	}
	return n == 1, nil
}

// HeldSealed lists up to limit unexpired sealed messages held for a
// recipient, oldest first.
func (s *Store) HeldSealed(ctx context.Context, recipient string, limit int) ([]domain.Sealed, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT expires_at, box FROM mailbox_held
		WHERE recipient = ? AND expires_at > ? ORDER BY received_at, expires_at, hash LIMIT ?`, recipient, s.nowMs(time.Time{}), limit)
	if err != nil {
		return nil, fmt.Errorf("held messages for %s: %w", recipient, err)
	}
	defer rows.Close()
	var out []domain.Sealed
	for rows.Next() {
		m := domain.Sealed{To: recipient}
		if err := rows.Scan(&m.ExpiresAt, &m.Box); err != nil {
			return nil, fmt.Errorf("held messages for %s: %w", recipient, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("held messages for %s: %w", recipient, err)
	}
	return out, nil
}

// ReleaseSealed drops held sealed messages by hash: their recipient has them.
func (s *Store) ReleaseSealed(ctx context.Context, hashes ...[32]byte) error {
	if err := s.deleteByHash(ctx, "mailbox_held", hashes); err != nil {
		return fmt.Errorf("release %d held messages: %w", len(hashes), err)
	}
	return nil
}

// MessageStatus is where a private message stands.
type MessageStatus string

// The statuses. An outgoing message goes from queued to sent (handed to peers
// that carry it) or straight to delivered (its recipient acknowledged it); it
// becomes failed when its recipient refused it and expired when it could not
// leave this device within domain.MessageLifetime. An incoming one is received.
const (
	MessageQueued    MessageStatus = "queued"
	MessageSent      MessageStatus = "sent"
	MessageDelivered MessageStatus = "delivered"
	MessageFailed    MessageStatus = "failed"
	MessageExpired   MessageStatus = "expired"
	MessageReceived  MessageStatus = "received"
)

// Message is a private message of the user's, sent or received.
type Message struct {
	domain.Envelope
	Outgoing  bool
	Status    MessageStatus
	UpdatedAt time.Time // arrival of an incoming message; last status change of an outgoing one
}

// Peer is the other party of the message.
func (m *Message) Peer() string {
	if m.Outgoing {
		return m.Recipient
	}
	return m.Author
}

// QueueMessage stores a message the user signed and sealed, queued for
// sending. The envelope must be the one sealed.
func (s *Store) QueueMessage(ctx context.Context, env domain.Envelope, sealed domain.Sealed) error {
	h := sealed.Hash()
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO messages(author, id, recipient, peer, outgoing, kind, sent_at, body, sig,
			status, updated_at, expires_at, sealed_hash, box) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			env.Author, env.ID, env.Recipient, env.Recipient, env.Kind, env.SentAt, env.Body, env.Sig,
			MessageQueued, s.nowMs(time.Time{}), sealed.ExpiresAt, h[:], sealed.Box)
		return err
	})
	if err != nil {
		return fmt.Errorf("queue message %s: %w", env.ID, err)
	}
	return nil
}

// SaveReceived stores an opened incoming message. It reports false when the
// message was already stored (the same message from two peers).
func (s *Store) SaveReceived(ctx context.Context, env domain.Envelope, now time.Time) (bool, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO messages(author, id, recipient, peer, outgoing, kind, sent_at, body, sig,
			status, updated_at, expires_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
			env.Author, env.ID, env.Recipient, env.Author, env.Kind, env.SentAt, env.Body, env.Sig,
			MessageReceived, s.nowMs(now), env.ExpiresAt())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("save message %s from %s: %w", env.ID, env.Author, err)
	}
	return n == 1, nil
}

// QueuedMessage is an outgoing message waiting to be sent.
type QueuedMessage struct {
	ID     string
	Sealed domain.Sealed
}

// QueuedMessages lists up to limit outgoing messages still queued and not
// expired at now, oldest first.
func (s *Store) QueuedMessages(ctx context.Context, now time.Time, limit int) ([]QueuedMessage, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, recipient, expires_at, box FROM messages
		WHERE status = ? AND expires_at > ? ORDER BY expires_at, id LIMIT ?`, MessageQueued, s.nowMs(now), limit)
	if err != nil {
		return nil, fmt.Errorf("queued messages: %w", err)
	}
	defer rows.Close()
	var out []QueuedMessage
	for rows.Next() {
		var q QueuedMessage
		if err := rows.Scan(&q.ID, &q.Sealed.To, &q.Sealed.ExpiresAt, &q.Sealed.Box); err != nil {
			return nil, fmt.Errorf("queued messages: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queued messages: %w", err)
	}
	return out, nil
}

// statusOrder ranks outgoing statuses: a status only ever moves forward.
func statusOrder(st MessageStatus) int {
	switch st {
	case MessageQueued:
		return 0
	case MessageSent:
		return 1
	case MessageDelivered, MessageFailed, MessageExpired:
		return 2
	}
	return -1
}

// SetMessageStatus moves an outgoing message, by the hash of its sealed form,
// to sent, delivered or failed. A status never moves back (a message
// delivered stays delivered when a relay reports it sent), and one that
// leaves the queue drops its sealed copy. It reports whether the status
// changed; a hash of no message of the user's changes nothing.
func (s *Store) SetMessageStatus(ctx context.Context, sealedHash [32]byte, st MessageStatus) (bool, error) {
	rank := statusOrder(st)
	if rank < 1 {
		return false, fmt.Errorf("set message status: %q is not a status to move to", st)
	}
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		in := `'queued'`
		if rank == 2 {
			in = `'queued', 'sent'`
		}
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = ?, updated_at = ?, box = NULL
			WHERE sealed_hash = ? AND outgoing = 1 AND status IN (`+in+`)`, st, s.nowMs(time.Time{}), sealedHash[:])
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("set message status %s: %w", st, err)
	}
	return n > 0, nil
}

// Messages lists the user's messages with one peer, or with everyone when
// with is empty, oldest first; at most limit (all when limit <= 0), the
// newest ones.
func (s *Store) Messages(ctx context.Context, with string, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = -1
	}
	q := `SELECT * FROM (SELECT author, id, recipient, outgoing, kind, sent_at, body, sig, status, updated_at
		FROM messages WHERE (? = '' OR peer = ?) ORDER BY sent_at DESC, id DESC LIMIT ?) ORDER BY sent_at, id`
	rows, err := s.r.QueryContext(ctx, q, with, with, limit)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		var m Message
		var updated int64
		if err := rows.Scan(&m.Author, &m.ID, &m.Recipient, &m.Outgoing, &m.Kind, &m.SentAt, &m.Body, &m.Sig, &m.Status, &updated); err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		m.UpdatedAt = time.UnixMilli(updated)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, nil
}

// Message returns one of the user's messages by author and id, or ErrNotFound.
func (s *Store) Message(ctx context.Context, author, id string) (Message, error) {
	var m Message
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT author, id, recipient, outgoing, kind, sent_at, body, sig, status, updated_at
		FROM messages WHERE author = ? AND id = ?`, author, id).Scan(
		&m.Author, &m.ID, &m.Recipient, &m.Outgoing, &m.Kind, &m.SentAt, &m.Body, &m.Sig, &m.Status, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("message %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Message{}, fmt.Errorf("message %s: %w", id, err)
	}
	m.UpdatedAt = time.UnixMilli(updated)
	return m, nil
}

// SweepMailbox drops the held sealed messages expired at now and gives up the
// outgoing messages that expired before they could be sent. It returns how
// many held messages it dropped and how many outgoing ones expired.
func (s *Store) SweepMailbox(ctx context.Context, now time.Time) (held, expired int, err error) {
	nowMs := s.nowMs(now)
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mailbox_held WHERE expires_at <= ?`, nowMs)
		if err != nil {
			return err
		}
		h, err := res.RowsAffected()
		if err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `UPDATE messages SET status = ?, updated_at = ?, box = NULL
			WHERE status = ? AND expires_at <= ?`, MessageExpired, nowMs, MessageQueued, nowMs)
		if err != nil {
			return err
		}
		e, err := res.RowsAffected()
		held, expired = int(h), int(e)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("sweep mailbox: %w", err)
	}
	return held, expired, nil
}
