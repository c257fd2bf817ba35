package app

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/caravan-p2p/caravan/p2p"
)

// CellSync is how well this peer knows a cell: whom it has caught up with and
// when, and whether a catch-up is running. It is what tells "nothing here"
// from "not arrived yet".
type CellSync struct {
	Cell string `json:"cell"`
	// Peers is how many peers this peer completed a catch-up of the cell with
	// since it started.
	Peers int `json:"peers"`
	// Last is when the last catch-up of the cell completed; zero if none has.
	Last time.Time `json:"last,omitzero"`
	// Running is how many catch-up sessions of the cell are running now, and
	// Received how many records they have brought so far.
	Running  int `json:"running"`
	Received int `json:"received"`
	// Failed is the last session's error when it failed, else empty.
	Failed string `json:"failed,omitempty"`
}

// coverage follows the catch-up sessions the peer reports.
type coverage struct {
	mu    sync.Mutex
	cells map[string]*cellCoverage
}

type cellCoverage struct {
	synced  map[string]bool // peers a session completed with
	last    time.Time
	running map[sessionKey]int // records received so far, per running session
	failed  string
}

type sessionKey struct {
	peer      string
	initiator bool
}

func newCoverage() *coverage { return &coverage{cells: map[string]*cellCoverage{}} }

// note records a SyncProgress event at time now.
func (c *coverage) note(e p2p.Event, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.cells[e.Cell]
	if cc == nil {
		cc = &cellCoverage{synced: map[string]bool{}, running: map[sessionKey]int{}}
		c.cells[e.Cell] = cc
	}
	key := sessionKey{e.Peer.String(), e.Initiator}
	if !e.Done {
		cc.running[key] = e.Pulled
		return
	}
	delete(cc.running, key)
	if e.Err != nil {
		cc.failed = e.Err.Error()
		return
	}
	cc.synced[key.peer], cc.last, cc.failed = true, now, ""
}

// snapshot returns the state of every cell seen, sorted by cell.
func (c *coverage) snapshot() []CellSync {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]CellSync, 0, len(c.cells))
	for _, cell := range slices.Sorted(maps.Keys(c.cells)) {
		cc := c.cells[cell]
		s := CellSync{Cell: cell, Peers: len(cc.synced), Last: cc.last, Running: len(cc.running), Failed: cc.failed}
		for _, n := range cc.running {
			s.Received += n
		}
		out = append(out, s)
	}
	return out
}
