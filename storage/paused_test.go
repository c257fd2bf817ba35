package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// TestPausedListingsAreNotFound: a paused room or ride is stored, yet no
// search finds it; the version that resumes it is found again, and a
// paused room still pins its photos.
func TestPausedListingsAreNotFound(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	data := []byte("a photo of the room")
	sum := sha256.Sum256(data)
	photo := hex.EncodeToString(sum[:])
	blobs := s.Blobs(alice.Author(), 1<<20)
	if err := blobs.Put(ctx, photo, data); err != nil {
		t.Fatal(err)
	}
	room := baseRoom()
	room.Photos = []string{photo}
	r1 := newRoom(t, alice, room, nil, 0)
	depart := testNow.Add(48 * time.Hour)
	ride := domain.Ride{Title: "Amsterdam to Berlin", Route: [][2]float64{{4.89, 52.37}, {13.4, 52.52}},
		DepartAt: depart, Seats: 3, SeatsLeft: 3, PricePerSeat: 20, Currency: "EUR"}
	d1 := newRide(t, alice, ride)
	mustStore(t, s, r1, d1)

	bound := orb.Bound{Min: orb.Point{4, 52}, Max: orb.Point{14, 53}}
	found := func() (rooms, rides, along int) {
		t.Helper()
		rs, err := s.SearchRooms(ctx, RoomQuery{})
		if err != nil {
			t.Fatal(err)
		}
		ranked, err := s.SearchRooms(ctx, RoomQuery{Bound: &bound, Text: "canal"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ranked) != len(rs) {
			t.Fatalf("%d rooms in the view, %d everywhere", len(ranked), len(rs))
		}
		ds, err := s.Rides(ctx, RideQuery{Bound: &bound})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := s.SearchRides(ctx, RideSearch{RideQuery: domain.RideQuery{Pickup: orb.Point{4.89, 52.37}, Dropoff: orb.Point{13.4, 52.52}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(rs), len(ds), len(ms)
	}
	if r, d, m := found(); r != 1 || d != 1 || m != 1 {
		t.Fatalf("before pausing: %d rooms, %d rides, %d along the route; want 1 each", r, d, m)
	}

	room.Paused, ride.Paused = true, true
	r2 := newRoom(t, alice, room, &r1, time.Second)
	d2, err := alice.NewRideRecord(ride, &d1, testNow.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, r2, d2)
	if r, d, m := found(); r != 0 || d != 0 || m != 0 {
		t.Fatalf("paused: %d rooms, %d rides, %d along the route; want none", r, d, m)
	}
	if got, err := s.Record(ctx, r1.ID); err != nil || got.Version != 2 {
		t.Fatalf("paused room's record: version %d, %v; want version 2 kept", got.Version, err)
	}
	if info, err := blobs.Info(ctx, photo); err != nil || !info.Pinned {
		t.Errorf("a paused room's photo is not pinned: %+v", info)
	}

	room.Paused, ride.Paused = false, false
	r3 := newRoom(t, alice, room, &r2, 2*time.Second)
	d3, err := alice.NewRideRecord(ride, &d2, testNow.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, r3, d3)
	if r, d, m := found(); r != 1 || d != 1 || m != 1 {
		t.Fatalf("resumed: %d rooms, %d rides, %d along the route; want 1 each", r, d, m)
	}
	if err := s.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := found(); r != 1 {
		t.Fatalf("after Rebuild: %d rooms, want 1", r)
	}
}
