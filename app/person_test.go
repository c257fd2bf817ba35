package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// reviewedHost makes a host with a room and three reviews of it by three
// renters, each revealed alone after the reveal delay, all in the host's
// store. The host is opened with opts but not started.
func reviewedHost(t *testing.T, opts Options) *Node {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{}
	clock.set(-40 * 24 * time.Hour)
	opts.Now = clock.Now
	a := openNode(t, opts)
	roomID, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	var renters []*Node
	var bookings []string
	for i := range 3 {
		x := offlineNode(t, clock)
		share(t, a, x)
		req, err := x.Book(ctx, BookingInput{ListingID: roomID, From: day(1 + 3*i), To: day(3 + 3*i), Guests: 1})
		if err != nil {
			t.Fatal(err)
		}
		deliver(t, x, a)
		if _, err := a.AcceptBooking(ctx, req.ID, AcceptInput{}); err != nil {
			t.Fatal(err)
		}
		deliver(t, a, x)
		renters, bookings = append(renters, x), append(bookings, req.ID)
	}
	clock.set(-20 * 24 * time.Hour)
	for i, x := range renters {
		if _, err := x.WriteReview(ctx, bookings[i], ReviewInput{Stars: 3 + i%3, Text: "Stayed here."}); err != nil {
			t.Fatal(err)
		}
	}
	clock.set(0)
	for _, x := range renters {
		x.revealDue(ctx)
		share(t, x, a)
	}
	if rep, err := a.Reputation(ctx, a.Self()); err != nil || rep.Count != 3 {
		t.Fatalf("the host's own reputation %+v, %v", rep, err)
	}
	return a
}

// TestStrangerCatchesUpPersonTopic: D shares no cell with A (they look at
// opposite ends of the world), only A's person topic, and catches up all
// three reviews of A from A itself, while none of A's listings.
func TestStrangerCatchesUpPersonTopic(t *testing.T) {
	ctx := context.Background()
	a := reviewedHost(t, loopbackOpts())
	a.Watch([4]float64{2.2, 48.8, 2.5, 48.9}) // Paris
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	d := openNode(t, loopbackOpts(firstAddr(t, a)))
	d.Watch([4]float64{151.1, -33.9, 151.3, -33.8}) // Sydney
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.FollowPerson(a.Self()); err != nil {
		t.Fatal(err)
	}
	if err := d.FollowPerson("someone"); domain.ReasonOf(err) != domain.ReasonBadAuthor {
		t.Fatalf("following a bad peer ID: %v", err)
	}
	waitFor(t, d, "D to catch up the three reviews of A", func() bool {
		rep, err := d.Reputation(ctx, a.Self())
		return err == nil && rep.Count == 3
	})
	if n := countKind(t, d, domain.KindRoom); n != 0 {
		t.Fatalf("D holds %d rooms: it shares a cell with A", n)
	}
}

