package screens

import (
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// TestPostWishFromRooms: "Post a wish" in Rooms makes the map view the
// wish's area; the dialog asks for dates, guests and a budget, refuses a
// bad budget, and posts; a banner confirms.
func TestPostWishFromRooms(t *testing.T) {
	fake := newFake(listing("a", "Canal house", time.Hour, nil))
	h := newHarness(t, fake)
	h.eventually("the rooms", func() bool { return h.shows("1 room") })
	var view [4]float64
	h.ui(func() {
		h.sh.rooms.mapv.SetCenter(amsterdam[1], amsterdam[0], 12)
		view = boundArray(h.sh.rooms.mapv.Bounds())
		test.Type(h.sh.rooms.search, "canal")
		test.Tap(h.sh.explore.wishBtn)
	})
	var f *wishForm
	h.ui(func() { f = h.sh.explore.wishForm })
	if f == nil {
		t.Fatal("no wish form opened")
	}
	h.ui(func() {
		if !f.stay || f.bbox != view {
			t.Errorf("form for a stay %v in %v, want the map view %v", f.stay, f.bbox, view)
		}
		if !strings.Contains(f.summary.Text, "Owners of rooms in the area of the map") || f.text.Text != "Looking for: canal" {
			t.Errorf("summary %q, note %q", f.summary.Text, f.text.Text)
		}
		f.guests.SetText("3")
		f.maxPrice.SetText("sixty")
		test.Tap(f.postBtn)
		if !f.status.Visible() || !strings.Contains(f.status.Text, "budget") {
			t.Errorf("a bad budget: status %q", f.status.Text)
		}
		f.maxPrice.SetText("60")
		f.currency.SetText("eur")
		test.Tap(f.postBtn)
	})
	h.eventually("the wish posted", func() bool { return len(fake.wishLog().posted) == 1 && h.shows("Wish posted") })
	w := fake.wishLog().posted[0]
	if w.Stay == nil || *w.Stay.BBox != view || w.Stay.Guests != 3 || w.Stay.MaxPricePerNight != 60 || w.Stay.Currency != "EUR" ||
		w.Stay.From != time.Now().AddDate(0, 0, 7).Format(time.DateOnly) || w.Stay.Text != "Looking for: canal" {
		t.Errorf("posted %+v", *w.Stay)
	}
}

// TestPostWishFromRides: in Rides, the form's From, To, day and seats
// become a ride wish; without From and To there is nothing to post yet.
func TestPostWishFromRides(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	h.ui(func() { test.Tap(h.sh.explore.ridesBtn) })
	h.ui(func() { test.Tap(h.sh.explore.wishBtn) })
	h.ui(func() {
		if h.sh.explore.wishForm != nil {
			t.Error("a ride wish form opened with no From and To")
		}
	})
	r := h.sh.rides
	h.pickSuggestion(r.from, "Utrec", "Utrecht, NL")
	h.pickSuggestion(r.to, "Amsterd", "Amsterdam, NL")
	h.ui(func() {
		r.seats.SetText("2")
		test.Tap(h.sh.explore.wishBtn)
	})
	var f *wishForm
	h.ui(func() { f = h.sh.explore.wishForm })
	if f == nil || f.stay {
		t.Fatalf("form %+v, want a ride wish", f)
	}
	h.ui(func() {
		if !strings.Contains(f.summary.Text, "from Utrecht to Amsterdam") || !strings.Contains(f.summary.Text, "2 seats") {
			t.Errorf("summary %q", f.summary.Text)
		}
		test.Tap(f.postBtn)
	})
	h.eventually("the ride wish posted", func() bool { return len(fake.wishLog().posted) == 1 })
	w := fake.wishLog().posted[0].Ride
	if w == nil || math.Abs(w.From[1]-utrecht[1]) > 0.02 || math.Abs(w.To[1]-amsterdam[1]) > 0.02 || w.Seats != 2 ||
		!w.DepartBefore.After(w.DepartAfter) || w.MaxPricePerSeat != 0 || w.Currency != "" {
		t.Errorf("posted ride wish %+v", w)
	}
}

// TestMyWishes: "My wishes" lists the wishes with their offers; Accept
// sends the booking request and the offer then shows accepted; Withdraw
// deletes a wish.
func TestMyWishes(t *testing.T) {
	fake := newFake()
	fake.set(func(f *fakeBackend) {
		st := f.wishState()
		st.mine = []app.MyWish{{
			WishView: app.WishView{ID: "w1", IssuedAt: time.Now(), ExpiresAt: time.Now().Add(96 * time.Hour), Mine: true,
				Wish: app.Wish{Stay: &app.StayWish{Centre: &[2]float64{4.89, 52.37}, RadiusKm: 3, From: "2026-12-01", To: "2026-12-04", Guests: 2, Text: "Quiet, please"}}},
			Offers: []app.OfferView{{ID: "o1", WishID: "w1", ListingID: "room-1", ListingKind: app.KindRoom, Title: "Canal house",
				Owner: "12D3KooWOwnerOwnerOwner", TotalPrice: 135, Currency: "EUR", Note: "Fresh bread"}},
		}}
	})
	h := newHarness(t, fake)
	h.ui(func() { test.Tap(h.sh.explore.myWishesBtn) })
	h.eventually("my wishes", func() bool {
		return h.shows("My wishes") && h.shows("A stay within 3 km") && h.shows("Room offered: Canal house — €135 in all") &&
			h.shows("Fresh bread") && h.shows("Quiet, please") && !h.shows("Only rooms in the map view")
	})
	h.ui(func() {
		btn := findButton(h.sh.explore.wishes.list, "Accept")
		if btn == nil {
			t.Fatal("no Accept button")
		}
		test.Tap(btn)
	})
	h.eventually("the offer accepted", func() bool {
		return len(fake.wishLog().accepted) == 1 && h.shows("Accepted: request sent") && h.shows("Booking request sent")
	})
	h.ui(func() { test.Tap(findButton(h.sh.explore.wishes.list, "Withdraw")) })
	h.eventually("the wish withdrawn", func() bool { return h.shows("You have no wishes yet") })
	if d := fake.wishLog().deleted; len(d) != 1 || d[0] != "w1" {
		t.Errorf("deleted %v, want w1", d)
	}
	// A wish posted meanwhile shows while the view is open; Explore comes back.
	if _, err := fake.PostWish(t.Context(), app.Wish{Stay: &app.StayWish{BBox: &[4]float64{4.8, 52.3, 5, 52.4}, From: "2026-12-10", To: "2026-12-12", Guests: 1}}); err != nil {
		t.Fatal(err)
	}
	h.eventually("the new wish", func() bool { return h.shows("A stay around") && h.shows("No offer yet") })
	h.ui(func() { h.sh.explore.closeWishes() })
	h.eventually("Explore again", func() bool { return h.shows("Only rooms in the map view") && !h.shows("No offer yet") })
}

// findButton is the first visible button under o whose text contains s.
func findButton(o fyne.CanvasObject, s string) *widget.Button {
	var found *widget.Button
	walkVisible(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && found == nil && strings.Contains(b.Text, s) {
			found = b
		}
		return found == nil
	})
	return found
}

