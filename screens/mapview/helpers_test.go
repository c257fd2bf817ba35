package mapview

import (
	"math"
	"os"
	"sync"
	"testing"
	"time"
)

// uiQueue stands in for fyne.Do in tests: the map's goroutines queue their
// UI work and the test runs it on its own goroutine, so nothing races.
type uiQueue struct {
	mu sync.Mutex
	fs []func()
}

func (q *uiQueue) do(f func()) {
	q.mu.Lock()
	q.fs = append(q.fs, f)
	q.mu.Unlock()
}

func (q *uiQueue) drain() {
	q.mu.Lock()
	fs := q.fs
	q.fs = nil
	q.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// waitFor drains q until cond holds, failing the test after a while.
func waitFor(t *testing.T, q *uiQueue, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if q != nil {
			q.drain()
		}
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var loadBasemap = sync.OnceValues(func() (*Basemap, error) {
	data, err := os.ReadFile("../../resources/naturalearth-50m.geojson.gz")
	if err != nil {
		return nil, err
	}
	return LoadBasemap(data)
})

func testBasemap(t *testing.T) *Basemap {
	t.Helper()
	b, err := loadBasemap()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }
