package domain

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func testStayWish() *StayWish {
	return &StayWish{
		Centre: &[2]float64{4.89, 52.37}, RadiusKm: 5, From: "2026-12-01", To: "2026-12-04",
		Guests: 2, MaxPricePerNight: 60, Currency: "EUR", Amenities: []string{"WiFi"},
	}
}

func testRideWish() *RideWish {
	return &RideWish{
		From: &[2]float64{4.89, 52.37}, To: &[2]float64{13.4, 52.52},
		DepartAfter: testNow.Add(47 * time.Hour), DepartBefore: testNow.Add(49 * time.Hour),
		Seats: 2, MaxPricePerSeat: 30, Currency: "EUR",
	}
}

func TestWishValidate(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*Wish)
		field string // "" when valid
	}{
		{"stay by centre", func(w *Wish) {}, ""},
		{"stay by bbox", func(w *Wish) { w.Stay.Centre, w.Stay.RadiusKm, w.Stay.BBox = nil, 0, &[4]float64{4.8, 52.3, 5, 52.4} }, ""},
		{"ride", func(w *Wish) { w.Stay, w.Ride = nil, testRideWish() }, ""},
		{"any price", func(w *Wish) { w.Stay.MaxPricePerNight, w.Stay.Currency = 0, "" }, ""},
		{"neither", func(w *Wish) { w.Stay = nil }, "stay"},
		{"both", func(w *Wish) { w.Ride = testRideWish() }, "stay"},
		{"no area", func(w *Wish) { w.Stay.Centre = nil }, "stay.bbox"},
		{"box and centre", func(w *Wish) { w.Stay.BBox = &[4]float64{4, 52, 5, 53} }, "stay.bbox"},
		{"inverted box", func(w *Wish) { w.Stay.Centre, w.Stay.RadiusKm, w.Stay.BBox = nil, 0, &[4]float64{5, 52, 4, 53} }, "stay.bbox"},
		{"box lat", func(w *Wish) { w.Stay.Centre, w.Stay.RadiusKm, w.Stay.BBox = nil, 0, &[4]float64{4, 52, 5, 93} }, "stay.bbox[3]"},
		{"centre out of range", func(w *Wish) { w.Stay.Centre = &[2]float64{200, 0} }, "stay.centre"},
		{"no radius", func(w *Wish) { w.Stay.RadiusKm = 0 }, "stay.radius_km"},
		{"huge radius", func(w *Wish) { w.Stay.RadiusKm = 1000 }, "stay.radius_km"},
		{"bad from", func(w *Wish) { w.Stay.From = "1 Dec" }, "stay.from"},
		{"to before from", func(w *Wish) { w.Stay.To = "2026-11-30" }, "stay.to"},
		{"too long", func(w *Wish) { w.Stay.To = "2028-12-01" }, "stay.to"},
		{"no guests", func(w *Wish) { w.Stay.Guests = 0 }, "stay.guests"},
		{"price without currency", func(w *Wish) { w.Stay.Currency = "" }, "stay.currency"},
		{"currency without price", func(w *Wish) { w.Stay.MaxPricePerNight = 0 }, "stay.currency"},
		{"negative price", func(w *Wish) { w.Stay.MaxPricePerNight = -1 }, "stay.max_price_per_night"},
		{"twice an amenity", func(w *Wish) { w.Stay.Amenities = []string{"a", "a"} }, "stay.amenities"},
		{"control in text", func(w *Wish) { w.Stay.Text = "a\x00b" }, "stay.text"},
		{"ride no from", func(w *Wish) { w.Stay, w.Ride = nil, testRideWish(); w.Ride.From = nil }, "ride.from"},
		{"ride to out of range", func(w *Wish) { w.Stay, w.Ride = nil, testRideWish(); w.Ride.To = &[2]float64{0, 91} }, "ride.to"},
		{"ride radius", func(w *Wish) { w.Stay, w.Ride = nil, testRideWish(); w.Ride.RadiusKm = -1 }, "ride.radius_km"},
		{"ride no after", func(w *Wish) { w.Stay, w.Ride = nil, testRideWish(); w.Ride.DepartAfter = time.Time{} }, "ride.depart_after"},
		{"ride empty window", func(w *Wish) {
			w.Stay, w.Ride = nil, testRideWish()
			w.Ride.DepartBefore = w.Ride.DepartAfter
		}, "ride.depart_before"},
		{"ride long window", func(w *Wish) {
			w.Stay, w.Ride = nil, testRideWish()
			w.Ride.DepartBefore = w.Ride.DepartAfter.Add(40 * 24 * time.Hour)
		}, "ride.depart_before"},
		{"ride seats", func(w *Wish) { w.Stay, w.Ride = nil, testRideWish(); w.Ride.Seats = 9 }, "ride.seats"},
		{"ride currency", func(w *Wish) { w.Stay, w.Ride = nil, testRideWish(); w.Ride.Currency = "XXX1" }, "ride.currency"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := Wish{Stay: testStayWish()}
			c.edit(&w)
			err := w.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("valid wish refused: %v", err)
				}
				return
			}
			var re *RejectError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a refusal of %s", err, c.field)
			}
			if re.Field != c.field {
				t.Fatalf("refused %q (%v), want field %q", re.Field, err, c.field)
			}
		})
	}
}

