package screens

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // listing photos are JPEG
	_ "image/png"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

const (
	// photoTimeout bounds the fetch of one photo from the network.
	photoTimeout = 45 * time.Second
	// listingZoom is the zoom of a listing page's map.
	listingZoom = 14
)

// photoSize is the size a photo is shown at on a listing page.
var photoSize = fyne.NewSize(280, 210)

// listingPage is a room's page: its photos (fetched off the UI goroutine,
// with a placeholder until they come), price, capacity, amenities,
// description, host and a map of where it is.
type listingPage struct {
	sh     *shell
	onBack func()

	// UI goroutine only.
	room      app.RoomListing
	cancel    context.CancelFunc // ends the photo loads of the room shown
	ask       *widget.Button     // a question to the host before booking
	content   fyne.CanvasObject
	scroll    *container.Scroll
	title     *widget.Label
	mine      *widget.Label
	photos    *fyne.Container
	photoNote *note
	price     *widget.Label
	facts     *widget.Label
	amenities *widget.Label
	desc      *widget.Label
	host      *widget.Label
	hostNote  *note
	where     *note
	mapv      *mapview.Map

	// The Book section and the host's reputation (listing_book.go's part).
	ride      *app.RideMatch // the ride shown, nil for a room
	rideQuery *app.RideQuery // the search that found it
	book      *bookForm
	hostRep   *note
	roomOnly  []fyne.CanvasObject // what a ride's page hides
	amenHead  *widget.Label
	aboutHead *widget.Label
	repGen    int
}

