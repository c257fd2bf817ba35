package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// Enqueue queues a stored record for publishing (IngestOwn does it for new
// records of the local user; use Enqueue to publish one again, as when a
// listing is renewed). Queuing a record twice is harmless.
func (s *Store) Enqueue(ctx context.Context, rec domain.Record) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return enqueue(ctx, tx, rec.ID, rec.Hash(), s.nowMs(time.Time{}))
	})
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", rec.ID, err)
	}
	return nil
}

func enqueue(ctx context.Context, tx *sql.Tx, id string, hash [32]byte, nowMs int64) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO outbox(hash, id, queued_at) VALUES (?, ?, ?)`, hash[:], id, nowMs)
	if err != nil {
		return fmt.Errorf("queue %s: %w", id, err)
	}
	return nil
}

// Outbox returns up to limit queued records (all if limit <= 0), oldest queued
// first. Entries whose record has since been replaced or swept are skipped:
// the newer version, if any, has its own entry.
func (s *Store) Outbox(ctx context.Context, limit int) ([]domain.Record, error) {
	if limit <= 0 {
		limit = -1
	}
	var out []domain.Record
	err := s.scanRaw(ctx, `SELECT r.raw FROM outbox o JOIN records r ON r.id = o.id AND r.hash = o.hash
		ORDER BY o.queued_at, o.hash LIMIT ?`, []any{limit}, func(r domain.Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// MarkPublished removes records from the outbox by hash.
func (s *Store) MarkPublished(ctx context.Context, hashes ...[32]byte) error {
	if err := s.deleteByHash(ctx, "outbox", hashes); err != nil {
		return fmt.Errorf("mark %d published: %w", len(hashes), err)
	}
	return nil
}

// deleteByHash deletes the rows of table whose hash column is one of hashes,
// in one transaction. table is one of ours, never input.
func (s *Store) deleteByHash(ctx context.Context, table string, hashes [][32]byte) error {
	if len(hashes) == 0 {
		return nil
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `DELETE FROM `+table+` WHERE hash = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, h := range hashes {
			if _, err := st.ExecContext(ctx, h[:]); err != nil {
				return err
			}
		}
		return nil
	})
}

// DataVersion is SQLite's PRAGMA data_version as the store's writer sees it:
// it changes when another process (another Store on the file) commits a
// change, and not for this store's own writes, which all go through that one
// connection. Polling it is cheap, so a node can notice a post made by the
// CLI and publish its outbox, without taking its own writes (its state every
// second, records from peers) for someone else's. It waits for a write
// transaction of this store under way.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}

// PutState sets a runtime state value (what a running node tells CLI commands,
// such as its listen addresses).
func (s *Store) PutState(ctx context.Context, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO state(key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, s.nowMs(time.Time{}))
		return err
	})
	if err != nil {
		return fmt.Errorf("put state %q: %w", key, err)
	}
	return nil
}

// State returns a runtime state value and when it was set, or ErrNotFound.
func (s *Store) State(ctx context.Context, key string) ([]byte, time.Time, error) {
	var value []byte
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT value, updated_at FROM state WHERE key = ?`, key).Scan(&value, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, fmt.Errorf("state %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("state %q: %w", key, err)
	}
	return value, time.UnixMilli(updated), nil
}
