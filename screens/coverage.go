package screens

import (
	"context"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/caravan-p2p/caravan/app"
)

const (
	// coveragePoll is how often the coverage lines refresh without events:
	// "last catch-up 2 min ago" ages.
	coveragePoll = 30 * time.Second
	// coverageGap is the least time between two status loads, so that a
	// burst of catch-up events makes a few.
	coverageGap = 2 * time.Second
)

// coverageText says how complete what this peer knows of an area is, from
// the catch-up state of the area's cells: so that an empty result reads as
// "nothing here", not "not arrived yet".
func coverageText(st app.Coverage, cells []string, now time.Time) string {
	if !st.Running {
		return lang.L("Not connected to the network: only what this computer already has is shown")
	}
	want := make(map[string]bool, len(cells))
	for _, c := range cells {
		want[c] = true
	}
	peers, running := 0, 0
	var last time.Time
	for _, cs := range st.Sync {
		if !want[cs.Cell] {
			continue
		}
		peers = max(peers, cs.Peers)
		running += cs.Running
		if cs.Last.After(last) {
			last = cs.Last
		}
	}
	synced := ""
	if peers > 0 {
		synced = lang.N("Synced with {{.Count}} peers for this area", peers, countOf(peers))
		if age := formatAge(last, now); age != "" {
			synced += " · " + lang.L("last catch-up {{.Age}}", tdata{"Age": age})
		}
	}
	switch {
	case running > 0 && synced != "":
		return synced + " · " + lang.L("catching up now…")
	case running > 0:
		return lang.L("Catching up with peers for this area…")
	case synced != "":
		return synced
	}
	return lang.L("Not caught up with any peer for this area yet")
}

// coverage keeps the catch-up state the coverage lines of Explore are drawn from,
// loading it on events and every coveragePoll.
type coverage struct {
	sh   *shell
	kick chan struct{} // capacity 1
	// onStatus is called on the UI goroutine with each state loaded.
	onStatus []func(app.Coverage)

	// UI goroutine only.
	status app.Coverage
	loaded bool
}

func newCoverage(sh *shell) *coverage {
	return &coverage{sh: sh, kick: make(chan struct{}, 1)}
}

// reload asks for the state to be loaded again; any goroutine may call it.
func (c *coverage) reload() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// run loads the state when asked and every coveragePoll, until ctx ends.
func (c *coverage) run(ctx context.Context) {
	tick := time.NewTicker(coveragePoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		case <-tick.C:
		}
		lctx, cancel := context.WithTimeout(ctx, networkTimeout)
		st, err := c.sh.b.Coverage(lctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			c.sh.do(func() {
				c.status, c.loaded = st, true
				for _, f := range c.onStatus {
					f(st)
				}
			})
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(coverageGap):
		}
	}
}

// line sets a note to the coverage of cells, or hides it before the first
// status.
func (c *coverage) line(n *note, cells []string) {
	if !c.loaded {
		n.set("", theme.ColorNamePlaceHolder)
		return
	}
	n.set(coverageText(c.status, cells, time.Now()), theme.ColorNamePlaceHolder)
}
