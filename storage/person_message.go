package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Receipts (DESIGN §4): receipts from the recipient move the user's outgoing
// messages to delivered and read, and incoming ones become read once shown.

// MessageRead is the status of a message its recipient has read: an
// outgoing one whose read receipt came back, an incoming one the user saw.
const MessageRead MessageStatus = "read"

// MarkOutgoing moves the user's outgoing messages to recipient with these
// ids forward to delivered or read, as the recipient's receipt says; a
// status never moves back, and a receipt from anyone but the recipient
// changes nothing. It reports how many messages changed.
func (s *Store) MarkOutgoing(ctx context.Context, recipient string, ids []string, st MessageStatus) (int, error) {
	from := `'queued', 'sent'`
	switch st {
	case MessageDelivered:
	case MessageRead:
		from = `'queued', 'sent', 'delivered'`
	default:
		return 0, fmt.Errorf("mark messages: %q is not a receipt's status", st)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = ?, updated_at = ?, box = NULL
			WHERE outgoing = 1 AND recipient = ? AND status IN (`+from+`)
			AND id IN (SELECT value FROM json_each(?))`, st, s.nowMs(time.Time{}), recipient, jsonText(ids))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark %d messages to %s %s: %w", len(ids), recipient, st, err)
	}
	return int(n), nil
}

// MarkIncomingRead marks the user's received messages from author with these
// ids read. It reports how many changed.
func (s *Store) MarkIncomingRead(ctx context.Context, author string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = ?, updated_at = ?
			WHERE outgoing = 0 AND author = ? AND status = ? AND id IN (SELECT value FROM json_each(?))`,
			MessageRead, s.nowMs(time.Time{}), author, MessageReceived, jsonText(ids))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark %d messages from %s read: %w", len(ids), author, err)
	}
	return int(n), nil
}
