package screens

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// booking is a room booking for the tests: days from today d0 to d1.
func booking(id string, role app.Role, st app.BookingStatus, d0, d1 int) app.Booking {
	from, to := *day(d0), *day(d1)
	b := app.Booking{ID: id, Role: role, Status: st, ListingID: "room-" + id, ListingKind: app.KindRoom,
		Owner: hostID, Renter: selfID, From: from.Format(app.DateLayout), To: to.Format(app.DateLayout), Guests: 2,
		StartAt: from, EndAt: to, TotalPrice: 120, Currency: "EUR", Policy: app.PolicyFlexible,
		RequestedAt: time.Now(), AnswerBy: time.Now().Add(24 * time.Hour), UpdatedAt: time.Now()}
	if role == app.RoleOwner {
		b.Owner, b.Renter = selfID, guestID
	}
	return b
}

// detailShows reports whether the booking detail offers the action key.
func detailOffers(d *bookingDetail, key string) bool {
	found := false
	walkVisible(d.actions, func(o fyne.CanvasObject) bool {
		if o == d.buttons[key] {
			found = true
		}
		return true
	})
	return found
}

func TestTripsListsDetailsAndSteps(t *testing.T) {
	fake := newBookingFake()
	declined := booking("b-declined", app.RoleOwner, app.BookingDeclined, 20, 22)
	request := booking("b-request", app.RoleOwner, app.BookingRequested, 30, 33)
	request.Note = "Quiet guests, promise."
	ended := booking("b-ended", app.RoleRenter, app.BookingAccepted, -5, -2)
	ended.Address = "Prinsengracht 1"
	fake.bookings = []app.Booking{declined, request, ended}
	fake.titles = map[string]string{"room-b-request": "Canal house", "room-b-ended": "Old mill", "room-b-declined": "Attic"}
	h := newHarnessWith(t, fake.fakeBackend, fake)
	h.ui(func() { h.sh.show(tabTrips) }) // builds the screen
	s := h.sh.trips
	h.ui(func() { h.sh.show(tabTrips) })

	// Requests first among the bookings of one's listings.
	h.eventually("both lists", func() bool {
		return len(s.owner) == 2 && len(s.renter) == 1 && h.shows("Old mill") && h.shows("1 waiting for an answer")
	})
	h.ui(func() {
		if s.owner[0].ID != "b-request" || s.owner[1].ID != "b-declined" {
			t.Errorf("owner list %s, %s: want the request first", s.owner[0].ID, s.owner[1].ID)
		}
	})

	// A request for one's listing: accept or decline, or cancel.
	h.ui(func() { s.ownerList.Select(0) })
	d := s.detail
	h.eventually("the request's details", func() bool {
		return h.shows("Canal house") && h.shows("Their note: Quiet guests, promise.") && h.shows("Requested by 12D3Koo…uest") &&
			h.shows("Total €120 · flexible") && h.shows("Messages with 12D3Koo…uest")
	})
	h.ui(func() {
		for key, want := range map[string]bool{actAccept: true, actDecline: true, actCancel: true, actComplete: false, actPaid: false, actReview: false, actBlock: true} {
			if detailOffers(d, key) != want {
				t.Errorf("request: offers %s = %v, want %v", key, !want, want)
			}
		}
	})
	// Declining needs a reason.
	h.ui(func() { test.Tap(d.buttons[actDecline]) })
	h.eventually("the reason asked", func() bool { return d.msg.Text == "Say why you decline; they read it." })
	// Accept with the address and contact only the renter sees.
	h.ui(func() {
		test.Type(d.address, "Keizersgracht 12, 3rd floor")
		test.Type(d.contact, "+31 6 1234 5678")
		test.Tap(d.buttons[actAccept])
	})
	h.eventually("accepted", func() bool {
		return d.msg.Text == "Accepted; they have been told." && d.status.Text == "Accepted" && h.shows("Address: Keizersgracht 12, 3rd floor") &&
			!detailOffers(d, actAccept) && detailOffers(d, actCancel) && detailOffers(d, actReceived)
	})
	fake.with(func(f *bookingFake) {
		if b := f.bookings[1]; b.Status != app.BookingAccepted || b.Contact != "+31 6 1234 5678" {
			t.Errorf("stored booking %+v", b)
		}
	})
	// The lists follow: no request waits now.
	h.eventually("the list updated", func() bool { return !h.shows("waiting for an answer") })

	// The owner marks the payment received.
	h.ui(func() { test.Tap(d.buttons[actReceived]) })
	h.eventually("payment received", func() bool { return h.shows("Payment received ") && !detailOffers(d, actReceived) })

	// An ended booking one rented: complete, mark paid, review, no cancel.
	h.ui(func() { s.renterList.Select(0) })
	h.eventually("the ended trip", func() bool {
		return h.shows("Old mill") && h.shows("Accepted · ended") && h.shows("Address: Prinsengracht 1") && s.ownerList != nil
	})
	h.ui(func() {
		for key, want := range map[string]bool{actComplete: true, actPaid: true, actReview: true, actCancel: false, actAccept: false, actReceived: false} {
			if detailOffers(d, key) != want {
				t.Errorf("ended trip: offers %s = %v, want %v", key, !want, want)
			}
		}
		test.Tap(d.buttons[actPaid])
	})
	h.eventually("paid", func() bool { return h.shows("Marked paid ") && !detailOffers(d, actPaid) })
	h.ui(func() { test.Tap(d.buttons[actComplete]) })
	h.eventually("completed", func() bool {
		return d.status.Text == "Completed" && !detailOffers(d, actComplete) && detailOffers(d, actReview)
	})

	// Report needs words; then it is kept.
	h.ui(func() { test.Tap(d.buttons[actReport]) })
	h.eventually("the report asks for words", func() bool { return strings.HasPrefix(d.msg.Text, "Say what happened") })
	h.ui(func() {
		test.Type(d.blockReason, "Asked me to pay twice")
		test.Tap(d.buttons[actReport])
	})
	h.eventually("the report kept", func() bool { return d.msg.Text == "Report kept on this device." && d.blockReason.Text == "" })
	h.ui(func() { test.Tap(d.buttons[actBlock]) })
	h.eventually("blocked", func() bool { return strings.HasPrefix(d.msg.Text, "Blocked 12D3Koo…Host") })
	fake.with(func(f *bookingFake) {
		if !slices.Equal(f.reported, []string{hostID + ": Asked me to pay twice"}) || len(f.blocked) != 1 {
			t.Errorf("reported %v, blocked %v", f.reported, f.blocked)
		}
	})

	// A request that arrives shows at once, first.
	fresh := booking("b-new", app.RoleOwner, app.BookingRequested, 40, 41)
	fake.addBooking(fresh)
	h.eventually("the new request", func() bool {
		return len(s.owner) == 3 && s.owner[0].ID == "b-new" && h.shows("1 waiting for an answer")
	})

	// A step the app refuses says why: here the renter cancelled meanwhile.
	h.ui(func() { s.ownerList.Select(0) })
	h.eventually("the new request's details", func() bool { return d.b.ID == "b-new" && detailOffers(d, actAccept) })
	fake.with(func(f *bookingFake) { f.bookings[0].Status = app.BookingCancelled })
	h.ui(func() { test.Tap(d.buttons[actAccept]) })
	h.eventually("the refusal", func() bool {
		return d.msg.Text == "Cannot accept a cancelled booking as owner" && d.msg.Importance == widget.DangerImportance
	})
	h.eventually("the booking as it is", func() bool { return d.status.Text == "Cancelled" && !detailOffers(d, actAccept) })

	// The other party's profile opens from the booking.
	h.ui(func() { test.Tap(d.buttons[actProfile]) })
	h.eventually("the profile", func() bool { return h.overlayShows("Peer ID "+guestID) && h.overlayShows("No reviews yet.") })
}