// TestShowWishesFor: the wishes one of my listings fits, with Send offer;
// an offer sent marks the wish offered; an unknown listing says so.
func TestShowWishesFor(t *testing.T) {
	fake := newFake()
	fake.set(func(f *fakeBackend) {
		d := 1.5
		f.wishState().fits["ride-1"] = []app.WishFit{{
			WishView: app.WishView{ID: "w9", Author: "12D3KooWRiderRiderRider", ExpiresAt: time.Now().Add(48 * time.Hour),
				Wish: app.Wish{Ride: &app.RideWish{From: &utrecht, To: &amsterdam, DepartAfter: time.Now().Add(24 * time.Hour),
					DepartBefore: time.Now().Add(26 * time.Hour), Seats: 1, Text: "One backpack"}}},
			DetourKm: &d, PickupAt: time.Now().Add(25 * time.Hour),
		}}
	})
	h := newHarness(t, fake)
	var l *listingWishes
	h.ui(func() {
		l = newListingWishes(h.sh, "ride-1")
		l.dlg.Show()
	})
	h.eventually("the fitting wish", func() bool {
		texts := strings.Join(visibleTexts(l.list), "\n")
		return strings.Contains(texts, "A ride from 52.091° N, 5.121° E") && strings.Contains(texts, "detour 1.5 km") &&
			strings.Contains(texts, "One backpack") && findButton(l.list, "Send offer") != nil
	})
	h.ui(func() {
		test.Tap(findButton(l.list, "Send offer"))
		if l.note == nil {
			t.Fatal("no note asked for")
		}
		l.sendOffer("w9", "Leaving from the station")
	})
	h.eventually("the offer sent", func() bool {
		return len(fake.wishLog().offers) == 1 && strings.Contains(strings.Join(visibleTexts(l.list), "\n"), "Offer sent")
	})
	if o := fake.wishLog().offers[0]; o.WishID != "w9" || o.ListingID != "ride-1" || o.Note != "Leaving from the station" {
		t.Errorf("offer %+v", o)
	}
	// A wish arriving from the network shows while the dialog is open.
	fake.set(func(f *fakeBackend) {
		w := f.wishState().fits["ride-1"][0]
		r := *w.Ride
		r.Text = "Two bikes"
		w.ID, w.Offered, w.Ride = "w10", false, &r
		f.wishState().fits["ride-1"] = append(f.wishState().fits["ride-1"], w)
	})
	e := app.Event{Kind: app.RecordsChanged}
	e.Kinds = append(e.Kinds, app.KindWish)
	fake.emit(e)
	h.eventually("the new wish", func() bool {
		texts := strings.Join(visibleTexts(l.list), "\n")
		return strings.Contains(texts, "Two bikes") && strings.Contains(texts, "One backpack")
	})
	h.ui(func() { l.dlg.Hide() })

	var other *listingWishes
	h.ui(func() { other = newListingWishes(h.sh, "nope") })
	h.eventually("the error", func() bool {
		return other.status.Visible() && strings.Contains(other.status.Text, "No room or ride nope")
	})
}
