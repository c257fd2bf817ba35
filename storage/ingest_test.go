package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

func TestIngestOutcomes(t *testing.T) {
	alice, bob := newIdentity(t), newIdentity(t)
	v1 := newRoom(t, alice, baseRoom(), nil, 0)
	cheaper := baseRoom()
	cheaper.PricePerNight = 30
	v2 := newRoom(t, alice, cheaper, &v1, time.Minute)
	withBody := func(f func(*domain.Room)) domain.Record {
		return resigned(alice, v1, func(r *domain.Record) {
			room := baseRoom()
			f(&room)
			r.Body, _ = json.Marshal(room)
		})
	}

	tests := []struct {
		name   string
		before []domain.Record // stored first
		rec    domain.Record
		want   Status
		reason domain.Reason // for Rejected
	}{
		{"new", nil, v1, Stored, ""},
		{"duplicate", []domain.Record{v1}, v1, Duplicate, ""},
		{"newer version", []domain.Record{v1}, v2, Stored, ""},
		{"older version", []domain.Record{v2}, v1, Older, ""},
		{"bad signature", nil, func() domain.Record {
			r := v1
			r.Sig = append([]byte(nil), r.Sig...)
			r.Sig[5] ^= 1
			return r
		}(), Rejected, domain.ReasonBadSignature},
		{"edited body", nil, func() domain.Record {
			r := v1
			r.Body = []byte(strings.Replace(string(r.Body), "45", "4", 1))
			return r
		}(), Rejected, domain.ReasonBadSignature},
		{"another author on an existing id", []domain.Record{v1},
			resigned(bob, v2, func(*domain.Record) {}), Rejected, domain.ReasonNotOwner},
		{"future", nil, resigned(alice, v1, func(r *domain.Record) {
			r.IssuedAt = testNow.Add(time.Hour).UnixMilli()
			r.ExpiresAt = r.IssuedAt + 1000
		}), Rejected, domain.ReasonFuture},
		{"latitude out of range", nil, withBody(func(r *domain.Room) { r.Lat = 90.5 }), Rejected, domain.ReasonBadCoordinate},
		{"longitude out of range", nil, withBody(func(r *domain.Room) { r.Lon = 181 }), Rejected, domain.ReasonBadCoordinate},
		{"oversized body", nil, withBody(func(r *domain.Room) { r.Description = strings.Repeat("long ", 14000) }), Rejected, domain.ReasonTooLarge},
		{"calendar of another's room", []domain.Record{v1},
			newCalendar(t, bob, v1, domain.DateRange{From: "2026-12-01", To: "2026-12-03"}), Rejected, domain.ReasonNotOwner},
		{"calendar of own room", []domain.Record{v1},
			newCalendar(t, alice, v1, domain.DateRange{From: "2026-12-01", To: "2026-12-03"}), Stored, ""},
		{"tombstone", []domain.Record{v1}, newTombstone(t, alice, v1), Stored, ""},
		{"stale copy after tombstone", []domain.Record{v1, newTombstone(t, alice, v1)}, v1, Older, ""},
		{"expired", nil, resigned(alice, v1, func(r *domain.Record) {
			r.IssuedAt = testNow.Add(-59 * 24 * time.Hour).UnixMilli()
			r.ExpiresAt = testNow.Add(-time.Hour).UnixMilli()
		}), Rejected, domain.ReasonExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			mustStore(t, s, tc.before...)
			n := count(t, s)
			got := ingest(t, s, tc.rec)[0]
			if got.Status != tc.want {
				t.Fatalf("status %v (%v), want %v", got.Status, got.Err, tc.want)
			}
			if tc.want == Rejected {
				var re *domain.RejectError
				if !errors.As(got.Err, &re) || re.Reason != tc.reason {
					t.Fatalf("err %v, want a RejectError with reason %s", got.Err, tc.reason)
				}
			} else if got.Err != nil {
				t.Fatalf("err %v with status %v", got.Err, got.Status)
			}
			wantCount := n
			if tc.want == Stored && !slices.ContainsFunc(tc.before, func(b domain.Record) bool { return b.ID == tc.rec.ID }) {
				wantCount++ // a new id; a new version replaces its predecessor
			}
			if c := count(t, s); c != wantCount {
				t.Fatalf("count %d after %v, want %d", c, got.Status, wantCount)
			}
		})
	}
}