func newListingPage(sh *shell, onBack func()) *listingPage {
	lp := &listingPage{sh: sh, onBack: onBack}
	back := widget.NewButtonWithIcon(lang.L("Back to results"), theme.NavigateBackIcon(), func() { lp.onBack() })
	lp.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lp.title.SizeName = theme.SizeNameHeadingText
	lp.title.Wrapping = fyne.TextWrapWord
	lp.mine = widget.NewLabelWithStyle(lang.L("You posted this room."), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lp.mine.Importance = widget.HighImportance
	lp.photos = container.NewGridWrap(photoSize)
	lp.photoNote = newNote(theme.SizeNameText)
	lp.price = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lp.price.SizeName = theme.SizeNameSubHeadingText
	lp.facts = widget.NewLabel("")
	lp.amenities = widget.NewLabel("")
	lp.amenities.Wrapping = fyne.TextWrapWord
	lp.desc = widget.NewLabel("")
	lp.desc.Wrapping = fyne.TextWrapWord
	lp.host = widget.NewLabel("")
	copyHost := widget.NewButtonWithIcon(lang.L("Copy host ID"), theme.ContentCopyIcon(), func() {
		sh.app.Clipboard().SetContent(lp.room.Author)
		sh.banner.show(lang.L("Host ID copied"))
	})
	copyHost.Importance = widget.LowImportance
	lp.hostNote = newNote(theme.SizeNameCaptionText)
	lp.where = newNote(theme.SizeNameCaptionText)
	lp.mapv = mapview.New(sh.mapOpts)
	lp.hostRep = newNote(theme.SizeNameText)
	profile := widget.NewButtonWithIcon(lang.L("Host's profile"), theme.AccountIcon(), func() {
		showPerson(sh, lp.author())
	})
	lp.ask = widget.NewButtonWithIcon(lang.L("Ask a question"), theme.MailComposeIcon(), func() {
		sh.ensure(tabTrips)
		sh.trips.askHost(lp.author())
	})
	lp.book = newBookForm(sh)

	heading := func(t string) *widget.Label {
		l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.SizeName = theme.SizeNameSubHeadingText
		return l
	}
	lp.amenHead, lp.aboutHead = heading(lang.L("Amenities")), heading(lang.L("About this room"))
	amenSep := widget.NewSeparator()
	lp.roomOnly = []fyne.CanvasObject{lp.photos, lp.photoNote.rt, amenSep, lp.amenHead, lp.amenities}
	body := container.NewVBox(
		lp.title, lp.mine, lp.photos, lp.photoNote.rt,
		lp.price, lp.facts,
		widget.NewSeparator(), heading(lang.L("Book")), lp.book.content,
		amenSep, lp.amenHead, lp.amenities,
		widget.NewSeparator(), lp.aboutHead, lp.desc,
		widget.NewSeparator(), heading(lang.L("Host")), container.NewHBox(lp.host, copyHost, profile, lp.ask), lp.hostRep.rt, lp.hostNote.rt,
		widget.NewSeparator(), heading(lang.L("Where")), container.New(minHeight{260}, lp.mapv), lp.where.rt,
		layout.NewSpacer(),
	)
	lp.scroll = container.NewVScroll(container.New(maxWidth{860}, container.NewPadded(body)))
	lp.content = container.NewBorder(container.NewPadded(container.NewHBox(back)), nil, nil, nil, lp.scroll)
	return lp
}

// show fills the page with a room and starts loading its photos.
func (lp *listingPage) show(r app.RoomListing) {
	lp.close()
	lp.room = r
	lp.ride, lp.rideQuery = nil, nil
	for _, o := range lp.roomOnly {
		o.Show()
	}
	lp.aboutHead.SetText(lang.L("About this room"))
	lp.mapv.SetRoutes(nil)
	lp.book.showRoom(r)
	lp.loadReputation(r.Author)
	lp.title.SetText(r.Title)
	lp.mine.Hidden = !r.Mine
	lp.ask.Hidden = r.Mine
	lp.price.SetText(formatNightly(r.PricePerNight, r.Currency))
	lp.facts.SetText(sentence(formatGuests(r.MaxGuests)))
	if len(r.Amenities) == 0 {
		lp.amenities.SetText(lang.L("No amenities listed."))
	} else {
		lp.amenities.SetText(formatAmenities(r.Amenities))
	}
	if strings.TrimSpace(r.Description) == "" {
		lp.desc.SetText(lang.L("The host wrote no description."))
	} else {
		lp.desc.SetText(r.Description)
	}
	if r.Mine {
		lp.host.SetText(lang.L("You ({{.ID}})", tdata{"ID": shortID(r.Author)}))
	} else {
		lp.host.SetText(lang.L("Hosted by {{.ID}}", tdata{"ID": shortID(r.Author)}))
	}
	meta := lang.L("Peer ID {{.ID}}", tdata{"ID": r.Author})
	if age := formatAge(r.IssuedAt, time.Now()); age != "" {
		meta += " · " + lang.L("posted {{.Age}}", tdata{"Age": age})
	}
	if r.Version > 1 {
		meta += " · " + lang.L("version {{.Version}}", tdata{"Version": r.Version})
	}
	lp.hostNote.set(meta, theme.ColorNamePlaceHolder)
	lp.where.set(formatCoords(r.Lat, r.Lon)+" · "+lang.L("the point the host gave; it may be approximate."), theme.ColorNamePlaceHolder)
	lp.mapv.SetPins([]mapview.Pin{{ID: r.ID, Lat: r.Lat, Lon: r.Lon, Label: formatMoney(r.PricePerNight, r.Currency)}})
	lp.mapv.SetSelected(r.ID)
	lp.mapv.SetCenter(r.Lat, r.Lon, listingZoom)
	lp.showPhotos()
	lp.scroll.ScrollToTop()
	lp.content.Refresh()
}

// showPhotos puts a placeholder for each photo of the room and loads the
// photos off the UI goroutine, each replacing its placeholder as it comes.
func (lp *listingPage) showPhotos() {
	lp.photos.RemoveAll()
	r := lp.room
	if len(r.Photos) == 0 {
		lp.photos.Hide()
		lp.photoNote.set(lang.L("No photos of this room."), theme.ColorNamePlaceHolder)
		return
	}
	lp.photos.Show()
	lp.photoNote.set("", theme.ColorNamePlaceHolder)
	ctx, cancel := context.WithCancel(lp.sh.ctx)
	lp.cancel = cancel
	for _, hash := range r.Photos {
		slot := container.NewStack()
		setPhotoPlaceholder(slot, lang.L("Loading photo…"), true)
		lp.photos.Add(slot)
		lp.sh.wg.Add(1)
		go func() {
			defer lp.sh.wg.Done()
			img, err := loadPhoto(ctx, lp.sh.b, hash, r.Author)
			if ctx.Err() != nil {
				return
			}
			lp.sh.do(func() {
				if ctx.Err() != nil {
					return // the page shows another room now
				}
				if err != nil {
					setPhotoPlaceholder(slot, lang.L("Photo not available"), false, lang.L("Its host may be offline; try later."))
					return
				}
				ci := canvas.NewImageFromImage(img)
				ci.FillMode = canvas.ImageFillContain
				ci.ScaleMode = canvas.ImageScaleSmooth
				slot.Objects = []fyne.CanvasObject{photoBackground(), ci}
				slot.Refresh()
			})
		}()
	}
}

// loadPhoto fetches and decodes a photo; it may block.
func loadPhoto(ctx context.Context, b Backend, hash, author string) (image.Image, error) {
	ctx, cancel := context.WithTimeout(ctx, photoTimeout)
	defer cancel()
	data, err := b.Photo(ctx, hash, author)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode photo %s: %w", hash, err)
	}
	return img, nil
}

