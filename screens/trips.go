package screens

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// tabTrips is the title of the Trips tab.
const tabTrips = "Trips"

// trip is a booking with the title of its listing.
type trip struct {
	app.Booking
	Title string
}

// tripsScreen is the Trips tab: the user's requests as renter (Trips) and
// the requests for the user's listings (Bookings, requests first), the
// selected one's details with the steps valid in its state, and the
// conversation with its other party. It reloads when the app says that
// bookings or messages changed.
type tripsScreen struct {
	sh *shell

	// UI goroutine only.
	renter, owner []trip
	titles        map[string]string // listing id → title, once known
	selected      string            // booking id
	gen           int               // number of the latest reload
	loaded        bool
	renterList    *widget.List
	ownerList     *widget.List
	renterNote    *widget.Label
	ownerNote     *widget.Label
	loadErr       *widget.Label
	detail        *bookingDetail
	conv          *conversation
	// Conversations outside bookings (questions.go).
	questions    []question
	qnames       map[string]string // peer → name shown
	qgen         int               // number of the latest questions load
	questionList *widget.List
	questionNote *widget.Label
	qconv        *conversation
	placeholder  fyne.CanvasObject
	right        *container.Split
	content      fyne.CanvasObject
}

func newTripsScreen(sh *shell) *tripsScreen {
	s := &tripsScreen{sh: sh, titles: map[string]string{}}
	mkList := func(items *[]trip) *widget.List {
		l := widget.NewList(
			func() int { return len(*items) },
			func() fyne.CanvasObject { return newTripRow() },
			func(id widget.ListItemID, o fyne.CanvasObject) {
				if id >= 0 && id < len(*items) {
					o.(*tripRow).set((*items)[id], time.Now())
				}
			})
		l.OnSelected = func(id widget.ListItemID) {
			if id >= 0 && id < len(*items) {
				s.open((*items)[id].ID)
			}
		}
		return l
	}
	s.renterList = mkList(&s.renter)
	s.ownerList = mkList(&s.owner)
	s.renterNote = widget.NewLabel("")
	s.ownerNote = widget.NewLabel("")
	for _, l := range []*widget.Label{s.renterNote, s.ownerNote} {
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
	}
	s.loadErr = widget.NewLabel("")
	s.loadErr.Importance = widget.DangerImportance
	s.loadErr.Wrapping = fyne.TextWrapWord
	s.loadErr.Hide()
	heading := func(t string) *widget.Label {
		l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.SizeName = theme.SizeNameSubHeadingText
		return l
	}
	s.questionList = widget.NewList(
		func() int { return len(s.questions) },
		func() fyne.CanvasObject { return newQuestionRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(s.questions) {
				o.(*questionRow).set(s.questions[id], s.qnames[s.questions[id].Peer])
			}
		})
	s.questionList.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(s.questions) {
			s.openQuestion(s.questions[id].Peer)
		}
	}
	s.questionNote = widget.NewLabel("")
	s.questionNote.Wrapping = fyne.TextWrapWord
	s.questionNote.SizeName = theme.SizeNameCaptionText
	left := container.NewGridWithRows(3,
		container.NewBorder(container.NewVBox(s.loadErr, heading(lang.L("Trips — your requests")), s.renterNote), nil, nil, nil, s.renterList),
		container.NewBorder(container.NewVBox(heading(lang.L("Bookings — of your listings")), s.ownerNote), nil, nil, nil, s.ownerList),
		container.NewBorder(container.NewVBox(heading(lang.L("Questions — before booking")), s.questionNote), nil, nil, nil, s.questionList))

	s.detail = newBookingDetail(sh, s)
	s.conv = newConversation(sh)
	s.right = container.NewVSplit(s.detail.content, s.conv.content)
	s.right.Offset = 0.6
	ph := widget.NewLabelWithStyle(lang.L("Choose a trip or a booking to see it here."), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	s.placeholder = container.NewCenter(ph)
	s.right.Hide()
	s.qconv = newConversation(sh)
	s.qconv.content.Hide()
	split := container.NewHSplit(container.NewPadded(left), container.NewStack(s.placeholder, s.right, s.qconv.content))
	split.Offset = 0.38
	s.content = split
	s.showNotes()
	return s
}

