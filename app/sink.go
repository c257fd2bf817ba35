package app

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p"
	"github.com/caravan-p2p/caravan/storage"
	"github.com/libp2p/go-libp2p/core/peer"
)

// sink is the node as the peer sees it: where received records go through
// the same validation and store as every other record.
type sink struct{ n *Node }

// Deliver ingests records from a peer and says which to forward.
func (s sink) Deliver(ctx context.Context, from peer.ID, recs []domain.Record) []p2p.Verdict {
	verdicts := make([]p2p.Verdict, len(recs))
	outs, err := s.n.store.Ingest(ctx, recs, time.Now())
	if err != nil {
		s.n.log.Warn("ingest from peer", "peer", from, "err", err)
		for i := range verdicts {
			verdicts[i] = p2p.Ignored
		}
		return verdicts
	}
	var kinds []domain.Kind
	var stored []domain.Record
	for i, o := range outs {
		switch o.Status {
		case storage.Stored:
			verdicts[i] = p2p.Accepted
			kinds = append(kinds, recs[i].Kind)
			stored = append(stored, recs[i])
		case storage.Rejected:
			verdicts[i] = p2p.Rejected
			s.n.stats.add(from.String(), domain.ReasonOf(o.Err))
			s.n.log.Info("rejected a record", "peer", from, "id", recs[i].ID, "err", o.Err)
		default:
			verdicts[i] = p2p.Ignored
		}
	}
	s.n.bus.recordsChanged(kinds)
	s.n.alertWishes(ctx, stored)
	return verdicts
}

// SyncItems lists a cell's items for catch-up.
func (s sink) SyncItems(ctx context.Context, cell string) ([]domain.SyncItem, error) {
	return s.n.store.SyncItems(ctx, cell)
}

// RecordsByItems returns the records of a cell a peer asked for, as signed.
func (s sink) RecordsByItems(ctx context.Context, cell string, items []domain.SyncItem) ([][]byte, error) {
	return s.n.store.RecordsByItems(ctx, cell, items)
}

// rejections counts refused records per reason and per peer (DESIGN §3).
type rejections struct {
	mu       sync.Mutex
	byReason map[domain.Reason]int
	byPeer   map[string]int
}

func newRejections() *rejections {
	return &rejections{byReason: map[domain.Reason]int{}, byPeer: map[string]int{}}
}

func (r *rejections) add(peer string, reason domain.Reason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byReason[reason]++
	r.byPeer[peer]++
}

// snapshot copies the counts.
func (r *rejections) snapshot() Rejections {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := Rejections{ByReason: make(map[string]int, len(r.byReason)), ByPeer: maps.Clone(r.byPeer)}
	for k, v := range r.byReason {
		out.ByReason[string(k)] = v
	}
	return out
}

// Rejections counts the records refused since the node started.
type Rejections struct {
	ByReason map[string]int `json:"by_reason"`
	ByPeer   map[string]int `json:"by_peer"`
}
