package storage

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/caravan-p2p/caravan/domain"
)

// The benchmarks are the project's performance target: ingest must run at no
// less than half the speed of bare signature verification on the same cores
// (records/s ÷ verifies/s >= 0.5), i.e. verification, not SQLite, is the
// bottleneck.

// One benchmark op is opRecords records: ten batches of 500, so that even a
// run of a few ops (the Makefile uses -benchtime 3x) measures seconds of work.
const (
	benchBatch = 500
	opRecords  = 10 * benchBatch
)

// benchPool holds signed rooms by 100 authors, generated once and grown as
// the benchmarks ask for more.
var benchPool struct {
	sync.Mutex
	authors []*domain.Identity
	recs    []domain.Record
}

var benchWords = strings.Fields(`quiet bright cosy spacious sunny modern old town harbour canal garden view
	balcony terrace attic loft studio cottage farm village centre station beach river lake forest mountain
	family friendly walk minutes bakery market museum castle bridge square park trail bike parking breakfast`)

var benchAmenities = []string{"wifi", "kitchen", "washer", "parking", "sauna", "garden", "balcony", "pets", "tv", "desk"}

// benchRooms returns n distinct signed rooms (signed in parallel, untimed).
func benchRooms(b *testing.B, n int) []domain.Record {
	b.Helper()
	p := &benchPool
	p.Lock()
	defer p.Unlock()
	for len(p.authors) < 100 {
		id, err := domain.NewIdentity()
		if err != nil {
			b.Fatal(err)
		}
		p.authors = append(p.authors, id)
	}
	if have := len(p.recs); have < n {
		p.recs = append(p.recs, make([]domain.Record, n-have)...)
		var next atomic.Int64
		next.Store(int64(have))
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
					r, err := p.authors[i%len(p.authors)].NewRoomRecord(benchRoom(i), nil, testNow)
					if err != nil {
						panic(err)
					}
					p.recs[i] = r
				}
			})
		}
		wg.Wait()
	}
	return p.recs[:n]
}

// benchRoom is a plausible room across Europe, different for each i.
func benchRoom(i int) domain.Room {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	words := func(n int) string {
		w := make([]string, n)
		for j := range w {
			w[j] = benchWords[rng.IntN(len(benchWords))]
		}
		return strings.Join(w, " ")
	}
	var amenities []string
	for _, a := range benchAmenities {
		if rng.IntN(3) == 0 {
			amenities = append(amenities, a)
		}
	}
	return domain.Room{
		Title:         fmt.Sprintf("%s %s #%d", words(2), words(1), i),
		Description:   words(30),
		Lat:           36 + rng.Float64()*24,
		Lon:           -10 + rng.Float64()*40,
		PricePerNight: float64(20 + rng.IntN(200)),
		Currency:      "EUR",
		MaxGuests:     1 + rng.IntN(6),
		Amenities:     amenities,
	}
}

// allStored fails b unless an ingest stored every record.
func allStored(b *testing.B, out []Outcome, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	for _, o := range out {
		if o.Status != Stored {
			b.Fatalf("%v %v", o.Status, o.Err)
		}
	}
}

// BenchmarkIngest stores opRecords new signed rooms per op, in batches of 500
// as catch-up sync does, into one store file that grows over the ops.
func BenchmarkIngest(b *testing.B) {
	recs := benchRooms(b, b.N*opRecords)
	s := openTest(b)
	b.ReportAllocs()
	b.ResetTimer()
	for start := 0; start < len(recs); start += benchBatch {
		out, err := s.Ingest(ctx, recs[start:min(start+benchBatch, len(recs))], testNow)
		allStored(b, out, err)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(recs))/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkIngestConcurrent is BenchmarkIngest with GOMAXPROCS callers, as a
// node syncing with several peers at once: one caller's verification overlaps
// another's write transaction. (Not part of the ratio; for comparison.)
func BenchmarkIngestConcurrent(b *testing.B) {
	recs := benchRooms(b, b.N*opRecords)
	s := openTest(b)
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				start := int(next.Add(benchBatch)) - benchBatch
				if start >= len(recs) {
					return
				}
				if _, err := s.Ingest(ctx, recs[start:min(start+benchBatch, len(recs))], testNow); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if n := count(b, s); n != len(recs) {
		b.Fatalf("%d records stored, want %d", n, len(recs))
	}
	b.ReportMetric(float64(len(recs))/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkVerify is bare Ed25519 verification of opRecords rooms per op (the
// signing bytes and keys prepared untimed), on as many goroutines as Ingest
// verifies with.
func BenchmarkVerify(b *testing.B) {
	recs := benchRooms(b, opRecords)
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
	total := b.N * len(jobs)
	b.ResetTimer()
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < total; i = int(next.Add(1) - 1) {
				j := &jobs[i%len(jobs)]
				if !ed25519.Verify(j.pub, j.msg, j.sig) {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if failed.Load() {
		b.Fatal("a signature did not verify")
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "verifies/s")
}

// BenchmarkIngestWrite is the writer's share of BenchmarkIngest: the same
// batches, checked beforehand (untimed), written by one goroutine. Its
// records/s against BenchmarkIngest's tells whether the writer or the checks
// limit ingest. (Not part of the ratio; for comparison.)
func BenchmarkIngestWrite(b *testing.B) {
	recs := benchRooms(b, b.N*opRecords)
	var batches [][][]checked
	for start := 0; start < len(recs); start += benchBatch {
		batch := recs[start:min(start+benchBatch, len(recs))]
		var chunks [][]checked
		for i := 0; i < len(batch); i += checkChunk {
			chunks = append(chunks, check(batch[i:min(i+checkChunk, len(batch))], testNow))
		}
		batches = append(batches, chunks)
	}
	s := openTest(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i, chunks := range batches {
		rest := make(chan []checked, len(chunks))
		for _, c := range chunks[1:] {
			rest <- c
		}
		close(rest)
		out, err := s.write(ctx, chunks[0], rest, min(benchBatch, len(recs)-i*benchBatch))
		allStored(b, out, err)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(recs))/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkCheck is the checks' share of BenchmarkIngest: the batches checked
// in chunks on all cores as Ingest does, nothing written. (Not part of the
// ratio; for comparison.)
func BenchmarkCheck(b *testing.B) {
	recs := benchRooms(b, opRecords)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for start := 0; start < len(recs); start += checkChunk {
			check(recs[start:min(start+checkChunk, len(recs))], testNow)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
}