// setPhotoPlaceholder fills a photo slot with a message (and a line of
// detail), and a spinner while loading.
func setPhotoPlaceholder(slot *fyne.Container, msg string, loading bool, detail ...string) {
	objs := []fyne.CanvasObject{widget.NewLabelWithStyle(msg, fyne.TextAlignCenter, fyne.TextStyle{Italic: true})}
	for _, d := range detail {
		l := widget.NewLabelWithStyle(d, fyne.TextAlignCenter, fyne.TextStyle{})
		l.SizeName = theme.SizeNameCaptionText
		objs = append(objs, l)
	}
	if loading {
		a := widget.NewActivity()
		a.Start()
		objs = append([]fyne.CanvasObject{a}, objs...)
	}
	slot.Objects = []fyne.CanvasObject{photoBackground(), container.NewCenter(container.NewVBox(objs...))}
	slot.Refresh()
}

// photoBackground is the frame behind a photo or its placeholder.
func photoBackground() fyne.CanvasObject {
	return newTint(theme.ColorNameInputBackground, 0xff, layout.NewSpacer())
}

// close stops loading the photos of the room shown.
func (lp *listingPage) close() {
	if lp.cancel != nil {
		lp.cancel()
		lp.cancel = nil
	}
	for _, o := range lp.photos.Objects {
		stopActivities(o)
	}
}

// stopActivities stops the spinners in o, so that none runs hidden.
func stopActivities(o fyne.CanvasObject) {
	switch x := o.(type) {
	case *widget.Activity:
		x.Stop()
	case *fyne.Container:
		for _, c := range x.Objects {
			stopActivities(c)
		}
	}
}

// stop closes the page's map when the window closes.
func (lp *listingPage) stop() {
	lp.close()
	lp.mapv.Close()
}

// author is the peer who posted the room or ride shown.
func (lp *listingPage) author() string {
	if lp.ride != nil {
		return lp.ride.Author
	}
	return lp.room.Author
}