// changed handles an app event; it may be called from any goroutine.
func (s *tripsScreen) changed(ev app.Event) {
	s.sh.do(func() {
		switch ev.Kind {
		case app.BookingsChanged:
			s.reload()
		case app.MessagesChanged:
			s.conv.changed(ev.Peer)
			s.qconv.changed(ev.Peer)
			s.loadQuestions()
		case app.RecordsChanged:
			// A review was published: the user's sealed one may be revealed.
			if d := s.detail; d.review != nil && !d.review.Revealed {
				d.loadReview()
			}
		}
	})
}

// reload fetches both lists off the UI goroutine. UI goroutine only.
func (s *tripsScreen) reload() {
	s.loadQuestions()
	s.gen++
	gen := s.gen
	known := make(map[string]string, len(s.titles))
	for k, v := range s.titles {
		known[k] = v
	}
	s.sh.wg.Add(1)
	go func() {
		defer s.sh.wg.Done()
		ctx := s.sh.ctx
		renter, err := s.sh.b.Bookings(ctx, app.RoleRenter)
		var owner []app.Booking
		if err == nil {
			owner, err = s.sh.b.Bookings(ctx, app.RoleOwner)
		}
		for _, b := range slices.Concat(renter, owner) {
			if _, ok := known[b.ListingID]; !ok {
				if t, terr := s.sh.b.ListingTitle(ctx, b.ListingID); terr == nil {
					known[b.ListingID] = t
				}
			}
		}
		s.sh.do(func() {
			if gen != s.gen {
				return
			}
			s.apply(renter, owner, known, err)
		})
	}()
}

// apply shows freshly loaded bookings. UI goroutine only.
func (s *tripsScreen) apply(renter, owner []app.Booking, titles map[string]string, err error) {
	s.loaded = true
	if err != nil {
		s.loadErr.SetText(lang.L("Bookings could not be loaded: {{.Err}}", tdata{"Err": errorText(err)}))
		s.loadErr.Show()
		return
	}
	s.loadErr.Hide()
	s.titles = titles
	wrap := func(bs []app.Booking) []trip {
		out := make([]trip, len(bs))
		for i, b := range bs {
			out[i] = trip{Booking: b, Title: s.titleOf(b)}
		}
		return out
	}
	s.renter = wrap(renter)
	s.owner = wrap(owner)
	// Requests waiting for an answer first; otherwise as the app orders
	// them, most recently changed first.
	slices.SortStableFunc(s.owner, func(a, b trip) int {
		ra, rb := a.Status == app.BookingRequested, b.Status == app.BookingRequested
		switch {
		case ra && !rb:
			return -1
		case rb && !ra:
			return 1
		}
		return 0
	})
	s.showNotes()
	s.renterList.Refresh()
	s.ownerList.Refresh()
	s.reselect()
	if t, ok := s.find(s.selected); ok {
		s.detail.set(t)
	}
}

// titleOf names a booking's listing.
func (s *tripsScreen) titleOf(b app.Booking) string {
	if t := s.titles[b.ListingID]; t != "" {
		return t
	}
	if b.ListingKind == app.KindRide {
		return lang.L("Ride {{.ID}}", tdata{"ID": shortID(b.ListingID)})
	}
	return lang.L("Room {{.ID}}", tdata{"ID": shortID(b.ListingID)})
}

