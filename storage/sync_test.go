package storage

import (
	"errors"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// mixedFixture stores rooms in two cells, a calendar, a ride, a profile and a
// tombstone, and returns them in the order stored.
func mixedFixture(t *testing.T, s *Store) []domain.Record {
	t.Helper()
	alice, bob := newIdentity(t), newIdentity(t)
	var recs []domain.Record
	for i := range 8 {
		room := baseRoom()
		room.Lon += float64(i) * 0.01
		room.Title = "Room " + string(rune('A'+i))
		by := alice
		if i%2 == 1 {
			by = bob
		}
		// Some share an issued_at, so the order falls to the hash.
		recs = append(recs, newRoom(t, by, room, nil, time.Duration(i/2)*time.Second))
	}
	lyon := baseRoom()
	lyon.Lat, lyon.Lon = 45.76, 4.84
	recs = append(recs, newRoom(t, alice, lyon, nil, 0))
	recs = append(recs, newCalendar(t, alice, recs[0], domain.DateRange{From: "2026-12-01", To: "2026-12-04"}))
	recs = append(recs, newCalendar(t, alice, recs[8], domain.DateRange{From: "2026-12-01", To: "2026-12-04"}))
	recs = append(recs, newRide(t, bob, domain.Ride{Title: "Amsterdam to Utrecht", Route: [][2]float64{{4.89, 52.37}, {5.12, 52.09}},
		DepartAt: testNow.Add(48 * time.Hour), Seats: 2, PricePerSeat: 8, Currency: "EUR"}))
	prof, err := alice.NewProfileRecord(domain.Profile{Name: "Alice"}, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, prof)
	gone := newRoom(t, bob, baseRoom(), nil, 0)
	recs = append(recs, gone, newTombstone(t, bob, gone))
	mustStore(t, s, recs...)
	return recs
}

func TestSyncItemsAndRecordsByItems(t *testing.T) {
	s := openTest(t)
	recs := mixedFixture(t, s)
	cell := recs[0].Cells[0]
	items, err := s.SyncItems(ctx, cell)
	if err != nil {
		t.Fatal(err)
	}
	// Current records of the cell: the current versions only (the deleted room
	// is there as its tombstone).
	var want []domain.SyncItem
	for i, r := range recs {
		if slices.Contains(r.Cells, cell) && i != len(recs)-2 {
			want = append(want, r.Item())
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Less(want[j]) })
	if !slices.Equal(items, want) {
		t.Fatalf("SyncItems(%s) = %d items, want %d in (issued_at, hash) order", cell, len(items), len(want))
	}
	if !slices.IsSortedFunc(items, func(a, b domain.SyncItem) int {
		if a.Less(b) {
			return -1
		}
		return 1
	}) {
		t.Fatal("not sorted")
	}
	ask := append(slices.Clone(items), domain.SyncItem{IssuedAt: 1, Hash: [32]byte{1}}, recs[len(recs)-2].Item(), items[0]) // unknown; superseded; again
	raws, err := s.RecordsByItems(ctx, cell, ask)
	if err != nil {
		t.Fatal(err)
	}
	if len(raws) != len(items) {
		t.Fatalf("RecordsByItems: %d records, want %d", len(raws), len(items))
	}
	for i, raw := range raws {
		r, err := domain.DecodeRecord(raw)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if r.Item() != items[i] {
			t.Errorf("record %d: item %v, want %v", i, r.Item(), items[i])
		}
		if again, _ := r.Encode(); string(again) != string(raw) {
			t.Errorf("record %d: not as encoded", i)
		}
		if err := domain.Validate(&r, testNow); err != nil {
			t.Errorf("record %d no longer valid: %v", i, err)
		}
	}

	cells, err := s.Cells(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wantCells []string
	for i, r := range recs {
		if i != len(recs)-2 {
			wantCells = append(wantCells, r.Cells...)
		}
	}
	slices.Sort(wantCells)
	wantCells = slices.Compact(wantCells)
	if !slices.Equal(cells, wantCells) {
		t.Fatalf("Cells = %v, want %v", cells, wantCells)
	}
	if items, err := s.SyncItems(ctx, "6/0/0"); err != nil || len(items) != 0 {
		t.Fatalf("SyncItems of an empty cell = %v, %v", items, err)
	}
}

func TestSyncItemsLeaveOutExpired(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	old := newRoom(t, alice, baseRoom(), nil, -time.Hour)
	young := newRoom(t, alice, baseRoom(), nil, 0)
	mustStore(t, s, old, young)
	s.now = func() time.Time { return old.Expires() }
	items, err := s.SyncItems(ctx, old.Cells[0])
	if err != nil || len(items) != 1 || items[0] != young.Item() {
		t.Fatalf("SyncItems after the first expired: %v, %v", items, err)
	}
}

func exportAll(t *testing.T, s *Store, bound *orb.Bound) []domain.Record {
	t.Helper()
	var out []domain.Record
	if err := s.Export(ctx, bound, func(r domain.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportRoundTrip(t *testing.T) {
	s := openTest(t)
	recs := mixedFixture(t, s)
	all := exportAll(t, s, nil)
	if len(all) != count(t, s) {
		t.Fatalf("exported %d of %d records", len(all), count(t, s))
	}
	for i, o := range ingest(t, s, all...) {
		if o.Status != Duplicate {
			t.Errorf("re-import of %s %d: %v %v, want duplicate", all[i].Kind, i, o.Status, o.Err)
		}
	}
	fresh := openTest(t)
	mustStore(t, fresh, all...)
	if a, b := count(t, s), count(t, fresh); a != b {
		t.Fatalf("fresh store has %d records, want %d", b, a)
	}
	if a, b := hitIDs(search(t, s, RoomQuery{From: "2026-12-02", To: "2026-12-03"})), hitIDs(search(t, fresh, RoomQuery{From: "2026-12-02", To: "2026-12-03"})); !slices.Equal(a, b) {
		t.Fatalf("search differs after import: %v vs %v", a, b)
	}

	// With a bound around Lyon: its room and calendar only.
	lyon := orb.Bound{Min: orb.Point{4.5, 45.5}, Max: orb.Point{5, 46}}
	got := exportAll(t, s, &lyon)
	if len(got) != 2 || got[0].ID != recs[8].ID || got[1].ID != recs[10].ID {
		t.Fatalf("export around Lyon: %d records %v", len(got), kinds(got))
	}
	// Around Amsterdam: eight rooms, a calendar, the ride and the tombstone.
	ams := orb.Bound{Min: orb.Point{4.8, 52.3}, Max: orb.Point{5.0, 52.4}}
	got = exportAll(t, s, &ams)
	want := map[domain.Kind]int{domain.KindRoom: 8, domain.KindCalendar: 1, domain.KindRide: 1, domain.KindTombstone: 1}
	if k := kindCount(got); !maps(k, want) {
		t.Fatalf("export around Amsterdam: %v, want %v", k, want)
	}

	stop := errors.New("stop")
	n := 0
	if err := s.Export(ctx, nil, func(domain.Record) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Export with a failing callback: %v after %d", err, n)
	}
}

func kinds(recs []domain.Record) []domain.Kind {
	var out []domain.Kind
	for _, r := range recs {
		out = append(out, r.Kind)
	}
	return out
}

func kindCount(recs []domain.Record) map[domain.Kind]int {
	out := map[domain.Kind]int{}
	for _, r := range recs {
		out[r.Kind]++
	}
	return out
}

func maps[K comparable](a, b map[K]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSweepExpired(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	old := newRoom(t, alice, baseRoom(), nil, -2*time.Hour)
	cal := newCalendar(t, alice, old, domain.DateRange{From: "2026-12-01", To: "2026-12-02"})
	young := newRoom(t, alice, baseRoom(), nil, 0)
	ride := newRide(t, alice, domain.Ride{Title: "Soon", Route: [][2]float64{{4.89, 52.37}, {5.12, 52.09}},
		DepartAt: testNow.Add(time.Hour), Seats: 2, Currency: "EUR"})
	mustStore(t, s, old, cal, young, ride)
	if _, err := s.IngestOwn(ctx, newRoom(t, alice, baseRoom(), &old, -time.Hour), testNow); err != nil {
		t.Fatal(err)
	}
	at := old.Expires().Add(time.Hour) // after the old room (v2 too) and the ride, before the calendar and young
	n, err := s.SweepExpired(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || count(t, s) != 2 {
		t.Fatalf("swept %d, %d left; want 2 and 2", n, count(t, s))
	}
	for table, want := range map[string]int{"rooms": 1, "rooms_geo": 1, "rooms_fts": 1, "room_amenities": 2, "rides": 0,
		"rides_geo": 0, "calendars": 1, "room_blocked": 1, "record_cells": 2, "outbox": 0} {
		if got := rowCount(t, s, table); got != want {
			t.Errorf("%s: %d rows after sweep, want %d", table, got, want)
		}
	}
	if n, err := s.SweepExpired(ctx, at); err != nil || n != 0 {
		t.Fatalf("second sweep: %d, %v", n, err)
	}
}

func rowCount(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackup(t *testing.T) {
	s := openTest(t)
	mixedFixture(t, s)
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	b := openAt(t, dest)
	if a, c := count(t, s), count(t, b); a != c {
		t.Fatalf("backup has %d records, want %d", c, a)
	}
	if a, c := hitIDs(search(t, s, RoomQuery{Text: "room"})), hitIDs(search(t, b, RoomQuery{Text: "room"})); !slices.Equal(a, c) || len(a) == 0 {
		t.Fatalf("backup search %v, want %v", c, a)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Fatal("backup over an existing file: no error")
	}
}

func TestRebuild(t *testing.T) {
	s := openTest(t)
	mixedFixture(t, s)
	queries := []RoomQuery{{}, {Text: "room"}, {From: "2026-12-01", To: "2026-12-02"}, {Amenities: []string{"wifi"}},
		{Bound: &orb.Bound{Min: orb.Point{4.8, 52.3}, Max: orb.Point{5.0, 52.4}}}}
	before := make([][]RoomHit, len(queries))
	for i, q := range queries {
		before[i] = search(t, s, q)
	}
	tables := []string{"rooms", "rooms_geo", "rooms_fts", "room_amenities", "rides", "rides_geo", "ride_legs_geo", "calendars", "room_blocked", "record_cells"}
	counts := map[string]int{}
	for _, tb := range tables {
		counts[tb] = rowCount(t, s, tb)
	}
	// Damage the derived tables; Rebuild must not care.
	for _, q := range []string{`DELETE FROM rooms_geo`, `DELETE FROM rooms WHERE rid % 2 = 0`, `DELETE FROM record_cells`, `DELETE FROM room_blocked`} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	for i, q := range queries {
		if got := search(t, s, q); jsonText(got) != jsonText(before[i]) {
			t.Errorf("%+v: after rebuild %v, before %v", q, hitIDs(got), hitIDs(before[i]))
		}
	}
	for _, tb := range tables {
		if got := rowCount(t, s, tb); got != counts[tb] {
			t.Errorf("%s: %d rows after rebuild, %d before", tb, got, counts[tb])
		}
	}
}

func TestReopenIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caravan.db")
	// Several processes may create the file at once.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(path)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openAt(t, path)
	mixedFixture(t, s)
	n := count(t, s)
	again := openAt(t, path)
	if count(t, again) != n {
		t.Fatalf("reopened store has %d records, want %d", count(t, again), n)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := again.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != len(ms) {
		t.Fatalf("user_version %d, %v; want %d", v, err, len(ms))
	}
}

func TestTwoHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caravan.db")
	node, cli := openAt(t, path), openAt(t, path)
	v0, err := node.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := node.DataVersion(ctx); err != nil || v != v0 {
		t.Fatalf("data version moved with no change: %d -> %d, %v", v0, v, err)
	}
	// The node's own writes are not another process's.
	if err := node.PutState(ctx, "status", []byte("up")); err != nil {
		t.Fatal(err)
	}
	prof, err := newIdentity(t).NewProfileRecord(domain.Profile{Name: "Bea"}, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, node, prof)
	if v, err := node.DataVersion(ctx); err != nil || v != v0 {
		t.Fatalf("data version moved with the store's own writes: %d -> %d, %v", v0, v, err)
	}
	alice := newIdentity(t)
	rec := newRoom(t, alice, baseRoom(), nil, 0)
	if o, err := cli.IngestOwn(ctx, rec, testNow); err != nil || o.Status != Stored {
		t.Fatalf("IngestOwn through the CLI handle: %v, %v", o, err)
	}
	v1, err := node.DataVersion(ctx)
	if err != nil || v1 == v0 {
		t.Fatalf("data version did not change after another handle wrote: %d -> %d, %v", v0, v1, err)
	}
	out, err := node.Outbox(ctx, 10)
	if err != nil || len(out) != 1 || out[0].Hash() != rec.Hash() {
		t.Fatalf("node's outbox: %d records, %v", len(out), err)
	}
	if hits := search(t, node, RoomQuery{Text: "canal"}); len(hits) != 1 {
		t.Fatalf("node finds %d rooms, want 1", len(hits))
	}
	if err := node.MarkPublished(ctx, rec.Hash()); err != nil {
		t.Fatal(err)
	}
	if out, err := cli.Outbox(ctx, 10); err != nil || len(out) != 0 {
		t.Fatalf("CLI's outbox after the node published: %d, %v", len(out), err)
	}

	if _, _, err := cli.State(ctx, "addrs"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("State of an unset key: %v, want ErrNotFound", err)
	}
	for _, v := range []string{`["/ip4/127.0.0.1/tcp/4001"]`, `[]`} {
		if err := node.PutState(ctx, "addrs", []byte(v)); err != nil {
			t.Fatal(err)
		}
		got, at, err := cli.State(ctx, "addrs")
		if err != nil || string(got) != v || !at.Equal(testNow) {
			t.Fatalf("State = %q at %v, %v; want %q at %v", got, at, err, v, testNow)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caravan.db")
	a, b := openAt(t, path), openAt(t, path)
	ids := make([]*domain.Identity, 4)
	for i := range ids {
		ids[i] = newIdentity(t)
	}
	var wg sync.WaitGroup
	for i, id := range ids {
		s := []*Store{a, b}[i%2]
		wg.Go(func() {
			for j := range 10 {
				room := baseRoom()
				room.Lat += float64(j) * 0.001
				if _, err := s.Ingest(ctx, []domain.Record{newRoom(t, id, room, nil, 0)}, testNow); err != nil {
					t.Error(err)
				}
				if _, err := s.SearchRooms(ctx, RoomQuery{Text: "canal", Limit: 5}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := count(t, a); n != 40 {
		t.Fatalf("%d records, want 40", n)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caravan.db")
	s := openAt(t, path)
	if _, err := s.w.ExecContext(ctx, "PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(path); err == nil {
		s2.Close()
		t.Fatal("opened a file with a newer schema")
	}
}
