package screens

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/caravan-p2p/caravan/app"
)

func TestProfileSaveAndShowBack(t *testing.T) {
	fake := newFake()
	fake.setProfiles(func(p *fakeProfiles) {
		p.reputation = app.Reputation{Peer: fakeSelf, Rating: 4.5, Count: 4, AsOwner: 3, AsRenter: 1, WithProof: 1, LastYear: 2}
	})
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabProfile) }) // builds the screen
	p := h.sh.profile
	h.ui(func() { h.sh.show(tabProfile) })
	h.eventually("the reputation", func() bool {
		return h.shows("★ 4.5 · 4 reviews") && h.shows("3 as host or driver, 1 as guest or rider")
	})
	h.ui(func() {
		if !h.shows("No profile yet") || p.userID.Text != fakeSelf {
			t.Errorf("before any profile:\n%s", strings.Join(visibleTexts(h.sh.win.Canvas().Content()), "\n"))
		}
		// A name is required.
		test.Tap(p.save)
		if !strings.Contains(p.nameMsg.text(), "Required") || len(fake.savedProfiles()) != 0 {
			t.Errorf("saved without a name: %q", p.nameMsg.text())
		}
		test.Type(p.name, "Ada L.")
		test.Type(p.about, "Walks a lot.")
		test.Type(p.langs, "English, Français, English, ")
		p.addAvatar("/photos/me.png")
	})
	h.eventually("the avatar", func() bool { return p.avatarHash != "" && !p.busy })
	h.ui(func() { test.Tap(p.save) })
	h.eventually("the profile saved", func() bool { return len(fake.savedProfiles()) == 1 && h.shows("shared with the peers of 1 area") })
	got := fake.savedProfiles()[0]
	want := app.Profile{Name: "Ada L.", About: "Walks a lot.", Languages: []string{"English", "Français"}, Avatar: got.Avatar}
	if got.Name != want.Name || got.About != want.About || !slices.Equal(got.Languages, want.Languages) || got.Avatar == "" {
		t.Errorf("saved %+v, want %+v with an avatar", got, want)
	}

	// A new window shows the saved profile back in the form.
	var sh *shell
	h.ui(func() {
		sh = newShell(h.app, fake, func(f func()) { h.mu.Lock(); defer h.mu.Unlock(); f() }, h.sh.mapOpts)
		sh.show(tabProfile)
	})
	t.Cleanup(func() {
		h.ui(func() { sh.win.Close() })
		sh.wg.Wait()
	})
	h.eventually("the form filled", func() bool {
		return sh.profile.name.Text == "Ada L." && sh.profile.langs.Text == "English, Français" && sh.profile.avatarHash == got.Avatar
	})
}

func TestProfileRefusals(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabProfile) }) // builds the screen
	p := h.sh.profile
	h.ui(func() {
		h.sh.show(tabProfile)
		p.langs.SetText(strings.Repeat("x", app.MaxTag+1))
		if !strings.Contains(p.langsMsg.text(), "longer than") {
			t.Errorf("long language: %q", p.langsMsg.text())
		}
		p.langs.SetText("en")
		p.name.SetText("Ada")
	})
	fake.setProfiles(func(s *fakeProfiles) {
		s.saveErr = &app.InputError{Reason: "bad_body", Field: "about", Detail: "not valid UTF-8"}
	})
	h.ui(func() { test.Tap(p.save) })
	h.eventually("the refusal", func() bool {
		return strings.Contains(p.aboutMsg.text(), "Not valid UTF-8") && strings.Contains(p.status.Text, "fix the field marked in red")
	})
	fake.setProfiles(func(s *fakeProfiles) { s.avatarErr = errors.New("photo x.gif is not a JPEG or PNG image") })
	h.ui(func() { p.addAvatar("/tmp/x.gif") })
	h.eventually("the avatar refusal", func() bool { return strings.Contains(p.avatarMsg.text(), "not a JPEG or PNG") && !p.busy })
	h.ui(func() {
		if p.avatarHash != "" || p.save.Disabled() {
			t.Errorf("after a refused picture: hash %q, save disabled %v", p.avatarHash, p.save.Disabled())
		}
	})
}

func TestNotifications(t *testing.T) {
	fake := newFake()
	const bob = "12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBob"
	fake.setProfiles(func(p *fakeProfiles) {
		p.profiles[bob] = app.PersonProfile{Peer: bob, Found: true, Profile: app.Profile{Name: "Bob"}}
	})
	h := newHarness(t, fake)
	sent := make(chan *fyne.Notification, 8)
	h.ui(func() { h.sh.notify.send = func(n *fyne.Notification) { sent <- n } })
	next := func(what string) *fyne.Notification {
		t.Helper()
		var n *fyne.Notification
		h.eventually(what, func() bool {
			select {
			case n = <-sent:
				return true
			default:
				return false
			}
		})
		return n
	}

	// On another screen: a booking request and a chat message notify, with
	// the sender's name; what the user did here does not.
	fake.emit(app.Event{Kind: app.BookingsChanged, Peer: bob}) // made here
	fake.emit(app.Event{Kind: app.BookingsChanged, Peer: bob, Received: app.MessageBookingRequest})
	if n := next("the booking notification"); n.Title != "Booking request" || !strings.Contains(n.Content, "Bob asks to book") {
		t.Errorf("booking notification %+v", n)
	}
	const stranger = "12D3KooWStrangerStrangerStrangerStrangerXYZ12345"
	fake.emit(app.Event{Kind: app.MessagesChanged, Peer: stranger, Received: app.MessageChat})
	if n := next("the message notification"); n.Title != "New message" || !strings.Contains(n.Content, app.ShortPeer(stranger)) {
		t.Errorf("message notification %+v", n)
	}

	// A new listing that fits one of the user's wishes (a saved search).
	fake.emit(app.Event{Kind: app.WishFits, Peer: bob, Listing: "room-9", Title: "Loft by the canal"})
	if n := next("the wish notification"); n.Title != "It fits your wish" || !strings.Contains(n.Content, `"Loft by the canal" by Bob`) {
		t.Errorf("wish notification %+v", n)
	}

	// Looking at Trips in the window in front: nothing; in the background: yes.
	h.ui(func() { h.sh.show(tabTrips) })
	fake.emit(app.Event{Kind: app.MessagesChanged, Peer: bob, Received: app.MessageChat})
	h.eventually("the event decided on", func() bool { return h.sh.notify.decided == 4 })
	h.ui(func() { h.sh.notify.setBackground(true) })
	fake.emit(app.Event{Kind: app.MessagesChanged, Peer: bob, Received: app.MessageChat})
	n := next("the notification in the background")
	if !strings.Contains(n.Content, "Bob") {
		t.Errorf("background notification %+v", n)
	}
	select {
	case extra := <-sent:
		t.Errorf("an extra notification %+v: the one sent while Trips was in front?", extra)
	default:
	}
}
