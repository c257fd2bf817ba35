package main

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/caravan-p2p/caravan/resources"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// p6ChildEnv, set to 1, makes the test binary run the P6 frames in a window
// of its own instead of the tests (see BenchmarkP6Frame).
const p6ChildEnv = "CARAVAN_TEST_P6"

// p6Pins is how many pins the P6 map shows.
const p6Pins = 10_000

// BenchmarkP6Frame times frames of the map showing 10,000 pins at a city
// zoom, painted by the app's own OpenGL painter in a real window, and
// prints
//
//	BENCH P6 pins=10000 frame_ms=.. render_ms=.. paint_ms=.. p90_ms=..
//
// Each frame zooms the map in or out a level around Paris (1000x700, the
// window's default size, over the offline basemap), so the pins are
// clustered afresh and the tiles change, and then:
//   - render_ms is the map's own work on the UI goroutine: clustering, and
//     rebuilding its canvas objects (tiles, one image per marker dot and
//     label, the attribution, the zoom buttons);
//   - paint_ms is Fyne painting the window: from the first object painted
//     (a 1-pixel probe under the map) to the end of the frame, buffers
//     swapped, which the main loop sees when it next runs a function;
//   - frame_ms is their sum, the median of the frames; p90_ms its 90th
//     percentile. The goal is frame_ms < 16 (60 Hz).
//
// It needs a display (make bench runs it under xvfb-run, whose OpenGL is
// Mesa's software renderer on the CPU, slower than any graphics card).
// The window runs in a child process: Fyne's driver must own the main
// thread.
func BenchmarkP6Frame(b *testing.B) {
	if os.Getenv("DISPLAY") == "" {
		b.Skip("needs a display: run it under xvfb-run, as make bench does")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), p6ChildEnv+"=1", "XDG_CONFIG_HOME="+b.TempDir())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var result string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "BENCH P6 ") {
			result = lines.Text()
		}
	}
	if err := cmd.Wait(); err != nil || result == "" {
		b.Fatalf("the P6 window ended without figures: %v", err)
	}
	for field := range strings.FieldsSeq(result) {
		if name, v, ok := strings.Cut(field, "_ms="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				b.ReportMetric(f, name+"_ms")
			}
		}
	}
	fmt.Println(result)
}

// runP6 opens the P6 window, times its frames, prints the BENCH P6 line and
// quits. It runs on the main goroutine, which Fyne's driver needs.
func runP6() {
	a := fyneapp.NewWithID("org.caravanp2p.caravan.p6")
	bm, err := mapview.LoadBasemap(resources.NaturalEarth)
	if err != nil {
		fmt.Fprintln(os.Stderr, "P6:", err)
		os.Exit(1)
	}
	m := mapview.New(mapview.Options{NoTiles: true, Basemap: bm})
	// Paris and its suburbs, denser in the middle, as listings are.
	rng := rand.New(rand.NewPCG(6, 6))
	pins := make([]mapview.Pin, p6Pins)
	for i := range pins {
		pins[i] = mapview.Pin{ID: strconv.Itoa(i), Lat: 48.857 + rng.NormFloat64()*0.05,
			Lon: 2.352 + rng.NormFloat64()*0.08, Label: "€" + strconv.Itoa(20+rng.IntN(200))}
	}
	m.SetPins(pins)

	// The probes: the painter asks a refreshed raster for its pixels when it
	// paints it, so the one under the map marks the start of painting and
	// the one over it the end of the last object; the frame itself ends
	// once the buffers are swapped and the main loop is free again. Each
	// end says which frame (the count of refreshes asked for) it ends, so
	// that the window's first paint, before any frame, is told apart.
	type frameEnd struct {
		frame int64
		at    time.Time
	}
	var frame, paintStart atomic.Int64
	ends := make(chan frameEnd, 16) // never full: a send must not block the UI
	pixel := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	under := canvas.NewRaster(func(int, int) image.Image {
		paintStart.Store(time.Now().UnixNano())
		return pixel
	})
	over := canvas.NewRaster(func(int, int) image.Image {
		n := frame.Load()
		go fyne.Do(func() { ends <- frameEnd{n, time.Now()} })
		return pixel
	})
	for _, p := range []*canvas.Raster{under, over} {
		p.Resize(fyne.NewSquareSize(1))
	}
	w := a.NewWindow("P6")
	w.SetPadded(false)
	w.SetContent(container.NewStack(container.NewWithoutLayout(under), m, container.NewWithoutLayout(over)))
	w.Resize(fyne.NewSize(1000, 700))

	go func() {
		defer a.Quit()
		const warm, frames = 10, 60
		var frameMs, renderMs, paintMs []float64
		for i := range warm + frames {
			var render time.Duration
			fyne.DoAndWait(func() {
				frame.Add(1)
				t0 := time.Now()
				m.SetCenter(48.857, 2.352, 12+i%2)
				under.Refresh()
				over.Refresh()
				render = time.Since(t0)
			})
			var end time.Time
			for end.IsZero() {
				select {
				case e := <-ends:
					if e.frame == frame.Load() {
						end = e.at
					}
				case <-time.After(10 * time.Second):
					fmt.Fprintln(os.Stderr, "P6: no frame painted in 10 s")
					os.Exit(1)
				}
			}
			if i == 1 {
				time.Sleep(2 * time.Second) // both zooms' basemap tiles drawn by now
			}
			if i < warm {
				continue
			}
			paint := end.Sub(time.Unix(0, paintStart.Load()))
			renderMs = append(renderMs, ms(render))
			paintMs = append(paintMs, ms(paint))
			frameMs = append(frameMs, ms(render+paint))
		}
		fmt.Printf("BENCH P6 pins=%d frame_ms=%.2f render_ms=%.2f paint_ms=%.2f p90_ms=%.2f\n",
			p6Pins, quantile(frameMs, 0.5), quantile(renderMs, 0.5), quantile(paintMs, 0.5), quantile(frameMs, 0.9))
	}()
	w.ShowAndRun()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// quantile is the q-quantile of xs (nearest rank).
func quantile(xs []float64, q float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
