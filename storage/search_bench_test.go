package storage

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/quadtree"

	"github.com/caravan-p2p/caravan/domain"
)

// The search benchmarks (issue 4) run over an on-disk store of rooms and
// rides generated around real cities:
//
//	BENCH P3 rooms=N p50_ms=.. p99_ms=.. quadtree_p99_ms=.. ratio=..
//	BENCH P4 rides=N p50_ms=.. p99_ms=..
//
// P3 is a map-viewport room search with dates and guests (ranked, first page
// of 20, with the total counted up to DefaultCountCap), against an in-memory orb quadtree answering
// the same queries (bbox, guests, calendar, the same ranking) in the same
// run; ratio is p99 over the quadtree's p99. Goals: p99 < 10 ms, ratio <= 3.
// P4 is along-route ride matching; goal p99 < 50 ms.
//
// Each benchmark runs its queries once untimed (warm caches, as in a running
// app), then times them. BENCH_SCALE=small uses 20k rooms and 5k rides; the
// default (full) 1M rooms and 100k rides. The store is built once per scale and kept in
// $BENCH_DIR (default: the system's temporary directory) for later runs.

// benchScale is the size of the generated data.
type benchScale struct {
	name         string
	rooms, rides int
	queries      int
}

func scaleFromEnv() benchScale {
	if os.Getenv("BENCH_SCALE") == "small" {
		return benchScale{"small", 20_000, 5_000, 300}
	}
	return benchScale{"full", 1_000_000, 100_000, 1000}
}

// benchDataVersion changes when the generated data does, so that a kept
// store of older data is not reused.
const benchDataVersion = 2

// benchCities are real places (lon, lat, weight by size) that the data is
// generated around.
var benchCities = []struct {
	name     string
	lon, lat float64
	weight   int
}{
	{"London", -0.13, 51.51, 9}, {"Paris", 2.35, 48.86, 9}, {"Berlin", 13.40, 52.52, 6},
	{"Madrid", -3.70, 40.42, 6}, {"Rome", 12.50, 41.90, 6}, {"Barcelona", 2.17, 41.39, 5},
	{"Amsterdam", 4.90, 52.37, 5}, {"Vienna", 16.37, 48.21, 4}, {"Prague", 14.42, 50.08, 4},
	{"Munich", 11.58, 48.14, 4}, {"Milan", 9.19, 45.46, 4}, {"Lisbon", -9.14, 38.72, 4},
	{"Brussels", 4.35, 50.85, 3}, {"Copenhagen", 12.57, 55.68, 3}, {"Stockholm", 18.07, 59.33, 3},
	{"Warsaw", 21.01, 52.23, 3}, {"Budapest", 19.04, 47.50, 3}, {"Hamburg", 9.99, 53.55, 3},
	{"Lyon", 4.84, 45.76, 3}, {"Zurich", 8.54, 47.38, 2}, {"Dublin", -6.26, 53.35, 2},
	{"Oslo", 10.75, 59.91, 2}, {"Helsinki", 24.94, 60.17, 2}, {"Athens", 23.73, 37.98, 3},
	{"Krakow", 19.94, 50.06, 2}, {"Porto", -8.61, 41.15, 2}, {"Seville", -5.98, 37.39, 2},
	{"Marseille", 5.37, 43.30, 2}, {"Naples", 14.27, 40.85, 2}, {"Florence", 11.26, 43.77, 2},
	{"Edinburgh", -3.19, 55.95, 2}, {"Manchester", -2.24, 53.48, 2}, {"Cologne", 6.96, 50.94, 2},
	{"Frankfurt", 8.68, 50.11, 2}, {"Utrecht", 5.12, 52.09, 1}, {"Hanover", 9.73, 52.37, 1},
	{"Bordeaux", -0.58, 44.84, 1}, {"Toulouse", 1.44, 43.60, 1}, {"Valencia", -0.38, 39.47, 1},
	{"Ljubljana", 14.51, 46.06, 1}, {"Zagreb", 15.98, 45.81, 1}, {"Bratislava", 17.11, 48.15, 1},
	{"New York", -74.01, 40.71, 6}, {"Tokyo", 139.69, 35.69, 6}, {"Sydney", 151.21, -33.87, 3},
	{"Suva", 178.44, -18.14, 1}, {"Anadyr", 177.51, 64.73, 1}, {"Longyearbyen", 15.63, 78.22, 1},
}

