package screens

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

var (
	utrecht   = [2]float64{5.1214, 52.0907}
	amsterdam = [2]float64{4.8952, 52.3702}
	rotterdam = [2]float64{4.4792, 51.9225}
)

func rideMatch(id, title string, route [][2]float64, detour float64, pickupAt time.Time) app.RideMatch {
	return app.RideMatch{
		RideListing: app.RideListing{ID: id, Author: "12D3KooWDriverDriver" + id, Version: 1, IssuedAt: time.Now(),
			Ride: app.Ride{Title: title, Route: route, DepartAt: pickupAt, Seats: 3, SeatsLeft: 2, PricePerSeat: 8, Currency: "EUR"}},
		DetourKm: detour, Pickup: route[0], Dropoff: route[len(route)-1], PickupAt: pickupAt,
		PickupKm: 0, DropoffKm: 35, RouteKm: 35,
	}
}

// pickSuggestion types text into a place search, waits for a suggestion
// containing want and taps it.
func (h *harness) pickSuggestion(ps *placeSearch, text, want string) {
	h.t.Helper()
	h.ui(func() { test.Type(ps.entry, text) })
	var btn *widget.Button
	h.eventually("the suggestion "+want, func() bool {
		for _, o := range ps.suggest.Objects {
			if b := o.(*widget.Button); strings.Contains(b.Text, want) && ps.box.Visible() {
				btn = b
				return true
			}
		}
		return false
	})
	h.ui(func() { test.Tap(btn) })
}

func TestExploreRidesSearchAndMap(t *testing.T) {
	fake := newFake(listing("a", "Canal house", time.Hour, nil))
	tomorrow := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	fake.rides = []app.RideMatch{
		rideMatch("r1", "Utrecht to Amsterdam, morning", [][2]float64{utrecht, {5.0, 52.2}, amsterdam}, 1.2, tomorrow),
		rideMatch("r2", "Rotterdam to Amsterdam via Utrecht", [][2]float64{rotterdam, utrecht, amsterdam}, 0.4, tomorrow.Add(time.Hour)),
	}
	h := newHarness(t, fake)
	h.eventually("the rooms", func() bool { return h.shows("1 room") })

	// The switch shows the rides screen, ready for a search.
	h.ui(func() { test.Tap(h.sh.explore.ridesBtn) })
	h.eventually("the rides screen", func() bool {
		return h.shows("Where are you going?") && !h.shows("Canal house") && h.sh.explore.ridesBtn.Importance == widget.HighImportance
	})

	r := h.sh.rides
	h.pickSuggestion(r.from, "Utrec", "Utrecht, NL")
	h.ui(func() {
		if h.sh.win.Canvas().Focused() != r.to.entry {
			t.Error("picking From did not move on to To")
		}
	})
	h.pickSuggestion(r.to, "Amsterd", "Amsterdam, NL")
	h.ui(func() {
		if r.from.entry.Text != "Utrecht, NL" || r.to.entry.Text != "Amsterdam, NL" {
			t.Errorf("entries %q, %q after picking", r.from.entry.Text, r.to.entry.Text)
		}
		test.Tap(r.searchBtn)
	})
	h.eventually("the results", func() bool {
		return h.shows("2 rides from Utrecht to Amsterdam") && h.shows("Utrecht to Amsterdam, morning") &&
			h.shows("detour 1.2 km") && h.shows("2 of 3 seats left") && h.shows("€8 / seat") &&
			h.shows("Pickup "+tomorrow.Local().Format("Mon 2 Jan 15:04"))
	})
	qs := fake.rideQueryLog()
	q := qs[len(qs)-1]
	if math.Abs(q.Pickup[1]-52.09) > 0.02 || math.Abs(q.Dropoff[1]-52.37) > 0.02 || q.Seats != 1 || q.After.IsZero() || !q.Before.IsZero() {
		t.Errorf("query %+v, want Utrecht → Amsterdam, 1 seat, from now", q)
	}

	// Routes on the map; selecting a ride highlights its route and marks
	// its pickup and drop-off.
	h.ui(func() {
		if n := len(r.mapv.Routes()); n != 2 {
			t.Errorf("%d routes on the map, want 2", n)
		}
		r.list.Select(1)
		if r.mapv.SelectedRoute() != "r2" {
			t.Errorf("selected route %q, want r2", r.mapv.SelectedRoute())
		}
		pins := r.mapv.Pins()
		if len(pins) != 2 || pins[0].ID != pinPickup || pins[1].ID != pinDropoff || pins[0].Lat != rotterdam[1] || pins[1].Lon != amsterdam[0] {
			t.Errorf("pins %+v, want the pickup and the drop-off", pins)
		}
	})

	// Rides arriving from peers re-run the search.
	before := len(fake.rideQueryLog())
	fake.set(func(f *fakeBackend) { f.rides = f.rides[:1] })
	e := app.Event{Kind: app.RecordsChanged}
	e.Kinds = append(e.Kinds, app.KindRide)
	fake.emit(e)
	h.eventually("the search re-run", func() bool { return h.shows("1 ride from Utrecht to Amsterdam") })
	if len(fake.rideQueryLog()) <= before {
		t.Error("no new search after rides arrived")
	}
	h.ui(func() {
		if r.mapv.SelectedRoute() != "" || len(r.mapv.Routes()) != 1 {
			t.Errorf("after r2 left: selected %q, %d routes", r.mapv.SelectedRoute(), len(r.mapv.Routes()))
		}
	})

	// Back to rooms.
	h.ui(func() { test.Tap(h.sh.explore.roomsBtn) })
	h.eventually("the rooms again", func() bool { return h.shows("Canal house") && !h.shows("Where are you going?") })
}

