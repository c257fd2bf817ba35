package mapview

import (
	"math"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"github.com/paulmach/orb"
)

// newTestMap puts a basemap-less, tile-less map of 800x600 in a test window,
// centred on Amsterdam at zoom 12.
func newTestMap(t *testing.T) (*Map, *uiQueue, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	m := New(Options{NoTiles: true, ViewChangeDelay: 50 * time.Millisecond})
	q := &uiQueue{}
	m.do = q.do
	t.Cleanup(m.Close)
	w := test.NewTempWindow(t, m)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, 600))
	m.SetCenter(52.3731, 4.8922, 12)
	return m, q, w
}

// degPerUnit is how many degrees of longitude one Fyne unit spans at zoom z.
func degPerUnit(z int) float64 { return 360 / scale(z) }

func TestBoundsAndPan(t *testing.T) {
	m, _, w := newTestMap(t)
	sz := m.Size()
	if sz.Width != 800 || sz.Height != 600 {
		t.Fatalf("map size %v", sz)
	}
	b := m.Bounds()
	if !b.Contains(orb.Point{4.8922, 52.3731}) {
		t.Fatalf("bounds %v don't hold the centre", b)
	}
	if got, want := b.Max[0]-b.Min[0], 800*degPerUnit(12); !near(got, want, 1e-9) {
		t.Errorf("bounds span %.6f° of longitude, want %.6f°", got, want)
	}
	if b.Max[1]-b.Min[1] <= 0 || b.Max[1]-b.Min[1] > 600*degPerUnit(12) {
		t.Errorf("bounds latitude span %.6f", b.Max[1]-b.Min[1])
	}

	// Dragging 100 units right and 50 down moves the view west and north.
	test.Drag(w.Canvas(), fyne.NewPos(400, 300), 100, 50)
	b2 := m.Bounds()
	if dx := b2.Min[0] - b.Min[0]; !near(dx, -100*degPerUnit(12), 1e-9) {
		t.Errorf("west edge moved %.6f°, want %.6f°", dx, -100*degPerUnit(12))
	}
	if b2.Max[1] <= b.Max[1] {
		t.Errorf("north edge %.6f didn't move north of %.6f", b2.Max[1], b.Max[1])
	}
	lat, lon, z := m.Center()
	if z != 12 || !near(lon, 4.8922-100*degPerUnit(12), 1e-9) || lat <= 52.3731 {
		t.Errorf("centre after drag %.6f, %.6f z%d", lat, lon, z)
	}
}

func TestZoomAroundPointer(t *testing.T) {
	m, _, w := newTestMap(t)
	pos := fyne.NewPos(600, 150)
	before := fromWorld(m.toWorldPos(pos))

	scroll := func(dy float32) {
		m.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: pos}, Scrolled: fyne.NewDelta(0, dy)})
	}
	test.Scroll(w.Canvas(), pos, 0, 3) // less than a notch: nothing yet
	if m.Zoom() != 12 {
		t.Fatalf("zoom after a small scroll = %d, want 12", m.Zoom())
	}
	scroll(25) // one wheel notch up
	if m.Zoom() != 13 {
		t.Fatalf("zoom after scrolling up = %d, want 13", m.Zoom())
	}
	after := fromWorld(m.toWorldPos(pos))
	if !near(before[0], after[0], 1e-9) || !near(before[1], after[1], 1e-9) {
		t.Errorf("point under the pointer moved from %v to %v", before, after)
	}
	span := m.Bounds().Max[0] - m.Bounds().Min[0]
	if !near(span, 800*degPerUnit(13), 1e-9) {
		t.Errorf("span at zoom 13 = %.6f", span)
	}

	scroll(-25)
	scroll(-25)
	if m.Zoom() != 11 {
		t.Fatalf("zoom after scrolling down twice = %d, want 11", m.Zoom())
	}

	// The buttons zoom around the centre, within 2..18.
	r := test.WidgetRenderer(m).(*mapRenderer)
	lat, lon, _ := m.Center()
	test.Tap(r.zoomIn)
	if m.Zoom() != 12 {
		t.Errorf("zoom after + = %d", m.Zoom())
	}
	if lat2, lon2, _ := m.Center(); !near(lat, lat2, 1e-9) || !near(lon, lon2, 1e-9) {
		t.Errorf("+ moved the centre")
	}
	for range 20 {
		test.Tap(r.zoomOut)
	}
	if m.Zoom() != MinZoom || !r.zoomOut.Disabled() {
		t.Errorf("zoom floor: %d, - disabled %v", m.Zoom(), r.zoomOut.Disabled())
	}
	m.SetCenter(52.37, 4.89, 40)
	if m.Zoom() != MaxZoom || !r.zoomIn.Disabled() {
		t.Errorf("zoom ceiling: %d, + disabled %v", m.Zoom(), r.zoomIn.Disabled())
	}

	m.DoubleTapped(&fyne.PointEvent{Position: pos})
	if m.Zoom() != MaxZoom {
		t.Errorf("double tap past the ceiling: %d", m.Zoom())
	}
	m.SetCenter(52.37, 4.89, 10)
	m.DoubleTapped(&fyne.PointEvent{Position: pos})
	if m.Zoom() != 11 {
		t.Errorf("double tap: zoom %d, want 11", m.Zoom())
	}
}

