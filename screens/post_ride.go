package screens

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// rideRouteID names the route being drawn on the Post a ride map.
const rideRouteID = "new-ride"

// ridePostedMessage confirms a posted ride at the top of the window.
const ridePostedMessage = "Ride posted — it is on its way to your peers"

// postRideScreen is the form to post a ride: the route clicked on the map
// (origin, stopovers, destination) or imported from a GPX file, the
// departure, the seats and the price per seat, with the cost-sharing
// suggestion and its ceiling.
type postRideScreen struct {
	sh *shell

	// UI goroutine only.
	route      [][2]float64
	fromGPX    bool // the route came from a GPX file: its points are a track
	mapv       *mapview.Map
	place      *placeSearch
	routeMsg   *note
	undo       *widget.Button
	clearBtn   *widget.Button
	gpxBtn     *widget.Button
	title      *widget.Entry
	titleMsg   *note
	date       *widget.DateEntry
	clock      *widget.Entry
	departMsg  *note
	seats      *widget.Entry
	seatsMsg   *note
	price      *widget.Entry
	currency   *widget.SelectEntry
	priceMsg   *note
	suggestMsg *note
	useSuggest *widget.Button
	suggestion app.SeatPrice
	suggested  bool // suggestion holds a price for the route and seats
	submit     *widget.Button
	activity   *widget.Activity
	status     *widget.Label
	posting    bool
	tried      bool // the user tried to post: every field shows its error
	content    fyne.CanvasObject
	// The edit mode (post_edit.go): the ride being edited, nil when
	// posting a new one.
	heading    *widget.Label
	editing    *app.MyListing
	cancelEdit *widget.Button
}

func newPostRideScreen(sh *shell) *postRideScreen {
	p := &postRideScreen{sh: sh}

	p.mapv = mapview.New(sh.mapOpts)
	p.mapv.OnTapped = p.mapTapped
	p.mapv.SetCenter(startLat, startLon, startZoom)
	p.place = newMapSearch(sh, p.mapv)
	p.routeMsg = newNote(theme.SizeNameCaptionText)
	p.undo = widget.NewButtonWithIcon(lang.L("Undo last point"), theme.ContentUndoIcon(), p.undoPoint)
	p.clearBtn = widget.NewButtonWithIcon(lang.L("Clear route"), theme.ContentClearIcon(), p.clearRoute)
	p.gpxBtn = widget.NewButtonWithIcon(lang.L("Import GPX…"), theme.FolderOpenIcon(), p.openGPX)

	p.title = widget.NewEntry()
	p.title.SetPlaceHolder(lang.L("e.g. Utrecht to Amsterdam, Monday morning"))
	p.titleMsg = newNote(theme.SizeNameCaptionText)
	p.date = widget.NewDateEntry()
	p.date.SetPlaceHolder(lang.L("Day"))
	p.clock = widget.NewEntry()
	p.clock.SetPlaceHolder(lang.L("Time, e.g. 08:30"))
	p.departMsg = newNote(theme.SizeNameCaptionText)
	p.seats = widget.NewEntry()
	p.seats.SetPlaceHolder(lang.L("e.g. {{.Example}}", tdata{"Example": "3"}))
	p.seatsMsg = newNote(theme.SizeNameCaptionText)
	p.price = widget.NewEntry()
	p.price.SetPlaceHolder(lang.L("Price per seat"))
	p.currency = widget.NewSelectEntry(currencyChoices)
	p.currency.SetText(defaultCurrency)
	p.priceMsg = newNote(theme.SizeNameCaptionText)
	p.suggestMsg = newNote(theme.SizeNameCaptionText)
	p.useSuggest = widget.NewButton(lang.L("Use the suggested price"), func() {
		if p.suggested {
			p.price.SetText(strconv.FormatFloat(p.suggestion.Suggested, 'f', -1, 64))
		}
	})
	p.useSuggest.Importance = widget.LowImportance

	p.title.OnChanged = func(string) { p.validate() }
	p.date.OnChanged = func(*time.Time) { p.validate() }
	p.clock.OnChanged = func(string) { p.validate() }
	p.seats.OnChanged = func(string) { p.suggest(); p.validate() }
	p.price.OnChanged = func(string) { p.validate() }
	p.currency.OnChanged = func(string) { p.suggest(); p.validate() }

	p.cancelEdit = newCancelEdit(p.stopEdit)
	p.submit = widget.NewButtonWithIcon(lang.L("Post ride"), theme.UploadIcon(), p.submitTapped)
	p.submit.Importance = widget.HighImportance
	p.activity, p.status = newProgress()

	heading := widget.NewLabelWithStyle(lang.L(tabPostRide), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	p.heading = heading
	intro := widget.NewLabel(lang.L("Offer the empty seats of a trip you are making anyway. Riders along the way share its cost; the price is not a profit."))
	intro.Wrapping = fyne.TextWrapWord

	tight := func(objs ...fyne.CanvasObject) *fyne.Container {
		return container.New(layout.NewCustomPaddedVBoxLayout(0), objs...)
	}
	label := func(t string) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
	}
	mapBox := mapColumn(p.place, p.mapv)
	form := container.New(layout.NewFormLayout(),
		label(lang.L("Route")), tight(container.New(minHeight{380}, mapBox), p.routeMsg.rt,
			container.NewHBox(p.undo, p.clearBtn, p.gpxBtn)),
		label(lang.L("Title")), tight(p.title, p.titleMsg.rt),
		label(lang.L("Departure")), tight(container.NewGridWithColumns(2, p.date, p.clock), p.departMsg.rt),
		label(lang.L("Seats")), tight(p.seats, p.seatsMsg.rt),
		label(lang.L("Price per seat")), tight(container.NewBorder(nil, nil, nil, container.New(layout.NewGridWrapLayout(fyne.NewSize(110, p.currency.MinSize().Height)), p.currency), p.price),
			p.priceMsg.rt, p.suggestMsg.rt, container.NewHBox(p.useSuggest)),
	)
	buttons := container.NewBorder(nil, nil, nil, container.NewHBox(p.activity, p.cancelEdit, p.submit), p.status)
	page := container.NewVBox(heading, intro, form, buttons)
	p.content = container.NewVScroll(container.New(maxWidth{860}, container.NewPadded(page)))

	p.routeChanged()
	p.validate()
	return p
}

