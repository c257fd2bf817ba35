package mapview

import (
	"cmp"
	"image"
	"image/color"
	"image/draw"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// DefaultViewChangeDelay is how long the map waits after the view stops
// moving before it calls OnViewChanged.
const DefaultViewChangeDelay = 300 * time.Millisecond

// clusterCell is the side of the screen-space grid cell pins are clustered
// in, in Fyne units.
const clusterCell = 56

// Options configure a Map. The zero value is usable: OSM tiles, no disk
// cache, no basemap.
type Options struct {
	// TileURL is the tile URL template with {z}, {x}, {y} and optionally
	// {s}; "" means DefaultTileURL. Set NoTiles to draw the basemap only.
	TileURL string
	// NoTiles turns tile downloads off: the map shows the basemap only.
	NoTiles bool
	// CacheDir is where tiles are kept on disk (a subdirectory per tile
	// source is made in it); "" keeps them in memory only.
	CacheDir string
	// UserAgent is sent with every tile request; "" means DefaultUserAgent.
	UserAgent string
	// Attribution is the credit always shown on the map; "" means
	// DefaultAttribution.
	Attribution string
	// Basemap is drawn under the tiles and wherever a tile is missing; nil
	// leaves the sea colour there. See LoadBasemap.
	Basemap *Basemap
	// HTTPClient fetches tiles; nil means a client of the map's own.
	HTTPClient *http.Client
	// MaxAge is how long a tile on disk is used before it is asked for
	// again; 0 means DefaultMaxAge.
	MaxAge time.Duration
	// MemTiles bounds the in-memory tile cache; 0 means DefaultMemTiles.
	MemTiles int
	// ViewChangeDelay debounces OnViewChanged; 0 means
	// DefaultViewChangeDelay.
	ViewChangeDelay time.Duration
	// Do runs a function on the UI goroutine; nil means fyne.Do. The map's
	// goroutines hand their results back through it, so tests can pass a
	// function that serialises with their own widget calls.
	Do func(func())
}

// Pin is a marker on the map.
type Pin struct {
	// ID is given back by OnPinTapped.
	ID string
	// Lat and Lon place the pin, in degrees.
	Lat, Lon float64
	// Label is shown beside the pin when it stands alone (a price, a name).
	Label string
}

// Route is a line on the map, such as a ride's route.
type Route struct {
	// ID names the route.
	ID string
	// Points are the route's vertices in order, each {lon, lat} in degrees
	// — orb's order, and that of a ride's route in the records.
	Points [][2]float64
}

// Map is a slippy-map widget: drag to pan, scroll or +/- to zoom,
// double-tap to zoom in, tap for a position or a pin. Create it with New and
// call Close when it is no longer shown.
type Map struct {
	widget.BaseWidget

	// OnTapped is called with the position tapped on the map, away from
	// pins.
	OnTapped func(lat, lon float64)
	// OnPinTapped is called with the ID of a pin tapped; the pin becomes
	// the selected one. Tapping a cluster zooms into it instead.
	OnPinTapped func(id string)
	// OnViewChanged is called with the visible bounds (see Bounds) once the
	// view has stopped changing for Options.ViewChangeDelay.
	OnViewChanged func(bounds orb.Bound)

	opts  Options
	fetch *fetcher
	// do runs a function on the UI goroutine: fyne.Do, or a test's own.
	do      func(func())
	pending atomic.Bool // a refresh for arrived tiles is on its way
	closed  atomic.Bool // Close was called: late callbacks do nothing

	// UI goroutine only.
	center    orb.Point // world coordinates (see toWorld)
	zoom      int
	pins      []Pin
	pinWorld  []orb.Point
	routes    []Route
	routeW    [][]orb.Point
	selected  string
	selRoute  string // ID of the highlighted route
	clusters  []cluster
	clusterZ  int // zoom clusters were made for; -1 when stale
	viewTimer *time.Timer
	lastView  orb.Bound // bounds last given to OnViewChanged
	scrollAcc float32
	offline   bool // some visible tile is the basemap's
}

// New makes a map centred on 0°, 0° at MinZoom with the given options.
func New(opts Options) *Map {
	if opts.TileURL == "" {
		opts.TileURL = DefaultTileURL
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Attribution == "" {
		opts.Attribution = DefaultAttribution
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: fetchTimeout}
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.MemTiles <= 0 {
		opts.MemTiles = DefaultMemTiles
	}
	if opts.ViewChangeDelay <= 0 {
		opts.ViewChangeDelay = DefaultViewChangeDelay
	}
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	m := &Map{opts: opts, do: opts.Do, zoom: MinZoom, center: orb.Point{0.5, 0.5}, clusterZ: -1}
	fo := opts
	if opts.NoTiles {
		fo.TileURL = ""
	}
	m.fetch = newFetcher(fo, opts.Basemap, m.tileArrived)
	m.ExtendBaseWidget(m)
	return m
}

// SetBasemap replaces the basemap drawn where tiles are missing, so that an
// app can load it (see LoadBasemap) off the UI goroutine after the map is
// shown. nil removes it.
func (m *Map) SetBasemap(b *Basemap) {
	m.opts.Basemap = b
	m.fetch.setBasemap(b)
	m.Refresh()
}

// SetTileURL switches the map to another tile server at once: the tile
// URL template as in Options.TileURL, "" for DefaultTileURL. The tiles of
// the old server are dropped (the basemap shows until the new ones come),
// and its downloads are stopped off the UI goroutine.
func (m *Map) SetTileURL(template string) {
	if template == "" {
		template = DefaultTileURL
	}
	if template == m.opts.TileURL || m.closed.Load() {
		return
	}
	m.opts.TileURL = template
	fo := m.opts
	if fo.NoTiles {
		fo.TileURL = ""
	}
	old := m.fetch
	m.fetch = newFetcher(fo, m.opts.Basemap, m.tileArrived)
	go old.close()
	m.Refresh()
}

// TileURL is the tile URL template the map uses.
func (m *Map) TileURL() string { return m.opts.TileURL }

// Close stops the map's downloads and basemap drawing and waits for them;
// callbacks still on their way to the UI goroutine then do nothing.
func (m *Map) Close() {
	m.closed.Store(true)
	m.fetch.close()
	if m.viewTimer != nil {
		m.viewTimer.Stop()
	}
}

// tileArrived runs on a fetcher goroutine; arrivals close together make
// one refresh.
func (m *Map) tileArrived() {
	if m.pending.Swap(true) {
		return
	}
	m.do(func() {
		m.pending.Store(false)
		if !m.closed.Load() {
			m.Refresh()
		}
	})
}

// SetCenter centres the map on lat, lon at the zoom given (clamped to
// MinZoom..MaxZoom).
func (m *Map) SetCenter(lat, lon float64, zoom int) {
	m.center = toWorld(orb.Point{lon, lat})
	m.setZoom(zoom)
	m.changed()
}

// Fit centres the map on the lon/lat bound b at the closest zoom, up to
// maxZoom, that shows all of it. Before the map has a size it centres at
// maxZoom.
func (m *Map) Fit(b orb.Bound, maxZoom int) {
	tl, br := toWorld(orb.Point{b.Min[0], b.Max[1]}), toWorld(orb.Point{b.Max[0], b.Min[1]})
	m.center = orb.Point{(tl[0] + br[0]) / 2, (tl[1] + br[1]) / 2}
	z := maxZoom
	sz := m.Size()
	// Leave room for the markers at the edges.
	w, h := float64(sz.Width)-2*clusterCell, float64(sz.Height)-2*clusterCell
	if w > 0 && h > 0 {
		for z > MinZoom && ((br[0]-tl[0])*scale(z) > w || (br[1]-tl[1])*scale(z) > h) {
			z--
		}
	}
	m.setZoom(z)
	m.changed()
}

// Center is the position at the middle of the map and its zoom.
func (m *Map) Center() (lat, lon float64, zoom int) {
	ll := fromWorld(m.center)
	return ll[1], ll[0], m.zoom
}

// Zoom is the map's zoom level.
func (m *Map) Zoom() int { return m.zoom }

// ZoomIn zooms in one level around the centre.
func (m *Map) ZoomIn() { m.zoomAt(m.mid(), 1) }

// ZoomOut zooms out one level around the centre.
func (m *Map) ZoomOut() { m.zoomAt(m.mid(), -1) }

// Bounds is the visible area as a lon/lat bound, clamped to the Web
// Mercator world (longitudes -180..180, latitudes ±MaxLat).
func (m *Map) Bounds() orb.Bound {
	sz := m.Size()
	// A map squeezed out of its column has no area, not a negative one.
	sz.Width, sz.Height = max(sz.Width, 0), max(sz.Height, 0)
	s := scale(m.zoom)
	tl := orb.Point{m.center[0] - float64(sz.Width)/2/s, m.center[1] - float64(sz.Height)/2/s}
	br := orb.Point{m.center[0] + float64(sz.Width)/2/s, m.center[1] + float64(sz.Height)/2/s}
	clamp := func(p orb.Point) orb.Point {
		return orb.Point{math.Max(0, math.Min(1, p[0])), math.Max(0, math.Min(1, p[1]))}
	}
	a, b := fromWorld(clamp(tl)), fromWorld(clamp(br))
	return orb.Bound{Min: orb.Point{a[0], b[1]}, Max: orb.Point{b[0], a[1]}}
}

// SetPins replaces the pins shown.
func (m *Map) SetPins(pins []Pin) {
	m.pins = slices.Clone(pins)
	m.pinWorld = make([]orb.Point, len(pins))
	for i, p := range pins {
		m.pinWorld[i] = toWorld(orb.Point{p.Lon, p.Lat})
	}
	m.clusterZ = -1
	m.Refresh()
}

// SetRoutes replaces the routes shown.
func (m *Map) SetRoutes(routes []Route) {
	m.routes = slices.Clone(routes)
	m.routeW = make([][]orb.Point, len(routes))
	for i, r := range routes {
		for _, p := range r.Points {
			m.routeW[i] = append(m.routeW[i], toWorld(orb.Point(p)))
		}
	}
	m.Refresh()
}

// SetSelectedRoute highlights the route with the given ID, drawn over the
// others; "" highlights none.
func (m *Map) SetSelectedRoute(id string) {
	m.selRoute = id
	m.Refresh()
}

// SelectedRoute is the ID of the highlighted route, "" if none.
func (m *Map) SelectedRoute() string { return m.selRoute }

// Routes are the routes shown, as given to SetRoutes.
func (m *Map) Routes() []Route { return slices.Clone(m.routes) }

// SetSelected highlights the pin with the given ID; "" highlights none.
func (m *Map) SetSelected(id string) {
	m.selected = id
	m.clusterZ = -1
	m.Refresh()
}

// Pins are the pins shown, as given to SetPins.
func (m *Map) Pins() []Pin { return slices.Clone(m.pins) }

// Selected is the ID of the highlighted pin, "" if none.
func (m *Map) Selected() string { return m.selected }

// Tapped selects the pin or zooms into the cluster under the pointer, or
// else reports the position to OnTapped. It implements fyne.Tappable.
func (m *Map) Tapped(ev *fyne.PointEvent) {
	if c, ok := m.clusterAt(ev.Position); ok {
		if c.count > 1 {
			m.center = c.world
			m.setZoom(m.zoom + 2)
			m.changed()
			return
		}
		id := m.pins[c.first].ID
		m.SetSelected(id)
		if m.OnPinTapped != nil {
			m.OnPinTapped(id)
		}
		return
	}
	if m.OnTapped != nil {
		ll := fromWorld(m.toWorldPos(ev.Position))
		m.OnTapped(ll[1], ll[0])
	}
}

// DoubleTapped zooms in one level around the pointer. It implements
// fyne.DoubleTappable.
func (m *Map) DoubleTapped(ev *fyne.PointEvent) { m.zoomAt(ev.Position, 1) }

// Dragged pans the map with the pointer. It implements fyne.Draggable.
func (m *Map) Dragged(ev *fyne.DragEvent) {
	s := scale(m.zoom)
	m.center[0] -= float64(ev.Dragged.DX) / s
	m.center[1] -= float64(ev.Dragged.DY) / s
	m.clampCenter()
	m.changed()
}

// DragEnd ends a pan. It implements fyne.Draggable.
func (m *Map) DragEnd() {}

// Scrolled zooms around the pointer, a level per wheel notch; a touchpad's
// small steps add up to a notch. Being Scrollable, the map takes the scroll
// events over it, so a page the map sits in does not scroll under the
// pointer. It implements fyne.Scrollable.
func (m *Map) Scrolled(ev *fyne.ScrollEvent) {
	if (ev.Scrolled.DY > 0) != (m.scrollAcc > 0) {
		m.scrollAcc = 0 // a turn the other way starts afresh
	}
	m.scrollAcc += ev.Scrolled.DY
	switch {
	case m.scrollAcc >= 10:
		m.scrollAcc = 0
		m.zoomAt(ev.Position, 1)
	case m.scrollAcc <= -10:
		m.scrollAcc = 0
		m.zoomAt(ev.Position, -1)
	}
}

// MinSize is small: the map fills what it is given.
func (m *Map) MinSize() fyne.Size { return fyne.NewSize(120, 120) }

// Resize sizes the map. A new size shows other bounds, so it is a view
// change too: OnViewChanged follows once the size settles (the window's
// first layout, the user resizing the window or moving a split).
func (m *Map) Resize(size fyne.Size) {
	if size == m.Size() {
		return
	}
	m.BaseWidget.Resize(size) // lays the map out again
	m.viewChangeLater()
}

func (m *Map) mid() fyne.Position {
	sz := m.Size()
	return fyne.NewPos(sz.Width/2, sz.Height/2)
}

// toWorldPos is the world point under a position on the widget.
func (m *Map) toWorldPos(p fyne.Position) orb.Point {
	s := scale(m.zoom)
	mid := m.mid()
	return orb.Point{m.center[0] + float64(p.X-mid.X)/s, m.center[1] + float64(p.Y-mid.Y)/s}
}

// toScreen is the position on the widget of a world point.
func (m *Map) toScreen(w orb.Point) fyne.Position {
	s := scale(m.zoom)
	mid := m.mid()
	return fyne.NewPos(float32((w[0]-m.center[0])*s)+mid.X, float32((w[1]-m.center[1])*s)+mid.Y)
}

// zoomAt changes the zoom by dz keeping the point under p where it is.
func (m *Map) zoomAt(p fyne.Position, dz int) {
	before := m.toWorldPos(p)
	old := m.zoom
	m.setZoom(m.zoom + dz)
	if m.zoom == old {
		return
	}
	after := m.toWorldPos(p)
	m.center[0] += before[0] - after[0]
	m.center[1] += before[1] - after[1]
	m.clampCenter()
	m.changed()
}

func (m *Map) setZoom(z int) {
	m.zoom = max(MinZoom, min(MaxZoom, z))
}

func (m *Map) clampCenter() {
	m.center[0] = math.Max(0, math.Min(1, m.center[0]))
	m.center[1] = math.Max(0, math.Min(1, m.center[1]))
}

// changed redraws the map and (re)starts the wait before OnViewChanged.
func (m *Map) changed() {
	m.Refresh()
	m.viewChangeLater()
}

// viewChangeLater (re)starts the wait before OnViewChanged.
func (m *Map) viewChangeLater() {
	if m.viewTimer != nil {
		m.viewTimer.Stop()
	}
	m.viewTimer = time.AfterFunc(m.opts.ViewChangeDelay, func() {
		m.do(func() {
			if m.closed.Load() {
				return // the window is gone; a timer that fired as it closed
			}
			b := m.Bounds()
			if m.OnViewChanged != nil && b != m.lastView {
				m.lastView = b
				m.OnViewChanged(b)
			}
		})
	})
}

// cluster is one marker: a pin alone (count 1) or several pins close
// together at the current zoom.
type cluster struct {
	world orb.Point // mean position of its pins
	count int
	first int  // index of its first pin
	sel   bool // holds the selected pin
}

// makeClusters groups pins that would be drawn within cellPx screen units
// of each other at zoom z. It is greedy, in pin order, with a grid of
// cellPx cells fixed to the world for lookups: a pin joins the nearest
// cluster whose first pin lies within cellPx of it (searching the 3x3 cells
// around), else starts its own. Being fixed to the world, clusters don't
// change as the map pans. The result is ordered top to bottom.
func makeClusters(pts []orb.Point, z int, cellPx float64) []cluster {
	s := scale(z) / cellPx // world → cell units
	g := newSeedGrid(pts, s)
	var out []cluster
	seeds := make([]orb.Point, 0, len(pts))
	for i, w := range pts {
		p := orb.Point{w[0] * s, w[1] * s}
		cx, cy := int(math.Floor(p[0])), int(math.Floor(p[1]))
		best, bestD := -1, 1.0
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				for k := g.first(cx+dx, cy+dy); k >= 0; k = g.next[k] {
					d := math.Hypot(seeds[k][0]-p[0], seeds[k][1]-p[1])
					if d < bestD {
						best, bestD = int(k), d
					}
				}
			}
		}
		if best >= 0 {
			cl := &out[best]
			cl.world[0] += w[0]
			cl.world[1] += w[1]
			cl.count++
			continue
		}
		g.add(cx, cy, int32(len(out)))
		seeds = append(seeds, p)
		out = append(out, cluster{world: w, count: 1, first: i})
	}
	for i := range out {
		out[i].world[0] /= float64(out[i].count)
		out[i].world[1] /= float64(out[i].count)
	}
	slices.SortStableFunc(out, func(a, b cluster) int {
		return cmp.Or(cmp.Compare(a.world[1], b.world[1]), cmp.Compare(a.world[0], b.world[0]))
	})
	return out
}

