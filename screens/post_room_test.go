package screens

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/caravan-p2p/caravan/app"
)

// formValues are what a test types, by field key.
type formValues map[string]string

func validForm() formValues {
	return formValues{
		"title":           "Quiet room by the canal",
		"description":     "Second floor, canal view.",
		"lat":             "52.3702",
		"lon":             "4.8952",
		"price_per_night": "45",
		"currency":        "EUR",
		"max_guests":      "2",
		"amenities":       "",
	}
}

func (v formValues) with(kv ...string) formValues {
	out := formValues{}
	for k, x := range v {
		out[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// fill types the values into the form, as a user would (call inside ui).
func fill(h *harness, v formValues) {
	for _, f := range h.sh.post.fields {
		text, ok := v[f.key]
		if !ok {
			continue
		}
		f.entry.SetText("")
		test.Type(f.w.(fyne.Focusable), text)
	}
}

// message is the text under a field (call inside ui).
func message(f *formField) string { return f.msg.text() }

func TestPostRoomSubmitsParsedRoom(t *testing.T) {
	tests := []struct {
		name   string
		values formValues
		checks []int // indices of common amenities to tick
		want   app.Room
	}{
		{
			name:   "plain",
			values: validForm().with("amenities", "sauna, garden"),
			checks: []int{0},
			want: app.Room{Title: "Quiet room by the canal", Description: "Second floor, canal view.", Lat: 52.3702, Lon: 4.8952,
				PricePerNight: 45, Currency: "EUR", MaxGuests: 2, Amenities: []string{"wifi", "sauna", "garden"}},
		},
		{
			name: "as people write numbers",
			values: validForm().with("title", "  Loft  ", "description", "Line one\r\nLine two\r\n", "lat", "33.8688° S",
				"lon", "151,2093", "price_per_night", "45,50", "currency", "aud", "max_guests", " 3 ", "amenities", "Pool, pool, ,wifi"),
			checks: []int{0, 1},
			want: app.Room{Title: "Loft", Description: "Line one\nLine two", Lat: -33.8688, Lon: 151.2093,
				PricePerNight: 45.5, Currency: "AUD", MaxGuests: 3, Amenities: []string{"wifi", "kitchen", "Pool"}},
		},
		{
			name:   "free room, no amenities",
			values: validForm().with("price_per_night", "0", "description", ""),
			want: app.Room{Title: "Quiet room by the canal", Lat: 52.3702, Lon: 4.8952,
				Currency: "EUR", MaxGuests: 2, Amenities: []string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake()
			h := newHarness(t, fake)
			h.ui(func() {
				h.sh.show(tabPostRoom)
				fill(h, tt.values)
				for _, i := range tt.checks {
					test.Tap(h.sh.post.checks[i])
				}
				if h.sh.post.submit.Disabled() {
					t.Fatalf("submit disabled for a valid form; messages:\n%s", h.screenText0())
				}
				test.Tap(h.sh.post.submit)
			})
			h.eventually("the post", func() bool { return len(fake.postedRooms()) == 1 })
			if got := fake.postedRooms()[0]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("posted\n %#v\nwant\n %#v", got, tt.want)
			}

			// Success: the Rooms screen in front with a confirmation and the
			// room selected; the form empty for the next room.
			h.eventually("the room in the list", func() bool {
				return h.sh.current() == tabRooms && h.shows(postedMessage) && h.sh.rooms.selected == "posted-1"
			})
			h.ui(func() {
				p := h.sh.post
				for _, f := range p.fields {
					want := ""
					if f == p.currency {
						want = defaultCurrency
					}
					if f.entry.Text != want || f.touched || message(f) != f.hint {
						t.Errorf("field %s after posting: text %q, touched %v, message %q", f.key, f.entry.Text, f.touched, message(f))
					}
				}
				for i, c := range p.checks {
					if c.Checked {
						t.Errorf("amenity %d still ticked", i)
					}
				}
			})
		})
	}
}

// screenText0 is screenText for use inside ui.
func (h *harness) screenText0() string {
	return strings.Join(visibleTexts(h.sh.win.Canvas().Content()), "\n")
}

func TestPostRoomInvalidInputBlocksSubmit(t *testing.T) {
	tests := []struct {
		name    string
		values  formValues
		field   string
		wantMsg string
	}{
		{"latitude out of range", validForm().with("lat", "123"), "lat", "A latitude is between -90 and 90"},
		{"longitude out of range", validForm().with("lon", "-180.5"), "lon", "A longitude is between -180 and 180"},
		{"latitude not a number", validForm().with("lat", "north"), "lat", "“north” is not a number"},
		{"empty title", validForm().with("title", ""), "title", "A title is required"},
		{"blank title", validForm().with("title", "   "), "title", "A title is required"},
		{"long title", validForm().with("title", strings.Repeat("x", 121)), "title", "121 characters; at most 120"},
		{"price not a number", validForm().with("price_per_night", "abc"), "price_per_night", "“abc” is not a number"},
		{"negative price", validForm().with("price_per_night", "-5"), "price_per_night", "Can't be negative"},
		{"price NaN", validForm().with("price_per_night", "NaN"), "price_per_night", "is not a number"},
		{"price too high", validForm().with("price_per_night", "1000001"), "price_per_night", "At most 1,000,000"},
		{"currency", validForm().with("currency", "EURO"), "currency", "three-letter ISO 4217 code"},
		{"no guests", validForm().with("max_guests", "0"), "max_guests", "A whole number from 1 to 50"},
		{"too many guests", validForm().with("max_guests", "51"), "max_guests", "A whole number from 1 to 50"},
		{"fractional guests", validForm().with("max_guests", "2.5"), "max_guests", "A whole number from 1 to 50"},
		{"long amenity", validForm().with("amenities", "ok, "+strings.Repeat("y", 41)), "amenities", "at most 40 each"},
		{"missing latitude", validForm().with("lat", ""), "lat", "Required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake()
			h := newHarness(t, fake)
			h.ui(func() {
				h.sh.show(tabPostRoom)
				fill(h, tt.values)
				// A value typed wrong already blocks the button; one never
				// typed (a missing title) is revealed by the tap.
				blocked := h.sh.post.submit.Disabled()
				test.Tap(h.sh.post.submit)
				p := h.sh.post
				f := p.fieldFor(tt.field)
				if got := message(f); !strings.Contains(got, tt.wantMsg) {
					t.Errorf("message at %s %q, want %q", tt.field, got, tt.wantMsg)
				}
				if f.msg.seg.Style.ColorName != theme.ColorNameError {
					t.Errorf("message at %s is not shown as an error", tt.field)
				}
				if !p.submit.Disabled() {
					t.Error("submit enabled while a field is invalid")
				}
				for _, o := range p.fields {
					if o != f && message(o) != o.hint {
						t.Errorf("field %s shows %q, though it is valid", o.key, message(o))
					}
					if o.entry.Text != tt.values[o.key] && o.key != "currency" {
						t.Errorf("field %s lost what was typed: %q, want %q", o.key, o.entry.Text, tt.values[o.key])
					}
				}
				if !blocked && !h.shows("Correct the fields marked in red") {
					t.Error("no message for the whole form")
				}
			})
			if n := len(fake.postedRooms()); n != 0 {
				t.Errorf("PostRoom called %d times with invalid input", n)
			}

			// Correcting the field unblocks the form.
			h.ui(func() {
				f := h.sh.post.fieldFor(tt.field)
				f.entry.SetText("")
				test.Type(f.w.(fyne.Focusable), validForm()[tt.field])
				if h.sh.post.submit.Disabled() {
					t.Errorf("submit still disabled after correcting %s: %q", tt.field, message(f))
				}
			})
		})
	}
}

func TestPostRoomValidatesAsYouType(t *testing.T) {
	h := newHarness(t, newFake())
	h.ui(func() {
		h.sh.show(tabPostRoom)
		p := h.sh.post
		if p.submit.Disabled() {
			t.Error("a fresh form should not be blocked before anything is typed")
		}
		for _, f := range p.fields {
			if message(f) != f.hint {
				t.Errorf("fresh field %s shows %q", f.key, message(f))
			}
		}
		test.Type(p.lat.entry, "95")
		if got := message(p.lat); !strings.Contains(got, "between -90 and 90") {
			t.Errorf("typing 95: latitude message %q", got)
		}
		if !p.submit.Disabled() {
			t.Error("submit enabled with a latitude of 95")
		}
		test.Type(p.lat.entry, ".5") // 95.5: still wrong
		p.lat.entry.SetText("45")
		if got := message(p.lat); got != p.lat.hint {
			t.Errorf("valid latitude shows %q", got)
		}
		if p.submit.Disabled() {
			t.Error("submit still disabled")
		}
	})
}

func TestPostRoomPastedCoordinatePair(t *testing.T) {
	tests := []struct{ paste, lat, lon string }{
		{"52.3702, 4.8952", "52.3702", "4.8952"},
		{"-33.8688 151.2093", "-33.8688", "151.2093"},
		{"40.7128° N, 74.006° W", "40.7128", "-74.006"},
		{"52,3702", "52,3702", ""}, // a decimal comma, not a pair
	}
	for _, tt := range tests {
		t.Run(tt.paste, func(t *testing.T) {
			h := newHarness(t, newFake())
			h.ui(func() {
				h.sh.show(tabPostRoom)
				p := h.sh.post
				h.app.Clipboard().SetContent(tt.paste)
				p.lat.entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: h.app.Clipboard()})
				if p.lat.entry.Text != tt.lat || p.lon.entry.Text != tt.lon {
					t.Errorf("pasting %q: lat %q lon %q, want %q %q", tt.paste, p.lat.entry.Text, p.lon.entry.Text, tt.lat, tt.lon)
				}
			})
		})
	}
}