func TestIngestBatchSeesEarlierRecords(t *testing.T) {
	alice, bob := newIdentity(t), newIdentity(t)
	v1 := newRoom(t, alice, baseRoom(), nil, 0)
	v2 := newRoom(t, alice, baseRoom(), &v1, time.Minute)
	stolen := resigned(bob, v2, func(r *domain.Record) { r.Version = 5 })
	bad := v1
	bad.Sig = make([]byte, len(v1.Sig))
	s := openTest(t)
	out := ingest(t, s, v1, bad, v1, stolen, v2, v1, newCalendar(t, bob, v1))
	want := []Status{Stored, Rejected, Duplicate, Rejected, Stored, Older, Rejected}
	for i, o := range out {
		if o.Status != want[i] {
			t.Errorf("record %d: %v (%v), want %v", i, o.Status, o.Err, want[i])
		}
	}
	if n := count(t, s); n != 1 {
		t.Errorf("count %d, want 1", n)
	}
	got, err := s.Record(ctx, v1.ID)
	if err != nil || got.Version != 2 || got.Hash() != v2.Hash() {
		t.Errorf("Record = version %d, %v; want version 2", got.Version, err)
	}
	if _, err := s.Record(ctx, domain.NewID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Record of an unknown id: %v, want ErrNotFound", err)
	}
}

func TestNewVersionAndTombstone(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	v1 := newRoom(t, alice, baseRoom(), nil, 0)
	mustStore(t, s, v1)
	if hits := search(t, s, RoomQuery{MaxPrice: 50, Text: "canal"}); len(hits) != 1 || hits[0].PricePerNight != 45 {
		t.Fatalf("before the change: %+v", hits)
	}

	changed := baseRoom()
	changed.Title = "Loft near the station"
	changed.PricePerNight = 80
	changed.Amenities = []string{"sauna"}
	v2 := newRoom(t, alice, changed, &v1, time.Minute)
	mustStore(t, s, v2)
	for _, q := range []RoomQuery{{MaxPrice: 50}, {Text: "canal"}, {Amenities: []string{"wifi"}}} {
		if hits := search(t, s, q); len(hits) != 0 {
			t.Errorf("%+v still finds the old version: %+v", q, hits)
		}
	}
	hits := search(t, s, RoomQuery{Text: "station", Amenities: []string{"SAUNA"}})
	if len(hits) != 1 || hits[0].PricePerNight != 80 || hits[0].Version != 2 || hits[0].Title != changed.Title {
		t.Fatalf("after the change: %+v", hits)
	}

	tomb := newTombstone(t, alice, v2)
	mustStore(t, s, tomb)
	if hits := search(t, s, RoomQuery{}); len(hits) != 0 {
		t.Fatalf("deleted room still found: %+v", hits)
	}
	for _, stale := range []domain.Record{v1, v2} {
		if o := ingest(t, s, stale)[0]; o.Status != Older {
			t.Errorf("stale version %d after tombstone: %v %v, want older", stale.Version, o.Status, o.Err)
		}
	}
	if hits := search(t, s, RoomQuery{}); len(hits) != 0 {
		t.Fatalf("stale copy brought the room back: %+v", hits)
	}
	kinds, err := s.CountByKind(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 1 || kinds[domain.KindTombstone] != 1 {
		t.Errorf("CountByKind = %v, want one tombstone", kinds)
	}
	if got, err := s.Record(ctx, v1.ID); err != nil || got.Kind != domain.KindTombstone {
		t.Errorf("Record after delete: %v %v, want the tombstone", got.Kind, err)
	}
	if items, err := s.SyncItems(ctx, v1.Cells[0]); err != nil || len(items) != 1 || items[0] != tomb.Item() {
		t.Errorf("sync items after delete: %v %v, want the tombstone's only", items, err)
	}
}

func TestIngestOwnAndOutbox(t *testing.T) {
	s := openTest(t)
	alice := newIdentity(t)
	v1 := newRoom(t, alice, baseRoom(), nil, 0)
	o, err := s.IngestOwn(ctx, v1, testNow)
	if err != nil || o.Status != Stored {
		t.Fatalf("IngestOwn = %v, %v", o, err)
	}
	bad := resigned(alice, v1, func(r *domain.Record) { r.Version = 0 })
	if o, err := s.IngestOwn(ctx, bad, testNow); err != nil || o.Status != Rejected || domain.ReasonOf(o.Err) != domain.ReasonBadVersion {
		t.Fatalf("IngestOwn(bad) = %v, %v", o, err)
	}
	v2 := newRoom(t, alice, baseRoom(), &v1, time.Minute)
	if o, err := s.IngestOwn(ctx, v2, testNow); err != nil || o.Status != Stored {
		t.Fatalf("IngestOwn(v2) = %v, %v", o, err)
	}
	out, err := s.Outbox(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Hash() != v2.Hash() {
		t.Fatalf("outbox holds %d records, want only v2 (v1 was superseded)", len(out))
	}
	if err := s.MarkPublished(ctx, v2.Hash()); err != nil {
		t.Fatal(err)
	}
	if out, err := s.Outbox(ctx, 10); err != nil || len(out) != 0 {
		t.Fatalf("outbox after publishing: %d records, %v", len(out), err)
	}
	if err := s.Enqueue(ctx, v2); err != nil {
		t.Fatal(err)
	}
	if out, err := s.Outbox(ctx, 10); err != nil || len(out) != 1 {
		t.Fatalf("outbox after Enqueue: %d records, %v", len(out), err)
	}
}

func TestStatusString(t *testing.T) {
	for st, want := range map[Status]string{Stored: "stored", Duplicate: "duplicate", Older: "older", Rejected: "rejected", 0: "Status(0)"} {
		if st.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(st), st.String(), want)
		}
	}
}