// seedGrid finds the cluster seeds in a grid cell: a linked list of seeds
// per cell, the cells in a dense array over the pins' extent when it is
// small enough, else in a map.
type seedGrid struct {
	x0, y0, w, h int
	dense        []int32          // first seed of each cell, -1 for none
	sparse       map[[2]int]int32 // first seed of each cell, when not dense
	next         []int32          // next seed in the same cell, -1 for none
}

func newSeedGrid(pts []orb.Point, s float64) *seedGrid {
	g := &seedGrid{next: make([]int32, 0, len(pts))}
	if len(pts) == 0 {
		return g
	}
	b := orb.MultiPoint(pts).Bound()
	// One cell of margin each side for the neighbours looked at.
	g.x0, g.y0 = int(math.Floor(b.Min[0]*s))-1, int(math.Floor(b.Min[1]*s))-1
	g.w, g.h = int(math.Floor(b.Max[0]*s))-g.x0+2, int(math.Floor(b.Max[1]*s))-g.y0+2
	if g.w > 0 && g.h > 0 && g.w*g.h <= 8*len(pts)+1024 {
		g.dense = make([]int32, g.w*g.h)
		for i := range g.dense {
			g.dense[i] = -1
		}
	} else {
		g.sparse = make(map[[2]int]int32)
	}
	return g
}

