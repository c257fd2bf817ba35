package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// latestProfileSQL names the kind as a literal, which SQLite needs to use the
// partial index records_profile_author.
const latestProfileSQL = `SELECT raw FROM records WHERE kind = 'profile' AND author = ? AND expires_at > ? ORDER BY issued_at DESC LIMIT 1`

// LatestProfile is the newest profile of author that is live at now (the
// store's clock when zero), nil when there is none.
func (s *Store) LatestProfile(ctx context.Context, author string, now time.Time) (*domain.Record, error) {
	var best *domain.Record
	err := s.scanRaw(ctx, latestProfileSQL, []any{author, s.nowMs(now)}, func(r domain.Record) error {
		best = &r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("profile of %s: %w", author, err)
	}
	return best, nil
}
