package app

import (
	"context"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
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
		n.interest.addOwn(r.Cells...)
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

// maintainLoop keeps the store fresh at start and every maintainPeriod: it
// drops expired records and renews the user's own listings before they expire.
func (n *Node) maintainLoop(ctx context.Context) {
	tick := time.NewTicker(maintainPeriod)
	defer tick.Stop()
	for {
		now := time.Now()
		if k, err := n.store.SweepExpired(ctx, now); err != nil {
			n.log.Warn("sweep expired records", "err", err)
		} else if k > 0 {
			n.log.Info("swept expired records", "count", k)
			n.bus.recordsChanged(allKinds())
		}
		if err := n.renewOwn(ctx, now); err != nil {
			n.log.Warn("renew own records", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// renewOwn re-signs the user's rooms, calendars, profile and vouches that would expire
// within renewAhead, and queues the new versions for publishing (DESIGN §3).
func (n *Node) renewOwn(ctx context.Context, now time.Time) error {
	due, err := n.store.Expiring(ctx, n.Self(), []domain.Kind{domain.KindRoom, domain.KindCalendar, domain.KindProfile, domain.KindVouch}, now.Add(renewAhead))
	if err != nil {
		return err
	}
	for _, prev := range due {
		rec, err := n.id.Renew(prev, now)
		if err == nil {
			err = n.postOwn(ctx, rec)
		}
		if err != nil {
			return fmt.Errorf("renew %s %s: %w", prev.Kind, prev.ID, err)
		}
		n.log.Info("renewed", "kind", rec.Kind, "id", rec.ID, "expires", rec.Expires())
	}
	return nil
}