// first is the first seed of cell (x, y), -1 if none.
func (g *seedGrid) first(x, y int) int32 {
	if g.dense == nil {
		if k, ok := g.sparse[[2]int{x, y}]; ok {
			return k
		}
		return -1
	}
	x, y = x-g.x0, y-g.y0
	if x < 0 || y < 0 || x >= g.w || y >= g.h {
		return -1
	}
	return g.dense[y*g.w+x]
}

// add puts seed k in cell (x, y).
func (g *seedGrid) add(x, y int, k int32) {
	g.next = append(g.next, g.first(x, y))
	if g.dense == nil {
		g.sparse[[2]int{x, y}] = k
		return
	}
	g.dense[(y-g.y0)*g.w+x-g.x0] = k
}

// currentClusters are the markers at the current zoom. The selected pin
// always stands alone, so its highlight is never hidden in a cluster.
func (m *Map) currentClusters() []cluster {
	if m.clusterZ != m.zoom {
		sel := -1
		pts := m.pinWorld
		if m.selected != "" {
			for i, p := range m.pins {
				if p.ID == m.selected {
					sel = i
					break
				}
			}
		}
		if sel >= 0 {
			pts = slices.Concat(pts[:sel:sel], pts[sel+1:])
		}
		m.clusters = makeClusters(pts, m.zoom, clusterCell)
		if sel >= 0 {
			for i := range m.clusters {
				if m.clusters[i].first >= sel {
					m.clusters[i].first++ // index into m.pins again
				}
			}
			m.clusters = append(m.clusters, cluster{world: m.pinWorld[sel], count: 1, first: sel})
		}
		m.clusterZ = m.zoom
	}
	return m.clusters
}

