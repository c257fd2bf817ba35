package mapview

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// tileServer serves a small PNG for every path, slowly, and records the
// User-Agent and the most requests it had at once.
type tileServer struct {
	*httptest.Server
	fail      atomic.Bool
	requests  atomic.Int32
	notMod    atomic.Int32 // 304 answers given
	active    atomic.Int32
	maxActive atomic.Int32
	mu        sync.Mutex
	agents    map[string]bool
}

func newTileServer(t *testing.T) *tileServer {
	ts := &tileServer{agents: map[string]bool{}}
	var buf bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, TileSize, TileSize))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.SetNRGBA(0, 0, color.NRGBA{1, 2, 3, 255})
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	body := buf.Bytes()
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		n := ts.active.Add(1)
		defer ts.active.Add(-1)
		for {
			m := ts.maxActive.Load()
			if n <= m || ts.maxActive.CompareAndSwap(m, n) {
				break
			}
		}
		ts.mu.Lock()
		ts.agents[r.UserAgent()] = true
		ts.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		if ts.fail.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("If-Modified-Since") != "" {
			ts.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tileServer) template() string { return ts.URL + "/{z}/{x}/{y}.png" }

func someTiles() []maptile.Tile {
	var tiles []maptile.Tile
	for x := range 4 {
		for y := range 3 {
			tiles = append(tiles, maptile.New(uint32(x), uint32(y), 5))
		}
	}
	return tiles
}

func waitLoaded(t *testing.T, f *fetcher, tiles []maptile.Tile) {
	t.Helper()
	waitFor(t, nil, "tiles", func() bool {
		for _, tl := range tiles {
			if _, real := f.lookup(tl); !real {
				return false
			}
		}
		return true
	})
}

func TestFetcherPolicyAndDiskCache(t *testing.T) {
	ts := newTileServer(t)
	dir := t.TempDir()
	opts := Options{TileURL: ts.template(), CacheDir: dir, UserAgent: DefaultUserAgent,
		HTTPClient: ts.Client(), MaxAge: time.Hour, MemTiles: 64}
	tiles := someTiles()

	f := newFetcher(opts, nil, func() {})
	f.want(tiles)
	waitLoaded(t, f, tiles)
	f.close()

	if got := ts.requests.Load(); got != int32(len(tiles)) {
		t.Errorf("server had %d requests, want %d", got, len(tiles))
	}
	if got := ts.maxActive.Load(); got > MaxConcurrentFetches || got < 1 {
		t.Errorf("server saw %d requests at once, want 1..%d", got, MaxConcurrentFetches)
	}
	ts.mu.Lock()
	if len(ts.agents) != 1 || !ts.agents[DefaultUserAgent] {
		t.Errorf("User-Agents sent: %v", ts.agents)
	}
	ts.mu.Unlock()
	files, _ := filepath.Glob(filepath.Join(dir, "tiles-*", "5", "*", "*"))
	if len(files) != len(tiles) {
		t.Errorf("%d tiles on disk, want %d", len(files), len(tiles))
	}

	// A second fetcher on the same directory loads from disk: no requests.
	f2 := newFetcher(opts, nil, func() {})
	defer f2.close()
	f2.want(tiles)
	waitLoaded(t, f2, tiles)
	if got := ts.requests.Load(); got != int32(len(tiles)) {
		t.Errorf("disk cache missed: server had %d requests, want still %d", got, len(tiles))
	}

	// A stale tile is fetched again, and still shown if the server fails.
	old := time.Now().Add(-2 * time.Hour)
	for _, p := range files {
		os.Chtimes(p, old, old)
	}
	ts.fail.Store(true)
	f3 := newFetcher(opts, nil, func() {})
	defer f3.close()
	f3.want(tiles[:2])
	waitLoaded(t, f3, tiles[:2])
	if got := ts.requests.Load(); got != int32(len(tiles)+2) {
		t.Errorf("stale tiles: server had %d requests, want %d", got, len(tiles)+2)
	}

	// With the server back, a stale tile is revalidated: 304, and the copy
	// on disk is fresh again.
	ts.fail.Store(false)
	f4 := newFetcher(opts, nil, func() {})
	defer f4.close()
	f4.want(tiles[:1])
	waitLoaded(t, f4, tiles[:1])
	if got := ts.notMod.Load(); got != 1 {
		t.Errorf("%d 304 answers, want 1", got)
	}
	p := filepath.Join(f4.dir, "5", "0", "0")
	if st, err := os.Stat(p); err != nil || time.Since(st.ModTime()) > time.Minute {
		t.Errorf("revalidated tile %s not refreshed: %v", p, err)
	}
}

func TestFetcherMemoryBound(t *testing.T) {
	ts := newTileServer(t)
	f := newFetcher(Options{TileURL: ts.template(), UserAgent: "x", HTTPClient: ts.Client(), MemTiles: 5}, nil, func() {})
	defer f.close()
	tiles := someTiles()
	for _, tl := range tiles {
		f.want([]maptile.Tile{tl})
		waitLoaded(t, f, []maptile.Tile{tl})
	}
	if n := f.mem.len(); n != 5 {
		t.Errorf("memory cache holds %d tiles, want its bound 5", n)
	}
}

