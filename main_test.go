package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// childEnv, set to 1, makes the test binary run the program itself, so the
// start-up benchmark can start Caravan as a process of its own.
const childEnv = "CARAVAN_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(childEnv) == "1":
		main()
		return
	case os.Getenv(p6ChildEnv) == "1":
		runP6()
		return
	}
	os.Exit(m.Run())
}

// TestQuietCLocale runs a command as a script would on a server whose locale
// is C.UTF-8: it prints its output and nothing else, no locale error from
// fyne (see screens/localeenv).
func TestQuietCLocale(t *testing.T) {
	for _, loc := range []string{"C.UTF-8", "C", "en_US.UTF-8"} {
		t.Run(loc, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "--help")
			cmd.Env = []string{childEnv + "=1", "LANG=" + loc, "HOME=" + t.TempDir()}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("caravan --help: %v\n%s", err, stderr.String())
			}
			if !strings.Contains(string(out), "Usage:") {
				t.Errorf("no usage on stdout:\n%s", out)
			}
			if stderr.Len() > 0 {
				t.Errorf("caravan --help under LANG=%s wrote to stderr:\n%s", loc, stderr.String())
			}
		})
	}
}

// BenchmarkP5Start times a real start of the desktop app on a data dir whose
// store on disk holds many rooms: from starting the process to the first
// Explore frame with results (the app says so on stdout, see measureStartEnv),
// with the peak resident memory then. Goals: start_ms < 1500, rss_mb < 250.
// It needs a display (make bench runs it under xvfb-run). BENCH_SCALE=small
// uses 20k rooms, otherwise 1M; the data dir is built once and kept in
// $BENCH_DIR (default: the system's temporary directory) for 30 days.
func BenchmarkP5Start(b *testing.B) {
	if os.Getenv("DISPLAY") == "" {
		b.Skip("needs a display: run it under xvfb-run, as make bench does")
	}
	listings := 1_000_000
	if os.Getenv("BENCH_SCALE") == "small" {
		listings = 20_000
	}
	dir := p5DataDir(b, listings)
	config := b.TempDir() // the app's preferences: none, as on a first start

	start := func() (time.Duration, float64) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "--data", dir, "--no-dht", "--no-nat", "--no-mdns")
		cmd.Env = append(os.Environ(), childEnv+"=1", measureStartEnv+"=1", "XDG_CONFIG_HOME="+config)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { _ = cmd.Wait() }()
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if lines.Text() != "first-results" {
				continue
			}
			took := time.Since(t0)
			rss, err := peakRSS(cmd.Process.Pid)
			if err != nil {
				b.Fatal(err)
			}
			for lines.Scan() { // let it quit
			}
			return took, rss
		}
		b.Fatalf("the app ended without showing results (%v)", lines.Err())
		return 0, 0
	}

	start() // the first start of a data dir also creates its identity
	var times []time.Duration
	var rss float64
	b.ResetTimer()
	for range 3 {
		t, r := start()
		times = append(times, t)
		rss = max(rss, r)
	}
	b.StopTimer()
	slices.Sort(times)
	median := float64(times[len(times)/2].Microseconds()) / 1000
	b.ReportMetric(median, "start_ms")
	b.ReportMetric(rss, "rss_mb")
	fmt.Printf("BENCH P5 listings=%d start_ms=%.0f rss_mb=%.0f\n", listings, median, rss)
}

// peakRSS is the peak resident memory of a process in MB (Linux).
func peakRSS(pid int) (float64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read the app's memory use: %w", err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("read VmHWM %q: %w", rest, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// p5DataDir returns a data dir whose store holds n rooms around the
// gazetteer's biggest cities, building it unless a recent one is kept.
func p5DataDir(b *testing.B, n int) string {
	b.Helper()
	base := os.Getenv("BENCH_DIR")
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, fmt.Sprintf("caravan-p5-%d", n))
	const built = "p5-built"
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	s, err := storage.Open(filepath.Join(dir, "caravan.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}()
	// Rooms live 60 days from their issue: a store older than 30 days is
	// made again rather than measured half expired.
	if _, at, err := s.State(ctx, built); err == nil && time.Since(at) < 30*24*time.Hour {
		return dir
	}
	b.Logf("building %d rooms in %s (once)", n, dir)
	cities := p5Cities(b)
	authors := make([]*domain.Identity, 100)
	for i := range authors {
		if authors[i], err = domain.NewIdentity(); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now()
	const batch = 2000
	recs := make([]domain.Record, batch)
	for from := 0; from < n; from += batch {
		k := min(batch, n-from)
		var wg sync.WaitGroup
		errs := make([]error, runtime.GOMAXPROCS(0))
		for w := range errs {
			wg.Go(func() {
				for i := w; i < k; i += len(errs) {
					rec, err := authors[(from+i)%len(authors)].NewRoomRecord(p5Room(from+i, cities), nil, now)
					if err != nil {
						errs[w] = err
						return
					}
					recs[i] = rec
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		outs, err := s.Ingest(ctx, recs[:k], now)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			if o.Status != storage.Stored {
				b.Fatalf("bench data: %v %v", o.Status, o.Err)
			}
		}
	}
	if err := s.PutState(ctx, built, []byte(now.Format(time.RFC3339))); err != nil {
		b.Fatal(err)
	}
	return dir
}

// p5Cities are the most populous cities of the gazetteer for each initial
// letter, repeated by population so that big cities get more rooms.
func p5Cities(b *testing.B) []app.Place {
	b.Helper()
	var cities []app.Place
	for c := 'a'; c <= 'z'; c++ {
		found, err := app.Places(string(c), 20)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range found {
			for range max(1, p.Population/500_000) {
				cities = append(cities, p)
			}
		}
	}
	return cities
}

// p5Room is room i (deterministic): within a few km of one of cities.
func p5Room(i int, cities []app.Place) domain.Room {
	rng := rand.New(rand.NewPCG(uint64(i), 5))
	c := cities[rng.IntN(len(cities))]
	p := geo.PointAtBearingAndDistance(orb.Point{c.Lon, c.Lat}, rng.Float64()*360, math.Abs(rng.NormFloat64())*5000)
	amenities := []string{"wifi", "kitchen", "parking", "washer", "heating"}
	return domain.Room{
		Title:         fmt.Sprintf("Room %d in %s", i, c.Name),
		Description:   fmt.Sprintf("A quiet room near the centre of %s, with a view over the roofs.", c.Name),
		Lat:           min(max(p.Lat(), -85), 85),
		Lon:           math.Remainder(p.Lon(), 360),
		PricePerNight: float64(20 + rng.IntN(180)),
		Currency:      "EUR",
		MaxGuests:     1 + rng.IntN(6),
		Amenities:     amenities[:rng.IntN(len(amenities)+1)],
	}
}