// radius is the size of a cluster's marker.
func (c cluster) radius(selected bool) float32 {
	if c.count > 1 {
		return float32(12 + 4*math.Log10(float64(c.count)))
	}
	if selected {
		return 9
	}
	return 7
}

// clusterAt is the marker under p, the top one if several.
func (m *Map) clusterAt(p fyne.Position) (cluster, bool) {
	cs := m.currentClusters()
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		sp := m.toScreen(c.world)
		r := c.radius(c.count == 1 && m.pins[c.first].ID == m.selected) + 4
		dx, dy := sp.X-p.X, sp.Y-(p.Y)
		if dx*dx+dy*dy <= r*r {
			return c, true
		}
	}
	return cluster{}, false
}

// CreateRenderer implements fyne.Widget.
func (m *Map) CreateRenderer() fyne.WidgetRenderer {
	// The tiles are composed at their own pixels, one per Fyne unit, and
	// scaled by the painter on a denser screen.
	r := &mapRenderer{m: m, tiles: newComposite(premultiply(WaterColor), canvas.ImageScaleFastest)}
	r.attrBg = canvas.NewRectangle(color.NRGBA{0xff, 0xff, 0xff, 0xc0})
	r.attr = canvas.NewText(m.opts.Attribution, color.NRGBA{0x33, 0x33, 0x33, 0xff})
	r.attr.TextSize = 11
	r.zoomIn = widget.NewButtonWithIcon("", theme.ZoomInIcon(), m.ZoomIn)
	r.zoomOut = widget.NewButtonWithIcon("", theme.ZoomOutIcon(), m.ZoomOut)
	r.zoomBox = container.NewGridWithRows(2, r.zoomIn, r.zoomOut)
	r.layer = newMarkerLayer()
	return r
}

