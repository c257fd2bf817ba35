package screens

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/caravan-p2p/caravan/app"
)

// photoImages counts the photos drawn on the listing page.
func photoImages(lp *listingPage) int {
	n := 0
	walkVisible(lp.photos, func(o fyne.CanvasObject) bool {
		if _, ok := o.(*canvas.Image); ok {
			n++
		}
		return true
	})
	return n
}

func TestListingPage(t *testing.T) {
	have := strings.Repeat("ab", 32)
	missing := strings.Repeat("cd", 32)
	fake := newFake(
		listing("a", "Canal house", time.Hour, func(l *app.RoomListing) {
			l.Description = "Bright room overlooking the water."
			l.Amenities = []string{"wifi", "sauna"}
			l.Photos = []string{have, missing}
			l.PricePerNight, l.MaxGuests = 60, 3
		}),
		listing("b", "Bare room", 2*time.Hour, func(l *app.RoomListing) { l.Description, l.Amenities = "", nil }),
	)
	gate := make(chan struct{})
	fake.photos = map[string][]byte{have: testJPEG()}
	fake.photoGate = gate
	h := newHarness(t, fake)
	h.eventually("the rooms", func() bool { return h.shows("2 rooms") })

	// Tapping a row opens the room's page; its photos load with a
	// placeholder meanwhile.
	h.ui(func() { h.sh.rooms.list.Select(0) })
	lp := h.sh.explore.page
	h.eventually("the page", func() bool {
		return lp.content.Visible() && !h.sh.explore.main.Visible() &&
			h.shows("Back to results") && h.shows("Canal house") && h.shows("€60 / night") &&
			h.shows("Up to 3 guests") && h.shows("Wi-Fi · Sauna") && h.shows("overlooking the water") &&
			h.shows("Hosted by 12D3Koo…eera") && h.shows("52.370° N, 4.895° E") &&
			h.shows("Cancellation: flexible") && h.shows("Choose the check-in and check-out days.")
	})
	h.ui(func() {
		if c := strings.Count(h.screenTextLocked(), "Loading photo…"); c != 2 {
			t.Errorf("%d placeholders, want 2", c)
		}
		if photoImages(lp) != 0 {
			t.Error("a photo shows before it loaded")
		}
		if p := lp.mapv.Pins(); len(p) != 1 || p[0].ID != "a" || lp.mapv.Selected() != "a" {
			t.Errorf("map snippet pins %+v", p)
		}
	})
	close(gate)
	h.eventually("the photo and the missing one", func() bool {
		return photoImages(lp) == 1 && h.shows("Photo not available") && !h.shows("Loading photo…")
	})

	// Back to the list; tapping the same row opens the page again.
	h.ui(func() { h.sh.explore.closePage() })
	h.eventually("the list", func() bool { return h.sh.explore.main.Visible() && !lp.content.Visible() && h.shows("Bare room") })
	h.ui(func() {
		var row *roomRow
		walkVisible(h.sh.rooms.list, func(o fyne.CanvasObject) bool {
			if r, ok := o.(*roomRow); ok && r.title.Text == "Canal house" {
				row = r
			}
			return true
		})
		if row == nil {
			t.Fatal("no row for Canal house")
		}
		test.Tap(row)
		if !lp.content.Visible() || lp.room.ID != "a" {
			t.Error("tapping the selected row again did not open its page")
		}
		h.sh.explore.closePage()
	})
	h.ui(func() {
		h.sh.rooms.programmatic = true // as a pin tap selects
		h.sh.rooms.list.Select(1)
		h.sh.rooms.programmatic = false
	})
	h.eventually("the card", func() bool { return h.shows("Open listing page") && !lp.content.Visible() })
	h.ui(func() { test.Tap(h.sh.rooms.detail.open) })
	h.eventually("the bare room's page", func() bool {
		return lp.content.Visible() && h.shows("No photos of this room.") && h.shows("The host wrote no description.") &&
			h.shows("No amenities listed.")
	})
}

// screenTextLocked is screenText for a caller already inside ui.
func (h *harness) screenTextLocked() string {
	return strings.Join(visibleTexts(h.sh.win.Canvas().Content()), "\n")
}

// overlayShows reports whether the dialog on top shows s (call it inside ui).
func (h *harness) overlayShows(s string) bool {
	top := h.sh.win.Canvas().Overlays().Top()
	return top != nil && indexOf(visibleTexts(top), s) >= 0
}

