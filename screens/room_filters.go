package screens

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// roomFilter is what a renter asks of a room beyond its area and words: the
// nights it must be free, the guests it must take and the most it may cost
// a night. The zero roomFilter asks nothing.
type roomFilter struct {
	From, To string  // YYYY-MM-DD, both or neither: check-in and check-out
	Guests   int     // 0 for any
	MaxPrice float64 // a night, in the room's currency; 0 for any
}

// active says whether the filter asks anything.
func (f roomFilter) active() bool { return f != roomFilter{} }

// apply sets the filter's terms on q.
func (f roomFilter) apply(q *app.RoomQuery) {
	q.From, q.To, q.Guests, q.MaxPrice = f.From, f.To, f.Guests, f.MaxPrice
}

// roomFilters is the row of filters above the rooms: check-in, check-out,
// guests and a top price, with a line that says what is wrong with them.
// A filter that is wrong or half given is left out of the search until it
// is right; the others apply.
type roomFilters struct {
	from, to *widget.DateEntry
	guests   *widget.Entry
	price    *widget.Entry
	clear    *widget.Button
	msg      *note
	content  fyne.CanvasObject
	now      func() time.Time
	// changed runs on the UI goroutine when the user changes a filter; typed
	// is set for a keystroke, which the search waits out.
	changed func(typed bool)
	quiet   bool // reset is setting the widgets: no changed calls
}

func newRoomFilters(now func() time.Time, changed func(typed bool)) *roomFilters {
	f := &roomFilters{now: now, changed: changed}
	f.from, f.to = widget.NewDateEntry(), widget.NewDateEntry()
	f.from.SetPlaceHolder(lang.L("Check-in"))
	f.to.SetPlaceHolder(lang.L("Check-out"))
	f.guests = widget.NewEntry()
	f.guests.SetPlaceHolder(lang.L("Guests"))
	f.price = widget.NewEntry()
	f.price.SetPlaceHolder(lang.L("Max price a night"))
	for _, d := range []*widget.DateEntry{f.from, f.to} {
		d.OnChanged = func(*time.Time) { f.userChanged(false) }
		// A date typed by hand that does not parse leaves Date as it was
		// and calls no OnChanged; its validation still says so.
		d.SetOnValidationChanged(func(error) { f.userChanged(true) })
	}
	for _, e := range []*widget.Entry{f.guests, f.price} {
		e.OnChanged = func(string) { f.userChanged(true) }
	}
	f.clear = widget.NewButtonWithIcon(lang.L("Clear filters"), theme.ContentClearIcon(), f.reset)
	f.clear.Disable()
	f.msg = newNote(theme.SizeNameCaptionText)
	f.content = container.NewBorder(nil, f.msg.rt, nil, f.clear,
		container.NewGridWithColumns(4, f.from, f.to, f.guests, f.price))
	return f
}

// userChanged follows a change of one of the widgets.
func (f *roomFilters) userChanged(typed bool) {
	if f.quiet {
		return
	}
	f.show()
	f.changed(typed)
}

// show brings the message and the clear button in line with the widgets.
func (f *roomFilters) show() {
	if _, problem, hint := f.read(); problem != "" {
		f.msg.set(problem, theme.ColorNameError)
	} else {
		f.msg.set(hint, theme.ColorNamePlaceHolder)
	}
	// Disabled rather than hidden: the fields keep their place under the pointer.
	if f.given() {
		f.clear.Enable()
	} else {
		f.clear.Disable()
	}
}

// given says whether any of the widgets holds something.
func (f *roomFilters) given() bool {
	for _, e := range []*widget.Entry{&f.from.Entry, &f.to.Entry, f.guests, f.price} {
		if strings.TrimSpace(e.Text) != "" {
			return true
		}
	}
	return false
}

// reset empties every filter, as "Clear filters" does.
func (f *roomFilters) reset() {
	f.quiet = true
	clearDate(f.from)
	clearDate(f.to)
	f.guests.SetText("")
	f.price.SetText("")
	f.quiet = false
	f.show()
	f.changed(false)
}

// read is the filter the widgets give, with what is wrong in them and, as
// a hint, what is missing ("" when nothing is): the parts that are right
// are in the filter.
func (f *roomFilters) read() (out roomFilter, problem, hint string) {
	var problems []string
	from, fromOK := dateIn(f.from)
	to, toOK := dateIn(f.to)
	switch {
	case !fromOK:
		problems = append(problems, lang.L("Check-in is not a date: pick one from the calendar."))
	case !toOK:
		problems = append(problems, lang.L("Check-out is not a date: pick one from the calendar."))
	case from == nil && to == nil:
	case to == nil:
		hint = lang.L("Choose a check-out day too.")
	case from == nil:
		hint = lang.L("Choose a check-in day too.")
	default:
		checkIn, checkOut := from.Format(app.DateLayout), to.Format(app.DateLayout)
		if p := stayProblem(checkIn, checkOut, f.now().Format(app.DateLayout)); p != "" {
			problems = append(problems, p)
		} else {
			out.From, out.To = checkIn, checkOut
		}
	}
	if s := strings.TrimSpace(f.guests.Text); s != "" {
		if n, ok := guestCount(s); ok {
			out.Guests = n
		} else {
			problems = append(problems, lang.L("Guests: a whole number from 1 to {{.Max}}.", tdata{"Max": maxGuests}))
		}
	}
	if s := strings.TrimSpace(f.price.Text); s != "" {
		v, err := parseDecimal(s)
		if err != nil || v <= 0 {
			problems = append(problems, lang.L("Max price: a number above 0, e.g. 80."))
		} else {
			out.MaxPrice = v
		}
	}
	return out, strings.Join(problems, " "), hint
}

// dateIn is the day a date entry holds, nil when it is empty; ok is false
// when its text is not a date.
func dateIn(d *widget.DateEntry) (day *time.Time, ok bool) {
	switch {
	case strings.TrimSpace(d.Text) == "":
		return nil, true
	case d.Date == nil || d.Validator != nil && d.Validator(d.Text) != nil: // not Validate: it calls back
		return nil, false
	}
	return d.Date, true
}
