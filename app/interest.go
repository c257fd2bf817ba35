package app

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Which cells a node follows (DESIGN §7). A desktop follows the area the user
// looks at and the areas of the user's own listings, each with its neighbours;
// an always-on node, and a desktop whose map has not said where it looks yet,
// follows every cell its peers follow. A cell no longer wanted is left after
// leaveAfter, so that panning back and forth does not churn subscriptions.
const (
	// maxViewCells caps the cells a view joins: a view wider than that (a
	// continent) joins only cells peers follow, nearest the centre first.
	maxViewCells = 64
	// leaveAfter is how long a cell stays joined once nothing wants it.
	leaveAfter = 5 * time.Minute
	// interestPeriod is how often the node reconsiders its cells anyway.
	interestPeriod = 30 * time.Second
)

// interest tracks what the node wants to follow.
type interest struct {
	followAll bool

	mu        sync.Mutex
	view      *orb.Bound          // what the user looks at; nil until Watch
	announced map[string][]string // cells each connected peer follows
	own       map[string]bool     // cells of the user's own listings and bookings
	wanted    map[string]time.Time
	kick      chan struct{}
}

func newInterest(followAll bool) *interest {
	return &interest{followAll: followAll, announced: map[string][]string{}, own: map[string]bool{},
		wanted: map[string]time.Time{}, kick: make(chan struct{}, 1)}
}

// poke asks the interest loop to reconsider.
func (in *interest) poke() {
	select {
	case in.kick <- struct{}{}:
	default:
	}
}

// setView records the area the user looks at.
func (in *interest) setView(b orb.Bound) {
	in.mu.Lock()
	in.view = &b
	in.mu.Unlock()
	in.poke()
}

// setAnnounced records the cells a peer follows; nil forgets the peer.
func (in *interest) setAnnounced(peer string, cells []string) {
	in.mu.Lock()
	if cells == nil {
		delete(in.announced, peer)
	} else {
		in.announced[peer] = cells
	}
	in.mu.Unlock()
	in.poke()
}

// addOwn records cells of the user's own listings and bookings.
func (in *interest) addOwn(cells ...string) {
	in.mu.Lock()
	changed := false
	for _, c := range cells {
		if !in.own[c] {
			in.own[c], changed = true, true
		}
	}
	in.mu.Unlock()
	if changed {
		in.poke()
	}
}

// want returns the cells wanted now, sorted.
func (in *interest) want() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	set := map[string]bool{}
	addWithNeighbours := func(c string) {
		set[c] = true
		nb, _ := domain.Neighbours(c)
		for _, x := range nb {
			set[x] = true
		}
	}
	for c := range in.own {
		addWithNeighbours(c)
	}
	announced := map[string]bool{}
	for _, cells := range in.announced {
		for _, c := range cells {
			announced[c] = true
		}
	}
	switch {
	case in.followAll || in.view == nil:
		maps.Copy(set, announced)
	default:
		for _, c := range viewCells(*in.view, announced) {
			addWithNeighbours(c)
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// viewCells are the cells of a view: all of them when few, else those that
// peers follow inside it, nearest the centre first, at most maxViewCells.
func viewCells(view orb.Bound, announced map[string]bool) []string {
	if cells := domain.BoundCells(view); len(cells) <= maxViewCells {
		return cells
	}
	centre := view.Center()
	var inside []string
	for c := range announced {
		if t, err := domain.ParseCell(c); err == nil && t.Bound().Intersects(view) {
			inside = append(inside, c)
		}
	}
	dist := func(c string) float64 {
		t, _ := domain.ParseCell(c)
		return planarDist(t, centre)
	}
	slices.SortFunc(inside, func(a, b string) int { return cmp.Or(cmp.Compare(dist(a), dist(b)), cmp.Compare(a, b)) })
	return inside[:min(len(inside), maxViewCells)]
}

// planarDist is the distance in degrees from a tile's centre to p: enough to
// order cells around a view's centre.
func planarDist(t maptile.Tile, p orb.Point) float64 {
	c := t.Bound().Center()
	dx, dy := c[0]-p[0], c[1]-p[1]
	return dx*dx + dy*dy
}

// plan compares the wanted cells with the joined ones at now: which to join,
// and which to leave because nothing has wanted them for leaveAfter.
func (in *interest) plan(joined []string, now time.Time) (join, leave []string) {
	want := in.want()
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, c := range want {
		in.wanted[c] = now
		if !slices.Contains(joined, c) {
			join = append(join, c)
		}
	}
	if in.followAll {
		return join, nil // an always-on node keeps what it joined
	}
	for _, c := range joined {
		if last, ok := in.wanted[c]; !ok {
			in.wanted[c] = now // joined by someone else: give it the grace too
		} else if now.Sub(last) >= leaveAfter {
			leave = append(leave, c)
			delete(in.wanted, c)
		}
	}
	return join, leave
}

// Watch tells the node the area the user is looking at, as
// [minLon, minLat, maxLon, maxLat]: the node follows that area's cells and
// their neighbours from now on (DESIGN §7), and leaves those of areas the user
// no longer looks at a few minutes later.
func (n *Node) Watch(bound [4]float64) {
	n.interest.setView(orb.Bound{Min: orb.Point{bound[0], bound[1]}, Max: orb.Point{bound[2], bound[3]}})
}

// bookingCells are the cells of the listings of the user's bookings that
// are under way or ended lately (their reviews travel there), either side.
func (n *Node) bookingCells(ctx context.Context) ([]string, error) {
	bs, err := n.store.Bookings(ctx, storage.BookingFilter{Statuses: []domain.BookingStatus{
		domain.BookingRequested, domain.BookingAccepted, domain.BookingCompleted}})
	if err != nil {
		return nil, err
	}
	var cells []string
	for _, b := range bs {
		if b.Status != domain.BookingCompleted || n.now().Sub(b.UpdatedAt) < domain.RevealAfter {
			cells = append(cells, b.Terms.Cells...)
		}
	}
	return cells, nil
}

// interestLoop joins and leaves cells as the node's interest changes.
func (n *Node) interestLoop(ctx context.Context) {
	n.startPersons(ctx)
	if own, err := n.store.OwnCells(ctx, n.Self()); err != nil {
		n.log.Warn("cells of own listings", "err", err)
	} else {
		n.interest.addOwn(own...)
	}
	tick := time.NewTicker(interestPeriod)
	defer tick.Stop()
	for {
		if cells, err := n.bookingCells(ctx); err != nil {
			n.log.Warn("cells of bookings", "err", err)
		} else {
			n.interest.addOwn(cells...)
		}
		if keys, err := n.personTopics(ctx); err != nil {
			n.log.Warn("person topics of bookings", "err", err)
		} else {
			n.interest.addOwn(keys...)
		}
		if p := n.running(); p != nil {
			join, leave := n.interest.plan(p.Cells(), time.Now())
			for _, c := range join {
				n.joinCell(c)
			}
			for _, c := range leave {
				if err := p.LeaveCell(c); err != nil {
					n.log.Warn("leave cell", "cell", c, "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-n.interest.kick:
		case <-tick.C:
		}
	}
}