// day is a YYYY-MM-DD day d days from today, as a date entry holds it.
func day(d int) *time.Time {
	t, _ := time.Parse(app.DateLayout, time.Now().AddDate(0, 0, d).Format(app.DateLayout))
	return &t
}

func TestListingBookRoom(t *testing.T) {
	fake := newBookingFake(
		listing("a", "Canal house", time.Hour, func(l *app.RoomListing) {
			l.Author, l.PricePerNight, l.MaxGuests, l.Policy, l.InstantBook = hostID, 60, 3, app.PolicyModerate, true
		}),
		listing("m", "My own room", 2*time.Hour, func(l *app.RoomListing) { l.Mine = true }),
	)
	fake.titles["a"] = "Canal house"
	fake.reps[hostID] = app.Reputation{Peer: hostID, Rating: 4.5, Count: 2, AsOwner: 2, LastYear: 2, Categories: map[string]float64{"cleanliness": 4.8, "value": 4}}
	fake.reviews = []app.Review{{ID: "v1", Author: guestID, Subject: hostID, AuthorRole: app.RoleRenter, ListingKind: app.KindRoom,
		Stars: 5, Categories: map[string]int{"cleanliness": 5}, Text: "Spotless and quiet.", IssuedAt: time.Now()}}
	h := newHarnessWith(t, fake.fakeBackend, fake)
	h.eventually("the rooms", func() bool { return h.shows("2 rooms") })
	h.ui(func() { h.sh.explore.openRoom("a") })
	bf := h.sh.explore.page.book
	h.eventually("the Book section and the host's reputation", func() bool {
		return h.shows("Cancellation: moderate — full refund until 5 days before") && h.shows("Instant book: the owner's app accepts") &&
			h.shows("★ 4.5 · 2 reviews") && h.shows("Cleanliness 4.8 · Value 4.0")
	})

	// Book with nothing chosen says what is missing, and sends nothing.
	h.ui(func() { test.Tap(bf.submit) })
	h.eventually("the missing dates", func() bool { return bf.status.Visible() && bf.status.Text == "Choose the check-in and check-out days." })

	// Dates, too many guests, then a fitting number: the total follows.
	h.ui(func() {
		bf.from.SetDate(day(10))
		bf.to.SetDate(day(13))
		bf.guests.SetText("")
		test.Type(bf.guests, "4")
	})
	h.eventually("the guest limit", func() bool { return h.shows("The room takes at most 3 guests.") })
	h.ui(func() {
		bf.guests.SetText("")
		test.Type(bf.guests, "2")
		test.Type(bf.noteEntry, "Two of us, arriving by train.")
	})
	h.eventually("the total", func() bool { return h.shows("Total €180 for 3 nights, 2 guests") })

	// The owner's refusal comes back in words.
	fake.with(func(f *bookingFake) {
		f.bookErr = &app.InputError{Field: "listing", Detail: "the dates are already booked"}
	})
	h.ui(func() { test.Tap(bf.submit) })
	h.eventually("the refusal", func() bool {
		return bf.status.Text == "Not sent: The dates are already booked" && !bf.submit.Disabled()
	})

	fake.with(func(f *bookingFake) { f.bookErr = nil })
	h.ui(func() { test.Tap(bf.submit) })
	h.eventually("the request sent", func() bool {
		return strings.HasPrefix(bf.status.Text, "Request sent: €180.") && bf.openTrips.Visible() && h.shows("Booking request sent") &&
			bf.submit.Disabled()
	})
	// Changing what is asked allows another request.
	h.ui(func() { test.Type(bf.noteEntry, " Thanks!") })
	h.eventually("Book enabled again", func() bool { return !bf.submit.Disabled() })
	fake.with(func(f *bookingFake) {
		in := f.booked[len(f.booked)-1]
		want := app.BookingInput{ListingID: "a", From: day(10).Format(app.DateLayout), To: day(13).Format(app.DateLayout), Guests: 2, Note: "Two of us, arriving by train."}
		if in.ListingID != want.ListingID || in.From != want.From || in.To != want.To || in.Guests != 2 || in.Note != want.Note || in.Seats != 0 {
			t.Errorf("booked %+v, want %+v", in, want)
		}
	})
	// The new request is in Trips.
	h.ui(func() { test.Tap(bf.openTrips) })
	h.eventually("the trip", func() bool {
		return h.sh.current() == tabTrips && len(h.sh.trips.renter) == 1 && h.shows("Canal house") && h.shows("Requested · waiting")
	})

	// The host's profile: name, languages, reputation and the reviews of
	// them, and the node asked to catch up what others know of the host.
	host := ""
	h.ui(func() { host = h.sh.explore.page.author() })
	fake.setProfiles(func(p *fakeProfiles) {
		p.profiles[host] = app.PersonProfile{Peer: host, Found: true, Profile: app.Profile{Name: "Marijke", Languages: []string{"Nederlands", "English"}}}
	})
	h.ui(func() { h.sh.show(tabRooms); showPerson(h.sh, host) })
	h.eventually("the person view", func() bool {
		return h.overlayShows("★ 4.5 · 2 reviews") && h.overlayShows("Spotless and quiet.") && h.overlayShows("2 as host or driver") &&
			h.overlayShows("Marijke") && h.overlayShows("Speaks Nederlands, English")
	})
	fake.setProfiles(func(p *fakeProfiles) {
		if !slices.Contains(p.followed, host) {
			t.Errorf("the person view did not follow %s: %v", host, p.followed)
		}
	})
	h.ui(func() { h.sh.person.dlg.Hide() })

	// One's own room cannot be booked.
	h.ui(func() { h.sh.explore.closePage(); h.sh.explore.openRoom("m") })
	h.eventually("the own room", func() bool {
		return h.shows("This is your own listing") && bf.submit.Disabled()
	})
}

