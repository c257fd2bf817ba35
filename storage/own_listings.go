package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// OwnListings returns author's current rooms and rides that have not
// expired at now, paused ones included, the most recently created first: what the owner
// manages in My listings. Deleted ones (tombstones) are left out.
func (s *Store) OwnListings(ctx context.Context, author string, now time.Time) ([]domain.Record, error) {
	var out []domain.Record
	err := s.scanRaw(ctx, ownListingsSQL, []any{sql.Named("author", author), sql.Named("now", s.nowMs(now))}, func(r domain.Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("own listings: %w", err)
	}
	return out, nil
}
