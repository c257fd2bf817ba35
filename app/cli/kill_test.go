package cli

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// signedRooms writes n rooms signed by a few authors, one record a line, to
// a file and returns its path and the records' total size. The rooms are in
// one cell, issued over the last hours.
func signedRooms(t *testing.T, n int) (string, int64) {
	t.Helper()
	authors := make([]*domain.Identity, 8)
	for i := range authors {
		id, err := domain.NewIdentity()
		if err != nil {
			t.Fatal(err)
		}
		authors[i] = id
	}
	lines := make([][]byte, n)
	base := time.Now().Add(-6 * time.Hour)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				room := app.Room{Title: fmt.Sprintf("Room %d", i), Description: "A room by the canal.",
					Lat: 52.30 + float64(i%100)*0.001, Lon: 4.80 + float64(i/100%100)*0.001,
					PricePerNight: 40, Currency: "EUR", MaxGuests: 2}
				r, err := authors[i%len(authors)].NewRoomRecord(room, nil, base.Add(time.Duration(i)*time.Second))
				if err == nil {
					lines[i], err = r.Encode()
				}
				if err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rooms.jsonl")
	var size int64
	var buf bytes.Buffer
	for _, l := range lines {
		size += int64(len(l))
		buf.Write(l)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, size
}

// exportSet exports the records of a data dir and returns them by hash.
func exportSet(t *testing.T, dir string) map[[32]byte]domain.Record {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.jsonl")
	var count struct{ Count int }
	runJSON(t, &count, "records", "export", path, "--data", dir)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[[32]byte]domain.Record{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, domain.MaxWireSize+1)
	for sc.Scan() {
		r, err := domain.DecodeRecord(sc.Bytes())
		if err != nil {
			t.Fatalf("exported line %d: %v", len(out)+1, err)
		}
		out[r.Hash()] = r
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != count.Count {
		t.Fatalf("export reported %d records and wrote %d", count.Count, len(out))
	}
	return out
}

// status runs `caravan status --json` on a data dir.
func status(t *testing.T, dir string) app.Status {
	t.Helper()
	var st app.Status
	runJSON(t, &st, "status", "--data", dir)
	return st
}

// killedRecords is how many records the killed peer catches up: enough that
// catch-up takes seconds, so the kill lands in the middle of it. The kill
// comes once killAfter are stored (sync stores batches of 256).
var killedRecords, killAfter = func() (int, int) {
	if raceEnabled {
		return 2_000, 256
	}
	return 5_000, 1_000
}()

// TestKilledMidSyncResumes kills a peer with SIGKILL while it catches up
// thousands of records from another, then restarts it on the same data dir: the
// store opens, passes SQLite's integrity check, holds every record it held
// before the kill, each valid, and the peer catches up the rest, pulling
// only what it lacks.
func TestKilledMidSyncResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("signs and syncs thousands of records")
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	file, size := signedRooms(t, killedRecords)
	var imp app.ImportResult
	runJSON(t, &imp, "records", "import", file, "--data", dirA)
	if imp.Stored != killedRecords {
		t.Fatalf("import into A = stored %d, skipped %d, %d rejected", imp.Stored, imp.Skipped, len(imp.Rejected))
	}

	// A runs in this process; it publishes the imported records (to no one)
	// before B starts, so B can only get them by catch-up.
	// Import queues the records for publishing. Take them as published long
	// ago, to peers now gone (publishing thousands takes long under the race
	// detector), so B can only get them by catch-up.
	markPublished(t, dirA)
	addrA := startNode(t, dirA)

	nodeB := func() *proc {
		p := startProc(t, nil, "node", "--data", dirB, "--json", "--no-mdns", "--no-dht", "--no-nat",
			"--listen", "/ip4/127.0.0.1/tcp/0", "--peer", addrA)
		p.nodeAddrs(t)
		return p
	}
	b := nodeB()
	start := time.Now()
	var seen int
	for {
		seen = status(t, dirB).Records
		if seen >= killAfter {
			break
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("B holds %d records after two minutes", seen)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// What B has stored, as any reader sees it; then the kill.
	acked := exportSet(t, dirB)
	b.kill()
	t.Logf("B killed %v after it started, holding at least %d records (%d when last counted)",
		time.Since(start).Round(time.Millisecond), len(acked), seen)

	// The store opens, is sound, and holds everything B held.
	checkIntegrity(t, filepath.Join(dirB, "caravan.db"))
	after := exportSet(t, dirB)
	if len(after) >= killedRecords {
		t.Fatalf("B held all %d records when killed: the kill came after catch-up; raise killedRecords", len(after))
	}
	for h, r := range acked {
		if _, ok := after[h]; !ok {
			t.Errorf("record %s, stored before the kill, is gone", r.ID)
		}
	}
	now := time.Now()
	for _, r := range after {
		if err := domain.Validate(&r, now); err != nil {
			t.Errorf("record %s after the kill: %v", r.ID, err)
		}
	}
	t.Logf("after the kill B holds %d records", len(after))

	// The killed node's runtime state goes stale within seconds; then a node
	// starts on the data dir again and catches up the rest.
	for deadline := time.Now().Add(10 * time.Second); status(t, dirB).Running; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the killed node still counts as running after 10 s")
		}
	}
	b = nodeB()
	restart := time.Now()
	for {
		st := status(t, dirB)
		if st.Records == killedRecords {
			break
		}
		if time.Since(restart) > 2*time.Minute {
			t.Fatalf("after the restart B holds %d of %d records", st.Records, killedRecords)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("B caught up the remaining %d records %v after the restart", killedRecords-len(after), time.Since(restart).Round(time.Millisecond))
	// The node writes its traffic counters every second, and libp2p's
	// counters catch up about once a second.
	for deadline := time.Now().Add(10 * time.Second); status(t, dirB).Traffic.SyncIn == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("B's status shows no sync bytes 10 s after it caught up")
		}
	}
	time.Sleep(2 * time.Second)
	st := status(t, dirB)
	t.Logf("after the restart B received %d bytes by sync; all records are %d bytes", st.Traffic.SyncIn, size)
	if st.Traffic.SyncIn == 0 || st.Traffic.SyncIn >= size {
		t.Errorf("after the restart B received %d bytes by sync, want some but fewer than all %d", st.Traffic.SyncIn, size)
	}
	final := exportSet(t, dirB)
	if len(final) != killedRecords {
		t.Errorf("B exports %d records, want %d", len(final), killedRecords)
	}
	if err := b.stop(t); err != nil {
		t.Errorf("B did not stop cleanly: %v", err)
	}
}

// markPublished empties the outbox of a data dir where no node runs.
func markPublished(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(filepath.Join(dir, "caravan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	queued, err := st.Outbox(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([][32]byte, len(queued))
	for i := range queued {
		hashes[i] = queued[i].Hash()
	}
	if err := st.MarkPublished(ctx, hashes...); err != nil {
		t.Fatal(err)
	}
}

// checkIntegrity runs SQLite's integrity check on a database file.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity check: %v", err)
	}
	if res != "ok" {
		t.Errorf("integrity check of %s: %s", path, res)
	}
}
