package screens

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
	"github.com/paulmach/orb"
)

const (
	// searchDelay is how long the search waits after the last keystroke.
	searchDelay = 300 * time.Millisecond
	// reloadGap is the least time between the end of one load and the start
	// of the next, so that a burst of events makes a few loads, not hundreds.
	reloadGap = 250 * time.Millisecond
	// slowLoad is how long a load runs before the activity indicator shows.
	slowLoad = 200 * time.Millisecond
	// roomsLimit caps one load; beyond it the newest (in an area, those
	// nearest its centre) are shown and the search narrows.
	roomsLimit = 1000
)

// prefMapView keeps the map's view between runs, once the user has placed
// it, so that the app opens where they last looked: latitude, longitude and
// zoom, as one preference (see prefWindowSize).
const prefMapView = "explore.map.view"

// roomsScreen lists every room this peer knows, newest first (in a map area,
// nearest its centre first), with a text
// search, and keeps the list current as rooms arrive from peers.
//
// Loads run on a goroutine of the screen (run); reload asks for one from any
// goroutine, and requests made while a load runs fold into a single next load.
type roomsScreen struct {
	sh   *shell
	kick chan struct{} // capacity 1: a pending load request

	mu         sync.Mutex
	wanted     string      // guarded by mu: the search text of the next load
	wantBound  *[4]float64 // guarded by mu: the area of the next load, nil for everywhere
	wantFilter roomFilter  // guarded by mu: the dates, guests and price of the next load

	// The rest belongs to the UI goroutine.
	searchTimer *time.Timer
	rooms       []app.RoomListing
	shownText   string      // the search text rooms were loaded with
	shownBound  *[4]float64 // the area rooms were loaded with, nil for everywhere
	shownFilter roomFilter  // the filter rooms were loaded with
	loaded      bool        // rooms holds a successful load
	loadErr     error       // the last load failed
	loading     int         // number of the load under way, 0 if none
	selected    string      // id of the room in the detail pane
	focusID     string      // select this room once a load includes it

	content  fyne.CanvasObject
	header   *fyne.Container
	count    *widget.Label
	search   *widget.Entry
	filters  *roomFilters
	activity *widget.Activity
	errLine  *widget.Label
	list     *widget.List
	detail   *roomDetail
	mapv     *mapview.Map // the rooms' pins, beside the list
	centered bool         // the map has been centred on the rooms once, or placed
	// placed is set once the user has placed the map, in this run or the
	// last (restoreView): its view is then kept for the next run.
	placed bool
	inView *widget.Check // only rooms in the map view
	// view is the centre and zoom the screen last gave the map; a view
	// change that ends elsewhere is the user's doing.
	view      [3]float64
	userPick  bool            // the user ticked or unticked inView
	autoCheck bool            // inView is being ticked for the user
	areaState *fyne.Container // over the list when no room is in the area
	areaText  *widget.Label
	areaClear *widget.Button // in areaState: "Clear filters", when filters apply
	split     *container.Split
	right     *container.Split // the map over the selected room's detail
	place     *placeSearch     // the search above the map
	coverLine *note            // how well the peer knows the map's area
	// programmatic is set while the screen itself selects a row, so that
	// only the user's taps open a listing page.
	programmatic bool

	state      *fyne.Container // shown instead of the list: loading, empty, failed
	stateTitle *widget.Label
	stateText  *widget.Label
	stateBtn   *widget.Button
}

