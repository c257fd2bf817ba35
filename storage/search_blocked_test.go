package storage

import (
	"database/sql"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// TestBlockedSpan checks that the triggers of migration 0010 keep each
// room's blocked_from and blocked_to the span of its blocked days, whatever
// order the room and its calendar's versions arrive in, and that a search
// honours the calendar through them.
func TestBlockedSpan(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	room := newRoom(t, alice, baseRoom(), nil, 0)
	cal := func(prev *domain.Record, at time.Duration, blocked ...domain.DateRange) domain.Record {
		t.Helper()
		r, err := alice.NewCalendarRecord(domain.Calendar{RoomID: room.ID, Blocked: blocked}, room.Cells[0], prev, testNow.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	day := func(date string) int64 {
		d, err := time.Parse(domain.DateLayout, date)
		if err != nil {
			t.Fatal(err)
		}
		return epochDay(d)
	}
	// span is the room's (blocked_from, blocked_to), checked against
	// room_blocked; 0, 0 for NULL.
	span := func() (int64, int64) {
		t.Helper()
		var from, to, wantFrom, wantTo sql.NullInt64
		if err := s.r.QueryRowContext(ctx, `SELECT r.blocked_from, r.blocked_to,
				(SELECT min(from_day) FROM room_blocked b WHERE b.room_id = r.id AND b.author = r.author),
				(SELECT max(to_day) FROM room_blocked b WHERE b.room_id = r.id AND b.author = r.author)
			FROM rooms r WHERE r.id = ?`, room.ID).Scan(&from, &to, &wantFrom, &wantTo); err != nil {
			t.Fatal(err)
		}
		if from != wantFrom || to != wantTo {
			t.Fatalf("span %v %v, room_blocked says %v %v", from, to, wantFrom, wantTo)
		}
		return from.Int64, to.Int64
	}
	free := func(from, to string) bool {
		t.Helper()
		return len(search(t, s, RoomQuery{From: from, To: to})) == 1
	}

	// The calendar first, then the room.
	c1 := cal(nil, 0, domain.DateRange{From: "2026-12-10", To: "2026-12-12"}, domain.DateRange{From: "2026-12-01", To: "2026-12-04"})
	mustStore(t, s, c1, room)
	if from, to := span(); from != day("2026-12-01") || to != day("2026-12-12") {
		t.Fatalf("after calendar then room: span %d %d", from, to)
	}
	if free("2026-12-02", "2026-12-03") || !free("2026-12-05", "2026-12-08") || free("2026-12-11", "2026-12-14") || !free("2026-12-12", "2026-12-14") {
		t.Fatal("the search does not honour the calendar")
	}
	// A new version of the calendar replaces its days.
	c2 := cal(&c1, time.Minute, domain.DateRange{From: "2026-12-20", To: "2026-12-22"})
	mustStore(t, s, c2)
	if from, to := span(); from != day("2026-12-20") || to != day("2026-12-22") {
		t.Fatalf("after a new calendar: span %d %d", from, to)
	}
	if !free("2026-12-02", "2026-12-03") || free("2026-12-21", "2026-12-23") {
		t.Fatal("the search does not honour the new calendar")
	}
	// A new version of the room keeps them.
	room2 := newRoom(t, alice, baseRoom(), &room, time.Minute)
	mustStore(t, s, room2)
	if from, to := span(); from != day("2026-12-20") || to != day("2026-12-22") {
		t.Fatalf("after a new room: span %d %d", from, to)
	}
	// A deleted calendar leaves none.
	mustStore(t, s, newTombstone(t, alice, c2))
	if from, to := span(); from != 0 || to != 0 {
		t.Fatalf("after the calendar's tombstone: span %d %d", from, to)
	}
	if !free("2026-12-21", "2026-12-23") {
		t.Fatal("a deleted calendar still blocks")
	}
}