// mapRenderer draws the map from its state at each layout and refresh.
type mapRenderer struct {
	m        *Map
	tiles    *composite          // the tiles shown, on the sea's colour where none is
	lines    []*canvas.Line      // the route segments made so far, reused
	lineObjs []fyne.CanvasObject // those of the last frame
	layer    *markerLayer
	marks    []marker // the markers of the last frame, the selected one last
	attrBg   *canvas.Rectangle
	attr     *canvas.Text
	zoomIn   *widget.Button
	zoomOut  *widget.Button
	zoomBox  *fyne.Container
	objects  []fyne.CanvasObject
}

// marker is one cluster as drawn.
type marker struct {
	pos   fyne.Position // centre of the dot
	dot   spriteKey     // the dot, with a cluster's count
	count string        // a cluster's count, "" for a lone pin
	label string        // a lone pin's label, "" when left out
	halo  fyne.Position // top-left of the label's halo
	box   fyne.Size     // size of the label's halo
}

func (r *mapRenderer) Destroy()                     {}
func (r *mapRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *mapRenderer) MinSize() fyne.Size           { return r.m.MinSize() }
func (r *mapRenderer) Layout(fyne.Size)             { r.rebuild() }
func (r *mapRenderer) Refresh()                     { r.rebuild(); canvas.Refresh(r.m) }