// mapTapped adds a point to the route: the origin first, then stopovers,
// the last one being the destination.
func (p *postRideScreen) mapTapped(lat, lon float64) {
	if p.posting {
		return
	}
	if p.fromGPX {
		p.status.SetText(lang.L("The route comes from a GPX file; clear it to draw one by clicking."))
		p.status.Importance = widget.MediumImportance
		p.status.Show()
		return
	}
	if len(p.route) >= app.MaxRoutePoints {
		return
	}
	d := clickDecimals(p.mapv.Zoom())
	p.route = append(p.route, [2]float64{roundTo(lon, d), roundTo(lat, d)})
	p.routeChanged()
}

func roundTo(v float64, decimals int) float64 {
	f, _ := strconv.ParseFloat(formatCoord(v, decimals), 64)
	return f
}

// undoPoint removes the last point clicked.
func (p *postRideScreen) undoPoint() {
	if len(p.route) > 0 && !p.fromGPX {
		p.route = p.route[:len(p.route)-1]
		p.routeChanged()
	}
}

// clearRoute starts the route again.
func (p *postRideScreen) clearRoute() {
	p.route, p.fromGPX = nil, false
	p.status.Hide()
	p.routeChanged()
}

// openGPX picks a GPX file to take the route from.
func (p *postRideScreen) openGPX() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.routeMsg.set(sentence(lang.L("couldn't open the file: {{.Err}}", tdata{"Err": err})), theme.ColorNameError)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		p.importGPXFile(path)
	}, p.sh.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".gpx", ".GPX"}))
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// importGPXFile reads a route from a GPX file off the UI goroutine.
func (p *postRideScreen) importGPXFile(path string) {
	p.routeMsg.set(lang.L("Reading {{.File}}…", tdata{"File": path}), theme.ColorNamePlaceHolder)
	p.sh.wg.Add(1)
	go func() {
		defer p.sh.wg.Done()
		route, err := readGPX(path)
		p.sh.do(func() { p.gpxRead(route, err) })
	}()
}

