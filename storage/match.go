package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// RideSearch is an along-route search: a domain.RideQuery, paged.
type RideSearch struct {
	domain.RideQuery
	Limit  int       // at most this many matches; 0 for all
	Offset int       // skip this many matches
	Now    time.Time // rides expired at Now are left out; zero for the store's clock
}

// RideMatchHit is a ride that matches an along-route search, and how.
type RideMatchHit struct {
	RideHit
	Match domain.RideMatch
}

// SearchRides returns the unexpired rides whose route serves q (see
// domain.MatchRide), best first (domain.RideMatch.Compare, then by id).
// Candidates come from the R*Tree of route stretches (domain.RouteLegs):
// routes with a stretch whose box meets the box around the pickup and one
// whose box meets the box around the drop-off, departing before the window
// closes and arriving after it opens, with the seats.
func (s *Store) SearchRides(ctx context.Context, q RideSearch) ([]RideMatchHit, error) {
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("search rides: %w", err)
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, fmt.Errorf("search rides: limit %d offset %d: give 0 or more", q.Limit, q.Offset)
	}
	stmt, args := s.rideCandidates(&q)
	cands, err := s.queryRides(ctx, stmt, args)
	if err != nil {
		return nil, fmt.Errorf("search rides: %w", err)
	}
	var hits []RideMatchHit
	for _, c := range cands {
		if m, ok, _ := domain.MatchRide(&c.Ride, q.RideQuery); ok {
			hits = append(hits, RideMatchHit{RideHit: c, Match: m})
		}
	}
	SortRideMatches(hits)
	hits = hits[min(q.Offset, len(hits)):]
	if q.Limit > 0 {
		hits = hits[:min(q.Limit, len(hits))]
	}
	return hits, nil
}

// SortRideMatches sorts hits best first: domain.RideMatch.Compare, then by id.
func SortRideMatches(hits []RideMatchHit) {
	slices.SortFunc(hits, func(a, b RideMatchHit) int {
		if c := a.Match.Compare(b.Match); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// rideCandidates builds the candidate query of an along-route search.
//
// The rides with a stretch near the drop-off, among those with one near the
// pickup (a semi-join of the R*Tree of stretches with itself), then those
// in the window with the seats (checked in rides_window, a small index that
// holds what that check reads): only then the rows, whose routes are long.
// Around two big cities, thousands of rides pass near both and a tenth of
// them in the window: the R*Tree's third dimension, the time from a ride's
// departure to its arrival, leaves most of the others out already.
func (s *Store) rideCandidates(q *RideSearch) (string, []any) {
	km := q.SearchRadiusKm()
	// near is the rides with a stretch whose box meets the box around p
	// (two boxes across the antimeridian), with a condition more.
	near := func(p orb.Point, and string, andArgs []any) (string, []any) {
		var sub []string
		var args []any
		for _, b := range domain.BoundsAround(p, km) {
			sub = append(sub, fmt.Sprintf(`SELECT id >> %d FROM ride_legs_geo WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?%s`, legShift, and))
			args = append(args, boxArgs(b)...)
			args = append(args, andArgs...)
		}
		return strings.Join(sub, ` UNION `), args
	}
	// The window, in the R*Tree's dimension of time (see rides_window below
	// for the exact check).
	var when string
	var whenArgs []any
	if !q.Before.IsZero() {
		when += ` AND min_t <= ?`
		whenArgs = append(whenArgs, q.Before.UnixMilli())
	}
	if !q.After.IsZero() {
		when += ` AND max_t >= ?`
		whenArgs = append(whenArgs, q.After.UnixMilli())
	}
	pickup, pArgs := near(q.Pickup, when, whenArgs)
	both, bothArgs := near(q.Dropoff, when+fmt.Sprintf(` AND (id >> %d) IN (%s)`, legShift, pickup), append(slices.Clone(whenArgs), pArgs...))
	var w query
	w.and(`w.rid IN (`+both+`)`, bothArgs...)
	w.and(`w.expires_at > ?`, s.nowMs(q.Now))
	// The pickup is estimated between departure and arrival.
	if !q.Before.IsZero() {
		w.and(`w.depart_at < ?`, q.Before.UnixMilli()+1)
	}
	if !q.After.IsZero() {
		w.and(`w.arrive_at >= ?`, q.After.UnixMilli())
	}
	w.and(`w.seats_left >= ?`, q.SeatsWanted())
	inWindow, args := w.sql(`SELECT w.rid FROM rides w INDEXED BY rides_window`, "", 0, 0)
	return `SELECT ` + rideColumns + ` FROM rides r WHERE r.rid IN (` + inWindow + `)`, args
}

// boxArgs are the arguments of a "box meets box" condition.
func boxArgs(b orb.Bound) []any {
	return []any{b.Min.Lon(), b.Max.Lon(), b.Min.Lat(), b.Max.Lat()}
}