// showRide fills the page with a ride found by q (nil when there was no
// search), for booking seats in it.
func (lp *listingPage) showRide(m app.RideMatch, q *app.RideQuery) {
	lp.close()
	lp.room = app.RoomListing{}
	lp.ride, lp.rideQuery = &m, q
	for _, o := range lp.roomOnly {
		o.Hide()
	}
	lp.title.SetText(m.Title)
	lp.mine.Hidden = !m.Mine
	lp.ask.Hidden = m.Mine
	lp.price.SetText(lang.L("{{.Price}} / seat", tdata{"Price": formatMoney(m.PricePerSeat, m.Currency)}))
	lp.facts.SetText(lang.L("Leaves {{.Time}}", tdata{"Time": formatDayTime(m.DepartAt)}) + " · " +
		lang.N("{{.Left}} of {{.Count}} seats left", m.SeatsLeft, tdata{"Left": groupThousands(strconv.Itoa(m.SeatsLeft)), "Count": groupThousands(strconv.Itoa(m.Seats))}))
	lp.aboutHead.SetText(lang.L("Route"))
	route := fmt.Sprintf("%s → %s", formatCoords(m.Route[0][1], m.Route[0][0]), formatCoords(m.Route[len(m.Route)-1][1], m.Route[len(m.Route)-1][0]))
	if len(m.Stopovers) > 0 {
		route += "\n" + lang.L("Via {{.Places}}", tdata{"Places": strings.Join(m.Stopovers, ", ")})
	}
	if m.RouteKm > 0 {
		route += "\n" + lang.L("{{.Distance}} in all", tdata{"Distance": formatKm(m.RouteKm)})
	}
	lp.desc.SetText(route)
	if m.Mine {
		lp.host.SetText(lang.L("You ({{.ID}})", tdata{"ID": shortID(m.Author)}))
	} else {
		lp.host.SetText(lang.L("Driven by {{.ID}}", tdata{"ID": shortID(m.Author)}))
	}
	lp.hostNote.set(lang.L("Peer ID {{.ID}}", tdata{"ID": m.Author}), theme.ColorNamePlaceHolder)
	pickup, dropoff := rideEnds(m, q)
	lp.where.set(lang.L("Pickup {{.Pickup}} · drop-off {{.Dropoff}}", tdata{"Pickup": formatCoords(pickup[1], pickup[0]), "Dropoff": formatCoords(dropoff[1], dropoff[0])}), theme.ColorNamePlaceHolder)
	lp.mapv.SetRoutes([]mapview.Route{{ID: m.ID, Points: m.Route}})
	lp.mapv.SetSelectedRoute(m.ID)
	lp.mapv.SetPins([]mapview.Pin{
		{ID: pinPickup, Lat: pickup[1], Lon: pickup[0], Label: lang.L("Pickup")},
		{ID: pinDropoff, Lat: dropoff[1], Lon: dropoff[0], Label: lang.L("Drop-off")},
	})
	lp.mapv.SetCenter((pickup[1]+dropoff[1])/2, (pickup[0]+dropoff[0])/2, 9)
	lp.book.showRide(m, pickup, dropoff)
	lp.loadReputation(m.Author)
	lp.scroll.ScrollToTop()
	lp.content.Refresh()
}

// rideEnds is where a rider gets on and off: the places searched when there
// was a search, else the ride's own ends.
func rideEnds(m app.RideMatch, q *app.RideQuery) (pickup, dropoff [2]float64) {
	if q != nil {
		return q.Pickup, q.Dropoff
	}
	return m.Route[0], m.Route[len(m.Route)-1]
}

// loadReputation shows what the reviews known here say of the host, loaded
// off the UI goroutine.
func (lp *listingPage) loadReputation(peer string) {
	lp.repGen++
	gen := lp.repGen
	lp.hostRep.set(lang.L("Loading the host's reviews…"), theme.ColorNamePlaceHolder)
	lp.sh.wg.Add(1)
	go func() {
		defer lp.sh.wg.Done()
		rep, err := lp.sh.b.Reputation(lp.sh.ctx, peer)
		lp.sh.do(func() {
			if gen != lp.repGen {
				return
			}
			if err != nil {
				lp.hostRep.set(lang.L("Reviews not available: {{.Err}}", tdata{"Err": err}), theme.ColorNameError)
				return
			}
			lp.hostRep.set(formatReputation(rep), theme.ColorNameForeground)
		})
	}()
}

// openRide shows a ride's page over Explore.
func (e *exploreScreen) openRide(m app.RideMatch, q *app.RideQuery) {
	e.page.showRide(m, q)
	e.main.Hide()
	e.page.content.Show()
}

