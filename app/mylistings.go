package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// What an owner does with its own listings: edit them (a new version of the
// same id), pause and resume them (a version with Paused set: every peer
// keeps it out of searches and refuses to book it, see domain.IsPaused),
// delete them (a tombstone), renew them ahead of the automatic renewal, and
// block days of a room's calendar (calendar.go).

// ListingState says whether others can find and book a listing.
type ListingState string

// The listing states.
const (
	StateActive ListingState = "active" // found by searches, takes bookings
	StatePaused ListingState = "paused" // kept, but not found and not booked
)

// ReasonPaused is why the owner's app declines a request for a paused listing.
const ReasonPaused = "the owner has paused this listing; it takes no bookings for now"

// errPaused refuses a booking for a paused listing (termsFor).
var errPaused = &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: ReasonPaused}

// MyListing is one of the user's own rooms or rides as My listings shows it.
type MyListing struct {
	ID        string       `json:"id"`
	Kind      Kind         `json:"kind"` // room or ride
	Title     string       `json:"title"`
	State     ListingState `json:"state"`
	Version   uint64       `json:"version"`
	IssuedAt  time.Time    `json:"issued_at"`
	ExpiresAt time.Time    `json:"expires_at"` // unless renewed; a ride ends at its departure
	// Bookings counts the accepted bookings that have not ended yet;
	// Requests the requests waiting for an answer.
	Bookings int   `json:"bookings"`
	Requests int   `json:"requests"`
	Room     *Room `json:"room,omitempty"`
	Ride     *Ride `json:"ride,omitempty"`
}

// MyListings lists the user's own rooms and rides that have not expired,
// paused ones included, the most recently created first.
func (n *Node) MyListings(ctx context.Context) ([]MyListing, error) {
	recs, err := n.store.OwnListings(ctx, n.Self(), n.now())
	if err != nil {
		return nil, err
	}
	counts, err := n.ownBookingCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MyListing, 0, len(recs))
	for _, rec := range recs {
		body, err := domain.DecodeBody(&rec)
		if err != nil {
			return nil, fmt.Errorf("own %s %s: %w", rec.Kind, rec.ID, err)
		}
		out = append(out, myListing(rec, body, counts[rec.ID]))
	}
	return out, nil
}

// MyListing returns one of the user's own listings.
func (n *Node) MyListing(ctx context.Context, id string) (MyListing, error) {
	rec, body, err := n.ownListing(ctx, id)
	if err != nil {
		return MyListing{}, err
	}
	counts, err := n.ownBookingCounts(ctx)
	if err != nil {
		return MyListing{}, err
	}
	return myListing(rec, body, counts[id]), nil
}

// bookingCount is how many bookings of a listing are accepted and not over,
// and how many are waiting for an answer.
type bookingCount struct{ accepted, requested int }

// ownBookingCounts counts the bookings of each of the user's listings.
func (n *Node) ownBookingCounts(ctx context.Context) (map[string]bookingCount, error) {
	bs, err := n.store.Bookings(ctx, storage.BookingFilter{Role: domain.RoleOwner,
		Statuses: []domain.BookingStatus{domain.BookingRequested, domain.BookingAccepted}})
	if err != nil {
		return nil, err
	}
	now := n.now()
	out := map[string]bookingCount{}
	for _, b := range bs {
		c := out[b.Terms.ListingID]
		switch b.Status.Effective(&b.Terms, now) {
		case domain.BookingRequested:
			c.requested++
		case domain.BookingAccepted:
			if b.Terms.End().After(now) {
				c.accepted++
			}
		}
		out[b.Terms.ListingID] = c
	}
	return out, nil
}

func myListing(rec domain.Record, body any, c bookingCount) MyListing {
	l := MyListing{ID: rec.ID, Kind: rec.Kind, State: StateActive, Version: rec.Version,
		IssuedAt: rec.Issued().UTC(), ExpiresAt: rec.Expires().UTC(), Bookings: c.accepted, Requests: c.requested}
	if domain.IsPaused(body) {
		l.State = StatePaused
	}
	switch b := body.(type) {
	case *domain.Room:
		l.Title, l.Room = b.Title, b
	case *domain.Ride:
		l.Title, l.Ride = b.Title, b
	}
	return l
}

