package screens

import (
	"context"
	"image"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/resources"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// Tab names: the names the shell navigates by (sh.show, sh.current), and
// the English titles of the tabs, which show tabTitle(name).
const (
	tabRooms    = "Explore"
	tabPostRoom = "Post a room"
	tabNetwork  = "Network"
	tabPostRide = "Post a ride"
	tabSettings = "Settings"
)

// bannerTime is how long a confirmation stays at the top of the window.
const bannerTime = 6 * time.Second

// NewMainWindow builds the window titled "Caravan" with the screens, wired to
// the backend. It starts a goroutine that listens for the backend's events
// until the window closes; it ends it, and the backend subscription, from the
// window's OnClosed callback, so a caller that wants its own OnClosed should
// wrap rather than replace it. The window is not shown: call Show or
// ShowAndRun.
func NewMainWindow(a fyne.App, b Backend, opts ...Option) fyne.Window {
	applyLanguage(a.Preferences())
	mo := mapview.Options{}
	if st := a.Storage(); st != nil && st.RootURI() != nil && st.RootURI().Path() != "" {
		mo.CacheDir = filepath.Join(st.RootURI().Path(), "tiles")
	}
	sh := newShell(a, b, fyne.Do, mo)
	for _, o := range opts {
		o(sh)
	}
	if sh.firstResults != nil {
		sh.watchFirstFrame(sh.firstResults)
	}
	// The basemap takes a moment to decode; the maps show the sea until then.
	// It is decoded once and shared by every map of the window.
	go func() {
		bm, err := mapview.LoadBasemap(resources.NaturalEarth)
		if err != nil {
			fyne.LogError("loading the basemap", err)
			return
		}
		fyne.Do(func() {
			sh.mapOpts.Basemap = bm // for the maps of screens built later
			for _, m := range sh.maps() {
				m.SetBasemap(bm)
			}
		})
	}()
	return sh.win
}

// Option configures the main window.
type Option func(*shell)

// OnFirstResults has f called once, on the UI goroutine, when the window
// has painted the Explore screen with rooms in it: the moment a user sees
// the app with something in it. The start-up benchmark (BENCH P5) waits
// for it.
func OnFirstResults(f func()) Option {
	return func(sh *shell) { sh.firstResults = f }
}

// watchFirstFrame has f called once the window paints a frame after the
// rooms screen first shows rooms (sh.firstResults). A transparent pixel
// drawn over the window is the probe: the painter asks a canvas.Raster for
// its pixels as it draws the frame, after everything under it.
func (sh *shell) watchFirstFrame(f func()) {
	var armed, done atomic.Bool
	probe := canvas.NewRaster(func(w, h int) image.Image {
		if armed.Load() && !done.Swap(true) {
			go fyne.Do(f) // not from inside the painter
		}
		return image.NewNRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
	})
	probe.Resize(fyne.NewSquareSize(1))
	sh.firstResults = func() {
		armed.Store(true)
		probe.Refresh() // painted afresh in the next frame
	}
	sh.win.SetContent(container.NewStack(sh.win.Content(), container.NewWithoutLayout(probe)))
}

// goUI runs work off the UI goroutine with a context that ends after
// timeout or when the window closes, then runs the function work returns, if
// any, on the UI goroutine. The shell waits for it when it closes.
func (sh *shell) goUI(timeout time.Duration, work func(ctx context.Context) func()) {
	sh.wg.Add(1)
	go func() {
		defer sh.wg.Done()
		ctx, cancel := context.WithTimeout(sh.ctx, timeout)
		then := work(ctx)
		cancel()
		if then != nil {
			sh.do(then)
		}
	}()
}

// shell is the main window: the navigation between screens, a banner for
// short confirmations, and the goroutines that feed the screens.
type shell struct {
	app fyne.App
	win fyne.Window
	b   Backend
	// do runs f on the UI goroutine: fyne.Do, or in tests a function that
	// serialises with the test's own widget calls.
	do func(f func())
	// mapOpts configure the maps of the screens (tile server, cache).
	mapOpts mapview.Options

	ctx  context.Context // ends when the window closes
	stop context.CancelFunc
	wg   sync.WaitGroup // the shell's goroutines

	tabs     *container.AppTabs
	tabNames map[*container.TabItem]string // each tab's name (its title is translated)
	banner   *banner
	cover    *coverage
	explore  *exploreScreen
	rides    *ridesScreen
	rooms    *roomsScreen
	post     *postRoomScreen
	postRide *postRideScreen
	net      *networkScreen
	settings *settingsScreen
	profile  *profileScreen
	notify   *notifier

	// firstResults, when set, is called once the Explore screen first
	// shows rooms. UI goroutine only.
	firstResults func()
	// unbuilt are the tabs whose screen is built when first selected (see
	// lazyTab), with what builds it. UI goroutine only.
	unbuilt map[*container.TabItem]func() fyne.CanvasObject
	// built are the names of the tabs whose screen is built, for the
	// listening goroutine. Guarded by builtMu.
	builtMu sync.Mutex
	built   map[string]bool
	// The booking screens: Trips, the ride bar, and the dialogs last opened.
	trips      *tripsScreen
	rideBar    *rideBar
	person     *personView
	reviewForm *reviewForm
}

func newShell(a fyne.App, b Backend, do func(func()), mo mapview.Options) *shell {
	mo.Do = do
	if u := strings.TrimSpace(a.Preferences().String(prefTileURL)); u != "" && mo.TileURL == "" && checkTileURL(u) == nil {
		mo.TileURL = u
	}
	applyTheme(a, a.Preferences().StringWithFallback(prefTheme, themeSystem))
	sh := &shell{app: a, win: a.NewWindow("Caravan"), b: b, do: do, mapOpts: mo}
	sh.ctx, sh.stop = context.WithCancel(context.Background())

	sh.banner = newBanner(do)
	sh.cover = newCoverage(sh)
	sh.rooms = newRoomsScreen(sh)
	sh.rides = newRidesScreen(sh)
	sh.explore = newExploreScreen(sh)
	sh.cover.onStatus = append(sh.cover.onStatus,
		func(app.Coverage) { sh.rooms.refreshCoverage() },
		func(app.Coverage) { sh.rides.refreshCoverage() })
	sh.notify = newNotifier(sh)
	sh.rideBar = newRideBar(sh)

	// One tab per screen. Explore is built at once; the others when first
	// selected, with their first loads, so that the window opens with only
	// what it shows (BENCH P5).
	sh.unbuilt = make(map[*container.TabItem]func() fyne.CanvasObject)
	sh.built = map[string]bool{tabRooms: true}
	sh.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(tabRooms, theme.SearchIcon(), sh.explore.content),
		sh.lazyTab(tabTrips, theme.ListIcon(), func() fyne.CanvasObject {
			sh.trips = newTripsScreen(sh)
			sh.trips.reload()
			return sh.trips.content
		}),
		sh.lazyTab(tabPostRoom, theme.ContentAddIcon(), func() fyne.CanvasObject {
			sh.post = newPostRoomScreen(sh)
			if sh.rooms.loaded && sh.rooms.shownText == "" {
				sh.post.where.known(sh.rooms.rooms)
			}
			return sh.post.content
		}),
		sh.lazyTab(tabPostRide, theme.ContentAddIcon(), func() fyne.CanvasObject {
			sh.postRide = newPostRideScreen(sh)
			return sh.postRide.content
		}),
		sh.lazyTab(tabMyListings, theme.ListIcon(), func() fyne.CanvasObject { return newMyListingsScreen(sh) }),
		sh.lazyTab(tabNetwork, theme.ComputerIcon(), func() fyne.CanvasObject {
			sh.net = newNetworkScreen(sh)
			sh.wg.Add(1)
			go func() {
				defer sh.wg.Done()
				sh.net.run(sh.ctx)
			}()
			return sh.net.content
		}),
		sh.lazyTab(tabProfile, theme.AccountIcon(), func() fyne.CanvasObject {
			sh.profile = newProfileScreen(sh)
			sh.profile.load(true)
			return sh.profile.content
		}),
		sh.lazyTab(tabSettings, theme.SettingsIcon(), func() fyne.CanvasObject {
			sh.settings = newSettingsScreen(sh)
			return sh.settings.content
		}),
	)
	// The tabs are built with their names; they show their titles.
	sh.tabNames = make(map[*container.TabItem]string, len(sh.tabs.Items))
	for _, it := range sh.tabs.Items {
		sh.tabNames[it] = it.Text
		it.Text = tabTitle(it.Text)
	}
	sh.tabs.SetTabLocation(container.TabLocationTop)
	sh.tabs.OnSelected = func(it *container.TabItem) {
		sh.buildTab(it)
		if sh.net != nil {
			sh.net.setVisible(sh.tabNames[it] == tabNetwork)
		}
	}
	sh.rideBar.install()

	sh.win.SetContent(container.NewBorder(sh.banner.content, sh.rideBar.content, nil, nil, sh.tabs))
	sh.win.Resize(windowSize(a.Preferences()))

	events, unsubscribe := b.Subscribe()
	sh.wg.Add(3)
	go func() {
		defer sh.wg.Done()
		sh.cover.run(sh.ctx)
	}()
	go func() {
		defer sh.wg.Done()
		sh.rooms.run(sh.ctx)
	}()
	go func() {
		defer sh.wg.Done()
		sh.listen(events)
	}()
	sh.win.SetOnClosed(func() {
		saveWindowSize(a.Preferences(), sh.win.Canvas().Size())
		sh.stop()
		unsubscribe()
		sh.banner.stop()
		sh.rooms.stop()
		sh.rides.stop()
		if sh.postRide != nil {
			sh.postRide.stop()
		}
		sh.explore.page.stop()
	})
	sh.rooms.start()
	sh.cover.reload()
	return sh
}