func TestListingBookRide(t *testing.T) {
	fake := newBookingFake()
	tomorrow := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	m := rideMatch("r1", "Utrecht to Amsterdam", [][2]float64{utrecht, {5.0, 52.2}, amsterdam}, 1.2, tomorrow)
	m.Policy = app.PolicyStrict
	fake.rides = []app.RideMatch{m}
	h := newHarnessWith(t, fake.fakeBackend, fake)
	r := h.sh.rides
	q := app.RideQuery{Pickup: [2]float64{5.01, 52.19}, Dropoff: amsterdam, Seats: 1}

	// A ride selected in the results offers itself for booking at the
	// bottom of the window; the bar goes with the rooms.
	h.ui(func() {
		test.Tap(h.sh.explore.ridesBtn)
		r.applySearch(q, fake.rides, nil)
		r.list.Select(0)
	})
	h.eventually("the ride bar", func() bool {
		return h.sh.rideBar.content.Visible() && h.shows("Book this ride…") && h.shows("2 seats left")
	})
	h.ui(func() { test.Tap(h.sh.explore.roomsBtn) })
	h.eventually("no ride bar over rooms", func() bool { return !h.sh.rideBar.content.Visible() })
	h.ui(func() { test.Tap(h.sh.explore.ridesBtn) })
	h.eventually("the ride bar again", func() bool { return h.sh.rideBar.content.Visible() })

	h.ui(func() { test.Tap(h.sh.rideBar.book) })
	bf := h.sh.explore.page.book
	h.eventually("the ride's page", func() bool {
		return h.sh.explore.page.content.Visible() && !h.sh.rideBar.content.Visible() &&
			h.shows("Cancellation: strict") && h.shows("Pickup 52.190° N, 5.010° E") && h.shows("Total €8 for 1 seat") &&
			!h.shows("Check-in")
	})
	h.ui(func() {
		bf.seats.SetText("")
		test.Type(bf.seats, "3")
	})
	h.eventually("the seat limit", func() bool { return h.shows("Only 2 seats are left.") })
	h.ui(func() {
		bf.seats.SetText("")
		test.Type(bf.seats, "2")
	})
	h.eventually("the ride total", func() bool { return h.shows("Total €16 for 2 seats") })
	h.ui(func() { test.Tap(bf.submit) })
	h.eventually("the request", func() bool { return strings.HasPrefix(bf.status.Text, "Request sent: €16.") })
	fake.with(func(f *bookingFake) {
		in := f.booked[0]
		if in.ListingID != "r1" || in.Seats != 2 || in.Pickup == nil || *in.Pickup != q.Pickup || *in.Dropoff != q.Dropoff {
			t.Errorf("booked %+v, want 2 seats from the places searched", in)
		}
	})
	// Back to the results: the bar is there again.
	h.ui(func() { h.sh.explore.page.onBack() })
	h.eventually("the results and the bar", func() bool { return h.sh.explore.main.Visible() && h.sh.rideBar.content.Visible() })
}