// bookForm is the Book section of a listing page: a room's dates and guests
// or a ride's seats, the cancellation policy and the total before sending,
// a note to the owner, and Book.
type bookForm struct {
	sh *shell

	// UI goroutine only.
	roomID, owner string
	isRide, mine  bool
	unit          float64 // price per night or per seat
	currency      string
	maxGuests     int
	seatsLeft     int
	pickup        [2]float64
	dropoff       [2]float64
	sending       bool
	from, to      *widget.DateEntry
	guests, seats *widget.Entry
	roomRow       *fyne.Container
	rideRow       *fyne.Container
	places        *widget.Label
	policy        *widget.Label
	total         *widget.Label
	noteEntry     *widget.Entry
	submit        *widget.Button
	activity      *widget.Activity
	status        *widget.Label
	openTrips     *widget.Button
	mineNote      *widget.Label
	content       *fyne.Container
}

func newBookForm(sh *shell) *bookForm {
	f := &bookForm{sh: sh}
	f.from, f.to = widget.NewDateEntry(), widget.NewDateEntry()
	f.from.SetPlaceHolder(lang.L("Check-in"))
	f.to.SetPlaceHolder(lang.L("Check-out"))
	f.guests = widget.NewEntry()
	f.guests.SetText("1")
	f.seats = widget.NewEntry()
	f.seats.SetText("1")
	for _, d := range []*widget.DateEntry{f.from, f.to} {
		d.OnChanged = func(*time.Time) { f.update() }
	}
	for _, e := range []*widget.Entry{f.guests, f.seats} {
		e.OnChanged = func(string) { f.update() }
	}
	bold := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	f.roomRow = container.New(layout.NewFormLayout(),
		bold(lang.L("Check-in")), f.from, bold(lang.L("Check-out")), f.to, bold(lang.L("Guests")), f.guests)
	f.places = widget.NewLabel("")
	f.places.Wrapping = fyne.TextWrapWord
	f.rideRow = container.New(layout.NewFormLayout(), bold(lang.L("Seats")), f.seats, bold(lang.L("Where")), f.places)
	f.policy = widget.NewLabel("")
	f.policy.Wrapping = fyne.TextWrapWord
	f.total = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.total.Wrapping = fyne.TextWrapWord
	f.noteEntry = widget.NewMultiLineEntry()
	f.noteEntry.OnChanged = func(string) { f.update() }
	f.noteEntry.Wrapping = fyne.TextWrapWord
	f.noteEntry.SetMinRowsVisible(2)
	f.noteEntry.SetPlaceHolder(lang.L("A word to the owner (optional): who you are, why you come…"))
	f.submit = widget.NewButtonWithIcon(lang.L("Book"), theme.ConfirmIcon(), f.send)
	f.submit.Importance = widget.HighImportance
	f.activity, f.status = newProgress()
	f.openTrips = widget.NewButtonWithIcon(lang.L("Open Trips"), theme.ListIcon(), func() { sh.show(tabTrips) })
	f.openTrips.Hide()
	f.mineNote = widget.NewLabel(lang.L("This is your own listing: its requests come to you in Trips."))
	f.mineNote.Wrapping = fyne.TextWrapWord
	f.content = container.NewVBox(f.mineNote, f.roomRow, f.rideRow, f.policy, f.total, f.noteEntry,
		container.NewHBox(f.submit, f.activity, f.openTrips), f.status)
	return f
}

// reset clears what the last listing left in the form.
func (f *bookForm) reset(id, owner string, mine, ride bool) {
	f.roomID, f.owner, f.mine, f.isRide = id, owner, mine, ride
	clearDate(f.from)
	clearDate(f.to)
	f.guests.SetText("1")
	f.seats.SetText("1")
	f.noteEntry.SetText("")
	f.status.Hide()
	f.openTrips.Hide()
	f.mineNote.Hidden = !mine
	f.roomRow.Hidden = ride
	f.rideRow.Hidden = !ride
	f.content.Refresh()
}

// showRoom sets the form up for a room.
func (f *bookForm) showRoom(r app.RoomListing) {
	f.unit, f.currency, f.maxGuests = r.PricePerNight, r.Currency, r.MaxGuests
	f.reset(r.ID, r.Author, r.Mine, false)
	f.loadTerms(r.ID)
	f.update()
}

