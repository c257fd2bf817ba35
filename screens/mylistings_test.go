package screens

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// ownRoom and ownRide are listings of the user's, as MyListings gives them.
func ownRoom(id, title string) app.MyListing {
	r := app.Room{Title: title, Description: "Second floor.", Lat: 52.3702, Lon: 4.8952, PricePerNight: 45,
		Currency: "EUR", MaxGuests: 2, Amenities: []string{"wifi", "sauna"}, InstantBook: true}
	return app.MyListing{ID: id, Kind: app.KindRoom, Title: title, State: app.StateActive, Version: 1,
		IssuedAt: time.Now(), ExpiresAt: time.Now().Add(59 * 24 * time.Hour), Bookings: 1, Room: &r}
}

func ownRide(id, title string) app.MyListing {
	r := app.Ride{Title: title, Route: [][2]float64{{4.89, 52.37}, {5.12, 52.09}}, DepartAt: time.Now().Add(72 * time.Hour).Truncate(time.Minute),
		Seats: 3, SeatsLeft: 2, PricePerSeat: 1, Currency: "EUR"}
	return app.MyListing{ID: id, Kind: app.KindRide, Title: title, State: app.StatePaused, Version: 2,
		IssuedAt: time.Now(), ExpiresAt: r.DepartAt.Add(time.Hour), Requests: 1, Ride: &r}
}

// myListings is the My listings screen of the harness's window (call inside ui).
func myListings(h *harness) *myListingsScreen {
	for _, it := range h.sh.tabs.Items {
		if m, ok := it.Content.(*myListingsScreen); ok {
			return m
		}
	}
	h.t.Fatal("no My listings tab")
	return nil
}

// button finds the visible button labelled text under o, nil if none.
func button(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walkVisible(o, func(x fyne.CanvasObject) bool {
		if b, ok := x.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
		return found == nil
	})
	return found
}

// rowButton taps the button labelled text in the row of listing i (call inside ui).
func rowButton(h *harness, i int, text string) *widget.Button {
	m := myListings(h)
	if i >= len(m.rows.Objects) {
		return nil
	}
	return button(m.rows.Objects[i], text)
}

func TestMyListingsActions(t *testing.T) {
	fake := newFake()
	fake.setListings(ownRoom("room-1", "Quiet room by the canal"), ownRide("ride-1", "Utrecht to Amsterdam"))
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabMyListings) })
	h.eventually("both listings", func() bool {
		return h.shows("Quiet room by the canal") && h.shows("Utrecht to Amsterdam") && h.shows("1 booking to come") && h.shows("1 request waiting")
	})
	h.ui(func() {
		if rowButton(h, 1, "Calendar") != nil || rowButton(h, 1, "Renew") != nil {
			t.Error("a ride offers a calendar or a renewal")
		}
		if rowButton(h, 1, "Resume") == nil || rowButton(h, 0, "Pause") == nil {
			t.Fatal("the paused ride offers no Resume, or the active room no Pause")
		}
		test.Tap(rowButton(h, 0, "Wishes"))
	})
	h.eventually("the wishes the room fits", func() bool {
		top := h.sh.win.Canvas().Overlays().Top()
		return top != nil && strings.Contains(strings.Join(visibleTexts(top), "\n"), "Renters whose wish your listing fits")
	})
	h.ui(func() {
		h.sh.win.Canvas().Overlays().Remove(h.sh.win.Canvas().Overlays().Top())
		test.Tap(rowButton(h, 0, "Pause"))
	})
	h.eventually("the room paused", func() bool { return rowButton(h, 0, "Resume") != nil && h.shows("Listing paused") })
	h.ui(func() { test.Tap(rowButton(h, 1, "Resume")) })
	h.eventually("the ride resumed", func() bool { return rowButton(h, 1, "Pause") != nil })
	h.ui(func() { test.Tap(rowButton(h, 0, "Renew")) })
	h.eventually("the room renewed", func() bool {
		b := rowButton(h, 0, "Delete")
		return h.shows("renewed for another 60 days") && b != nil && !b.Disabled()
	})

	fake.owner().mu.Lock()
	fake.owner().fail = &app.InputError{Field: "listing", Detail: "room-1 has 1 accepted booking(s) still to come; cancel them first"}
	fake.owner().mu.Unlock()
	h.ui(func() { test.Tap(rowButton(h, 0, "Delete")) })
	h.ui(func() {
		m := myListings(h)
		if m.confirm == nil {
			t.Fatal("Delete asks nothing")
		}
		test.Tap(button(h.sh.win.Canvas().Overlays().Top(), "Delete"))
	})
	h.eventually("the refusal", func() bool { return h.shows("Room-1 has 1 accepted booking(s) still to come") })
	h.ui(func() { test.Tap(rowButton(h, 1, "Delete")) })
	h.ui(func() { test.Tap(button(h.sh.win.Canvas().Overlays().Top(), "Keep it")) })
	h.ui(func() { test.Tap(rowButton(h, 1, "Delete")) })
	h.ui(func() { test.Tap(button(h.sh.win.Canvas().Overlays().Top(), "Delete")) })
	h.eventually("the ride deleted", func() bool { return !h.shows("Utrecht to Amsterdam") && h.shows("Listing deleted") })

	want := []string{"pause room-1", "resume ride-1", "renew room-1", "delete room-1", "delete ride-1"}
	if got := fake.ownerCalls(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}

