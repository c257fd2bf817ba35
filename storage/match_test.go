package storage

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/caravan-p2p/caravan/domain"
)

func TestSearchRides(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	cet := time.FixedZone("", 3600)
	mk := func(title string, route [][2]float64, depart time.Time, seats int) domain.Record {
		return newRide(t, alice, domain.Ride{Title: title, Route: route, DepartAt: depart, Seats: seats, PricePerSeat: 20, Currency: "EUR"})
	}
	east := [][2]float64{{4.89, 52.37}, {5.12, 52.09}, {6.89, 52.22}, {9.73, 52.37}, {13.4, 52.52}}
	west := slices.Clone(east)
	slices.Reverse(west)
	rides := map[string]domain.Record{
		"east":  mk("Amsterdam to Berlin", east, time.Date(2026, 11, 27, 8, 0, 0, 0, cet), 3),
		"west":  mk("Berlin to Amsterdam", west, time.Date(2026, 11, 27, 8, 0, 0, 0, cet), 3),
		"later": mk("Utrecht to Hanover", [][2]float64{{5.12, 52.09}, {9.73, 52.37}}, time.Date(2026, 11, 29, 7, 0, 0, 0, cet), 1),
		"paris": mk("Brussels to Paris", [][2]float64{{4.35, 50.85}, {2.35, 48.85}}, time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC), 1),
		// Passes Utrecht and Hanover a few km off the road.
		"offset": mk("Amersfoort to Celle", [][2]float64{{5.39, 52.16}, {10.08, 52.62}}, time.Date(2026, 11, 27, 7, 0, 0, 0, cet), 2),
	}
	for _, r := range rides {
		mustStore(t, s, r)
	}
	names := map[string]string{}
	for k, r := range rides {
		names[r.ID] = k
	}
	utrecht, hanover := orb.Point{5.13, 52.10}, orb.Point{9.72, 52.38}
	tests := []struct {
		name string
		q    RideSearch
		want string // ride names, best first
	}{
		{"Utrecht to Hanover", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover}}, "east later"}, // same detour: the earlier pickup first
		{"with a wide radius", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover, RadiusKm: 60}}, "east later offset"},
		{"Hanover to Utrecht", RideSearch{RideQuery: domain.RideQuery{Pickup: hanover, Dropoff: utrecht}}, "west"},
		{"two seats", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover, Seats: 2}}, "east"},
		{"window", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover,
			After: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Before: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}}, "east"},
		{"window after the ride", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover,
			After: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Before: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}}, ""},
		{"limit", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover}, Limit: 1}, "east"},
		{"offset", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover}, Offset: 1}, "later"},
		{"departed are expired", RideSearch{RideQuery: domain.RideQuery{Pickup: utrecht, Dropoff: hanover}, Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}, "later"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.SearchRides(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, names[h.ID])
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("got %q, want %q", strings.Join(got, " "), tc.want)
			}
			for _, h := range hits {
				if h.Match.DetourKm <= 0 || h.Match.PickupAt.Before(h.DepartAt) || h.Title == "" {
					t.Errorf("hit %s: %+v", h.ID, h.Match)
				}
			}
		})
	}
	for _, q := range []domain.RideQuery{
		{Pickup: orb.Point{math.NaN(), 52}, Dropoff: hanover},
		{Pickup: utrecht, Dropoff: hanover, RadiusKm: -1},
		{Pickup: utrecht, Dropoff: orb.Point{9, 95}},
		{Pickup: utrecht, Dropoff: hanover, After: testNow, Before: testNow.Add(-time.Hour)},
	} {
		if _, err := s.SearchRides(ctx, RideSearch{RideQuery: q}); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
}

// wrapLon brings a longitude back into [-180, 180].
func wrapLon(lon float64) float64 {
	for lon > 180 {
		lon -= 360
	}
	for lon < -180 {
		lon += 360
	}
	return lon
}

// randomPoint is a point anywhere, often near the antimeridian or a pole.
func randomPoint(rng *rand.Rand) orb.Point {
	p := orb.Point{rng.Float64()*360 - 180, rng.Float64()*170 - 85}
	switch rng.IntN(6) {
	case 0: // near the antimeridian
		p[0] = math.Copysign(180-rng.Float64()*1.5, p[0])
	case 1: // near a pole
		p[1] = math.Copysign(80+rng.Float64()*9.5, p[1])
	}
	return p
}

// near is a point within km of p, in a random direction.
func near(rng *rand.Rand, p orb.Point, km float64) orb.Point {
	q := geo.PointAtBearingAndDistance(p, rng.Float64()*360, rng.Float64()*km*1000)
	q[0], q[1] = wrapLon(q[0]), min(max(q[1], -90), 90)
	return q
}