// showNotes says what an empty list means.
func (s *tripsScreen) showNotes() {
	setNote := func(l *widget.Label, n int, empty string, items []trip) {
		switch {
		case !s.loaded:
			l.SetText(lang.L("Loading…"))
		case n == 0:
			l.SetText(empty)
		default:
			waiting := 0
			for _, t := range items {
				if t.Status == app.BookingRequested {
					waiting++
				}
			}
			txt := lang.N("{{.Count}} bookings", n, countOf(n))
			if waiting > 0 {
				txt += " · " + lang.N("{{.Count}} waiting for an answer", waiting, countOf(waiting))
			}
			l.SetText(txt)
		}
	}
	setNote(s.renterNote, len(s.renter), lang.L("No trips yet: book a room or a ride from Explore."), s.renter)
	setNote(s.ownerNote, len(s.owner), lang.L("No requests for your listings yet."), s.owner)
}

// find looks a booking up in both lists.
func (s *tripsScreen) find(id string) (trip, bool) {
	for _, t := range slices.Concat(s.renter, s.owner) {
		if t.ID == id && id != "" {
			return t, true
		}
	}
	return trip{}, false
}

// reselect keeps the selected booking selected in its list after a reload.
func (s *tripsScreen) reselect() {
	for _, l := range []struct {
		list  *widget.List
		items []trip
	}{{s.renterList, s.renter}, {s.ownerList, s.owner}} {
		i := slices.IndexFunc(l.items, func(t trip) bool { return t.ID == s.selected })
		if i < 0 {
			l.list.UnselectAll()
		} else {
			l.list.Select(i)
		}
	}
}

// open shows a booking's details and its conversation. UI goroutine only.
func (s *tripsScreen) open(id string) {
	t, ok := s.find(id)
	if !ok {
		return
	}
	if s.selected != id {
		s.selected = id
		// One selection across both lists.
		if t.Role == app.RoleOwner {
			s.renterList.UnselectAll()
		} else {
			s.ownerList.UnselectAll()
		}
	}
	s.placeholder.Hide()
	s.qconv.content.Hide()
	s.questionList.UnselectAll()
	s.right.Show()
	s.detail.set(t)
	s.conv.setBooking(t.Booking)
}

// other is the other party of a booking.
func other(b app.Booking) string {
	if b.Role == app.RoleOwner {
		return b.Renter
	}
	return b.Owner
}

// tripRow is a booking in a list: the listing, its price, its dates and
// status, and the other party.
type tripRow struct{ resultRow }

func newTripRow() *tripRow {
	r := &tripRow{}
	initResultRow(&r.resultRow, r)
	return r
}

func (r *tripRow) set(t trip, now time.Time) {
	r.title.SetText(t.Title)
	r.price.SetText(formatMoney(t.TotalPrice, t.Currency))
	r.facts.SetText(tripDates(t.Booking))
	party := lang.L("Host {{.ID}}", tdata{"ID": shortID(t.Owner)})
	if t.ListingKind == app.KindRide {
		party = lang.L("Driver {{.ID}}", tdata{"ID": shortID(t.Owner)})
	}
	if t.Role == app.RoleOwner {
		party = lang.L("Guest {{.ID}}", tdata{"ID": shortID(t.Renter)})
		if t.ListingKind == app.KindRide {
			party = lang.L("Rider {{.ID}}", tdata{"ID": shortID(t.Renter)})
		}
	}
	r.caption.SetText(statusText(t.Booking, now) + " · " + party)
}

// tripDates is when a booking is: a room's nights and guests, a ride's
// departure and seats.
func tripDates(b app.Booking) string {
	if b.ListingKind == app.KindRide {
		return fmt.Sprintf("%s · %s", formatDayTime(b.StartAt), lang.N("{{.Count}} seats", b.Seats, countOf(b.Seats)))
	}
	from, to := b.StartAt.UTC(), b.EndAt.UTC()
	n := int(to.Sub(from) / (24 * time.Hour))
	return fmt.Sprintf("%s → %s · %s · %s", formatDayMonth(from), formatDate(to), lang.N("{{.Count}} nights", n, countOf(n)), lang.N("{{.Count}} guests", b.Guests, countOf(b.Guests)))
}