// TestVouchAcrossPeers: A vouches for B, says it again in other words, and
// withdraws it; B's node sees each step, with A's name from A's profile.
func TestVouchAcrossPeers(t *testing.T) {
	ctx := context.Background()
	a := startNode(t, loopbackOpts())
	b := startNode(t, loopbackOpts(firstAddr(t, a)))
	prof, err := a.id.NewProfileRecord(domain.Profile{Name: "Ana"}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.postOwn(ctx, prof); err != nil {
		t.Fatal(err)
	}
	if err := b.FollowPerson(a.Self()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Vouch(ctx, a.Self(), ""); err == nil {
		t.Fatal("A vouched for itself")
	}
	if err := a.Unvouch(ctx, b.Self()); err == nil {
		t.Fatal("A withdrew a vouch it never gave")
	}
	vouchesFor := func(n *Node) []Vouch {
		t.Helper()
		vs, err := n.Vouches(ctx, b.Self())
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}
	id1, err := a.Vouch(ctx, b.Self(), "We crewed a boat together.")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "B to see A's vouch, with A's name", func() bool {
		vs := vouchesFor(b)
		return len(vs) == 1 && vs[0].Author == a.Self() && vs[0].AuthorName == "Ana" && vs[0].Text == "We crewed a boat together."
	})
	id2, err := a.Vouch(ctx, b.Self(), "Trustworthy.")
	if err != nil {
		t.Fatal(err)
	}
	if id2 != id1 {
		t.Fatalf("a second vouch made a new record %s, not a new version of %s", id2, id1)
	}
	waitFor(t, b, "B to see A's vouch replaced", func() bool {
		vs := vouchesFor(b)
		return len(vs) == 1 && vs[0].Text == "Trustworthy."
	})
	rep, err := b.Reputation(ctx, b.Self())
	if err != nil || rep.Vouches != 1 || len(rep.Vouchers) != 1 || rep.Vouchers[0].Peer != a.Self() || rep.Vouchers[0].Name != "Ana" {
		t.Fatalf("B's reputation %+v, %v", rep, err)
	}
	if err := a.Unvouch(ctx, b.Self()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "B to see A's vouch withdrawn", func() bool { return len(vouchesFor(b)) == 0 })
	if vs := vouchesFor(a); len(vs) != 0 {
		t.Fatalf("A still lists %+v", vs)
	}
}

// TestReceiptsAfterPickUp: A writes to B while B is offline; C keeps the
// sealed message; when B comes back and picks it up from C, A sees it
// delivered, and read once B's user has been shown it.
func TestReceiptsAfterPickUp(t *testing.T) {
	ctx := context.Background()
	cOpts := loopbackOpts()
	cOpts.AlwaysOn = true
	c, _ := openStoppable(t, cOpts)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cAddr := firstAddr(t, c)
	a, _ := openStoppable(t, loopbackOpts(cAddr))
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := openStoppable(t, loopbackOpts(cAddr)) // offline for now

	id, err := a.SendChat(ctx, b.Self(), "Dinner at eight?")
	if err != nil {
		t.Fatal(err)
	}
	status := func() string {
		m, _ := message(t, a, b.Self(), id)
		return m.Status
	}
	waitFor(t, a, "A's message to be sent to C", func() bool { return status() == "sent" })
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "B to pick the message up", func() bool { _, ok := message(t, b, a.Self(), id); return ok })
	waitFor(t, a, "A to see its message delivered", func() bool { return status() == "delivered" })
	k, err := b.MarkRead(ctx, a.Self())
	if err != nil || k != 1 {
		t.Fatalf("B marked %d read, %v", k, err)
	}
	if m, _ := message(t, b, a.Self(), id); m.Status != "read" {
		t.Fatalf("B's copy is %s", m.Status)
	}
	waitFor(t, a, "A to see its message read", func() bool { return status() == "read" })
	for name, n := range map[string]*Node{"A": a, "B": b} {
		ms, err := n.Messages(ctx, "")
		if err != nil || len(ms) != 1 {
			t.Fatalf("%s lists %d messages (receipts are not listed), %v", name, len(ms), err)
		}
	}
	if k, err := b.MarkRead(ctx, a.Self()); err != nil || k != 0 {
		t.Fatalf("marking again: %d, %v", k, err)
	}
	if _, err := b.MarkRead(ctx, "nobody"); err == nil {
		t.Fatal("MarkRead took a bad argument")
	}
}