func TestReviewForm(t *testing.T) {
	fake := newBookingFake()
	ended := booking("b-ended", app.RoleRenter, app.BookingCompleted, -5, -2)
	hosted := booking("b-hosted", app.RoleOwner, app.BookingCompleted, -5, -2)
	fake.bookings = []app.Booking{ended, hosted}
	h := newHarnessWith(t, fake.fakeBackend, fake)
	h.ui(func() { h.sh.show(tabTrips) }) // builds the screen
	s := h.sh.trips
	h.ui(func() { h.sh.show(tabTrips) })
	h.eventually("the trips", func() bool { return len(s.renter) == 1 && len(s.owner) == 1 })
	h.ui(func() { s.renterList.Select(0) })
	d := s.detail
	h.eventually("the review offered", func() bool { return detailOffers(d, actReview) })
	h.ui(func() { test.Tap(d.buttons[actReview]) })
	rf := h.sh.reviewForm
	h.eventually("the form", func() bool {
		return h.overlayShows("Double-blind") && h.overlayShows("Cleanliness") && h.overlayShows("Location") && !h.overlayShows("Punctuality")
	})
	h.ui(func() { test.Tap(rf.submit) })
	h.eventually("stars asked for", func() bool { return rf.status.Text == "Give overall stars, 1 to 5." })
	h.ui(func() {
		rf.stars.SetSelected("4")
		rf.cats["cleanliness"].SetSelected("5")
		test.Type(rf.text, "Lovely stay.")
		test.Type(rf.note, "Thanks for the tea!")
		test.Tap(rf.submit)
	})
	h.eventually("sealed", func() bool {
		return strings.HasPrefix(rf.state.Text, "Your review is sealed, waiting for 12D3Koo…Host") && rf.submit.Disabled() &&
			!detailOffers(d, actReview) && h.shows("Your review is sealed")
	})
	fake.with(func(f *bookingFake) {
		in := f.written[0]
		if in.Stars != 4 || in.Categories["cleanliness"] != 5 || len(in.Categories) != 1 || in.Text != "Lovely stay." || in.Note != "Thanks for the tea!" {
			t.Errorf("review %+v", in)
		}
	})
	h.ui(func() { rf.dlg.Hide() })

	// Revealed once the other party reviewed.
	fake.with(func(f *bookingFake) {
		st := f.states["b-ended"]
		st.Revealed, st.ReviewID = true, "rev-1"
		f.states["b-ended"] = st
	})
	e := app.Event{Kind: app.RecordsChanged}
	e.Kinds = append(e.Kinds, app.KindReview)
	fake.emit(e)
	h.eventually("revealed", func() bool { return h.shows("Your review is published.") })

	// An owner reviews with stars and text only.
	h.ui(func() { s.ownerList.Select(0) })
	h.eventually("the owner's review offered", func() bool { return detailOffers(d, actReview) })
	h.ui(func() { test.Tap(d.buttons[actReview]) })
	h.eventually("the owner's form", func() bool { return h.overlayShows("Overall") && !h.overlayShows("Cleanliness") })
}

