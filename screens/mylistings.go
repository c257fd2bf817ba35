package screens

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// tabMyListings is the title of the My listings tab.
const tabMyListings = "My listings"

// ownerTimeout bounds one owner action (sign, store, queue).
const ownerTimeout = 30 * time.Second

// myListingsScreen is My listings: the user's own rooms and rides with their
// state, expiry and bookings, and what an owner does with them: edit (in the
// post forms), block days on the calendar, pause and resume, renew, delete.
// It is the widget the tab shows, so tests find it among the tabs.
type myListingsScreen struct {
	widget.BaseWidget
	sh *shell
	// reads counts the reads of the list started, from any goroutine.
	reads atomic.Int64

	// UI goroutine only.
	listings []app.MyListing
	loaded   bool
	shown    int64 // the read the list shows (see load)
	rows     *fyne.Container
	status   *widget.Label
	busy     map[string]bool // listings with an action under way
	confirm  *dialog.ConfirmDialog

	calPanel *fyne.Container // the calendar of one room, at the right
	calTitle *widget.Label
	cal      *calendarPicker
	calID    string
	calSave  *widget.Button
	calClose *widget.Button

	content fyne.CanvasObject
}

// newMyListingsScreen builds the screen and starts its event listener.
func newMyListingsScreen(sh *shell) *myListingsScreen {
	m := &myListingsScreen{sh: sh, busy: map[string]bool{}}
	m.ExtendBaseWidget(m)
	heading := widget.NewLabelWithStyle(lang.L("My listings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel(lang.L("Your rooms and rides. A paused listing is kept but nobody finds or books it; a deleted one is gone from every peer."))
	intro.Wrapping = fyne.TextWrapWord
	m.status = widget.NewLabel("")
	m.status.Wrapping = fyne.TextWrapWord
	m.status.Hide()
	m.rows = container.NewVBox()

	m.cal = newCalendarPicker(time.Now)
	m.cal.changed = func() { m.calSave.Enable() }
	m.calTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.calTitle.Wrapping = fyne.TextWrapWord
	m.calSave = widget.NewButtonWithIcon(lang.L("Save days"), theme.DocumentSaveIcon(), m.saveCalendar)
	m.calSave.Importance = widget.HighImportance
	m.calClose = widget.NewButtonWithIcon(lang.L("Close"), theme.CancelIcon(), m.closeCalendar)
	m.calPanel = container.NewPadded(container.NewVBox(m.calTitle, m.cal.content,
		container.NewHBox(layout.NewSpacer(), m.calClose, m.calSave)))
	m.calPanel.Hide()

	top := container.NewVBox(heading, intro, m.status)
	list := container.NewVScroll(container.NewPadded(m.rows))
	m.content = container.NewBorder(container.NewPadded(top), nil, nil, m.calPanel, list)
	m.showRows()

	events, unsubscribe := sh.b.Subscribe()
	sh.wg.Add(1)
	go func() {
		defer sh.wg.Done()
		defer unsubscribe()
		m.load()
		for {
			select {
			case <-sh.ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.Kind == app.RecordsChanged || ev.Kind == app.BookingsChanged {
					m.load()
				}
			}
		}
	}()
	return m
}

// CreateRenderer is part of fyne.Widget.
func (m *myListingsScreen) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(m.content)
}

// load reads the listings off the UI goroutine and shows them. Reads run
// at once (an event's, an action's), and one started earlier may end
// later: it is dropped then, as it may miss what the other saw (a listing
// just resumed shown paused again).
func (m *myListingsScreen) load() {
	read := m.reads.Add(1)
	ctx, cancel := context.WithTimeout(m.sh.ctx, ownerTimeout)
	defer cancel()
	ls, err := m.sh.b.MyListings(ctx)
	if m.sh.ctx.Err() != nil {
		return
	}
	m.sh.do(func() {
		if read < m.shown {
			return
		}
		m.shown = read
		if err != nil {
			m.setStatus(lang.L("Couldn't read your listings: {{.Err}}", tdata{"Err": err}), widget.DangerImportance)
			return
		}
		m.listings, m.loaded = ls, true
		m.showRows()
	})
}

// reload asks for a fresh list (from the UI goroutine).
func (m *myListingsScreen) reload() {
	m.sh.wg.Add(1)
	go func() {
		defer m.sh.wg.Done()
		m.load()
	}()
}

// showRows rebuilds the list.
func (m *myListingsScreen) showRows() {
	m.rows.RemoveAll()
	if !m.loaded {
		m.rows.Add(widget.NewLabel(lang.L("Reading your listings…")))
	} else if len(m.listings) == 0 {
		empty := widget.NewLabel(lang.L("You have no listings yet. Post a room or a ride, and it shows here."))
		empty.Wrapping = fyne.TextWrapWord
		m.rows.Add(empty)
	}
	for _, l := range m.listings {
		m.rows.Add(m.row(l))
	}
	m.rows.Refresh()
}

// row is one listing: its title, what state it is in, and its actions.
func (m *myListingsScreen) row(l app.MyListing) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(l.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	info := newNote(theme.SizeNameText)
	info.set(listingSummary(l, time.Now()), theme.ColorNamePlaceHolder)
	state := widget.NewLabel(lang.L("Active"))
	state.Importance = widget.SuccessImportance
	if l.State == app.StatePaused {
		state.SetText(lang.L("Paused"))
		state.Importance = widget.WarningImportance
	}

	id := l.ID
	var buttons []fyne.CanvasObject
	add := func(label string, icon fyne.Resource, do func()) *widget.Button {
		b := widget.NewButtonWithIcon(label, icon, do)
		if m.busy[id] {
			b.Disable()
		}
		buttons = append(buttons, b)
		return b
	}
	add(lang.L("Edit"), theme.DocumentCreateIcon(), func() { m.edit(l) })
	if l.Kind == app.KindRoom {
		add(lang.L("Calendar"), theme.CalendarIcon(), func() { m.openCalendar(l) })
	}
	if l.State == app.StatePaused {
		add(lang.L("Resume"), theme.MediaPlayIcon(), func() {
			m.act(id, lang.L("Listing resumed: people find it again"), m.sh.b.ResumeListing)
		})
	} else {
		add(lang.L("Pause"), theme.MediaPauseIcon(), func() {
			m.act(id, lang.L("Listing paused: nobody finds or books it until you resume it"), m.sh.b.PauseListing)
		})
	}
	if l.Kind == app.KindRoom {
		add(lang.L("Renew"), theme.ViewRefreshIcon(), func() {
			m.act(id, lang.L("Listing renewed for another 60 days"), func(ctx context.Context, id string) error {
				_, err := m.sh.b.RenewListing(ctx, id)
				return err
			})
		})
	}
	if l.State != app.StatePaused {
		add(lang.L("Wishes"), theme.SearchIcon(), func() { showWishesFor(m.sh, id) })
	}
	del := add(lang.L("Delete"), theme.DeleteIcon(), func() { m.askDelete(l) })
	del.Importance = widget.DangerImportance

	head := container.NewBorder(nil, nil, nil, state, title)
	card := container.NewVBox(head, info.rt, container.NewHBox(buttons...))
	return container.NewVBox(newTint(theme.ColorNameInputBackground, 0xff, container.NewPadded(card)))
}

// listingSummary is a listing's second line: kind, expiry, bookings.
func listingSummary(l app.MyListing, now time.Time) string {
	s := lang.L("Room")
	if l.Kind == app.KindRide {
		s = lang.L("Ride")
		if l.Ride != nil {
			s += " · " + lang.L("departs {{.When}}", tdata{"When": formatDayTime(l.Ride.DepartAt)}) + " · " +
				lang.N("{{.Left}} of {{.Count}} seats left", l.Ride.Seats, tdata{"Left": l.Ride.SeatsLeft, "Count": l.Ride.Seats})
		}
	} else {
		days := int(l.ExpiresAt.Sub(now).Hours() / 24)
		s += " · " + lang.N("expires {{.Date}} (in {{.Count}} days; renewed by itself while Caravan runs)", days,
			tdata{"Date": formatDate(l.ExpiresAt.Local()), "Count": countOf(days)["Count"]})
		if l.Room != nil {
			s += " · " + formatNightly(l.Room.PricePerNight, l.Room.Currency)
		}
	}
	s += " · " + lang.N("{{.Count}} bookings to come", l.Bookings, countOf(l.Bookings))
	if l.Requests > 0 {
		s += " · " + lang.N("{{.Count}} requests waiting", l.Requests, countOf(l.Requests))
	}
	return s
}

// act runs an owner action off the UI goroutine and reports it.
func (m *myListingsScreen) act(id, done string, do func(context.Context, string) error) {
	if m.busy[id] {
		return
	}
	m.busy[id] = true
	m.showRows()
	m.sh.goUI(ownerTimeout, func(ctx context.Context) func() {
		err := do(ctx, id)
		return func() {
			delete(m.busy, id)
			m.showRows() // its buttons work again, until the reload shows what changed
			if err != nil {
				m.setStatus(failure(err), widget.DangerImportance)
				return
			}
			m.status.Hide()
			m.sh.banner.show(done)
			m.reload()
		}
	})
}

// failure is an error as the status line says it.
func failure(err error) string {
	var ie *app.InputError
	if errors.As(err, &ie) && ie.Detail != "" {
		return sentence(ie.Detail) + "."
	}
	return lang.L("That didn't work: {{.Err}}.", tdata{"Err": err})
}

// askDelete asks before deleting a listing.
func (m *myListingsScreen) askDelete(l app.MyListing) {
	msg := lang.L("Delete “{{.Title}}” on every peer? This cannot be undone; pausing keeps it for later.", tdata{"Title": l.Title})
	if l.Requests > 0 {
		msg += "\n" + lang.N("{{.Count}} requests waiting will be declined.", l.Requests, countOf(l.Requests))
	}
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	m.confirm = dialog.NewCustomConfirm(lang.L("Delete this listing?"), lang.L("Delete"), lang.L("Keep it"), text, func(ok bool) {
		m.confirm = nil
		if ok {
			if l.ID == m.calID {
				m.closeCalendar()
			}
			m.act(l.ID, lang.L("Listing deleted"), m.sh.b.DeleteListing)
		}
	}, m.sh.win)
	m.confirm.Resize(fyne.NewSize(440, 200))
	m.confirm.Show()
}

// edit opens the post form of the listing, filled in, to save a new version.
func (m *myListingsScreen) edit(l app.MyListing) {
	m.closeCalendar() // the edit may change the days: the panel would show stale ones
	switch {
	case l.Room != nil:
		m.sh.ensure(tabPostRoom)
		m.sh.post.startEdit(l)
		m.sh.show(tabPostRoom)
	case l.Ride != nil:
		m.sh.ensure(tabPostRide)
		m.sh.postRide.startEdit(l)
		m.sh.show(tabPostRide)
	}
}

// openCalendar shows the calendar of a room at the right.
func (m *myListingsScreen) openCalendar(l app.MyListing) {
	m.calID = l.ID
	m.calTitle.SetText(lang.L("Availability of “{{.Title}}”", tdata{"Title": l.Title}))
	m.cal.clear()
	m.cal.setDisabled(true)
	m.calSave.Disable()
	m.calPanel.Show()
	m.content.Refresh()
	id := l.ID
	m.sh.goUI(ownerTimeout, func(ctx context.Context) func() {
		cal, err := m.sh.b.BlockedDates(ctx, id)
		return func() {
			if m.calID != id {
				return
			}
			if err != nil {
				m.cal.msg.set(lang.L("Couldn't read the calendar: {{.Err}}", tdata{"Err": err}), theme.ColorNameError)
				return
			}
			m.cal.setDisabled(false)
			m.cal.set(cal)
		}
	})
}

// saveCalendar publishes the days blocked on the calendar.
func (m *myListingsScreen) saveCalendar() {
	id, ranges := m.calID, m.cal.ranges()
	if id == "" {
		return
	}
	m.cal.setDisabled(true)
	m.calSave.Disable()
	m.sh.goUI(ownerTimeout, func(ctx context.Context) func() {
		cal, err := m.sh.b.SetBlockedDates(ctx, id, ranges)
		return func() {
			if m.calID != id {
				return
			}
			m.cal.setDisabled(false)
			if err != nil {
				m.cal.msg.set(failure(err), theme.ColorNameError)
				m.calSave.Enable()
				return
			}
			m.cal.set(cal)
			m.sh.banner.show(lang.L("Calendar saved: the blocked days are on their way to your peers"))
		}
	})
}

// closeCalendar hides the calendar panel.
func (m *myListingsScreen) closeCalendar() {
	m.calID = ""
	m.calPanel.Hide()
	m.content.Refresh()
}

// setStatus shows a message above the list.
func (m *myListingsScreen) setStatus(msg string, imp widget.Importance) {
	showStatus(m.status, msg, imp)
}