// prefWindowSize keeps the window's width and height between runs, as one
// preference: the app quits right after saving it, and fyne writes the
// first change to disk at once but a change that follows it a moment later.
const prefWindowSize = "window.size"

// defaultWindowSize is the window's size on a first start; minWindowSize the
// least it opens at again.
var defaultWindowSize, minWindowSize = fyne.NewSize(1000, 700), fyne.NewSize(640, 480)

// windowSize is the size the window had when it was last closed, or the
// default.
func windowSize(p fyne.Preferences) fyne.Size {
	wh := p.FloatList(prefWindowSize)
	if len(wh) != 2 || float32(wh[0]) < minWindowSize.Width || float32(wh[1]) < minWindowSize.Height {
		return defaultWindowSize
	}
	return fyne.NewSize(float32(wh[0]), float32(wh[1]))
}

// saveWindowSize keeps the window's size for the next run.
func saveWindowSize(p fyne.Preferences, size fyne.Size) {
	if size.Width < minWindowSize.Width || size.Height < minWindowSize.Height {
		return // minimised, or not shown
	}
	p.SetFloatList(prefWindowSize, []float64{float64(size.Width), float64(size.Height)})
}

// lazyTab makes the tab named name, whose screen build makes (and starts
// loading) the first time the tab is selected. UI goroutine only.
func (sh *shell) lazyTab(name string, icon fyne.Resource, build func() fyne.CanvasObject) *container.TabItem {
	it := container.NewTabItemWithIcon(name, icon, container.NewStack())
	sh.unbuilt[it] = build
	return it
}

