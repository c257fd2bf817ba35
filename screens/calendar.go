package screens

import (
	"fmt"
	"image/color"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// calendarPicker is a room's availability calendar: a month grid with the
// previous and next month, where a tap blocks or frees one night, and a
// drag, or a tap then a shift-tap, blocks or frees a range of nights. Days
// of accepted bookings show apart and are locked; past days cannot change.
// UI goroutine only.
type calendarPicker struct {
	grid    *monthGrid
	title   *widget.Label
	prev    *widget.Button
	next    *widget.Button
	msg     *note
	content fyne.CanvasObject
	// changed is called after every change the user makes.
	changed func()
}

// newCalendarPicker shows the month of today; now gives today (time.Now in
// the app, a fixed day in tests).
func newCalendarPicker(now func() time.Time) *calendarPicker {
	c := &calendarPicker{}
	c.grid = newMonthGrid(now, c.gridChanged)
	c.title = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	c.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { c.turn(-1) })
	c.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { c.turn(1) })
	c.msg = newNote(theme.SizeNameCaptionText)
	head := container.NewBorder(nil, nil, c.prev, c.next, c.title)
	week := container.NewGridWithColumns(7)
	for _, d := range []string{lang.L("Mon"), lang.L("Tue"), lang.L("Wed"), lang.L("Thu"), lang.L("Fri"), lang.L("Sat"), lang.L("Sun")} {
		week.Add(widget.NewLabelWithStyle(d, fyne.TextAlignCenter, fyne.TextStyle{Italic: true}))
	}
	legend := container.NewHBox(
		swatch(theme.ColorNameError, 0x70), widget.NewLabel(lang.L("Blocked")),
		swatch(theme.ColorNamePrimary, 0xd0), widget.NewLabel(lang.L("Booked (locked)")))
	c.content = container.NewVBox(head, week, c.grid, legend, c.msg.rt)
	c.turn(0)
	c.hint()
	return c
}

// swatch is a small square of a theme colour, for a legend.
func swatch(name fyne.ThemeColorName, alpha uint8) fyne.CanvasObject {
	r := canvas.NewRectangle(withAlpha(theme.Color(name), alpha))
	r.SetMinSize(fyne.NewSize(16, 16))
	return container.NewCenter(r)
}

// set shows a calendar: its blocked and booked ranges.
func (c *calendarPicker) set(cal app.ListingCalendar) {
	c.grid.blocked, c.grid.booked = daySet(cal.Blocked), daySet(cal.Booked)
	for d := range c.grid.booked {
		c.grid.blocked[d] = true
	}
	c.grid.anchor = ""
	c.grid.Refresh()
	c.hint()
}

// ranges are the blocked ranges, booked ones included, sorted and merged.
func (c *calendarPicker) ranges() []app.DateRange { return dayRanges(c.grid.blocked) }

// clear frees every day, for the next room.
func (c *calendarPicker) clear() { c.set(app.ListingCalendar{}) }

// setDisabled stops taps and drags from changing days (while saving).
func (c *calendarPicker) setDisabled(on bool) {
	c.grid.disabled = on
	setDisabled(on, c.prev, c.next)
}

// turn moves the month shown by n months.
func (c *calendarPicker) turn(n int) {
	c.grid.month = c.grid.month.AddDate(0, n, 0)
	c.title.SetText(monthTitle(c.grid.month))
	c.grid.Refresh()
}

func (c *calendarPicker) gridChanged(msg string) {
	if msg != "" {
		c.msg.set(msg, theme.ColorNameError)
	} else {
		c.hint()
	}
	if c.changed != nil {
		c.changed()
	}
}

// hint says how many nights are blocked and how to change them.
func (c *calendarPicker) hint() {
	n := 0
	today := c.grid.today()
	for d := range c.grid.blocked {
		if d >= today {
			n++
		}
	}
	c.msg.set(lang.N("{{.Count}} nights blocked. Tap a day to block or free that night; drag across days, or tap one and shift-tap another, for a range.",
		n, countOf(n)), theme.ColorNamePlaceHolder)
}

// monthTitle names a month and its year: "January 2026", in French
// "janvier 2026".
func monthTitle(t time.Time) string {
	names := [...]string{
		lang.L("January"), lang.L("February"), lang.L("March"), lang.L("April"), lang.L("May"), lang.L("June"),
		lang.L("July"), lang.L("August"), lang.L("September"), lang.L("October"), lang.L("November"), lang.L("December"),
	}
	return fmt.Sprintf("%s %d", names[(t.Month()-1)%12], t.Year())
}

