package screens

import (
	"context"

	"github.com/caravan-p2p/caravan/app"
)

// WishBackend is what the wish screens need from the app: renters publish
// wishes and accept offers; owners see the wishes their listings fit and
// answer them with offers.
type WishBackend interface {
	// PostWish validates, signs, stores and publishes a wish and returns its
	// id. Bad input is an *app.InputError whose Field names the field.
	PostWish(ctx context.Context, w app.Wish) (id string, err error)
	// DeleteWish withdraws one of the user's wishes.
	DeleteWish(ctx context.Context, id string) error
	// MyWishes lists the user's live wishes with the offers they received.
	MyWishes(ctx context.Context) ([]app.MyWish, error)
	// Wishes lists the wishes one of the user's listings fits.
	Wishes(ctx context.Context, forListingID string) ([]app.WishFit, error)
	// Offer answers a wish with one of the user's listings, privately.
	Offer(ctx context.Context, in app.OfferInput) (app.OfferView, error)
	// AcceptOffer turns a received offer into a booking request.
	AcceptOffer(ctx context.Context, offerID string) (app.Booking, error)
}
