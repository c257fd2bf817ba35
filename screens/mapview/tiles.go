package mapview

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // tile servers that serve JPEG
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb/maptile"
)

// Defaults of Options.
const (
	// DefaultTileURL is OpenStreetMap's standard tile layer.
	DefaultTileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	// DefaultUserAgent identifies Caravan to tile servers, as OSM's tile
	// usage policy asks.
	DefaultUserAgent = "Caravan/0.1 (+https://github.com/caravan-p2p/caravan)"
	// DefaultAttribution is the credit OSM's licence requires on the map.
	DefaultAttribution = "© OpenStreetMap contributors"
	// DefaultMaxAge is how long a tile on disk is used without asking the
	// server again. A stale tile is still shown when the server can't be had.
	DefaultMaxAge = 30 * 24 * time.Hour
	// DefaultMemTiles is how many decoded tiles the memory cache holds.
	DefaultMemTiles = 256
	// MaxConcurrentFetches is the most tile downloads at once, per OSM's
	// tile usage policy ("a few").
	MaxConcurrentFetches = 2
	// retryFailed is how long a tile that failed to download waits before
	// it is tried again.
	retryFailed = 2 * time.Minute
	// fetchTimeout bounds one tile download.
	fetchTimeout = 20 * time.Second
)

// TileURL fills a tile URL template: {z}, {x} and {y} become the tile's zoom
// and coordinates, and {s} becomes a subdomain letter (a, b or c) chosen from
// the tile so that a tile always maps to the same URL.
func TileURL(template string, t maptile.Tile) string {
	r := strings.NewReplacer(
		"{z}", strconv.Itoa(int(t.Z)),
		"{x}", strconv.FormatUint(uint64(t.X), 10),
		"{y}", strconv.FormatUint(uint64(t.Y), 10),
		"{s}", string(rune('a'+(t.X+t.Y)%3)),
	)
	return r.Replace(template)
}

// fetcher gets tiles for the map: from memory, from the disk cache, from the
// tile server (at most MaxConcurrentFetches at a time), and draws basemap
// tiles for whatever isn't available yet. It is safe for concurrent use;
// its workers call ready, from their own goroutines, when a tile arrives.
type fetcher struct {
	template  string
	userAgent string
	dir       string // disk cache for this template; "" for none
	maxAge    time.Duration
	client    *http.Client
	ready     func()

	mem  *lru // downloaded tiles
	base *lru // basemap tiles

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	cond      *sync.Cond
	closed    bool
	basemap   *Basemap       // nil: no basemap tiles
	queue     []maptile.Tile // tiles to download, most wanted first
	baseQueue []maptile.Tile // basemap tiles to draw, most wanted first
	busy      map[maptile.Tile]bool
	baseBusy  map[maptile.Tile]bool
	failed    map[maptile.Tile]time.Time
	active    int // downloads under way
	maxActive int // the most downloads ever under way at once
	requests  int // HTTP requests made
}

func newFetcher(o Options, basemap *Basemap, ready func()) *fetcher {
	f := &fetcher{
		template:  o.TileURL,
		userAgent: o.UserAgent,
		maxAge:    o.MaxAge,
		client:    o.HTTPClient,
		basemap:   basemap,
		ready:     ready,
		mem:       newLRU(o.MemTiles),
		base:      newLRU(o.MemTiles),
		busy:      make(map[maptile.Tile]bool),
		baseBusy:  make(map[maptile.Tile]bool),
		failed:    make(map[maptile.Tile]time.Time),
	}
	if o.CacheDir != "" {
		// One directory per tile source, so switching servers never mixes
		// their tiles.
		sum := sha256.Sum256([]byte(o.TileURL))
		f.dir = filepath.Join(o.CacheDir, "tiles-"+hex.EncodeToString(sum[:6]))
	}
	f.cond = sync.NewCond(&f.mu)
	f.ctx, f.cancel = context.WithCancel(context.Background())
	n := MaxConcurrentFetches
	if f.template == "" {
		n = 0 // tiles disabled: basemap only
	}
	for range n {
		f.wg.Go(f.fetchLoop)
	}
	f.wg.Go(f.baseLoop)
	return f
}

// setBasemap replaces the basemap and forgets the tiles drawn from the old.
func (f *fetcher) setBasemap(b *Basemap) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.basemap = b
	f.base.clear()
	f.baseQueue = f.baseQueue[:0]
}

func key(t maptile.Tile) string {
	return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)
}

// lookup returns the best image there is for t now: the downloaded tile,
// else the basemap tile, else nil. real tells which.
func (f *fetcher) lookup(t maptile.Tile) (img *image.RGBA, real bool) {
	if img, ok := f.mem.get(key(t)); ok {
		return img, true
	}
	if img, ok := f.base.get(key(t)); ok {
		return img, false
	}
	return nil, false
}

