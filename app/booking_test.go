package app

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// testClock is a clock the test moves: real time plus an offset.
type testClock struct{ off atomic.Int64 }

func (c *testClock) Now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *testClock) set(d time.Duration) { c.off.Store(int64(d)) }

// restartable is a node whose data dir outlives it, so the test can stop it
// and open it again.
type restartable struct {
	t    *testing.T
	opts Options
	mu   sync.Mutex
	n    *Node
}

func newRestartable(t *testing.T, opts Options) *restartable {
	opts.DataDir = t.TempDir()
	r := &restartable{t: t, opts: opts}
	t.Cleanup(r.stop)
	return r
}

func (r *restartable) start() *Node {
	r.t.Helper()
	n, err := Open(r.opts)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.n = n
	r.mu.Unlock()
	return n
}

func (r *restartable) stop() {
	r.mu.Lock()
	n := r.n
	r.n = nil
	r.mu.Unlock()
	if n != nil {
		if err := n.Close(); err != nil {
			r.t.Errorf("close: %v", err)
		}
	}
}

func bookingOf(t *testing.T, n *Node, id string) Booking {
	t.Helper()
	b, err := n.Booking(context.Background(), id)
	if err != nil {
		return Booking{}
	}
	return b
}

// waitCaughtUp is waitFor for records that travel by gossip, with a
// catch-up of cell with every connected peer at each try, standing in for
// the periodic catch-up (every 3 minutes): a peer that restarts stays out
// of its neighbours' gossip mesh for GossipSub's unsubscribe backoff (10 s),
// and what is published meanwhile reaches it by catch-up only.
func waitCaughtUp(t *testing.T, n *Node, cell, what string, cond func() bool) {
	t.Helper()
	last := time.Now()
	waitFor(t, n, what, func() bool {
		if cond() {
			return true
		}
		if p := n.running(); p != nil && time.Since(last) > 500*time.Millisecond {
			last = time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for _, id := range p.Host().Network().Peers() {
				_, _, _ = p.SyncCell(ctx, id, cell) // a peer that does not follow the cell refuses: no matter
			}
		}
		return false
	})
}