func TestWishRecord(t *testing.T) {
	id := mustIdentity(t)
	stay, err := id.NewWishRecord(Wish{Stay: testStayWish()}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ride, err := id.NewWishRecord(Wish{Ride: testRideWish()}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{stay, ride} {
		body, err := ValidateDecode(&r, testNow)
		if err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
		w := body.(*Wish)
		if r.ExpiresAt != w.End().UnixMilli() {
			t.Errorf("wish expires %v, want when it is over, %v", r.Expires(), w.End())
		}
		if len(r.Cells) == 0 {
			t.Errorf("wish %s has no cells", r.Body)
		}
	}
	if got, want := stay.Expires().UTC(), time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("stay wish expires %v, want the check-out day %v", got, want)
	}
	// Dropped once over.
	if err := Validate(&stay, time.Date(2026, 12, 4, 0, 0, 1, 0, time.UTC)); ReasonOf(err) != ReasonExpired {
		t.Errorf("after check-out: %v, want expired", err)
	}
	// A record that outlives its wish, or names other cells, is refused.
	long := stay
	long.ExpiresAt += int64(time.Hour / time.Millisecond)
	id.Sign(&long)
	if err := Validate(&long, testNow); ReasonOf(err) != ReasonBadExpiry {
		t.Errorf("wish expiring after its dates: %v, want bad_expiry", err)
	}
	moved := stay
	moved.Cells = []string{"6/0/0"}
	id.Sign(&moved)
	if err := Validate(&moved, testNow); ReasonOf(err) != ReasonBadCells {
		t.Errorf("wish with other cells: %v, want bad_cells", err)
	}
	// Past and huge wishes are not signed.
	past := testStayWish()
	past.From, past.To = "2026-11-01", "2026-11-03"
	if _, err := id.NewWishRecord(Wish{Stay: past}, testNow); err == nil {
		t.Error("a wish for past dates was signed")
	}
	huge := testStayWish()
	huge.Centre, huge.RadiusKm, huge.BBox = nil, 0, &[4]float64{-170, -60, 170, 70}
	if _, err := id.NewWishRecord(Wish{Stay: huge}, testNow); ReasonOf(err) != ReasonBadCells {
		t.Errorf("a wish over the whole world: %v, want bad_cells", err)
	}
}

func TestDecodeWishNamesField(t *testing.T) {
	_, err := DecodeWish([]byte(`{"stay":{"guests":"two"}}`))
	var re *RejectError
	if !errors.As(err, &re) || re.Reason != ReasonBadBody {
		t.Fatalf("got %v, want bad_body", err)
	}
	if want := `field "stay.guests"`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
}

func TestRoomFitsStay(t *testing.T) {
	for _, c := range []struct {
		name    string
		edit    func(*Room)
		blocked []DateRange
		miss    WishMiss
	}{
		{"fits", func(r *Room) {}, nil, ""},
		{"blocked before", func(r *Room) {}, []DateRange{{"2026-11-28", "2026-12-01"}}, ""},
		{"blocked after", func(r *Room) {}, []DateRange{{"2026-12-04", "2026-12-08"}}, ""},
		{"blocked inside", func(r *Room) {}, []DateRange{{"2026-12-02", "2026-12-03"}}, MissDates},
		{"far", func(r *Room) { r.Lat = 52.5 }, nil, MissArea},
		{"small", func(r *Room) { r.MaxGuests = 1 }, nil, MissGuests},
		{"dear", func(r *Room) { r.PricePerNight = 61 }, nil, MissPrice},
		{"at the budget", func(r *Room) { r.PricePerNight = 60 }, nil, ""},
		{"other currency", func(r *Room) { r.Currency = "USD" }, nil, MissCurrency},
		{"no wifi", func(r *Room) { r.Amenities = []string{"kitchen"} }, nil, MissAmenities},
	} {
		t.Run(c.name, func(t *testing.T) {
			room := testRoom() // at 52.37, 4.89 with wifi, 45 EUR, 2 guests
			c.edit(&room)
			ok, miss := RoomFitsStay(testStayWish(), &room, c.blocked)
			if ok != (c.miss == "") || miss != c.miss {
				t.Errorf("fits %v (%q), want %q", ok, miss, c.miss)
			}
		})
	}
}

func TestRideFitsWish(t *testing.T) {
	ride := Ride{
		Title: "Amsterdam to Berlin", Route: [][2]float64{{4.89, 52.37}, {7.0, 52.3}, {13.4, 52.52}},
		DepartAt: testNow.Add(48 * time.Hour), Seats: 3, SeatsLeft: 3, PricePerSeat: 25, Currency: "EUR",
	}
	for _, c := range []struct {
		name string
		edit func(*RideWish, *Ride)
		miss WishMiss
	}{
		{"fits", func(*RideWish, *Ride) {}, ""},
		{"midway", func(w *RideWish, _ *Ride) {
			w.From, w.DepartBefore = &[2]float64{7.0, 52.31}, testNow.Add(52*time.Hour)
		}, ""},
		{"wrong way", func(w *RideWish, _ *Ride) { w.From, w.To = w.To, w.From }, WishMiss(MissDirection)},
		{"elsewhere", func(w *RideWish, _ *Ride) { w.From = &[2]float64{2.35, 48.85} }, WishMiss(MissPickup)},
		{"too late", func(w *RideWish, _ *Ride) {
			w.DepartAfter, w.DepartBefore = testNow.Add(50*time.Hour), testNow.Add(52*time.Hour)
		}, WishMiss(MissTooEarly)},
		{"seats", func(w *RideWish, _ *Ride) { w.Seats = 4 }, WishMiss(MissSeats)},
		{"dear", func(w *RideWish, _ *Ride) { w.MaxPricePerSeat = 20 }, MissPrice},
		{"any price", func(w *RideWish, _ *Ride) { w.MaxPricePerSeat, w.Currency = 0, "" }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, r := testRideWish(), ride
			c.edit(w, &r)
			m, ok, miss := RideFitsWish(w, &r)
			if ok != (c.miss == "") || miss != c.miss {
				t.Errorf("fits %v (%q), want %q", ok, miss, c.miss)
			}
			// The same rules as a rider's search.
			_, searchOK, _ := MatchRide(&r, w.Query())
			if ok && (!searchOK || m.RouteKm == 0) {
				t.Errorf("a fitting ride is not found by the same search: %+v", m)
			}
		})
	}
	room := testRoom()
	if ok, miss := ListingFitsWish(&Wish{Ride: testRideWish()}, &room, nil); ok || miss != MissKind {
		t.Errorf("a room fits a ride wish: %v %q", ok, miss)
	}
}