func TestConversation(t *testing.T) {
	fake := newBookingFake()
	b := booking("b1", app.RoleRenter, app.BookingAccepted, 3, 5)
	fake.bookings = []app.Booking{b}
	t0 := time.Now().Add(-time.Hour)
	fake.msgs = []app.Message{
		{ID: "m0", From: selfID, To: hostID, Kind: "booking/request", SentAt: t0, Outgoing: true, Status: "delivered", BookingID: "b1"},
		{ID: "m1", From: hostID, To: selfID, Kind: app.MessageChat, SentAt: t0.Add(time.Minute), Status: "received", Text: "Welcome! Train or car?", BookingID: "b1"},
		{ID: "m2", From: guestID, To: selfID, Kind: app.MessageChat, SentAt: t0, Status: "received", Text: "someone else"},
		{ID: "m3", From: hostID, To: selfID, Kind: app.MessageChat, SentAt: t0, Status: "received", Text: "about another stay", BookingID: "b0"},
	}
	h := newHarnessWith(t, fake.fakeBackend, fake)
	h.ui(func() { h.sh.show(tabTrips) }) // builds the screen
	s := h.sh.trips
	h.ui(func() { h.sh.show(tabTrips) })
	h.eventually("the trip", func() bool { return len(s.renter) == 1 })
	c := s.conv
	h.ui(func() { s.renterList.Select(0) })
	h.eventually("the conversation", func() bool {
		conv := strings.Join(visibleTexts(c.content), "\n")
		return h.shows("Messages with 12D3Koo…Host") && strings.Contains(conv, "Welcome! Train or car?") && strings.Contains(conv, "Booking request (you)") &&
			!strings.Contains(conv, "someone else") && !strings.Contains(conv, "about another stay")
	})
	// The guest's chat outside any booking is a question, listed apart.
	h.eventually("the guest's question listed", func() bool { return len(s.questions) == 1 && s.questions[0].Peer == guestID })
	// What the host wrote was shown, so the host is told it was read.
	fake.with(func(f *bookingFake) {
		if !slices.Contains(f.read, "b1") || f.msgs[1].Status != "read" {
			t.Errorf("shown messages not marked read: %v, %q", f.read, f.msgs[1].Status)
		}
	})

	// Empty text sends nothing; a message goes out and shows its status.
	h.ui(func() { test.Tap(c.send) })
	h.ui(func() {
		test.Type(c.entry, "By train, around six.")
		test.Tap(c.send)
	})
	h.eventually("the message sent", func() bool {
		return c.entry.Text == "" && h.shows("By train, around six.") && h.shows("waiting to send")
	})
	var id string
	fake.with(func(f *bookingFake) {
		if n := len(f.msgs); n != 5 || f.msgs[4].To != hostID || f.msgs[4].BookingID != "b1" {
			t.Fatalf("%d messages, the last %+v", n, f.msgs[n-1])
		}
		id = f.msgs[4].ID
	})
	// Delivery and answers show as they happen.
	fake.setMessageStatus(id, "delivered")
	h.eventually("delivered", func() bool {
		return !h.shows("waiting to send") && strings.Count(h.screenTextLocked(), "delivered") == 2
	})
	fake.setMessageStatus(id, "read")
	h.eventually("read", func() bool { return strings.Contains(h.screenTextLocked(), " · read") })
	fake.addMessage(app.Message{ID: "m9", From: hostID, To: selfID, Kind: app.MessageChat, SentAt: time.Now(), Status: "received", Text: "See you then!", BookingID: "b1"})
	h.eventually("the answer", func() bool { return h.shows("See you then!") })
}
