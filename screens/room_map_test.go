package screens

import (
	"context"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// boundFake is the fake backend with Rooms filtering by q.Bound, as the
// store does.
type boundFake struct{ *fakeBackend }

func (f boundFake) Rooms(ctx context.Context, q app.RoomQuery) ([]app.RoomListing, error) {
	rooms, err := f.fakeBackend.Rooms(ctx, q)
	if err != nil || q.Bound == nil {
		return rooms, err
	}
	b := q.Bound
	var out []app.RoomListing
	for _, r := range rooms {
		if r.Lon >= b[0] && r.Lat >= b[1] && r.Lon <= b[2] && r.Lat <= b[3] {
			out = append(out, r)
		}
	}
	return out, nil
}

// mercator is where lat, lon is on the world at zoom z, in Fyne units.
func mercator(lat, lon float64, z int) (x, y float64) {
	s := mapview.TileSize * math.Exp2(float64(z))
	r := lat * math.Pi / 180
	return (lon + 180) / 360 * s, (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * s
}

func TestPostRoomMapClickFillsCoordinates(t *testing.T) {
	h := newHarness(t, newFake())
	var m *mapview.Map
	var tapAt fyne.Position
	wantLat, wantLon := 52.36, 4.90
	h.ui(func() {
		h.sh.show(tabPostRoom)
		p := h.sh.post
		m = p.where.m
		if s := m.Size(); s.Width < 300 || s.Height < 300 {
			t.Errorf("post map is %v, too small to click on", s)
		}
		if message(p.lat) == "" || !containsAll(message(p.lat), "Click the map") {
			t.Errorf("latitude hint %q does not explain the click", message(p.lat))
		}
		m.SetCenter(52.37, 4.89, 12)
		// Where on the widget 52.36, 4.90 is.
		cx, cy := mercator(52.37, 4.89, 12)
		px, py := mercator(wantLat, wantLon, 12)
		sz := m.Size()
		tapAt = fyne.NewPos(sz.Width/2+float32(px-cx), sz.Height/2+float32(py-cy))
		test.TapAt(m, tapAt)

		lat, err1 := strconv.ParseFloat(p.lat.entry.Text, 64)
		lon, err2 := strconv.ParseFloat(p.lon.entry.Text, 64)
		if err1 != nil || err2 != nil || math.Abs(lat-wantLat) > 1e-4 || math.Abs(lon-wantLon) > 1e-4 {
			t.Errorf("tap filled %q, %q; want about %v, %v", p.lat.entry.Text, p.lon.entry.Text, wantLat, wantLon)
		}
		for _, e := range []string{p.lat.entry.Text, p.lon.entry.Text} {
			if i := len(e) - 1 - indexByte(e, '.'); indexByte(e, '.') >= 0 && i > clickDecimals(12) {
				t.Errorf("coordinate %q has more than %d decimals", e, clickDecimals(12))
			}
		}
		if message(p.lat) != p.lat.hint || message(p.lon) != p.lon.hint {
			t.Errorf("clicked coordinates flagged: %q / %q", message(p.lat), message(p.lon))
		}
		pins := m.Pins()
		if len(pins) != 1 || pins[0].ID != postPinID || math.Abs(pins[0].Lat-lat) > 1e-9 || math.Abs(pins[0].Lon-lon) > 1e-9 {
			t.Errorf("pins after the click: %+v", pins)
		}
		if h := p.where.hint.text(); !containsAll(h, "Pin at 52.360° N, 4.900° E") {
			t.Errorf("map hint %q does not say where the pin is", h)
		}
		if m.Selected() != postPinID {
			t.Errorf("the new room's pin is not highlighted")
		}

		// Typing coordinates moves the pin, and the map follows it out of view.
		p.lat.entry.SetText("48.8566")
		p.lon.entry.SetText("2.3522")
		pins = m.Pins()
		if len(pins) != 1 || pins[0].Lat != 48.8566 || pins[0].Lon != 2.3522 {
			t.Errorf("pins after typing: %+v", pins)
		}
		if !m.Bounds().Contains(orb.Point{2.3522, 48.8566}) {
			t.Errorf("map %v does not show the typed spot", m.Bounds())
		}
		// A coordinate out of range removes the pin rather than misplace it.
		p.lat.entry.SetText("95")
		if pins := m.Pins(); len(pins) != 0 {
			t.Errorf("pins with a bad latitude: %+v", pins)
		}
	})
}

func TestClickDecimals(t *testing.T) {
	for z, want := range map[int]int{2: 2, 5: 2, 9: 3, 12: 4, 14: 5, 18: 5} {
		if got := clickDecimals(z); got != want {
			t.Errorf("clickDecimals(%d) = %d, want %d", z, got, want)
		}
	}
}

func TestPostRoomByClickingTheMap(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	h.ui(func() {
		h.sh.show(tabPostRoom)
		fill(h, validForm().with("lat", "", "lon", ""))
		m := h.sh.post.where.m
		m.SetCenter(51.9225, 4.4792, 14)
		sz := m.Size()
		test.TapAt(m, fyne.NewPos(sz.Width/2, sz.Height/2))
		test.Tap(h.sh.post.submit)
	})
	h.eventually("the post", func() bool { return len(fake.postedRooms()) == 1 })
	r := fake.postedRooms()[0]
	if math.Abs(r.Lat-51.9225) > 1e-4 || math.Abs(r.Lon-4.4792) > 1e-4 {
		t.Errorf("posted at %v, %v; want the map's centre 51.9225, 4.4792", r.Lat, r.Lon)
	}
	h.eventually("the fresh form", func() bool {
		if h.sh.post.lat.entry.Text != "" {
			return false
		}
		// The room posted stays on the map among the user's rooms; the pin
		// of a new room is gone.
		for _, p := range h.sh.post.where.m.Pins() {
			if p.ID == postPinID {
				return false
			}
		}
		return true
	})
}

func TestPostRoomMapStartsAtTheUsersRooms(t *testing.T) {
	fake := newFake(
		listing("a", "Someone's room", time.Hour, func(l *app.RoomListing) { l.Lat, l.Lon = 40.7128, -74.006 }),
		listing("b", "My room", 2*time.Hour, func(l *app.RoomListing) { l.Lat, l.Lon, l.Mine = 45.764, 4.8357, true }),
	)
	h := newHarness(t, fake)
	h.eventually("the rooms", func() bool { return h.shows("2 rooms") })
	h.ui(func() {
		h.sh.show(tabPostRoom)
		lat, lon, z := h.sh.post.where.m.Center()
		if math.Abs(lat-45.764) > 0.01 || math.Abs(lon-4.8357) > 0.01 || z < 8 {
			t.Errorf("post map opens at %v, %v zoom %d; want the user's room in Lyon", lat, lon, z)
		}
		if pins := h.sh.post.where.m.Pins(); len(pins) != 1 || pins[0].Label != "My room" {
			t.Errorf("post map pins %+v, want the user's room only", pins)
		}
	})
}

func TestRoomsFollowTheMap(t *testing.T) {
	fake := newFake(
		listing("ams", "Canal room", time.Hour, nil),
		listing("rtm", "Harbour room", 2*time.Hour, func(l *app.RoomListing) { l.Lat, l.Lon = 51.9225, 4.4792 }),
		listing("nyc", "Loft", 3*time.Hour, func(l *app.RoomListing) { l.Lat, l.Lon = 40.7128, -74.006 }),
	)
	h := newHarnessWith(t, fake, boundFake{fake})
	h.eventually("every room", func() bool { return h.shows("3 rooms") })
	h.ui(func() {
		if h.sh.rooms.inView.Checked {
			t.Errorf("the first load follows the map")
		}
	})
	// Fitting the map to the rooms is no pan: the list stays whole.
	time.Sleep(mapview.DefaultViewChangeDelay + 100*time.Millisecond)
	h.ui(func() {
		if h.sh.rooms.inView.Checked {
			t.Errorf("fitting the map ticked “Only rooms in the map view”")
		}
	})

	// The user zooms on Amsterdam: the list follows.
	var want orb.Bound
	h.ui(func() { h.sh.rooms.mapv.SetCenter(52.37, 4.89, 11) })
	h.eventually("the rooms in the view", func() bool {
		want = h.sh.rooms.mapv.Bounds()
		return h.shows("1 room in this area") && h.sh.rooms.inView.Checked
	})
	qs := fake.queryLog()
	q := qs[len(qs)-1]
	if q.Bound == nil || *q.Bound != [4]float64{want.Min[0], want.Min[1], want.Max[0], want.Max[1]} {
		t.Fatalf("last query bound %v, want the map's %v", q.Bound, want)
	}
	if q.Bound[0] > 4.89 || q.Bound[2] < 4.89 || q.Bound[1] > 52.37 || q.Bound[3] < 52.37 {
		t.Errorf("bound %v is not minLon, minLat, maxLon, maxLat around Amsterdam", *q.Bound)
	}
	// The node is told where the user looks, to follow that area's cells.
	fake.mu.Lock()
	watched := slices.Clone(fake.watched)
	fake.mu.Unlock()
	if len(watched) == 0 || watched[len(watched)-1] != *q.Bound {
		t.Errorf("watched %v, want the map's view %v last", watched, *q.Bound)
	}
	h.ui(func() {
		if pins := h.sh.rooms.mapv.Pins(); len(pins) != 1 || pins[0].ID != "ams" {
			t.Errorf("pins %+v, want the Amsterdam room only", pins)
		}
		if h.shows("Loft") {
			t.Errorf("a room out of view is listed")
		}
		// Nothing over the ocean: the map stays, with a way out.
		h.sh.rooms.mapv.SetCenter(30, -40, 8)
	})
	h.eventually("the empty area", func() bool {
		return h.shows("0 rooms in this area") && h.shows("No rooms in this area.") && h.sh.rooms.mapv.Visible()
	})
	// Unticking lists every room again.
	h.ui(func() { h.sh.rooms.inView.SetChecked(false) })
	h.eventually("every room again", func() bool { return h.shows("3 rooms") && !h.shows("in this area") })
	qs = fake.queryLog()
	if q := qs[len(qs)-1]; q.Bound != nil {
		t.Errorf("unticked, the query is bounded to %v", *q.Bound)
	}
	// Once the user unticked it, moving the map leaves it unticked.
	h.ui(func() { h.sh.rooms.mapv.SetCenter(52.37, 4.89, 12) })
	time.Sleep(mapview.DefaultViewChangeDelay + 100*time.Millisecond)
	h.ui(func() {
		if h.sh.rooms.inView.Checked {
			t.Errorf("moving the map ticked the box the user unticked")
		}
	})
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if indexOf([]string{s}, sub) < 0 {
			return false
		}
	}
	return true
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
