package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// TestWishOfferAccept is the wishes issue on loopback: the renter B posts a
// wish; the owner A's node receives it by gossip and sees it fit its room;
// A sends an offer, which reaches B privately; B accepts it, which sends A
// an ordinary booking request for the wish's dates.
func TestWishOfferAccept(t *testing.T) {
	ctx := context.Background()
	a := startNode(t, loopbackOpts())
	b := startNode(t, loopbackOpts(firstAddr(t, a)))
	roomID, err := a.PostRoom(ctx, testRoom()) // Paris, 38 EUR, 2 guests
	if err != nil {
		t.Fatal(err)
	}
	from := time.Now().AddDate(0, 0, 10).UTC().Format(domain.DateLayout)
	to := time.Now().AddDate(0, 0, 13).UTC().Format(domain.DateLayout)
	wish := Wish{Stay: &StayWish{Centre: &[2]float64{2.35, 48.85}, RadiusKm: 3, From: from, To: to, Guests: 2,
		MaxPricePerNight: 50, Currency: "EUR", Text: "Quiet, please."}}
	wishID, err := b.PostWish(ctx, wish)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PostWish(ctx, Wish{Stay: &StayWish{Centre: &[2]float64{2.35, 48.85}, RadiusKm: 3, From: to, To: from, Guests: 2}}); domain.ReasonOf(err) != domain.ReasonBadBody {
		t.Fatalf("a wish whose check-out is before its check-in: %v, want bad_body", err)
	}
	cell := domain.CellAt([2]float64{2.35, 48.85})
	waitCaughtUp(t, a, cell, "the wish to reach the owner", func() bool {
		ws, err := a.Wishes(ctx, roomID)
		return err == nil && len(ws) == 1 && ws[0].ID == wishID
	})
	if _, err := b.Wishes(ctx, roomID); domain.ReasonOf(err) != domain.ReasonNotOwner && !isNotKnown(err) {
		t.Fatalf("wishes for someone else's room: %v, want a refusal", err)
	}
	if _, err := a.Offer(ctx, OfferInput{WishID: roomID, ListingID: roomID}); err == nil {
		t.Fatal("an offer for a room as a wish was sent")
	}
	offer, err := a.Offer(ctx, OfferInput{WishID: wishID, ListingID: roomID, Note: "Fresh bread included."})
	if err != nil {
		t.Fatal(err)
	}
	if offer.TotalPrice != 3*38 || offer.Currency != "EUR" || !offer.Outgoing {
		t.Fatalf("offer %+v: want 3 nights at 38 EUR, outgoing", offer)
	}
	if ws, err := a.Wishes(ctx, roomID); err != nil || len(ws) != 1 || !ws[0].Offered {
		t.Fatalf("the wish after the offer: %+v, %v, want it marked offered", ws, err)
	}

	waitFor(t, b, "the offer to reach the renter", func() bool {
		os, err := b.Offers(ctx, wishID)
		return err == nil && len(os) == 1
	})
	mine, err := b.MyWishes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || len(mine[0].Offers) != 1 {
		t.Fatalf("my wishes: %+v, want one with one offer", mine)
	}
	got := mine[0].Offers[0]
	if got.ID != offer.ID || got.ListingID != roomID || got.Note != "Fresh bread included." || got.Owner != a.Self() || got.Outgoing {
		t.Fatalf("received offer %+v, want %+v as received", got, offer)
	}
	bk, err := b.AcceptOffer(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bk.ListingID != roomID || bk.From != from || bk.To != to || bk.Guests != 2 || bk.Status != domain.BookingRequested {
		t.Fatalf("booking %+v: want a request for the wish's dates", bk)
	}
	if _, err := b.AcceptOffer(ctx, got.ID); err == nil {
		t.Fatal("an offer was accepted twice")
	}
	if os, _ := b.Offers(ctx, wishID); len(os) != 1 || os[0].BookingID != bk.ID {
		t.Fatalf("offers after accepting: %+v, want booking %s", os, bk.ID)
	}
	waitFor(t, a, "the booking request to reach the owner", func() bool {
		got := bookingOf(t, a, bk.ID)
		return got.ID == bk.ID && got.Role == domain.RoleOwner && got.Status == domain.BookingRequested
	})

	// Withdrawn, the wish is gone for the owner too.
	if err := b.DeleteWish(ctx, wishID); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, a, cell, "the withdrawal to reach the owner", func() bool {
		ws, err := a.Wishes(ctx, roomID)
		return err == nil && len(ws) == 0
	})
}

func isNotKnown(err error) bool {
	var ie *InputError
	return errors.As(err, &ie) && ie.Field == "listing"
}

// TestRideWishFits checks the ride side in one node: a driver's ride fits
// a rider's wish from a point near its route to another, later along it.
func TestRideWishFits(t *testing.T) {
	ctx := context.Background()
	driver := openNode(t, Options{})
	rider := openNode(t, Options{})
	depart := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	rideID, err := driver.PostRide(ctx, Ride{Title: "Paris to Lyon", Route: [][2]float64{{2.35, 48.85}, {3.08, 47.0}, {4.83, 45.76}},
		DepartAt: depart, Seats: 3, PricePerSeat: 20, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	wishID, err := rider.PostWish(ctx, Wish{Ride: &RideWish{From: &[2]float64{2.36, 48.84}, To: &[2]float64{4.82, 45.75},
		DepartAfter: depart.Add(-time.Hour), DepartBefore: depart.Add(time.Hour), Seats: 2, MaxPricePerSeat: 25, Currency: "EUR"}})
	if err != nil {
		t.Fatal(err)
	}
	// Carry the wish over as a peer would.
	rec, err := rider.store.Record(ctx, wishID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := driver.store.Ingest(ctx, []domain.Record{rec}, time.Now()); err != nil {
		t.Fatal(err)
	}
	ws, err := driver.Wishes(ctx, rideID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].ID != wishID || ws[0].DetourKm == nil || ws[0].Ride == nil {
		t.Fatalf("wishes for the ride: %+v, want the rider's with its detour", ws)
	}
}