func countKind(t *testing.T, n *Node, k domain.Kind) int {
	t.Helper()
	m, err := n.store.CountByKind(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m[k]
}

// TestBookTalkReview is issue 6's scenario on loopback: A owns a room; B
// asks for 3 nights while A is offline, and the request waits in C's
// mailbox; A comes back, gets it and accepts; C's overlapping request is
// declined by A's app by itself; after the end both review, and no review is
// visible until both seals exist; D, which never met them, then sees both
// reviews and A's rating. Reviews forged by C are refused by every peer.
func TestBookTalkReview(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.set(-8 * 24 * time.Hour) // bookings happen a week ago; the clock then jumps to today
	opts := func(peers ...string) Options {
		o := loopbackOpts(peers...)
		o.Now, o.AlwaysOn = clock.Now, true // headless peers, like `caravan node`
		return o
	}
	c := newRestartable(t, opts()).start()
	cAddr := firstAddr(t, c)
	aNode := newRestartable(t, opts(cAddr))
	a := aNode.start()
	// B also dials A while A is up, so the new room reaches it at once
	// rather than by C's next periodic catch-up.
	b := newRestartable(t, opts(cAddr, firstAddr(t, a))).start()

	room := testRoom()
	room.Policy = domain.PolicyModerate
	roomID, err := a.PostRoom(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*Node{b, c} {
		waitFor(t, n, "the room to reach B and C", func() bool {
			_, err := n.store.Record(ctx, roomID)
			return err == nil
		})
	}

	// A goes offline; B asks for 3 nights.
	aNode.stop()
	today := clock.Now().UTC()
	day := func(d int) string { return today.AddDate(0, 0, d).Format(domain.DateLayout) }
	req, err := b.Book(ctx, BookingInput{ListingID: roomID, From: day(1), To: day(4), Guests: 2, Note: "we arrive by train"})
	if err != nil {
		t.Fatal(err)
	}
	if req.Status != domain.BookingRequested || req.TotalPrice != 3*room.PricePerNight || req.Policy != domain.PolicyModerate {
		t.Fatalf("B's request %+v", req)
	}
	waitFor(t, c, "C to keep B's sealed request for A", func() bool {
		held, err := c.store.HeldSealed(ctx, a.Self(), 10)
		return err == nil && len(held) == 1
	})

	// A returns, gets the request, accepts it.
	a = aNode.start()
	waitFor(t, a, "A to receive the request", func() bool { return bookingOf(t, a, req.ID).Status == domain.BookingRequested })
	if got := bookingOf(t, a, req.ID); got.Role != domain.RoleOwner || got.Note != "we arrive by train" || got.Renter != b.Self() {
		t.Fatalf("A's view of the request %+v", got)
	}
	if _, err := a.AcceptBooking(ctx, req.ID, AcceptInput{Address: "12 rue du Four, 2nd floor", Contact: "+33 6 00 00 00 00"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "B to learn of the acceptance", func() bool { return bookingOf(t, b, req.ID).Status == domain.BookingAccepted })
	if got := bookingOf(t, b, req.ID); got.Address != "12 rue du Four, 2nd floor" {
		t.Fatalf("B's accepted booking %+v", got)
	}
	// The calendar that reaches C blocks the dates, and names no one.
	cell := domain.CellAt(room.Point())
	waitCaughtUp(t, c, cell, "A's calendar to reach C", func() bool {
		rooms, err := c.Rooms(ctx, RoomQuery{From: day(2), To: day(3)})
		return err == nil && len(rooms) == 0
	})

	// C asks for overlapping nights: A's app declines by itself.
	creq, err := c.Book(ctx, BookingInput{ListingID: roomID, From: day(3), To: day(5), Guests: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "C's request to be declined", func() bool { return bookingOf(t, c, creq.ID).Status == domain.BookingDeclined })
	if got := bookingOf(t, c, creq.ID); got.Reason != ReasonDatesTaken {
		t.Fatalf("C's request declined for %q, want %q", got.Reason, ReasonDatesTaken)
	}
	if _, err := b.WriteReview(ctx, req.ID, ReviewInput{Stars: 5, Text: "too early"}); err == nil {
		t.Fatal("B reviewed before the end")
	}

	// After the end: both review.
	clock.set(0)
	if _, err := b.CompleteBooking(ctx, req.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, "A to learn the stay is complete", func() bool { return bookingOf(t, a, req.ID).Status == domain.BookingCompleted })
	bState, err := b.WriteReview(ctx, req.ID, ReviewInput{Stars: 5, Categories: map[string]int{"cleanliness": 5, "location": 4}, Text: "Warm, quiet, fresh bread."})
	if err != nil {
		t.Fatal(err)
	}
	if bState.Revealed {
		t.Fatal("B's review was revealed before A sealed one")
	}
	if _, err := b.WriteReview(ctx, req.ID, ReviewInput{Stars: 1}); err == nil {
		t.Fatal("B reviewed the same booking twice")
	}
	for _, n := range []*Node{a, c} {
		waitCaughtUp(t, n, cell, "B's seal to spread", func() bool {
			s, err := n.store.ReviewSeals(ctx, req.ID)
			return err == nil && len(s) == 1
		})
	}
	for name, n := range map[string]*Node{"A": a, "B": b, "C": c} {
		if k := countKind(t, n, domain.KindReview); k != 0 {
			t.Fatalf("%s holds %d reviews while only one seal exists", name, k)
		}
	}
	if _, err := a.WriteReview(ctx, req.ID, ReviewInput{Stars: 4, Text: "Tidy guests, left on time."}); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]*Node{"A": a, "B": b, "C": c} {
		waitCaughtUp(t, n, cell, name+" to see both reviews", func() bool { return countKind(t, n, domain.KindReview) == 2 })
	}

	// D never met them: it hears of both reviews and of A's rating.
	d := newRestartable(t, opts(cAddr)).start()
	waitFor(t, d, "D to catch up both reviews", func() bool {
		rs, err := d.Reviews(ctx, "", "", "")
		return err == nil && len(rs) == 2
	})
	rep, err := d.Reputation(ctx, a.Self())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rating != 5 || rep.Count != 1 || rep.Categories["location"] != 4 || rep.AsOwner != 1 {
		t.Fatalf("D's view of A's reputation %+v", rep)
	}
	if rep, err := d.Reputation(ctx, b.Self()); err != nil || rep.Rating != 4 || rep.AsRenter != 1 {
		t.Fatalf("D's view of B's reputation %+v, %v", rep, err)
	}
	waitFor(t, d, "D to find the room with its rating", func() bool {
		rooms, err := d.Rooms(ctx, RoomQuery{})
		return err == nil && len(rooms) == 1 && rooms[0].Rating == 5 && rooms[0].ReviewCount == 1
	})

	// C forges reviews of A's room: every peer refuses them.
	forged := forgeReviews(t, c, a, roomID, req.ID, b)
	for name, n := range map[string]*Node{"A": a, "B": b, "C": c, "D": d} {
		outs, err := n.store.Ingest(ctx, forged, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range outs {
			if o.Status != storage.Rejected {
				t.Errorf("%s: forged record %d (%s): %s, want rejected", name, i, forged[i].Kind, o.Status)
			}
		}
	}
}

// forgeReviews makes the reviews C could try for A's room: one riding on
// B's real acceptance (C is not a party), one with an acceptance C signed as
// if it were A, and one where C poses as the owner of A's room.
func forgeReviews(t *testing.T, c, a *Node, roomID, bookingID string, b *Node) []domain.Record {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	seals, err := c.store.ReviewSeals(ctx, bookingID)
	if err != nil || len(seals) != 2 {
		t.Fatalf("C has %d seals of B's booking: %v", len(seals), err)
	}
	real, err := domain.SealTerms(&seals[0])
	if err != nil {
		t.Fatal(err)
	}
	content := domain.ReviewContent{BookingID: bookingID, Stars: 1, Text: "awful"}
	nonce, _ := domain.NewNonce()
	var out []domain.Record
	// 1. B's acceptance, C's seal and review: a third person.
	if _, err := c.id.NewReviewSealRecord(real.Acceptance, content, nonce, now); err == nil {
		t.Fatal("C's app signed a seal of someone else's booking")
	}
	out = append(out, signRaw(t, c.id, domain.KindReviewSeal, domain.ReviewSeal{Acceptance: real.Acceptance, Commitment: mustCommit(t, content, nonce)}, real.Terms.Cells, now))
	out = append(out, signRaw(t, c.id, domain.KindReview, domain.Review{ReviewContent: content, Nonce: nonce, Seals: []domain.Record{out[0], seals[1]}}, real.Terms.Cells, now))
	// 2. C's own "booking" of A's room, with an owner signature C made itself.
	terms := real.Terms
	terms.BookingID, terms.Renter = domain.NewID(), c.Self()
	req, err := c.id.SignRequest(terms)
	if err != nil {
		t.Fatal(err)
	}
	fake := req
	fake.OwnerSig = req.RenterSig
	content2 := domain.ReviewContent{BookingID: terms.BookingID, Stars: 1}
	out = append(out, signRaw(t, c.id, domain.KindReviewSeal, domain.ReviewSeal{Acceptance: fake, Commitment: mustCommit(t, content2, nonce)}, terms.Cells, now))
	// 3. C poses as the owner of A's room, with a sock puppet as renter.
	puppet, err := domain.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	terms3 := real.Terms
	terms3.BookingID, terms3.Owner, terms3.Renter = domain.NewID(), c.Self(), puppet.Author()
	req3, err := puppet.SignRequest(terms3)
	if err != nil {
		t.Fatal(err)
	}
	acc3, err := c.id.SignAcceptance(req3)
	if err != nil {
		t.Fatal(err)
	}
	seal3, err := puppet.NewReviewSealRecord(acc3, domain.ReviewContent{BookingID: terms3.BookingID, Stars: 5}, nonce, now)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, seal3)
}

func mustCommit(t *testing.T, c domain.ReviewContent, nonce string) string {
	t.Helper()
	h, err := domain.Commit(c, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// signRaw signs a record of any body, bypassing the builders' checks.
func signRaw(t *testing.T, id *domain.Identity, kind domain.Kind, body any, cells []string, now time.Time) domain.Record {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	r := domain.Record{Kind: kind, ID: domain.NewID(), Version: 1, IssuedAt: now.UnixMilli(),
		ExpiresAt: now.Add(domain.ReviewLifetime).UnixMilli(), Cells: cells, Body: b}
	id.Sign(&r)
	return r
}
