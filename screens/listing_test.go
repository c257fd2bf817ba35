package screens

import (
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
			h.shows("Hosted by 12D3Koo…eera") && h.shows("52.370° N, 4.895° E")
	})
	h.ui(func() {
		if c := strings.Count(h.screenTextLocked(), "Loading photo…"); c != 2 {
			t.Errorf("%d placeholders, want 2", c)
		}
		if photoImages(lp) != 0 {
			t.Error("a photo shows before it loaded")
		}
		if h.shows("Book") {
			t.Error("a Book button, with no booking API")
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
