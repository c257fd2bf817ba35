package screens

import (
	"context"
	"time"

	"github.com/caravan-p2p/caravan/app"
)

// OwnerBackend is what My listings and the edit mode of the post forms need
// from the app: the user's own rooms and rides and what an owner does with
// them. Bad input comes back as an *app.InputError naming the field.
type OwnerBackend interface {
	// MyListings lists the user's own rooms and rides, paused ones too.
	MyListings(ctx context.Context) ([]app.MyListing, error)
	// UpdateRoom publishes a new version of the user's room id.
	UpdateRoom(ctx context.Context, id string, r app.Room) error
	// UpdateRide publishes a new version of the user's ride id; the seats
	// already booked stay taken.
	UpdateRide(ctx context.Context, id string, r app.Ride) error
	// PauseListing takes a listing out of every peer's searches and
	// bookings without deleting it; ResumeListing lists it again.
	PauseListing(ctx context.Context, id string) error
	ResumeListing(ctx context.Context, id string) error
	// DeleteListing deletes a listing on every peer. A listing with
	// accepted bookings to come is refused.
	DeleteListing(ctx context.Context, id string) error
	// RenewListing renews a room now and returns when it expires next.
	RenewListing(ctx context.Context, id string) (time.Time, error)
	// BlockedDates returns a room's calendar: blocked and booked ranges.
	BlockedDates(ctx context.Context, id string) (app.ListingCalendar, error)
	// SetBlockedDates makes ranges the blocked days of the user's room and
	// publishes its calendar; booked days cannot be left out.
	SetBlockedDates(ctx context.Context, id string, ranges []app.DateRange) (app.ListingCalendar, error)
}