// cityPicker draws cities by weight.
type cityPicker []int

func newCityPicker() cityPicker {
	var p cityPicker
	for i, c := range benchCities {
		for range c.weight {
			p = append(p, i)
		}
	}
	return p
}

func (p cityPicker) pick(rng *rand.Rand) int { return p[rng.IntN(len(p))] }

// aroundCity is a point about km from a city's centre (normally spread).
func aroundCity(rng *rand.Rand, city int, km float64) orb.Point {
	c := benchCities[city]
	q := geo.PointAtBearingAndDistance(orb.Point{c.lon, c.lat}, rng.Float64()*360, math.Abs(rng.NormFloat64())*km*1000)
	q[0] = wrapLon(q[0])
	return q
}

// genBenchRoom is room i of the data (deterministic), with its blocked days.
func genBenchRoom(i int, cities cityPicker) (domain.Room, []domain.DateRange) {
	rng := rand.New(rand.NewPCG(uint64(i), 17))
	p := aroundCity(rng, cities.pick(rng), 6)
	room := benchRoom(i) // title, description, amenities
	room.Lat, room.Lon = min(max(p.Lat(), -90), 90), p.Lon()
	var blocked []domain.DateRange
	for range rng.IntN(4) {
		from := time.Date(2026, 12, 1+rng.IntN(40), 0, 0, 0, 0, time.UTC)
		blocked = append(blocked, domain.DateRange{From: from.Format(domain.DateLayout), To: from.AddDate(0, 0, 1+rng.IntN(6)).Format(domain.DateLayout)})
	}
	return room, blocked
}

// genBenchRide is ride i of the data: between two cities at most 1200 km
// apart, by a few points near the great circle, departing in the week after
// testNow.
func genBenchRide(i int, cities cityPicker) *domain.Ride {
	rng := rand.New(rand.NewPCG(uint64(i), 23))
	var a, b int
	var pa, pb orb.Point
	var d float64
	for {
		a, b = cities.pick(rng), cities.pick(rng)
		pa, pb = aroundCity(rng, a, 4), aroundCity(rng, b, 4)
		if d = geo.DistanceHaversine(pa, pb); a != b && d <= 1200e3 && d >= 30e3 {
			break
		}
	}
	route := [][2]float64{pa}
	n := 2 + rng.IntN(30)
	bearing := geo.Bearing(pa, pb)
	for k := 1; k < n; k++ {
		q := geo.PointAtBearingAndDistance(pa, bearing+rng.NormFloat64()*2, d*float64(k)/float64(n))
		route = append(route, [2]float64{wrapLon(q[0]), q[1]})
	}
	route = append(route, pb)
	seats := 1 + rng.IntN(4)
	return &domain.Ride{
		Title: fmt.Sprintf("%s to %s", benchCities[a].name, benchCities[b].name), Route: route,
		DepartAt: testNow.Add(time.Duration(30+rng.IntN(7*24*60)) * time.Minute).Truncate(time.Minute),
		Seats:    seats, PricePerSeat: float64(5 + rng.IntN(40)), Currency: "EUR",
	}
}