// buildTab builds the screen of tab it if it is not built yet. UI goroutine
// only.
func (sh *shell) buildTab(it *container.TabItem) {
	build, ok := sh.unbuilt[it]
	if !ok {
		return
	}
	delete(sh.unbuilt, it)
	it.Content = build()
	sh.builtMu.Lock()
	sh.built[sh.tabNames[it]] = true
	sh.builtMu.Unlock()
	sh.tabs.Refresh() // lays the screen out in place of the empty one
}

// ensure builds the screen of the tab named tab if it is not built yet, for
// a screen that hands work to another (My listings to the post forms, a
// listing page to Trips). UI goroutine only.
func (sh *shell) ensure(tab string) {
	for _, it := range sh.tabs.Items {
		if sh.tabNames[it] == tab {
			sh.buildTab(it)
			return
		}
	}
}

// isBuilt reports whether the screen of the tab named tab is built. Any
// goroutine.
func (sh *shell) isBuilt(tab string) bool {
	sh.builtMu.Lock()
	defer sh.builtMu.Unlock()
	return sh.built[tab]
}

// listen hands the backend's events to the screens they concern, until the
// window closes or the backend ends the subscription.
func (sh *shell) listen(events <-chan app.Event) {
	for {
		select {
		case <-sh.ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Kind == app.RecordsChanged && ev.Touches(app.KindRoom) {
				sh.rooms.reload()
			}
			if ev.Kind == app.RecordsChanged && ev.Touches(app.KindRide) {
				sh.do(sh.rides.rerun)
			}
			// A screen not built yet loads afresh when it is.
			if (ev.Kind == app.BookingsChanged || ev.Kind == app.MessagesChanged || (ev.Kind == app.RecordsChanged && ev.Touches(app.KindReview))) && sh.isBuilt(tabTrips) {
				sh.trips.changed(ev)
			}
			if ev.Kind == app.SyncChanged || ev.Kind == app.PeersChanged {
				sh.cover.reload()
			}
			if (ev.Kind == app.RecordsChanged || ev.Kind == app.PeersChanged || ev.Kind == app.SyncChanged) && sh.isBuilt(tabNetwork) {
				sh.net.changed()
			}
			sh.personal(ev)
		}
	}
}