func TestIngestEdgeCases(t *testing.T) {
	alice := newIdentity(t)
	t.Run("huge version", func(t *testing.T) {
		s := openTest(t)
		v1 := resigned(alice, newRoom(t, alice, baseRoom(), nil, 0), func(r *domain.Record) { r.Version = 1<<63 + 5 })
		v2 := resigned(alice, v1, func(r *domain.Record) { r.Version = 1<<64 - 1 })
		mustStore(t, s, v1, v2)
		if o := ingest(t, s, v1)[0]; o.Status != Older {
			t.Fatalf("older huge version: %v %v", o.Status, o.Err)
		}
		hits := search(t, s, RoomQuery{})
		if len(hits) != 1 || hits[0].Version != 1<<64-1 {
			t.Fatalf("hits %+v", hits)
		}
	})
	t.Run("room and tombstone in one batch", func(t *testing.T) {
		s := openTest(t)
		room := newRoom(t, alice, baseRoom(), nil, 0)
		mustStore(t, s, room, newTombstone(t, alice, room))
		for _, table := range []string{"rooms", "rooms_geo", "rooms_fts", "room_amenities"} {
			if n := rowCount(t, s, table); n != 0 {
				t.Errorf("%s: %d rows left", table, n)
			}
		}
		if hits := search(t, s, RoomQuery{Text: "canal"}); len(hits) != 0 {
			t.Errorf("deleted room found: %+v", hits)
		}
	})
	t.Run("two versions in one batch", func(t *testing.T) {
		s := openTest(t)
		v1 := newRoom(t, alice, baseRoom(), nil, 0)
		changed := baseRoom()
		changed.Title = "Attic"
		v2 := newRoom(t, alice, changed, &v1, time.Minute)
		mustStore(t, s, v1, v2)
		if n := rowCount(t, s, "rooms_fts"); n != 1 {
			t.Errorf("rooms_fts: %d rows, want 1", n)
		}
		if hits := search(t, s, RoomQuery{Text: "canal"}); len(hits) != 0 {
			t.Errorf("old title still found: %+v", hits)
		}
		if hits := search(t, s, RoomQuery{Text: "attic"}); len(hits) != 1 {
			t.Errorf("new title: %d hits", len(hits))
		}
	})
	t.Run("calendar of a ride", func(t *testing.T) {
		s := openTest(t)
		ride := newRide(t, alice, domain.Ride{Title: "Short", Route: [][2]float64{{4.89, 52.37}, {4.9, 52.38}},
			DepartAt: testNow.Add(time.Hour), Seats: 1, Currency: "EUR"})
		cal := newCalendar(t, alice, ride)
		out := ingest(t, s, ride, cal)
		if out[0].Status != Stored || out[1].Status != Rejected || domain.ReasonOf(out[1].Err) != domain.ReasonBadBody {
			t.Fatalf("outcomes %+v", out)
		}
	})
	t.Run("tombstone listing a cell twice", func(t *testing.T) {
		s := openTest(t)
		room := newRoom(t, alice, baseRoom(), nil, 0)
		tomb := resigned(alice, newTombstone(t, alice, room), func(r *domain.Record) { r.Cells = append(r.Cells, r.Cells[0]) })
		// Since cells must be sorted and distinct (domain), it is refused and
		// the room stays.
		out := ingest(t, s, room, tomb)
		if out[0].Status != Stored || out[1].Status != Rejected || domain.ReasonOf(out[1].Err) != domain.ReasonBadCells {
			t.Fatalf("outcomes %+v", out)
		}
		if items, err := s.SyncItems(ctx, room.Cells[0]); err != nil || len(items) != 1 {
			t.Fatalf("sync items %v, %v", items, err)
		}
	})
	t.Run("empty batch and all rejected", func(t *testing.T) {
		s := openTest(t)
		if out, err := s.Ingest(ctx, nil, testNow); err != nil || len(out) != 0 {
			t.Fatalf("empty batch: %v, %v", out, err)
		}
		bad := newRoom(t, alice, baseRoom(), nil, 0)
		bad.Sig = nil
		if o := ingest(t, s, bad, bad)[1]; o.Status != Rejected {
			t.Fatalf("%v", o)
		}
	})
}

