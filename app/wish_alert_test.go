package app

import (
	"context"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// TestWishFitsAlert: a new room from a peer that fits one of the user's
// wishes raises a WishFits event; one that does not, a renewal, or the
// user's own room do not.
func TestWishFitsAlert(t *testing.T) {
	ctx := context.Background()
	owner := openNode(t, Options{})
	renter := openNode(t, Options{})
	from := time.Now().AddDate(0, 0, 10).UTC().Format(domain.DateLayout)
	to := time.Now().AddDate(0, 0, 13).UTC().Format(domain.DateLayout)
	if _, err := renter.PostWish(ctx, Wish{Stay: &StayWish{Centre: &[2]float64{2.35, 48.85}, RadiusKm: 3, From: from, To: to, Guests: 2,
		MaxPricePerNight: 50, Currency: "EUR"}}); err != nil {
		t.Fatal(err)
	}
	events, cancel := renter.Subscribe()
	defer cancel()

	post := func(r Room) domain.Record {
		t.Helper()
		id, err := owner.PostRoom(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := owner.store.Record(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	fits := post(testRoom()) // Paris, 38 EUR, 2 guests
	dear := testRoom()
	dear.Title, dear.PricePerNight = "Palace suite", 900
	tooDear := post(dear)
	renewed, err := owner.id.Renew(fits, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range [][]domain.Record{{tooDear}, {fits}, {renewed}} {
		sink{renter}.Deliver(ctx, owner.id.PeerID(), batch)
	}

	var alerts []Event
	for done := false; !done; {
		select {
		case ev := <-events:
			if ev.Kind == WishFits {
				alerts = append(alerts, ev)
			}
		case <-time.After(200 * time.Millisecond):
			done = true
		}
	}
	if len(alerts) != 1 || alerts[0].Listing != fits.ID || alerts[0].Title != testRoom().Title || alerts[0].Peer != owner.Self() {
		t.Fatalf("alerts %+v, want one for %s", alerts, fits.ID)
	}
}
