package storage

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// TestLatBandIsTheIndexedExpression checks that latBand computes the band
// SQLite indexes in rooms_band, including at the edges of bands, where a
// difference in rounding would lose a room.
func TestLatBandIsTheIndexedExpression(t *testing.T) {
	s := openTest(t)
	rng := rand.New(rand.NewPCG(3, 4))
	lats := []float64{-90, 90, 0, -0.0, 48.86, -33.87, 89.99999999999999, -89.99999999999999}
	for band := range 9001 { // every edge, and a hair either side
		edge := float64(band)/bandsPerDegree - 90
		lats = append(lats, edge, math.Nextafter(edge, -91), math.Nextafter(edge, 91))
	}
	for range 2000 {
		lats = append(lats, rng.Float64()*180-90)
	}
	for _, lat := range lats {
		if lat < -90 || lat > 90 {
			continue
		}
		var got int64
		if err := s.r.QueryRowContext(ctx, `SELECT CAST((? + 90) * 50 AS INTEGER)`, lat).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := latBand(lat); got != want {
			t.Fatalf("latitude %v: SQLite's band %d, latBand %d", lat, got, want)
		}
	}
}

// TestRoomSearchPlans checks which index drives a view search: rooms_band
// for a map view (and the calendar check a probe of room_blocked_room_days),
// the R*Tree for a box taller than maxBands bands.
func TestRoomSearchPlans(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name  string
		bound orb.Bound
		want  []string
	}{
		{"a city", orb.Bound{Min: orb.Point{2.27, 48.81}, Max: orb.Point{2.42, 48.90}},
			[]string{"USING COVERING INDEX rooms_band", "USING COVERING INDEX room_blocked_room_days"}},
		{"a country", orb.Bound{Min: orb.Point{-5, 42}, Max: orb.Point{8, 51}},
			[]string{"VIRTUAL TABLE INDEX", "USING INTEGER PRIMARY KEY", "USING COVERING INDEX room_blocked_room_days"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := RoomQuery{Bound: &tc.bound, From: "2026-12-01", To: "2026-12-05", Guests: 2, Limit: 20}
			w, st, err := s.roomWhere(q)
			if err != nil {
				t.Fatal(err)
			}
			stmt, args := roomsIn(free(w, st), tc.bound).sql(`SELECT r.rid, r.id, r.lon, r.lat, r.price_per_night FROM rooms r`, "", DefaultCountCap+1, 0)
			all := explain(t, s, stmt, args)
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("plan lacks %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestRideSearchPlan checks that an along-route search takes its candidates
// from the R*Tree of stretches and checks their window in rides_window
// before it reads their rows.
func TestRideSearchPlan(t *testing.T) {
	s := openTest(t)
	q := RideSearch{RideQuery: domain.RideQuery{Pickup: orb.Point{-0.13, 51.51}, Dropoff: orb.Point{2.35, 48.86},
		After: testNow, Before: testNow.Add(6 * time.Hour)}}
	stmt, args := s.rideCandidates(&q)
	plan := explain(t, s, stmt, args)
	for _, want := range []string{"SEARCH r USING INTEGER PRIMARY KEY", "COVERING INDEX rides_window (rid=?", "SCAN ride_legs_geo VIRTUAL TABLE"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
}

// explain is the query plan of a statement, a step a line.
func explain(t *testing.T, s *Store, stmt string, args []any) string {
	t.Helper()
	rows, err := s.r.QueryContext(ctx, `EXPLAIN QUERY PLAN `+stmt, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
