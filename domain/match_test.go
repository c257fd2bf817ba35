package domain

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

var (
	amsterdam = orb.Point{4.89, 52.37}
	utrecht   = orb.Point{5.12, 52.09}
	hanover   = orb.Point{9.73, 52.37}
	berlin    = orb.Point{13.40, 52.52}
	paris     = orb.Point{2.35, 48.85}
)

// amsterdamBerlin departs at 08:00 UTC with three seats, two left.
func amsterdamBerlin() Ride {
	return Ride{
		Title:     "Amsterdam to Berlin",
		Route:     [][2]float64{amsterdam, utrecht, {6.89, 52.22}, hanover, berlin},
		DepartAt:  time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		Seats:     3,
		SeatsLeft: 2,
	}
}

func TestMatchRide(t *testing.T) {
	ride := amsterdamBerlin()
	nearUtrecht, nearHanover := orb.Point{5.15, 52.10}, orb.Point{9.70, 52.40}
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name string
		q    RideQuery
		want MissReason
	}{
		{"Utrecht to Hanover", RideQuery{Pickup: nearUtrecht, Dropoff: nearHanover}, ""},
		{"from the origin to the destination", RideQuery{Pickup: amsterdam, Dropoff: berlin}, ""},
		{"reverse direction", RideQuery{Pickup: nearHanover, Dropoff: nearUtrecht}, MissDirection},
		{"pickup far away", RideQuery{Pickup: paris, Dropoff: nearHanover}, MissPickup},
		{"drop-off far away", RideQuery{Pickup: nearUtrecht, Dropoff: paris}, MissDropoff},
		{"pickup just outside a small radius", RideQuery{Pickup: orb.Point{5.12, 52.20}, Dropoff: nearHanover, RadiusKm: 5}, MissPickup},
		{"and inside a larger one", RideQuery{Pickup: orb.Point{5.12, 52.20}, Dropoff: nearHanover, RadiusKm: 15}, ""},
		{"two seats", RideQuery{Pickup: nearUtrecht, Dropoff: nearHanover, Seats: 2}, ""},
		{"three seats", RideQuery{Pickup: nearUtrecht, Dropoff: nearHanover, Seats: 3}, MissSeats},
		{"window around the pickup", RideQuery{Pickup: nearUtrecht, Dropoff: nearHanover, After: at(8, 0), Before: at(9, 0)}, ""},
		{"window after the pickup", RideQuery{Pickup: nearUtrecht, Dropoff: nearHanover, After: at(9, 0)}, MissTooEarly},
		{"window before the pickup", RideQuery{Pickup: nearUtrecht, Dropoff: nearHanover, Before: at(8, 10)}, MissTooLate},
		{"pickup late on the route", RideQuery{Pickup: nearHanover, Dropoff: berlin, After: at(12, 0), Before: at(13, 30)}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.q.Validate(); err != nil {
				t.Fatal(err)
			}
			m, ok, why := MatchRide(&ride, tc.q)
			if ok != (tc.want == "") || why != tc.want {
				t.Fatalf("MatchRide = %v %q, want %q", ok, why, tc.want)
			}
			if !ok {
				return
			}
			if !(m.PickupAlongKm < m.DropoffAlongKm) || m.PickupOffKm > m.RadiusKm || m.DropoffOffKm > m.RadiusKm {
				t.Errorf("match %+v is inconsistent", m)
			}
			if want := 2*m.PickupOffKm + 2*m.DropoffOffKm; math.Abs(m.DetourKm-want) > 1e-9 {
				t.Errorf("detour %v, want %v", m.DetourKm, want)
			}
			wantAt := ride.DepartAt.Add(time.Duration(m.PickupAlongKm / AverageSpeedKmh * float64(time.Hour)))
			if !m.PickupAt.Equal(wantAt) {
				t.Errorf("pickup at %v, want %v", m.PickupAt, wantAt)
			}
		})
	}
}