// TestIngestAcrossChunks checks that a batch larger than checkChunk, which is
// checked ahead of the writer chunk by chunk, has exactly the outcomes of
// ingesting its records one at a time: later chunks see what earlier chunks
// stored (new versions, duplicates, calendars of rooms stored in the batch).
func TestIngestAcrossChunks(t *testing.T) {
	alice, bob := newIdentity(t), newIdentity(t)
	var batch []domain.Record
	for i := range 3 * checkChunk {
		room := baseRoom()
		room.Title = fmt.Sprintf("Room %d", i)
		batch = append(batch, newRoom(t, alice, room, nil, 0))
	}
	first, last := batch[0], batch[len(batch)-1]
	newer := newRoom(t, alice, baseRoom(), &first, time.Minute)
	bad := last
	bad.Sig = make([]byte, len(last.Sig))
	batch = append(batch, first, newer, first, bad, newCalendar(t, alice, last), newCalendar(t, bob, first),
		resigned(bob, newer, func(r *domain.Record) { r.Version = 9 }))

	together := openTest(t)
	got := ingest(t, together, batch...)
	oneByOne := openTest(t)
	for i, r := range batch {
		want := ingest(t, oneByOne, r)[0]
		if got[i].Status != want.Status || domain.ReasonOf(got[i].Err) != domain.ReasonOf(want.Err) {
			t.Errorf("record %d: %v (%v) in one batch, %v (%v) one at a time", i, got[i].Status, got[i].Err, want.Status, want.Err)
		}
	}
	if a, b := count(t, together), count(t, oneByOne); a != b || a != 3*checkChunk+1 {
		t.Errorf("%d records stored in one batch, %d one at a time, want %d", a, b, 3*checkChunk+1)
	}
	if r, err := together.Record(ctx, first.ID); err != nil || r.Version != newer.Version {
		t.Errorf("first room: version %d, %v; want %d", r.Version, err, newer.Version)
	}
}