func TestTapGivesLatLon(t *testing.T) {
	m, _, _ := newTestMap(t)
	var lat, lon float64
	taps := 0
	m.OnTapped = func(la, lo float64) { lat, lon, taps = la, lo, taps+1 }

	test.TapAt(m, fyne.NewPos(400, 300))
	if taps != 1 || !near(lat, 52.3731, 1e-6) || !near(lon, 4.8922, 1e-6) {
		t.Errorf("tap at the centre gave %.6f, %.6f (%d taps)", lat, lon, taps)
	}
	test.TapAt(m, fyne.NewPos(500, 300))
	if !near(lon, 4.8922+100*degPerUnit(12), 1e-6) || !near(lat, 52.3731, 1e-6) {
		t.Errorf("tap 100 right gave %.6f, %.6f", lat, lon)
	}
	test.TapAt(m, fyne.NewPos(400, 200))
	if lat <= 52.3731 || !near(lon, 4.8922, 1e-6) {
		t.Errorf("tap 100 up gave %.6f, %.6f", lat, lon)
	}
	// And the map centred on a tapped point puts it back under the middle.
	m.SetCenter(lat, lon, 12)
	test.TapAt(m, fyne.NewPos(400, 300))
	if la, lo, _ := m.Center(); !near(la, lat, 1e-6) || !near(lo, lon, 1e-6) {
		t.Errorf("centre %.6f,%.6f", la, lo)
	}
}

func amsterdamPins() []Pin {
	return []Pin{
		{ID: "dam", Lat: 52.3731, Lon: 4.8922, Label: "€80"},
		{ID: "dam2", Lat: 52.3733, Lon: 4.8925, Label: "€95"},
		{ID: "dam3", Lat: 52.3729, Lon: 4.8919, Label: "€60"},
		{ID: "vondel", Lat: 52.3580, Lon: 4.8686, Label: "€120"},
		{ID: "noord", Lat: 52.3890, Lon: 4.9180, Label: "€70"},
		{ID: "utrecht", Lat: 52.0907, Lon: 5.1214, Label: "€50"},
	}
}

func clusterCounts(cs []cluster) (singles, total, biggest int) {
	for _, c := range cs {
		total += c.count
		if c.count == 1 {
			singles++
		}
		biggest = max(biggest, c.count)
	}
	return
}