func TestPostRoomBackendErrorAtField(t *testing.T) {
	fake := newFake()
	fake.postErr = &app.InputError{Reason: "bad_body", Field: "currency", Detail: "the backend refuses SEK"} // the form accepts any ISO code

	h := newHarness(t, fake)
	typed := validForm().with("currency", "SEK", "amenities", "sauna")
	h.ui(func() {
		h.sh.show(tabPostRoom)
		fill(h, typed)
		test.Tap(h.sh.post.checks[2])
		test.Tap(h.sh.post.submit)
	})
	h.eventually("the currency error", func() bool {
		return strings.Contains(message(h.sh.post.currency), "backend refuses SEK")
	})
	h.ui(func() {
		p := h.sh.post
		if h.sh.current() != tabPostRoom {
			t.Errorf("screen %q after a refusal, want the form", h.sh.current())
		}
		for _, f := range p.fields {
			if f.entry.Text != typed[f.key] {
				t.Errorf("field %s lost what was typed: %q, want %q", f.key, f.entry.Text, typed[f.key])
			}
			if f != p.currency && message(f) != f.hint {
				t.Errorf("field %s shows %q", f.key, message(f))
			}
			if f.entry.Disabled() {
				t.Errorf("field %s still disabled", f.key)
			}
		}
		if !p.checks[2].Checked {
			t.Error("the ticked amenity was lost")
		}
		if !p.submit.Disabled() {
			t.Error("submit enabled with the refused currency unchanged")
		}
		if !h.shows("The room was not posted") {
			t.Error("no message for the whole form")
		}
		if h.sh.win.Canvas().Focused() != p.currency.w.(fyne.Focusable) {
			t.Error("focus is not on the currency")
		}
	})

	// Changing the currency clears the refusal; the next post goes through.
	fake.set(func(f *fakeBackend) { f.postErr = nil })
	h.ui(func() {
		p := h.sh.post
		p.currency.entry.SetText("")
		test.Type(p.currency.w.(fyne.Focusable), "CHF")
		if m := message(p.currency); m != p.currency.hint {
			t.Errorf("currency still shows %q", m)
		}
		if p.submit.Disabled() {
			t.Fatal("submit disabled after the currency was corrected")
		}
		test.Tap(p.submit)
	})
	h.eventually("the second post", func() bool { return len(fake.postedRooms()) == 2 })
	if got := fake.postedRooms()[1]; got.Currency != "CHF" || got.Title != typed["title"] {
		t.Errorf("second post %+v", got)
	}
}

func TestPostRoomOtherErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"input error without field", &app.InputError{Reason: "bad_body", Detail: "photos are not allowed yet"}, "The room was not posted: photos are not allowed yet."},
		{"input error with unknown field", &app.InputError{Reason: "bad_body", Field: "photos[0]", Detail: "not a lowercase hex SHA-256"}, "The room was not posted: not a lowercase hex SHA-256."},
		{"store failure", errors.New("database is locked"), "Couldn't post the room: database is locked. Everything you typed is still here; try again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake()
			fake.postErr = tt.err
			h := newHarness(t, fake)
			h.ui(func() {
				h.sh.show(tabPostRoom)
				fill(h, validForm())
				test.Tap(h.sh.post.submit)
			})
			h.eventually("the error", func() bool { return h.shows(tt.want) })
			h.ui(func() {
				for _, f := range h.sh.post.fields {
					if f.entry.Text != validForm()[f.key] {
						t.Errorf("field %s lost what was typed", f.key)
					}
				}
				if h.sh.post.submit.Disabled() {
					t.Error("submit disabled: the user cannot try again")
				}
			})
		})
	}
}

func TestPostRoomShowsProgress(t *testing.T) {
	fake := newFake()
	gate := make(chan struct{})
	fake.postGate = gate
	h := newHarness(t, fake)
	h.ui(func() {
		h.sh.show(tabPostRoom)
		fill(h, validForm())
		test.Tap(h.sh.post.submit)
		p := h.sh.post
		if !p.submit.Disabled() || !p.activity.Visible() || !h.shows("Posting your room…") {
			t.Error("no progress shown while posting")
		}
		if !p.title.entry.Disabled() {
			t.Error("the form can be edited while posting")
		}
		test.Tap(p.submit) // a second tap posts nothing more
	})
	close(gate)
	h.eventually("the post", func() bool { return h.sh.current() == tabRooms })
	if n := len(fake.postedRooms()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
	h.ui(func() {
		if h.sh.post.activity.Visible() || h.sh.post.title.entry.Disabled() {
			t.Error("the form is still locked after posting")
		}
	})
}
