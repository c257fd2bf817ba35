// Command caravan is a peer-to-peer app for sharing homes and rides: the
// desktop app, a headless always-on peer (caravan node) and scripting commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/app/cli"
	"github.com/caravan-p2p/caravan/resources"
	"github.com/caravan-p2p/caravan/screens"
)

func main() {
	os.Exit(cli.Execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr, desktop))
}

// measureStartEnv, set to 1, makes the desktop app print "first-results" on
// stdout as soon as the window has painted Explore with rooms in it, then
// quit: the start-up benchmark (BENCH P5 in main_test.go) times a real start
// with it.
const measureStartEnv = "CARAVAN_MEASURE_START"

// desktopGCPercent is the window app's GOGC unless the environment sets
// one. Its live heap is small (some 30-40 MB once Explore shows rooms:
// fonts, the basemap, the rooms listed), so collecting when the heap has
// grown by half rather than doubled keeps ~10-15 MB less resident (BENCH
// P5: 273-282 -> 241-268 MB on 1M rooms) for GC cycles of a few ms, with no
// start-up time lost that the benchmark could see.
const desktopGCPercent = 50

// desktop opens the main window on the node and returns when it closes.
func desktop(_ context.Context, n *app.Node) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(desktopGCPercent)
	}
	a := fyneapp.NewWithID("org.caravanp2p.caravan")
	a.SetIcon(resources.Icon())
	var opts []screens.Option
	if os.Getenv(measureStartEnv) == "1" {
		opts = append(opts, screens.OnFirstResults(func() {
			fmt.Println("first-results")
			a.Quit()
		}))
	}
	// Interrupted, or asked to end (a logout, a shutdown), the app quits as
	// if its window were closed: the window keeps its size and the node
	// stops cleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		<-sig
		fyne.Do(a.Quit)
	}()
	screens.NewMainWindow(a, n, opts...).ShowAndRun()
	return nil
}
