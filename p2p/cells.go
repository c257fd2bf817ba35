package p2p

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// The cells exchange: on a new connection, and whenever our cells change, a
// peer opens a CellsProtocol stream and writes one frame of type 'C' holding
// the JSON object {"seq": n, "cells": [...]}: every cell it has joined, and a
// number that grows with each announcement. The receiver replaces what it knew
// of the sender's cells, unless it already has a later announcement.

const (
	frameCells    = 'C'
	maxCellsFrame = 128 << 10 // 4096 cells of up to ~20 bytes, quoted
)

type announcement struct {
	Seq   uint64   `json:"seq"`
	Cells []string `json:"cells"`
}

// snapshotCells numbers an announcement of our current cells.
func (p *Peer) snapshotCells() announcement {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.annSeq++
	a := announcement{Seq: p.annSeq, Cells: []string{}}
	for cell, ct := range p.topics {
		if ct.sub != nil {
			a.Cells = append(a.Cells, cell)
		}
	}
	slices.Sort(a.Cells)
	return a
}

// kickAnnounce asks the announcer to send our cells to every connected peer.
func (p *Peer) kickAnnounce() {
	select {
	case p.announce <- struct{}{}:
	default:
	}
}

// announceLoop sends our cells to all connected peers after a change,
// coalescing a burst of JoinCell calls into one announcement.
func (p *Peer) announceLoop() {
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.announce:
		}
		select {
		case <-p.ctx.Done():
			return
		case <-time.After(announceDelay):
		}
		select { // kicks that came while waiting are covered by this round
		case <-p.announce:
		default:
		}
		a := p.snapshotCells()
		// The next round waits at least announceGap, keeping us under the
		// other side's limit (cellsRate); kicks meanwhile are coalesced.
		next := time.Now().Add(announceGap)
		for _, id := range p.h.Network().Peers() {
			if ok, err := p.h.Peerstore().SupportsProtocols(id, CellsProtocol); err != nil || len(ok) == 0 {
				continue
			}
			p.goTracked(func() { p.announceTo(id, a) })
		}
		select {
		case <-p.ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
	}
}

// announceTo sends our cells to one peer.
func (p *Peer) announceTo(id peer.ID, a announcement) {
	ctx, cancel := context.WithTimeout(p.ctx, streamTimeout)
	defer cancel()
	s, err := p.h.NewStream(ctx, id, CellsProtocol)
	if err != nil {
		p.log.Debug("announce cells: open stream", "peer", id, "err", err)
		return
	}
	payload, err := json.Marshal(a)
	if err != nil {
		s.Reset()
		return
	}
	w := newWire(s, maxCellsFrame)
	w.deadline(streamTimeout)
	if err := w.sendNow(frameCells, payload); err != nil {
		p.log.Debug("announce cells", "peer", id, "err", err)
		s.Reset()
		return
	}
	_ = s.Close()
}

// handleCells receives a peer's cells, reports them and starts the catch-up of
// the cells newly shared with it.
func (p *Peer) handleCells(s network.Stream) {
	if !p.enter() {
		s.Reset()
		return
	}
	defer p.wg.Done()
	id := s.Conn().RemotePeer()
	_ = s.SetReadDeadline(time.Now().Add(streamTimeout))
	typ, payload, err := readFrame(bufio.NewReader(s), maxCellsFrame)
	if err != nil || typ != frameCells {
		p.log.Debug("cells announcement unreadable", "peer", id, "type", typ, "err", err)
		s.Reset()
		return
	}
	_ = s.Close()
	if !p.cellsLimit.allow(id) {
		p.deferAnnouncement(id, payload)
		return
	}
	p.applyAnnouncement(id, payload)
}

// deferAnnouncement keeps the latest announcement of a peer over its rate
// limit and applies it after cellsRetry; announcements it replaces are
// dropped, so a flooding peer costs at most one parse per cellsRetry.
func (p *Peer) deferAnnouncement(id peer.ID, payload []byte) {
	p.mu.Lock()
	_, waiting := p.pendingAnn[id]
	p.pendingAnn[id] = payload
	p.mu.Unlock()
	p.log.Debug("cells announcement over the rate limit; deferred", "peer", id)
	if waiting {
		return
	}
	p.goTracked(func() {
		select {
		case <-p.ctx.Done():
			return
		case <-time.After(cellsRetry):
		}
		p.mu.Lock()
		payload, ok := p.pendingAnn[id]
		delete(p.pendingAnn, id)
		p.mu.Unlock()
		if ok {
			p.applyAnnouncement(id, payload)
		}
	})
}

// applyAnnouncement records a peer's cells, reports them and starts the
// catch-up of the cells newly shared with it.
func (p *Peer) applyAnnouncement(id peer.ID, payload []byte) {
	seq, cells, err := parseAnnouncement(payload)
	if err != nil {
		p.log.Debug("cells announcement refused", "peer", id, "err", err)
		return
	}
	if p.h.Network().Connectedness(id) != network.Connected {
		return
	}
	set := make(map[string]bool, len(cells))
	for _, c := range cells {
		set[c] = true
	}
	p.mu.Lock()
	if last, ok := p.remoteSeq[id]; ok && seq <= last {
		p.mu.Unlock()
		return // an older announcement overtaken by a newer one
	}
	p.remoteSeq[id] = seq
	old := p.remote[id]
	p.remote[id] = set
	var newlyShared []string
	for _, c := range cells {
		if !old[c] {
			if ct := p.topics[c]; ct != nil && ct.sub != nil {
				newlyShared = append(newlyShared, c)
			}
		}
	}
	p.mu.Unlock()
	p.log.Debug("peer announced cells", "peer", id, "cells", len(cells), "newly_shared", len(newlyShared))
	p.emit(Event{Kind: PeerCells, Peer: id, Cells: cells})
	for _, c := range newlyShared {
		p.syncIfInitiator(id, c)
	}
}

// parseAnnouncement decodes and checks a cells announcement; it returns the
// cells sorted and without duplicates.
func parseAnnouncement(payload []byte) (uint64, []string, error) {
	var a announcement
	if err := json.Unmarshal(payload, &a); err != nil {
		return 0, nil, fmt.Errorf("decode: %w", err)
	}
	if len(a.Cells) > MaxJoinedCells {
		return 0, nil, fmt.Errorf("%d cells, limit %d", len(a.Cells), MaxJoinedCells)
	}
	for _, c := range a.Cells {
		if err := checkCell(c); err != nil {
			return 0, nil, err
		}
	}
	slices.Sort(a.Cells)
	return a.Seq, slices.Compact(a.Cells), nil
}

// peerCells is what a peer last announced, sorted.
func (p *Peer) peerCells(id peer.ID) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for c := range p.remote[id] {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