var (
	pinColor      = color.NRGBA{0xd6, 0x33, 0x33, 0xff}
	selectedColor = color.NRGBA{0xff, 0x8c, 0x00, 0xff}
	clusterColor  = color.NRGBA{0x2b, 0x5f, 0xb3, 0xf0}
	routeColor    = color.NRGBA{0x1a, 0x73, 0xe8, 0xe0}
	routeDimColor = color.NRGBA{0x1a, 0x73, 0xe8, 0x80}
	white         = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	labelColor    = color.NRGBA{0x20, 0x20, 0x20, 0xff}
)

func (r *mapRenderer) rebuild() {
	m := r.m
	sz := m.Size()
	objs := r.objects[:0]

	// Tiles, the ones nearest the middle first in the fetch order.
	z := m.zoom
	s := scale(z)
	n := 1 << z
	left := m.center[0]*s - float64(sz.Width)/2
	top := m.center[1]*s - float64(sz.Height)/2
	x0, x1 := max(0, int(math.Floor(left/TileSize))), min(n-1, int(math.Floor((left+float64(sz.Width))/TileSize)))
	y0, y1 := max(0, int(math.Floor(top/TileSize))), min(n-1, int(math.Floor((top+float64(sz.Height))/TileSize)))
	var visible []maptile.Tile
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			visible = append(visible, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
		}
	}
	cx, cy := (left+float64(sz.Width)/2)/TileSize, (top+float64(sz.Height)/2)/TileSize
	slices.SortFunc(visible, func(a, b maptile.Tile) int {
		da := math.Hypot(float64(a.X)+0.5-cx, float64(a.Y)+0.5-cy)
		db := math.Hypot(float64(b.X)+0.5-cx, float64(b.Y)+0.5-cy)
		return cmp.Compare(da, db)
	})
	if sz.Width > 0 && sz.Height > 0 {
		m.fetch.want(visible)
	}
	m.offline = false
	r.tiles.begin()
	for _, t := range visible {
		img, real := m.fetch.lookup(t)
		if !real {
			m.offline = true
		}
		if img != nil {
			r.tiles.put(img, image.Pt(int(math.Round(float64(t.X)*TileSize-left)), int(math.Round(float64(t.Y)*TileSize-top))), draw.Src)
		}
	}

	// Routes; the selected one last, so it is on top.
	lines := r.lineObjs[:0]
	order := make([]int, 0, len(m.routeW))
	sel := -1
	for i, rt := range m.routes {
		if rt.ID == m.selRoute && m.selRoute != "" {
			sel = i
			continue
		}
		order = append(order, i)
	}
	if sel >= 0 {
		order = append(order, sel)
	}
	for _, ri := range order {
		pts := m.routeW[ri]
		col, width := routeColor, float32(4)
		switch {
		case ri == sel:
			col, width = selectedColor, 6
		case sel >= 0:
			col = routeDimColor
		}
		for i := 1; i < len(pts); i++ {
			a, b := m.toScreen(pts[i-1]), m.toScreen(pts[i])
			if (a.X < 0 && b.X < 0) || (a.Y < 0 && b.Y < 0) ||
				(a.X > sz.Width && b.X > sz.Width) || (a.Y > sz.Height && b.Y > sz.Height) {
				continue
			}
			if len(lines) == len(r.lines) {
				r.lines = append(r.lines, canvas.NewLine(routeColor))
			}
			ln := r.lines[len(lines)]
			ln.StrokeColor, ln.StrokeWidth = col, width
			ln.Position1, ln.Position2 = a, b
			ln.Refresh()
			lines = append(lines, ln)
		}
	}
	r.lineObjs = lines

	// Pins and clusters, the selected pin last so it is on top. When no
	// route lies between them and the screen's pixels are the tiles' (scale
	// 1), the markers are drawn into the tiles' image: one opaque texture,
	// where a transparent layer of the map's size over it costs a software
	// OpenGL some 6 ms a frame to blend (BENCH P6).
	scale := canvasScale(m)
	r.layer.setScale(scale)
	tilesW, tilesH := int(math.Ceil(float64(sz.Width))), int(math.Ceil(float64(sz.Height)))
	if scale == 1 && len(lines) == 0 {
		r.layer.begin(r.tiles)
	} else {
		objs = r.tiles.end(objs, tilesW, tilesH, sz)
		objs = append(objs, lines...)
		r.layer.begin(r.layer.own)
	}
	r.marks = r.marks[:0]
	var selMark *marker
	var labels [][2]fyne.Position // top-left and bottom-right of the labels placed
	for _, c := range m.currentClusters() {
		p := m.toScreen(c.world)
		// Only markers whose point is on the map: nothing is drawn over the
		// widgets around it.
		if p.X < 0 || p.Y < 0 || p.X > sz.Width || p.Y > sz.Height {
			continue
		}
		sel := c.count == 1 && m.pins[c.first].ID == m.selected
		mk := r.layer.place(c, p, sel, m.pins[c.first].Label, sz.Width)
		if mk.label != "" && !sel {
			// A label that would cover another is left out: overlapping
			// labels can't be read.
			if overlapsAny(labels, mk.halo, mk.box) {
				mk.label = ""
			} else {
				labels = append(labels, [2]fyne.Position{mk.halo, mk.halo.Add(mk.box)})
			}
		}
		if sel {
			selMark = &mk
			continue
		}
		r.layer.draw(mk)
		r.marks = append(r.marks, mk)
	}
	if selMark != nil {
		r.layer.draw(*selMark)
		r.marks = append(r.marks, *selMark)
	}
	if r.layer.to == r.tiles {
		objs = r.tiles.end(objs, tilesW, tilesH, sz)
	} else {
		objs = r.layer.end(objs, sz)
	}

	// Attribution, bottom right, always.
	text := m.opts.Attribution
	if m.offline && m.opts.Basemap != nil {
		text += " · Natural Earth"
	}
	r.attr.Text = text
	ts := r.attr.MinSize()
	r.attrBg.Resize(fyne.NewSize(ts.Width+8, ts.Height+2))
	r.attrBg.Move(fyne.NewPos(sz.Width-ts.Width-8, sz.Height-ts.Height-2))
	r.attr.Move(fyne.NewPos(sz.Width-ts.Width-4, sz.Height-ts.Height-1))
	r.attr.Resize(ts)
	r.attr.Refresh()
	objs = append(objs, r.attrBg, r.attr)

	// Zoom buttons, top left.
	bs := r.zoomIn.MinSize()
	r.zoomBox.Move(fyne.NewPos(theme.Padding()*2, theme.Padding()*2))
	r.zoomBox.Resize(fyne.NewSize(bs.Width, bs.Height*2+theme.Padding()))
	if m.zoom >= MaxZoom {
		r.zoomIn.Disable()
	} else {
		r.zoomIn.Enable()
	}
	if m.zoom <= MinZoom {
		r.zoomOut.Disable()
	} else {
		r.zoomOut.Enable()
	}
	objs = append(objs, r.zoomBox)
	r.objects = objs
}