// day is the YYYY-MM-DD of the d-th day of the month after this one.
func nextMonthDay(d int) string {
	t := time.Now()
	return time.Date(t.Year(), t.Month()+1, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// tapDay taps a day of a calendar, turning to its month first, with shift
// held when shift is set.
func tapDay(c *calendarPicker, day string, shift bool) {
	g := c.grid
	for g.month.Format("2006-01") != day[:7] {
		if g.month.Format("2006-01") < day[:7] {
			c.turn(1)
		} else {
			c.turn(-1)
		}
	}
	if shift {
		g.MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierShift})
	}
	g.Tapped(&fyne.PointEvent{Position: g.cellPos(day)})
}

func TestMyListingsCalendar(t *testing.T) {
	fake := newFake()
	fake.setListings(ownRoom("room-1", "Quiet room by the canal"))
	fake.owner().calendars["room-1"] = app.ListingCalendar{ListingID: "room-1",
		Blocked: []app.DateRange{{From: nextMonthDay(3), To: nextMonthDay(5)}, {From: nextMonthDay(10), To: nextMonthDay(11)}},
		Booked:  []app.DateRange{{From: nextMonthDay(3), To: nextMonthDay(5)}}}
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabMyListings) })
	h.eventually("the room", func() bool { return rowButton(h, 0, "Calendar") != nil })
	h.ui(func() { test.Tap(rowButton(h, 0, "Calendar")) })
	var g *monthGrid
	h.eventually("the calendar read", func() bool {
		m := myListings(h)
		g = m.cal.grid
		return m.calPanel.Visible() && !g.disabled && g.dayState(nextMonthDay(3)) == "booked"
	})
	h.ui(func() {
		m := myListings(h)
		test.Tap(m.cal.next)
		if !h.shows(time.Date(time.Now().Year(), time.Now().Month()+1, 1, 0, 0, 0, 0, time.UTC).Format("January 2006")) {
			t.Error("next month not shown")
		}
		tapDay(m.cal, nextMonthDay(20), false) // blocks one night
		tapDay(m.cal, nextMonthDay(10), false) // frees the blocked night
		tapDay(m.cal, nextMonthDay(4), false)  // booked: stays
		if !strings.Contains(m.cal.msg.text(), "Booked nights stay blocked") || g.dayState(nextMonthDay(4)) != "booked" {
			t.Errorf("tapping a booked day: %q, state %s", m.cal.msg.text(), g.dayState(nextMonthDay(4)))
		}
		tapDay(m.cal, nextMonthDay(14), false)
		tapDay(m.cal, nextMonthDay(16), true) // 14 to 16 blocked
		// A drag from the 24th to the 26th blocks those nights: two moves,
		// each at the pointer's position with the distance since the last,
		// as the desktop driver sends them (test.Drag sends the start only).
		a, b := g.cellPos(nextMonthDay(24)), g.cellPos(nextMonthDay(26))
		mid := fyne.NewPos(a.X+5, a.Y)
		g.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: mid}, Dragged: fyne.NewDelta(5, 0)})
		g.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: b}, Dragged: fyne.NewDelta(b.X-mid.X, b.Y-mid.Y)})
		g.DragEnd()
		test.Tap(m.calSave)
	})
	want := []app.DateRange{{From: nextMonthDay(3), To: nextMonthDay(5)}, {From: nextMonthDay(14), To: nextMonthDay(17)},
		{From: nextMonthDay(20), To: nextMonthDay(21)}, {From: nextMonthDay(24), To: nextMonthDay(27)}}
	h.eventually("the calendar saved", func() bool { return h.shows("Calendar saved") })
	if got := fake.calendarOf("room-1").Blocked; !slices.Equal(got, want) {
		t.Errorf("saved %v, want %v", got, want)
	}
	h.ui(func() {
		tapDay(myListings(h).cal, nextMonthDay(3), true) // saved: no first day to range from, so the booked 3rd alone, which keeps
		if g.dayState(nextMonthDay(3)) != "booked" || g.dayState(nextMonthDay(12)) != "free" {
			t.Errorf("a shift range over booked days: 3rd %s, 12th %s", g.dayState(nextMonthDay(3)), g.dayState(nextMonthDay(12)))
		}
		test.Tap(myListings(h).calClose)
		if myListings(h).calPanel.Visible() {
			t.Error("Close leaves the calendar open")
		}
	})
}