func TestRidesFormErrorsAndCoordinates(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	r := h.sh.rides
	h.ui(func() { test.Tap(h.sh.explore.ridesBtn) })

	// Nothing typed: both places are asked for, next to their fields.
	h.ui(func() { test.Tap(r.searchBtn) })
	h.eventually("the field errors", func() bool {
		return strings.Contains(r.from.msg.text(), "Where do you start?") && strings.Contains(r.to.msg.text(), "Where are you going?")
	})

	cases := []struct {
		name, from, to, seats, early, late string
		fromErr, toErr, seatsErr, timeErr  string
	}{
		{name: "unknown town", from: "Xqzzyville", to: "Amsterdam", seats: "1", fromErr: "Xqzzyville"},
		{name: "bad coordinates", from: "52.09,5.12", to: "95,4", seats: "1", toErr: "latitude"},
		{name: "seats", from: "Utrecht", to: "Amsterdam", seats: "0", seatsErr: "from 1 to 8"},
		{name: "time", from: "Utrecht", to: "Amsterdam", seats: "2", early: "25:00", timeErr: "like 08:30"},
		{name: "window", from: "Utrecht", to: "Amsterdam", seats: "2", early: "10:00", late: "09:00", timeErr: "after the earliest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.ui(func() {
				r.from.clear()
				r.to.clear()
				test.Type(r.from.entry, c.from)
				test.Type(r.to.entry, c.to)
				r.seats.SetText(c.seats)
				r.early.SetText(c.early)
				r.late.SetText(c.late)
				test.Tap(r.searchBtn)
			})
			check := func(n *note, want string) bool {
				return want == "" || strings.Contains(n.text(), want)
			}
			h.eventually("the errors", func() bool {
				return check(r.from.msg, c.fromErr) && check(r.to.msg, c.toErr) && check(r.seatsMsg, c.seatsErr) && check(r.timeMsg, c.timeErr)
			})
		})
	}

	// LAT,LON is taken as it is.
	h.ui(func() {
		r.from.clear()
		r.to.clear()
		test.Type(r.from.entry, "52.09, 5.12")
		test.Type(r.to.entry, "Amsterdam")
		r.seats.SetText("2")
		r.early.SetText("")
		r.late.SetText("")
		test.Tap(r.searchBtn)
	})
	h.eventually("the search", func() bool { return h.shows("No rides match.") })
	qs := fake.rideQueryLog()
	q := qs[len(qs)-1]
	if q.Pickup != [2]float64{5.12, 52.09} || q.Seats != 2 || math.Abs(q.Dropoff[0]-4.89) > 0.02 {
		t.Errorf("query %+v", q)
	}
	h.ui(func() {
		if r.to.entry.Text != "Amsterdam, NL" {
			t.Errorf("To shows %q after the search, want the place resolved", r.to.entry.Text)
		}
	})

	// A backend failure is said above the results.
	fake.set(func(f *fakeBackend) { f.ridesErr = errors.New("disk on fire") })
	h.ui(func() { test.Tap(r.searchBtn) })
	h.eventually("the failure", func() bool { return h.shows("Couldn't search the rides: disk on fire") })
}

