// Command caravan is a peer-to-peer app for sharing homes and rides: the
// desktop app, a headless always-on peer (caravan node) and scripting commands.
package main

import (
	"context"
	"fmt"
	"os"

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
// stdout as soon as Explore shows rooms, then quit: the start-up benchmark
// (BENCH P5 in main_test.go) times a real start with it.
const measureStartEnv = "CARAVAN_MEASURE_START"

// desktop opens the main window on the node and returns when it closes.
func desktop(_ context.Context, n *app.Node) error {
	a := fyneapp.NewWithID("org.caravanp2p.caravan")
	a.SetIcon(resources.Icon())
	var opts []screens.Option
	if os.Getenv(measureStartEnv) == "1" {
		opts = append(opts, screens.OnFirstResults(func() {
			fmt.Println("first-results")
			a.Quit()
		}))
	}
	w := screens.NewMainWindow(a, n, opts...)
	w.Resize(fyne.NewSize(1000, 700))
	w.ShowAndRun()
	return nil
}
