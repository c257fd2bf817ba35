package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Blocked is a person the user blocked.
type Blocked struct {
	Peer      string    `json:"peer_id"`
	Reason    string    `json:"reason,omitempty"`
	BlockedAt time.Time `json:"blocked_at"`
}

// Report is a private note the user keeps about a person.
type Report struct {
	Peer      string    `json:"peer_id"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// Block blocks a person, or updates the reason of a block.
func (s *Store) Block(ctx context.Context, peer, reason string, at time.Time) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blocked(peer, reason, blocked_at) VALUES (?, ?, ?)
			ON CONFLICT(peer) DO UPDATE SET reason = excluded.reason`, peer, reason, at.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("block %s: %w", peer, err)
	}
	return nil
}

// Unblock lifts a block. It reports whether the person was blocked.
func (s *Store) Unblock(ctx context.Context, peer string) (bool, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM blocked WHERE peer = ?`, peer)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("unblock %s: %w", peer, err)
	}
	return n == 1, nil
}

// BlockedPeers lists the people the user blocked, most recent first.
func (s *Store) BlockedPeers(ctx context.Context) ([]Blocked, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT peer, reason, blocked_at FROM blocked ORDER BY blocked_at DESC, peer`)
	if err != nil {
		return nil, fmt.Errorf("list blocked: %w", err)
	}
	defer rows.Close()
	out := []Blocked{}
	for rows.Next() {
		var b Blocked
		var at int64
		if err := rows.Scan(&b.Peer, &b.Reason, &at); err != nil {
			return nil, fmt.Errorf("list blocked: %w", err)
		}
		b.BlockedAt = time.UnixMilli(at)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list blocked: %w", err)
	}
	return out, nil
}

// IsBlocked reports whether the user blocked a person.
func (s *Store) IsBlocked(ctx context.Context, peer string) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM blocked WHERE peer = ?`, peer).Scan(&n); err != nil {
		return false, fmt.Errorf("is %s blocked: %w", peer, err)
	}
	return n > 0, nil
}

// AddReport keeps a private note about a person.
func (s *Store) AddReport(ctx context.Context, r Report) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO reports(peer, note, created_at) VALUES (?, ?, ?)`, r.Peer, r.Note, r.CreatedAt.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("report %s: %w", r.Peer, err)
	}
	return nil
}

// Reports lists the private notes about a person, or about everyone when
// peer is empty, newest first.
func (s *Store) Reports(ctx context.Context, peer string) ([]Report, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT peer, note, created_at FROM reports WHERE ?1 = '' OR peer = ?1
		ORDER BY created_at DESC, id DESC`, peer)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	out := []Report{}
	for rows.Next() {
		var r Report
		var at int64
		if err := rows.Scan(&r.Peer, &r.Note, &at); err != nil {
			return nil, fmt.Errorf("list reports: %w", err)
		}
		r.CreatedAt = time.UnixMilli(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return out, nil
}
