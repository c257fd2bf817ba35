package screens

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/caravan-p2p/caravan/app"
	"github.com/paulmach/orb"
)

var t0 = time.Now().Add(-48 * time.Hour)

func listing(id, title string, age time.Duration, mod func(*app.RoomListing)) app.RoomListing {
	l := app.RoomListing{
		ID: id, Author: "12D3KooWPeerPeerPeer" + id, Version: 1, IssuedAt: time.Now().Add(-age),
		Room: app.Room{
			Title: title, Description: "A room called " + title, Lat: 52.3702, Lon: 4.8952,
			PricePerNight: 45, Currency: "EUR", MaxGuests: 2, Amenities: []string{"wifi", "kitchen"},
		},
	}
	if mod != nil {
		mod(&l)
	}
	return l
}

func TestRoomsListNewestFirstWithDetails(t *testing.T) {
	// Stored out of order; each row must show these texts.
	rooms := []struct {
		l    app.RoomListing
		want []string
	}{
		{listing("b", "Middle room", 2*time.Hour, func(l *app.RoomListing) {
			l.Lat, l.Lon, l.Currency, l.PricePerNight, l.MaxGuests = -33.8688, 151.2093, "SEK", 450.5, 1
			l.Amenities = nil
		}), []string{"Middle room", "450.50 SEK / night", "up to 1 guest", "33.869° S, 151.209° E", "No amenities listed"}},
		{listing("a", "Oldest room", 5*time.Hour, func(l *app.RoomListing) {
			l.Lat, l.Lon, l.Currency, l.PricePerNight = 40.7128, -74.006, "USD", 1200
		}), []string{"Oldest room", "$1,200 / night", "40.713° N, 74.006° W"}},
		{listing("c", "Newest room", time.Minute, func(l *app.RoomListing) {
			l.Mine = true
			l.Amenities = []string{"wifi", "sauna"}
		}), []string{"Newest room", "€45 / night", "up to 2 guests", "52.370° N, 4.895° E", "Wi-Fi · Sauna", "Yours"}},
	}
	fake := newFake()
	for _, r := range rooms {
		fake.rooms = append(fake.rooms, r.l)
	}
	h := newHarness(t, fake)
	h.eventually("the count", func() bool { return h.shows("3 rooms") })

	texts := strings.Split(h.screenText(), "\n")
	for _, r := range rooms {
		for _, w := range r.want {
			if indexOf(texts, w) < 0 {
				t.Errorf("row %q: %q not shown; the window shows:\n%s", r.l.Title, w, strings.Join(texts, "\n"))
			}
		}
	}
	n, m, o := indexOf(texts, "Newest room"), indexOf(texts, "Middle room"), indexOf(texts, "Oldest room")
	if !(n < m && m < o) {
		t.Errorf("rows not newest first: newest at %d, middle at %d, oldest at %d", n, m, o)
	}
	if c := strings.Count(strings.Join(texts, "\n"), "Yours"); c != 1 {
		t.Errorf("%d rows marked Yours, want 1", c)
	}
	if q := fake.queryLog(); len(q) == 0 || q[0].Text != "" || q[0].Bound != nil {
		t.Errorf("first query %+v, want every room", q)
	}
}

func TestRoomsUpdateLive(t *testing.T) {
	fake := newFake(listing("a", "First room", time.Hour, nil))
	h := newHarness(t, fake)
	h.eventually("the first room", func() bool { return h.shows("1 room") && h.shows("First room") })

	fake.add(listing("b", "Room from a peer", 0, nil))
	h.eventually("the new room without user action", func() bool {
		return h.shows("2 rooms") && h.shows("Room from a peer")
	})
	texts := strings.Split(h.screenText(), "\n")
	if indexOf(texts, "Room from a peer") > indexOf(texts, "First room") {
		t.Error("the new room is not listed first")
	}

	// A burst of events makes a few loads, not one per event.
	before := len(fake.queryLog())
	for i := range 100 {
		fake.add(listing(fmt.Sprint("burst", i), fmt.Sprint("Burst room ", i), 0, nil))
	}
	h.eventually("the burst", func() bool { return h.shows("102 rooms") })
	time.Sleep(2 * reloadGap) // let a trailing load, if any, start
	if loads := len(fake.queryLog()) - before; loads > 5 {
		t.Errorf("%d loads for a burst of 100 events, want a few", loads)
	}

	// Events about other kinds are not reloads.
	before = len(fake.queryLog())
	fake.emit(app.Event{Kind: app.PeersChanged})
	fake.emit(app.Event{Kind: app.RecordsChanged})
	time.Sleep(3 * reloadGap)
	if n := len(fake.queryLog()) - before; n != 0 {
		t.Errorf("%d loads for events not about rooms", n)
	}
}