// ownListing loads one of the user's live rooms or rides with its body.
func (n *Node) ownListing(ctx context.Context, id string) (domain.Record, any, error) {
	rec, err := n.store.Record(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound) || (err == nil && rec.Kind == domain.KindTombstone):
		return rec, nil, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("you have no room or ride %s; `caravan listings` lists yours", id)}
	case err != nil:
		return rec, nil, err
	case rec.Author != n.Self():
		return rec, nil, &InputError{Reason: domain.ReasonNotOwner, Field: "listing", Detail: fmt.Sprintf("%s is not yours: only its owner changes it", id)}
	}
	if rec.Kind != domain.KindRoom && rec.Kind != domain.KindRide {
		return rec, nil, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("%s is a %s, not a room or a ride", id, rec.Kind)}
	}
	if rec.ExpiresAt <= n.now().UnixMilli() {
		return rec, nil, &InputError{Reason: domain.ReasonExpired, Field: "listing", Detail: fmt.Sprintf("%s %s has expired; post it again", rec.Kind, id)}
	}
	body, err := domain.DecodeBody(&rec)
	if err != nil {
		return rec, nil, fmt.Errorf("own %s %s: %w", rec.Kind, id, err)
	}
	return rec, body, nil
}

// UpdateRoom publishes room as a new version of the user's room id, checked
// like PostRoom. The location given is made approximate like PostRoom's,
// unless it is the room's current public pin (what an edit form shows),
// which stays where it is. A paused room stays paused.
func (n *Node) UpdateRoom(ctx context.Context, id string, room Room) error {
	prev, body, err := n.ownListing(ctx, id)
	if err != nil {
		return err
	}
	old, ok := body.(*domain.Room)
	if !ok {
		return &InputError{Reason: domain.ReasonBadKind, Field: "listing", Detail: fmt.Sprintf("%s is a ride; edit it as a ride", id)}
	}
	if room.Lat != old.Lat || room.Lon != old.Lon {
		if lat, lon, err := n.id.ApproximatePin(room.Lat, room.Lon); err == nil {
			room.Lat, room.Lon = lat, lon
		} // else NewRoomRecord names the bad coordinate
	}
	room.Paused = old.Paused
	rec, err := n.id.NewRoomRecord(room, &prev, n.now())
	if err != nil {
		return err
	}
	if err := n.postOwn(ctx, rec); err != nil {
		return err
	}
	if rec.Cells[0] != prev.Cells[0] { // the calendar follows its room to its new cell
		return n.editCalendar(ctx, rec, func(b []domain.DateRange) []domain.DateRange { return b })
	}
	return nil
}

// UpdateRide publishes ride as a new version of the user's ride id, checked
// like PostRide. The seats already booked stay taken: seats left are the new
// seats less those, and fewer seats than are booked is refused. A paused
// ride stays paused.
func (n *Node) UpdateRide(ctx context.Context, id string, ride Ride) error {
	prev, body, err := n.ownListing(ctx, id)
	if err != nil {
		return err
	}
	old, ok := body.(*domain.Ride)
	if !ok {
		return &InputError{Reason: domain.ReasonBadKind, Field: "listing", Detail: fmt.Sprintf("%s is a room; edit it as a room", id)}
	}
	booked := old.Seats - old.SeatsLeft
	if ride.Seats < booked {
		return &InputError{Reason: domain.ReasonBadBody, Field: "seats", Detail: fmt.Sprintf("%d seats are booked; offer at least that many", booked)}
	}
	ride.SeatsLeft, ride.Paused = ride.Seats-booked, old.Paused
	rec, err := n.id.NewRideRecord(ride, &prev, time.Now()) // a ride is issued on the real clock: it expires at departure
	if err != nil {
		return err
	}
	return n.postOwn(ctx, rec)
}