// overlapsAny reports whether the box at p of size sz overlaps any of rects.
func overlapsAny(rects [][2]fyne.Position, p fyne.Position, sz fyne.Size) bool {
	for _, r := range rects {
		if p.X < r[1].X && r[0].X < p.X+sz.Width && p.Y < r[1].Y && r[0].Y < p.Y+sz.Height {
			return true
		}
	}
	return false
}

// canvasScale is the scale of the canvas m is on, 1 before it is on one.
func canvasScale(m *Map) float32 {
	if a := fyne.CurrentApp(); a != nil {
		if c := a.Driver().CanvasForObject(m); c != nil {
			return c.Scale()
		}
	}
	return 1
}

// place shapes the marker of cluster c centred at p on a map maxX wide.
func (l *markerLayer) place(c cluster, p fyne.Position, selected bool, label string, maxX float32) marker {
	rad := c.radius(selected)
	mk := marker{pos: p, dot: spriteKey{radius: rad, fill: pinColor, stroke: 2}}
	switch {
	case c.count > 1:
		mk.dot.fill, mk.dot.stroke = clusterColor, 3
		mk.count = strconv.Itoa(c.count)
		mk.dot.text = mk.count
	case selected:
		mk.dot.fill, mk.dot.stroke = selectedColor, 3
		mk.label = label
	default:
		mk.label = label
	}
	if mk.label != "" {
		ts := l.textSize(mk.label)
		if p.X+rad+labelPad+2+ts.Width > maxX {
			mk.label = "" // a label that would run off the map's right edge is left out
		} else {
			mk.halo = fyne.NewPos(p.X+rad+2, p.Y-ts.Height/2)
			mk.box = fyne.NewSize(ts.Width+2*labelPad, ts.Height)
		}
	}
	return mk
}

// draw places the sprites of mk.
func (l *markerLayer) draw(mk marker) {
	l.put(l.get(mk.dot), mk.pos)
	if mk.label != "" {
		l.put(l.get(spriteKey{label: true, text: mk.label}), mk.halo)
	}
}