func newRoomsScreen(sh *shell) *roomsScreen {
	s := &roomsScreen{sh: sh, kick: make(chan struct{}, 1)}

	s.count = widget.NewLabelWithStyle(lang.L("Rooms"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.count.SizeName = theme.SizeNameSubHeadingText
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Search rooms by title, description or amenity"))
	s.search.OnChanged = s.searchChanged
	s.search.OnSubmitted = func(string) {
		if s.searchTimer != nil {
			s.searchTimer.Stop()
		}
		s.reload()
	}
	s.activity = widget.NewActivity()
	s.activity.Hide()
	s.errLine = widget.NewLabel("")
	s.errLine.Importance = widget.DangerImportance
	s.errLine.Wrapping = fyne.TextWrapWord
	s.errLine.Hide()
	s.inView = widget.NewCheck(lang.L("Only rooms in the map view"), s.inViewChanged)
	s.filters = newRoomFilters(time.Now, s.filtersChanged)
	s.header = container.NewVBox(
		container.NewBorder(nil, nil, s.count, container.NewHBox(s.inView, s.activity), s.search),
		s.filters.content, s.errLine)

	s.list = widget.NewList(
		func() int { return len(s.rooms) },
		func() fyne.CanvasObject { return newRoomRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(s.rooms) {
				row := o.(*roomRow)
				row.set(s.rooms[id], time.Now())
				row.onTap = func() { s.rowTapped(id) }
			}
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(s.rooms) {
			s.selected = s.rooms[id].ID
			s.setDetail(&s.rooms[id])
			s.mapv.SetSelected(s.selected)
			if !s.programmatic && s.sh.explore != nil {
				s.sh.explore.openRoom(s.selected)
			}
		}
	}
	s.detail = newRoomDetail(func() {
		if s.selected != "" {
			s.sh.explore.openRoom(s.selected)
		}
	})
	s.mapv = mapview.New(sh.mapOpts)
	s.mapv.OnPinTapped = s.pinTapped
	s.mapv.OnViewChanged = s.viewChanged
	s.view = s.mapCenter()
	s.restoreView()
	s.place = newMapSearch(sh, s.mapv)
	s.coverLine = newNote(theme.SizeNameCaptionText)
	s.right = container.NewVSplit(mapColumn(s.place, s.mapv), s.detail.content)
	s.right.Offset = 0.5
	s.areaText = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.areaText.Wrapping = fyne.TextWrapWord
	showAll := widget.NewButton(lang.L("Show rooms everywhere"), func() { s.inView.SetChecked(false) })
	s.areaClear = widget.NewButton(lang.L("Clear filters"), func() { s.filters.reset() })
	s.areaState = container.NewVBox(layout.NewSpacer(), s.areaText,
		widget.NewLabelWithStyle(lang.L("Move or zoom out the map to see more."), fyne.TextAlignCenter, fyne.TextStyle{}),
		container.NewCenter(container.NewHBox(showAll, s.areaClear)), layout.NewSpacer())
	s.areaState.Hide()
	s.stateTitle = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.stateTitle.SizeName = theme.SizeNameSubHeadingText
	s.stateText = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	s.stateBtn = widget.NewButton("", nil)
	s.stateBtn.Importance = widget.HighImportance
	s.state = container.NewVBox(
		layout.NewSpacer(),
		s.stateTitle,
		s.stateText,
		container.NewCenter(s.stateBtn),
		layout.NewSpacer(),
	)
	s.stateTitle.Wrapping = fyne.TextWrapWord
	s.stateText.Wrapping = fyne.TextWrapWord
	// The states show in the list's place: the map stays, so that a first
	// start, with no rooms yet, still opens on the map.
	s.split = container.NewHSplit(container.NewStack(s.list, s.areaState, s.state), s.right)
	s.split.Offset = 0.62

	s.content = container.NewBorder(container.NewPadded(s.header), container.NewPadded(s.coverLine.rt), nil, nil,
		s.split)
	s.refresh()
	return s
}

// reload asks for the rooms to be loaded again. Any goroutine may call it;
// calls made while a load is pending or running coalesce into one load.
func (s *roomsScreen) reload() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// searchChanged runs on the UI goroutine at every keystroke in the search
// entry; the load waits for typing to pause.
func (s *roomsScreen) searchChanged(text string) {
	s.mu.Lock()
	s.wanted = strings.TrimSpace(text)
	s.mu.Unlock()
	if s.searchTimer != nil {
		s.searchTimer.Stop()
	}
	s.searchTimer = time.AfterFunc(searchDelay, s.reload)
}

// filtersChanged runs on the UI goroutine when the user changes a filter:
// what is typed waits for typing to pause, as the search does; a day picked
// or the filters cleared loads at once.
func (s *roomsScreen) filtersChanged(typed bool) {
	f, _, _ := s.filters.read()
	s.mu.Lock()
	same := f == s.wantFilter
	s.wantFilter = f
	s.mu.Unlock()
	if same {
		return // a keystroke that leaves the filter as it was (a bad one), or a date entry's first check
	}
	if s.searchTimer != nil {
		s.searchTimer.Stop()
	}
	if typed {
		s.searchTimer = time.AfterFunc(searchDelay, s.reload)
		return
	}
	s.reload()
}

// run loads rooms whenever reload asks, until ctx ends.
func (s *roomsScreen) run(ctx context.Context) {
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		}
		s.mu.Lock()
		text, bound, filter := s.wanted, s.wantBound, s.wantFilter
		s.mu.Unlock()

		s.sh.do(func() { s.loading = n })
		slow := time.AfterFunc(slowLoad, func() {
			s.sh.do(func() {
				if s.loading == n {
					s.activity.Show()
					s.activity.Start()
				}
			})
		})
		q := app.RoomQuery{Text: text, Bound: bound, Limit: roomsLimit}
		filter.apply(&q)
		rooms, err := s.sh.b.Rooms(ctx, q)
		slow.Stop()
		if ctx.Err() != nil {
			return
		}
		s.sh.do(func() { s.apply(n, text, bound, filter, rooms, err) })

		select {
		case <-ctx.Done():
			return
		case <-time.After(reloadGap):
		}
	}
}

// apply shows the outcome of load n, made with the search text text and
// filter in the area bound (nil for everywhere).
func (s *roomsScreen) apply(n int, text string, bound *[4]float64, filter roomFilter, rooms []app.RoomListing, err error) {
	if s.loading == n {
		s.loading = 0
		s.activity.Stop()
		s.activity.Hide()
	}
	s.mu.Lock()
	stale := text != s.wanted || bound != s.wantBound || filter != s.wantFilter
	s.mu.Unlock()
	if stale {
		return // the search changed meanwhile; its own load is on its way
	}
	if err != nil {
		s.loadErr = err
	} else {
		s.loadErr = nil
		s.rooms, s.shownText, s.shownBound, s.shownFilter, s.loaded = rooms, text, bound, filter, true
		s.showPins()
		if f := s.sh.firstResults; f != nil && len(rooms) > 0 {
			s.sh.firstResults = nil
			go s.sh.do(f) // queued behind this call, as the frame that draws the rooms is
		}
		if bound == nil && text == "" && !filter.active() && s.sh.post != nil {
			s.sh.post.where.known(rooms)
		}
	}
	s.refresh()
}

// refresh brings every widget of the screen in line with its state.
func (s *roomsScreen) refresh() {
	area := s.shownBound != nil
	n := len(s.rooms)
	data := countOf(n)
	data["Text"] = s.shownText
	switch {
	case !s.loaded:
		s.count.SetText(lang.L("Rooms"))
	case n >= roomsLimit && area:
		s.count.SetText(lang.N("The {{.Count}} rooms nearest the centre of this area — zoom in or search to narrow", n, data))
	case n >= roomsLimit:
		s.count.SetText(lang.N("Newest {{.Count}} rooms — search to narrow", n, data))
	case s.shownText != "" && area:
		s.count.SetText(lang.N("{{.Count}} rooms match “{{.Text}}” in this area", n, data))
	case s.shownText != "":
		s.count.SetText(lang.N("{{.Count}} rooms match “{{.Text}}”", n, data))
	case area:
		s.count.SetText(lang.N("{{.Count}} rooms in this area", n, data))
	default:
		s.count.SetText(lang.N("{{.Count}} rooms", n, data))
	}

	if s.loaded && s.loadErr != nil {
		s.errLine.SetText(lang.L("Couldn't refresh the rooms: {{.Err}}", tdata{"Err": s.loadErr}))
		s.errLine.Show()
	} else {
		s.errLine.Hide()
	}
	s.header.Refresh()

	switch {
	case !s.loaded && s.loadErr != nil:
		s.showState(lang.L("Couldn't load the rooms"), s.loadErr.Error(), lang.L("Try again"), s.reload)
	case !s.loaded:
		s.showState(lang.L("Loading rooms…"), "", "", nil)
	case len(s.rooms) == 0 && s.shownBound != nil:
		// The map stays, so that the user can move it to where rooms are.
		s.state.Hide()
		s.list.Show()
		switch filtered := s.shownFilter.active(); {
		case s.shownText != "" && filtered:
			s.areaText.SetText(lang.L("No rooms match “{{.Text}}” in this area with these filters.", data))
		case s.shownText != "":
			s.areaText.SetText(lang.L("No rooms match “{{.Text}}” in this area.", data))
		case filtered:
			s.areaText.SetText(lang.L("No rooms in this area with these filters."))
		default:
			s.areaText.SetText(lang.L("No rooms in this area."))
		}
	case len(s.rooms) == 0 && s.shownFilter.active():
		title := lang.L("No rooms with these filters.")
		if s.shownText != "" {
			title = lang.L("No rooms match “{{.Text}}” with these filters.", data)
		}
		s.showState(title, lang.L("Try other dates, fewer guests or a higher price."),
			lang.L("Clear filters"), s.filters.reset)
	case len(s.rooms) == 0 && s.shownText != "":
		s.showState(lang.L("No rooms match “{{.Text}}”.", data),
			lang.L("Try other words, or clear the search to see every room."),
			lang.L("Clear search"), func() { s.search.SetText("") })
	case len(s.rooms) == 0:
		s.showState(lang.L("No rooms yet."),
			lang.L("Rooms posted by peers on your network appear here as they arrive."),
			lang.L("Post a room"), func() { s.sh.show(tabPostRoom) })
	default:
		s.state.Hide()
		s.list.Show()
	}

	s.areaState.Hidden = !(s.loaded && len(s.rooms) == 0 && s.shownBound != nil)
	s.areaClear.Hidden = !s.shownFilter.active()
	s.areaState.Refresh()
	s.list.Refresh()
	s.reselect()
}

// reselect keeps the detail pane on the same room across loads, or moves it
// to the room just posted.
func (s *roomsScreen) reselect() {
	want := s.selected
	if s.focusID != "" {
		want = s.focusID
	}
	for i, r := range s.rooms {
		if r.ID == want && want != "" {
			s.selected = r.ID
			s.programmatic = true
			if r.ID == s.focusID {
				s.focusID = ""
				s.list.Select(i) // scrolls to it
			} else {
				// Rooms arriving above the selection move it down; the
				// view stays where the user left it.
				off := s.list.GetScrollOffset()
				s.list.Select(i)
				s.list.ScrollToOffset(off)
			}
			s.programmatic = false
			s.setDetail(&r)
			return
		}
	}
	s.selected = ""
	s.list.UnselectAll()
	s.setDetail(nil)
}

// setDetail shows room l under the map, or with nil gives the map the
// whole column.
func (s *roomsScreen) setDetail(l *app.RoomListing) {
	if l == nil {
		s.detail.clear()
	} else {
		s.detail.set(*l, time.Now())
	}
	s.right.Refresh()
}

// showState replaces the list with a message and, when action is set, a
// button.
func (s *roomsScreen) showState(title, text, button string, action func()) {
	s.list.Hide()
	s.stateTitle.SetText(title)
	s.stateText.SetText(text)
	s.stateText.Hidden = text == ""
	s.stateText.Refresh()
	if action == nil {
		s.stateBtn.Hide()
	} else {
		s.stateBtn.SetText(button)
		s.stateBtn.OnTapped = action
		s.stateBtn.Show()
	}
	s.state.Show()
	s.state.Refresh()
}

// showPosted brings the room just posted, at lat, lon, into view: the search
// is cleared so that it is listed, the map moves to it when only the rooms in
// view are listed, and it is selected once a load includes it.
func (s *roomsScreen) showPosted(id string, lat, lon float64) {
	s.focusID = id
	if s.search.Text != "" {
		s.search.SetText("")
	}
	if s.inView.Checked && !s.mapv.Bounds().Contains(orb.Point{lon, lat}) {
		_, _, z := s.mapv.Center()
		s.mapv.SetCenter(lat, lon, z)
		s.view = s.mapCenter()
		s.setBound(s.mapv.Bounds())
	}
	s.reload()
}

// mapCenter is the map's centre and zoom.
func (s *roomsScreen) mapCenter() [3]float64 {
	lat, lon, z := s.mapv.Center()
	return [3]float64{lat, lon, float64(z)}
}

// restoreView puts the map where the user left it at the last run, if they
// had placed it, and lists the rooms of that view, as after a move of the
// user's: the first load waits for the map's size (viewChanged) rather than
// listing every room first.
func (s *roomsScreen) restoreView() {
	v := s.sh.app.Preferences().FloatList(prefMapView)
	if len(v) != 3 || v[2] < mapview.MinZoom || v[2] > mapview.MaxZoom {
		return // never placed, or not a view of ours
	}
	s.mapv.SetCenter(v[0], v[1], int(v[2]))
	s.view = s.mapCenter()
	s.centered, s.placed = true, true
	s.inView.Checked = true // set quietly: inViewChanged would load the map's bounds before it has a size
}

// homeZoom is the zoom that shows a country, where the map opens on a first
// start: over the country of the system's locale.
const homeZoom = 5

// start makes the screen's first load: of every room, or of the view
// restoreView restored once the map has its size. With no view to restore,
// the map opens over the country of the system's locale (its largest town)
// rather than over the Gulf of Guinea, until it fits the rooms that load.
func (s *roomsScreen) start() {
	if s.placed {
		return
	}
	s.reload()
	region := localeRegion(lang.SystemLocale())
	if region == "" {
		return
	}
	s.sh.wg.Add(1)
	go func() { // reading the gazetteer through takes a few tens of ms
		defer s.sh.wg.Done()
		p, ok := s.sh.b.CountryPlace(region)
		if !ok || s.sh.ctx.Err() != nil {
			return
		}
		s.sh.do(func() {
			if s.centered || s.mapCenter() != s.view {
				return // fitted to the rooms, or moved by the user, meanwhile
			}
			s.mapv.SetCenter(p.Lat, p.Lon, homeZoom)
			s.view = s.mapCenter()
		})
	}()
}

// localeRegion is the country code of a locale ("FR" of "fr-FR"), or ""
// when it names none ("fr", "es-419").
func localeRegion(l fyne.Locale) string {
	parts := strings.Split(string(l), "-")
	if len(parts) < 2 || len(parts[1]) != 2 {
		return ""
	}
	return strings.ToUpper(parts[1])
}

// viewChanged runs on the UI goroutine once the map has stopped moving or
// resizing. The first time the user pans or zooms, the list starts following
// the map (unless the user chose otherwise); while it follows, each view
// makes a load bounded to it. A view the user placed is kept for the next run.
func (s *roomsScreen) viewChanged(b orb.Bound) {
	if s.mapv.Size().IsZero() {
		return // not laid out yet: its bounds are a point; its first size reports again
	}
	if s.content.Visible() { // the node follows the map the user sees
		s.sh.b.Watch(boundArray(b))
	}
	s.refreshCoverage()
	if s.mapCenter() != s.view {
		s.centered = true // the user placed the map: it no longer jumps to the rooms
		s.placed = true
	}
	if s.placed {
		lat, lon, z := s.mapv.Center()
		s.sh.app.Preferences().SetFloatList(prefMapView, []float64{lat, lon, float64(z)})
	}
	if !s.userPick && !s.inView.Checked && s.mapCenter() != s.view {
		s.autoCheck = true
		s.inView.SetChecked(true) // loads the view
		s.autoCheck = false
		return
	}
	if s.inView.Checked {
		s.setBound(b)
		s.reload()
	}
}

// inViewChanged runs when "Only rooms in the map view" is ticked or
// unticked, by the user or for them.
func (s *roomsScreen) inViewChanged(on bool) {
	if !s.autoCheck {
		s.userPick = true
	}
	if on {
		s.setBound(s.mapv.Bounds())
	} else {
		s.mu.Lock()
		s.wantBound = nil
		s.mu.Unlock()
	}
	s.reload()
}

// setBound makes the next load list the rooms in b.
func (s *roomsScreen) setBound(b orb.Bound) {
	s.mu.Lock()
	wb := boundArray(b)
	s.wantBound = &wb
	s.mu.Unlock()
}

// refreshCoverage says how well the peer knows the area of the map.
func (s *roomsScreen) refreshCoverage() {
	b := s.mapv.Bounds()
	s.sh.cover.line(s.coverLine, app.ViewCells(boundArray(b)))
}

// stop ends the pending search delay when the window closes.
func (s *roomsScreen) stop() {
	if s.searchTimer != nil {
		s.searchTimer.Stop()
	}
	s.mapv.Close()
}

// showPins puts the loaded rooms on the map. Until the user places the map,
// it fits the map to every room listed, as rooms arrive: the first room
// alone would leave it zoomed in on one pin.
func (s *roomsScreen) showPins() {
	pins := make([]mapview.Pin, len(s.rooms))
	var b orb.Bound
	for i, r := range s.rooms {
		pins[i] = mapview.Pin{ID: r.ID, Lat: r.Lat, Lon: r.Lon, Label: formatMoney(r.PricePerNight, r.Currency)}
		if i == 0 {
			b = orb.Point{r.Lon, r.Lat}.Bound()
		} else {
			b = b.Extend(orb.Point{r.Lon, r.Lat})
		}
	}
	s.mapv.SetPins(pins)
	// A list bounded to the view is not fitted (the view would shrink
	// round its rooms at every load), nor a map moving under the user's hand.
	if !s.placed && s.shownBound == nil && len(s.rooms) > 0 && s.mapCenter() == s.view {
		s.centered = true
		s.mapv.Fit(b, 14)
		s.view = s.mapCenter()
	}
}

// rowTapped opens the page of the room in row id, also when it is the
// selected one (the list does not report a tap on a selected row).
func (s *roomsScreen) rowTapped(id widget.ListItemID) {
	if id < 0 || id >= len(s.rooms) {
		return
	}
	if s.rooms[id].ID == s.selected {
		s.sh.explore.openRoom(s.selected)
		return
	}
	s.list.Select(id) // opens the page, through OnSelected
}

// pinTapped selects in the list the room whose pin was tapped on the map.
func (s *roomsScreen) pinTapped(id string) {
	for i, r := range s.rooms {
		if r.ID == id {
			s.programmatic = true
			s.list.Select(i)
			s.programmatic = false
			s.list.ScrollTo(i)
			return
		}
	}
}

// resultRow is a row of search results: a bold title with "Yours" and a price
// on its right, a line of facts and a caption line under it.
type resultRow struct {
	widget.BaseWidget
	title, mine, price, facts, caption *widget.Label
	top                                *fyne.Container
}

// initResultRow builds the labels of r, the result row embedded in self.
func initResultRow(r *resultRow, self fyne.Widget) {
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.mine = widget.NewLabelWithStyle(lang.L("Yours"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	r.price = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	r.facts, r.caption = widget.NewLabel(""), widget.NewLabel("")
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.mine.Importance = widget.HighImportance
	r.mine.Hide()
	r.facts.Truncation = fyne.TextTruncateEllipsis
	r.caption.Truncation = fyne.TextTruncateEllipsis
	r.caption.SizeName = theme.SizeNameCaptionText
	r.top = container.NewBorder(nil, nil, nil, container.NewHBox(r.mine, r.price), r.title)
	r.ExtendBaseWidget(self)
}

// CreateRenderer is part of fyne.Widget.
func (r *resultRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()),
		r.top, r.facts, r.caption))
}