// readGPX reads a ride's route from a GPX file.
func readGPX(path string) ([][2]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open GPX file: %w", err)
	}
	defer f.Close()
	return app.RouteFromGPX(io.Reader(f))
}

// gpxRead takes a route read from a GPX file, or says why it can't.
func (p *postRideScreen) gpxRead(route [][2]float64, err error) {
	if err != nil {
		p.routeChanged()
		p.routeMsg.set(lang.L("Couldn't import the GPX file: {{.Err}}", tdata{"Err": err}), theme.ColorNameError)
		return
	}
	p.route, p.fromGPX = route, true
	p.routeChanged()
	b := orb.LineString(lineOf(route)).Bound()
	p.mapv.Fit(b, 14)
}

func lineOf(route [][2]float64) orb.LineString {
	ls := make(orb.LineString, len(route))
	for i, pt := range route {
		ls[i] = orb.Point(pt)
	}
	return ls
}

// routeKm is the length of the route.
func routeKm(route [][2]float64) float64 {
	return geo.Length(lineOf(route)) / 1000
}

// routeChanged redraws the route and its pins and updates the suggestion.
func (p *postRideScreen) routeChanged() {
	var pins []mapview.Pin
	for i, pt := range p.route {
		label := ""
		switch {
		case i == 0:
			label = lang.L("Start")
		case i == len(p.route)-1:
			label = lang.L("End")
		case p.fromGPX:
			continue // a track's points are not stops
		default:
			label = lang.L("Stop {{.Number}}", tdata{"Number": i})
		}
		pins = append(pins, mapview.Pin{ID: fmt.Sprintf("pt%d", i), Lat: pt[1], Lon: pt[0], Label: label})
	}
	p.mapv.SetPins(pins)
	if len(p.route) >= 2 {
		p.mapv.SetRoutes([]mapview.Route{{ID: rideRouteID, Points: p.route}})
	} else {
		p.mapv.SetRoutes(nil)
	}
	switch {
	case p.fromGPX:
		p.routeMsg.set(lang.N("Route from the GPX file: {{.Distance}}, {{.Count}} points.", len(p.route), tdata{"Distance": formatKm(routeKm(p.route)), "Count": countOf(len(p.route))["Count"]}), theme.ColorNamePlaceHolder)
	case len(p.route) == 0:
		p.routeMsg.set(lang.L("Click the map where you leave from, then where you stop on the way, and last where you arrive. Or import a GPX track."), theme.ColorNamePlaceHolder)
	case len(p.route) == 1:
		p.routeMsg.set(lang.L("Start set. Click where you stop on the way, and last where you arrive."), theme.ColorNamePlaceHolder)
	default:
		p.routeMsg.set(lang.N("{{.Distance}} in straight lines; {{.Count}} stops on the way. Click to add the next point; the last one is where you arrive.",
			len(p.route)-2, tdata{"Distance": formatKm(routeKm(p.route)), "Count": countOf(len(p.route) - 2)["Count"]}), theme.ColorNamePlaceHolder)
	}
	if p.tried && len(p.route) < 2 {
		p.routeMsg.set(lang.L("A ride needs a start and an end: click the map twice, or import a GPX track."), theme.ColorNameError)
	}
	if len(p.route) == 0 || p.fromGPX {
		p.undo.Disable()
	} else {
		p.undo.Enable()
	}
	if len(p.route) == 0 {
		p.clearBtn.Disable()
	} else {
		p.clearBtn.Enable()
	}
	p.suggest()
	p.validate()
}

// costPerKm is the driver's cost per km from Settings.
func (p *postRideScreen) costPerKm() float64 {
	return p.sh.app.Preferences().FloatWithFallback(prefCostPerKm, app.DefaultCostPerKm)
}