func TestRoomsSearch(t *testing.T) {
	fake := newFake(
		listing("a", "Canal house", time.Hour, nil),
		listing("b", "Mountain hut", 2*time.Hour, func(l *app.RoomListing) { l.Amenities = []string{"sauna"} }),
		listing("c", "Beach flat", 3*time.Hour, nil),
	)
	h := newHarness(t, fake)
	h.eventually("every room", func() bool { return h.shows("3 rooms") })

	tests := []struct {
		typed     string
		wantCount string
		want      []string
		notWant   []string
	}{
		{"canal", "1 room matches “canal”", []string{"Canal house"}, []string{"Mountain hut", "Beach flat"}},
		{"sauna", "1 room matches “sauna”", []string{"Mountain hut"}, []string{"Canal house"}},
		{"zzz", "0 rooms match “zzz”", []string{"No rooms match “zzz”."}, []string{"Canal house"}},
		{"", "3 rooms", []string{"Canal house", "Mountain hut", "Beach flat"}, nil},
	}
	for _, tt := range tests {
		t.Run("q="+tt.typed, func(t *testing.T) {
			before := len(fake.queryLog())
			h.ui(func() {
				h.sh.rooms.search.SetText("")
				test.Type(h.sh.rooms.search, tt.typed)
			})
			h.eventually(tt.wantCount, func() bool { return h.shows(tt.wantCount) })
			texts := h.screenText()
			for _, w := range tt.want {
				if !strings.Contains(texts, w) {
					t.Errorf("%q not shown", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(texts, w) {
					t.Errorf("%q shown, but it does not match", w)
				}
			}
			qs := fake.queryLog()[before:]
			if last := qs[len(qs)-1]; last.Text != tt.typed {
				t.Errorf("last query text %q, want %q", last.Text, tt.typed)
			}
			for _, q := range qs {
				if q.Text != tt.typed {
					t.Errorf("query for %q while typing: the search should wait for a pause", q.Text)
				}
			}
		})
	}
}

func TestRoomsEmptyStates(t *testing.T) {
	tests := []struct {
		name   string
		rooms  []app.RoomListing
		typed  string
		want   []string
		button string
		after  func(h *harness) bool
	}{
		{
			name: "no rooms", want: []string{"No rooms yet.", "Rooms posted by peers on your network appear here as they arrive."},
			button: "Post a room",
			after:  func(h *harness) bool { return h.sh.current() == tabPostRoom },
		},
		{
			name: "no match", rooms: []app.RoomListing{listing("a", "Canal house", 0, nil)}, typed: "zzz",
			want: []string{"No rooms match “zzz”.", "clear the search"}, button: "Clear search",
			after: func(h *harness) bool { return h.sh.rooms.search.Text == "" && h.shows("Canal house") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, newFake(tt.rooms...))
			if tt.typed != "" {
				h.eventually("the rooms", func() bool { return h.shows("1 room") })
				h.ui(func() { test.Type(h.sh.rooms.search, tt.typed) })
			}
			h.eventually(tt.want[0], func() bool { return h.shows(tt.want[0]) })
			for _, w := range tt.want[1:] {
				h.ui(func() {
					if !h.shows(w) {
						t.Errorf("%q not shown", w)
					}
				})
			}
			h.ui(func() {
				// The map stays beside the state, to be moved or searched.
				if !rendered(h.sh.win.Canvas().Content(), h.sh.rooms.mapv) || !h.shows("© OpenStreetMap contributors") {
					t.Error("the map is not shown beside the state")
				}
				if !h.sh.rooms.stateBtn.Visible() || h.sh.rooms.stateBtn.Text != tt.button {
					t.Fatalf("button %q (visible %v), want %q", h.sh.rooms.stateBtn.Text, h.sh.rooms.stateBtn.Visible(), tt.button)
				}
				test.Tap(h.sh.rooms.stateBtn)
			})
			h.eventually("the button's effect", func() bool { return tt.after(h) })
		})
	}
}

func TestRoomsMapAndWindowKeptBetweenRuns(t *testing.T) {
	fake := newFake(listing("a", "Canal house", 0, nil))
	a := test.NewTempApp(t)
	h := newHarnessOn(t, fake, fake, a)
	h.eventually("the rooms", func() bool { return h.shows("Canal house") })
	// The map fits the rooms by itself: that view is not the user's to keep.
	h.eventually("the fitted view reported", func() bool { return len(fake.watchLog()) > 0 })
	if v := a.Preferences().FloatList(prefMapView); len(v) != 0 {
		t.Fatalf("a view the user did not place was kept: %v", v)
	}
	// The user goes to Lyon; that view is kept.
	h.ui(func() { h.sh.rooms.mapv.SetCenter(45.76, 4.84, 12) })
	h.eventually("the view kept", func() bool { return len(a.Preferences().FloatList(prefMapView)) == 3 })
	if v := a.Preferences().FloatList(prefMapView); math.Abs(v[0]-45.76) > 1e-6 || math.Abs(v[1]-4.84) > 1e-6 || v[2] != 12 {
		t.Fatalf("kept %v; want 45.76, 4.84, zoom 12", v)
	}
	h.ui(func() { h.sh.win.Resize(fyne.NewSize(1200, 800)) })
	h.close()

	// The next run opens there, in a window of the same size,, listing the rooms of that view from its
	// first load.
	next := newFake(listing("a", "Canal house", 0, nil))
	h2 := newHarnessOn(t, next, next, a)
	h2.eventually("a load", func() bool { return len(next.queryLog()) > 0 })
	h2.ui(func() {
		if size := h2.sh.win.Canvas().Size(); size != fyne.NewSize(1200, 800) {
			t.Errorf("the window opens at %v, want 1200x800", size)
		}
		lat, lon, z := h2.sh.rooms.mapv.Center()
		if math.Abs(lat-45.76) > 1e-6 || math.Abs(lon-4.84) > 1e-6 || z != 12 {
			t.Errorf("the map opens at %v, %v zoom %d; want 45.76, 4.84 zoom 12", lat, lon, z)
		}
		if !h2.sh.rooms.inView.Checked {
			t.Error("the rooms listed are not those of the map's view")
		}
	})
	first := next.queryLog()[0]
	if b := first.Bound; b == nil || !(orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}).Contains(orb.Point{4.84, 45.76}) {
		t.Errorf("first load's area %v, want the restored view around Lyon", first.Bound)
	}
}

