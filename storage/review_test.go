package storage

import (
	"errors"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// stay is an accepted 3-night booking of a stored room, ended before testNow.
type stay struct {
	owner, renter *domain.Identity
	room          domain.Record
	terms         domain.BookingTerms
	acc           domain.Acceptance
}

func newStay(t *testing.T, s *Store) stay {
	t.Helper()
	st := stay{owner: newIdentity(t), renter: newIdentity(t)}
	st.room = newRoom(t, st.owner, baseRoom(), nil, -30*24*time.Hour)
	ingestOne(t, s, st.room)
	from := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	to := from.Add(3 * 24 * time.Hour)
	st.terms = domain.BookingTerms{
		BookingID: domain.NewID(), ListingID: st.room.ID, ListingKind: domain.KindRoom, Cells: st.room.Cells,
		Owner: st.owner.Author(), Renter: st.renter.Author(), From: "2026-11-10", To: "2026-11-13", Guests: 1,
		StartAt: from.UnixMilli(), EndAt: to.UnixMilli(), TotalPrice: 135, Currency: "EUR", RequestedAt: from.Add(-48 * time.Hour).UnixMilli(),
	}
	req, err := st.renter.SignRequest(st.terms)
	if err != nil {
		t.Fatal(err)
	}
	if st.acc, err = st.owner.SignAcceptance(req); err != nil {
		t.Fatal(err)
	}
	return st
}

func ingestOne(t *testing.T, s *Store, r domain.Record) Outcome {
	t.Helper()
	outs, err := s.Ingest(ctx, []domain.Record{r}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return outs[0]
}

// sealed signs a seal and returns it with its content and nonce.
func (st stay) sealed(t *testing.T, by *domain.Identity, stars int, at time.Time) (domain.Record, domain.ReviewContent, string) {
	t.Helper()
	c := domain.ReviewContent{BookingID: st.terms.BookingID, Stars: stars, Text: "fine"}
	nonce, err := domain.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	seal, err := by.NewReviewSealRecord(st.acc, c, nonce, at)
	if err != nil {
		t.Fatal(err)
	}
	return seal, c, nonce
}

func TestReviewStoreRules(t *testing.T) {
	s := openTest(t)
	st := newStay(t, s)
	at := testNow.Add(-time.Hour)
	rSeal, rC, rN := st.sealed(t, st.renter, 5, at)
	oSeal, oC, oN := st.sealed(t, st.owner, 3, at)
	mustStore(t, s, rSeal)
	// A second seal by the renter would let it choose its review after
	// seeing the owner's.
	second, _, _ := st.sealed(t, st.renter, 1, at.Add(time.Minute))
	if o := ingestOne(t, s, second); o.Status != Rejected {
		t.Fatalf("second seal: %s", o.Status)
	}
	mustStore(t, s, oSeal)
	rRev, err := st.renter.NewReviewRecord(rC, rN, rSeal, &oSeal, at.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	oRev, err := st.owner.NewReviewRecord(oC, oN, oSeal, &rSeal, at.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, rRev)
	mustStore(t, s, oRev)
	if o := ingestOne(t, s, rRev); o.Status != Duplicate {
		t.Fatalf("same review again: %s", o.Status)
	}
	// The same content and seals under another id is a second review.
	again, err := st.renter.NewReviewRecord(rC, rN, rSeal, &oSeal, at.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if o := ingestOne(t, s, again); o.Status != Rejected {
		t.Fatalf("second review: %s", o.Status)
	}

	rep, err := s.ReputationOf(ctx, st.owner.Author(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count != 1 || rep.Rating != 5 || rep.AsOwner != 1 || rep.WithProof != 1 || rep.LastYear != 1 {
		t.Fatalf("owner's reputation %+v", rep)
	}
	ratings, err := s.ListingRatings(ctx, []string{st.room.ID, domain.NewID()})
	if err != nil {
		t.Fatal(err)
	}
	if len(ratings) != 1 || ratings[st.room.ID] != (Rating{Rating: 5, Count: 1}) {
		t.Fatalf("ratings %v", ratings)
	}
	owners, err := s.OwnerRatings(ctx, []string{st.owner.Author(), st.renter.Author()})
	if err != nil || len(owners) != 1 || owners[st.owner.Author()] != (Rating{Rating: 5, Count: 1}) {
		t.Fatalf("owner ratings %v, %v", owners, err)
	}
	if err := s.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, err := s.Reviews(ctx, ReviewFilter{BookingID: st.terms.BookingID}); err != nil || len(rs) != 2 {
		t.Fatalf("after rebuild: %d reviews, %v", len(rs), err)
	}
	if seals, err := s.ReviewSeals(ctx, st.terms.BookingID); err != nil || len(seals) != 2 {
		t.Fatalf("after rebuild: %d seals, %v", len(seals), err)
	}
}

// TestReviewOfAnothersListing: an acceptance signed by someone who is not
// the listing's author (a forger posing as owner) is refused when the
// listing is stored.
func TestReviewOfAnothersListing(t *testing.T) {
	s := openTest(t)
	st := newStay(t, s)
	forger := newIdentity(t)
	terms := st.terms
	terms.Owner = forger.Author()
	req, err := st.renter.SignRequest(terms)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := forger.SignAcceptance(req)
	if err != nil {
		t.Fatal(err)
	}
	nonce, _ := domain.NewNonce()
	seal, err := st.renter.NewReviewSealRecord(acc, domain.ReviewContent{BookingID: terms.BookingID, Stars: 5}, nonce, testNow)
	if err != nil {
		t.Fatal(err)
	}
	o := ingestOne(t, s, seal)
	if o.Status != Rejected || domain.ReasonOf(o.Err) != domain.ReasonNotOwner {
		t.Fatalf("seal for another's listing: %s %v", o.Status, o.Err)
	}
}

func TestBookingsTable(t *testing.T) {
	s := openTest(t)
	st := newStay(t, s)
	b := Booking{Role: domain.RoleOwner, Terms: st.terms, Acceptance: st.acc, Status: domain.BookingRequested, Note: "hi"}
	b.Acceptance.OwnerSig = nil
	if err := s.InsertBooking(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertBooking(ctx, b); !errors.Is(err, ErrExists) {
		t.Fatalf("insert twice: %v", err)
	}
	b.Status, b.Acceptance.OwnerSig, b.Address = domain.BookingAccepted, st.acc.OwnerSig, "3 Canal St"
	if ok, err := s.UpdateBooking(ctx, b, domain.BookingRequested); err != nil || !ok {
		t.Fatalf("accept: %v %v", ok, err)
	}
	if ok, err := s.UpdateBooking(ctx, b, domain.BookingRequested); err != nil || ok {
		t.Fatalf("accept again from requested: %v %v", ok, err)
	}
	got, err := s.Booking(ctx, st.terms.BookingID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.BookingAccepted || got.Address != "3 Canal St" || got.Terms.Guests != 1 || !got.Acceptance.Equal(&st.acc) {
		t.Fatalf("stored %+v", got)
	}
	list, err := s.Bookings(ctx, BookingFilter{ListingID: st.room.ID, Statuses: []domain.BookingStatus{domain.BookingAccepted}})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	if list, err = s.Bookings(ctx, BookingFilter{Role: domain.RoleRenter}); err != nil || len(list) != 0 {
		t.Fatalf("list as renter: %d, %v", len(list), err)
	}
	paidAt := testNow.Truncate(time.Millisecond)
	if ok, err := s.MarkSettled(ctx, st.terms.BookingID, false, paidAt); err != nil || !ok {
		t.Fatalf("mark paid: %v %v", ok, err)
	}
	if ok, err := s.MarkSettled(ctx, st.terms.BookingID, false, paidAt.Add(time.Hour)); err != nil || ok {
		t.Fatalf("mark paid twice: %v %v", ok, err)
	}
	if got, err = s.Booking(ctx, st.terms.BookingID); err != nil || !got.PaidAt.Equal(paidAt) || !got.ReceivedAt.IsZero() {
		t.Fatalf("after paid: %+v, %v", got, err)
	}
	if _, err := s.Booking(ctx, domain.NewID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown booking: %v", err)
	}
}