// suggest works out the cost-sharing price for the route and seats.
func (p *postRideScreen) suggest() {
	seats, err := strconv.Atoi(strings.TrimSpace(p.seats.Text))
	if err != nil || seats < 1 || seats > app.MaxSeats || len(p.route) < 2 {
		seats = 0
	}
	p.suggested = false
	if seats > 0 {
		sp, err := app.SuggestSeatPrice(p.route, p.costPerKm(), seats)
		if err == nil {
			p.suggestion, p.suggested = sp, true
		}
	}
	cur := cleanCurrency(p.currency.Text)
	if validateCurrency(cur) != nil {
		cur = ""
	}
	if !p.suggested {
		p.suggestMsg.set(lang.L("The suggested price shows once the route and the seats are set."), theme.ColorNamePlaceHolder)
		p.useSuggest.Hide()
		return
	}
	sp := p.suggestion
	p.suggestMsg.set(lang.N("Suggested {{.Price}} per seat: {{.Distance}} at {{.PerKm}}/km, shared by {{.Count}} riders and you. At most {{.Max}} per seat: the trip's cost shared by the riders alone.", seats,
		tdata{"Price": formatMoney(sp.Suggested, cur), "Distance": formatKm(sp.RouteKm), "PerKm": formatMoney(p.costPerKm(), cur), "Count": countOf(seats)["Count"], "Max": formatMoney(sp.Max, cur)}),
		theme.ColorNamePlaceHolder)
	p.useSuggest.Show()
}

// errs are the form's errors by field; a field the user has not typed in
// yet shows none until they try to post.
func (p *postRideScreen) errs() map[string]error {
	out := map[string]error{}
	if len(p.route) < 2 {
		out["route"] = errors.New(lang.L("a ride needs a start and an end"))
	}
	if p.tried || p.title.Text != "" {
		if err := validateTitle(p.title.Text); err != nil {
			out["title"] = err
		}
	}
	if _, err := p.departure(); err != nil && (p.tried || p.clock.Text != "" || p.date.Date != nil) {
		out["depart_at"] = err
	}
	if p.tried || p.seats.Text != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(p.seats.Text)); err != nil || n < 1 || n > app.MaxSeats {
			out["seats"] = errors.New(lang.L("A whole number of seats from 1 to {{.Max}}", tdata{"Max": app.MaxSeats}))
		}
	}
	if p.tried || p.price.Text != "" {
		if err := validatePrice(p.price.Text); err != nil {
			out["price_per_seat"] = err
		} else if v, _ := parseDecimal(p.price.Text); p.suggested && v > p.suggestion.Max {
			out["price_per_seat"] = errors.New(lang.L("rides share costs: at most {{.Max}} per seat for this route", tdata{"Max": formatMoney(p.suggestion.Max, cleanCurrency(p.currency.Text))}))
		}
	}
	if err := validateCurrency(p.currency.Text); err != nil {
		out["currency"] = err
	}
	return out
}

// departure is the date and time given, in local time.
func (p *postRideScreen) departure() (time.Time, error) {
	if p.date.Date == nil {
		if strings.TrimSpace(p.date.Text) != "" {
			return time.Time{}, errors.New(lang.L("not a date: pick the day from the calendar"))
		}
		return time.Time{}, errors.New(lang.L("required: the day and time you leave"))
	}
	c, err := parseClock(p.clock.Text)
	if err != nil || c < 0 || c >= 24*time.Hour {
		return time.Time{}, errors.New(lang.L("the time you leave, like 08:30"))
	}
	d := *p.date.Date
	t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local).Add(c)
	if t.Before(time.Now()) {
		return time.Time{}, errors.New(lang.L("that time has passed"))
	}
	return t, nil
}

// validate shows each field's error or hint and allows posting when there
// is none.
func (p *postRideScreen) validate() {
	errs := p.errs()
	show := func(n *note, key, hint string) {
		if err := errs[key]; err != nil {
			n.set(sentence(err.Error()), theme.ColorNameError)
		} else {
			n.set(hint, theme.ColorNamePlaceHolder)
		}
	}
	show(p.titleMsg, "title", lang.L("What riders see first, like “Lyon to Geneva, Friday evening”."))
	show(p.departMsg, "depart_at", lang.L("When you leave the start; pickups along the way are estimated from it."))
	show(p.seatsMsg, "seats", lang.L("Seats you offer, 1 to {{.Max}}.", tdata{"Max": app.MaxSeats}))
	priceErr := errs["price_per_seat"]
	if priceErr == nil {
		priceErr = errs["currency"]
	}
	if priceErr != nil {
		p.priceMsg.set(sentence(priceErr.Error()), theme.ColorNameError)
	} else {
		p.priceMsg.set("", theme.ColorNamePlaceHolder)
	}
	if p.posting || (p.tried && len(errs) > 0) {
		p.submit.Disable()
	} else {
		p.submit.Enable()
	}
}