func TestClustering(t *testing.T) {
	pins := amsterdamPins()
	pts := make([]orb.Point, len(pins))
	for i, p := range pins {
		pts[i] = toWorld(orb.Point{p.Lon, p.Lat})
	}
	cases := []struct {
		z                 int
		clusters, singles int
		biggest           int
	}{
		{18, 6, 6, 1}, // all apart
		{14, 4, 3, 3}, // the three at the Dam together
		{8, 2, 1, 5},  // Amsterdam; Utrecht
		{2, 1, 0, 6},  // one dot for the lot
	}
	for _, c := range cases {
		cs := makeClusters(pts, c.z, clusterCell)
		singles, total, biggest := clusterCounts(cs)
		if len(cs) != c.clusters || singles != c.singles || biggest != c.biggest || total != len(pins) {
			t.Errorf("zoom %d: %d clusters (%d single, biggest %d, total %d), want %d (%d single, biggest %d)",
				c.z, len(cs), singles, biggest, total, c.clusters, c.singles, c.biggest)
		}
	}
	// A cluster sits at the mean of its pins.
	cs := makeClusters(pts[:3], 10, clusterCell)
	if len(cs) != 1 || cs[0].count != 3 {
		t.Fatalf("clusters %v", cs)
	}
	mean := orb.Point{(pts[0][0] + pts[1][0] + pts[2][0]) / 3, (pts[0][1] + pts[1][1] + pts[2][1]) / 3}
	if math.Abs(cs[0].world[0]-mean[0]) > 1e-15 || math.Abs(cs[0].world[1]-mean[1]) > 1e-15 {
		t.Errorf("cluster at %v, mean %v", cs[0].world, mean)
	}
}

func TestPinsOnTheMap(t *testing.T) {
	m, _, _ := newTestMap(t)
	m.SetPins(amsterdamPins())
	m.SetRoutes([]Route{{ID: "r", Points: [][2]float64{{4.8922, 52.3731}, {5.0, 52.2}, {5.1214, 52.0907}}}})
	r := test.WidgetRenderer(m).(*mapRenderer)

	// Zoom 12 on the Dam: the three there are one cluster of 3 on screen.
	counts := map[string]bool{}
	for _, mk := range r.marks {
		if mk.count != "" {
			counts[mk.count] = true
		}
	}
	if !counts["3"] {
		t.Errorf("no cluster of 3 drawn; counts %v", counts)
	}
	lines := 0
	for _, o := range r.objects {
		for _, ln := range r.lines {
			if o == ln {
				lines++
			}
		}
	}
	if lines == 0 {
		t.Error("route not drawn")
	}

	var tapped string
	var tappedAt []float64
	m.OnPinTapped = func(id string) { tapped = id }
	m.OnTapped = func(lat, lon float64) { tappedAt = []float64{lat, lon} }

	// Tapping a lone pin selects it.
	p := m.toScreen(toWorld(orb.Point{4.8686, 52.3580}))
	test.TapAt(m, p)
	if tapped != "vondel" || m.Selected() != "vondel" || tappedAt != nil {
		t.Errorf("tap on the Vondelpark pin: tapped %q selected %q, OnTapped %v", tapped, m.Selected(), tappedAt)
	}
	// A selected pin stands out of its cluster: the Dam's three are 2 + 1.
	m.SetSelected("dam2")
	var sizes []int
	for _, c := range m.currentClusters() {
		if c.count > 1 || m.pins[c.first].ID == "dam2" {
			sizes = append(sizes, c.count)
		}
	}
	if !slices.Equal(sizes, []int{2, 1}) || m.pins[m.currentClusters()[len(m.currentClusters())-1].first].ID != "dam2" {
		t.Errorf("with dam2 selected: cluster sizes %v", sizes)
	}
	m.SetSelected("vondel")
	// Tapping the cluster zooms in on it rather than picking a pin.
	tapped = ""
	test.TapAt(m, m.toScreen(toWorld(orb.Point{4.8922, 52.3731})))
	if tapped != "" || m.Zoom() != 14 {
		t.Errorf("tap on the cluster: tapped %q, zoom %d (want 14)", tapped, m.Zoom())
	}
	// Tapping empty map reports the place, not a pin.
	test.TapAt(m, fyne.NewPos(780, 20))
	if tappedAt == nil || tapped != "" {
		t.Errorf("tap away from pins: OnTapped %v, pin %q", tappedAt, tapped)
	}
}