// prefill puts the nights and guests the renter searched with into the
// form, so that a room found for those dates is booked for them.
func (f *bookForm) prefill(filter roomFilter) {
	if filter.From != "" {
		from, err1 := time.ParseInLocation(app.DateLayout, filter.From, time.Local)
		to, err2 := time.ParseInLocation(app.DateLayout, filter.To, time.Local)
		if err1 == nil && err2 == nil {
			f.from.SetDate(&from)
			f.to.SetDate(&to)
		}
	}
	if filter.Guests > 0 {
		f.guests.SetText(strconv.Itoa(filter.Guests))
	}
	f.update()
}

// showRide sets the form up for seats in a ride.
func (f *bookForm) showRide(m app.RideMatch, pickup, dropoff [2]float64) {
	f.unit, f.currency, f.seatsLeft = m.PricePerSeat, m.Currency, m.SeatsLeft
	f.pickup, f.dropoff = pickup, dropoff
	f.reset(m.ID, m.Author, m.Mine, true)
	f.places.SetText(lang.L("Pickup {{.Place}}", tdata{"Place": formatCoords(pickup[1], pickup[0])}) + "\n" + lang.L("Drop-off {{.Place}}", tdata{"Place": formatCoords(dropoff[1], dropoff[0])}))
	f.loadTerms(m.ID)
	f.update()
}

// loadTerms shows the listing's cancellation policy, read from its record
// off the UI goroutine.
func (f *bookForm) loadTerms(id string) {
	f.policy.SetText(lang.L("Cancellation policy: loading…"))
	f.sh.wg.Add(1)
	go func() {
		defer f.sh.wg.Done()
		terms, err := f.sh.b.ListingTerms(f.sh.ctx, id)
		f.sh.do(func() {
			if id != f.roomID {
				return
			}
			if err != nil {
				f.policy.SetText(lang.L("Cancellation policy not known here: {{.Err}}", tdata{"Err": errorText(err)}))
				return
			}
			txt := policyText(terms.Policy)
			if terms.InstantBook {
				txt += "\n" + lang.L("Instant book: the owner's app accepts a request that fits by itself.")
			}
			f.policy.SetText(txt)
		})
	}()
}

// policyText explains a cancellation policy.
func policyText(p app.CancellationPolicy) string {
	switch p {
	case app.PolicyModerate:
		return lang.L("Cancellation: moderate — full refund until 5 days before the start.")
	case app.PolicyStrict:
		return lang.L("Cancellation: strict — half refunded until 7 days before the start, nothing after.")
	}
	return lang.L("Cancellation: flexible — full refund until 1 day before the start.")
}

// input reads the form; a message says what is wrong with it.
func (f *bookForm) input() (app.BookingInput, string) {
	in := app.BookingInput{ListingID: f.roomID, Note: strings.TrimSpace(f.noteEntry.Text)}
	if f.mine {
		return in, lang.L("This is your own listing; you cannot book it.")
	}
	if len([]rune(in.Note)) > app.MaxReason {
		return in, lang.L("The note is too long: at most {{.Max}} characters.", tdata{"Max": app.MaxReason})
	}
	if f.isRide {
		n, err := strconv.Atoi(strings.TrimSpace(f.seats.Text))
		switch {
		case err != nil || n < 1:
			return in, lang.L("Seats: a whole number, 1 or more.")
		case n > f.seatsLeft:
			return in, lang.N("Only {{.Count}} seats are left.", f.seatsLeft, countOf(f.seatsLeft))
		}
		p, d := f.pickup, f.dropoff
		in.Seats, in.Pickup, in.Dropoff = n, &p, &d
		return in, ""
	}
	if f.from.Date == nil || f.to.Date == nil {
		return in, lang.L("Choose the check-in and check-out days.")
	}
	in.From, in.To = f.from.Date.Format(app.DateLayout), f.to.Date.Format(app.DateLayout)
	if p := stayProblem(in.From, in.To, time.Now().Format(app.DateLayout)); p != "" {
		return in, p
	}
	g, err := strconv.Atoi(strings.TrimSpace(f.guests.Text))
	switch {
	case err != nil || g < 1:
		return in, lang.L("Guests: a whole number, 1 or more.")
	case f.maxGuests > 0 && g > f.maxGuests:
		return in, lang.N("The room takes at most {{.Count}} guests.", f.maxGuests, countOf(f.maxGuests))
	}
	in.Guests = g
	return in, ""
}