// daySet is the days of ranges, YYYY-MM-DD.
func daySet(ranges []app.DateRange) map[string]bool {
	out := map[string]bool{}
	for _, r := range ranges {
		from, to, err := r.Days()
		if err != nil {
			continue
		}
		for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
			out[d.Format(time.DateOnly)] = true
		}
	}
	return out
}

// dayRanges turns a set of days into sorted half-open ranges.
func dayRanges(days map[string]bool) []app.DateRange {
	sorted := make([]string, 0, len(days))
	for d, ok := range days {
		if ok {
			sorted = append(sorted, d)
		}
	}
	slices.Sort(sorted)
	var out []app.DateRange
	for _, d := range sorted {
		t, _ := time.Parse(time.DateOnly, d)
		next := t.AddDate(0, 0, 1).Format(time.DateOnly)
		if n := len(out); n > 0 && out[n-1].To == d {
			out[n-1].To = next
			continue
		}
		out = append(out, app.DateRange{From: d, To: next})
	}
	return out
}

// monthGrid is the six weeks of days around a month, Monday first. It is one
// widget, so a drag that starts on one day and ends on another is its own.
type monthGrid struct {
	widget.BaseWidget
	now     func() time.Time
	changed func(msg string) // after a change; msg says why one was refused

	month    time.Time // the first day of the month shown, UTC
	blocked  map[string]bool
	booked   map[string]bool
	anchor   string // the day a shift-tap ranges from
	shift    bool   // shift was held when the button went down
	dragFrom string
	dragTo   string
	disabled bool
}

func newMonthGrid(now func() time.Time, changed func(string)) *monthGrid {
	t := now().UTC()
	g := &monthGrid{now: now, changed: changed, blocked: map[string]bool{}, booked: map[string]bool{},
		month: time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)}
	g.ExtendBaseWidget(g)
	return g
}

func (g *monthGrid) today() string { return g.now().UTC().Format(time.DateOnly) }

// first is the Monday the grid starts on.
func (g *monthGrid) first() time.Time {
	back := (int(g.month.Weekday()) + 6) % 7
	return g.month.AddDate(0, 0, -back)
}

// dayAt is the day under a position in the grid, "" outside it.
func (g *monthGrid) dayAt(p fyne.Position) string {
	s := g.Size()
	if p.X < 0 || p.Y < 0 || p.X >= s.Width || p.Y >= s.Height {
		return ""
	}
	col, row := int(p.X/(s.Width/7)), int(p.Y/(s.Height/6))
	return g.first().AddDate(0, 0, row*7+col).Format(time.DateOnly)
}

// cellPos is where the cell of a day is, for tests that tap it.
func (g *monthGrid) cellPos(day string) fyne.Position {
	t, _ := time.Parse(time.DateOnly, day)
	i := int(t.Sub(g.first()).Hours() / 24)
	s := g.Size()
	return fyne.NewPos((float32(i%7)+0.5)*s.Width/7, (float32(i/7)+0.5)*s.Height/6)
}

// MouseDown is part of desktop.Mouseable: it notes whether shift is held.
func (g *monthGrid) MouseDown(e *desktop.MouseEvent) { g.shift = e.Modifier&fyne.KeyModifierShift != 0 }

// MouseUp is part of desktop.Mouseable.
func (g *monthGrid) MouseUp(*desktop.MouseEvent) {}

// Tapped is part of fyne.Tappable: it blocks or frees the night tapped, or
// with shift the nights from the last one tapped.
func (g *monthGrid) Tapped(e *fyne.PointEvent) {
	day := g.dayAt(e.Position)
	shift := g.shift
	g.shift = false
	if day == "" || g.disabled {
		return
	}
	if shift && g.anchor != "" {
		g.apply(g.anchor, day, g.blocked[g.anchor])
		return
	}
	g.anchor = day
	g.apply(day, day, !g.blocked[day])
}

// Dragged is part of fyne.Draggable: it marks the range dragged across.
func (g *monthGrid) Dragged(e *fyne.DragEvent) {
	if g.disabled {
		return
	}
	day := g.dayAt(e.Position)
	if g.dragFrom == "" {
		g.dragFrom = g.dayAt(e.Position.Subtract(e.Dragged))
		if g.dragFrom == "" {
			g.dragFrom = day
		}
	}
	if day != "" {
		g.dragTo = day
	}
	g.Refresh()
}