// submitTapped checks every field and posts the ride when all are good.
func (p *postRideScreen) submitTapped() {
	if p.posting {
		return
	}
	p.tried = true
	p.routeChanged() // shows every error
	if len(p.errs()) > 0 {
		p.setStatus(lang.L("Correct what is marked in red, then post again."), widget.DangerImportance)
		return
	}
	ride, editing := p.ride(), p.editing
	if editing != nil {
		ride = p.editedRide()
	}
	p.setPosting(true)
	p.sh.wg.Add(1)
	go func() {
		defer p.sh.wg.Done()
		ctx, cancel := context.WithTimeout(p.sh.ctx, postTimeout)
		defer cancel()
		var id string
		var err error
		if editing != nil {
			id, err = editing.ID, p.sh.b.UpdateRide(ctx, editing.ID, ride)
		} else {
			id, err = p.sh.b.PostRide(ctx, ride)
		}
		p.sh.do(func() { p.posted(id, err) })
	}()
}

// ride is the ride the form describes; every field is valid.
func (p *postRideScreen) ride() app.Ride {
	depart, _ := p.departure()
	seats, _ := strconv.Atoi(strings.TrimSpace(p.seats.Text))
	price, _ := parseDecimal(p.price.Text)
	return app.Ride{
		Title:        strings.TrimSpace(p.title.Text),
		Route:        append([][2]float64(nil), p.route...),
		DepartAt:     depart,
		Seats:        seats,
		SeatsLeft:    seats,
		PricePerSeat: price,
		Currency:     cleanCurrency(p.currency.Text),
	}
}

// posted shows the outcome of posting.
func (p *postRideScreen) posted(_ string, err error) {
	p.setPosting(false)
	if err == nil && p.editing != nil {
		p.reset()
		p.sh.show(tabMyListings)
		p.sh.banner.show(lang.L(rideSavedMessage))
		return
	}
	if err == nil {
		p.reset()
		p.sh.banner.show(lang.L(ridePostedMessage))
		return
	}
	var ie *app.InputError
	if errors.As(err, &ie) {
		detail := ie.Detail
		if detail == "" {
			detail = ie.Error()
		}
		p.setStatus(lang.L("The ride was not posted: {{.Err}}.", tdata{"Err": detail}), widget.DangerImportance)
		return
	}
	p.setStatus(lang.L("Couldn't post the ride: {{.Err}}. Everything you entered is still here; try again.", tdata{"Err": err}), widget.DangerImportance)
}

func (p *postRideScreen) setStatus(msg string, imp widget.Importance) {
	showStatus(p.status, msg, imp)
}

// setPosting locks the form while a post is under way.
func (p *postRideScreen) setPosting(on bool) {
	p.posting = on
	setDisabled(on, p.title, p.date, p.clock, p.seats, p.price, p.currency, p.gpxBtn, p.cancelEdit)
	msg := lang.L("Posting your ride…")
	if p.editing != nil {
		msg = lang.L("Saving your ride…")
	}
	showPosting(p.activity, p.status, on, msg)
	p.validate()
}

// reset empties the form for the next ride; the map stays where it is.
func (p *postRideScreen) reset() {
	p.tried = false
	p.title.SetText("")
	clearDate(p.date)
	p.clock.SetText("")
	p.seats.SetText("")
	p.price.SetText("")
	p.currency.SetText(defaultCurrency)
	p.clearRoute()
	p.status.Hide()
	p.editing = nil
	p.showEditMode()
}

// stop closes the map when the window closes.
func (p *postRideScreen) stop() { p.mapv.Close() }
