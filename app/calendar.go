package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// A room's availability calendar is one public `calendar` record (DESIGN
// §4): the ranges of days that cannot be booked, with no names. The owner's
// app writes it when it accepts or cancels a booking (holdListing) and when
// the owner blocks days by hand (SetBlockedDates), both through
// editCalendar. Days of accepted bookings cannot be unblocked by hand.

// DateRange is a half-open range of days [From, To), YYYY-MM-DD: the nights
// from From up to the night before To, like a stay's check-in and check-out.
type DateRange = domain.DateRange

// ListingCalendar is a room's calendar as the screens and the CLI show it.
type ListingCalendar struct {
	ListingID string `json:"listing_id"`
	// Blocked are the ranges the public calendar blocks from today on,
	// sorted and merged: blocked by hand or booked.
	Blocked []DateRange `json:"blocked"`
	// Booked are the ranges of the user's accepted bookings of the room
	// that have not ended (only for the user's own rooms). They are part
	// of Blocked and cannot be unblocked by hand.
	Booked []DateRange `json:"booked"`
}

// BlockedDates returns the calendar of a room: anyone's, as this peer knows
// it, with the booked ranges when the room is the user's.
func (n *Node) BlockedDates(ctx context.Context, listingID string) (ListingCalendar, error) {
	rec, _, err := n.listing(ctx, listingID)
	if err != nil {
		return ListingCalendar{}, err
	}
	if rec.Kind != domain.KindRoom {
		return ListingCalendar{}, &InputError{Reason: domain.ReasonBadKind, Field: "listing", Detail: fmt.Sprintf("%s is a ride; only rooms have a calendar", listingID)}
	}
	out := ListingCalendar{ListingID: listingID, Blocked: []DateRange{}, Booked: []DateRange{}}
	today := n.today()
	cal, err := n.store.CalendarOf(ctx, listingID, rec.Author)
	switch {
	case err == nil:
		c, err := domain.DecodeCalendar(cal.Body)
		if err != nil {
			return out, fmt.Errorf("calendar of %s: %w", listingID, err)
		}
		for _, r := range c.Blocked {
			out.Blocked = domain.MergeBlocked(out.Blocked, r)
		}
		out.Blocked = fromDay(out.Blocked, today)
	case !errors.Is(err, storage.ErrNotFound):
		return out, err
	}
	if rec.Author == n.Self() {
		if out.Booked, err = n.bookedRanges(ctx, listingID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// SetBlockedDates makes ranges the blocked days of one of the user's rooms
// and publishes the calendar. The days of accepted bookings must stay
// blocked: leaving one out is refused with an *InputError. Ranges that
// overlap or touch are merged; days before today are dropped.
func (n *Node) SetBlockedDates(ctx context.Context, listingID string, ranges []DateRange) (ListingCalendar, error) {
	rec, _, err := n.ownListing(ctx, listingID)
	if err != nil {
		return ListingCalendar{}, err
	}
	if rec.Kind != domain.KindRoom {
		return ListingCalendar{}, &InputError{Reason: domain.ReasonBadKind, Field: "listing", Detail: fmt.Sprintf("%s is a ride; only rooms have a calendar", listingID)}
	}
	var want []DateRange
	for i, r := range ranges {
		from, to, err := r.Days()
		if err == nil && !to.After(from) {
			err = fmt.Errorf("to %s is not after from %s", r.To, r.From)
		}
		if err != nil {
			return ListingCalendar{}, &InputError{Reason: domain.ReasonBadBody, Field: fmt.Sprintf("blocked[%d]", i), Detail: err.Error()}
		}
		want = domain.MergeBlocked(want, r)
	}
	want = fromDay(want, n.today())
	if len(want) > domain.MaxBlocked {
		return ListingCalendar{}, &InputError{Reason: domain.ReasonBadBody, Field: "blocked", Detail: fmt.Sprintf("%d separate ranges, at most %d", len(want), domain.MaxBlocked)}
	}
	booked, err := n.bookedRanges(ctx, listingID)
	if err != nil {
		return ListingCalendar{}, err
	}
	for _, b := range booked {
		left := []DateRange{b}
		for _, r := range want {
			left = domain.UnblockRange(left, r)
		}
		if len(left) > 0 {
			return ListingCalendar{}, &InputError{Reason: domain.ReasonBadBody, Field: "blocked",
				Detail: fmt.Sprintf("%s to %s is booked by an accepted booking; cancel the booking to free those days", left[0].From, left[0].To)}
		}
	}
	if err := n.editCalendar(ctx, rec, func([]DateRange) []DateRange { return want }); err != nil {
		return ListingCalendar{}, err
	}
	return n.BlockedDates(ctx, listingID)
}

// bookedRanges are the days of the accepted bookings of one of the user's
// rooms that have not ended, from today on, sorted and merged.
func (n *Node) bookedRanges(ctx context.Context, listingID string) ([]DateRange, error) {
	bs, err := n.store.Bookings(ctx, storage.BookingFilter{Role: domain.RoleOwner, ListingID: listingID,
		Statuses: []domain.BookingStatus{domain.BookingAccepted}})
	if err != nil {
		return nil, err
	}
	out := []DateRange{}
	for _, b := range bs {
		if b.Terms.ListingKind == domain.KindRoom && b.Terms.To != "" {
			out = domain.MergeBlocked(out, DateRange{From: b.Terms.From, To: b.Terms.To})
		}
	}
	return fromDay(out, n.today()), nil
}

// today is the current day, YYYY-MM-DD in UTC, as calendars count days.
func (n *Node) today() string { return n.now().UTC().Format(domain.DateLayout) }

// fromDay drops the ranges that end by day and cuts the ones that began
// before it.
func fromDay(ranges []DateRange, day string) []DateRange {
	out := []DateRange{}
	for _, r := range ranges {
		if r.To <= day {
			continue
		}
		r.From = max(r.From, day)
		out = append(out, r)
	}
	return out
}

// editCalendar publishes a new version of the calendar of the user's room
// (the first one if it has none) whose blocked ranges are edit's answer to
// the current ones, less the ranges already over. Nothing is published when
// neither the ranges nor the room's cell changed.
func (n *Node) editCalendar(ctx context.Context, room domain.Record, edit func([]DateRange) []DateRange) error {
	now := n.now()
	var prev *domain.Record
	cal := domain.Calendar{RoomID: room.ID}
	if p, err := n.store.CalendarOf(ctx, room.ID, n.Self()); err == nil {
		prev = &p
		if cal, err = domain.DecodeCalendar(p.Body); err != nil {
			return fmt.Errorf("own calendar of %s: %w", room.ID, err)
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	before := slices.Clone(cal.Blocked)
	cal.Blocked = edit(cal.Blocked)
	today := now.UTC().Format(domain.DateLayout)
	cal.Blocked = slices.DeleteFunc(cal.Blocked, func(d DateRange) bool { return d.To <= today })
	if prev == nil && len(cal.Blocked) == 0 || prev != nil && slices.Equal(before, cal.Blocked) && slices.Equal(prev.Cells, room.Cells) {
		return nil
	}
	next, err := n.id.NewCalendarRecord(cal, room.Cells[0], prev, now)
	if err != nil {
		return fmt.Errorf("sign calendar of %s: %w", room.ID, err)
	}
	return n.postOwn(ctx, next)
}

// MergeBlocked adds a range to sorted blocked ranges, merging those that
// overlap or touch.
func MergeBlocked(blocked []DateRange, add DateRange) []DateRange {
	return domain.MergeBlocked(blocked, add)
}

// UnblockRange removes the days of r from blocked ranges, splitting a range
// that r cuts through.
func UnblockRange(blocked []DateRange, r DateRange) []DateRange {
	return domain.UnblockRange(blocked, r)
}
