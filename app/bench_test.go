package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// The network benchmarks of issue 3, run by `make bench`. Each prints one
// BENCH line; the figures are also reported as benchmark metrics.
//
//	BENCH P1 peers=50 p50_ms=.. p99_ms=..     a room posted on one of 50 peers
//	                                          until searchable on every peer
//	BENCH P2 records=.. records_per_s=R verify_per_s=V ratio=R/V
//	                                          an empty peer catches up from another
//	BENCH P2-diff records=.. diff=.. bytes_ratio=X
//	                                          sync bytes to reconcile a 1% difference
//	                                          over the bytes of every record

// benchNode opens a node on loopback with its own data dir, off the DHT and
// mDNS, dialling peers, fills its store with recs and starts it. An always-on
// node follows every cell it holds records of.
func benchNode(b *testing.B, alwaysOn bool, recs []domain.Record, peers ...string) *Node {
	b.Helper()
	n := openBench(b, alwaysOn, recs, peers...)
	if err := n.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return n
}

// openBench is benchNode without the start.
func openBench(b *testing.B, alwaysOn bool, recs []domain.Record, peers ...string) *Node {
	b.Helper()
	n, err := Open(Options{DataDir: b.TempDir(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: peers, NoDHT: true, NoPortMap: true, AlwaysOn: alwaysOn})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	for start := 0; start < len(recs); start += 1000 {
		if _, err := n.store.Ingest(context.Background(), recs[start:min(start+1000, len(recs))], time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	return n
}

// addr is a dialable address of a started node.
func (n *Node) addr(b *testing.B) string {
	b.Helper()
	p := n.running()
	for _, a := range p.Addrs() {
		if strings.HasPrefix(a, "/ip4/127.0.0.1/tcp/") {
			return a + "/p2p/" + n.Self()
		}
	}
	b.Fatalf("no loopback address in %v", p.Addrs())
	return ""
}

// benchWait polls cond until it holds or d passes: every 5 ms at first,
// then every 1% of the time waited so far. The figure is then off by 1% at
// most, and the polling (a count over a table that grows as a peer catches
// up, 1-2 ms at 100k records) does not take the CPU that the work being
// timed needs: polled every 5 ms, it took some 6% of the P2 catch-up's.
func benchWait(b *testing.B, d time.Duration, what string, cond func() bool) {
	b.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			b.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(max(5*time.Millisecond, time.Since(start)/100))
	}
}

// percentile is the p-th percentile (0..100) of sorted durations, in ms.
func percentile(sorted []time.Duration, p float64) float64 {
	i := int(float64(len(sorted)-1) * p / 100)
	return float64(sorted[i].Microseconds()) / 1000
}

// BenchmarkP1Spread posts rooms on random peers of 50 (each dialling three
// earlier ones: a sparse random graph, every peer in the room's cell) and
// measures until the room is searchable on every peer.
func BenchmarkP1Spread(b *testing.B) {
	const peers, posts, dials = 50, 20, 3
	rng := rand.New(rand.NewPCG(1, 2))
	nodes := make([]*Node, peers)
	for i := range nodes {
		var dial []string
		for _, j := range rng.Perm(i)[:min(i, dials)] {
			dial = append(dial, nodes[j].addr(b))
		}
		nodes[i] = benchNode(b, false, nil, dial...)
	}
	room := testRoom()
	cell := domain.CellAt(room.Point())
	for _, n := range nodes {
		n.joinCell(cell)
	}
	searchable := func(n *Node, id string) bool {
		rooms, err := n.Rooms(context.Background(), RoomQuery{Bound: &[4]float64{room.Lon - 0.01, room.Lat - 0.01, room.Lon + 0.01, room.Lat + 0.01}})
		return err == nil && slices.ContainsFunc(rooms, func(r RoomListing) bool { return r.ID == id })
	}
	spread := func(from *Node, title string) time.Duration {
		r := room
		r.Title = title
		start := time.Now()
		id, err := from.PostRoom(context.Background(), r)
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Go(func() { benchWait(b, time.Minute, "room on every peer", func() bool { return searchable(n, id) }) })
		}
		wg.Wait()
		return time.Since(start)
	}
	// The first room waits for the meshes to form; it is not measured.
	spread(nodes[0], "Warm-up")
	b.ResetTimer()
	var took []time.Duration
	for range b.N {
		took = took[:0]
		for i := range posts {
			took = append(took, spread(nodes[rng.IntN(peers)], fmt.Sprintf("Room %d", i)))
		}
	}
	b.StopTimer()
	slices.Sort(took)
	p50, p99 := percentile(took, 50), percentile(took, 99)
	b.ReportMetric(p50, "p50_ms")
	b.ReportMetric(p99, "p99_ms")
	fmt.Printf("BENCH P1 peers=%d p50_ms=%.0f p99_ms=%.0f\n", peers, p50, p99)
}

// benchRecords returns n signed rooms by 100 authors, spread over Europe,
// signed on every core.
func benchRecords(b *testing.B, n int) []domain.Record {
	b.Helper()
	authors := make([]*domain.Identity, 100)
	for i := range authors {
		id, err := domain.NewIdentity()
		if err != nil {
			b.Fatal(err)
		}
		authors[i] = id
	}
	recs := make([]domain.Record, n)
	now := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				rng := rand.New(rand.NewPCG(uint64(i), 7))
				room := testRoom()
				room.Title = fmt.Sprintf("Room %d", i)
				room.Lat, room.Lon = 36+rng.Float64()*24, -10+rng.Float64()*40
				r, err := authors[i%len(authors)].NewRoomRecord(room, nil, now)
				if err != nil {
					panic(err)
				}
				recs[i] = r
			}
		})
	}
	wg.Wait()
	return recs
}