func TestRidesTimeWindow(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	r := h.sh.rides
	day := time.Now().AddDate(0, 0, 2)
	h.ui(func() {
		test.Tap(h.sh.explore.ridesBtn)
		test.Type(r.from.entry, "Utrecht")
		test.Type(r.to.entry, "Amsterdam")
		r.date.SetDate(&day)
		r.early.SetText("8")
		r.late.SetText("10:30")
		test.Tap(r.searchBtn)
	})
	h.eventually("the search", func() bool { return len(fake.rideQueryLog()) > 0 && h.shows("No rides match.") })
	q := fake.rideQueryLog()[0]
	midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.Local)
	if !q.After.Equal(midnight.Add(8*time.Hour)) || !q.Before.Equal(midnight.Add(10*time.Hour+30*time.Minute)) {
		t.Errorf("window %v – %v, want 08:00 – 10:30 on %v", q.After, q.Before, midnight)
	}

	// A window already past is refused at the field.
	past := time.Now().AddDate(0, 0, -1)
	h.ui(func() {
		r.date.SetDate(&past)
		test.Tap(r.searchBtn)
	})
	h.eventually("the error", func() bool { return strings.Contains(r.timeMsg.text(), "has passed") })
	if n := len(fake.rideQueryLog()); n != 1 {
		t.Errorf("%d searches, want the past window refused before searching", n)
	}
}

func TestParseClock(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"", -1, false}, {"8", 8 * time.Hour, false}, {"08:30", 8*time.Hour + 30*time.Minute, false},
		{"17.45", 17*time.Hour + 45*time.Minute, false}, {"24", 24 * time.Hour, false},
		{"24:30", 0, true}, {"9:5", 0, true}, {"noon", 0, true}, {"-1", 0, true},
	} {
		got, err := parseClock(c.in)
		if (err != nil) != c.bad || (!c.bad && got != c.want) {
			t.Errorf("parseClock(%q) = %v, %v", c.in, got, err)
		}
	}
}

