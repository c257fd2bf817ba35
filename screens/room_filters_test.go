package screens

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

func TestRoomFiltersRead(t *testing.T) {
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.Local)
	day := func(d int) *time.Time {
		v := time.Date(2026, 12, d, 0, 0, 0, 0, time.Local)
		return &v
	}
	tests := []struct {
		name          string
		from, to      *time.Time
		typedFrom     string // typed into check-in instead of a picked day
		guests, price string
		want          roomFilter
		problems      []string
		hint          string
	}{
		{name: "nothing", want: roomFilter{}},
		{name: "every filter", from: day(6), to: day(9), guests: "3", price: "80,50",
			want: roomFilter{From: "2026-12-06", To: "2026-12-09", Guests: 3, MaxPrice: 80.5}},
		{name: "check-in alone", from: day(7), guests: "2",
			want: roomFilter{Guests: 2}, hint: "Choose a check-out day too."},
		{name: "check-out alone", to: day(8), hint: "Choose a check-in day too."},
		{name: "check-out before check-in", from: day(9), to: day(9),
			problems: []string{"Check-out comes after check-in."}},
		{name: "check-in passed", from: day(5), to: day(9), price: "60",
			want: roomFilter{MaxPrice: 60}, problems: []string{"Check-in has passed"}},
		{name: "check-in not a date", typedFrom: "7 dec", to: day(9),
			problems: []string{"Check-in is not a date"}},
		{name: "guests and price wrong", guests: "two", price: "-5",
			problems: []string{"Guests: a whole number", "Max price: a number above 0"}},
		{name: "too many guests", guests: "500", problems: []string{"Guests: a whole number from 1 to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			f := newRoomFilters(func() time.Time { return now }, func(bool) {})
			test.NewTempWindow(t, f.content) // renders the date entries, which sets their parsing up
			f.from.SetDate(tt.from)
			f.to.SetDate(tt.to)
			if tt.typedFrom != "" {
				f.from.SetText(tt.typedFrom)
			}
			f.guests.SetText(tt.guests)
			f.price.SetText(tt.price)

			got, problem, hint := f.read()
			if got != tt.want {
				t.Errorf("filter %+v, want %+v", got, tt.want)
			}
			for _, p := range tt.problems {
				if !strings.Contains(problem, p) {
					t.Errorf("problem %q lacks %q", problem, p)
				}
			}
			if len(tt.problems) == 0 && problem != "" {
				t.Errorf("problem %q with good filters", problem)
			}
			if hint != tt.hint {
				t.Errorf("hint %q, want %q", hint, tt.hint)
			}
			want, colour := problem, theme.ColorNameError
			if problem == "" {
				want, colour = hint, theme.ColorNamePlaceHolder
			}
			if shown := f.msg.text(); shown != want || want != "" && f.msg.seg.Style.ColorName != colour {
				t.Errorf("the line under the filters shows %q in %s, want %q in %s", shown, f.msg.seg.Style.ColorName, want, colour)
			}
			given := tt.from != nil || tt.to != nil || tt.typedFrom != "" || tt.guests != "" || tt.price != ""
			if f.clear.Disabled() == given {
				t.Errorf("clear button enabled %v, want %v", !f.clear.Disabled(), given)
			}
		})
	}
}

func TestRoomsFilters(t *testing.T) {
	fake := newFake(
		listing("a", "Small room", time.Hour, func(l *app.RoomListing) { l.MaxGuests, l.PricePerNight = 2, 40 }),
		listing("b", "Family flat", 2*time.Hour, func(l *app.RoomListing) { l.MaxGuests, l.PricePerNight = 5, 120 }),
		listing("c", "Big cheap dorm", 3*time.Hour, func(l *app.RoomListing) { l.MaxGuests, l.PricePerNight = 6, 25 }),
	)
	h := newHarness(t, fake)
	h.eventually("every room", func() bool { return h.shows("3 rooms") })
	f := h.sh.rooms.filters
	lastQuery := func() app.RoomQuery { qs := fake.queryLog(); return qs[len(qs)-1] }

	h.ui(func() { test.Type(f.guests, "4") })
	h.eventually("rooms for 4", func() bool { return h.shows("2 rooms") && !h.shows("Small room") })
	if q := lastQuery(); q.Guests != 4 || q.MaxPrice != 0 || q.From != "" {
		t.Errorf("query %+v, want 4 guests alone", q)
	}

	h.ui(func() { test.Type(f.price, "50") })
	h.eventually("rooms for 4 under 50", func() bool { return h.shows("1 room") && h.shows("Big cheap dorm") })

	// Bad input says what is wrong and keeps the filters that are right.
	h.ui(func() { test.Type(f.guests, "x") })
	h.eventually("the problem", func() bool { return h.shows("Guests: a whole number") })
	h.eventually("the price alone", func() bool { q := lastQuery(); return q.Guests == 0 && q.MaxPrice == 50 })
	h.eventually("rooms under 50", func() bool { return h.shows("2 rooms") })

	// Nothing matches: the list says so and offers to clear the filters.
	h.ui(func() { f.guests.SetText("10") })
	h.eventually("no room", func() bool { return h.shows("No rooms with these filters.") })

	// Days picked load at once, and the booking form starts with them.
	in, out := time.Now().AddDate(0, 0, 3), time.Now().AddDate(0, 0, 5)
	h.ui(func() {
		f.guests.SetText("3")
		f.from.SetDate(&in)
		f.to.SetDate(&out)
	})
	h.eventually("rooms for 3 under 50 on those days", func() bool {
		q := lastQuery()
		return q.From == in.Format(app.DateLayout) && q.To == out.Format(app.DateLayout) && q.Guests == 3 &&
			h.shows("Big cheap dorm") && h.shows("1 room")
	})
	h.ui(func() { h.sh.rooms.list.Select(0) })
	h.eventually("the room's page", func() bool { return h.sh.explore.page.content.Visible() })
	h.ui(func() {
		b := h.sh.explore.page.book
		if b.from.Date == nil || b.to.Date == nil || b.from.Date.Format(app.DateLayout) != in.Format(app.DateLayout) ||
			b.to.Date.Format(app.DateLayout) != out.Format(app.DateLayout) || b.guests.Text != "3" {
			t.Errorf("booking form holds %v to %v for %q guests, want the search's days for 3", b.from.Date, b.to.Date, b.guests.Text)
		}
		h.sh.explore.closePage()
	})

	// Clear filters brings every room back.
	h.ui(func() { test.Tap(f.clear) })
	h.eventually("every room again", func() bool { return h.shows("3 rooms") && f.clear.Disabled() })
	h.ui(func() {
		for _, d := range []*widget.DateEntry{f.from, f.to} {
			if marksInvalid(d) {
				t.Error("a date emptied by Clear filters is marked wrong")
			}
		}
	})
	if q := lastQuery(); q.Guests != 0 || q.MaxPrice != 0 || q.From != "" || q.To != "" {
		t.Errorf("query %+v after clearing the filters", q)
	}
}