// TestIngestCancelled checks that a cancelled ingest stores nothing and says so.
func TestIngestCancelled(t *testing.T) {
	alice := newIdentity(t)
	var batch []domain.Record
	for range 2 * checkChunk {
		batch = append(batch, newRoom(t, alice, baseRoom(), nil, 0))
	}
	s := openTest(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if out, err := s.Ingest(cctx, batch, testNow); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ingest: %d outcomes, err %v; want context.Canceled", len(out), err)
	}
	if n := count(t, s); n != 0 {
		t.Errorf("%d records stored by a cancelled ingest", n)
	}
}

// TestIngestCancelledMidway cancels ingests while they write: each either
// stores its whole batch and says so, or stores nothing and says it was
// cancelled, never a part (the statements that ran after a rollback would
// have committed one by one).
func TestIngestCancelledMidway(t *testing.T) {
	alice := newIdentity(t)
	var batch []domain.Record
	for range 12 * checkChunk {
		batch = append(batch, newRoom(t, alice, baseRoom(), nil, 0))
	}
	for _, after := range []time.Duration{0, time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond} {
		s := openTest(t)
		cctx, cancel := context.WithCancel(ctx)
		timer := time.AfterFunc(after, cancel)
		_, err := s.Ingest(cctx, batch, testNow)
		timer.Stop()
		cancel()
		switch n := count(t, s); {
		case err == nil && n != len(batch):
			t.Errorf("cancel after %v: ingest succeeded with %d of %d records stored", after, n, len(batch))
		case err != nil && !errors.Is(err, context.Canceled):
			t.Errorf("cancel after %v: %v", after, err)
		case err != nil && n != 0:
			t.Errorf("cancel after %v: %d records stored by a cancelled ingest", after, n)
		}
	}
}

// TestMigration9KeepsSyncItems opens a store of schema version 8, whose
// triggers filed a room under its cell by id: migration 9 files it by rid,
// and the room is still listed, found by its item, and replaced in place.
func TestMigration9KeepsSyncItems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "caravan.db")
	db := storeAtVersion(t, path, 8)
	alice := newIdentity(t)
	v1 := newRoom(t, alice, baseRoom(), nil, 0)
	raw, err := v1.Encode()
	if err != nil {
		t.Fatal(err)
	}
	h := v1.Hash()
	if _, err := db.Exec(`INSERT INTO records(rid, id, kind, author, version, issued_at, expires_at, hash, cells, raw)
		VALUES (5, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v1.ID, string(v1.Kind), v1.Author, int64(v1.Version),
		v1.IssuedAt, v1.ExpiresAt, h[:], cellsJSON(v1.Cells), raw); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	cell := v1.Cells[0]
	items, err := s.SyncItems(ctx, cell)
	if err != nil || len(items) != 1 || items[0] != v1.Item() {
		t.Fatalf("SyncItems = %v, %v; want the stored room's item", items, err)
	}
	raws, err := s.RecordsByItems(ctx, cell, items)
	if err != nil || len(raws) != 1 || string(raws[0]) != string(raw) {
		t.Fatalf("RecordsByItems = %d records, %v; want the stored room", len(raws), err)
	}
	var rid int64
	if err := s.r.QueryRowContext(ctx, `SELECT rid FROM record_cells WHERE cell = ?`, cell).Scan(&rid); err != nil || rid != 5 {
		t.Fatalf("record_cells rid = %d, %v; want 5", rid, err)
	}
	v2 := newRoom(t, alice, baseRoom(), &v1, time.Minute)
	mustStore(t, s, v2)
	if items, err = s.SyncItems(ctx, cell); err != nil || len(items) != 1 || items[0] != v2.Item() {
		t.Fatalf("SyncItems after a new version = %v, %v; want only the new version's item", items, err)
	}
}
