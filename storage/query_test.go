package storage

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// roomFixture stores six rooms, issued a minute apart (A oldest, F newest),
// and calendars, and returns the store and the rooms' ids by letter.
func roomFixture(t *testing.T) (*Store, map[string]string, *domain.Identity) {
	t.Helper()
	s := openTest(t)
	alice, bob := newIdentity(t), newIdentity(t)
	rooms := []struct {
		key  string
		by   *domain.Identity
		room domain.Room
	}{
		{"A", alice, domain.Room{Title: "Quiet room by the canal", Description: "Bright, two windows.",
			Lat: 52.37, Lon: 4.89, PricePerNight: 45, Currency: "EUR", MaxGuests: 2, Amenities: []string{"wifi", "kitchen"}}},
		{"B", alice, domain.Room{Title: "Café à Paris", Description: "Chambre près du métro.",
			Lat: 48.85, Lon: 2.35, PricePerNight: 70, Currency: "EUR", MaxGuests: 4, Amenities: []string{"wifi", "washer"}}},
		{"C", alice, domain.Room{Title: "Berlin loft", Description: "Big and bright.",
			Lat: 52.52, Lon: 13.40, PricePerNight: 120, Currency: "EUR", MaxGuests: 6, Amenities: []string{"kitchen", "sauna", "wifi"}}},
		{"D", bob, domain.Room{Title: "Amsterdam houseboat", Description: "Sleeps on the water.",
			Lat: 52.38, Lon: 4.90, PricePerNight: 90, Currency: "USD", MaxGuests: 3}},
		{"E", bob, domain.Room{Title: "Tiny canal studio", Description: "For one.",
			Lat: 52.36, Lon: 4.88, PricePerNight: 30, Currency: "EUR", MaxGuests: 1, Amenities: []string{"wifi"}}},
		{"F", alice, domain.Room{Title: "Late room", Description: "Arrives after a forged calendar.",
			Lat: 52.371, Lon: 4.891, PricePerNight: 50, Currency: "EUR", MaxGuests: 2}},
	}
	ids := map[string]string{}
	recs := map[string]domain.Record{}
	for i, r := range rooms {
		rec := newRoom(t, r.by, r.room, nil, time.Duration(i-5)*time.Minute)
		ids[r.key], recs[r.key] = rec.ID, rec
	}
	december := domain.DateRange{From: "2026-12-01", To: "2026-12-04"}
	// Bob forges a calendar for F before F arrives: stored, but never honoured.
	forged := newCalendar(t, bob, recs["F"], domain.DateRange{From: "2026-11-01", To: "2027-01-01"})
	mustStore(t, s, recs["A"], recs["B"], recs["C"], recs["D"], recs["E"], newCalendar(t, alice, recs["A"], december), forged, recs["F"])
	return s, ids, alice
}