func TestEditRoomFromMyListings(t *testing.T) {
	fake := newFake()
	room := ownRoom("room-1", "Quiet room by the canal")
	photo := strings.Repeat("ab", 32)
	room.Room.Photos = []string{photo}
	fake.set(func(f *fakeBackend) { f.photos = map[string][]byte{photo: testJPEG()} })
	fake.setListings(room)
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabMyListings) })
	h.eventually("the room", func() bool { return rowButton(h, 0, "Edit") != nil })
	h.ui(func() { test.Tap(rowButton(h, 0, "Edit")) })
	h.ui(func() {
		p := h.sh.post
		if h.sh.current() != tabPostRoom || p.title.entry.Text != room.Title || p.heading.Text != "Edit room" || p.submit.Text != "Save changes" {
			t.Fatalf("the edit form: tab %q, title %q, heading %q, button %q", h.sh.current(), p.title.entry.Text, p.heading.Text, p.submit.Text)
		}
		if p.amenities.entry.Text != "sauna" || !p.checks[0].Checked {
			t.Errorf("amenities: others %q, Wi-Fi ticked %v", p.amenities.entry.Text, p.checks[0].Checked)
		}
		p.title.entry.SetText("")
		test.Type(p.title.entry, "Quiet room by the canal, repainted")
	})
	h.eventually("the calendar read", func() bool { return h.sh.post.calLoaded })
	h.ui(func() {
		tapDay(h.sh.post.cal, nextMonthDay(8), false)
		test.Tap(h.sh.post.submit)
	})
	h.eventually("back on My listings", func() bool {
		return h.sh.current() == tabMyListings && h.shows(roomSavedMessage) && h.shows("Quiet room by the canal, repainted")
	})
	if got := fake.ownerCalls(); !slices.Equal(got, []string{"update-room room-1", "calendar room-1"}) {
		t.Fatalf("calls %v", got)
	}
	ls, _ := fake.MyListings(t.Context())
	got := ls[0].Room
	if got.Lat != room.Room.Lat || got.Lon != room.Room.Lon || !got.InstantBook || !slices.Equal(got.Amenities, []string{"wifi", "sauna"}) ||
		!slices.Equal(got.Photos, []string{photo}) {
		t.Errorf("saved room %+v; want the pin, instant book, amenities and photo kept", got)
	}
	if cal := fake.calendarOf("room-1").Blocked; !slices.Equal(cal, []app.DateRange{{From: nextMonthDay(8), To: nextMonthDay(9)}}) {
		t.Errorf("blocked days saved %v", cal)
	}
	h.ui(func() {
		if h.sh.post.editing != nil || h.sh.post.heading.Text != "Post a room" || h.sh.post.title.entry.Text != "" {
			t.Error("the form stays in edit mode after saving")
		}
	})
}

func TestEditRideFromMyListings(t *testing.T) {
	fake := newFake()
	ride := ownRide("ride-1", "Utrecht to Amsterdam")
	fake.setListings(ride)
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabMyListings) })
	h.eventually("the ride", func() bool { return rowButton(h, 0, "Edit") != nil })
	h.ui(func() { test.Tap(rowButton(h, 0, "Edit")) })
	h.ui(func() {
		p := h.sh.postRide
		if h.sh.current() != tabPostRide || p.title.Text != ride.Title || p.seats.Text != "3" || len(p.route) != 2 {
			t.Fatalf("the edit form: tab %q, title %q, seats %q, route %v", h.sh.current(), p.title.Text, p.seats.Text, p.route)
		}
		p.seats.SetText("4")
		test.Tap(p.submit)
	})
	h.eventually("back on My listings", func() bool { return h.sh.current() == tabMyListings && h.shows(rideSavedMessage) })
	ls, _ := fake.MyListings(t.Context())
	if got := ls[0].Ride; got.Seats != 4 || !got.DepartAt.Equal(ride.Ride.DepartAt) {
		t.Errorf("saved ride %+v", got)
	}
	// Cancel edit leaves the form empty.
	h.ui(func() { test.Tap(rowButton(h, 0, "Edit")) })
	h.ui(func() {
		test.Tap(h.sh.postRide.cancelEdit)
		if h.sh.postRide.editing != nil || h.sh.postRide.title.Text != "" || h.sh.current() != tabMyListings {
			t.Error("Cancel edit left the ride in the form")
		}
	})
}

// TestPostRoomWithBlockedDays: nights blocked on the form's calendar are
// published with the new room.
func TestPostRoomWithBlockedDays(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	h.ui(func() {
		h.sh.show(tabPostRoom)
		fill(h, validForm())
		tapDay(h.sh.post.cal, nextMonthDay(5), false)
		tapDay(h.sh.post.cal, nextMonthDay(7), true)
		test.Tap(h.sh.post.submit)
	})
	h.eventually("the room posted", func() bool { return h.shows(postedMessage) })
	if got := fake.calendarOf("posted-1").Blocked; !slices.Equal(got, []app.DateRange{{From: nextMonthDay(5), To: nextMonthDay(8)}}) {
		t.Errorf("blocked days %v", got)
	}
	h.ui(func() {
		if len(h.sh.post.cal.ranges()) != 0 {
			t.Error("the calendar keeps the nights for the next room")
		}
	})
}
