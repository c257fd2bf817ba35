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
func (s *Store) rideCandidates(q *RideSearch) (string, []any) {
	var w query
	w.and(`r.expires_at > ?`, s.nowMs(q.Now))
	km := q.SearchRadiusKm()
	// Routes with a stretch whose box meets the box around P, and one whose
	// box meets the box around D: from the R*Tree of route stretches.
	for _, p := range []orb.Point{q.Pickup, q.Dropoff} {
		var sub []string
		var args []any
		for _, b := range domain.BoundsAround(p, km) {
			sub = append(sub, fmt.Sprintf(`SELECT id >> %d FROM ride_legs_geo WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?`, legShift))
			args = append(args, boxArgs(b)...)
		}
		w.and(`r.rid IN (`+strings.Join(sub, ` UNION `)+`)`, args...)
	}
	// The pickup is estimated between departure and arrival.
	if !q.Before.IsZero() {
		w.and(`r.depart_at < ?`, q.Before.UnixMilli()+1)
	}
	if !q.After.IsZero() {
		w.and(`r.arrive_at >= ?`, q.After.UnixMilli())
	}
	w.and(`r.seats_left >= ?`, q.SeatsWanted())
	return w.sql(`SELECT `+rideColumns+` FROM rides r`, "", 0, 0)
}

// boxArgs are the arguments of a "box meets box" condition.
func boxArgs(b orb.Bound) []any {
	return []any{b.Min.Lon(), b.Max.Lon(), b.Min.Lat(), b.Max.Lat()}
}