// TestRideStopsAndBookingChat: a ride booking with a pickup off the route,
// or the stops in the wrong order, is refused by the renter's app, and a
// forged request is declined by the driver's app with the reason; an
// accepted booking has its own conversation.
func TestRideStopsAndBookingChat(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	ride := testRide(time.Now().Add(72 * time.Hour).Truncate(time.Minute))
	ride.InstantBook = true
	rideID, err := a.PostRide(ctx, ride)
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	lyon, paris, marseille := [2]float64{4.83, 45.76}, [2]float64{2.35, 48.85}, [2]float64{5.37, 43.30}
	for _, c := range []struct {
		name            string
		pickup, dropoff [2]float64
		field           string
	}{
		{"pickup off the route", marseille, paris, "pickup"},
		{"drop-off off the route", lyon, marseille, "dropoff"},
		{"wrong way", paris, lyon, "dropoff"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.Book(ctx, BookingInput{ListingID: rideID, Seats: 1, Pickup: &c.pickup, Dropoff: &c.dropoff})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != c.field || !strings.Contains(ie.Detail, "route") {
				t.Fatalf("%v, want a refusal naming %s and the route", err, c.field)
			}
		})
	}

	// A request that skipped the renter's check: the driver's app declines it.
	rec, body, err := b.listing(ctx, rideID)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := termsFor(rec, body, BookingInput{Seats: 1, Pickup: &lyon, Dropoff: &paris}, b.Self(), b.now())
	if err != nil {
		t.Fatal(err)
	}
	terms.Pickup = &marseille
	acc, err := b.id.SignRequest(terms)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := json.Marshal(domain.BookingRequest{Acceptance: acc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendMessage(ctx, a.Self(), domain.MessageBookingRequest, msg); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	if got := bookingOf(t, a, terms.BookingID); got.Status != domain.BookingDeclined || !strings.Contains(got.Reason, "pickup") {
		t.Fatalf("the driver's app left the forged request %s (%q)", got.Status, got.Reason)
	}

	// A fitting request is accepted at once; the two talk about it.
	req, err := b.Book(ctx, BookingInput{ListingID: rideID, Seats: 1, Pickup: &lyon, Dropoff: &paris})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	deliver(t, a, b)
	if got := bookingOf(t, b, req.ID); got.Status != domain.BookingAccepted {
		t.Fatalf("B's booking is %s", got.Status)
	}
	if _, err := b.SendBookingMessage(ctx, req.ID, "I have a big bag."); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendBookingMessage(ctx, domain.NewID(), "hello"); err == nil {
		t.Fatal("a message about a booking that is not here was sent")
	}
	if _, err := b.SendChat(ctx, a.Self(), "Unrelated."); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	ms, err := a.MessagesFor(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	var chats []Message
	for _, m := range ms {
		if m.BookingID != req.ID {
			t.Fatalf("%+v listed with booking %s", m, req.ID)
		}
		if m.Kind == MessageChat {
			chats = append(chats, m)
		}
	}
	if len(chats) != 1 || chats[0].Text != "I have a big bag." || chats[0].From != b.Self() {
		t.Fatalf("the booking's chats at A: %+v", chats)
	}
	if k, err := a.MarkRead(ctx, req.ID); err != nil || k < 1 {
		t.Fatalf("A marked %d of the booking's messages read, %v", k, err)
	}
	if all, _ := a.Messages(ctx, b.Self()); len(all) <= len(ms) {
		t.Fatalf("A's messages with B (%d) should include more than the booking's (%d)", len(all), len(ms))
	}
	qs, err := a.store.QueuedMessages(ctx, time.Now(), 100)
	if err != nil {
		t.Fatal(err)
	}
	receipts := 0
	for _, q := range qs {
		if q.Sealed.To == b.Self() {
			receipts++
		}
	}
	if receipts == 0 {
		t.Fatal("A queued no read receipt for B")
	}
	deliver(t, a, b)
	if st := func() storage.MessageStatus {
		m, _ := b.store.Messages(ctx, a.Self(), 0)
		for _, x := range m {
			if x.Outgoing && domain.MessageBookingID(x.Body) == req.ID && x.Kind == MessageChat {
				return x.Status
			}
		}
		return ""
	}(); st != storage.MessageRead {
		t.Fatalf("B's message about the booking is %q after A's read receipt", st)
	}
}