// statusText says where a booking stands, from the user's side.
func statusText(b app.Booking, now time.Time) string {
	switch b.Status {
	case app.BookingRequested:
		if b.Role == app.RoleOwner {
			return lang.L("Request · answer by {{.When}}", tdata{"When": weekdayName(b.AnswerBy.Local().Weekday()) + " " + b.AnswerBy.Local().Format("15:04")})
		}
		return lang.L("Requested · waiting for the answer")
	case app.BookingAccepted:
		if !now.Before(b.EndAt) {
			return lang.L("Accepted · ended")
		}
		return lang.L("Accepted")
	case app.BookingDeclined:
		return lang.L("Declined")
	case app.BookingCancelled:
		return lang.L("Cancelled")
	case app.BookingCompleted:
		return lang.L("Completed")
	case app.BookingExpired:
		return lang.L("Expired · not answered in time")
	}
	return sentence(string(b.Status))
}

// bookingDetail is the selected booking: its facts and the steps valid in
// its state, each run off the UI goroutine with progress shown.
type bookingDetail struct {
	sh *shell
	s  *tripsScreen

	// UI goroutine only.
	b        trip
	busy     bool
	review   *app.ReviewState // the user's review of it, when written
	revGen   int
	title    *widget.Label
	status   *widget.Label
	facts    *widget.Label
	money    *widget.Label
	party    *widget.Label
	extra    *widget.Label
	actions  *fyne.Container
	activity *widget.Activity
	msg      *widget.Label
	content  fyne.CanvasObject

	// The inputs of the steps, kept across refreshes of the same booking.
	address, contact, declineReason, cancelReason, blockReason *widget.Entry
	buttons                                                    map[string]*widget.Button
}

// Action button names (also their labels' keys in tests).
const (
	actAccept   = "accept"
	actDecline  = "decline"
	actCancel   = "cancel"
	actComplete = "complete"
	actPaid     = "paid"
	actReceived = "received"
	actReview   = "review"
	actBlock    = "block"
	actReport   = "report"
	actProfile  = "profile"
)

func newBookingDetail(sh *shell, s *tripsScreen) *bookingDetail {
	d := &bookingDetail{sh: sh, s: s, buttons: map[string]*widget.Button{}}
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.title.Wrapping = fyne.TextWrapWord
	d.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.facts = widget.NewLabel("")
	d.money = widget.NewLabel("")
	d.party = widget.NewLabel("")
	d.extra = widget.NewLabel("")
	for _, l := range []*widget.Label{d.facts, d.money, d.party, d.extra} {
		l.Wrapping = fyne.TextWrapWord
	}
	d.actions = container.NewVBox()
	d.activity, d.msg = newProgress()
	entry := func(ph string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(ph)
		return e
	}
	d.address = entry(lang.L("Exact address or meeting point (only they see it)"))
	d.contact = entry(lang.L("Your phone or e-mail (only they see it)"))
	d.declineReason = entry(lang.L("Why you decline (they read it)"))
	d.cancelReason = entry(lang.L("Why you cancel (optional; they read it)"))
	d.blockReason = entry(lang.L("What happened (kept on this device)"))
	btn := func(key, label string, icon fyne.Resource, imp widget.Importance, f func()) {
		b := widget.NewButtonWithIcon(label, icon, f)
		b.Importance = imp
		d.buttons[key] = b
	}
	btn(actAccept, lang.L("Accept"), theme.ConfirmIcon(), widget.HighImportance, d.accept)
	btn(actDecline, lang.L("Decline"), theme.CancelIcon(), widget.DangerImportance, d.decline)
	btn(actCancel, lang.L("Cancel booking"), theme.CancelIcon(), widget.DangerImportance, d.cancel)
	btn(actComplete, lang.L("Mark completed"), theme.ConfirmIcon(), widget.HighImportance, d.complete)
	btn(actPaid, lang.L("I paid"), theme.ConfirmIcon(), widget.MediumImportance, d.paid)
	btn(actReceived, lang.L("Payment received"), theme.ConfirmIcon(), widget.MediumImportance, d.received)
	btn(actReview, lang.L("Write a review"), theme.DocumentCreateIcon(), widget.HighImportance, d.writeReview)
	btn(actBlock, lang.L("Block"), theme.ErrorIcon(), widget.LowImportance, d.block)
	btn(actReport, lang.L("Report"), theme.WarningIcon(), widget.LowImportance, d.report)
	btn(actProfile, lang.L("Profile"), theme.AccountIcon(), widget.LowImportance, func() { showPerson(sh, other(d.b.Booking)) })

	body := container.NewVBox(d.title, d.status, d.facts, d.money,
		container.NewBorder(nil, nil, nil, d.buttons[actProfile], d.party), d.extra,
		widget.NewSeparator(), d.actions, container.NewHBox(d.activity), d.msg)
	d.content = container.NewVScroll(container.NewPadded(body))
	return d
}