func TestSearchRooms(t *testing.T) {
	s, ids, alice := roomFixture(t)
	amsterdam := orb.Bound{Min: orb.Point{4.8, 52.3}, Max: orb.Point{5.0, 52.4}}
	tests := []struct {
		name string
		q    RoomQuery
		want string // room letters, in order
	}{
		{"everything, newest first", RoomQuery{}, "FEDCBA"},
		{"bbox, newest first", RoomQuery{Bound: &amsterdam, Order: OrderNewest}, "FEDA"},
		// Centre 4.9,52.35, rings of 0.88 km: E 1.76 km (ring 1), A 2.33 and F 2.41
		// (ring 2, A cheaper), D 3.34 km (ring 3).
		{"bbox, ranked around its centre", RoomQuery{Bound: &amsterdam}, "EAFD"},
		{"bbox, ranked, paged", RoomQuery{Bound: &amsterdam, Limit: 2, Offset: 1}, "AF"},
		{"ranked without a bbox is newest first", RoomQuery{Order: OrderRanked, Limit: 2}, "FE"},
		{"bbox with nothing", RoomQuery{Bound: &orb.Bound{Min: orb.Point{-10, -10}, Max: orb.Point{-9, -9}}}, ""},
		{"dates overlap the calendar", RoomQuery{From: "2026-12-02", To: "2026-12-05"}, "FEDCB"},
		{"dates inside the calendar", RoomQuery{From: "2026-12-02", To: "2026-12-03"}, "FEDCB"},
		{"dates cover the calendar", RoomQuery{From: "2026-11-20", To: "2026-12-20"}, "FEDCB"},
		{"dates right after", RoomQuery{From: "2026-12-04", To: "2026-12-06"}, "FEDCBA"},
		{"dates right before", RoomQuery{From: "2026-11-28", To: "2026-12-01"}, "FEDCBA"},
		{"guests", RoomQuery{Guests: 4}, "CB"},
		{"price range", RoomQuery{MinPrice: 40, MaxPrice: 100}, "FDBA"},
		{"max price", RoomQuery{MaxPrice: 45}, "EA"},
		{"currency", RoomQuery{Currency: "USD"}, "D"},
		{"amenities, all of", RoomQuery{Amenities: []string{"wifi", "kitchen"}}, "CA"},
		{"amenities, any case, repeated", RoomQuery{Amenities: []string{"WiFi", "KITCHEN", "wifi"}}, "CA"},
		{"amenity nobody has", RoomQuery{Amenities: []string{"wifi", "pool"}}, ""},
		{"text", RoomQuery{Text: "canal"}, "EA"},
		{"text prefix", RoomQuery{Text: "can"}, "EA"},
		{"text all words", RoomQuery{Text: "canal tiny"}, "E"},
		{"text in description", RoomQuery{Text: "water"}, "D"},
		{"text without accents", RoomQuery{Text: "cafe metro"}, "B"},
		{"text case", RoomQuery{Text: "BERLIN"}, "C"},
		{"hostile text", RoomQuery{Text: `canal" (*`}, "EA"},
		{"operators are words", RoomQuery{Text: "canal AND NOT"}, ""},
		{"author", RoomQuery{Author: alice.Author()}, "FCBA"},
		{"combined", RoomQuery{Bound: &amsterdam, Order: OrderNewest, Guests: 2, MaxPrice: 60, Amenities: []string{"wifi"}, From: "2026-12-01", To: "2026-12-02"}, ""},
		{"combined 2", RoomQuery{Bound: &amsterdam, Order: OrderNewest, Guests: 2, MaxPrice: 60, From: "2026-12-01", To: "2026-12-02"}, "F"},
		{"limit", RoomQuery{Limit: 2}, "FE"},
		{"limit and offset", RoomQuery{Limit: 2, Offset: 2}, "DC"},
		{"offset only", RoomQuery{Offset: 5}, "A"},
		{"expired are left out", RoomQuery{Now: testNow.Add(domain.RoomLifetime - 210*time.Second)}, "FEDC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := hitIDs(search(t, s, tc.q))
			var want []string
			for _, k := range tc.want {
				want = append(want, ids[string(k)])
			}
			if !slices.Equal(got, want) {
				names := map[string]string{}
				for k, id := range ids {
					names[id] = k
				}
				var gotNames string
				for _, id := range got {
					gotNames += names[id]
				}
				t.Fatalf("got %q, want %q", gotNames, tc.want)
			}
		})
	}
}