// roomRow is a room in the list; its caption lists the amenities.
type roomRow struct {
	resultRow
	onTap func() // the row was tapped
}

// Tapped opens the room. It implements fyne.Tappable, taking the tap from
// the list, which ignores taps on the row already selected.
func (r *roomRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

func newRoomRow() *roomRow {
	r := &roomRow{}
	initResultRow(&r.resultRow, r)
	return r
}

func (r *roomRow) set(l app.RoomListing, now time.Time) {
	r.title.SetText(l.Title)
	r.price.SetText(formatNightly(l.PricePerNight, l.Currency))
	if r.mine.Hidden != !l.Mine {
		r.mine.Hidden = !l.Mine
		r.top.Refresh() // the price moves over
	}
	facts := []string{formatGuests(l.MaxGuests), formatCoords(l.Lat, l.Lon)}
	if age := formatAge(l.IssuedAt, now); age != "" {
		facts = append(facts, lang.L("posted {{.Age}}", tdata{"Age": age}))
	}
	r.facts.SetText(strings.Join(facts, " · "))
	if len(l.Amenities) == 0 {
		r.caption.SetText(lang.L("No amenities listed"))
	} else {
		r.caption.SetText(formatAmenities(l.Amenities))
	}
}

// roomDetail is the pane beside the list that shows the selected room whole,
// description included.
type roomDetail struct {
	content   fyne.CanvasObject // hidden while no room is selected
	body      *fyne.Container
	title     *widget.Label
	mine      *widget.Label
	price     *widget.Label
	facts     *widget.Label
	amenities *widget.Label
	desc      *widget.Label
	meta      *note
	open      *widget.Button
}

// newRoomDetail makes the pane; open is called by its "Open listing page"
// button.
func newRoomDetail(open func()) *roomDetail {
	d := &roomDetail{
		title:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		mine:      widget.NewLabelWithStyle(lang.L("You posted this room."), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		price:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		facts:     widget.NewLabel(""),
		amenities: widget.NewLabel(""),
		desc:      widget.NewLabel(""),
		meta:      newNote(theme.SizeNameCaptionText),
	}
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.mine.Importance = widget.HighImportance
	for _, l := range []*widget.Label{d.title, d.facts, d.amenities, d.desc} {
		l.Wrapping = fyne.TextWrapWord
	}
	d.open = widget.NewButtonWithIcon(lang.L("Open listing page"), theme.NavigateNextIcon(), open)
	d.open.Importance = widget.HighImportance
	d.body = container.NewVBox(d.title, d.mine, d.price, d.facts, d.amenities, widget.NewSeparator(), d.desc, d.meta.rt,
		container.NewHBox(d.open))
	d.content = container.NewVScroll(container.NewPadded(d.body))
	d.clear()
	return d
}

// set shows room l in the pane.
func (d *roomDetail) set(l app.RoomListing, now time.Time) {
	d.title.SetText(l.Title)
	d.mine.Hidden = !l.Mine
	d.price.SetText(formatNightly(l.PricePerNight, l.Currency))
	d.facts.SetText(sentence(formatGuests(l.MaxGuests)) + "\n" + formatCoords(l.Lat, l.Lon))
	if len(l.Amenities) == 0 {
		d.amenities.SetText(lang.L("No amenities listed"))
	} else {
		d.amenities.SetText(formatAmenities(l.Amenities))
	}
	if strings.TrimSpace(l.Description) == "" {
		d.desc.SetText(lang.L("No description."))
	} else {
		d.desc.SetText(l.Description)
	}
	meta := lang.L("Posted by {{.Author}}", tdata{"Author": shortID(l.Author)})
	if age := formatAge(l.IssuedAt, now); age != "" {
		meta += ", " + age
	}
	d.meta.set(meta, theme.ColorNamePlaceHolder)
	d.content.Show()
	d.body.Refresh()
}

// clear hides the pane: the map above it takes its place.
func (d *roomDetail) clear() {
	d.content.Hide()
}

// boundArray is a map bound as the app takes it: [minLon, minLat, maxLon, maxLat].
func boundArray(b orb.Bound) [4]float64 { return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} }