// set shows a booking; the inputs typed stay when it is the same booking.
// UI goroutine only.
func (d *bookingDetail) set(t trip) {
	if t.ID != d.b.ID {
		for _, e := range []*widget.Entry{d.address, d.contact, d.declineReason, d.cancelReason, d.blockReason} {
			e.SetText("")
		}
		d.msg.Hide()
		d.review = nil
	}
	d.b = t
	b := t.Booking
	now := time.Now()
	d.title.SetText(t.Title)
	d.status.SetText(statusText(b, now))
	switch b.Status {
	case app.BookingAccepted, app.BookingCompleted:
		d.status.Importance = widget.SuccessImportance
	case app.BookingRequested:
		d.status.Importance = widget.WarningImportance
	default:
		d.status.Importance = widget.MediumImportance
	}
	d.status.Refresh()
	d.facts.SetText(tripDates(b))
	d.money.SetText(lang.L("Total {{.Price}} · {{.Policy}}", tdata{"Price": formatMoney(b.TotalPrice, b.Currency), "Policy": strings.TrimPrefix(policyText(b.Policy), "Cancellation: ")}))
	if b.Role == app.RoleOwner {
		d.party.SetText(lang.L("Requested by {{.ID}}", tdata{"ID": shortID(b.Renter)}))
	} else {
		d.party.SetText(lang.L("Owner {{.ID}}", tdata{"ID": shortID(b.Owner)}))
	}
	var extra []string
	if b.Note != "" {
		if b.Role == app.RoleOwner {
			extra = append(extra, lang.L("Their note: {{.Text}}", tdata{"Text": b.Note}))
		} else {
			extra = append(extra, lang.L("Your note: {{.Text}}", tdata{"Text": b.Note}))
		}
	}
	if b.Reason != "" {
		extra = append(extra, lang.L("Reason: {{.Text}}", tdata{"Text": b.Reason}))
	}
	if b.Address != "" {
		extra = append(extra, lang.L("Address: {{.Text}}", tdata{"Text": b.Address}))
	}
	if b.Contact != "" {
		extra = append(extra, lang.L("Contact: {{.Text}}", tdata{"Text": b.Contact}))
	}
	if b.PaidAt != nil {
		extra = append(extra, lang.L("Marked paid {{.When}}", tdata{"When": formatDateTime(b.PaidAt.Local())}))
	}
	if b.ReceivedAt != nil {
		extra = append(extra, lang.L("Payment received {{.When}}", tdata{"When": formatDateTime(b.ReceivedAt.Local())}))
	}
	d.extra.SetText(strings.Join(extra, "\n"))
	d.extra.Hidden = len(extra) == 0
	d.showActions()
	if d.reviewable(now) && d.review == nil {
		d.loadReview()
	}
}

// reviewable reports whether the booking is one its parties may review:
// accepted or completed, and ended.
func (d *bookingDetail) reviewable(now time.Time) bool {
	st := d.b.Status
	return (st == app.BookingAccepted || st == app.BookingCompleted) && !now.Before(d.b.EndAt)
}