// dataDir is the folder the node keeps its data in, "" if the backend does
// not say.
func (sh *shell) dataDir() string {
	if d, ok := sh.b.(interface{ DataDir() string }); ok {
		return d.DataDir()
	}
	return ""
}

// tabTitle is the title a tab shows, in the user's language.
func tabTitle(name string) string {
	switch name {
	case tabRooms:
		return lang.L(tabRooms)
	case tabTrips:
		return lang.L(tabTrips)
	case tabPostRoom: // short: the French "Publier un logement" crowds the tabs
		return lang.X("tab.postRoom", tabPostRoom)
	case tabPostRide:
		return lang.X("tab.postRide", tabPostRide)
	case tabMyListings:
		return lang.L(tabMyListings)
	case tabNetwork:
		return lang.L(tabNetwork)
	case tabProfile:
		return lang.L(tabProfile)
	case tabSettings:
		return lang.L(tabSettings)
	}
	return name
}

// show brings the screen with the given tab name to the front, building it
// first if need be.
func (sh *shell) show(tab string) {
	for _, it := range sh.tabs.Items {
		if sh.tabNames[it] == tab {
			sh.buildTab(it)
			sh.tabs.Select(it)
			return
		}
	}
}

// maps are every map of the window built so far, for settings that apply
// to all (the maps of screens built later take sh.mapOpts).
func (sh *shell) maps() []*mapview.Map {
	ms := []*mapview.Map{sh.rooms.mapv, sh.rides.mapv, sh.explore.page.mapv}
	if sh.post != nil {
		ms = append(ms, sh.post.where.m)
	}
	if sh.postRide != nil {
		ms = append(ms, sh.postRide.mapv)
	}
	return ms
}

// current is the tab name of the screen in front.
func (sh *shell) current() string {
	if it := sh.tabs.Selected(); it != nil {
		return sh.tabNames[it]
	}
	return ""
}

// banner is a strip at the top of the window for short confirmations that
// need no answer ("Room posted"). It hides itself after a while.
type banner struct {
	do      func(func())
	content *fyne.Container
	label   *widget.Label
	gen     int         // UI goroutine only: which message is showing
	timer   *time.Timer // UI goroutine only
}

func newBanner(do func(func())) *banner {
	bn := &banner{do: do}
	bn.label = widget.NewLabel("")
	bn.label.TextStyle = fyne.TextStyle{Bold: true}
	bn.label.Truncation = fyne.TextTruncateEllipsis
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), bn.hide)
	closeBtn.Importance = widget.LowImportance
	row := container.NewBorder(nil, nil, widget.NewIcon(theme.ConfirmIcon()), closeBtn, bn.label)
	bn.content = container.NewPadded(newTint(theme.ColorNameSuccess, 0x40, row))
	bn.content.Hide()
	return bn
}

// show puts msg in the banner for bannerTime. UI goroutine only.
func (bn *banner) show(msg string) {
	bn.gen++
	gen := bn.gen
	bn.label.SetText(msg)
	bn.content.Show()
	if bn.timer != nil {
		bn.timer.Stop()
	}
	bn.timer = time.AfterFunc(bannerTime, func() {
		bn.do(func() {
			if bn.gen == gen {
				bn.hide()
			}
		})
	})
}

// hide removes the banner. UI goroutine only.
func (bn *banner) hide() {
	bn.content.Hide()
}

// stop cancels the pending hide when the window closes. UI goroutine only.
func (bn *banner) stop() {
	if bn.timer != nil {
		bn.timer.Stop()
	}
}

// sentence makes a message start with a capital letter, as messages shown on
// their own do: "required" → "Required".
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