// With the tile server down the map shows the basemap, credits Natural
// Earth, and doesn't ask again for tiles that just failed.
func TestMapFallsBackToBasemap(t *testing.T) {
	ts := newTileServer(t)
	ts.fail.Store(true)
	test.NewTempApp(t)
	m := New(Options{TileURL: ts.template(), HTTPClient: ts.Client(), Basemap: squareBasemap(t)})
	q := &uiQueue{}
	m.do = q.do
	defer m.Close()
	w := test.NewTempWindow(t, m)
	w.Resize(fyne.NewSize(600, 400))
	m.SetCenter(52.37, 4.89, 5)
	r := test.WidgetRenderer(m).(*mapRenderer)

	waitFor(t, q, "basemap tiles on every visible tile", func() bool {
		vis := visibleTiles(m)
		return len(vis) > 0 && len(r.tiles.shown) == len(vis)
	})
	if !m.offline {
		t.Error("map should know it shows the basemap")
	}
	if !strings.Contains(r.attr.Text, "OpenStreetMap contributors") || !strings.Contains(r.attr.Text, "Natural Earth") {
		t.Errorf("attribution %q", r.attr.Text)
	}
	// Amsterdam's tile is the basemap's, with Amsterdam on land.
	tl := tileAt(orb.Point{4.89, 52.37}, 5)
	img, real := m.fetch.lookup(tl)
	if real || img == nil {
		t.Fatalf("tile %v: real=%v img=%v", tl, real, img != nil)
	}
	if c := nrgbaAt(img, 128, 128); c != LandColor {
		t.Errorf("middle of the basemap tile is %v, want land", c)
	}
	// Every download asked for has failed, none is still under way.
	waitFor(t, q, "the downloads to fail", func() bool {
		m.fetch.mu.Lock()
		defer m.fetch.mu.Unlock()
		for _, tl := range visibleTiles(m) {
			if _, ok := m.fetch.failed[tl]; !ok {
				return false
			}
		}
		return m.fetch.active == 0
	})
	requests := ts.requests.Load()
	m.Refresh()
	q.drain()
	time.Sleep(100 * time.Millisecond)
	if got := ts.requests.Load(); got != requests {
		t.Errorf("failed tiles asked for again at once: %d requests, then %d", requests, got)
	}

	// The server comes back: tiles replace the basemap after the retry wait
	// (simulated by forgetting the failures).
	ts.fail.Store(false)
	m.fetch.mu.Lock()
	clear(m.fetch.failed)
	m.fetch.mu.Unlock()
	m.Refresh()
	waitFor(t, q, "real tiles", func() bool { return !m.offline && !strings.Contains(r.attr.Text, "Natural Earth") })
}

// visibleTiles is the tiles the map covers now.
func visibleTiles(m *Map) []maptile.Tile {
	b := m.Bounds()
	return maptile.Tiles(tilesIn(b, m.zoom))
}

func tilesIn(b orb.Bound, z int) []maptile.Tile {
	lo := tileAt(orb.Point{b.Min[0], b.Max[1]}, z)
	hi := tileAt(orb.Point{b.Max[0] - 1e-9, b.Min[1] + 1e-9}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, maptile.Zoom(z)))
		}
	}
	return out
}

// squareBasemap is a basemap whose only land is a square over western
// Europe, quick to load under the race detector.
func squareBasemap(t *testing.T) *Basemap {
	t.Helper()
	b, err := LoadBasemap([]byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
		 "coordinates":[[[-10,35],[30,35],[30,70],[-10,70],[-10,35]]]}},
		{"type":"Feature","properties":{},"geometry":{"type":"LineString",
		 "coordinates":[[6,45],[6,60]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A map may get its basemap after it is shown (the app loads it off the UI
// goroutine): the missing tiles are then drawn from it.
func TestSetBasemapLater(t *testing.T) {
	test.NewTempApp(t)
	m := New(Options{NoTiles: true})
	q := &uiQueue{}
	m.do = q.do
	defer m.Close()
	w := test.NewTempWindow(t, m)
	w.Resize(fyne.NewSize(400, 300))
	m.SetCenter(52.37, 4.89, 6)
	r := test.WidgetRenderer(m).(*mapRenderer)
	time.Sleep(50 * time.Millisecond)
	q.drain()
	if len(r.tiles.shown) != 0 {
		t.Fatalf("%d tiles drawn with no tiles and no basemap", len(r.tiles.shown))
	}
	m.SetBasemap(squareBasemap(t))
	waitFor(t, q, "basemap tiles", func() bool { return len(r.tiles.shown) > 0 && len(r.tiles.shown) == len(visibleTiles(m)) })
	if !strings.Contains(r.attr.Text, DefaultAttribution) {
		t.Errorf("attribution %q", r.attr.Text)
	}
}
