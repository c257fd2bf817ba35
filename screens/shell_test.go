package screens

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/caravan-p2p/caravan/app"
)

// loadCounting is the fake backend counting the loads of the screens that
// are built when their tab is first selected.
type loadCounting struct {
	*fakeBackend
	myListings, status, profile atomic.Int32
}

func (c *loadCounting) MyListings(ctx context.Context) ([]app.MyListing, error) {
	c.myListings.Add(1)
	return c.fakeBackend.MyListings(ctx)
}

func (c *loadCounting) Status(ctx context.Context) (app.Status, error) {
	c.status.Add(1)
	return c.fakeBackend.Status(ctx)
}

func (c *loadCounting) OwnProfile(ctx context.Context) (app.PersonProfile, app.Reputation, error) {
	c.profile.Add(1)
	return c.fakeBackend.OwnProfile(ctx)
}

// TestTabsBuiltWhenSelected checks that the window starts with Explore
// alone built and loading, and that each other tab builds its screen, loads
// it and shows it the first time it is selected, as a tap on it does.
func TestTabsBuiltWhenSelected(t *testing.T) {
	fake := newFake()
	fake.rooms = []app.RoomListing{listing("a", "Canal house", time.Hour, nil)}
	b := &loadCounting{fakeBackend: fake}
	h := newHarnessWith(t, fake, b)
	h.eventually("the rooms", func() bool { return h.shows("Canal house") })
	h.ui(func() {
		for _, it := range h.sh.tabs.Items[1:] {
			if h.sh.isBuilt(h.sh.tabNames[it]) {
				t.Errorf("tab %s built before it was selected", h.sh.tabNames[it])
			}
		}
		if h.sh.trips != nil || h.sh.post != nil || h.sh.postRide != nil || h.sh.net != nil || h.sh.profile != nil || h.sh.settings != nil {
			t.Error("a screen of a tab not selected was built")
		}
	})
	if b.myListings.Load() != 0 || b.status.Load() != 0 || b.profile.Load() != 0 {
		t.Errorf("loads before their tab was selected: my listings %d, status %d, profile %d",
			b.myListings.Load(), b.status.Load(), b.profile.Load())
	}

	shows := map[string]string{
		tabTrips:      "Choose a trip or a booking to see it here.",
		tabPostRoom:   "Post a room",
		tabPostRide:   "Click the map where you leave from",
		tabMyListings: "Your rooms and rides.",
		tabNetwork:    "Your peer ID",
		tabProfile:    "Profile",
		tabSettings:   "Map tiles",
	}
	for _, it := range h.sh.tabs.Items[1:] {
		name := h.sh.tabNames[it]
		h.ui(func() { h.sh.tabs.Select(it) })
		h.eventually(name+" shown", func() bool { return h.sh.current() == name && h.shows(shows[name]) })
		h.ui(func() {
			if c, ok := it.Content.(*fyne.Container); (ok && len(c.Objects) == 0) || !h.sh.isBuilt(name) {
				t.Errorf("tab %s not built once selected", name)
			}
		})
	}
	h.eventually("the loads of the tabs", func() bool {
		return b.myListings.Load() > 0 && b.status.Load() > 0 && b.profile.Load() > 0
	})

	// Back to Explore and to a tab built already: nothing is built twice.
	h.ui(func() {
		post := h.sh.post
		h.sh.show(tabRooms)
		h.sh.show(tabPostRoom)
		if h.sh.post != post {
			t.Error("Post a room built again")
		}
	})
}

func TestWindowSizeKept(t *testing.T) {
	tests := []struct {
		name  string
		saved []float64
		want  fyne.Size
	}{
		{"never saved", nil, defaultWindowSize},
		{"saved", []float64{1300, 820}, fyne.NewSize(1300, 820)},
		{"too small to open at", []float64{300, 200}, defaultWindowSize},
		{"not a size", []float64{1300}, defaultWindowSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := test.NewTempApp(t).Preferences()
			if tt.saved != nil {
				p.SetFloatList(prefWindowSize, tt.saved)
			}
			if got := windowSize(p); got != tt.want {
				t.Errorf("windowSize = %v, want %v", got, tt.want)
			}
		})
	}
	// A minimised window's size is not kept over the last good one.
	p := test.NewTempApp(t).Preferences()
	saveWindowSize(p, fyne.NewSize(1200, 800))
	saveWindowSize(p, fyne.NewSize(0, 0))
	if got := windowSize(p); got != fyne.NewSize(1200, 800) {
		t.Errorf("after a minimised close: %v, want 1200x800", got)
	}
}
