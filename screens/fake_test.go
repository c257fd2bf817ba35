package screens

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/jpeg"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// fakeBackend is a Backend in memory. Its exported-looking knobs are set by
// tests under its mutex through the helper methods.
type fakeBackend struct {
	mu       sync.Mutex
	rooms    []app.RoomListing
	queries  []app.RoomQuery
	posted   []app.Room
	roomsErr error         // returned by Rooms while set
	postErr  error         // returned by the next PostRoom while set
	postGate chan struct{} // when set, PostRoom waits for it to close
	subs     []chan app.Event
	nextID   int
	status   app.Status     // returned by Status
	peers    []app.PeerInfo // returned by Peers
	peersErr error          // returned by Peers while set

	watched     [][4]float64    // every Watch
	rides       []app.RideMatch // returned by Rides
	rideQueries []app.RideQuery
	ridesErr    error // returned by Rides while set
	postedRides []app.Ride
	photos      map[string][]byte // hash → bytes, for Photo
	photoGate   chan struct{}     // when set, Photo waits for it to close
	addPhotoErr error             // returned by AddPhoto while set
	addedPaths  []string

	profileState *fakeProfiles  // see fake_profile_test.go
	wishes       *fakeWishState // fake_wishes_test.go
}

func newFake(rooms ...app.RoomListing) *fakeBackend {
	warmGazetteer()
	return &fakeBackend{rooms: rooms}
}

// warmGazetteer builds the embedded gazetteer's index once before the
// tests that type place names, so that its first build (slow under -race on
// a busy machine) does not count against their waits.
var warmGazetteer = sync.OnceFunc(func() { _, _ = app.Places("a", 1) })

func (f *fakeBackend) Rooms(ctx context.Context, q app.RoomQuery) ([]app.RoomListing, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	if f.roomsErr != nil {
		return nil, f.roomsErr
	}
	var out []app.RoomListing
	for _, r := range f.rooms {
		hay := strings.ToLower(r.Title + " " + r.Description + " " + strings.Join(r.Amenities, " "))
		if (q.Text == "" || strings.Contains(hay, strings.ToLower(q.Text))) &&
			(q.Guests == 0 || r.MaxGuests >= q.Guests) && (q.MaxPrice == 0 || r.PricePerNight <= q.MaxPrice) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b app.RoomListing) int { return b.IssuedAt.Compare(a.IssuedAt) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (f *fakeBackend) PostRoom(ctx context.Context, r app.Room) (string, error) {
	f.mu.Lock()
	gate := f.postGate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	f.mu.Lock()
	f.posted = append(f.posted, r)
	if err := f.postErr; err != nil {
		f.mu.Unlock()
		return "", err
	}
	f.nextID++
	id := fmt.Sprintf("posted-%d", f.nextID)
	f.rooms = append(f.rooms, app.RoomListing{ID: id, Author: "12D3KooWSelfSelfSelf", Version: 1, IssuedAt: time.Now(), Mine: true, Room: r})
	f.mu.Unlock()
	f.emit(roomEvent())
	return id, nil
}

func (f *fakeBackend) Status(ctx context.Context) (app.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.status
	st.Addrs = slices.Clone(st.Addrs)
	st.Cells = slices.Clone(st.Cells)
	st.Peers = len(f.peers)
	return st, nil
}

// watchLog is every area the screens asked the node to follow.
func (f *fakeBackend) watchLog() [][4]float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.watched)
}

func (f *fakeBackend) Watch(b [4]float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watched = append(f.watched, b)
}

func (f *fakeBackend) Coverage(ctx context.Context) (app.Coverage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return app.Coverage{Running: f.status.Running, Sync: slices.Clone(f.status.Sync)}, nil
}

func (f *fakeBackend) Peers(ctx context.Context) ([]app.PeerInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.peersErr != nil {
		return nil, f.peersErr
	}
	return slices.Clone(f.peers), nil
}

func (f *fakeBackend) Rides(ctx context.Context, q app.RideQuery) ([]app.RideMatch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rideQueries = append(f.rideQueries, q)
	if f.ridesErr != nil {
		return nil, f.ridesErr
	}
	return slices.Clone(f.rides), nil
}

func (f *fakeBackend) PostRide(ctx context.Context, r app.Ride) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.postedRides = append(f.postedRides, r)
	if f.postErr != nil {
		return "", f.postErr
	}
	f.nextID++
	return fmt.Sprintf("ride-%d", f.nextID), nil
}

// Places and ResolvePlace use the real embedded gazetteer: it is offline.
func (f *fakeBackend) Places(prefix string, limit int) ([]app.Place, error) {
	return app.Places(prefix, limit)
}

func (f *fakeBackend) CountryPlace(code string) (app.Place, bool) { return app.CountryPlace(code) }

func (f *fakeBackend) ResolvePlace(s string) ([2]float64, app.Place, error) {
	return app.ResolvePlace(s)
}

func (f *fakeBackend) AddPhoto(ctx context.Context, path string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.addPhotoErr != nil {
		return "", f.addPhotoErr
	}
	f.addedPaths = append(f.addedPaths, path)
	hash := fakePhotoHash(path)
	if f.photos == nil {
		f.photos = map[string][]byte{}
	}
	f.photos[hash] = testJPEG()
	return hash, nil
}

// fakePhotoHash is the hash the fake gives a photo file: its content hash
// stands in for the file's, so photos added at once get theirs whatever the
// order they are stored in.
func fakePhotoHash(path string) string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(path)))
}

func (f *fakeBackend) Photo(ctx context.Context, hash, author string) ([]byte, error) {
	f.mu.Lock()
	gate := f.photoGate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.photos[hash]
	if !ok {
		return nil, fmt.Errorf("photo %s is not stored here", hash)
	}
	return data, nil
}