func TestPlaceSearchFliesTheMap(t *testing.T) {
	fake := newFake(listing("a", "Canal house", time.Hour, nil))
	h := newHarness(t, fake)
	h.eventually("the rooms", func() bool { return h.shows("1 room") })
	ps := h.sh.rooms.place

	h.pickSuggestion(ps, "lyo", "Lyon, FR")
	h.ui(func() {
		lat, lon, z := h.sh.rooms.mapv.Center()
		if math.Abs(lat-45.76) > 0.05 || math.Abs(lon-4.84) > 0.05 || z != 12 {
			t.Errorf("map at %v, %v zoom %d, want Lyon at 12", lat, lon, z)
		}
		if ps.box.Visible() {
			t.Error("suggestions still shown after a pick")
		}
	})
	// The list follows the map there.
	h.eventually("the rooms of Lyon", func() bool {
		qs := fake.queryLog()
		b := qs[len(qs)-1].Bound
		return b != nil && b[0] < 4.84 && b[2] > 4.84 && b[1] < 45.76 && b[3] > 45.76 && h.shows("1 room in this area")
	})

	// The keyboard: Down moves to a suggestion, Enter takes it; Escape
	// closes the list.
	h.ui(func() {
		ps.clear()
		test.Type(ps.entry, "Gene")
	})
	h.eventually("suggestions for Gene", func() bool { return ps.box.Visible() && len(ps.found) > 1 })
	var second app.Place
	h.ui(func() {
		second = ps.found[1]
		ps.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		ps.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		ps.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		lat, lon, _ := h.sh.rooms.mapv.Center()
		if ps.entry.Text != second.Label() || math.Abs(lat-second.Lat) > 1e-6 || math.Abs(lon-second.Lon) > 1e-6 {
			t.Errorf("after Down, Down, Enter: %q, map at %v, %v; want %s", ps.entry.Text, lat, lon, second.Label())
		}
		ps.clear()
		test.Type(ps.entry, "Ber")
	})
	h.eventually("suggestions for Ber", func() bool { return ps.box.Visible() })
	h.ui(func() {
		ps.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if ps.box.Visible() || ps.entry.Text != "Ber" {
			t.Errorf("after Escape: suggestions shown %v, text %q", ps.box.Visible(), ps.entry.Text)
		}
	})

	// Coordinates, on Enter.
	h.ui(func() {
		ps.clear()
		test.Type(ps.entry, "48.8566, 2.3522")
		ps.entry.OnSubmitted(ps.entry.Text)
	})
	h.eventually("Paris", func() bool {
		lat, lon, _ := h.sh.rooms.mapv.Center()
		return math.Abs(lat-48.8566) < 0.001 && math.Abs(lon-2.3522) < 0.001
	})

	// A name that is no town says so under the box, and the map stays.
	h.ui(func() {
		ps.clear()
		test.Type(ps.entry, "Qqqxyz")
	})
	h.eventually("the message", func() bool { return strings.Contains(ps.msg.text(), "No town called “Qqqxyz”") })
}

func TestCoverageText(t *testing.T) {
	now := time.Now()
	ams := app.PointCell(amsterdam)
	st := app.Coverage{Running: true, Sync: []app.CellSync{
		{Cell: ams, Peers: 3, Last: now.Add(-2 * time.Minute)},
		{Cell: "6/0/0", Peers: 9, Last: now},
	}}
	cases := []struct {
		name  string
		st    app.Coverage
		cells []string
		want  string
	}{
		{"synced", st, []string{ams}, "Synced with 3 peers for this area · last catch-up 2 min ago"},
		{"elsewhere", st, []string{"6/1/1"}, "Not caught up with any peer for this area yet"},
		{"running", app.Coverage{Running: true, Sync: []app.CellSync{{Cell: ams, Running: 1}}}, []string{ams}, "Catching up with peers for this area…"},
		{"running again", app.Coverage{Running: true, Sync: []app.CellSync{{Cell: ams, Peers: 1, Last: now, Running: 1}}}, []string{ams},
			"Synced with 1 peer for this area · last catch-up just now · catching up now…"},
		{"offline", app.Coverage{}, []string{ams}, "Not connected to the network: only what this computer already has is shown"},
	}
	for _, c := range cases {
		if got := coverageText(c.st, c.cells, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCoverageLineFollowsTheMap(t *testing.T) {
	fake := newFake(listing("a", "Canal house", time.Hour, nil))
	fake.status = app.Status{Running: true, Sync: []app.CellSync{{Cell: app.PointCell(amsterdam), Peers: 2, Last: time.Now().Add(-3 * time.Minute)}}}
	h := newHarness(t, fake)
	h.eventually("the coverage of Amsterdam", func() bool {
		return h.shows("Synced with 2 peers for this area · last catch-up 3 min ago")
	})
	h.ui(func() { h.sh.rooms.mapv.SetCenter(-33.87, 151.21, 10) }) // Sydney
	h.eventually("the coverage of Sydney", func() bool { return h.shows("Not caught up with any peer for this area yet") })

	// A catch-up that completes shows at once.
	fake.set(func(f *fakeBackend) {
		f.status.Sync = append(f.status.Sync, app.CellSync{Cell: app.PointCell([2]float64{151.21, -33.87}), Peers: 1, Last: time.Now()})
	})
	fake.emit(app.Event{Kind: app.SyncChanged})
	h.eventually("the new coverage", func() bool { return h.shows("Synced with 1 peer for this area · last catch-up just now") })
}