// nights is the number of nights the form's dates cover, 0 when unset.
func nights(in app.BookingInput) int {
	a, err1 := time.Parse(app.DateLayout, in.From)
	b, err2 := time.Parse(app.DateLayout, in.To)
	if err1 != nil || err2 != nil || !b.After(a) {
		return 0
	}
	return int(b.Sub(a) / (24 * time.Hour))
}

// update shows the total for what the form says, or what it still needs.
func (f *bookForm) update() {
	// What is asked changed (or a listing is shown): Book may send it.
	setDisabled(f.mine || f.sending, f.submit)
	in, bad := f.input()
	switch {
	case bad != "":
		f.total.SetText(bad)
		f.total.Importance = widget.MediumImportance
	case f.isRide:
		f.total.SetText(lang.N("Total {{.Price}} for {{.Count}} seats", in.Seats, tdata{"Price": formatMoney(app.RideTotal(f.unit, in.Seats), f.currency), "Count": countOf(in.Seats)["Count"]}))
		f.total.Importance = widget.HighImportance
	default:
		n := nights(in)
		f.total.SetText(lang.L("Total {{.Price}} for {{.Nights}}, {{.Guests}}", tdata{"Price": formatMoney(app.RoomTotal(f.unit, n), f.currency),
			"Nights": lang.N("{{.Count}} nights", n, countOf(n)), "Guests": lang.N("{{.Count}} guests", in.Guests, countOf(in.Guests))}))
		f.total.Importance = widget.HighImportance
	}
	f.total.Refresh()
}

// send checks the form and sends the request off the UI goroutine.
func (f *bookForm) send() {
	if f.sending {
		return
	}
	in, bad := f.input()
	if bad != "" {
		showStatus(f.status, bad, widget.DangerImportance)
		return
	}
	f.sending = true
	setDisabled(true, f.submit)
	f.openTrips.Hide()
	showPosting(f.activity, f.status, true, lang.L("Sending the request…"))
	listing := f.roomID
	f.sh.wg.Add(1)
	go func() {
		defer f.sh.wg.Done()
		b, err := f.sh.b.Book(f.sh.ctx, in)
		f.sh.do(func() {
			f.sending = false
			showPosting(f.activity, f.status, false, "")
			if listing != f.roomID {
				return // the page shows another listing now
			}
			if err != nil {
				setDisabled(f.mine, f.submit)
				showStatus(f.status, lang.L("Not sent: {{.Err}}", tdata{"Err": errorText(err)}), widget.DangerImportance)
				return
			}
			// The same request again would be a second booking: Book stays
			// disabled until the dates, guests, seats or note change.
			showStatus(f.status, lang.L("Request sent: {{.Price}}. The owner has until {{.Time}} to answer; follow it in Trips.",
				tdata{"Price": formatMoney(b.TotalPrice, b.Currency), "Time": formatDayTime(b.AnswerBy)}), widget.SuccessImportance)
			f.openTrips.Show()
			f.sh.banner.show(lang.L("Booking request sent"))
		})
	}()
}

// errorText words an app error for a person: the detail of bad input, or
// the error itself.
func errorText(err error) string {
	var ie *app.InputError
	if errors.As(err, &ie) && ie.Detail != "" {
		return sentence(ie.Detail)
	}
	return sentence(err.Error())
}

