// Command caravan is a peer-to-peer app for sharing homes and rides: the
// desktop app, a headless always-on peer (caravan node) and scripting commands.
package main

import (
	"context"
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

// desktop opens the main window on the node and returns when it closes.
func desktop(_ context.Context, n *app.Node) error {
	a := fyneapp.NewWithID("org.caravanp2p.caravan")
	a.SetIcon(resources.Icon())
	w := screens.NewMainWindow(a, n)
	w.Resize(fyne.NewSize(1000, 700))
	w.ShowAndRun()
	return nil
}
