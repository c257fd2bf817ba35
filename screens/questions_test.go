package screens

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/caravan-p2p/caravan/app"
)

func TestQuestionsOf(t *testing.T) {
	t0 := time.Now()
	ms := []app.Message{
		{ID: "1", From: guestID, To: selfID, Kind: app.MessageChat, SentAt: t0, Status: "received", Text: "Is it quiet?"},
		{ID: "2", From: selfID, To: guestID, Kind: app.MessageChat, SentAt: t0.Add(time.Minute), Outgoing: true, Status: "read", Text: "Very."},
		{ID: "3", From: hostID, To: selfID, Kind: app.MessageChat, SentAt: t0.Add(2 * time.Minute), Status: "received", Text: "Bikes too?"},
		{ID: "4", From: hostID, To: selfID, Kind: app.MessageChat, SentAt: t0.Add(3 * time.Minute), Status: "received", Text: "about b1", BookingID: "b1"},
		{ID: "5", From: hostID, To: selfID, Kind: "booking/decline", SentAt: t0.Add(4 * time.Minute), Status: "received"},
	}
	qs := questionsOf(ms)
	if len(qs) != 2 || qs[0].Peer != hostID || qs[0].Unread != 1 || qs[0].Last.ID != "3" ||
		qs[1].Peer != guestID || qs[1].Unread != 1 || qs[1].Last.ID != "2" {
		t.Fatalf("questions %+v", qs)
	}
}

// TestAskHost: a renter asks a host from the listing's page before booking;
// the host's answer shows in Trips' questions and is marked read once shown.
func TestAskHost(t *testing.T) {
	fake := newBookingFake(listing("a", "Canal house", time.Hour, func(l *app.RoomListing) { l.Author = hostID }))
	h := newHarnessWith(t, fake.fakeBackend, fake)
	h.eventually("the room", func() bool { return h.shows("1 room") })
	h.ui(func() { h.sh.explore.openRoom("a") })
	h.eventually("the page", func() bool { return h.shows("Canal house") && h.sh.explore.page.ask.Visible() })
	h.ui(func() { test.Tap(h.sh.explore.page.ask) })
	s := h.sh.trips
	h.eventually("the conversation with the host", func() bool {
		return h.sh.current() == tabTrips && s.qconv.content.Visible() && s.qconv.peer == hostID && h.shows("No messages yet")
	})
	h.ui(func() {
		test.Type(s.qconv.entry, "Is there room for two bikes?")
		test.Tap(s.qconv.send)
	})
	h.eventually("the question sent and listed", func() bool {
		return h.shows("Is there room for two bikes?") && len(s.questions) == 1 && s.questions[0].Peer == hostID
	})
	fake.with(func(f *bookingFake) {
		if m := f.msgs[len(f.msgs)-1]; m.To != hostID || m.BookingID != "" || m.Text != "Is there room for two bikes?" {
			t.Errorf("sent %+v", m)
		}
	})
	fake.addMessage(app.Message{ID: "q2", From: hostID, To: selfID, Kind: app.MessageChat, SentAt: time.Now(), Status: "received", Text: "Yes, in the shed."})
	h.eventually("the answer, read", func() bool {
		read := false
		fake.with(func(f *bookingFake) { read = f.msgs[len(f.msgs)-1].Status == "read" })
		return h.shows("Yes, in the shed.") && read
	})
}