// count is the number of records n stores.
func count(b *testing.B, n *Node) int {
	c, err := n.store.Count(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// catchUp starts a node holding prefill that dials full, and returns how
// long it took to hold want records, and the node.
func catchUp(b *testing.B, full *Node, want int, prefill []domain.Record) (time.Duration, *Node) {
	b.Helper()
	n := openBench(b, false, prefill, full.addr(b))
	start := time.Now()
	if err := n.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	benchWait(b, 30*time.Minute, "catch-up", func() bool { return count(b, n) == want })
	return time.Since(start), n
}

// verifyRate is bare Ed25519 verification of recs on every core, per second.
func verifyRate(b *testing.B, recs []domain.Record) float64 {
	b.Helper()
	type job struct {
		pub      ed25519.PublicKey
		msg, sig []byte
	}
	jobs := make([]job, len(recs))
	for i := range recs {
		pub, err := domain.AuthorKey(recs[i].Author)
		if err != nil {
			b.Fatal(err)
		}
		jobs[i] = job{pub, recs[i].SigningBytes(), recs[i].Sig}
	}
	start := time.Now()
	var next atomic.Int64
	var bad atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(jobs); i = int(next.Add(1) - 1) {
				if !ed25519.Verify(jobs[i].pub, jobs[i].msg, jobs[i].sig) {
					bad.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if bad.Load() {
		b.Fatal("a signature did not verify")
	}
	return float64(len(jobs)) / time.Since(start).Seconds()
}

// p2Records is how many records P2 and P2-diff sync.
const p2Records = 100_000

// BenchmarkP2CatchUp has an empty peer catch up every record of another, and
// compares its rate with bare signature verification of the same records.
func BenchmarkP2CatchUp(b *testing.B) {
	recs := benchRecords(b, p2Records)
	full := benchNode(b, true, recs)
	b.ResetTimer()
	took, _ := catchUp(b, full, len(recs), nil)
	b.StopTimer()
	rate := float64(len(recs)) / took.Seconds()
	verify := verifyRate(b, recs)
	b.ReportMetric(rate, "records/s")
	fmt.Printf("BENCH P2 records=%d records_per_s=%.0f verify_per_s=%.0f ratio=%.2f\n", len(recs), rate, verify, rate/verify)
}

// BenchmarkP2Diff has a peer that lacks 1% of another's records catch up, and
// compares the sync bytes both ways with the size of every record.
func BenchmarkP2Diff(b *testing.B) {
	const diff = p2Records / 100
	recs := benchRecords(b, p2Records)
	full := benchNode(b, true, recs)
	// The peer lacks every hundredth record.
	var have []domain.Record
	for i, r := range recs {
		if i%100 != 0 {
			have = append(have, r)
		}
	}
	b.ResetTimer()
	_, n := catchUp(b, full, len(recs), have)
	b.StopTimer()
	t := n.running().Traffic()
	var all int64
	for _, r := range recs {
		raw, err := r.Encode()
		if err != nil {
			b.Fatal(err)
		}
		all += int64(len(raw))
	}
	ratio := float64(t.SyncIn+t.SyncOut) / float64(all)
	b.ReportMetric(ratio, "bytes_ratio")
	fmt.Printf("BENCH P2-diff records=%d diff=%d bytes_ratio=%.4f (sync %d B in, %d B out; all records %d B)\n",
		len(recs), diff, ratio, t.SyncIn, t.SyncOut, all)
}
