package screens

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/caravan-p2p/caravan/app"
)

// fakeWishState is the fake's wishes, offers and what the screens did with them.
type fakeWishState struct {
	posted   []app.Wish
	mine     []app.MyWish
	fits     map[string][]app.WishFit // listing id → wishes it fits
	offers   []app.OfferInput
	accepted []string
	deleted  []string
	postErr  error
}

func (f *fakeBackend) wishState() *fakeWishState {
	// Called with f.mu held.
	if f.wishes == nil {
		f.wishes = &fakeWishState{fits: map[string][]app.WishFit{}}
	}
	return f.wishes
}

func (f *fakeBackend) PostWish(ctx context.Context, w app.Wish) (string, error) {
	f.mu.Lock()
	st := f.wishState()
	st.posted = append(st.posted, w)
	if st.postErr != nil {
		f.mu.Unlock()
		return "", st.postErr
	}
	f.nextID++
	id := fmt.Sprintf("wish-%d", f.nextID)
	st.mine = append([]app.MyWish{{WishView: app.WishView{ID: id, Author: "12D3KooWSelfSelfSelf", IssuedAt: time.Now(),
		ExpiresAt: time.Now().Add(72 * time.Hour), Mine: true, Wish: w}}}, st.mine...)
	f.mu.Unlock()
	e := app.Event{Kind: app.RecordsChanged}
	e.Kinds = append(e.Kinds, app.KindWish)
	f.emit(e)
	return id, nil
}

func (f *fakeBackend) DeleteWish(ctx context.Context, id string) error {
	f.mu.Lock()
	st := f.wishState()
	st.deleted = append(st.deleted, id)
	st.mine = slices.DeleteFunc(st.mine, func(w app.MyWish) bool { return w.ID == id })
	f.mu.Unlock()
	return nil
}

func (f *fakeBackend) MyWishes(ctx context.Context) ([]app.MyWish, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.wishState().mine), nil
}

func (f *fakeBackend) Wishes(ctx context.Context, forListingID string) ([]app.WishFit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ws, ok := f.wishState().fits[forListingID]
	if !ok {
		return nil, &app.InputError{Reason: "bad_body", Field: "listing", Detail: "no room or ride " + forListingID + " is known here"}
	}
	return slices.Clone(ws), nil
}

func (f *fakeBackend) Offer(ctx context.Context, in app.OfferInput) (app.OfferView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.wishState()
	st.offers = append(st.offers, in)
	for i, w := range st.fits[in.ListingID] {
		if w.ID == in.WishID {
			st.fits[in.ListingID][i].Offered = true
		}
	}
	return app.OfferView{ID: "offer-" + in.WishID, WishID: in.WishID, ListingID: in.ListingID, Outgoing: true, Note: in.Note}, nil
}

func (f *fakeBackend) AcceptOffer(ctx context.Context, offerID string) (app.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.wishState()
	st.accepted = append(st.accepted, offerID)
	for i := range st.mine {
		for j, o := range st.mine[i].Offers {
			if o.ID == offerID {
				st.mine[i].Offers[j].BookingID = "booking-" + offerID
				return app.Booking{ID: "booking-" + offerID, ListingID: o.ListingID, From: "2026-12-01"}, nil
			}
		}
	}
	return app.Booking{}, &app.InputError{Reason: "bad_body", Field: "offer", Detail: "no offer " + offerID}
}

// wishLog returns a copy of the fake's wish state.
func (f *fakeBackend) wishLog() fakeWishState {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := *f.wishState()
	st.posted, st.offers, st.accepted, st.deleted = slices.Clone(st.posted), slices.Clone(st.offers), slices.Clone(st.accepted), slices.Clone(st.deleted)
	return st
}