func TestViewChangedIsDebounced(t *testing.T) {
	m, q, w := newTestMap(t)
	var got []orb.Bound
	m.OnViewChanged = func(b orb.Bound) { got = append(got, b) }
	for range 5 {
		test.Drag(w.Canvas(), fyne.NewPos(400, 300), 10, 0)
	}
	test.Scroll(w.Canvas(), fyne.NewPos(400, 300), 0, 25)
	waitFor(t, q, "OnViewChanged", func() bool { return len(got) > 0 })
	time.Sleep(150 * time.Millisecond)
	q.drain()
	if len(got) != 1 {
		t.Fatalf("OnViewChanged called %d times, want once", len(got))
	}
	if got[0] != m.Bounds() {
		t.Errorf("OnViewChanged gave %v, Bounds is %v", got[0], m.Bounds())
	}
	// A change that ends where it began reports nothing new.
	test.Drag(w.Canvas(), fyne.NewPos(400, 300), 10, 0)
	test.Drag(w.Canvas(), fyne.NewPos(400, 300), -10, 0)
	time.Sleep(150 * time.Millisecond)
	q.drain()
	if len(got) != 1 {
		t.Errorf("OnViewChanged called again for the same bounds: %d calls", len(got))
	}
}

func TestViewChangedOnResize(t *testing.T) {
	m, q, w := newTestMap(t)
	var got []orb.Bound
	m.OnViewChanged = func(b orb.Bound) { got = append(got, b) }
	waitFor(t, q, "the first view", func() bool { return len(got) > 0 })
	got = nil
	w.Resize(fyne.NewSize(500, 400))
	waitFor(t, q, "OnViewChanged after a resize", func() bool { return len(got) > 0 })
	if got[0] != m.Bounds() {
		t.Errorf("OnViewChanged gave %v, Bounds is %v", got[0], m.Bounds())
	}
}

func TestFit(t *testing.T) {
	m, _, _ := newTestMap(t)
	// Haarlem to Utrecht fits at zoom 10 in 800x600 less the margins (at 11
	// it would be 692 units wide, more than 800-2*56).
	b := orb.Bound{Min: orb.Point{4.6462, 52.0907}, Max: orb.Point{5.1214, 52.3890}}
	m.Fit(b, 15)
	vis := m.Bounds()
	if !vis.Contains(b.Min) || !vis.Contains(b.Max) {
		t.Errorf("visible %v doesn't hold %v", vis, b)
	}
	if m.Zoom() != 10 {
		t.Errorf("zoom %d, want 10", m.Zoom())
	}
	// A single point is shown at the zoom cap.
	m.Fit(orb.Bound{Min: orb.Point{4.89, 52.37}, Max: orb.Point{4.89, 52.37}}, 14)
	if lat, lon, z := m.Center(); z != 14 || !near(lat, 52.37, 1e-9) || !near(lon, 4.89, 1e-9) {
		t.Errorf("fit to a point: %.5f, %.5f z%d", lat, lon, z)
	}
}

func TestSelectedRouteDrawnOnTop(t *testing.T) {
	m, _, _ := newTestMap(t)
	m.SetRoutes([]Route{
		{ID: "a", Points: [][2]float64{{4.8922, 52.3731}, {5.1214, 52.0907}}},
		{ID: "b", Points: [][2]float64{{4.85, 52.36}, {4.95, 52.38}}},
	})
	r := test.WidgetRenderer(m).(*mapRenderer)
	drawn := func() []*canvas.Line {
		var out []*canvas.Line
		for _, o := range r.objects {
			if ln, ok := o.(*canvas.Line); ok {
				out = append(out, ln)
			}
		}
		return out
	}
	if got := drawn(); len(got) != 2 || got[0].StrokeColor != routeColor || got[1].StrokeColor != routeColor {
		t.Fatalf("before a selection: %d lines", len(got))
	}
	m.SetSelectedRoute("a")
	got := drawn()
	if len(got) != 2 {
		t.Fatalf("%d lines drawn, want 2", len(got))
	}
	// The selected route is drawn last (on top), wider and in the
	// highlight colour; the other is dimmed.
	if got[1].StrokeColor != selectedColor || got[1].StrokeWidth <= got[0].StrokeWidth || got[0].StrokeColor != routeDimColor {
		t.Errorf("lines %v %v / %v %v", got[0].StrokeColor, got[0].StrokeWidth, got[1].StrokeColor, got[1].StrokeWidth)
	}
	if m.SelectedRoute() != "a" || len(m.Routes()) != 2 {
		t.Errorf("SelectedRoute %q, %d routes", m.SelectedRoute(), len(m.Routes()))
	}
}