func TestMatchRideFigures(t *testing.T) {
	ride := amsterdamBerlin()
	// P is 1 km north of the Utrecht vertex; D is Hanover itself.
	p := geo.PointAtBearingAndDistance(utrecht, 0, 1000)
	m, ok, why := MatchRide(&ride, RideQuery{Pickup: p, Dropoff: hanover})
	if !ok {
		t.Fatal(why)
	}
	alongUtrecht := geo.DistanceHaversine(amsterdam, utrecht) / 1000
	if math.Abs(m.PickupAlongKm-alongUtrecht) > 1.5 || m.PickupOffKm > 1.001 || m.DropoffOffKm > 1e-6 {
		t.Errorf("pickup %.3f km along (want about %.3f), %.3f km off; drop-off %.6f km off", m.PickupAlongKm, alongUtrecht, m.PickupOffKm, m.DropoffOffKm)
	}
	if total := geo.LengthHaversine(ride.LineString()) / 1000; math.Abs(m.RouteKm-total) > 1e-6 || math.Abs(m.RadiusKm-min(max(5, total*0.02), 25)) > 1e-9 {
		t.Errorf("route %v km radius %v, want %v km", m.RouteKm, m.RadiusKm, total)
	}
	if got := ArrivalAt(&ride); got.Sub(ride.DepartAt) < 7*time.Hour || got.Sub(ride.DepartAt) > 9*time.Hour {
		t.Errorf("arrival %v after departure, want about 8 h for ~650 km", got.Sub(ride.DepartAt))
	}
}

func TestMatchRideAntimeridianAndLoops(t *testing.T) {
	tests := []struct {
		name  string
		route [][2]float64
		q     RideQuery
		want  MissReason
	}{
		{"pickup across the antimeridian", [][2]float64{{179.9, 65}, {170, 65}},
			RideQuery{Pickup: orb.Point{-179.99, 65}, Dropoff: orb.Point{175, 65.01}, RadiusKm: 10}, ""},
		{"far across the antimeridian", [][2]float64{{179.0, 65}, {170, 65}},
			RideQuery{Pickup: orb.Point{-179.99, 65}, Dropoff: orb.Point{175, 65.01}, RadiusKm: 10}, MissPickup},
		{"near the pole", [][2]float64{{10, 88}, {100, 89}},
			RideQuery{Pickup: orb.Point{10.5, 88}, Dropoff: orb.Point{100, 88.98}}, ""},
		// Out to D and back: P is passed twice, D once in between.
		{"there and back", [][2]float64{{0, 0}, {1, 0}, {0, 0}},
			RideQuery{Pickup: orb.Point{0.1, 0}, Dropoff: orb.Point{0.9, 0}}, ""},
		{"there and back, the other way", [][2]float64{{0, 0}, {1, 0}, {0, 0}},
			RideQuery{Pickup: orb.Point{0.9, 0}, Dropoff: orb.Point{0.1, 0}}, ""},
		{"same point", [][2]float64{{0, 0}, {1, 0}},
			RideQuery{Pickup: orb.Point{0.5, 0}, Dropoff: orb.Point{0.5, 0}}, MissDirection},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ride := Ride{Route: tc.route, DepartAt: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Seats: 1, SeatsLeft: 1}
			_, ok, why := MatchRide(&ride, tc.q)
			if ok != (tc.want == "") || why != tc.want {
				t.Fatalf("MatchRide = %v %q, want %q", ok, why, tc.want)
			}
		})
	}
}

func TestRideQueryValidate(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    RideQuery
		ok   bool
	}{
		{"fine", RideQuery{Pickup: utrecht, Dropoff: hanover}, true},
		{"NaN pickup", RideQuery{Pickup: orb.Point{math.NaN(), 52}, Dropoff: hanover}, false},
		{"latitude out of range", RideQuery{Pickup: utrecht, Dropoff: orb.Point{9, 91}}, false},
		{"negative radius", RideQuery{Pickup: utrecht, Dropoff: hanover, RadiusKm: -1}, false},
		{"NaN radius", RideQuery{Pickup: utrecht, Dropoff: hanover, RadiusKm: math.NaN()}, false},
		{"huge radius", RideQuery{Pickup: utrecht, Dropoff: hanover, RadiusKm: 1e6}, false},
		{"seats", RideQuery{Pickup: utrecht, Dropoff: hanover, Seats: MaxSeats + 1}, false},
		{"after after before", RideQuery{Pickup: utrecht, Dropoff: hanover, After: now, Before: now.Add(-time.Hour)}, false},
		{"empty window", RideQuery{Pickup: utrecht, Dropoff: hanover, After: now, Before: now}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.q.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// TestBoundsAround checks on random points that every point within the
// distance lies in one of the boxes.
func TestBoundsAround(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		c := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		if rng.IntN(4) == 0 { // near the antimeridian or a pole
			c[0] = math.Copysign(180-rng.Float64(), c[0])
			c[1] = math.Copysign(90-rng.Float64()*2, c[1])
		}
		km := 1 + rng.Float64()*100
		p := geo.PointAtBearingAndDistance(c, rng.Float64()*360, rng.Float64()*km*1000)
		if p[0] > 180 {
			p[0] -= 360
		} else if p[0] < -180 {
			p[0] += 360
		}
		bounds := BoundsAround(c, km)
		if !slices.ContainsFunc(bounds, func(b orb.Bound) bool { return b.Contains(p) }) {
			t.Fatalf("%v is %.3f km from %v but outside %v", p, geo.DistanceHaversine(c, p)/1000, c, bounds)
		}
	}
	if got := BoundsAround(orb.Point{179.99, 0}, 10); len(got) != 2 {
		t.Errorf("near the antimeridian: %v, want two boxes", got)
	}
	if got := BoundsAround(orb.Point{0, 89.95}, 10); len(got) != 1 || got[0].Min.Lon() != -180 || got[0].Max.Lon() != 180 {
		t.Errorf("near the pole: %v, want every longitude", got)
	}
}

func TestRideMatchCompare(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	ms := []RideMatch{
		{DetourKm: 3.0, PickupAt: t0},
		{DetourKm: 0.2, PickupAt: t0.Add(time.Hour)},
		{DetourKm: 0.4, PickupAt: t0},
		{DetourKm: 0.1, PickupAt: t0},
	}
	slices.SortFunc(ms, RideMatch.Compare)
	var got []float64
	for _, m := range ms {
		got = append(got, m.DetourKm)
	}
	if want := []float64{0.1, 0.4, 0.2, 3.0}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v (detours within half a km by time)", got, want)
	}
}

