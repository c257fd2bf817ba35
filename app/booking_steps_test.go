package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// Booking steps without a network: records are copied between stores and
// queued messages handed over by hand, through the same receive path the
// mailbox uses, so every rule is tested deterministically.

// offlineNode opens a node that never starts, on a shared clock.
func offlineNode(t *testing.T, clock *testClock) *Node {
	t.Helper()
	return openNode(t, Options{Now: clock.Now})
}

// share copies every record of from's store into each of to's stores.
func share(t *testing.T, from *Node, to ...*Node) {
	t.Helper()
	ctx := context.Background()
	var recs []domain.Record
	if err := from.store.Export(ctx, nil, func(r domain.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, n := range to {
		if _, err := n.store.Ingest(ctx, recs, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// deliver hands every message queued in from's store to its recipient
// among to, and marks it delivered.
func deliver(t *testing.T, from *Node, to ...*Node) {
	t.Helper()
	ctx := context.Background()
	qs, err := from.store.QueuedMessages(ctx, from.now(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		for _, n := range to {
			if n.Self() != q.Sealed.To {
				continue
			}
			pid, err := peer.Decode(from.Self())
			if err != nil {
				t.Fatal(err)
			}
			n.receiveSealed(ctx, pid, q.Sealed)
			if _, err := from.store.SetMessageStatus(ctx, q.Sealed.Hash(), storage.MessageDelivered); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func testRide(depart time.Time) Ride {
	return Ride{Title: "Lyon to Paris", Route: [][2]float64{{4.83, 45.76}, {3.08, 47.0}, {2.35, 48.85}},
		DepartAt: depart, Seats: 3, PricePerSeat: 25, Currency: "EUR"}
}

func TestInstantBook(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	room := testRoom()
	room.InstantBook = true
	roomID, err := a.PostRoom(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	req, err := b.Book(ctx, BookingInput{ListingID: roomID, From: day(2), To: day(4), Guests: 1})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	if got := bookingOf(t, a, req.ID); got.Status != domain.BookingAccepted {
		t.Fatalf("A's app left the request %s; instant book accepts it", got.Status)
	}
	deliver(t, a, b)
	if got := bookingOf(t, b, req.ID); got.Status != domain.BookingAccepted {
		t.Fatalf("B's booking is %s, want accepted", got.Status)
	}
	cal, err := a.store.CalendarOf(ctx, roomID, a.Self())
	if err != nil {
		t.Fatal(err)
	}
	c, err := domain.DecodeCalendar(cal.Body)
	if err != nil || len(c.Blocked) != 1 || c.Blocked[0] != (domain.DateRange{From: day(2), To: day(4)}) {
		t.Fatalf("A's calendar %+v, %v", c, err)
	}
	if strings.Contains(string(cal.Body), b.Self()) {
		t.Fatal("the public calendar names the renter")
	}
}

func TestRideSeats(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b, c := offlineNode(t, clock), offlineNode(t, clock), offlineNode(t, clock)
	rideID, err := a.PostRide(ctx, testRide(time.Now().Add(72*time.Hour).Truncate(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b, c)
	pickup, dropoff := [2]float64{4.83, 45.76}, [2]float64{2.35, 48.85}
	in := BookingInput{ListingID: rideID, Seats: 2, Pickup: &pickup, Dropoff: &dropoff}
	if _, err := b.Book(ctx, BookingInput{ListingID: rideID, Seats: 4, Pickup: &pickup, Dropoff: &dropoff}); err == nil {
		t.Fatal("B booked 4 seats of 3")
	}
	breq, err := b.Book(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if breq.TotalPrice != 50 {
		t.Fatalf("2 seats at 25: %v", breq.TotalPrice)
	}
	creq, err := c.Book(ctx, in) // C still sees 3 seats left
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	if _, err := a.AcceptBooking(ctx, breq.ID, AcceptInput{Contact: "+33 6 11 11 11 11"}); err != nil {
		t.Fatal(err)
	}
	seatsLeft := func() int {
		rec, body, err := a.listing(ctx, rideID)
		if err != nil || rec.Version < 1 {
			t.Fatal(err)
		}
		return body.(*domain.Ride).SeatsLeft
	}
	if n := seatsLeft(); n != 1 {
		t.Fatalf("after accepting 2 seats, %d left, want 1", n)
	}
	deliver(t, c, a)
	if got := bookingOf(t, a, creq.ID); got.Status != domain.BookingDeclined || got.Reason != ReasonNoSeats {
		t.Fatalf("C's request for 2 of 1 seat left is %s (%q), want declined for %q", got.Status, got.Reason, ReasonNoSeats)
	}
	deliver(t, a, b, c)
	if got := bookingOf(t, c, creq.ID); got.Status != domain.BookingDeclined || got.Reason != ReasonNoSeats {
		t.Fatalf("C sees %s (%q)", got.Status, got.Reason)
	}
	if got := bookingOf(t, b, breq.ID); got.Status != domain.BookingAccepted || got.Contact != "+33 6 11 11 11 11" {
		t.Fatalf("B sees %+v", got)
	}
	// Settlement: the renter marks it paid, the owner the payment received;
	// each side holds the other's signed message.
	if _, err := a.MarkPaid(ctx, breq.ID); err == nil {
		t.Fatal("the owner marked the booking paid")
	}
	if _, err := c.MarkPaid(ctx, creq.ID); err == nil {
		t.Fatal("C marked a declined booking paid")
	}
	if got, err := b.MarkPaid(ctx, breq.ID); err != nil || got.PaidAt == nil {
		t.Fatalf("B marks paid: %+v, %v", got, err)
	}
	deliver(t, b, a)
	if got := bookingOf(t, a, breq.ID); got.PaidAt == nil || got.ReceivedAt != nil {
		t.Fatalf("A after B paid: %+v", got)
	}
	if _, err := a.MarkReceived(ctx, breq.ID); err != nil {
		t.Fatal(err)
	}
	deliver(t, a, b)
	if got := bookingOf(t, b, breq.ID); got.ReceivedAt == nil {
		t.Fatalf("B holds no receipt: %+v", got)
	}
	if ms, err := b.Messages(ctx, a.Self()); err != nil || ms[len(ms)-1].Kind != domain.MessageBookingReceived {
		t.Fatalf("B's messages with A end with %+v, %v", ms[len(ms)-1], err)
	}
	// B cancels: A's app gives the seats back.
	if _, err := b.CancelBooking(ctx, breq.ID, "plans changed"); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	if got := bookingOf(t, a, breq.ID); got.Status != domain.BookingCancelled || got.Reason != "plans changed" {
		t.Fatalf("A sees %+v", got)
	}
	if n := seatsLeft(); n != 3 {
		t.Fatalf("after the cancel, %d seats left, want 3", n)
	}
}

func TestRequestExpires(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	roomID, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	req, err := b.Book(ctx, BookingInput{ListingID: roomID, From: day(5), To: day(6), Guests: 1})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	clock.set(domain.RequestTTL + time.Minute)
	if got := bookingOf(t, a, req.ID); got.Status != domain.BookingExpired {
		t.Fatalf("an unanswered request a day old is %s", got.Status)
	}
	if got := bookingOf(t, b, req.ID); got.Status != domain.BookingExpired {
		t.Fatalf("the renter sees %s", got.Status)
	}
	if _, err := a.AcceptBooking(ctx, req.ID, AcceptInput{}); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("accepting an expired request: %v", err)
	}
}

// TestLoneReveal: a party whose counterpart never reviews has its review
// published 14 days after the end, without the other seal.
func TestLoneReveal(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.set(-20 * 24 * time.Hour)
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	roomID, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	req, err := b.Book(ctx, BookingInput{ListingID: roomID, From: day(1), To: day(3), Guests: 1})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	if _, err := a.AcceptBooking(ctx, req.ID, AcceptInput{}); err != nil {
		t.Fatal(err)
	}
	deliver(t, a, b)
	clock.set(-10 * 24 * time.Hour) // a week after the end
	st, err := b.WriteReview(ctx, req.ID, ReviewInput{Stars: 2, Categories: map[string]int{"accuracy": 2}, Text: "Not as pictured.", Note: "The boiler leaks."})
	if err != nil {
		t.Fatal(err)
	}
	if st.Revealed {
		t.Fatal("revealed alone a week after the end")
	}
	clock.set(0) // 17 days after the end: the review goes out alone
	b.revealDue(ctx)
	if st, err = b.ReviewState(ctx, req.ID); err != nil || !st.Revealed {
		t.Fatalf("17 days after the end: %+v, %v", st, err)
	}
	if ms, _ := b.Messages(ctx, a.Self()); len(ms) == 0 || ms[len(ms)-1].Kind != domain.MessageReviewNote || !strings.Contains(string(ms[len(ms)-1].Body), "boiler") {
		t.Fatalf("B's private note did not leave with the review: %+v", ms)
	}
	share(t, b, a)
	rep, err := a.Reputation(ctx, a.Self())
	if err != nil || rep.Count != 1 || rep.Rating != 2 {
		t.Fatalf("A's reputation from B's lone review %+v, %v", rep, err)
	}
	// A can no longer make B's review wait for its own: it is out.
	if _, err := a.WriteReview(ctx, req.ID, ReviewInput{Stars: 5}); err != nil {
		t.Fatal(err)
	}
	a.revealDue(ctx)
	if rs, err := a.Reviews(ctx, "", "", ""); err != nil || len(rs) != 2 {
		t.Fatalf("A has %d reviews, %v", len(rs), err)
	}
}

func TestBlockAndReport(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	roomID, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	if err := b.Block(ctx, a.Self(), "asked to pay outside Caravan"); err != nil {
		t.Fatal(err)
	}
	if err := b.Block(ctx, b.Self(), ""); err == nil {
		t.Fatal("B blocked itself")
	}
	if page, err := b.RoomsPage(ctx, RoomPageQuery{}); err != nil || len(page.Rooms) != 0 || page.Total != 0 {
		t.Fatalf("B still finds a blocked owner's room: %+v, %v", page, err)
	}
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	in := BookingInput{ListingID: roomID, From: day(2), To: day(3), Guests: 1}
	if _, err := b.Book(ctx, in); err == nil {
		t.Fatal("B booked a blocked owner's room")
	}
	if ok, err := b.Unblock(ctx, a.Self()); err != nil || !ok {
		t.Fatalf("unblock: %v %v", ok, err)
	}
	if rooms, err := b.Rooms(ctx, RoomQuery{}); err != nil || len(rooms) != 1 {
		t.Fatalf("after unblocking, B finds %d rooms, %v", len(rooms), err)
	}
	// A blocks B: B's request is refused on arrival.
	if err := a.Block(ctx, b.Self(), ""); err != nil {
		t.Fatal(err)
	}
	req, err := b.Book(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	if _, err := a.Booking(ctx, req.ID); err == nil {
		t.Fatal("A kept a request from a person it blocked")
	}
	if ms, err := a.Messages(ctx, b.Self()); err != nil || len(ms) != 0 {
		t.Fatalf("A kept %d messages from a blocked person, %v", len(ms), err)
	}
	if err := a.ReportPeer(ctx, b.Self(), "insisted after a refusal"); err != nil {
		t.Fatal(err)
	}
	if err := a.ReportPeer(ctx, b.Self(), ""); err == nil {
		t.Fatal("an empty report was kept")
	}
	if rs, err := a.Reports(ctx, b.Self()); err != nil || len(rs) != 1 || rs[0].Note != "insisted after a refusal" {
		t.Fatalf("reports %+v, %v", rs, err)
	}
	if bs, err := a.BlockedPeers(ctx); err != nil || len(bs) != 1 || bs[0].Peer != b.Self() {
		t.Fatalf("blocked %+v, %v", bs, err)
	}
}

// TestRideReview: after a short ride, rider and driver review each other with
// the ride's categories, and ride searches show the driver's rating.
func TestRideReview(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	ride := Ride{Title: "Across town", Route: [][2]float64{{2.35, 48.85}, {2.36, 48.86}},
		DepartAt: time.Now().Add(time.Minute).Truncate(time.Second), Seats: 2, PricePerSeat: 3, Currency: "EUR", InstantBook: true}
	rideID, err := a.PostRide(ctx, ride)
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	pickup, dropoff := [2]float64{2.35, 48.85}, [2]float64{2.36, 48.86}
	req, err := b.Book(ctx, BookingInput{ListingID: rideID, Seats: 1, Pickup: &pickup, Dropoff: &dropoff})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a) // instant book
	deliver(t, a, b)
	if got := bookingOf(t, b, req.ID); got.Status != domain.BookingAccepted {
		t.Fatalf("B's ride booking is %s", got.Status)
	}
	if _, err := b.WriteReview(ctx, req.ID, ReviewInput{Stars: 4, Categories: map[string]int{"cleanliness": 4}}); err == nil {
		t.Fatal("a room category on a ride review was taken")
	}
	clock.set(5 * time.Minute) // the ride has arrived; within the clock skew peers allow
	if _, err := b.WriteReview(ctx, req.ID, ReviewInput{Stars: 4, Categories: map[string]int{"punctuality": 5, "safety": 4}, Text: "Smooth."}); err != nil {
		t.Fatal(err)
	}
	share(t, b, a)
	if _, err := a.WriteReview(ctx, req.ID, ReviewInput{Stars: 5, Text: "On time at the corner."}); err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	b.revealDue(ctx)
	share(t, b, a)
	for name, n := range map[string]*Node{"A": a, "B": b} {
		if rs, err := n.Reviews(ctx, "", "", ""); err != nil || len(rs) != 2 {
			t.Fatalf("%s has %d reviews, %v", name, len(rs), err)
		}
	}
	rides, err := b.Rides(ctx, RideQuery{Pickup: pickup, Dropoff: dropoff})
	if err != nil || len(rides) != 1 || rides[0].Rating != 4 || rides[0].ReviewCount != 1 {
		t.Fatalf("B's ride search %+v, %v", rides, err)
	}
	rep, err := b.Reputation(ctx, a.Self())
	if err != nil || rep.Categories["punctuality"] != 5 {
		t.Fatalf("the driver's reputation %+v, %v", rep, err)
	}
}
