package screens

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

const (
	// ridesLimit caps one ride search.
	ridesLimit = 200
	// maxSeatsWanted is the most seats one search asks for.
	maxSeatsWanted = 8
	// searchTimeout bounds one ride search.
	searchTimeout = 20 * time.Second
)

// Pin IDs of the rides map.
const (
	pinFrom    = "from"
	pinTo      = "to"
	pinPickup  = "pickup"
	pinDropoff = "dropoff"
)

// ridesScreen finds rides from one place to another in a time window: a
// form, the matches with their pickup, drop-off, detour and pickup time, and
// their routes on the map, the selected one highlighted.
type ridesScreen struct {
	sh *shell

	// UI goroutine only.
	from, to       *placeSearch
	date           *widget.DateEntry
	dateMsg        *note
	early, late    *widget.Entry
	timeMsg        *note
	seats          *widget.Entry
	seatsMsg       *note
	searchBtn      *widget.Button
	activity       *widget.Activity
	count          *widget.Label
	errLine        *widget.Label
	list           *widget.List
	state          *fyne.Container
	stateBox       *container.Scroll
	stateTitle     *widget.Label
	stateText      *widget.Label
	coverLine      *note
	mapv           *mapview.Map
	place          *placeSearch // the search above the map
	rides          []app.RideMatch
	selected       string
	gen            int            // number of the latest search
	last           *app.RideQuery // the query of the results shown
	lastFrom       string         // how the results' places were named
	lastTo         string
	searched       bool // a search has completed
	searchErr      error
	content        fyne.CanvasObject
	mapCol         fyne.CanvasObject
	routesFitted   bool
	pendingRefresh bool // rides arrived while a search ran
}

