package storage

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// SyncItems returns the sync items of the current, unexpired records in cell,
// sorted by (issued_at, hash) as domain.SyncItem.Less orders them.
func (s *Store) SyncItems(ctx context.Context, cell string) ([]domain.SyncItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT issued_at, hash FROM record_cells
		WHERE cell = ? AND expires_at > ? ORDER BY issued_at, hash`, cell, s.nowMs(time.Time{}))
	if err != nil {
		return nil, fmt.Errorf("sync items of %s: %w", cell, err)
	}
	defer rows.Close()
	var items []domain.SyncItem
	for rows.Next() {
		var it domain.SyncItem
		var hash []byte
		if err := rows.Scan(&it.IssuedAt, &hash); err != nil {
			return nil, fmt.Errorf("sync items of %s: %w", cell, err)
		}
		copy(it.Hash[:], hash)
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sync items of %s: %w", cell, err)
	}
	return items, nil
}

// RecordsByItems returns, exactly as signed (domain.Record.Encode), the
// current, unexpired records of cell with these sync items, in the order of
// items; those it does not hold are left out, an item asked twice is answered
// once. Sync asks for records this way: an item is the key of the cell's sync
// index, which names its record's rid, so no index on hashes is needed.
func (s *Store) RecordsByItems(ctx context.Context, cell string, items []domain.SyncItem) ([][]byte, error) {
	const chunk = 500
	now := s.nowMs(time.Time{})
	out := make([][]byte, 0, len(items))
	seen := make(map[domain.SyncItem]bool, len(items))
	for start := 0; start < len(items); start += chunk {
		part := items[start:min(start+chunk, len(items))]
		want := make([]any, 0, len(part))
		for _, it := range part {
			if !seen[it] {
				seen[it] = true
				want = append(want, []any{it.IssuedAt, hex.EncodeToString(it.Hash[:])})
			}
		}
		// CROSS JOIN keeps this order: each item is looked up by the sync
		// index's key, then its record by rid.
		rows, err := s.r.QueryContext(ctx, `SELECT r.raw FROM json_each(?1) j CROSS JOIN record_cells c CROSS JOIN records r
			WHERE c.cell = ?2 AND c.issued_at = j.value ->> 0 AND c.hash = unhex(j.value ->> 1)
			AND r.rid = c.rid AND r.hash = c.hash
			AND r.expires_at > ?3 ORDER BY j.key`, jsonText(want), cell, now)
		if err != nil {
			return nil, fmt.Errorf("records of %s by item: %w", cell, err)
		}
		for rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				rows.Close()
				return nil, fmt.Errorf("records of %s by item: %w", cell, err)
			}
			out = append(out, raw)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("records of %s by item: %w", cell, err)
		}
	}
	return out, nil
}

// Cells returns the distinct geo cells of the stored records, person topics
// left out (PersonTopicKeys lists those) (expired ones too,
// until SweepExpired removes them), sorted. It seeks
// from cell to cell in the sync index, so its cost grows with the number of
// cells, not of records.
func (s *Store) Cells(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `WITH RECURSIVE c(cell) AS (
			SELECT min(cell) FROM record_cells
			UNION ALL
			SELECT (SELECT min(cell) FROM record_cells WHERE cell > c.cell) FROM c WHERE c.cell IS NOT NULL
		) SELECT cell FROM c WHERE cell IS NOT NULL AND cell NOT LIKE 'person/%'`)
	if err != nil {
		return nil, fmt.Errorf("cells: %w", err)
	}
	defer rows.Close()
	var cells []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("cells: %w", err)
		}
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cells: %w", err)
	}
	return cells, nil
}

// Export calls fn with every current, unexpired record, exactly as signed.
// With a bound it exports the rooms located in it, the rides whose route's
// bounding box meets it, the calendars of those rooms, and the tombstones of
// the cells the bound covers; profiles have no place and are left out. An
// error from fn stops the export and is returned.
func (s *Store) Export(ctx context.Context, bound *orb.Bound, fn func(domain.Record) error) error {
	now := s.nowMs(time.Time{})
	if bound == nil {
		if err := s.scanRaw(ctx, `SELECT raw FROM records WHERE expires_at > ? ORDER BY rid`, []any{now}, fn); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	b := []any{bound.Min.Lon(), bound.Max.Lon(), bound.Min.Lat(), bound.Max.Lat()}
	roomsIn := `SELECT r.rid, r.id, r.author FROM rooms r JOIN rooms_geo g ON g.id = r.rid
		WHERE g.max_lon >= ?1 AND g.min_lon <= ?2 AND g.max_lat >= ?3 AND g.min_lat <= ?4
		AND r.lon BETWEEN ?1 AND ?2 AND r.lat BETWEEN ?3 AND ?4`
	queries := []string{
		`SELECT x.raw FROM records x JOIN (` + roomsIn + `) r ON x.rid = r.rid WHERE x.expires_at > ?5 ORDER BY x.rid`,
		`SELECT x.raw FROM records x JOIN calendars c ON x.rid = c.rid JOIN (` + roomsIn + `) r
			ON c.room_id = r.id AND c.author = r.author WHERE x.expires_at > ?5 ORDER BY x.rid`,
		`SELECT x.raw FROM records x JOIN rides_geo g ON g.id = x.rid
			WHERE g.max_lon >= ?1 AND g.min_lon <= ?2 AND g.max_lat >= ?3 AND g.min_lat <= ?4 AND x.expires_at > ?5 ORDER BY x.rid`,
	}
	for _, q := range queries {
		if err := s.scanRaw(ctx, q, append(b, now), fn); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	cells := domain.BoundCells(*bound)
	err := s.scanRaw(ctx, `SELECT raw FROM records WHERE kind = 'tombstone' AND expires_at > ? ORDER BY rid`, []any{now},
		func(r domain.Record) error {
			for _, c := range r.Cells {
				if _, ok := slices.BinarySearch(cells, c); ok {
					return fn(r)
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// scanRaw runs a query whose only column is raw and calls fn with each record.
func (s *Store) scanRaw(ctx context.Context, q string, args []any, fn func(domain.Record) error) error {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		r, err := decodeRaw(raw)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SweepExpired deletes the records expired at now, with their derived rows
// and outbox entries, in short transactions, and returns how many it deleted.
func (s *Store) SweepExpired(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM records WHERE rid IN
				(SELECT rid FROM records WHERE expires_at <= ? LIMIT 1000)`, now.UnixMilli())
			if err != nil {
				return err
			}
			if n, err = res.RowsAffected(); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM outbox
				WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = outbox.id AND r.hash = outbox.hash)`)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("sweep expired: %w", err)
		}
		total += int(n)
		if n < 1000 {
			return total, nil
		}
	}
}
