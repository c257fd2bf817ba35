package storage

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// testNow is the clock of every test store.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var ctx = context.Background()

// openAt opens a store at path whose clock is testNow.
func openAt(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return testNow }
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// openTest opens a fresh store in a temporary directory.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "caravan.db"))
}

func newIdentity(t testing.TB) *domain.Identity {
	t.Helper()
	id, err := domain.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func baseRoom() domain.Room {
	return domain.Room{
		Title: "Quiet room by the canal", Description: "Bright, two windows.",
		Lat: 52.37, Lon: 4.89, PricePerNight: 45, Currency: "EUR", MaxGuests: 2,
		Amenities: []string{"wifi", "kitchen"},
	}
}

// newRoom signs a room issued at testNow+at (a new version of prev if given).
func newRoom(t testing.TB, id *domain.Identity, room domain.Room, prev *domain.Record, at time.Duration) domain.Record {
	t.Helper()
	r, err := id.NewRoomRecord(room, prev, testNow.Add(at))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newCalendar(t testing.TB, id *domain.Identity, room domain.Record, blocked ...domain.DateRange) domain.Record {
	t.Helper()
	r, err := id.NewCalendarRecord(domain.Calendar{RoomID: room.ID, Blocked: blocked}, room.Cells[0], nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newRide(t testing.TB, id *domain.Identity, ride domain.Ride) domain.Record {
	t.Helper()
	r, err := id.NewRideRecord(ride, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newTombstone(t testing.TB, id *domain.Identity, prev domain.Record) domain.Record {
	t.Helper()
	r, err := id.NewTombstone(prev, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// resigned is r changed by f and signed again by id.
func resigned(id *domain.Identity, r domain.Record, f func(*domain.Record)) domain.Record {
	r.Cells = append([]string(nil), r.Cells...)
	f(&r)
	id.Sign(&r)
	return r
}

// ingest stores recs at testNow and returns their outcomes.
func ingest(t testing.TB, s *Store, recs ...domain.Record) []Outcome {
	t.Helper()
	out, err := s.Ingest(ctx, recs, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(recs) {
		t.Fatalf("%d outcomes for %d records", len(out), len(recs))
	}
	return out
}

// mustStore ingests recs and fails unless all are stored.
func mustStore(t testing.TB, s *Store, recs ...domain.Record) {
	t.Helper()
	for i, o := range ingest(t, s, recs...) {
		if o.Status != Stored {
			t.Fatalf("record %d (%s): %v %v, want stored", i, recs[i].Kind, o.Status, o.Err)
		}
	}
}

func count(t testing.TB, s *Store) int {
	t.Helper()
	n, err := s.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func search(t testing.TB, s *Store, q RoomQuery) []RoomHit {
	t.Helper()
	hits, err := s.SearchRooms(ctx, q)
	if err != nil {
		t.Fatalf("SearchRooms(%+v): %v", q, err)
	}
	return hits
}

func hitIDs(hits []RoomHit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

// storeAtVersion makes a store file at path with only the first n
// migrations, as an older release left it, and returns it open for the test
// to fill before Open upgrades it.
func storeAtVersion(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(driverName, dsn(path, connOther))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:n] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
		t.Fatal(err)
	}
	return db
}