func TestLocaleRegion(t *testing.T) {
	for loc, want := range map[fyne.Locale]string{
		"fr-FR": "FR", "en-US": "US", "zh-CN-Hans": "CN", "fr": "", "es-419": "", "": "",
	} {
		if got := localeRegion(loc); got != want {
			t.Errorf("localeRegion(%q) = %q, want %q", loc, got, want)
		}
	}
}

func TestRoomsFirstStartOpensOverTheUsersCountry(t *testing.T) {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANGUAGE"} {
		t.Setenv(k, "")
	}
	t.Setenv("LANG", "fr_FR.UTF-8")
	fake := newFake()
	h := newHarness(t, fake)
	h.eventually("the map over France", func() bool {
		lat, lon, z := h.sh.rooms.mapv.Center()
		return z == homeZoom && math.Abs(lat-48.85) < 0.1 && math.Abs(lon-2.35) < 0.1
	})
	// Rooms arriving elsewhere still bring the map to them.
	fake.add(listing("a", "Canal house", 0, nil))
	h.eventually("the map on the room", func() bool {
		return h.sh.rooms.mapv.Bounds().Contains(orb.Point{4.8952, 52.3702}) && !h.sh.rooms.mapv.Bounds().Contains(orb.Point{2.35, 48.85})
	})
}

func TestRoomsLoadError(t *testing.T) {
	fake := newFake(listing("a", "Canal house", 0, nil))
	fake.roomsErr = errors.New("store is locked")
	h := newHarness(t, fake)
	h.eventually("the error", func() bool {
		return h.shows("Couldn't load the rooms") && h.shows("store is locked")
	})
	fake.set(func(f *fakeBackend) { f.roomsErr = nil })
	h.ui(func() { test.Tap(h.sh.rooms.stateBtn) })
	h.eventually("the rooms after trying again", func() bool { return h.shows("Canal house") })

	// A failed refresh keeps the rooms and says so.
	fake.set(func(f *fakeBackend) { f.roomsErr = errors.New("disk full") })
	fake.emit(roomEvent())
	h.eventually("the refresh error", func() bool {
		return h.shows("Couldn't refresh the rooms: disk full") && h.shows("Canal house")
	})
}

func TestRoomsSelectionShowsDetail(t *testing.T) {
	fake := newFake(listing("a", "Canal house", 0, func(l *app.RoomListing) {
		l.Description = "Bright room overlooking the water."
	}))
	h := newHarness(t, fake)
	h.eventually("the room", func() bool { return h.shows("Canal house") })
	h.ui(func() { h.sh.rooms.list.Select(0) })
	h.eventually("the room's page", func() bool {
		return h.sh.explore.page.content.Visible() && h.shows("overlooking the water")
	})
	// Back from the page, the card under the map shows the room.
	h.ui(func() { h.sh.explore.closePage() })
	h.eventually("the card", func() bool { return h.shows("overlooking the water") && h.shows("Open listing page") })

	// The selection survives reloads.
	fake.add(listing("b", "Newer room", 0, nil))
	h.eventually("the new room", func() bool { return h.shows("Newer room") })
	h.ui(func() {
		if h.sh.rooms.selected != "a" || !h.shows("overlooking the water") {
			t.Errorf("selection moved to %q after a reload", h.sh.rooms.selected)
		}
	})
}