func TestWishJSONRoundTrip(t *testing.T) {
	w := Wish{Ride: testRideWish()}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeWish(b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Ride.DepartAfter.Equal(w.Ride.DepartAfter) || *got.Ride.To != *w.Ride.To {
		t.Errorf("round trip: %+v, want %+v", got.Ride, w.Ride)
	}
}

func TestDecodeWishOffer(t *testing.T) {
	owner, other := mustIdentity(t), mustIdentity(t)
	room := mustRoom(t, owner)
	wish, err := other.NewWishRecord(Wish{Stay: testStayWish()}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	good := func() WishOffer {
		return WishOffer{WishID: wish.ID, ListingID: room.ID, ListingKind: KindRoom, Title: "Quiet room", TotalPrice: 135, Currency: "EUR", Listing: &room}
	}
	for _, c := range []struct {
		name   string
		edit   func(*WishOffer)
		author string
		field  string // "" when valid
	}{
		{"with the listing", func(*WishOffer) {}, owner.Author(), ""},
		{"without it", func(o *WishOffer) { o.Listing = nil }, owner.Author(), ""},
		{"someone else's listing", func(*WishOffer) {}, other.Author(), "listing"},
		{"bad wish id", func(o *WishOffer) { o.WishID = "w1" }, owner.Author(), "wish_id"},
		{"a profile", func(o *WishOffer) { o.ListingKind, o.Listing = KindProfile, nil }, owner.Author(), "listing_kind"},
		{"no title", func(o *WishOffer) { o.Title = " " }, owner.Author(), "title"},
		{"bad currency", func(o *WishOffer) { o.Currency = "euro" }, owner.Author(), "currency"},
		{"forged listing", func(o *WishOffer) {
			forged := room
			forged.Body = []byte(`{"title":"x"}`)
			o.Listing = &forged
		}, owner.Author(), "listing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := good()
			c.edit(&o)
			got, err := DecodeWishOffer(mustJSON(t, o), c.author)
			if c.field == "" {
				if err != nil || got.ListingID != room.ID {
					t.Fatalf("valid offer: %+v, %v", got, err)
				}
				return
			}
			var re *RejectError
			if !errors.As(err, &re) || re.Field != c.field && !(c.field == "listing" && re.Reason == ReasonBadSignature) {
				t.Fatalf("got %v, want a refusal of %s", err, c.field)
			}
		})
	}
}
