package screens

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// postTimeout bounds how long posting may take before the user is told.
const postTimeout = 30 * time.Second

// defaultCurrency is the currency a new room starts with.
const defaultCurrency = "EUR"

// currencyChoices are offered in the currency drop-down; any other ISO 4217
// code can be typed.
var currencyChoices = []string{"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "CAD", "AUD", "JPY"}

// postedMessage confirms a posted room at the top of the window.
const postedMessage = "Room posted — it is on its way to your peers"

// formField is one input of a form with its message line, which shows the
// hint, or the error as soon as the user has typed there (or tried to post),
// or an error the backend reported for the field.
type formField struct {
	key       string            // the room field it fills, as InputError.Field names it
	w         fyne.CanvasObject // the widget in the form
	entry     *widget.Entry     // its text entry
	check     func(string) error
	hint      string
	msg       *note
	touched   bool  // the user typed here, or tried to post
	serverErr error // what the backend said of the value, until it changes
}

// err is the error the field shows, nil when none.
func (f *formField) err() error {
	if f.serverErr != nil {
		return f.serverErr
	}
	if f.touched {
		return f.check(f.entry.Text)
	}
	return nil
}

// refresh shows the field's error, or its hint.
func (f *formField) refresh() {
	if err := f.err(); err != nil {
		f.msg.set(sentence(err.Error()), theme.ColorNameError)
	} else {
		f.msg.set(f.hint, theme.ColorNamePlaceHolder)
	}
}

// postRoomScreen is the form to post a room. Bad input loses nothing: every
// value stays as typed until the room is posted.
type postRoomScreen struct {
	sh *shell

	// UI goroutine only.
	title, desc, lat, lon, price, currency, guests, amenities *formField
	fields                                                    []*formField
	checks                                                    []*widget.Check
	submit                                                    *widget.Button
	activity                                                  *widget.Activity
	status                                                    *widget.Label
	posting                                                   bool
	resetting                                                 bool
	where                                                     *roomMap // the map to click the room's place on
	photos                                                    *photoPicker
	// The edit mode (post_edit.go): the listing being edited, nil when
	// posting a new room; the calendar of blocked days, and whether it
	// holds the edited room's days.
	heading    *widget.Label
	editing    *app.MyListing
	cancelEdit *widget.Button
	cal        *calendarPicker
	calLoaded  bool
	calErr     error // the blocked days were not saved with the last post

	content fyne.CanvasObject
}

func newPostRoomScreen(sh *shell) *postRoomScreen {
	p := &postRoomScreen{sh: sh}

	title := widget.NewEntry()
	title.SetPlaceHolder(lang.L("e.g. Quiet room by the canal"))
	p.title = p.field("title", title, title, validateTitle, lang.L("What people see first; up to 120 characters."))

	desc := widget.NewMultiLineEntry()
	desc.Wrapping = fyne.TextWrapWord
	desc.SetMinRowsVisible(4)
	desc.SetPlaceHolder(lang.L("The room, the home, the neighbourhood, how to get there…"))
	p.desc = p.field("description", desc, desc, validateDescription, "")

	lat := widget.NewEntry()
	lat.SetPlaceHolder(lang.L("e.g. {{.Example}}", tdata{"Example": "52.3702"}))
	p.lat = p.field("lat", lat, lat, validateLat,
		lang.L("Decimal degrees, north positive. Click the map above to fill both coordinates, "+
			"or type them here; pasting “52.3702, 4.8952” fills both."))

	lon := widget.NewEntry()
	lon.SetPlaceHolder(lang.L("e.g. {{.Example}}", tdata{"Example": "4.8952"}))
	p.lon = p.field("lon", lon, lon, validateLon,
		lang.L("Decimal degrees, east positive. The point is public: an approximate one is enough."))
	p.pairPaste(p.lat)
	p.pairPaste(p.lon)
	p.where = newRoomMap(p)
	for _, f := range []*formField{p.lat, p.lon} {
		changed := f.entry.OnChanged
		f.entry.OnChanged = func(s string) {
			changed(s)
			p.where.sync(true)
		}
	}

	price := widget.NewEntry()
	price.SetPlaceHolder(lang.L("e.g. {{.Example}}", tdata{"Example": "45"}))
	p.price = p.field("price_per_night", price, price, validatePrice, lang.L("What a night costs; 0 if it is free."))

	cur := widget.NewSelectEntry(currencyChoices)
	cur.SetText(defaultCurrency)
	p.currency = p.field("currency", cur, &cur.Entry, validateCurrency, lang.L("ISO 4217 code; pick one or type another."))

	guests := widget.NewEntry()
	guests.SetPlaceHolder(lang.L("e.g. {{.Example}}", tdata{"Example": "2"}))
	p.guests = p.field("max_guests", guests, guests, validateGuests, lang.L("How many people can stay, 1 to 50."))

	other := widget.NewEntry()
	other.SetPlaceHolder(lang.L("Others, comma-separated: sauna, garden, bikes"))
	p.amenities = p.field("amenities", other, other, func(s string) error {
		_, err := amenityList(p.checkedTags(), s)
		return err
	}, lang.L("Tick what the room offers; add others here, separated by commas."))
	checkBox := container.NewGridWithColumns(3)
	for _, a := range commonAmenities {
		c := widget.NewCheck(lang.L(a.Label), func(bool) {
			p.amenities.refresh()
			p.updateSubmit()
		})
		p.checks = append(p.checks, c)
		checkBox.Add(c)
	}

	p.photos = newPhotoPicker(sh, func() {
		if p.submit != nil {
			p.updateSubmit()
		}
	})

	p.cal = newCalendarPicker(time.Now)
	p.cancelEdit = newCancelEdit(p.stopEdit)
	p.submit = widget.NewButtonWithIcon(lang.L("Post room"), theme.UploadIcon(), p.submitTapped)
	p.submit.Importance = widget.HighImportance
	p.activity, p.status = newProgress()

	heading := widget.NewLabelWithStyle(lang.L(tabPostRoom), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	p.heading = heading
	intro := widget.NewLabel(lang.L("Your room is signed with your key and shared with the peers on your network."))
	intro.Wrapping = fyne.TextWrapWord

	form := container.New(layout.NewFormLayout())
	for _, r := range []struct {
		label string
		f     *formField
		extra []fyne.CanvasObject
	}{
		{lang.L("Title"), p.title, nil},
		{lang.X("label.description", "Description"), p.desc, nil},
		{lang.L("Location"), nil, []fyne.CanvasObject{p.where.box, p.where.hint.rt}},
		{lang.L("Latitude"), p.lat, nil},
		{lang.L("Longitude"), p.lon, nil},
		{lang.L("Price per night"), p.price, nil},
		{lang.L("Currency"), p.currency, nil},
		{lang.L("Guests"), p.guests, nil},
		{lang.L("Amenities"), p.amenities, []fyne.CanvasObject{checkBox}},
		{lang.L("Photos"), nil, []fyne.CanvasObject{p.photos.content, p.photos.msg.rt}},
		{lang.L("Blocked days"), nil, []fyne.CanvasObject{container.New(maxWidth{420}, p.cal.content)}},
	} {
		label, input := p.row(r.label, r.f, r.extra...)
		form.Add(label)
		form.Add(input)
	}
	buttons := container.NewBorder(nil, nil, nil, container.NewHBox(p.activity, p.cancelEdit, p.submit), p.status)
	page := container.NewVBox(heading, intro, form, buttons)
	p.content = container.NewVScroll(container.New(maxWidth{760}, container.NewPadded(page)))

	for _, f := range p.fields {
		f.refresh()
	}
	return p
}

// field wires an entry into the form: w is the widget shown, e its entry.
func (p *postRoomScreen) field(key string, w fyne.CanvasObject, e *widget.Entry, check func(string) error, hint string) *formField {
	f := &formField{key: key, w: w, entry: e, check: check, hint: hint}
	f.msg = newNote(theme.SizeNameCaptionText)
	e.Validator = check // the entry marks itself valid or not, too
	e.OnChanged = func(string) {
		if p.resetting {
			return
		}
		f.touched = true
		f.serverErr = nil
		f.refresh()
		p.updateSubmit()
	}
	p.fields = append(p.fields, f)
	return f
}

// row lays a field out as a form row: its label, then the extras (if any),
// the widget and the message line.
func (p *postRoomScreen) row(label string, f *formField, extra ...fyne.CanvasObject) (fyne.CanvasObject, fyne.CanvasObject) {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	objs := append([]fyne.CanvasObject{}, extra...)
	if f != nil {
		objs = append(objs, f.w, f.msg.rt)
	}
	return container.NewVBox(l), container.New(layout.NewCustomPaddedVBoxLayout(0), objs...)
}

// pairPaste lets a latitude and longitude pasted together into either
// coordinate entry fill both. Only a paste (the text grew by more than one
// character at once) splits, so typing "52.37, 4.89" by hand is left alone.
func (p *postRoomScreen) pairPaste(f *formField) {
	changed := f.entry.OnChanged
	last := f.entry.Text
	f.entry.OnChanged = func(s string) {
		grew := len([]rune(s)) - len([]rune(last))
		last = s
		if !p.resetting && grew > 1 && strings.ContainsAny(strings.TrimSpace(s), ",; ") {
			if lat, lon, ok := splitCoordPair(s); ok {
				p.lat.entry.SetText(strconv.FormatFloat(lat, 'f', -1, 64))
				p.lon.entry.SetText(strconv.FormatFloat(lon, 'f', -1, 64))
				return
			}
		}
		changed(s)
	}
}

// checkedTags are the common amenities ticked.
func (p *postRoomScreen) checkedTags() []string {
	var tags []string
	for i, c := range p.checks {
		if c.Checked {
			tags = append(tags, commonAmenities[i].Tag)
		}
	}
	return tags
}

// updateSubmit allows posting unless a post is under way or an error shows.
func (p *postRoomScreen) updateSubmit() {
	blocked := p.posting || p.photos.pending() > 0
	for _, f := range p.fields {
		if f.err() != nil {
			blocked = true
		}
	}
	if blocked {
		p.submit.Disable()
	} else {
		p.submit.Enable()
		if !p.posting {
			p.status.Hide()
		}
	}
}

// setStatus shows a message for the whole form under the button.
func (p *postRoomScreen) setStatus(msg string, imp widget.Importance) {
	showStatus(p.status, msg, imp)
}

// submitTapped checks every field and, when all are good, posts the room.
func (p *postRoomScreen) submitTapped() {
	if p.posting {
		return
	}
	var bad *formField
	for _, f := range p.fields {
		f.touched = true
		f.entry.AlwaysShowValidationError = true
		if f.serverErr == nil {
			_ = f.entry.Validate()
		}
		f.refresh()
		if bad == nil && f.err() != nil {
			bad = f
		}
	}
	if bad != nil {
		p.updateSubmit()
		p.setStatus(lang.L("Correct the fields marked in red, then post again."), widget.DangerImportance)
		p.focus(bad)
		return
	}

	room := p.room()
	editing, ranges := p.editing, p.cal.ranges()
	saveDays := len(ranges) > 0 || (editing != nil && p.calLoaded)
	if editing != nil { // what the form does not show stays as it was
		room.Policy, room.InstantBook = editing.Room.Policy, editing.Room.InstantBook
	}
	p.setPosting(true)
	ctx := p.sh.ctx
	p.sh.wg.Add(1)
	go func() {
		defer p.sh.wg.Done()
		ctx, cancel := context.WithTimeout(ctx, postTimeout)
		defer cancel()
		var id string
		var err, calErr error
		if editing != nil {
			id, err = editing.ID, p.sh.b.UpdateRoom(ctx, editing.ID, room)
		} else {
			id, err = p.sh.b.PostRoom(ctx, room)
		}
		if err == nil && saveDays {
			_, calErr = p.sh.b.SetBlockedDates(ctx, id, ranges)
		}
		p.sh.do(func() {
			p.calErr = calErr
			p.posted(id, err)
		})
	}()
}

// room is the room the form describes; every field is valid.
func (p *postRoomScreen) room() app.Room {
	lat, _ := parseCoordinate(p.lat.entry.Text, "N", "S")
	lon, _ := parseCoordinate(p.lon.entry.Text, "E", "W")
	price, _ := parseDecimal(p.price.entry.Text)
	guests, _ := strconv.Atoi(strings.TrimSpace(p.guests.entry.Text))
	amenities, _ := amenityList(p.checkedTags(), p.amenities.entry.Text)
	if amenities == nil {
		amenities = []string{}
	}
	return app.Room{
		Title:         strings.TrimSpace(p.title.entry.Text),
		Description:   strings.TrimSpace(normalizeText(p.desc.entry.Text)),
		Lat:           lat,
		Lon:           lon,
		PricePerNight: price,
		Currency:      cleanCurrency(p.currency.entry.Text),
		MaxGuests:     guests,
		Amenities:     amenities,
		Photos:        p.photos.hashes(),
	}
}

// posted shows the outcome of posting: on success a fresh form and the room
// in the list; on failure the message, at the field at fault when there is
// one, with every value kept.
func (p *postRoomScreen) posted(id string, err error) {
	p.setPosting(false)
	if err == nil && p.editing != nil {
		msg := lang.L(roomSavedMessage)
		if p.calErr != nil {
			msg = lang.L("Room saved, but not its blocked days: {{.Err}}", tdata{"Err": p.calErr})
		}
		p.reset()
		p.sh.show(tabMyListings)
		p.sh.banner.show(msg)
		return
	}
	if err == nil {
		room := p.room()
		msg := lang.L(postedMessage)
		if p.calErr != nil {
			msg = lang.L("Room posted, but not its blocked days: {{.Err}}; block them in My listings", tdata{"Err": p.calErr})
		}
		p.reset()
		p.sh.explore.closePage()
		p.sh.explore.setMode(modeRooms)
		p.sh.rooms.showPosted(id, room.Lat, room.Lon)
		p.sh.show(tabRooms)
		p.sh.banner.show(msg)
		return
	}
	var ie *app.InputError
	if errors.As(err, &ie) {
		detail := ie.Detail
		if detail == "" {
			detail = ie.Error()
		}
		if f := p.fieldFor(ie.Field); f != nil {
			f.serverErr = errors.New(detail)
			f.entry.SetValidationError(f.serverErr)
			f.refresh()
			p.updateSubmit()
			p.setStatus(lang.L("The room was not posted: correct the field marked in red."), widget.DangerImportance)
			p.focus(f)
			return
		}
		p.setStatus(lang.L("The room was not posted: {{.Err}}.", tdata{"Err": detail}), widget.DangerImportance)
		return
	}
	p.setStatus(lang.L("Couldn't post the room: {{.Err}}. Everything you typed is still here; try again.", tdata{"Err": err}), widget.DangerImportance)
}

// fieldFor finds the form field for a room field named by the backend:
// "currency", "price_per_night", "amenities[3]"…
func (p *postRoomScreen) fieldFor(key string) *formField {
	if key == "" {
		return nil
	}
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	for _, f := range p.fields {
		if f.key == key {
			return f
		}
	}
	return nil
}

// focus puts the keyboard focus in a field.
func (p *postRoomScreen) focus(f *formField) {
	if fw, ok := f.w.(fyne.Focusable); ok {
		p.sh.win.Canvas().Focus(fw)
	}
}

// setPosting locks the form while a post is under way, and unlocks it.
func (p *postRoomScreen) setPosting(on bool) {
	p.posting = on
	for _, f := range p.fields {
		if d, ok := f.w.(fyne.Disableable); ok {
			setDisabled(on, d)
		}
	}
	for _, c := range p.checks {
		setDisabled(on, c)
	}
	p.photos.setDisabled(on)
	p.cal.setDisabled(on)
	setDisabled(on, p.cancelEdit)
	msg := lang.L("Posting your room…")
	if p.editing != nil {
		msg = lang.L("Saving your room…")
	}
	showPosting(p.activity, p.status, on, msg)
	p.updateSubmit()
}

// reset empties the form for the next room.
func (p *postRoomScreen) reset() {
	p.resetting = true
	defer func() { p.resetting = false }()
	for _, f := range p.fields {
		text := ""
		if f == p.currency {
			text = defaultCurrency
		}
		f.entry.SetText(text)
		f.entry.AlwaysShowValidationError = false
		f.entry.SetValidationError(nil)
		f.touched = false
		f.serverErr = nil
	}
	for _, c := range p.checks {
		c.SetChecked(false)
	}
	for _, f := range p.fields {
		f.refresh()
	}
	p.where.clear()
	p.photos.clear()
	p.cal.clear()
	p.cal.setDisabled(false)
	p.editing, p.calLoaded, p.calErr = nil, false, nil
	p.showEditMode()
	p.status.Hide()
	p.updateSubmit()
}