// benchStore opens the store of a scale, building it first if it is not
// kept from an earlier run.
func benchStore(b *testing.B, sc benchScale) *Store {
	b.Helper()
	dir := os.Getenv("BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("caravan-bench-%s-v%d.db", sc.name, benchDataVersion))
	s := openAt(b, path)
	if _, _, err := s.State(ctx, "bench-built"); err == nil {
		return s
	}
	start := time.Now()
	authors := make([]*domain.Identity, 100)
	for i := range authors {
		authors[i] = newIdentity(b)
	}
	cities := newCityPicker()
	const batch = 2000
	var stored atomic.Int64
	// Sign in parallel (one goroutine per core), ingest in batches.
	build := func(total int, gen func(i int) []domain.Record) {
		for start := 0; start < total; start += batch {
			n := min(batch, total-start)
			parts := make([][]domain.Record, n)
			var next atomic.Int64
			var wg sync.WaitGroup
			for range runtime.GOMAXPROCS(0) {
				wg.Go(func() {
					for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
						parts[k] = gen(start + k)
					}
				})
			}
			wg.Wait()
			var recs []domain.Record
			for _, p := range parts {
				recs = append(recs, p...)
			}
			for _, o := range ingest(b, s, recs...) {
				if o.Status != Stored {
					b.Fatalf("bench data: %v %v", o.Status, o.Err)
				}
			}
			stored.Add(int64(len(recs)))
		}
	}
	build(sc.rooms, func(i int) []domain.Record {
		room, blocked := genBenchRoom(i, cities)
		id := authors[i%len(authors)]
		rec, err := id.NewRoomRecord(room, nil, testNow)
		if err != nil {
			panic(fmt.Sprintf("room %d: %v", i, err))
		}
		recs := []domain.Record{rec}
		if len(blocked) > 0 {
			cal, err := id.NewCalendarRecord(domain.Calendar{RoomID: rec.ID, Blocked: blocked}, rec.Cells[0], nil, testNow)
			if err != nil {
				panic(fmt.Sprintf("calendar %d: %v", i, err))
			}
			recs = append(recs, cal)
		}
		return recs
	})
	build(sc.rides, func(i int) []domain.Record {
		rec, err := authors[i%len(authors)].NewRideRecord(*genBenchRide(i, cities), nil, testNow)
		if err != nil {
			panic(fmt.Sprintf("ride %d: %v", i, err))
		}
		return []domain.Record{rec}
	})
	if err := s.PutState(ctx, "bench-built", []byte("1")); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %v: %d records", path, time.Since(start).Round(time.Second), stored.Load())
	return s
}

// qtRoom is a room in the in-memory quadtree.
type qtRoom struct {
	id      string
	p       orb.Point
	price   float64
	guests  int
	blocked [][2]int64 // [from, to) epoch days
}

func (r *qtRoom) Point() orb.Point { return r.p }

// loadQuadtree reads every room and its blocked days from the store.
func loadQuadtree(b *testing.B, s *Store) (*quadtree.Quadtree, int) {
	b.Helper()
	byID := map[string]*qtRoom{}
	rows, err := s.r.QueryContext(ctx, `SELECT id, lon, lat, price_per_night, max_guests FROM rooms`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		r := &qtRoom{}
		if err := rows.Scan(&r.id, &r.p[0], &r.p[1], &r.price, &r.guests); err != nil {
			b.Fatal(err)
		}
		byID[r.id] = r
	}
	rows.Close()
	rows, err = s.r.QueryContext(ctx, `SELECT room_id, from_day, to_day FROM room_blocked`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id string
		var d [2]int64
		if err := rows.Scan(&id, &d[0], &d[1]); err != nil {
			b.Fatal(err)
		}
		if r := byID[id]; r != nil {
			r.blocked = append(r.blocked, d)
		}
	}
	rows.Close()
	qt := quadtree.New(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}})
	for _, r := range byID {
		if err := qt.Add(r); err != nil {
			b.Fatal(err)
		}
	}
	return qt, len(byID)
}

