package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// What the booking screens need from domain, named through app so that the
// screens talk to app only.

// Role is a party's side of a booking.
type Role = domain.Role

// The roles.
const (
	RoleOwner  = domain.RoleOwner
	RoleRenter = domain.RoleRenter
)

// BookingStatus is where a booking stands.
type BookingStatus = domain.BookingStatus

// The booking statuses.
const (
	BookingRequested = domain.BookingRequested
	BookingAccepted  = domain.BookingAccepted
	BookingDeclined  = domain.BookingDeclined
	BookingCancelled = domain.BookingCancelled
	BookingCompleted = domain.BookingCompleted
	BookingExpired   = domain.BookingExpired
)

// CancellationPolicy is how much of the total a renter gets back on cancelling.
type CancellationPolicy = domain.CancellationPolicy

// The cancellation policies.
const (
	PolicyFlexible = domain.PolicyFlexible
	PolicyModerate = domain.PolicyModerate
	PolicyStrict   = domain.PolicyStrict
)

// KindReview is the kind of a published review, as events name it.
const KindReview = domain.KindReview

// DateLayout is how booking days are written: YYYY-MM-DD.
const DateLayout = domain.DateLayout

// MaxReason is the longest reason, note or review note, in characters.
const MaxReason = domain.MaxReason

// ReviewCategories are the category stars a renter gives a room or a ride.
func ReviewCategories(k Kind) []string {
	if k == domain.KindRide {
		return slices.Clone(domain.RideCategories)
	}
	return slices.Clone(domain.RoomCategories)
}

// RoomTotal is what nights in a room cost, as a request prices them.
func RoomTotal(pricePerNight float64, nights int) float64 {
	return domain.RoomTotal(pricePerNight, nights)
}

// RideTotal is what seats in a ride cost, as a request prices them.
func RideTotal(pricePerSeat float64, seats int) float64 {
	return domain.RideTotal(pricePerSeat, seats)
}

// BookingTerms is what a listing's record says of how it is booked; the
// search tables do not carry it.
type BookingTerms struct {
	Policy      CancellationPolicy `json:"cancellation_policy"`
	InstantBook bool               `json:"instant_book"`
}

// ListingTerms reads the cancellation policy and instant book of a room or
// a ride known here, from its record.
func (n *Node) ListingTerms(ctx context.Context, id string) (BookingTerms, error) {
	body, err := n.listingBody(ctx, id)
	if err != nil {
		return BookingTerms{}, err
	}
	switch l := body.(type) {
	case *domain.Room:
		return BookingTerms{Policy: l.Policy.Or(), InstantBook: l.InstantBook}, nil
	case *domain.Ride:
		return BookingTerms{Policy: l.Policy.Or(), InstantBook: l.InstantBook}, nil
	}
	return BookingTerms{}, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("%s is not a room or a ride", id)}
}

// ListingTitle is the title of a room or a ride known here, expired or not,
// for naming it beside a booking.
func (n *Node) ListingTitle(ctx context.Context, id string) (string, error) {
	body, err := n.listingBody(ctx, id)
	if err != nil {
		return "", err
	}
	if t := listingTitleOf(body); t != "" {
		return t, nil
	}
	return "", &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("%s is not a room or a ride", id)}
}

// listingTitleOf is the title of a decoded room or ride body, "" for
// another body.
func listingTitleOf(body any) string {
	switch b := body.(type) {
	case *domain.Room:
		return b.Title
	case *domain.Ride:
		return b.Title
	}
	return ""
}

// listingBody decodes the body of a record known here, expired or not.
func (n *Node) listingBody(ctx context.Context, id string) (any, error) {
	rec, err := n.store.Record(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("no room or ride %s is known here", id)}
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", id, err)
	}
	body, err := domain.DecodeBody(&rec)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", id, err)
	}
	return body, nil
}