// loadReview fetches the user's review state of the booking.
func (d *bookingDetail) loadReview() {
	d.revGen++
	gen, id := d.revGen, d.b.ID
	d.sh.wg.Add(1)
	go func() {
		defer d.sh.wg.Done()
		st, err := d.sh.b.ReviewState(d.sh.ctx, id)
		d.sh.do(func() {
			if gen != d.revGen || id != d.b.ID {
				return
			}
			if err == nil {
				d.review = &st
				d.showActions()
			}
		})
	}()
}

// validActions lists the steps a booking allows its user now.
func validActions(b app.Booking, now time.Time, reviewed bool) []string {
	var out []string
	ended := !now.Before(b.EndAt)
	switch b.Status {
	case app.BookingRequested:
		if b.Role == app.RoleOwner {
			out = append(out, actAccept, actDecline)
		}
		if !ended {
			out = append(out, actCancel)
		}
	case app.BookingAccepted:
		if ended {
			out = append(out, actComplete)
		} else {
			out = append(out, actCancel)
		}
	}
	if b.Status == app.BookingAccepted || b.Status == app.BookingCompleted {
		if b.Role == app.RoleRenter && b.PaidAt == nil {
			out = append(out, actPaid)
		}
		if b.Role == app.RoleOwner && b.ReceivedAt == nil {
			out = append(out, actReceived)
		}
		if ended && !reviewed {
			out = append(out, actReview)
		}
	}
	return append(out, actBlock, actReport)
}

// showActions lays out the steps valid now. UI goroutine only.
func (d *bookingDetail) showActions() {
	d.actions.RemoveAll()
	acts := validActions(d.b.Booking, time.Now(), d.review != nil)
	has := func(a string) bool { return slices.Contains(acts, a) }
	label := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	if has(actAccept) {
		d.actions.Add(label(lang.L("Accept: what only they will see")))
		d.actions.Add(d.address)
		d.actions.Add(d.contact)
		d.actions.Add(container.NewHBox(d.buttons[actAccept]))
		d.actions.Add(label(lang.L("Or decline")))
		d.actions.Add(container.NewBorder(nil, nil, nil, d.buttons[actDecline], d.declineReason))
	}
	if has(actCancel) {
		d.actions.Add(container.NewBorder(nil, nil, nil, d.buttons[actCancel], d.cancelReason))
	}
	var row []fyne.CanvasObject
	for _, a := range []string{actComplete, actPaid, actReceived, actReview} {
		if has(a) {
			row = append(row, d.buttons[a])
		}
	}
	if len(row) > 0 {
		d.actions.Add(container.NewHBox(row...))
	}
	if d.review != nil {
		d.actions.Add(widget.NewLabel(reviewStateText(*d.review, d.b.Booking)))
	}
	d.actions.Add(widget.NewSeparator())
	d.actions.Add(container.NewBorder(nil, nil, nil, container.NewHBox(d.buttons[actBlock], d.buttons[actReport]), d.blockReason))
	for _, b := range d.buttons {
		setDisabled(d.busy, b)
	}
	d.actions.Refresh()
}

// run takes a step off the UI goroutine, with progress shown, then shows
// the booking as it now is.
func (d *bookingDetail) run(doing, done string, step func(ctx context.Context, id string) (app.Booking, error)) {
	if d.busy {
		return
	}
	d.busy = true
	id := d.b.ID
	d.showActions()
	showPosting(d.activity, d.msg, true, doing)
	d.sh.wg.Add(1)
	go func() {
		defer d.sh.wg.Done()
		b, err := step(d.sh.ctx, id)
		d.sh.do(func() {
			d.busy = false
			showPosting(d.activity, d.msg, false, "")
			if err != nil {
				showStatus(d.msg, errorText(err), widget.DangerImportance)
			} else {
				showStatus(d.msg, done, widget.SuccessImportance)
			}
			if err == nil && b.ID == d.b.ID {
				d.set(trip{Booking: b, Title: d.b.Title})
			} else {
				d.showActions()
			}
			d.s.reload()
		})
	}()
}