// testJPEG is a small valid JPEG image.
func testJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// setPeers changes the connected peers and says so.
func (f *fakeBackend) setPeers(peers ...app.PeerInfo) {
	f.mu.Lock()
	f.peers = peers
	f.mu.Unlock()
	f.emit(app.Event{Kind: app.PeersChanged})
}

func (f *fakeBackend) Subscribe() (<-chan app.Event, func()) {
	ch := make(chan app.Event, 16)
	f.mu.Lock()
	f.subs = append(f.subs, ch)
	f.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			f.subs = slices.DeleteFunc(f.subs, func(c chan app.Event) bool { return c == ch })
			f.mu.Unlock()
			close(ch)
		})
	}
}

// roomEvent says that rooms were stored. (The tests, like the screens, name
// kinds only through app.)
func roomEvent() app.Event {
	e := app.Event{Kind: app.RecordsChanged}
	e.Kinds = append(e.Kinds, app.KindRoom)
	return e
}

// emit sends an event to every subscriber without blocking, as app's bus does.
func (f *fakeBackend) emit(e app.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ch := range f.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// add stores a room as if it arrived from a peer, and says so.
func (f *fakeBackend) add(r app.RoomListing) {
	f.mu.Lock()
	f.rooms = append(f.rooms, r)
	f.mu.Unlock()
	f.emit(roomEvent())
}

func (f *fakeBackend) set(fn func(f *fakeBackend)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeBackend) queryLog() []app.RoomQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queries)
}

func (f *fakeBackend) postedRooms() []app.Room {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posted)
}

// harness runs the main window on the test driver. The test driver runs
// fyne.Do callbacks on the calling goroutine, so the shell is given a do that
// takes the harness lock, and the test touches widgets only inside ui: one
// goroutine at a time, as on the real UI goroutine.
type harness struct {
	t    *testing.T
	mu   sync.Mutex
	app  fyne.App
	sh   *shell
	fake *fakeBackend

	closed bool // guarded by mu
}

func newHarness(t *testing.T, fake *fakeBackend) *harness {
	t.Helper()
	return newHarnessWith(t, fake, fake)
}

// newHarnessWith is newHarness with any backend built on the fake.
func newHarnessWith(t *testing.T, fake *fakeBackend, b Backend) *harness {
	t.Helper()
	return newHarnessOn(t, fake, b, test.NewTempApp(t))
}

// newHarnessOn is newHarnessWith on the app a, whose preferences the test
// may have set, as a previous run would have.
func newHarnessOn(t *testing.T, fake *fakeBackend, b Backend, a fyne.App) *harness {
	t.Helper()
	h := &harness{t: t, fake: fake, app: a}
	do := func(f func()) {
		h.mu.Lock()
		defer h.mu.Unlock()
		f()
	}
	h.ui(func() {
		h.sh = newShell(h.app, b, do, mapview.Options{NoTiles: true})
		h.sh.win.Show()
	})
	t.Cleanup(h.close)
	return h
}

// close closes the window, once, and waits for the screens' goroutines to
// end. The test's cleanup calls it; a test that starts the app again (as
// the next run would) calls it first, since two windows would each have
// their own UI goroutine.
func (h *harness) close() {
	h.ui(func() {
		if !h.closed {
			h.closed = true
			h.sh.win.Close()
		}
	})
	h.sh.wg.Wait()
}

// ui runs f as the UI goroutine would.
func (h *harness) ui(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f()
}

// eventually polls cond (run as the UI goroutine) until it holds, and fails
// the test after a deadline, showing what the window shows.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second) // generous: a loaded CI machine, -race
	for {
		var ok bool
		h.ui(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; the window shows:\n%s", what, h.screenText())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// screenText is every visible text of the window, one per line.
func (h *harness) screenText() string {
	var out []string
	h.ui(func() { out = visibleTexts(h.sh.win.Canvas().Content()) })
	return strings.Join(out, "\n")
}

// shows reports whether the window shows s (call it inside ui).
func (h *harness) shows(s string) bool {
	return slices.ContainsFunc(visibleTexts(h.sh.win.Canvas().Content()), func(t string) bool { return strings.Contains(t, s) })
}

// visibleTexts walks the rendered tree of o for the texts it draws.
func visibleTexts(o fyne.CanvasObject) []string {
	var out []string
	walkVisible(o, func(o fyne.CanvasObject) bool {
		if x, ok := o.(*canvas.Text); ok && x.Text != "" {
			out = append(out, x.Text)
		}
		return true
	})
	return out
}

// walkVisible calls visit for o and every visible object it renders, depth
// first; visit returns false to skip what an object renders.
func walkVisible(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) {
	if o == nil || !o.Visible() || !visit(o) {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkVisible(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkVisible(c, visit)
		}
	}
}

// rendered reports whether o renders target.
func rendered(o, target fyne.CanvasObject) bool {
	found := false
	walkVisible(o, func(x fyne.CanvasObject) bool {
		found = found || x == target
		return !found
	})
	return found
}

// marksInvalid reports whether o shows an entry's error mark.
func marksInvalid(o fyne.CanvasObject) bool {
	found := false
	walkVisible(o, func(x fyne.CanvasObject) bool {
		if img, ok := x.(*canvas.Image); ok {
			_, isErr := img.Resource.(*theme.ErrorThemedResource)
			found = found || isErr
		}
		return !found
	})
	return found
}

// indexOf is the position of the first visible text containing s, or -1.
func indexOf(texts []string, s string) int {
	return slices.IndexFunc(texts, func(t string) bool { return strings.Contains(t, s) })
}

func (f *fakeBackend) rideQueryLog() []app.RideQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rideQueries)
}

func (f *fakeBackend) postedRideLog() []app.Ride {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.postedRides)
}
