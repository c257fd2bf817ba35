package mapview

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestSetTileURL: a map switched to another tile server fetches from it at
// once, and its old server is asked no more.
func TestSetTileURL(t *testing.T) {
	test.NewTempApp(t)
	a, b := newTileServer(t), newTileServer(t)
	m := New(Options{TileURL: a.template(), HTTPClient: a.Client(), ViewChangeDelay: 50 * time.Millisecond})
	q := &uiQueue{}
	m.do = q.do
	t.Cleanup(m.Close)
	w := test.NewTempWindow(t, m)
	w.Resize(fyne.NewSize(400, 300))
	m.SetCenter(52.37, 4.89, 5)
	waitFor(t, q, "tiles from the first server", func() bool { return a.requests.Load() > 0 && !m.offline })

	m.SetTileURL(b.template())
	if m.TileURL() != b.template() {
		t.Fatalf("TileURL %q after SetTileURL", m.TileURL())
	}
	before := a.requests.Load()
	waitFor(t, q, "tiles from the second server", func() bool {
		test.WidgetRenderer(m).Refresh()
		return b.requests.Load() > 0 && !m.offline
	})
	if got := a.requests.Load(); got != before {
		t.Errorf("the old server had %d more requests after the switch", got-before)
	}
	m.SetTileURL("")
	if m.TileURL() != DefaultTileURL {
		t.Errorf("TileURL after SetTileURL(\"\") = %q, want the default", m.TileURL())
	}
}

// TestWheelOverMapInPage: in a scrolling page, the wheel over the map zooms
// the map and leaves the page where it is; elsewhere it scrolls the page.
func TestWheelOverMapInPage(t *testing.T) {
	test.NewTempApp(t)
	m := New(Options{NoTiles: true})
	t.Cleanup(m.Close)
	above := widget.NewLabel("above")
	spacer := container.New(layout.NewGridWrapLayout(fyne.NewSize(400, 300)), above)
	below := container.New(layout.NewGridWrapLayout(fyne.NewSize(400, 900)), widget.NewLabel("below"))
	mapBox := container.New(layout.NewGridWrapLayout(fyne.NewSize(400, 250)), m)
	page := container.NewVScroll(container.NewVBox(spacer, mapBox, below))
	w := test.NewTempWindow(t, page)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(400, 600))
	m.SetCenter(52.37, 4.89, 10)

	onMap := fyne.NewPos(200, 300+125)
	for _, c := range []struct {
		name   string
		dys    []float32
		zoom   int
		offset float32
	}{
		{"wheel notch up over the map zooms in", []float32{25}, 11, 0},
		{"two notches down zoom out twice", []float32{-25, -25}, 9, 0},
		{"touchpad steps add up to a notch", []float32{4, 4, 4}, 10, 0},
		{"a turn back starts afresh", []float32{8, -4, 8}, 10, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, dy := range c.dys {
				test.Scroll(w.Canvas(), onMap, 0, dy)
			}
			if m.Zoom() != c.zoom || page.Offset.Y != c.offset {
				t.Errorf("zoom %d, page offset %v; want %d, %v", m.Zoom(), page.Offset.Y, c.zoom, c.offset)
			}
		})
	}
	m.SetCenter(52.37, 4.89, 10)
	test.Scroll(w.Canvas(), fyne.NewPos(200, 100), 0, -40) // over the text above the map
	if page.Offset.Y == 0 || m.Zoom() != 10 {
		t.Errorf("wheel over the page: offset %v, zoom %d; want the page scrolled, the map as it was", page.Offset.Y, m.Zoom())
	}
}

// TestOverlappingLabelsLeftOut: of two lone pins whose labels would cover
// each other, the second's label is left out; far apart, both show.
func TestOverlappingLabelsLeftOut(t *testing.T) {
	m, _, _ := newTestMap(t)
	lat, lon, _ := m.Center()
	step := degPerUnit(12) * 70 // 70 units apart: two markers, not a cluster
	labels := func() []string {
		var out []string
		for _, mk := range test.WidgetRenderer(m).(*mapRenderer).marks {
			if mk.label != "" {
				out = append(out, mk.label)
			}
		}
		return out
	}
	long := "A long label for a pin, wider than 70 units"
	m.SetPins([]Pin{{ID: "a", Lat: lat, Lon: lon, Label: long}, {ID: "b", Lat: lat, Lon: lon + step, Label: long}})
	if got := labels(); len(got) != 1 {
		t.Errorf("overlapping labels shown: %q, want one", got)
	}
	m.SetPins([]Pin{{ID: "a", Lat: lat, Lon: lon, Label: "€80"}, {ID: "b", Lat: lat, Lon: lon + step, Label: "€95"}})
	if got := labels(); len(got) != 2 {
		t.Errorf("labels apart: %q, want both", got)
	}
}