// PauseListing takes one of the user's listings out of every peer's
// searches and bookings, without deleting it. Pending requests stay, but
// cannot be accepted until the listing is resumed.
func (n *Node) PauseListing(ctx context.Context, id string) error { return n.setPaused(ctx, id, true) }

// ResumeListing lists a paused listing again.
func (n *Node) ResumeListing(ctx context.Context, id string) error {
	return n.setPaused(ctx, id, false)
}

func (n *Node) setPaused(ctx context.Context, id string, paused bool) error {
	prev, body, err := n.ownListing(ctx, id)
	if err != nil {
		return err
	}
	if domain.IsPaused(body) == paused {
		return nil // already so: nothing to publish
	}
	var rec domain.Record
	switch b := body.(type) {
	case *domain.Room:
		room := *b
		room.Paused = paused
		rec, err = n.id.NewRoomRecord(room, &prev, n.now())
	case *domain.Ride:
		ride := *b
		ride.Paused = paused
		rec, err = n.id.NewRideRecord(ride, &prev, time.Now())
	}
	if err != nil {
		return fmt.Errorf("sign %s %s: %w", prev.Kind, id, err)
	}
	return n.postOwn(ctx, rec)
}

// DeleteListing deletes one of the user's listings on every peer: a
// tombstone replaces it, and its calendar, and the requests waiting for an
// answer are declined. A listing with accepted bookings still to come is
// not deleted: cancel them first (or pause it).
func (n *Node) DeleteListing(ctx context.Context, id string) error {
	prev, _, err := n.ownListing(ctx, id)
	if err != nil {
		return err
	}
	counts, err := n.ownBookingCounts(ctx)
	if err != nil {
		return err
	}
	if c := counts[id].accepted; c > 0 {
		return &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("%s %s has %d accepted booking(s) still to come; cancel them first, or pause it", prev.Kind, id, c)}
	}
	now := n.now()
	if prev.Kind == domain.KindRoom {
		cal, err := n.store.CalendarOf(ctx, id, n.Self())
		if err == nil {
			err = n.tombstone(ctx, cal, now)
		} else if errors.Is(err, storage.ErrNotFound) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("delete the calendar of %s: %w", id, err)
		}
	}
	if err := n.tombstone(ctx, prev, now); err != nil {
		return err
	}
	n.declineConflicting(ctx, id) // the listing is gone: every pending request is declined
	return nil
}

func (n *Node) tombstone(ctx context.Context, prev domain.Record, now time.Time) error {
	rec, err := n.id.NewTombstone(prev, now)
	if err != nil {
		return fmt.Errorf("sign the deletion of %s: %w", prev.ID, err)
	}
	return n.postOwn(ctx, rec)
}

// RenewListing renews one of the user's rooms now, with its calendar, rather
// than when the running app would (within a day of expiry), and returns
// when it expires next. A ride is not renewed: it ends at its departure.
func (n *Node) RenewListing(ctx context.Context, id string) (time.Time, error) {
	prev, _, err := n.ownListing(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	if prev.Kind == domain.KindRide {
		return time.Time{}, &InputError{Reason: domain.ReasonBadKind, Field: "listing", Detail: "a ride ends at its departure and needs no renewal; edit it to change the departure"}
	}
	now := n.now()
	rec, err := n.id.Renew(prev, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("renew %s: %w", id, err)
	}
	if err := n.postOwn(ctx, rec); err != nil {
		return time.Time{}, err
	}
	cal, err := n.store.CalendarOf(ctx, id, n.Self())
	if err == nil {
		var next domain.Record
		if next, err = n.id.Renew(cal, now); err == nil {
			err = n.postOwn(ctx, next)
		}
	} else if errors.Is(err, storage.ErrNotFound) {
		err = nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("renew the calendar of %s: %w", id, err)
	}
	return rec.Expires().UTC(), nil
}