func TestRoomsArrivalsKeepTheView(t *testing.T) {
	fake := newFake()
	for i := range 30 {
		fake.rooms = append(fake.rooms, listing(fmt.Sprint("r", i), fmt.Sprint("Room ", i), time.Duration(i+1)*time.Hour, nil))
	}
	h := newHarness(t, fake)
	h.eventually("the rooms", func() bool { return h.shows("30 rooms") })
	var off float32
	h.ui(func() {
		h.sh.rooms.list.Select(0)
		h.sh.explore.closePage()
		h.sh.rooms.list.ScrollToOffset(600)
		off = h.sh.rooms.list.GetScrollOffset()
	})
	if off == 0 {
		t.Fatal("the list did not scroll")
	}
	fake.add(listing("new", "Brand new room", 0, nil))
	h.eventually("the new room", func() bool { return h.shows("31 rooms") })
	h.ui(func() {
		if got := h.sh.rooms.list.GetScrollOffset(); got != off {
			t.Errorf("scroll offset %v after a room arrived, want %v", got, off)
		}
		if h.sh.rooms.selected != "r0" {
			t.Errorf("selected %q, want r0", h.sh.rooms.selected)
		}
	})
}

func TestRoomsOnTheMap(t *testing.T) {
	fake := newFake(
		listing("a", "Canal room", time.Hour, nil),
		listing("b", "Harbour room", 2*time.Hour, func(l *app.RoomListing) { l.Lat, l.Lon = 51.9225, 4.4792 }),
	)
	h := newHarness(t, fake)
	h.eventually("the rooms", func() bool { return h.shows("2 rooms") })

	h.ui(func() {
		m := h.sh.rooms.mapv
		pins := m.Pins()
		if len(pins) != 2 || pins[0].ID != "a" || pins[1].Lat != 51.9225 || pins[0].Label != "€45" {
			t.Errorf("map pins %+v", pins)
		}
		if b := m.Bounds(); !b.Contains(orb.Point{4.8952, 52.3702}) || !b.Contains(orb.Point{4.4792, 51.9225}) {
			t.Errorf("map shows %v, not both rooms", b)
		}
		// Tapping a pin selects its room in the list and the detail.
		m.OnPinTapped("b")
	})
	h.eventually("the tapped room's detail", func() bool {
		return h.sh.rooms.selected == "b" && h.sh.rooms.detail.title.Text == "Harbour room"
	})
	h.ui(func() {
		h.sh.rooms.list.Select(0)
		if got := h.sh.rooms.mapv.Selected(); got != "a" {
			t.Errorf("selecting a row highlights pin %q, want a", got)
		}
	})
}

func TestRoomsMapFitsArrivalsUntilPlaced(t *testing.T) {
	amsterdam, paris, lyon := orb.Point{4.8952, 52.3702}, orb.Point{2.3522, 48.8566}, orb.Point{4.8357, 45.764}
	fake := newFake(listing("a", "Canal room", time.Hour, nil))
	h := newHarness(t, fake)
	h.eventually("the first room", func() bool { return h.shows("1 room") })

	// A room far away arrives: the map, never placed, widens to show both.
	fake.add(listing("b", "Paris room", 0, func(l *app.RoomListing) { l.Lat, l.Lon = paris[1], paris[0] }))
	h.eventually("both rooms in view", func() bool {
		b := h.sh.rooms.mapv.Bounds()
		return h.shows("2 rooms") && b.Contains(amsterdam) && b.Contains(paris)
	})

	// Once the user has placed the map, arrivals no longer move it.
	h.ui(func() { h.sh.rooms.mapv.SetCenter(paris[1], paris[0], 12) })
	h.eventually("the placed view listed", func() bool { return h.sh.rooms.placed && h.shows("rooms in this area") })
	fake.add(listing("c", "Lyon room", 0, func(l *app.RoomListing) { l.Lat, l.Lon = lyon[1], lyon[0] }))
	h.ui(func() { h.sh.rooms.inView.SetChecked(false) }) // every room listed, the map kept
	h.eventually("every room", func() bool { return h.shows("3 rooms") })
	h.ui(func() {
		if lat, lon, z := h.sh.rooms.mapv.Center(); z != 12 || math.Abs(lat-paris[1]) > 1e-6 || math.Abs(lon-paris[0]) > 1e-6 {
			t.Errorf("map moved to %.4f,%.4f z%d after the user placed it", lat, lon, z)
		}
	})
}
