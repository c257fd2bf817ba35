package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

func newWish(t testing.TB, id *domain.Identity, w domain.Wish) domain.Record {
	t.Helper()
	r, err := id.NewWishRecord(w, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func stayNear(lon, lat, km float64) domain.Wish {
	return domain.Wish{Stay: &domain.StayWish{
		Centre: &[2]float64{lon, lat}, RadiusKm: km, From: "2026-12-01", To: "2026-12-04", Guests: 2,
	}}
}

func wishIDs(hits []WishHit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	slices.Sort(ids)
	return ids
}

func wishesFor(t testing.TB, s *Store, listing domain.Record) []string {
	t.Helper()
	hits, err := s.WishesFor(ctx, listing, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return wishIDs(hits)
}

func TestWishesForRoom(t *testing.T) {
	s := openTest(t)
	owner, renter := newIdentity(t), newIdentity(t)
	room := newRoom(t, owner, baseRoom(), nil, 0) // 4.89, 52.37
	near := newWish(t, renter, stayNear(4.9, 52.37, 5))
	far := newWish(t, renter, stayNear(5.5, 52.37, 5))
	later := stayNear(4.9, 52.37, 5)
	later.Stay.From, later.Stay.To = "2026-12-10", "2026-12-12"
	other := newWish(t, renter, later)
	own := newWish(t, owner, stayNear(4.9, 52.37, 5)) // the owner's own wish is not offered to
	mustStore(t, s, room, near, far, other, own)

	if got, want := wishesFor(t, s, room), wishIDs([]WishHit{{ID: near.ID}, {ID: other.ID}}); !slices.Equal(got, want) {
		t.Fatalf("wishes for the room: %v, want %v", got, want)
	}
	// Booked on the first wish's dates: only the later one still fits.
	mustStore(t, s, newCalendar(t, owner, room, domain.DateRange{From: "2026-12-02", To: "2026-12-03"}))
	if got := wishesFor(t, s, room); !slices.Equal(got, []string{other.ID}) {
		t.Fatalf("wishes for the booked room: %v, want %v", got, []string{other.ID})
	}
	// A tombstone removes a wish; its row and its index row go.
	mustStore(t, s, newTombstone(t, renter, other))
	if got := wishesFor(t, s, room); len(got) != 0 {
		t.Fatalf("wishes after the tombstone: %v, want none", got)
	}
	mine, err := s.WishesBy(ctx, renter.Author(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := wishIDs(mine), wishIDs([]WishHit{{ID: near.ID}, {ID: far.ID}}); !slices.Equal(got, want) {
		t.Fatalf("renter's wishes: %v, want %v", got, want)
	}
	// Expiry deletes the rest.
	if _, err := s.SweepExpired(ctx, time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var rows, geo int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM wishes), (SELECT count(*) FROM wishes_geo)`).Scan(&rows, &geo); err != nil {
		t.Fatal(err)
	}
	if rows != 0 || geo != 0 {
		t.Fatalf("after expiry: %d wish rows, %d index rows, want none", rows, geo)
	}
}

func TestWishesForRide(t *testing.T) {
	s := openTest(t)
	driver, rider := newIdentity(t), newIdentity(t)
	ride := newRide(t, driver, domain.Ride{
		Title: "Amsterdam to Berlin", Route: [][2]float64{{4.89, 52.37}, {7.0, 52.3}, {13.4, 52.52}},
		DepartAt: testNow.Add(48 * time.Hour), Seats: 3, PricePerSeat: 25, Currency: "EUR",
	})
	rideWish := func(from, to [2]float64, seats int) domain.Wish {
		return domain.Wish{Ride: &domain.RideWish{
			From: &from, To: &to, DepartAfter: testNow.Add(40 * time.Hour), DepartBefore: testNow.Add(60 * time.Hour), Seats: seats,
		}}
	}
	fits := newWish(t, rider, rideWish([2]float64{7.0, 52.31}, [2]float64{13.3, 52.5}, 1))
	backwards := newWish(t, rider, rideWish([2]float64{13.3, 52.5}, [2]float64{7.0, 52.31}, 1))
	tooMany := newWish(t, rider, rideWish([2]float64{7.0, 52.31}, [2]float64{13.3, 52.5}, 4))
	stay := newWish(t, rider, stayNear(7.0, 52.31, 5))
	mustStore(t, s, ride, fits, backwards, tooMany, stay)
	hits, err := s.WishesFor(ctx, ride, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != fits.ID || hits[0].Match == nil || hits[0].Match.PickupAlongKm == 0 {
		t.Fatalf("wishes for the ride: %+v, want only %s with its match", hits, fits.ID)
	}
}

// TestWishesOracle checks the indexed query against brute force: every
// wish checked against the listing with the domain rules.
func TestWishesOracle(t *testing.T) {
	s := openTest(t)
	rng := rand.New(rand.NewPCG(7, 11))
	owner, renter := newIdentity(t), newIdentity(t)
	// A region around Amsterdam, about 100 km across.
	pt := func() [2]float64 { return [2]float64{4 + rng.Float64()*1.5, 52 + rng.Float64()} }
	day := func(d int) string { return testNow.AddDate(0, 0, d).Format(domain.DateLayout) }
	var wishes []domain.Record
	for i := range 300 {
		var w domain.Wish
		switch i % 3 {
		case 0:
			c := pt()
			from := 1 + rng.IntN(20)
			w.Stay = &domain.StayWish{Centre: &c, RadiusKm: 1 + rng.Float64()*30, From: day(from), To: day(from + 1 + rng.IntN(5)), Guests: 1 + rng.IntN(4)}
		case 1:
			a, b := pt(), pt()
			from := 1 + rng.IntN(20)
			w.Stay = &domain.StayWish{BBox: &[4]float64{min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])},
				From: day(from), To: day(from + 1 + rng.IntN(5)), Guests: 1 + rng.IntN(4), MaxPricePerNight: 30 + float64(rng.IntN(50)), Currency: "EUR"}
		default:
			a, b := pt(), pt()
			after := testNow.Add(time.Duration(rng.IntN(72)) * time.Hour)
			w.Ride = &domain.RideWish{From: &a, To: &b, RadiusKm: float64(rng.IntN(3)) * 10, DepartAfter: after,
				DepartBefore: after.Add(time.Duration(1+rng.IntN(24)) * time.Hour), Seats: 1 + rng.IntN(3)}
		}
		wishes = append(wishes, newWish(t, renter, w))
	}
	mustStore(t, s, wishes...)
	var listings []domain.Record
	for range 40 {
		room := baseRoom()
		p := pt()
		room.Lon, room.Lat, room.MaxGuests, room.PricePerNight = p[0], p[1], 1+rng.IntN(4), 20+float64(rng.IntN(60))
		rec := newRoom(t, owner, room, nil, 0)
		listings = append(listings, rec)
		if rng.IntN(2) == 0 {
			from := 1 + rng.IntN(20)
			mustStore(t, s, newCalendar(t, owner, rec, domain.DateRange{From: day(from), To: day(from + 1 + rng.IntN(4))}))
		}
	}
	for range 40 {
		route := [][2]float64{pt(), pt(), pt()}
		listings = append(listings, newRide(t, owner, domain.Ride{Title: "r", Route: route,
			DepartAt: testNow.Add(time.Duration(1+rng.IntN(72)) * time.Hour), Seats: 1 + rng.IntN(3), PricePerSeat: 10, Currency: "EUR"}))
	}
	mustStore(t, s, listings...)
	found := 0
	for _, l := range listings {
		body, err := domain.DecodeBody(&l)
		if err != nil {
			t.Fatal(err)
		}
		var blocked []domain.DateRange
		if l.Kind == domain.KindRoom {
			if cal, err := s.CalendarOf(ctx, l.ID, l.Author); err == nil {
				c, _ := domain.DecodeCalendar(cal.Body)
				blocked = c.Blocked
			}
		}
		var want []string
		for _, w := range wishes {
			wb, _ := domain.DecodeBody(&w)
			if ok, _ := domain.ListingFitsWish(wb.(*domain.Wish), body, blocked); ok {
				want = append(want, w.ID)
			}
		}
		slices.Sort(want)
		got := wishesFor(t, s, l)
		if !slices.Equal(got, want) {
			t.Fatalf("%s %s: index finds %d wishes, brute force %d\n got %v\nwant %v", l.Kind, l.ID, len(got), len(want), got, want)
		}
		found += len(got)
	}
	if found == 0 {
		t.Fatal("no listing fits any wish: the test data test nothing")
	}
	t.Logf("%d fits over %d listings and %d wishes", found, len(listings), len(wishes))
}

func TestOffers(t *testing.T) {
	s := openTest(t)
	yes, no := true, false
	for i, o := range []Offer{
		{ID: "o1", WishID: "w1", ListingID: "l1", Owner: "a", Renter: "b", Outgoing: false, SentAt: testNow, Body: []byte(`{}`)},
		{ID: "o2", WishID: "w1", ListingID: "l2", Owner: "c", Renter: "b", Outgoing: false, SentAt: testNow.Add(time.Minute), Body: []byte(`{}`)},
		{ID: "o3", WishID: "w9", ListingID: "l3", Owner: "b", Renter: "d", Outgoing: true, SentAt: testNow, Body: []byte(`{}`)},
	} {
		if fresh, err := s.SaveOffer(ctx, o); err != nil || !fresh {
			t.Fatalf("offer %d: fresh %v, %v", i, fresh, err)
		}
	}
	if fresh, err := s.SaveOffer(ctx, Offer{ID: "o1", Body: []byte(`{}`)}); err != nil || fresh {
		t.Fatalf("the same offer again: fresh %v, %v", fresh, err)
	}
	if err := s.SetOfferBooking(ctx, "o1", "bk"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    OfferFilter
		want string
	}{
		{OfferFilter{}, "o2 o1:bk o3"},
		{OfferFilter{WishID: "w1"}, "o2 o1:bk"},
		{OfferFilter{Outgoing: &yes}, "o3"},
		{OfferFilter{Outgoing: &no, ID: "o1"}, "o1:bk"},
	} {
		got, err := s.Offers(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		for i, o := range got {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, o.ID...)
			if o.BookingID != "" {
				b = fmt.Appendf(b, ":%s", o.BookingID)
			}
		}
		if string(b) != c.want {
			t.Errorf("Offers(%+v) = %q, want %q", c.f, b, c.want)
		}
	}
}
