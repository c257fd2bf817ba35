package screens

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/caravan-p2p/caravan/app"
)

func TestPostRideByClickingTheMap(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabPostRide) }) // builds the screen
	p := h.sh.postRide
	day := time.Now().AddDate(0, 0, 3)
	h.ui(func() {
		h.sh.show(tabPostRide)
		if !h.shows("Click the map where you leave from") || !h.shows("The suggested price shows once") {
			t.Errorf("no hints; the form shows:\n%s", h.screenTextLocked())
		}
		// Posting an empty form marks every field.
		test.Tap(p.submit)
		for _, want := range []string{"A ride needs a start and an end", "A title is required", "Required: the day and time you leave",
			"A whole number of seats from 1 to 8", "Required; 0 if the room is free"} {
			if !strings.Contains(h.screenTextLocked(), want) && !(want == "Required; 0 if the room is free" && p.priceMsg.text() != "") {
				t.Errorf("no %q after posting an empty form", want)
			}
		}
		if !p.submit.Disabled() || len(fake.postedRideLog()) != 0 {
			t.Error("an empty form can be posted")
		}

		// Three clicks: start, a stop, the end.
		p.mapv.OnTapped(52.37, 4.89)
		p.mapv.OnTapped(50.94, 6.96)
		p.mapv.OnTapped(52.52, 13.40)
		test.Type(p.title, "Amsterdam to Berlin via Cologne")
		p.date.SetDate(&day)
		test.Type(p.clock, "07:45")
		test.Type(p.seats, "3")
	})
	h.ui(func() {
		pins := p.mapv.Pins()
		if len(pins) != 3 || pins[0].Label != "Start" || pins[1].Label != "Stop 1" || pins[2].Label != "End" {
			t.Errorf("pins %+v", pins)
		}
		if r := p.mapv.Routes(); len(r) != 1 || len(r[0].Points) != 3 {
			t.Errorf("routes %+v", r)
		}
		// The suggestion, with its ceiling, from the cost per km in Settings.
		sp, err := app.SuggestSeatPrice(p.route, app.DefaultCostPerKm, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.suggestMsg.text(), "Suggested "+formatMoney(sp.Suggested, "EUR")+" per seat") ||
			!strings.Contains(p.suggestMsg.text(), "At most "+formatMoney(sp.Max, "EUR")+" per seat") {
			t.Errorf("suggestion %q, want %v", p.suggestMsg.text(), sp)
		}
		// Above the ceiling is refused at the field; the suggestion is one tap.
		test.Type(p.price, "500")
		if !strings.Contains(p.priceMsg.text(), "Rides share costs: at most") {
			t.Errorf("price message %q for a price above the ceiling", p.priceMsg.text())
		}
		test.Tap(p.useSuggest)
		if p.priceMsg.text() != "" || p.submit.Disabled() {
			t.Errorf("after the suggested price: message %q, submit disabled %v", p.priceMsg.text(), p.submit.Disabled())
		}
		// Undo takes the last point away; clicking puts it back.
		test.Tap(p.undo)
		if len(p.route) != 2 || p.mapv.Pins()[1].Label != "End" {
			t.Errorf("after undo: %v", p.route)
		}
		p.mapv.OnTapped(52.52, 13.40)
		test.Tap(p.submit)
	})
	h.eventually("the post", func() bool { return len(fake.postedRideLog()) == 1 && h.shows(ridePostedMessage) })
	got := fake.postedRideLog()[0]
	want := time.Date(day.Year(), day.Month(), day.Day(), 7, 45, 0, 0, time.Local)
	if got.Title != "Amsterdam to Berlin via Cologne" || len(got.Route) != 3 || got.Route[0] != [2]float64{4.89, 52.37} ||
		!got.DepartAt.Equal(want) || got.Seats != 3 || got.SeatsLeft != 3 || got.Currency != "EUR" || got.PricePerSeat <= 0 {
		t.Errorf("posted %+v", got)
	}
	h.ui(func() {
		if len(p.route) != 0 || p.title.Text != "" || p.seats.Text != "" {
			t.Error("the form is not empty after posting")
		}
	})
}

func TestPostRideFromGPX(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "trip.gpx")
	gpx := `<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
<trkpt lat="45.7640" lon="4.8357"></trkpt><trkpt lat="45.9" lon="5.3"></trkpt><trkpt lat="46.2044" lon="6.1432"></trkpt>
</trkseg></trk></gpx>`
	if err := os.WriteFile(good, []byte(gpx), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "notes.gpx")
	if err := os.WriteFile(bad, []byte("not xml at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, newFake())
	h.ui(func() { h.sh.show(tabPostRide) }) // builds the screen
	p := h.sh.postRide
	h.ui(func() {
		h.sh.show(tabPostRide)
		p.importGPXFile(bad)
	})
	h.eventually("the refusal", func() bool {
		return strings.HasPrefix(p.routeMsg.text(), "Couldn't import the GPX file") && len(p.route) == 0
	})
	h.ui(func() { p.importGPXFile(good) })
	h.eventually("the route", func() bool {
		return p.fromGPX && len(p.route) == 3 && strings.Contains(p.routeMsg.text(), "Route from the GPX file")
	})
	h.ui(func() {
		if pins := p.mapv.Pins(); len(pins) != 2 || pins[0].Label != "Start" || pins[1].Label != "End" {
			t.Errorf("pins %+v, want the start and the end of the track", pins)
		}
		lat, lon, _ := p.mapv.Center()
		if math.Abs(lat-46) > 0.3 || math.Abs(lon-5.5) > 0.5 {
			t.Errorf("map at %v, %v, not on the track", lat, lon)
		}
		// A track is not extended by clicks; Clear starts again.
		p.mapv.OnTapped(47, 7)
		if len(p.route) != 3 {
			t.Error("a click changed an imported track")
		}
		test.Tap(p.clearBtn)
		if len(p.route) != 0 || p.fromGPX {
			t.Error("Clear route left the track")
		}
	})
}

func TestPostRideRefused(t *testing.T) {
	fake := newFake()
	fake.postErr = errors.New("disk full")
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabPostRide) }) // builds the screen
	p := h.sh.postRide
	day := time.Now().AddDate(0, 0, 1)
	h.ui(func() {
		h.sh.show(tabPostRide)
		p.mapv.OnTapped(52.37, 4.89)
		p.mapv.OnTapped(52.09, 5.12)
		test.Type(p.title, "Amsterdam to Utrecht")
		p.date.SetDate(&day)
		test.Type(p.clock, "9")
		test.Type(p.seats, "2")
		test.Type(p.price, "2")
		test.Tap(p.submit)
	})
	h.eventually("the failure", func() bool { return h.shows("Couldn't post the ride: disk full") })
	h.ui(func() {
		if p.title.Text != "Amsterdam to Utrecht" || len(p.route) != 2 || p.submit.Disabled() {
			t.Error("the form lost what was entered")
		}
	})
}
