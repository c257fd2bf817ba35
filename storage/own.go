package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// Expiring returns the current records of author, of the given kinds, that
// expire before the given time: the ones the author's running app renews.
func (s *Store) Expiring(ctx context.Context, author string, kinds []domain.Kind, before time.Time) ([]domain.Record, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := []any{author, before.UnixMilli()}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	q := `SELECT raw FROM records WHERE author = ? AND expires_at < ? AND kind IN (?` + strings.Repeat(",?", len(kinds)-1) + `) ORDER BY expires_at`
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("expiring records: %w", err)
	}
	defer rows.Close()
	var out []domain.Record
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("expiring records: %w", err)
		}
		r, err := decodeRaw(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expiring records: %w", err)
	}
	return out, nil
}

// ownListingRids selects the rids of the :author's rooms and rides, and
// ownRids those and of its wishes, through the derived tables' author indexes
// (a scan of records by author would read every record). A calendar lives in
// its room's cells, so the rooms stand for their calendars.
const (
	ownListingRids = `SELECT rid FROM rooms WHERE author = :author UNION ALL SELECT rid FROM rides WHERE author = :author`
	ownRids        = ownListingRids + ` UNION ALL SELECT rid FROM wishes WHERE author = :author`
	ownCellsSQL    = `SELECT DISTINCT c.value FROM records r, json_each(r.cells) c WHERE r.rid IN (` + ownRids + `) ORDER BY 1`
	ownListingsSQL = `SELECT raw FROM records WHERE rid IN (` + ownListingRids + `) AND expires_at > :now ORDER BY id DESC`
)

// OwnCells returns the cells of author's current listings (rooms, rides and
// calendars) and wishes, sorted: the areas the author's node keeps following.
func (s *Store) OwnCells(ctx context.Context, author string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, ownCellsSQL, sql.Named("author", author))
	if err != nil {
		return nil, fmt.Errorf("cells of own listings: %w", err)
	}
	defer rows.Close()
	var cells []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("cells of own listings: %w", err)
		}
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cells of own listings: %w", err)
	}
	return cells, nil
}