func (d *bookingDetail) accept() {
	in := app.AcceptInput{Address: strings.TrimSpace(d.address.Text), Contact: strings.TrimSpace(d.contact.Text)}
	d.run(lang.L("Accepting…"), lang.L("Accepted; they have been told."), func(ctx context.Context, id string) (app.Booking, error) {
		return d.sh.b.AcceptBooking(ctx, id, in)
	})
}

func (d *bookingDetail) decline() {
	reason := strings.TrimSpace(d.declineReason.Text)
	if reason == "" {
		showStatus(d.msg, lang.L("Say why you decline; they read it."), widget.DangerImportance)
		d.sh.win.Canvas().Focus(d.declineReason)
		return
	}
	d.run(lang.L("Declining…"), lang.L("Declined; they have been told."), func(ctx context.Context, id string) (app.Booking, error) {
		return d.sh.b.DeclineBooking(ctx, id, reason)
	})
}

func (d *bookingDetail) cancel() {
	reason := strings.TrimSpace(d.cancelReason.Text)
	d.run(lang.L("Cancelling…"), lang.L("Cancelled; they have been told."), func(ctx context.Context, id string) (app.Booking, error) {
		return d.sh.b.CancelBooking(ctx, id, reason)
	})
}

func (d *bookingDetail) complete() {
	d.run(lang.L("Completing…"), lang.L("Marked completed."), d.sh.b.CompleteBooking)
}

func (d *bookingDetail) paid() {
	d.run(lang.L("Marking paid…"), lang.L("Marked paid; the owner gets a signed note of it."), d.sh.b.MarkPaid)
}

func (d *bookingDetail) received() {
	d.run(lang.L("Marking received…"), lang.L("Payment marked received; they get a signed receipt."), d.sh.b.MarkReceived)
}

func (d *bookingDetail) writeReview() {
	showReviewForm(d.sh, d.b, func(st app.ReviewState) {
		if st.BookingID == d.b.ID {
			d.review = &st
			d.showActions()
		}
	})
}

// block blocks the other party, with the reason typed.
func (d *bookingDetail) block() {
	peer, reason := other(d.b.Booking), strings.TrimSpace(d.blockReason.Text)
	d.peerStep(lang.L("Blocking…"), lang.L("Blocked {{.ID}}: their listings are hidden and their messages refused.", tdata{"ID": shortID(peer)}), func(ctx context.Context) error {
		return d.sh.b.Block(ctx, peer, reason)
	})
}

// report keeps a private note about the other party.
func (d *bookingDetail) report() {
	peer, note := other(d.b.Booking), strings.TrimSpace(d.blockReason.Text)
	if note == "" {
		showStatus(d.msg, lang.L("Say what happened in the box beside Report."), widget.DangerImportance)
		d.sh.win.Canvas().Focus(d.blockReason)
		return
	}
	d.peerStep(lang.L("Saving the report…"), lang.L("Report kept on this device."), func(ctx context.Context) error {
		return d.sh.b.ReportPeer(ctx, peer, note)
	})
}

// peerStep runs a step about the other party off the UI goroutine.
func (d *bookingDetail) peerStep(doing, done string, step func(ctx context.Context) error) {
	if d.busy {
		return
	}
	d.busy = true
	d.showActions()
	showPosting(d.activity, d.msg, true, doing)
	d.sh.wg.Add(1)
	go func() {
		defer d.sh.wg.Done()
		err := step(d.sh.ctx)
		d.sh.do(func() {
			d.busy = false
			showPosting(d.activity, d.msg, false, "")
			d.showActions()
			if err != nil {
				showStatus(d.msg, errorText(err), widget.DangerImportance)
				return
			}
			d.blockReason.SetText("")
			showStatus(d.msg, done, widget.SuccessImportance)
		})
	}()
}