// want replaces the queues with the tiles of the view, most wanted first.
// Tiles already held, under way or failed recently are left out; tiles of
// an earlier view that have not started are dropped, so panning never
// leaves a backlog of downloads nobody will see.
func (f *fetcher) want(tiles []maptile.Tile) {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue, f.baseQueue = f.queue[:0], f.baseQueue[:0]
	for _, t := range tiles {
		k := key(t)
		if _, ok := f.mem.get(k); ok {
			continue
		}
		if f.template != "" && !f.busy[t] {
			if at, ok := f.failed[t]; !ok || now.Sub(at) > retryFailed {
				f.queue = append(f.queue, t)
			}
		}
		if f.basemap != nil && !f.baseBusy[t] {
			if _, ok := f.base.get(k); !ok {
				f.baseQueue = append(f.baseQueue, t)
			}
		}
	}
	f.cond.Broadcast()
}

// close stops the workers and waits for them.
func (f *fetcher) close() {
	f.mu.Lock()
	f.closed = true
	f.cond.Broadcast()
	f.mu.Unlock()
	f.cancel()
	f.wg.Wait()
}

// next takes the first tile of *q, waiting for one; false once closed.
func (f *fetcher) next(q *[]maptile.Tile, busy map[maptile.Tile]bool) (maptile.Tile, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(*q) == 0 && !f.closed {
		f.cond.Wait()
	}
	if f.closed {
		return maptile.Tile{}, false
	}
	t := (*q)[0]
	*q = (*q)[1:]
	busy[t] = true
	return t, true
}

func (f *fetcher) fetchLoop() {
	for {
		t, ok := f.next(&f.queue, f.busy)
		if !ok {
			return
		}
		img, err := f.load(t)
		f.mu.Lock()
		delete(f.busy, t)
		if err != nil {
			f.failed[t] = time.Now()
		} else {
			delete(f.failed, t)
		}
		f.mu.Unlock()
		if err == nil {
			f.mem.add(key(t), img)
			f.ready()
		}
	}
}

func (f *fetcher) baseLoop() {
	for {
		t, ok := f.next(&f.baseQueue, f.baseBusy)
		if !ok {
			return
		}
		f.mu.Lock()
		b := f.basemap
		f.mu.Unlock()
		if b != nil {
			img := b.renderTile(t)
			f.mu.Lock()
			if f.basemap == b { // not replaced meanwhile
				f.base.add(key(t), img)
			}
			f.mu.Unlock()
		}
		f.mu.Lock()
		delete(f.baseBusy, t)
		f.mu.Unlock()
		f.ready()
	}
}

// load gets tile t from the disk cache if it is fresh there, else from the
// server (saving it to disk; a stale copy is revalidated with
// If-Modified-Since), else a stale copy from disk.
func (f *fetcher) load(t maptile.Tile) (*image.RGBA, error) {
	path := ""
	var stale *image.RGBA
	if f.dir != "" {
		path = filepath.Join(f.dir, strconv.Itoa(int(t.Z)), strconv.FormatUint(uint64(t.X), 10),
			strconv.FormatUint(uint64(t.Y), 10))
		if st, err := os.Stat(path); err == nil {
			if img, err := decodeFile(path); err == nil {
				if time.Since(st.ModTime()) < f.maxAge {
					return img, nil
				}
				stale = img
			} else {
				os.Remove(path) // damaged: fetch it again
			}
		}
	}
	var since time.Time
	if stale != nil {
		if st, err := os.Stat(path); err == nil {
			since = st.ModTime()
		}
	}
	data, img, err := f.download(t, since)
	if errors.Is(err, errNotModified) {
		now := time.Now()
		os.Chtimes(path, now, now) // fresh again for another MaxAge
		return stale, nil
	}
	if err != nil {
		if stale != nil {
			return stale, nil
		}
		return nil, err
	}
	if path != "" {
		writeFile(path, data) // a cache that can't be written only costs a download
	}
	return img, nil
}

// errNotModified is download's answer when the server says the copy we have
// is still good.
var errNotModified = errors.New("tile not modified")

// download gets tile t from the server. A non-zero since asks the server to
// answer 304 Not Modified (errNotModified) if the tile hasn't changed.
func (f *fetcher) download(t maptile.Tile, since time.Time) ([]byte, *image.RGBA, error) {
	f.mu.Lock()
	f.active++
	f.requests++
	f.maxActive = max(f.maxActive, f.active)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()

	ctx, cancel := context.WithTimeout(f.ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, TileURL(f.template, t), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", f.userAgent)
	if !since.IsZero() {
		req.Header.Set("If-Modified-Since", since.UTC().Format(http.TimeFormat))
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && !since.IsZero() {
		return nil, nil, errNotModified
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("tile %s: %s", key(t), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, err
	}
	img, err := decodeTile(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("tile %s: %w", key(t), err)
	}
	return data, img, nil
}

func decodeFile(path string) (*image.RGBA, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return decodeTile(fh)
}

// decodeTile decodes a tile image into premultiplied RGBA: the painter
// makes every other kind of image into that on the UI goroutine, each time
// the tile is shown anew (a few ms for a screenful of tiles), while here it
// is done once, by the downloader.
func decodeTile(r io.Reader) (*image.RGBA, error) {
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, err
	}
	if rgba, ok := img.(*image.RGBA); ok {
		return rgba, nil
	}
	b := img.Bounds()
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
	return rgba, nil
}

// writeFile writes data to path through a temporary file and a rename, so a
// reader never sees half a tile.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tile-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
