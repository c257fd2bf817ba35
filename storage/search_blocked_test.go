package storage

import (
	"cmp"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

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

// TestBlockedDaysOracle checks the bitmap of blocked days on each room's row
// (migration 0012) against the room's rows in room_blocked, and room
// searches with dates against a scan of those rows, while random calendars
// come and go: several per room, overlapping and touching ranges, spans
// longer than a bitmap holds, calendars before their room, new versions and
// tombstones of both, and calendars of another author naming the room.
func TestBlockedDaysOracle(t *testing.T) {
	s := openTest(t)
	rng := rand.New(rand.NewPCG(12, 34))
	alice, bob := newIdentity(t), newIdentity(t)
	type roomState struct {
		room   domain.Room
		rec    domain.Record // latest version signed
		stored bool
	}
	rooms := make([]*roomState, 30)
	for i := range rooms {
		r := baseRoom()
		p := near(rng, orb.Point{4.89, 52.37}, 5)
		r.Lat, r.Lon, r.PricePerNight = p.Lat(), p.Lon(), float64(20+rng.IntN(10)*5)
		rooms[i] = &roomState{room: r, rec: newRoom(t, alice, r, nil, time.Duration(i)*time.Millisecond)}
	}
	var cals []domain.Record // latest version of each calendar, tombstones included
	var calRooms []string    // the room of each
	day0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	date := func(d int) string { return day0.AddDate(0, 0, d).Format(domain.DateLayout) }
	ranges := func() []domain.DateRange {
		var out []domain.DateRange
		spread := 30
		if rng.IntN(4) == 0 {
			spread = 90 // spans over 62 days: no bitmap
		}
		for range rng.IntN(5) {
			from := rng.IntN(spread)
			out = append(out, domain.DateRange{From: date(from), To: date(from + 1 + rng.IntN(8))})
		}
		return out
	}
	at := time.Second
	tick := func() time.Duration { at += time.Second; return at }
	check := func(step int) {
		t.Helper()
		got, blocked := checkBlockedDays(t, s.r)
		// Searches with dates, ranked with the count capped (the calendar
		// checked in Go) and newest first (checked in SQL), against a scan.
		view := orb.Bound{Min: orb.Point{4, 52}, Max: orb.Point{6, 53}}
		for range 5 {
			from := rng.IntN(95)
			to := from + 1 + rng.IntN(8)
			if rng.IntN(6) == 0 {
				to = from + 63 + rng.IntN(5) // too many nights for a mask
			}
			nf, nt := epochDay(day0)+int64(from), epochDay(day0)+int64(to)
			var cands []domain.RoomCandidate
			var newest []string
			byIssue := slices.Clone(rooms)
			slices.SortFunc(byIssue, func(a, b *roomState) int { return cmp.Compare(b.rec.IssuedAt, a.rec.IssuedAt) })
			for _, r := range byIssue {
				if _, ok := got[r.rec.ID]; !ok {
					continue
				}
				ok := true
				for _, d := range blocked[r.rec.ID] {
					ok = ok && !(d[0] < nt && d[1] > nf)
				}
				if ok {
					cands = append(cands, domain.RoomCandidate{ID: r.rec.ID, Location: r.room.Point(), Price: r.room.PricePerNight})
					newest = append(newest, r.rec.ID)
				}
			}
			domain.RankRooms(view, cands)
			want := make([]string, 0, 5)
			for _, c := range cands[:min(5, len(cands))] {
				want = append(want, c.ID)
			}
			q := RoomQuery{Bound: &view, From: date(from), To: date(to), Limit: 5, CountCap: 3}
			page, err := s.FindRooms(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if ids := hitIDs(page.Hits); !slices.Equal(ids, want) {
				t.Fatalf("step %d: ranked %s to %s: got %v, want %v", step, q.From, q.To, ids, want)
			}
			q.Bound, q.Limit, q.CountCap = nil, 0, 0
			page, err = s.FindRooms(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if ids := hitIDs(page.Hits); !slices.Equal(ids, newest) {
				t.Fatalf("step %d: newest %s to %s: got %v, want %v", step, q.From, q.To, ids, newest)
			}
		}
	}
	for step := range 300 {
		r := rooms[rng.IntN(len(rooms))]
		switch k := rng.IntN(10); {
		case k < 2: // the room, or a new version of it
			if r.stored {
				r.rec = newRoom(t, alice, r.room, &r.rec, tick())
			}
			mustStore(t, s, r.rec)
			r.stored = true
		case k < 5: // a new calendar of the room, perhaps by someone else
			id := alice
			if rng.IntN(6) == 0 {
				id = bob
			}
			c, err := id.NewCalendarRecord(domain.Calendar{RoomID: r.rec.ID, Blocked: ranges()}, r.rec.Cells[0], nil, testNow.Add(tick()))
			if err != nil {
				t.Fatal(err)
			}
			// Another author's calendar is refused once the room is
			// stored, and kept (and ignored by searches) before.
			if o := ingest(t, s, c); o[0].Status == Stored {
				cals, calRooms = append(cals, c), append(calRooms, r.rec.ID)
			} else if id == alice {
				t.Fatalf("calendar: %v %v", o[0].Status, o[0].Err)
			}
		case k < 8 && len(cals) > 0: // a new version of a calendar
			i := rng.IntN(len(cals))
			prev := cals[i]
			if prev.Kind == domain.KindTombstone {
				continue
			}
			id := alice
			if prev.Author != alice.PeerID().String() {
				id = bob
			}
			c, err := id.NewCalendarRecord(domain.Calendar{RoomID: calRooms[i], Blocked: ranges()}, prev.Cells[0], &prev, testNow.Add(tick()))
			if err != nil {
				t.Fatal(err)
			}
			if o := ingest(t, s, c); o[0].Status == Stored {
				cals[i] = c
			} else if id == alice {
				t.Fatalf("calendar: %v %v", o[0].Status, o[0].Err)
			}
		case len(cals) > 0: // a calendar deleted
			i := rng.IntN(len(cals))
			if cals[i].Kind == domain.KindTombstone {
				continue
			}
			id := alice
			if cals[i].Author != alice.PeerID().String() {
				id = bob
			}
			ts, err := id.NewTombstone(cals[i], testNow.Add(tick()))
			if err != nil {
				t.Fatal(err)
			}
			mustStore(t, s, ts)
			cals[i] = ts
		}
		if step%10 == 9 {
			check(step)
		}
	}
}

// checkBlockedDays checks every room's span and bitmap of blocked days
// against its rows in room_blocked, and returns them and those rows.
func checkBlockedDays(t *testing.T, db *sql.DB) (map[string]blockedCols, map[string][][2]int64) {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT r.id, r.blocked_from, r.blocked_to, r.blocked_days FROM rooms r`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]blockedCols{}
	for rows.Next() {
		var id string
		var c blockedCols
		if err := rows.Scan(&id, &c.from, &c.to, &c.days); err != nil {
			t.Fatal(err)
		}
		got[id] = c
	}
	rows.Close()
	blocked := map[string][][2]int64{}
	rows, err = db.QueryContext(ctx, `SELECT b.room_id, b.from_day, b.to_day FROM room_blocked b JOIN rooms r
		ON r.id = b.room_id AND r.author = b.author`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var d [2]int64
		if err := rows.Scan(&id, &d[0], &d[1]); err != nil {
			t.Fatal(err)
		}
		blocked[id] = append(blocked[id], d)
	}
	rows.Close()
	for id, c := range got {
		var want blockedCols
		for _, d := range blocked[id] {
			if !want.from.Valid || d[0] < want.from.Int64 {
				want.from = sql.NullInt64{Int64: d[0], Valid: true}
			}
			if !want.to.Valid || d[1] > want.to.Int64 {
				want.to = sql.NullInt64{Int64: d[1], Valid: true}
			}
		}
		if want.from.Valid && want.to.Int64-want.from.Int64 <= 62 {
			want.days.Valid = true
			for _, d := range blocked[id] {
				for day := d[0]; day < d[1]; day++ {
					want.days.Int64 |= 1 << (day - want.from.Int64)
				}
			}
		}
		if c != want {
			t.Fatalf("room %s: span and bitmap %+v, room_blocked %v says %+v", id, c, blocked[id], want)
		}
	}
	return got, blocked
}

// TestBlockedDaysMigration checks that migration 0012 gives the rooms of an
// older store their bitmaps: overlapping, touching and nested ranges, a span
// too long for one, and another author's days, which are not the room's.
func TestBlockedDaysMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := storeAtVersion(t, path, 11)
	ranges := [][][3]int64{
		{{100, 103, 0}, {102, 105, 0}, {110, 111, 0}}, // overlapping, then apart
		{{200, 203, 0}, {203, 204, 0}, {201, 202, 0}}, // touching, nested
		{{300, 310, 0}, {300, 310, 0}, {330, 362, 0}}, // twice the same; 62 days in all
		{{400, 401, 0}, {462, 464, 0}},                // 64 days: no bitmap
		{{500, 502, 1}},                               // another author's
		{{600, 602, 0}, {599, 601, 1}, {640, 641, 0}}, // both authors
		{}, // none
	}
	for i, rs := range ranges {
		id := fmt.Sprintf("room-%d", i)
		for _, r := range rs {
			if _, err := db.Exec(`INSERT INTO room_blocked(cal_rid, room_id, author, from_day, to_day) VALUES (?, ?, ?, ?, ?)`,
				1000+i, id, fmt.Sprintf("author-%d", r[2]), r[0], r[1]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Exec(`INSERT INTO rooms(rid, id, author, version, issued_at, expires_at, title, description,
			lat, lon, price_per_night, currency, max_guests, amenities, photos)
			VALUES (?, ?, 'author-0', 1, 0, 0, '', '', 0, 0, 0, 'EUR', 1, '[]', '[]')`, i+1, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	got, _ := checkBlockedDays(t, s.r)
	if len(got) != len(ranges) {
		t.Fatalf("%d rooms after the migration, want %d", len(got), len(ranges))
	}
	if c := got["room-3"]; c.days.Valid || !c.from.Valid {
		t.Errorf("a span of 64 days has a bitmap: %+v", c)
	}
	if c := got["room-2"]; !c.days.Valid {
		t.Errorf("a span of 62 days has none: %+v", c)
	}
}

// blockedCols are a room's blocked_from, blocked_to and blocked_days.
type blockedCols struct{ from, to, days sql.NullInt64 }