func TestRankRooms(t *testing.T) {
	view := orb.Bound{Min: orb.Point{4.8, 52.3}, Max: orb.Point{5.0, 52.44}} // about 19 km across
	c := view.Center()
	at := func(km float64) orb.Point { return geo.PointAtBearingAndDistance(c, 90, km*1000) }
	rooms := []RoomCandidate{
		{ID: "far-cheap", Location: at(8), Price: 10},
		{ID: "near-dear", Location: at(0.2), Price: 200},
		{ID: "near-cheap", Location: at(0.3), Price: 40},
		{ID: "near-rated", Location: at(0.4), Price: 90, Rating: Rating{Average: 4.5, Count: 3}},
		{ID: "mid", Location: at(3), Price: 50},
	}
	RankRooms(view, rooms)
	var got []string
	for _, r := range rooms {
		got = append(got, r.ID)
	}
	if want := []string{"near-rated", "near-cheap", "near-dear", "mid", "far-cheap"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestCheckBound(t *testing.T) {
	tests := []struct {
		b  orb.Bound
		ok bool
	}{
		{orb.Bound{Min: orb.Point{4, 52}, Max: orb.Point{5, 53}}, true},
		{orb.Bound{Min: orb.Point{5, 52}, Max: orb.Point{4, 53}}, false},
		{orb.Bound{Min: orb.Point{4, 53}, Max: orb.Point{5, 52}}, false},
		{orb.Bound{Min: orb.Point{math.NaN(), 52}, Max: orb.Point{5, 53}}, false},
		{orb.Bound{Min: orb.Point{4, 52}, Max: orb.Point{181, 53}}, false},
	}
	for _, tc := range tests {
		if err := CheckBound(tc.b); (err == nil) != tc.ok {
			t.Errorf("CheckBound(%v) = %v, want ok %v", tc.b, err, tc.ok)
		}
	}
}

// TestRouteLegs checks on random routes that every point of every segment
// lies in a leg's box, and that legs are about LegKm long at most.
func TestRouteLegs(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for range 500 {
		route := orb.LineString{{rng.Float64()*300 - 150, rng.Float64()*160 - 80}}
		for range 1 + rng.IntN(20) {
			last := route[len(route)-1]
			next := orb.Point{last[0] + rng.NormFloat64()*2, min(max(last[1]+rng.NormFloat64()*2, -89), 89)}
			route = append(route, next)
		}
		legs := RouteLegs(route)
		if len(legs) == 0 || len(legs) > MaxLegs {
			t.Fatalf("%d legs", len(legs))
		}
		for i := 1; i < len(route); i++ {
			a, b := route[i-1], route[i]
			for range 50 {
				tt := rng.Float64()
				p := orb.Point{a[0] + tt*(b[0]-a[0]), a[1] + tt*(b[1]-a[1])}
				if !slices.ContainsFunc(legs, func(l orb.Bound) bool { return l.Contains(p) }) {
					t.Fatalf("%v on segment %d of %v is in no leg %v", p, i, route, legs)
				}
			}
		}
		for _, l := range legs {
			if km := geo.DistanceHaversine(l.Min, l.Max) / 1000; km > 2*LegKm {
				t.Fatalf("leg %v spans %.0f km", l, km)
			}
		}
	}
}