// randomRide is a ride of 2 to 8 points from a random place, or nil when its
// route would cross the antimeridian or too many cells.
func randomRide(rng *rand.Rand) *domain.Ride {
	p := randomPoint(rng)
	route := [][2]float64{p}
	step := 5 + rng.Float64()*150
	bearing := rng.Float64() * 360
	for range 1 + rng.IntN(7) {
		bearing += rng.NormFloat64() * 30
		q := geo.PointAtBearingAndDistance(p, bearing, step*1000)
		if q[0] > 180 || q[0] < -180 || math.Abs(q[1]) > 89.9 || math.Abs(q[0]-p[0]) > 90 {
			return nil
		}
		route = append(route, q)
		p = q
	}
	seats := 1 + rng.IntN(4)
	return &domain.Ride{
		Title: "ride", Route: route, Seats: seats, Currency: "EUR",
		DepartAt: testNow.Add(time.Duration(1+rng.IntN(72*60)) * time.Minute),
	}
}

// TestSearchRidesOracle compares SearchRides with a brute-force scan that
// matches every stored ride with domain.MatchRide, on random rides around the
// world, near the antimeridian and the poles too: same rides, same order.
func TestSearchRidesOracle(t *testing.T) {
	s := openTest(t)
	rng := rand.New(rand.NewPCG(7, 11))
	ids := []*domain.Identity{newIdentity(t), newIdentity(t), newIdentity(t)}
	var recs []domain.Record
	var rides []domain.Ride
	for len(recs) < 1500 {
		r := randomRide(rng)
		if r == nil {
			continue
		}
		rec, err := ids[len(recs)%len(ids)].NewRideRecord(*r, nil, testNow)
		if err != nil {
			continue // too many cells
		}
		// Some rides are partly booked.
		if rng.IntN(3) == 0 {
			r.SeatsLeft = rng.IntN(r.Seats + 1)
			if rec, err = ids[len(recs)%len(ids)].NewRideRecord(*r, &rec, testNow); err != nil {
				t.Fatal(err)
			}
		}
		ride, err := domain.DecodeRide(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		recs, rides = append(recs, rec), append(rides, ride)
	}
	for i := 0; i < len(recs); i += 500 {
		mustStore(t, s, recs[i:min(i+500, len(recs))]...)
	}
	var matched, total int
	for i := range 400 {
		var q domain.RideQuery
		r := &rides[rng.IntN(len(rides))]
		a, b := rng.IntN(len(r.Route)), rng.IntN(len(r.Route))
		switch i % 4 {
		case 0: // near two points of a route, in its order
			q.Pickup, q.Dropoff = near(rng, r.Route[min(a, b)], 4), near(rng, r.Route[max(a, b)], 4)
		case 1: // near two points of a route, in either order
			q.Pickup, q.Dropoff = near(rng, r.Route[a], 10), near(rng, r.Route[b], 10)
		case 2: // near one point of a route, and anywhere
			q.Pickup, q.Dropoff = near(rng, r.Route[a], 30), randomPoint(rng)
		default: // anywhere
			q.Pickup, q.Dropoff = randomPoint(rng), randomPoint(rng)
		}
		if rng.IntN(3) == 0 {
			q.RadiusKm = 1 + rng.Float64()*80
		}
		if rng.IntN(2) == 0 {
			// Around the departure of the ride the points are taken from.
			q.After = r.DepartAt.Add(-time.Duration(rng.IntN(4*60)) * time.Minute)
			q.Before = q.After.Add(time.Duration(1+rng.IntN(10*60)) * time.Minute)
		}
		q.Seats = rng.IntN(3)
		got, err := s.SearchRides(ctx, RideSearch{RideQuery: q})
		if err != nil {
			t.Fatalf("query %d %+v: %v", i, q, err)
		}
		var want []RideMatchHit
		for j := range rides {
			if m, ok, _ := domain.MatchRide(&rides[j], q); ok {
				want = append(want, RideMatchHit{RideHit: RideHit{ID: recs[j].ID}, Match: m})
			}
		}
		SortRideMatches(want)
		gotIDs := make([]string, len(got))
		for j, h := range got {
			gotIDs[j] = h.ID
		}
		wantIDs := make([]string, len(want))
		for j, h := range want {
			wantIDs[j] = h.ID
		}
		if !slices.Equal(gotIDs, wantIDs) {
			t.Fatalf("query %d %+v:\n got %v\nwant %v", i, q, gotIDs, wantIDs)
		}
		total++
		if len(got) > 0 {
			matched++
		}
	}
	if matched < total/5 {
		t.Errorf("only %d of %d queries matched a ride: the oracle test tests little", matched, total)
	}
}

// TestSearchRoomsOracle compares ranked, paged room search with a brute-force
// scan of every room (bbox, dates against the calendars, guests, price),
// ranked by domain.RankRooms, on random rooms around the world.
func TestSearchRoomsOracle(t *testing.T) {
	s := openTest(t)
	rng := rand.New(rand.NewPCG(5, 6))
	alice := newIdentity(t)
	type room struct {
		id      string
		room    domain.Room
		blocked []domain.DateRange
	}
	var rooms []room
	var recs []domain.Record
	for i := range 2000 {
		c := randomPoint(rng)
		if i%2 == 0 { // half of them in a few clusters, so views hold many
			c = near(rng, []orb.Point{{4.9, 52.37}, {179.5, -16.5}, {-179.8, 65}, {15.6, 78.2}}[i%4], 40)
		}
		r := domain.Room{Title: "room", Lat: c.Lat(), Lon: c.Lon(), PricePerNight: float64(10 + rng.IntN(20)*5),
			Currency: "EUR", MaxGuests: 1 + rng.IntN(5)}
		rec := newRoom(t, alice, r, nil, time.Duration(i)*time.Millisecond-time.Hour)
		x := room{id: rec.ID, room: r}
		recs = append(recs, rec)
		if rng.IntN(3) == 0 {
			from := time.Date(2026, 12, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)
			x.blocked = []domain.DateRange{{From: from.Format(domain.DateLayout), To: from.AddDate(0, 0, 1+rng.IntN(5)).Format(domain.DateLayout)}}
			recs = append(recs, newCalendar(t, alice, rec, x.blocked...))
		}
		rooms = append(rooms, x)
	}
	for i := 0; i < len(recs); i += 500 {
		mustStore(t, s, recs[i:min(i+500, len(recs))]...)
	}
	free := func(x room, from, to string) bool {
		for _, b := range x.blocked {
			if b.From < to && b.To > from {
				return false
			}
		}
		return true
	}
	var capped, exact int
	for i := range 300 {
		c := rooms[rng.IntN(len(rooms))].room
		w, h := 0.05+rng.Float64()*2, 0.05+rng.Float64()*1.5
		if i%5 == 0 { // taller than maxBands bands: through the R*Tree
			h *= 4
		}
		b := orb.Bound{Min: orb.Point{max(c.Lon-w, -180), max(c.Lat-h, -90)}, Max: orb.Point{min(c.Lon+w*rng.Float64(), 180), min(c.Lat+h*rng.Float64(), 90)}}
		q := RoomQuery{Bound: &b, Guests: rng.IntN(4), Limit: rng.IntN(30), Offset: rng.IntN(3) * 5}
		if rng.IntN(2) == 0 { // a small cap, so that many views pass it
			q.CountCap = 1 + rng.IntN(60)
		}
		if rng.IntN(2) == 0 {
			from := time.Date(2026, 12, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)
			q.From, q.To = from.Format(domain.DateLayout), from.AddDate(0, 0, 1+rng.IntN(7)).Format(domain.DateLayout)
		}
		page, err := s.FindRooms(ctx, q)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		var cands []domain.RoomCandidate
		for _, x := range rooms {
			if b.Contains(x.room.Point()) && x.room.MaxGuests >= q.Guests && (q.From == "" || free(x, q.From, q.To)) {
				cands = append(cands, domain.RoomCandidate{ID: x.id, Location: x.room.Point(), Price: x.room.PricePerNight})
			}
		}
		domain.RankRooms(b, cands)
		// Exact up to the cap when paged, capped beyond it.
		wantTotal, wantCapped := len(cands), false
		if most := q.countCap(); q.Limit > 0 && len(cands) > most {
			wantTotal, wantCapped = most, true
			capped++
		} else if q.Limit > 0 && len(cands) > 0 {
			exact++
		}
		if page.Total != wantTotal || page.TotalCapped != wantCapped {
			t.Fatalf("query %d: total %d capped %v, want %d %v", i, page.Total, page.TotalCapped, wantTotal, wantCapped)
		}
		cands = cands[min(q.Offset, len(cands)):]
		if q.Limit > 0 {
			cands = cands[:min(q.Limit, len(cands))]
		}
		got := make([]string, len(page.Hits))
		for j, h := range page.Hits {
			got[j] = h.ID
		}
		want := make([]string, len(cands))
		for j, c := range cands {
			want[j] = c.ID
		}
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %+v:\n got %v\nwant %v", i, q, got, want)
		}
	}
	if capped < 30 || exact < 30 {
		t.Errorf("%d paged queries passed the count cap and %d did not: too few to test both", capped, exact)
	}
	// Newest first without a view: the same set as a scan, by issue time;
	// the total capped or not.
	page, err := s.FindRooms(ctx, RoomQuery{Guests: 3, Limit: 10, Offset: 3, CountCap: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !page.TotalCapped || page.Total != 100 {
		t.Errorf("newest first, capped at 100: total %d capped %v", page.Total, page.TotalCapped)
	}
	page, err = s.FindRooms(ctx, RoomQuery{Guests: 3, Limit: 10, Offset: 3, CountCap: len(rooms)})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := len(rooms) - 1; i >= 0; i-- {
		if rooms[i].room.MaxGuests >= 3 {
			want = append(want, rooms[i].id)
		}
	}
	if page.Total != len(want) || page.TotalCapped {
		t.Errorf("newest first: total %d capped %v, want %d", page.Total, page.TotalCapped, len(want))
	}
	got := make([]string, len(page.Hits))
	for j, h := range page.Hits {
		got[j] = h.ID
	}
	if !slices.Equal(got, want[3:13]) {
		t.Errorf("newest first: got %v, want %v", got, want[3:13])
	}
}

func TestSearchRoomsBadQueries(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name string
		q    RoomQuery
		want string
	}{
		{"inverted bbox", RoomQuery{Bound: &orb.Bound{Min: orb.Point{5, 52}, Max: orb.Point{4, 53}}}, "minimum greater than maximum"},
		{"NaN bbox", RoomQuery{Bound: &orb.Bound{Min: orb.Point{math.NaN(), 52}, Max: orb.Point{4, 53}}}, "longitude NaN"},
		{"negative guests", RoomQuery{Guests: -1}, "guests"},
		{"NaN price", RoomQuery{MaxPrice: math.NaN()}, "price"},
		{"price range upside down", RoomQuery{MinPrice: 50, MaxPrice: 20}, "minimum"},
		{"negative offset", RoomQuery{Offset: -1}, "offset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.FindRooms(ctx, tc.q)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestRideLegsFollowTheRide checks that the route stretches in the R*Tree
// are replaced with a new version of the ride and deleted with it.
func TestRideLegsFollowTheRide(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	ride := domain.Ride{Title: "Amsterdam to Berlin", Route: [][2]float64{{4.89, 52.37}, {13.4, 52.52}},
		DepartAt: testNow.Add(24 * time.Hour), Seats: 2, Currency: "EUR"}
	v1 := newRide(t, alice, ride)
	mustStore(t, s, v1)
	legs := rowCount(t, s, "ride_legs_geo")
	if want := len(domain.RouteLegs(ride.LineString())); legs != want || legs < 10 {
		t.Fatalf("%d legs stored, want %d (the 570 km segment cut in stretches of %v km)", legs, want, domain.LegKm)
	}
	ride.Route = [][2]float64{{4.89, 52.37}, {5.12, 52.09}}
	v2, err := alice.NewRideRecord(ride, &v1, testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, v2)
	if n := rowCount(t, s, "ride_legs_geo"); n != 1 {
		t.Fatalf("%d legs after the new version, want 1", n)
	}
	mustStore(t, s, newTombstone(t, alice, v2))
	if n := rowCount(t, s, "ride_legs_geo"); n != 0 {
		t.Fatalf("%d legs after deletion, want 0", n)
	}
}

// TestMigrationIndexesStoredRides opens a store of schema version 2 holding a
// ride: migration 3 must index its route so along-route search finds it.
func TestMigrationIndexesStoredRides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caravan.db")
	db := storeAtVersion(t, path, 2)
	depart := testNow.Add(24 * time.Hour)
	if _, err := db.Exec(`INSERT INTO rides(rid, id, author, version, issued_at, expires_at, title, route, stopovers, depart_at, depart_offset,
			seats, seats_left, price_per_seat, currency, min_lon, min_lat, max_lon, max_lat)
		VALUES (7, 'r', 'a', 1, ?, ?, 'Amsterdam to Berlin', '[[4.89,52.37],[5.12,52.09],[9.73,52.37],[13.4,52.52]]', '[]', ?, 0,
			3, 3, 20, 'EUR', 4.89, 52.09, 13.4, 52.52)`, testNow.UnixMilli(), depart.Add(time.Hour).UnixMilli(), depart.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if n := rowCount(t, s, "ride_legs_geo"); n != 3 {
		t.Errorf("%d legs after the migration, want one per segment", n)
	}
	hits, err := s.SearchRides(ctx, RideSearch{RideQuery: domain.RideQuery{Pickup: orb.Point{5.13, 52.10}, Dropoff: orb.Point{9.72, 52.38},
		After: depart, Before: depart.Add(3 * time.Hour)}})
	if err != nil || len(hits) != 1 || hits[0].ID != "r" {
		t.Fatalf("hits %+v, %v: want the ride stored before the migration", hits, err)
	}
	// Deleting it deletes its legs.
	if _, err := s.w.ExecContext(ctx, `DELETE FROM rides WHERE rid = 7`); err != nil {
		t.Fatal(err)
	}
	if n := rowCount(t, s, "ride_legs_geo"); n != 0 {
		t.Errorf("%d legs after deleting the ride", n)
	}
}