// quadtreeSearch answers a room query (bound, dates, guests, first page,
// total counted up to the cap) from the quadtree, ranked as the store ranks,
// in the natural way for a quadtree: one walk of the view that keeps the
// matches until the cap is passed (then only visits the rest), ranking them
// all when they are fewer; when they are more, the matches within k rings
// of the centre, k doubling until they hold the page (as the store does).
func quadtreeSearch(qt *quadtree.Quadtree, q RoomQuery, buf []orb.Pointer) ([]string, int, bool, []orb.Pointer) {
	from, _ := time.Parse(domain.DateLayout, q.From)
	to, _ := time.Parse(domain.DateLayout, q.To)
	fd, td := epochDay(from), epochDay(to)
	match := func(p orb.Pointer) bool {
		r := p.(*qtRoom)
		if r.guests < q.Guests {
			return false
		}
		for _, d := range r.blocked {
			if d[0] < td && d[1] > fd {
				return false
			}
		}
		return true
	}
	most, n := q.countCap(), 0
	// The quadtree calls the filter before it checks the bound.
	buf = qt.InBoundMatching(buf[:0], *q.Bound, func(p orb.Pointer) bool {
		if n > most || !q.Bound.Contains(p.Point()) || !match(p) {
			return false
		}
		n++
		return true
	})
	ranker := domain.NewRoomRanker(*q.Bound)
	var ranks []domain.RoomRank
	rank := func(ps []orb.Pointer) {
		for _, p := range ps {
			r := p.(*qtRoom)
			ranks = append(ranks, ranker.Rank(domain.RoomCandidate{ID: r.id, Location: r.p, Price: r.price}))
		}
	}
	if n <= most {
		rank(buf)
	} else {
		for k := 1; ; k *= 2 {
			ranks = ranks[:0]
			boxes, covers := ranker.RingBoxes(*q.Bound, k)
			for _, x := range boxes {
				buf = qt.InBoundMatching(buf[:0], x, match)
				rank(buf)
			}
			if covers {
				break
			}
			ranks = slices.DeleteFunc(ranks, func(r domain.RoomRank) bool { return r.Ring >= k })
			if len(ranks) >= q.Offset+q.Limit {
				break
			}
		}
	}
	slices.SortFunc(ranks, domain.RoomRank.Compare)
	ids := make([]string, 0, q.Limit)
	for _, r := range ranks[min(q.Offset, len(ranks)):min(q.Offset+q.Limit, len(ranks))] {
		ids = append(ids, r.ID)
	}
	return ids, min(n, most), n > most, buf
}

// percentile is the p-th percentile (0..1) of sorted durations, in ms.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(math.Ceil(p*float64(len(sorted))))-1, len(sorted)-1)
	return float64(sorted[max(i, 0)].Microseconds()) / 1000
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

// benchRoomQueries are P3's queries: map views of a town to a city around
// the cities of the data, with dates and guests, first page of 20.
func benchRoomQueries(sc benchScale) []RoomQuery {
	cities := newCityPicker()
	rng := rand.New(rand.NewPCG(99, 1))
	queries := make([]RoomQuery, sc.queries)
	for i := range queries {
		c := aroundCity(rng, cities.pick(rng), 4)
		w := 0.02 + rng.Float64()*0.25 // a town to a city on a laptop screen
		h := w * 0.6
		bound := orb.Bound{Min: orb.Point{c.Lon() - w/2, c.Lat() - h/2}, Max: orb.Point{c.Lon() + w/2, c.Lat() + h/2}}
		bound.Min[0], bound.Max[0] = max(bound.Min[0], -180), min(bound.Max[0], 180)
		from := time.Date(2026, 12, 1+rng.IntN(35), 0, 0, 0, 0, time.UTC)
		queries[i] = RoomQuery{Bound: &bound, From: from.Format(domain.DateLayout), To: from.AddDate(0, 0, 2+rng.IntN(5)).Format(domain.DateLayout),
			Guests: 1 + rng.IntN(4), Limit: 20}
	}
	return queries
}