// DragEnd is part of fyne.Draggable: the range dragged across takes the
// opposite of the state of the day the drag began on.
func (g *monthGrid) DragEnd() {
	from, to := g.dragFrom, g.dragTo
	g.dragFrom, g.dragTo = "", ""
	if from == "" || to == "" || g.disabled {
		g.Refresh()
		return
	}
	g.anchor = to
	g.apply(from, to, !g.blocked[from])
}

// apply blocks (or frees) the nights from a to b, in either order; past and
// booked days keep their state.
func (g *monthGrid) apply(a, b string, block bool) {
	if b < a {
		a, b = b, a
	}
	today := g.today()
	var locked, past bool
	from, _ := time.Parse(time.DateOnly, a)
	to, _ := time.Parse(time.DateOnly, b)
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		switch {
		case day < today:
			past = true
		case g.booked[day]:
			locked = true
		case block:
			g.blocked[day] = true
		default:
			delete(g.blocked, day)
		}
	}
	g.Refresh()
	msg := ""
	switch {
	case locked:
		msg = lang.L("Booked nights stay blocked: cancel the booking to free them.")
	case past && a == b:
		msg = lang.L("That day has passed.")
	}
	g.changed(msg)
}

// CreateRenderer is part of fyne.Widget.
func (g *monthGrid) CreateRenderer() fyne.WidgetRenderer {
	r := &monthRenderer{g: g}
	for range 42 {
		bg := canvas.NewRectangle(color.Transparent)
		txt := canvas.NewText("", theme.Color(theme.ColorNameForeground))
		txt.Alignment = fyne.TextAlignCenter
		r.bgs, r.texts = append(r.bgs, bg), append(r.texts, txt)
		r.objs = append(r.objs, bg, txt)
	}
	r.Refresh()
	return r
}

type monthRenderer struct {
	g     *monthGrid
	bgs   []*canvas.Rectangle
	texts []*canvas.Text
	objs  []fyne.CanvasObject
}

func (r *monthRenderer) Layout(size fyne.Size) {
	w, h := size.Width/7, size.Height/6
	pad := theme.Padding() / 2
	for i := range 42 {
		x, y := float32(i%7)*w, float32(i/7)*h
		r.bgs[i].Move(fyne.NewPos(x+pad, y+pad))
		r.bgs[i].Resize(fyne.NewSize(w-2*pad, h-2*pad))
		ts := r.texts[i].MinSize()
		r.texts[i].Move(fyne.NewPos(x, y+(h-ts.Height)/2))
		r.texts[i].Resize(fyne.NewSize(w, ts.Height))
	}
}

func (r *monthRenderer) MinSize() fyne.Size {
	return fyne.NewSize(7*40, 6*34)
}

func (r *monthRenderer) Refresh() {
	g := r.g
	th := g.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	today := g.today()
	first := g.first()
	lo, hi := g.dragFrom, g.dragTo
	if hi < lo {
		lo, hi = hi, lo
	}
	for i := range 42 {
		d := first.AddDate(0, 0, i)
		day := d.Format(time.DateOnly)
		txt, bg := r.texts[i], r.bgs[i]
		txt.Text = fmt.Sprint(d.Day())
		txt.TextStyle = fyne.TextStyle{Bold: day == today}
		txt.Color = th.Color(theme.ColorNameForeground, v)
		bg.FillColor = color.Transparent
		bg.StrokeWidth = 0
		bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
		switch {
		case g.booked[day]:
			bg.FillColor = withAlpha(th.Color(theme.ColorNamePrimary, v), 0xd0)
			txt.Color = th.Color(theme.ColorNameForegroundOnPrimary, v)
			txt.TextStyle.Bold = true
		case g.blocked[day]:
			bg.FillColor = withAlpha(th.Color(theme.ColorNameError, v), 0x70)
		}
		if lo != "" && hi != "" && day >= lo && day <= hi && !g.booked[day] {
			bg.FillColor = th.Color(theme.ColorNameSelection, v)
		}
		if day == today {
			bg.StrokeColor, bg.StrokeWidth = th.Color(theme.ColorNamePrimary, v), 2
		}
		if d.Month() != g.month.Month() || day < today {
			txt.Color = th.Color(theme.ColorNameDisabled, v)
		}
		txt.Refresh()
		bg.Refresh()
	}
}

func (r *monthRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *monthRenderer) Destroy() {}

// dayState names what a day shows, for tests: "booked", "blocked" or "free".
func (g *monthGrid) dayState(day string) string {
	switch {
	case g.booked[day]:
		return "booked"
	case g.blocked[day]:
		return "blocked"
	}
	return "free"
}
