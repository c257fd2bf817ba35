package app

import (
	"context"
	"time"
)

// publishLoop publishes the outbox: at once for posts made in this process
// (poke), and within outboxPoll for posts made by a scripting command in
// another process, noticed through the store's data version.
func (n *Node) publishLoop(ctx context.Context) {
	tick := time.NewTicker(outboxPoll)
	defer tick.Stop()
	var lastVersion int64 = -1
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.poke:
		case <-tick.C:
			v, err := n.store.DataVersion(ctx)
			if err != nil || v == lastVersion {
				continue
			}
			if lastVersion != -1 {
				n.bus.recordsChanged(allKinds()) // another process wrote to the store
			}
			lastVersion = v
		}
		n.publishOutbox(ctx)
	}
}

// publishOutbox publishes every record waiting in the outbox, following
// their cells first so this peer stays in the mesh of its own listings.
func (n *Node) publishOutbox(ctx context.Context) {
	p := n.running()
	if p == nil {
		return
	}
	recs, err := n.store.Outbox(ctx, 256)
	if err != nil {
		n.log.Warn("read outbox", "err", err)
		return
	}
	var done [][32]byte
	for _, r := range recs {
		for _, c := range r.Cells {
			n.joinCell(c)
		}
		pctx, cancel := context.WithTimeout(ctx, publishWindow)
		err := p.Publish(pctx, r)
		cancel()
		if err != nil {
			n.log.Warn("publish", "id", r.ID, "err", err)
			continue // stays in the outbox for the next round
		}
		n.log.Info("published", "kind", r.Kind, "id", r.ID, "cells", r.Cells)
		done = append(done, r.Hash())
	}
	if len(done) > 0 {
		if err := n.store.MarkPublished(ctx, done...); err != nil {
			n.log.Warn("mark published", "err", err)
		}
	}
}

// nudge wakes the publish loop.
func (n *Node) nudge() {
	select {
	case n.poke <- struct{}{}:
	default:
	}
}

// stateLoop writes the runtime state for scripting commands, every statePeriod.
func (n *Node) stateLoop(ctx context.Context) {
	tick := time.NewTicker(statePeriod)
	defer tick.Stop()
	for {
		n.writeRuntimeState(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sweepLoop drops expired records at start and every sweepPeriod.
func (n *Node) sweepLoop(ctx context.Context) {
	tick := time.NewTicker(sweepPeriod)
	defer tick.Stop()
	for {
		if k, err := n.store.SweepExpired(ctx, time.Now()); err != nil {
			n.log.Warn("sweep expired records", "err", err)
		} else if k > 0 {
			n.log.Info("swept expired records", "count", k)
			n.bus.recordsChanged(allKinds())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