// BenchmarkSearchRooms is P3.
func BenchmarkSearchRooms(b *testing.B) {
	sc := scaleFromEnv()
	s := benchStore(b, sc)
	qt, n := loadQuadtree(b, s)
	queries := benchRoomQueries(sc)
	var sqlTimes, qtTimes []time.Duration
	var hits, nCapped int
	var buf []orb.Pointer
	// One untimed pass warms the page caches, as a running app's are.
	for _, q := range queries {
		if _, err := s.FindRooms(ctx, q); err != nil {
			b.Fatal(err)
		}
		_, _, _, buf = quadtreeSearch(qt, q, buf)
	}
	b.ResetTimer()
	for range b.N {
		for _, q := range queries {
			t0 := time.Now()
			page, err := s.FindRooms(ctx, q)
			sqlTimes = append(sqlTimes, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			t0 = time.Now()
			var ids []string
			var total int
			var capped bool
			ids, total, capped, buf = quadtreeSearch(qt, q, buf)
			qtTimes = append(qtTimes, time.Since(t0))
			got := make([]string, len(page.Hits))
			for i, h := range page.Hits {
				got[i] = h.ID
			}
			if total != page.Total || capped != page.TotalCapped || !slices.Equal(got, ids) {
				b.Fatalf("store and quadtree disagree on %+v: %d %v %v vs %d %v %v", q, page.Total, page.TotalCapped, got, total, capped, ids)
			}
			hits += page.Total
			if page.TotalCapped {
				nCapped++
			}
		}
	}
	b.StopTimer()
	sortDurations(sqlTimes)
	sortDurations(qtTimes)
	p99, qp99 := percentile(sqlTimes, 0.99), percentile(qtTimes, 0.99)
	b.ReportMetric(p99, "p99_ms")
	b.ReportMetric(float64(hits)/float64(len(sqlTimes)), "counted/query")
	b.ReportMetric(float64(nCapped)/float64(len(sqlTimes)), "capped/query")
	fmt.Printf("BENCH P3 rooms=%d p50_ms=%.2f p99_ms=%.2f quadtree_p99_ms=%.2f ratio=%.2f\n",
		n, percentile(sqlTimes, 0.5), p99, qp99, p99/max(qp99, 0.001))
}

// BenchmarkSearchRides is P4.
func BenchmarkSearchRides(b *testing.B) {
	sc := scaleFromEnv()
	s := benchStore(b, sc)
	var nRides int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM rides`).Scan(&nRides); err != nil {
		b.Fatal(err)
	}
	// Queries near two points of sampled rides, in order, with a window
	// around their departure; and a few between random cities.
	rows, err := s.r.QueryContext(ctx, `SELECT route, depart_at FROM rides WHERE rid % ? = 0 LIMIT ?`, max(nRides/sc.queries, 1), sc.queries)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	cities := newCityPicker()
	var queries []RideSearch
	for rows.Next() {
		var route string
		var depart int64
		if err := rows.Scan(&route, &depart); err != nil {
			b.Fatal(err)
		}
		var pts [][2]float64
		if err := json.Unmarshal([]byte(route), &pts); err != nil {
			b.Fatal(err)
		}
		i, j := rng.IntN(len(pts)), rng.IntN(len(pts))
		i, j = min(i, j), max(i, j)
		q := domain.RideQuery{Pickup: near(rng, pts[i], 3), Dropoff: near(rng, pts[j], 3), Seats: 1}
		if len(queries)%5 == 4 {
			q.Pickup, q.Dropoff = aroundCity(rng, cities.pick(rng), 5), aroundCity(rng, cities.pick(rng), 5)
		}
		after := time.UnixMilli(depart).Add(-time.Duration(rng.IntN(3*60)) * time.Minute)
		q.After, q.Before = after, after.Add(time.Duration(2+rng.IntN(12))*time.Hour)
		queries = append(queries, RideSearch{RideQuery: q})
	}
	rows.Close()
	var times []time.Duration
	var matches int
	for _, q := range queries { // warm the caches, untimed
		if _, err := s.SearchRides(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		for _, q := range queries {
			t0 := time.Now()
			hits, err := s.SearchRides(ctx, q)
			times = append(times, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			matches += len(hits)
		}
	}
	b.StopTimer()
	sortDurations(times)
	b.ReportMetric(percentile(times, 0.99), "p99_ms")
	b.ReportMetric(float64(matches)/float64(len(times)), "matches/query")
	fmt.Printf("BENCH P4 rides=%d p50_ms=%.2f p99_ms=%.2f\n", nRides, percentile(times, 0.5), percentile(times, 0.99))
}
