package mapview

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/paulmach/orb"
)

func BenchmarkLoadBasemap(b *testing.B) {
	data, err := os.ReadFile("../../resources/naturalearth-50m.geojson.gz")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadBasemap(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBasemapTile(b *testing.B) {
	bm, err := loadBasemap()
	if err != nil {
		b.Fatal(err)
	}
	t := tileAt(orb.Point{4.89, 52.37}, 5)
	for b.Loop() {
		bm.renderTile(t)
	}
}

func BenchmarkClusters10k(b *testing.B) {
	pts := make([]orb.Point, 10000)
	for i := range pts {
		pts[i] = toWorld(orb.Point{4.7 + float64(i%100)*0.004, 52.3 + float64(i/100)*0.002})
	}
	for b.Loop() {
		makeClusters(pts, 12, clusterCell)
	}
}

// BenchmarkP6Render times one frame of a map showing 10,000 pins at a city
// zoom: clustering them, building the canvas objects and painting the
// window to an image with Fyne's software painter (the test driver). It
// prints
//
//	BENCH P6 pins=10000 frame_ms=.. cpu_ms=.. markers=..
//
// The goal is under 16 ms, a frame at 60 Hz. frame_ms is wall time; cpu_ms
// is the process's CPU time per frame, which a machine busy with other work
// inflates less. No tiles or basemap are drawn: they are images made off the
// UI goroutine, the same whatever the pins. The software painter draws every
// object afresh each frame; the GL driver of a real window caches text and
// shapes as textures, so this is a pessimistic figure.
func BenchmarkP6Render(b *testing.B) {
	const pins = 10000
	test.NewTempApp(b)
	m := New(Options{NoTiles: true})
	b.Cleanup(m.Close)
	w := test.NewTempWindow(b, m)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(1000, 700)) // the window's default size
	// Paris and its suburbs, denser in the middle, as listings are.
	rng := rand.New(rand.NewPCG(6, 6))
	ps := make([]Pin, pins)
	for i := range ps {
		ps[i] = Pin{ID: strconv.Itoa(i), Lat: 48.857 + rng.NormFloat64()*0.05, Lon: 2.352 + rng.NormFloat64()*0.08,
			Label: "€" + strconv.Itoa(20+rng.IntN(200))}
	}
	m.SetPins(ps)
	m.SetCenter(48.857, 2.352, 12)
	c := w.Canvas()
	frames := 0
	cpu0 := cpuTime()
	for b.Loop() {
		m.clusterZ = -1 // cluster afresh, as after a zoom
		m.Refresh()
		if img := c.Capture(); img.Bounds().Dx() == 0 {
			b.Fatal("empty capture")
		}
		frames++
	}
	cpu := float64((cpuTime() - cpu0).Microseconds()) / 1000 / float64(frames)
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(frames)
	b.ReportMetric(ms, "frame_ms")
	b.ReportMetric(cpu, "cpu_ms")
	markers := 0
	for _, cl := range m.currentClusters() {
		if p := m.toScreen(cl.world); p.X >= 0 && p.Y >= 0 && p.X <= 1000 && p.Y <= 700 {
			markers++
		}
	}
	fmt.Printf("BENCH P6 pins=%d frame_ms=%.2f cpu_ms=%.2f markers=%d\n", pins, ms, cpu, markers)
}
