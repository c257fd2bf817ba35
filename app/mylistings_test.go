package app

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// roomsOf is what n finds for a room search, by id; with from and to, for
// those dates.
func roomsOf(t *testing.T, n *Node, from, to string) map[string]RoomListing {
	t.Helper()
	rooms, err := n.Rooms(context.Background(), RoomQuery{Bound: &[4]float64{2, 48, 3, 49}, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]RoomListing{}
	for _, r := range rooms {
		out[r.ID] = r
	}
	return out
}

// TestOwnerManagesListingsAcrossPeers runs two nodes on loopback: what the
// owner A does to its room reaches B: paused, B's search does not find it;
// resumed, it does again; edited, B sees the new version; days blocked, B's
// search for those dates skips it; deleted, B holds only the tombstone.
func TestOwnerManagesListingsAcrossPeers(t *testing.T) {
	ctx := context.Background()
	a := startNode(t, loopbackOpts())
	b := startNode(t, loopbackOpts(firstAddr(t, a)))
	id, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	room := testRoom()
	cell := domain.CellAt(room.Point())
	waitCaughtUp(t, b, cell, "the room to reach B", func() bool { _, ok := roomsOf(t, b, "", "")[id]; return ok })

	if err := a.PauseListing(ctx, id); err != nil {
		t.Fatal(err)
	}
	mine, err := a.MyListing(ctx, id)
	if err != nil || mine.State != StatePaused || mine.Version != 2 {
		t.Fatalf("A's listing after pausing: %+v, %v", mine, err)
	}
	waitCaughtUp(t, b, cell, "the pause to hide the room from B", func() bool { return len(roomsOf(t, b, "", "")) == 0 })
	if _, err := b.Book(ctx, BookingInput{ListingID: id, From: "2030-01-01", To: "2030-01-03", Guests: 1}); !errors.Is(err, errPaused) {
		t.Fatalf("B booking the paused room: %v, want it refused as paused", err)
	}

	if err := a.ResumeListing(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, b, cell, "the room to come back on B", func() bool { _, ok := roomsOf(t, b, "", "")[id]; return ok })

	edited := testRoom()
	edited.Title, edited.PricePerNight = "Attic over the bakery, repainted", 42
	edited.Lat, edited.Lon = mine.Room.Lat, mine.Room.Lon // the public pin, as the edit form shows it
	if err := a.UpdateRoom(ctx, id, edited); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, b, cell, "the edit to reach B", func() bool {
		r, ok := roomsOf(t, b, "", "")[id]
		return ok && r.Title == edited.Title && r.PricePerNight == 42 && r.Lat == mine.Room.Lat && r.Lon == mine.Room.Lon
	})

	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	cal, err := a.SetBlockedDates(ctx, id, []DateRange{{From: day(10), To: day(12)}, {From: day(12), To: day(14)}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []DateRange{{From: day(10), To: day(14)}}; !slices.Equal(cal.Blocked, want) {
		t.Fatalf("blocked %v, want the ranges merged into %v", cal.Blocked, want)
	}
	waitCaughtUp(t, b, cell, "the calendar to hide the room on those dates on B", func() bool {
		return len(roomsOf(t, b, day(11), day(13))) == 0
	})
	if _, ok := roomsOf(t, b, day(20), day(22))[id]; !ok {
		t.Error("B does not find the room on free dates")
	}
	if got, err := b.BlockedDates(ctx, id); err != nil || !slices.Equal(got.Blocked, cal.Blocked) || len(got.Booked) != 0 {
		t.Errorf("B reads the calendar %+v, %v; want %v", got, err, cal.Blocked)
	}

	if err := b.DeleteListing(ctx, id); err == nil {
		t.Fatal("B deleted A's room")
	}
	if err := a.DeleteListing(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, b, cell, "the deletions of the room and its calendar to reach B", func() bool {
		rec, err := b.store.Record(ctx, id)
		return err == nil && rec.Kind == domain.KindTombstone && countKind(t, b, domain.KindCalendar) == 0
	})
	if len(roomsOf(t, b, "", "")) != 0 {
		t.Error("B still finds the deleted room")
	}
	if ls, err := a.MyListings(ctx); err != nil || len(ls) != 0 {
		t.Errorf("A's listings after deleting: %+v, %v", ls, err)
	}
}

// TestCalendarKeepsBookedDays: the days of an accepted booking show as
// booked, cannot be unblocked by hand, and stay blocked when the owner
// blocks more; a listing with a booking to come is not deleted.
func TestCalendarKeepsBookedDays(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	room := testRoom()
	room.InstantBook = true
	id, err := a.PostRoom(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	if _, err := b.Book(ctx, BookingInput{ListingID: id, From: day(2), To: day(4), Guests: 1}); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a) // instant book accepts

	cal, err := a.BlockedDates(ctx, id)
	booked := []DateRange{{From: day(2), To: day(4)}}
	if err != nil || !slices.Equal(cal.Booked, booked) || !slices.Equal(cal.Blocked, booked) {
		t.Fatalf("calendar %+v, %v; want %v booked and blocked", cal, err, booked)
	}
	tests := []struct {
		name   string
		ranges []DateRange
		field  string // of the InputError; "" for success
		want   []DateRange
	}{
		{"unblock the booked days", nil, "blocked", nil},
		{"unblock part of them", []DateRange{{From: day(3), To: day(4)}}, "blocked", nil},
		{"a reversed range", []DateRange{{From: day(9), To: day(8)}}, "blocked[0]", nil},
		{"not a date", []DateRange{{From: "tomorrow", To: day(8)}}, "blocked[0]", nil},
		{"block more", []DateRange{{From: day(2), To: day(4)}, {From: day(6), To: day(7)}, {From: day(-5), To: day(-2)}}, "",
			[]DateRange{{From: day(2), To: day(4)}, {From: day(6), To: day(7)}}},
		{"unblock the days by hand", booked, "", booked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.SetBlockedDates(ctx, id, tc.ranges)
			var ie *InputError
			if tc.field != "" {
				if !errors.As(err, &ie) || ie.Field != tc.field {
					t.Fatalf("SetBlockedDates(%v) = %v, want an InputError on %s", tc.ranges, err, tc.field)
				}
				return
			}
			if err != nil || !slices.Equal(got.Blocked, tc.want) {
				t.Fatalf("SetBlockedDates(%v) = %+v, %v; want blocked %v", tc.ranges, got, err, tc.want)
			}
		})
	}
	if _, err := a.SetBlockedDates(ctx, "019a0000-0000-7000-8000-000000000000", nil); err == nil {
		t.Error("blocked days of a room that does not exist")
	}
	if err := a.DeleteListing(ctx, id); err == nil {
		t.Error("deleted a room with a booking to come")
	}
	ls, err := a.MyListings(ctx)
	if err != nil || len(ls) != 1 || ls[0].Bookings != 1 || ls[0].State != StateActive || ls[0].Kind != KindRoom {
		t.Fatalf("MyListings = %+v, %v; want the room with 1 booking", ls, err)
	}
}

// TestPausedRequestDeclined: a request for a paused listing, sent from a
// stale copy, is declined by the owner's app with the reason.
func TestPausedRequestDeclined(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	id, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	req, err := b.Book(ctx, BookingInput{ListingID: id, From: day(2), To: day(4), Guests: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PauseListing(ctx, id); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)
	if got := bookingOf(t, a, req.ID); got.Status != domain.BookingDeclined || got.Reason != ReasonPaused {
		t.Fatalf("A's app left the request %s (%q), want declined as paused", got.Status, got.Reason)
	}
}

// TestEditRideAndRenew: an edit keeps the seats already booked, refuses
// fewer seats than that, and keeps the ride's id; renewing a room moves its
// expiry on, a ride is not renewed, and nobody edits another's listing.
func TestEditRideAndRenew(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	depart := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	ride := testRide(depart)
	ride.InstantBook = true
	rideID, err := a.PostRide(ctx, ride)
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	pickup, dropoff := [2]float64{4.83, 45.76}, [2]float64{2.35, 48.85}
	if _, err := b.Book(ctx, BookingInput{ListingID: rideID, Seats: 2, Pickup: &pickup, Dropoff: &dropoff}); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)

	edit := ride
	edit.Seats = 1
	var ie *InputError
	if err := a.UpdateRide(ctx, rideID, edit); !errors.As(err, &ie) || ie.Field != "seats" {
		t.Fatalf("UpdateRide to 1 seat with 2 booked = %v, want refused on seats", err)
	}
	edit.Seats, edit.Title = 4, "Lyon to Paris, via Dijon"
	if err := a.UpdateRide(ctx, rideID, edit); err != nil {
		t.Fatal(err)
	}
	l, err := a.MyListing(ctx, rideID)
	if err != nil || l.Ride.SeatsLeft != 2 || l.Ride.Seats != 4 || l.Title != edit.Title || l.Bookings != 1 {
		t.Fatalf("ride after the edit: %+v (%+v), %v; want 4 seats, 2 left, 1 booking", l, l.Ride, err)
	}
	if _, err := a.RenewListing(ctx, rideID); !errors.As(err, &ie) {
		t.Errorf("renewing a ride: %v, want refused", err)
	}
	if err := a.UpdateRoom(ctx, rideID, testRoom()); !errors.As(err, &ie) {
		t.Errorf("editing a ride as a room: %v, want refused", err)
	}

	roomID, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	before, err := a.MyListing(ctx, roomID)
	if err != nil {
		t.Fatal(err)
	}
	expires, err := a.RenewListing(ctx, roomID)
	if err != nil || !expires.After(before.ExpiresAt) {
		t.Fatalf("RenewListing = %v, %v; want later than %v", expires, err, before.ExpiresAt)
	}
	if err := b.UpdateRoom(ctx, roomID, testRoom()); !errors.As(err, &ie) || ie.Reason != domain.ReasonNotOwner {
		t.Errorf("B editing A's room: %v, want refused as not the owner", err)
	}
	if err := b.PauseListing(ctx, roomID); err == nil {
		t.Error("B paused A's room")
	}
}