// formatReputation sums up a reputation on one or two lines.
func formatReputation(r app.Reputation) string {
	vouched := ""
	if r.Vouches > 0 {
		vouched = " · " + lang.N("vouched for by {{.Count}} people", r.Vouches, countOf(r.Vouches))
	}
	if r.Count == 0 {
		return lang.L("No reviews yet.") + vouched
	}
	s := "★ " + formatScore(r.Rating) + " · " + lang.N("{{.Count}} reviews", r.Count, countOf(r.Count)) + vouched
	if r.LastYear > 0 {
		s += " · " + lang.L("{{.Count}} in the last year", countOf(r.LastYear))
	}
	if len(r.Categories) > 0 {
		names := make([]string, 0, len(r.Categories))
		for k := range r.Categories {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, k := range names {
			parts[i] = sentence(k) + " " + formatScore(r.Categories[k])
		}
		s += "\n" + strings.Join(parts, " · ")
	}
	return s
}

// rideBar is a strip at the bottom of the window that offers to book the
// ride selected in Explore's ride results; it opens the ride's page.
type rideBar struct {
	sh *shell

	// UI goroutine only.
	label   *widget.Label
	book    *widget.Button
	content *fyne.Container
}

func newRideBar(sh *shell) *rideBar {
	r := &rideBar{sh: sh}
	r.label = widget.NewLabel("")
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.book = widget.NewButtonWithIcon(lang.L("Book this ride…"), theme.NavigateNextIcon(), r.open)
	r.book.Importance = widget.HighImportance
	r.content = container.NewPadded(newTint(theme.ColorNamePrimary, 0x30,
		container.NewBorder(nil, nil, nil, r.book, r.label)))
	r.content.Hide()
	return r
}

// install follows what decides whether the bar shows: the ride selected,
// the tab and Explore's mode, and the listing page. Call it once the
// screens are built.
func (r *rideBar) install() {
	sh := r.sh
	after := func(f func()) func() {
		return func() {
			if f != nil {
				f()
			}
			r.refresh()
		}
	}
	sel, unsel := sh.rides.list.OnSelected, sh.rides.list.OnUnselected
	sh.rides.list.OnSelected = func(id widget.ListItemID) {
		if sel != nil {
			sel(id)
		}
		r.refresh()
	}
	sh.rides.list.OnUnselected = func(id widget.ListItemID) {
		if unsel != nil {
			unsel(id)
		}
		r.refresh()
	}
	sh.explore.roomsBtn.OnTapped = after(sh.explore.roomsBtn.OnTapped)
	sh.explore.ridesBtn.OnTapped = after(sh.explore.ridesBtn.OnTapped)
	sh.explore.page.onBack = after(sh.explore.page.onBack)
	tabSel := sh.tabs.OnSelected
	sh.tabs.OnSelected = func(it *container.TabItem) {
		if tabSel != nil {
			tabSel(it)
		}
		r.refresh()
	}
}

// selected is the ride selected in the results, if any.
func (r *rideBar) selected() (app.RideMatch, bool) {
	for _, m := range r.sh.rides.rides {
		if m.ID == r.sh.rides.selected && m.ID != "" {
			return m, true
		}
	}
	return app.RideMatch{}, false
}

// refresh shows the bar while a ride is selected in Explore's ride results
// in front. UI goroutine only.
func (r *rideBar) refresh() {
	m, ok := r.selected()
	e := r.sh.explore
	if !ok || r.sh.current() != tabRooms || e.mode != modeRides || !e.main.Visible() {
		r.content.Hide()
		return
	}
	r.label.SetText(m.Title + " · " + formatDayTime(m.DepartAt) + " · " +
		lang.L("{{.Price}} / seat", tdata{"Price": formatMoney(m.PricePerSeat, m.Currency)}) + " · " +
		lang.N("{{.Count}} seats left", m.SeatsLeft, countOf(m.SeatsLeft)))
	r.content.Show()
}

// open shows the selected ride's page, to book it.
func (r *rideBar) open() {
	m, ok := r.selected()
	if !ok {
		return
	}
	var q *app.RideQuery
	if r.sh.rides.last != nil {
		c := *r.sh.rides.last
		q = &c
	}
	r.sh.explore.openRide(m, q)
	r.refresh()
}