func TestSearchRoomsHit(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	room := baseRoom()
	room.Photos = []string{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	rec := newRoom(t, alice, room, nil, 0)
	mustStore(t, s, rec)
	hits := search(t, s, RoomQuery{})
	if len(hits) != 1 {
		t.Fatalf("%d hits", len(hits))
	}
	h := hits[0]
	want, err := domain.DecodeRoom(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != rec.ID || h.Author != alice.Author() || h.Version != 1 || !h.IssuedAt.Equal(testNow) {
		t.Errorf("hit header %+v", h)
	}
	if jsonText(h.Room) != jsonText(want) {
		t.Errorf("hit room %s, want %s", jsonText(h.Room), jsonText(want))
	}
}

func TestSearchRoomsHostileText(t *testing.T) {
	s, _, _ := roomFixture(t)
	for _, text := range []string{
		`a"b OR (`, `"`, `""`, `*`, `-`, `^`, `:`, `(`, `)`, `NEAR(a b`, `title:canal`, `canal*`, `{title}: x`,
		"\x00", "\u0301", "e\u0301", "🏠 canal", `\`, `'; DROP TABLE rooms; --`, "AND", "OR", "NOT",
	} {
		if _, err := s.SearchRooms(ctx, RoomQuery{Text: text}); err != nil {
			t.Errorf("text %q: %v", text, err)
		}
	}
	// And random strings over the characters FTS5 queries are made of.
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab \"'*^:+-(){}[],.NEARORAND\u00e9\u0301\U0001F3E0\x00\t")
	for range 2000 {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if _, err := s.SearchRooms(ctx, RoomQuery{Text: string(r)}); err != nil {
			t.Fatalf("text %q: %v", string(r), err)
		}
	}
}

func TestSearchRoomsBadDates(t *testing.T) {
	s := openTest(t)
	for _, q := range []RoomQuery{
		{From: "2026-12-01"}, {To: "2026-12-01"}, {From: "2026-12-05", To: "2026-12-01"},
		{From: "2026-12-01", To: "2026-12-01"}, {From: "1 Dec", To: "2026-12-04"},
	} {
		if _, err := s.SearchRooms(ctx, q); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
}

func TestRides(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	cet := time.FixedZone("", 3600)
	mk := func(title string, route [][2]float64, depart time.Time, seats int) domain.Record {
		return newRide(t, alice, domain.Ride{Title: title, Route: route, DepartAt: depart, Seats: seats, PricePerSeat: 20, Currency: "EUR"})
	}
	berlin := mk("Amsterdam to Berlin", [][2]float64{{4.89, 52.37}, {7.0, 52.3}, {13.4, 52.52}}, time.Date(2026, 11, 27, 8, 0, 0, 0, cet), 3)
	paris := mk("Brussels to Paris", [][2]float64{{4.35, 50.85}, {2.35, 48.85}}, time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC), 1)
	later := mk("Utrecht to Hanover", [][2]float64{{5.12, 52.09}, {9.73, 52.37}}, time.Date(2026, 11, 29, 7, 0, 0, 0, cet), 4)
	mustStore(t, s, berlin, paris, later)
	ids := map[string]string{berlin.ID: "berlin", paris.ID: "paris", later.ID: "later"}
	germany := orb.Bound{Min: orb.Point{8, 51}, Max: orb.Point{9, 53}}
	tests := []struct {
		name string
		q    RideQuery
		want []string
	}{
		{"all by departure", RideQuery{}, []string{"paris", "berlin", "later"}},
		{"bound", RideQuery{Bound: &germany}, []string{"berlin", "later"}},
		{"after", RideQuery{After: time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)}, []string{"berlin", "later"}},
		{"before", RideQuery{Before: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}, []string{"paris", "berlin"}},
		{"seats", RideQuery{Seats: 2}, []string{"berlin", "later"}},
		{"limit", RideQuery{Limit: 1}, []string{"paris"}},
		{"departed are expired", RideQuery{Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}, []string{"later"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.Rides(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, ids[h.ID])
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	hits, err := s.Rides(ctx, RideQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	want, err := domain.DecodeRide(berlin.Body)
	if err != nil {
		t.Fatal(err)
	}
	if h := hits[1]; jsonText(h.Ride) != jsonText(want) || h.Author != alice.Author() || h.Version != 1 {
		t.Errorf("hit %s, want %s", jsonText(h.Ride), jsonText(want))
	}
}

func TestOwnCells(t *testing.T) {
	alice, bob := newIdentity(t), newIdentity(t)
	s := openTest(t)
	paris := baseRoom()
	paris.Lat, paris.Lon = 48.85, 2.35
	ride := newRide(t, alice, domain.Ride{Title: "Amsterdam to Utrecht", Route: [][2]float64{{4.89, 52.37}, {5.12, 52.09}},
		DepartAt: testNow.Add(time.Hour), Seats: 3, Currency: "EUR"})
	room := newRoom(t, alice, baseRoom(), nil, 0)
	mustStore(t, s, room, ride, newRoom(t, bob, paris, nil, 0))
	got, err := s.OwnCells(ctx, alice.Author())
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Concat(room.Cells, ride.Cells)
	slices.Sort(want)
	want = slices.Compact(want)
	if !slices.Equal(got, want) {
		t.Errorf("OwnCells = %v, want %v (not Bob's %v)", got, want, domain.CellAt(paris.Point()))
	}
}