func newRidesScreen(sh *shell) *ridesScreen {
	s := &ridesScreen{sh: sh}
	s.from = newPlaceSearch(sh, lang.L("From: a town, or LAT,LON"), "", func([2]float64, string, app.Place) {
		s.pointsChanged()
		if s.to.text() == "" {
			s.sh.win.Canvas().Focus(s.to.entry) // on to the next place
		}
	})
	s.to = newPlaceSearch(sh, lang.L("To: a town, or LAT,LON"), "", func([2]float64, string, app.Place) { s.pointsChanged() })
	s.from.onEdit = s.pointsChanged
	s.to.onEdit = s.pointsChanged
	// Enter in From takes the place and moves on to To while it is empty.
	s.from.entry.OnSubmitted = func(string) {
		if s.from.choosing() {
			s.from.submit()
			return
		}
		if s.to.text() == "" {
			s.from.submit() // moves on to To once the place is found
			return
		}
		s.search()
	}
	s.to.entry.OnSubmitted = func(string) {
		if s.to.choosing() {
			s.to.submit()
			return
		}
		s.search()
	}

	s.date = widget.NewDateEntry()
	s.date.SetPlaceHolder(lang.L("Any day from now"))
	s.date.OnChanged = func(*time.Time) { s.dateMsg.set("", theme.ColorNamePlaceHolder) }
	s.dateMsg = newNote(theme.SizeNameCaptionText)
	s.early = widget.NewEntry()
	s.early.SetPlaceHolder(lang.L("Earliest, e.g. 08:00"))
	s.late = widget.NewEntry()
	s.late.SetPlaceHolder(lang.L("Latest, e.g. 20:00"))
	s.timeMsg = newNote(theme.SizeNameCaptionText)
	for _, e := range []*widget.Entry{s.early, s.late} {
		e.OnChanged = func(string) { s.timeMsg.set("", theme.ColorNamePlaceHolder) }
		e.OnSubmitted = func(string) { s.search() }
	}
	s.seats = widget.NewEntry()
	s.seats.SetText("1")
	s.seats.OnChanged = func(string) { s.seatsMsg.set("", theme.ColorNamePlaceHolder) }
	s.seats.OnSubmitted = func(string) { s.search() }
	s.seatsMsg = newNote(theme.SizeNameCaptionText)
	for _, n := range []*note{s.dateMsg, s.timeMsg, s.seatsMsg} {
		n.set("", theme.ColorNamePlaceHolder)
	}
	s.searchBtn = widget.NewButtonWithIcon(lang.L("Search rides"), theme.SearchIcon(), s.search)
	s.searchBtn.Importance = widget.HighImportance
	s.activity = widget.NewActivity()
	s.activity.Hide()

	bold := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	tight := func(objs ...fyne.CanvasObject) *fyne.Container {
		return container.New(layout.NewCustomPaddedVBoxLayout(0), objs...)
	}
	times := container.NewBorder(nil, nil, nil, nil,
		container.NewGridWithColumns(2, s.early, s.late))
	form := container.New(layout.NewFormLayout(),
		bold(lang.L("From")), tight(s.from.entry, s.from.box, s.from.msg.rt),
		bold(lang.L("To")), tight(s.to.entry, s.to.box, s.to.msg.rt),
		bold(lang.L("Day")), tight(s.date, s.dateMsg.rt),
		bold(lang.L("Leaving")), tight(times, s.timeMsg.rt),
		bold(lang.L("Seats")), tight(container.NewBorder(nil, nil, nil, container.NewHBox(s.activity, s.searchBtn), s.seats), s.seatsMsg.rt),
	)

	s.count = widget.NewLabelWithStyle(lang.L("Rides"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.count.SizeName = theme.SizeNameSubHeadingText
	s.errLine = widget.NewLabel("")
	s.errLine.Importance = widget.DangerImportance
	s.errLine.Wrapping = fyne.TextWrapWord
	s.errLine.Hide()

	s.list = widget.NewList(
		func() int { return len(s.rides) },
		func() fyne.CanvasObject { return newRideRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(s.rides) {
				o.(*rideRow).set(s.rides[id], s.lastFrom, s.lastTo, s.last)
			}
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(s.rides) {
			s.selectRide(s.rides[id].ID)
		}
	}
	s.stateTitle = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.stateTitle.Wrapping = fyne.TextWrapWord
	s.stateText = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	s.stateText.Wrapping = fyne.TextWrapWord
	s.state = container.NewVBox(layout.NewSpacer(), s.stateTitle, s.stateText, layout.NewSpacer())
	s.stateBox = container.NewVScroll(s.state) // the form leaves it little room on small windows
	s.coverLine = newNote(theme.SizeNameCaptionText)

	left := container.NewBorder(
		container.NewVBox(form, widget.NewSeparator(), s.count, s.errLine),
		container.NewPadded(s.coverLine.rt), nil, nil,
		container.NewStack(s.list, s.stateBox))

	s.mapv = mapview.New(sh.mapOpts)
	s.mapv.OnViewChanged = func(b orb.Bound) {
		if s.content.Visible() { // the node follows the map the user sees
			s.sh.b.Watch(boundArray(b))
		}
		s.refreshCoverage()
	}
	s.mapv.SetCenter(startLat, startLon, startZoom)
	s.place = newMapSearch(sh, s.mapv)
	s.mapCol = mapColumn(s.place, s.mapv)

	split := container.NewHSplit(container.NewPadded(left), s.mapCol)
	split.Offset = 0.45
	s.content = split
	s.refresh()
	return s
}

// pointsChanged runs when From or To is picked or edited.
func (s *ridesScreen) pointsChanged() {
	s.showPins()
}

// search checks the form and, when it is good, looks for rides off the UI
// goroutine.
func (s *ridesScreen) search() {
	q, bad := s.query()
	if bad {
		return
	}
	s.gen++
	gen := s.gen
	fromText, toText := s.from.text(), s.to.text()
	fromPicked, toPicked := s.from.picked, s.to.picked
	fromPt, toPt := s.from.point, s.to.point
	s.activity.Show()
	s.activity.Start()
	s.searchBtn.Disable()
	s.sh.goUI(searchTimeout, func(ctx context.Context) func() {
		var fromP, toP app.Place
		var errFrom, errTo error
		if !fromPicked {
			fromPt, fromP, errFrom = resolvePlaceText(s.sh.b, fromText)
		}
		if !toPicked {
			toPt, toP, errTo = resolvePlaceText(s.sh.b, toText)
		}
		var found []app.RideMatch
		var err error
		if errFrom == nil && errTo == nil {
			q.Pickup, q.Dropoff = fromPt, toPt
			found, err = s.sh.b.Rides(ctx, q)
		}
		return func() {
			if gen != s.gen || s.sh.ctx.Err() != nil {
				return
			}
			s.activity.Stop()
			s.activity.Hide()
			s.searchBtn.Enable()
			if errFrom != nil || errTo != nil {
				if errFrom != nil {
					s.from.setError(errFrom.Error())
				}
				if errTo != nil {
					s.to.setError(errTo.Error())
				}
				return
			}
			if !fromPicked {
				s.from.set(fromPt, labelOr(fromP, fromText))
			}
			if !toPicked {
				s.to.set(toPt, labelOr(toP, toText))
			}
			s.applySearch(q, found, err)
		}
	})
}

// labelOr is a place's label, or the text typed for coordinates.
func labelOr(p app.Place, text string) string {
	if p.Name != "" {
		return p.Label()
	}
	return text
}

// query reads the form into a ride query (without the points), marking the
// fields at fault; bad is true if any is.
func (s *ridesScreen) query() (q app.RideQuery, bad bool) {
	if s.from.text() == "" {
		s.from.setError(lang.L("Where do you start? A town, like Utrecht, or LAT,LON"))
		bad = true
	}
	if s.to.text() == "" {
		s.to.setError(lang.L("Where are you going? A town, like Amsterdam, or LAT,LON"))
		bad = true
	}
	seats, err := strconv.Atoi(strings.TrimSpace(s.seats.Text))
	if strings.TrimSpace(s.seats.Text) == "" {
		seats, err = 1, nil
	}
	if err != nil || seats < 1 || seats > maxSeatsWanted {
		s.seatsMsg.set(lang.L("A whole number of seats from 1 to {{.Max}}", tdata{"Max": maxSeatsWanted}), theme.ColorNameError)
		bad = true
	}
	q.Seats, q.Limit = seats, ridesLimit

	now := time.Now()
	if strings.TrimSpace(s.date.Text) != "" && s.date.Date == nil {
		s.dateMsg.set(lang.L("Not a date: pick one from the calendar, or clear it for any day"), theme.ColorNameError)
		return q, true
	}
	early, errE := parseClock(s.early.Text)
	late, errL := parseClock(s.late.Text)
	if errE != nil || errL != nil {
		s.timeMsg.set(lang.L("Times are like 08:30 or 17:45, or empty for any time"), theme.ColorNameError)
		return q, true
	}
	day := now
	if s.date.Date != nil {
		d := *s.date.Date
		day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local)
	} else if early < 0 && late < 0 {
		q.After = now // any day from now
		return q, bad
	}
	midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.Local)
	q.After = midnight
	if early >= 0 {
		q.After = midnight.Add(early)
	}
	q.Before = midnight.Add(24 * time.Hour)
	if late >= 0 {
		q.Before = midnight.Add(late)
	}
	switch {
	case !q.Before.After(q.After):
		s.timeMsg.set(lang.L("The latest time must come after the earliest"), theme.ColorNameError)
		return q, true
	case q.Before.Before(now):
		s.timeMsg.set(lang.L("That time has passed: pick a later day or time"), theme.ColorNameError)
		return q, true
	}
	if q.After.Before(now) {
		q.After = now
	}
	return q, bad
}

// parseClock reads "8", "08:30" or "17.45" as a time of day; "" is -1.
func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1, nil
	}
	hs, ms, hasMin := strings.Cut(strings.ReplaceAll(s, ".", ":"), ":")
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || h > 24 {
		return 0, errors.New("not a time")
	}
	m := 0
	if hasMin {
		if m, err = strconv.Atoi(ms); err != nil || len(ms) != 2 || m < 0 || m > 59 || (h == 24 && m > 0) {
			return 0, errors.New("not a time")
		}
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// applySearch shows the outcome of a search.
func (s *ridesScreen) applySearch(q app.RideQuery, found []app.RideMatch, err error) {
	s.searchErr = err
	if err == nil {
		s.rides = found
		s.last = &q
		s.lastFrom, s.lastTo = s.from.text(), s.to.text()
		s.searched = true
		if !containsRide(found, s.selected) {
			s.selected = ""
		}
		s.showRoutes(true)
	}
	s.refresh()
	if s.pendingRefresh {
		s.pendingRefresh = false
		s.rerun()
	}
}

func containsRide(rs []app.RideMatch, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// rerun repeats the last search as rides arrive from peers.
func (s *ridesScreen) rerun() {
	if s.last == nil {
		return
	}
	if s.activity.Visible() {
		s.pendingRefresh = true
		return
	}
	q := *s.last
	if !q.After.IsZero() && q.After.Before(time.Now()) {
		q.After = time.Now()
	}
	s.gen++
	gen := s.gen
	s.sh.goUI(searchTimeout, func(ctx context.Context) func() {
		found, err := s.sh.b.Rides(ctx, q)
		return func() {
			if gen == s.gen && s.sh.ctx.Err() == nil {
				s.searchErr = err
				if err == nil {
					s.rides = found
					s.showRoutes(false)
				}
				s.refresh()
			}
		}
	})
}

// refresh brings the count, the list, the empty states and the coverage in
// line with the state.
func (s *ridesScreen) refresh() {
	switch {
	case !s.searched:
		s.count.SetText(lang.L("Rides"))
	default:
		data := countOf(len(s.rides))
		data["From"], data["To"] = shortPlace(s.lastFrom), shortPlace(s.lastTo)
		s.count.SetText(lang.N("{{.Count}} rides from {{.From}} to {{.To}}", len(s.rides), data))
	}
	if s.searchErr != nil {
		s.errLine.SetText(lang.L("Couldn't search the rides: {{.Err}}", tdata{"Err": s.searchErr}))
		s.errLine.Show()
	} else {
		s.errLine.Hide()
	}
	switch {
	case !s.searched:
		s.showState(lang.L("Where are you going?"), lang.L("Type where you start and where you are going — a town or LAT,LON — then search. Rides whose route passes near both show here, and on the map."))
	case len(s.rides) == 0:
		s.showState(lang.L("No rides match."), lang.L("No ride passes near both places at that time. Try another day, a wider time window or a bigger town nearby."))
	default:
		s.stateBox.Hide()
		s.list.Show()
	}
	s.list.Refresh()
	s.reselect()
	s.refreshCoverage()
}

func (s *ridesScreen) showState(title, text string) {
	s.list.Hide()
	s.stateTitle.SetText(title)
	s.stateText.SetText(text)
	s.stateBox.Show()
	s.stateBox.Refresh()
}

// shortPlace is a place's name without its country: "Lyon, FR" → "Lyon".
func shortPlace(label string) string {
	if name, _, ok := strings.Cut(label, ","); ok && !startsWithNumber(label) {
		return name
	}
	return label
}

// reselect keeps the selected ride selected across searches.
func (s *ridesScreen) reselect() {
	for i, r := range s.rides {
		if r.ID == s.selected && s.selected != "" {
			s.list.Select(i)
			return
		}
	}
	s.list.UnselectAll()
	s.selectRide("")
}

// selectRide highlights a ride's route and marks its pickup and drop-off.
func (s *ridesScreen) selectRide(id string) {
	s.selected = id
	s.mapv.SetSelectedRoute(id)
	s.showPins()
}

// showPins marks the selected ride's pickup and drop-off, or else the
// rider's places (they are close together: both would cluster).
func (s *ridesScreen) showPins() {
	var pins []mapview.Pin
	for _, r := range s.rides {
		if r.ID == s.selected {
			pins = append(pins,
				mapview.Pin{ID: pinPickup, Lat: r.Pickup[1], Lon: r.Pickup[0], Label: lang.L("Pickup {{.Time}}", tdata{"Time": r.PickupAt.Local().Format("15:04")})},
				mapview.Pin{ID: pinDropoff, Lat: r.Dropoff[1], Lon: r.Dropoff[0], Label: lang.L("Drop-off")})
		}
	}
	if len(pins) == 0 {
		if s.from.picked {
			pins = append(pins, mapview.Pin{ID: pinFrom, Lat: s.from.point[1], Lon: s.from.point[0], Label: lang.L("From")})
		}
		if s.to.picked {
			pins = append(pins, mapview.Pin{ID: pinTo, Lat: s.to.point[1], Lon: s.to.point[0], Label: lang.L("To")})
		}
	}
	s.mapv.SetPins(pins)
}

// showRoutes draws the matches' routes; fit moves the map to show the
// rider's places and the routes.
func (s *ridesScreen) showRoutes(fit bool) {
	routes := make([]mapview.Route, len(s.rides))
	var b orb.Bound
	first := true
	ext := func(p [2]float64) {
		if first {
			b, first = orb.Point(p).Bound(), false
		} else {
			b = b.Extend(orb.Point(p))
		}
	}
	for i, r := range s.rides {
		routes[i] = mapview.Route{ID: r.ID, Points: r.Route}
		ext(r.Pickup)
		ext(r.Dropoff)
	}
	s.mapv.SetRoutes(routes)
	s.showPins()
	if !fit || s.last == nil {
		return
	}
	ext(s.last.Pickup)
	ext(s.last.Dropoff)
	s.mapv.Fit(b, 13)
}

// refreshCoverage says how well the peer knows the places searched, or the
// map view before any search.
func (s *ridesScreen) refreshCoverage() {
	var cells []string
	if s.last != nil {
		cells = []string{app.PointCell(s.last.Pickup), app.PointCell(s.last.Dropoff)}
	} else {
		b := s.mapv.Bounds()
		cells = app.ViewCells(boundArray(b))
	}
	s.sh.cover.line(s.coverLine, cells)
}

// stop closes the map when the window closes.
func (s *ridesScreen) stop() { s.mapv.Close() }

// rideRow is one ride in the results: when in its facts line, where in its
// caption.
type rideRow struct{ resultRow }

func newRideRow() *rideRow {
	r := &rideRow{}
	initResultRow(&r.resultRow, r)
	return r
}

// set shows a match for a search from fromName to toName.
func (r *rideRow) set(m app.RideMatch, fromName, toName string, q *app.RideQuery) {
	r.title.SetText(m.Title)
	r.price.SetText(lang.L("{{.Price}} / seat", tdata{"Price": formatMoney(m.LegPrice(), m.Currency)}))
	if r.mine.Hidden != !m.Mine {
		r.mine.Hidden = !m.Mine
		r.top.Refresh()
	}
	r.facts.SetText(rideWhen(m))
	where := lang.L("Pickup {{.PickupKm}} from {{.From}} · drop-off {{.DropoffKm}} from {{.To}} · {{.LegKm}} of the {{.RouteKm}} route", tdata{
		"PickupKm": formatKm(distKm(q, m.Pickup, true)), "From": shortPlace(fromName),
		"DropoffKm": formatKm(distKm(q, m.Dropoff, false)), "To": shortPlace(toName),
		"LegKm": formatKm(m.DropoffKm - m.PickupKm), "RouteKm": formatKm(m.RouteKm),
	})
	r.caption.SetText(where)
}

// rideWhen is a match's time line: "Pickup Tue 26 Nov 09:10 · detour 2.3 km
// · 2 of 3 seats left".
func rideWhen(m app.RideMatch) string {
	seats := countOf(m.Seats)
	seats["Left"] = m.SeatsLeft
	return lang.L("Pickup {{.Time}}", tdata{"Time": formatDayTime(m.PickupAt)}) +
		" · " + lang.L("detour {{.Distance}}", tdata{"Distance": formatKm(m.DetourKm)}) +
		" · " + lang.N("{{.Left}} of {{.Count}} seats left", m.Seats, seats)
}

// distKm is how far a point on the route is from the rider's pickup (or
// drop-off) place.
func distKm(q *app.RideQuery, p [2]float64, pickup bool) float64 {
	if q == nil {
		return 0
	}
	want := q.Dropoff
	if pickup {
		want = q.Pickup
	}
	return geo.Distance(orb.Point(want), orb.Point(p)) / 1000
}

// formatKm writes a distance: "450 m", "2.3 km", "120 km".
func formatKm(km float64) string {
	switch {
	case km < 1:
		return fmt.Sprintf("%d m", int(km*1000+0.5)/10*10)
	case km < 10:
		return strings.Replace(strconv.FormatFloat(km, 'f', 1, 64), ".", lang.X("number.decimal", "."), 1) + " km"
	}
	return groupThousands(strconv.Itoa(int(km+0.5))) + " km"
}
