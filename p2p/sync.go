package p2p

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p/recon"
)

// The sync protocol (SyncProtocol), one stream per cell, initiator first:
//
//	I: 'H' cell               R: 'K', or 'E' reason and close
//	I: 'R' recon message      R: 'R' recon reply     rounds until I is done
//	I: 'G' <=256 hashes       R: 'D' record ... 'F'  I pulls what it lacks
//	I: 'D' record ... 'F'     R: 'A' counts          I pushes what R lacks;
//	                                                 counts are uvarints:
//	                                                 accepted ignored rejected;
//	                                                 I may send the next batch
//	                                                 before R's answer
//	I: 'Z'                    both close
//
// A record travels as its Encode form. The initiator only accepts records it
// asked for; each side accepts only records of the session's cell and hands
// them to its Sink in batches, which validates them.

const (
	frameHello  = 'H'
	frameOK     = 'K'
	frameError  = 'E'
	frameRecon  = 'R'
	frameGet    = 'G'
	frameRecord = 'D'
	frameEnd    = 'F'
	frameAck    = 'A'
	frameDone   = 'Z'
)

// declineRateLimited is the reason given to a peer that starts sync
// sessions faster than syncServeRate.
const declineRateLimited = "rate limited"

// Sync limits.
const (
	// BatchSize is the most records pulled or pushed in one batch; sync
	// hands Sink.Deliver at most pullPair batches at once.
	BatchSize = 256
	// pullPair is how many pulled batches are handed to Sink.Deliver at
	// once, so one write transaction stores them all.
	pullPair = 2
	// pushAhead is how many pushed batches may wait for their answer while
	// the next is read and sent: the other side, finding one batch arriving
	// behind another, stores them together.
	pushAhead = pullPair
	// maxRounds caps reconciliation rounds in one session.
	maxRounds = 1000
	// maxSessionRejects ends a session whose peer sends this many invalid records.
	maxSessionRejects = 64
	// maxSessionNeed caps the records one session learns it lacks and pulls;
	// more wait for the next session, so a peer claiming millions of records
	// it will not send cannot fill our memory.
	maxSessionNeed = 50_000
	// meshSettle is when a new shared cell is caught up a second time: past
	// GossipSub's prune backoff of 10 s.
	meshSettle = 15 * time.Second
	// syncWorkers is how many sessions this peer initiates at once.
	syncWorkers = 2
	// maxServed is how many sessions this peer answers at once.
	maxServed = 4
)

var reconOptions = recon.Options{FrameLimit: 256 << 10}

// maxSyncFrame bounds every frame on a sync stream.
var maxSyncFrame = max(reconOptions.FrameLimit+recon.MaxFrameOverrun, domain.MaxWireSize) + 1024

type syncKey struct {
	peer peer.ID
	cell string
}

// scheduler is a queue of sync sessions to run, without duplicates.
type scheduler struct {
	mu      sync.Mutex
	queue   []syncKey
	pending map[syncKey]bool
	running map[syncKey]bool
	kick    chan struct{}
	done    chan struct{}
	once    sync.Once
	served  chan struct{} // a slot per session being answered
}

func newScheduler() *scheduler {
	return &scheduler{
		pending: map[syncKey]bool{}, running: map[syncKey]bool{},
		kick: make(chan struct{}, 1), done: make(chan struct{}),
		served: make(chan struct{}, maxServed),
	}
}

func (s *scheduler) close() { s.once.Do(func() { close(s.done) }) }

func (s *scheduler) add(k syncKey) {
	s.mu.Lock()
	if s.pending[k] {
		s.mu.Unlock()
		return
	}
	s.pending[k] = true
	s.queue = append(s.queue, k)
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// next waits for a session that is not already running and marks it running.
func (s *scheduler) next() (syncKey, bool) {
	for {
		s.mu.Lock()
		for i, k := range s.queue {
			if !s.running[k] {
				s.queue = slices.Delete(s.queue, i, i+1)
				delete(s.pending, k)
				s.running[k] = true
				more := len(s.queue) > 0
				s.mu.Unlock()
				if more { // let another worker look at the rest
					select {
					case s.kick <- struct{}{}:
					default:
					}
				}
				return k, true
			}
		}
		s.mu.Unlock()
		select {
		case <-s.done:
			return syncKey{}, false
		case <-s.kick:
		}
	}
}

func (s *scheduler) finish(k syncKey) {
	s.mu.Lock()
	delete(s.running, k)
	more := len(s.queue) > 0
	s.mu.Unlock()
	if more {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// syncIfInitiator queues a catch-up of cell with a peer when this side is the
// one that starts sessions with it: the peer with the smaller ID. Both sides
// see the same events (connection, an announcement, a join), so exactly one
// starts; the periodic sweep covers peers that never do.
//
// It catches up once more after meshSettle: a record gossiped while the two
// were not yet in each other's mesh (GossipSub keeps a pruned peer out for
// its backoff) would otherwise wait for the periodic sweep.
func (p *Peer) syncIfInitiator(id peer.ID, cell string) {
	if p.h.ID() < id {
		k := syncKey{peer: id, cell: cell}
		p.sched.add(k)
		time.AfterFunc(meshSettle, func() {
			if p.ctx.Err() == nil {
				p.sched.add(k)
			}
		})
	}
}

func (p *Peer) syncWorker() {
	for {
		k, ok := p.sched.next()
		if !ok {
			return
		}
		if p.h.Network().Connectedness(k.peer) == network.Connected && p.joined(k.cell) && !p.graylisted(k.peer) {
			// Stay under the other side's limit on sessions (syncServeRate).
			if err := p.syncStart.wait(p.ctx, k.peer); err != nil {
				p.sched.finish(k)
				continue
			}
			if _, _, err := p.SyncCell(p.ctx, k.peer, k.cell); err != nil && p.ctx.Err() == nil {
				p.log.Info("catch-up failed", "peer", k.peer, "cell", k.cell, "err", err)
			}
		}
		p.sched.finish(k)
	}
}

// periodicSync catches up every cell shared with every connected peer once per
// syncInterval, skipping those synced (either way) more recently.
func (p *Peer) periodicSync() {
	syncInterval := syncInterval
	if p.cfg.hooks.syncInterval > 0 {
		syncInterval = p.cfg.hooks.syncInterval
	}
	for {
		jitter := time.Duration(rand.Int64N(int64(syncInterval / 10)))
		select {
		case <-p.ctx.Done():
			return
		case <-time.After(syncInterval - syncInterval/20 + jitter):
		}
		now := time.Now()
		var due []syncKey
		p.mu.Lock()
		for id, cells := range p.remote {
			for cell := range cells {
				ct := p.topics[cell]
				k := syncKey{id, cell}
				if ct != nil && ct.sub != nil && now.Sub(p.lastSync[k]) > syncInterval*3/4 {
					due = append(due, k)
				}
			}
		}
		p.mu.Unlock()
		for _, k := range due {
			p.sched.add(k)
		}
		connected := func(id peer.ID) bool { return p.h.Network().Connectedness(id) == network.Connected }
		p.syncServe.sweep(connected)
		p.syncStart.sweep(connected)
		p.cellsLimit.sweep(connected)
	}
}

func (p *Peer) markSynced(k syncKey) {
	p.mu.Lock()
	p.lastSync[k] = time.Now()
	p.mu.Unlock()
}

// SyncCell catches up one cell with one connected peer now: it reconciles the
// two sets of records, pulls the records this peer lacks into the Sink and
// pushes those the other lacks. It returns how many records were received and
// sent. The peer runs it by itself on connection, on JoinCell and
// periodically; the app may call it to force a catch-up.
func (p *Peer) SyncCell(ctx context.Context, id peer.ID, cell string) (pulled, pushed int, err error) {
	if err := checkCell(cell); err != nil {
		return 0, 0, err
	}
	if !p.enter() {
		return 0, 0, ErrClosed
	}
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(ctx, sessionTimeout)
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()

	k := syncKey{id, cell}
	p.markSynced(k)
	progress := func(done bool, err error) {
		p.emit(Event{Kind: SyncProgress, Peer: id, Cell: cell, Initiator: true,
			Pulled: pulled, Pushed: pushed, Done: done, Err: err})
	}
	err = p.initiate(ctx, id, cell, &pulled, &pushed, progress)
	if err != nil {
		p.offendIfMisbehaved(id, err)
		err = fmt.Errorf("p2p: sync cell %s with %s: %w", cell, id, err)
	}
	p.markSynced(k)
	progress(true, err)
	p.log.Debug("catch-up done", "peer", id, "cell", cell, "pulled", pulled, "pushed", pushed, "err", err)
	return pulled, pushed, err
}

func (p *Peer) initiate(ctx context.Context, id peer.ID, cell string, pulled, pushed *int, progress func(bool, error)) (err error) {
	s, err := p.h.NewStream(ctx, id, SyncProtocol)
	if err != nil {
		return fmt.Errorf("open stream: %w", err)
	}
	defer func() {
		if err != nil {
			s.Reset()
		} else {
			_ = s.Close()
		}
	}()
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	w := newWire(s, maxSyncFrame)

	w.deadline(streamTimeout)
	if err := w.sendNow(frameHello, []byte(cell)); err != nil {
		return err
	}
	typ, payload, err := w.recv()
	if err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	switch typ {
	case frameOK:
	case frameError:
		return fmt.Errorf("peer declined: %s", truncate(payload))
	default:
		return misbehaved("hello: unexpected frame %q", typ)
	}

	items, err := p.sink.SyncItems(ctx, cell)
	if err != nil {
		return fmt.Errorf("list items: %w", err)
	}
	rc := recon.NewInitiator(items, reconOptions)
	msg, err := rc.Initiate()
	if err != nil {
		return err
	}
	for round := 1; msg != nil; round++ {
		if round > maxRounds {
			return misbehaved("no agreement after %d rounds", maxRounds)
		}
		if rc.NeedLen() >= maxSessionNeed {
			break // pull these now; the rest in the next session
		}
		w.deadline(roundTimeout)
		if err := w.sendNow(frameRecon, msg); err != nil {
			return err
		}
		typ, reply, err := w.recv()
		if err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
		if typ != frameRecon {
			return misbehaved("round %d: unexpected frame %q", round, typ)
		}
		if msg, err = rc.Reconcile(reply); err != nil {
			return misbehaved("round %d: %w", round, err)
		}
	}
	need, have := rc.Need(), rc.Have()
	p.log.Debug("reconciled", "peer", id, "cell", cell, "items", rc.Len(), "need", len(need), "have", len(have))

	// Pull in batches, asking for the next batch before storing any, so the
	// other side reads and sends while this side verifies and writes; every
	// pullPair batches received are stored at once, in one write transaction.
	rejects := 0
	var recs []domain.Record // received, not yet stored
	store := func() error {
		*pulled += len(recs)
		for _, v := range p.ingest(ctx, id, "sync", recs) {
			if v == Rejected {
				rejects++
			}
		}
		recs = nil
		if rejects >= maxSessionRejects {
			return misbehaved("%d invalid records from the peer", rejects)
		}
		progress(false, nil)
		return nil
	}
	// keep stores what was received before a failure, which it returns.
	keep := func(err error) error {
		if len(recs) > 0 {
			_ = store() // err says why the session ends
		}
		return err
	}
	batches := slices.Collect(slices.Chunk(need, BatchSize))
	if len(batches) > 0 {
		if err := p.ask(w, batches[0]); err != nil {
			return err
		}
	}
	for i, batch := range batches {
		got, err := p.receive(w, cell, batch)
		if err != nil {
			return keep(err)
		}
		if len(got) == 0 {
			return keep(misbehaved("the peer sent none of the %d records it offered", len(batch)))
		}
		recs = append(recs, got...)
		if i+1 < len(batches) {
			if err := p.ask(w, batches[i+1]); err != nil {
				return keep(err)
			}
		}
		if (i+1)%pullPair == 0 || i+1 == len(batches) {
			if err := store(); err != nil {
				return err
			}
		}
	}

	// Push in batches, sending the next before reading the answer to this
	// one, so that this side reads and sends while the other stores. The
	// other side answers each batch in order, whenever it has stored it.
	var mine itemIndex
	var unacked []int // records sent in each batch not yet answered
	readAck := func() error {
		typ, payload, err := w.recv()
		if err != nil {
			return fmt.Errorf("push: %w", err)
		}
		if typ != frameAck {
			return misbehaved("push: unexpected frame %q", typ)
		}
		*pushed += unacked[0]
		unacked = unacked[1:]
		p.log.Debug("pushed", "peer", id, "cell", cell, "ack", ackString(payload))
		progress(false, nil)
		return nil
	}
	for batch := range slices.Chunk(have, BatchSize) {
		raws, err := p.sink.RecordsByItems(ctx, cell, mine.items(items, batch))
		if err != nil {
			return fmt.Errorf("read records to push: %w", err)
		}
		w.deadline(roundTimeout)
		sent := 0
		for _, data := range raws {
			if len(data) > domain.MaxWireSize {
				continue
			}
			if err := w.send(frameRecord, data); err != nil {
				return err
			}
			sent++
		}
		if err := w.sendNow(frameEnd, nil); err != nil {
			return err
		}
		if unacked = append(unacked, sent); len(unacked) > pushAhead {
			if err := readAck(); err != nil {
				return err
			}
		}
	}
	for len(unacked) > 0 {
		if err := readAck(); err != nil {
			return err
		}
	}

	w.deadline(streamTimeout)
	return w.sendNow(frameDone, nil)
}

// itemIndex finds this side's sync items of a session by hash: the other
// side names records by hash, the Sink finds them by item.
type itemIndex map[[32]byte]int64

// items are the items among all with these hashes, each once; the index is
// built on first use.
func (x *itemIndex) items(all []domain.SyncItem, hashes [][32]byte) []domain.SyncItem {
	if *x == nil {
		*x = make(itemIndex, len(all))
		for _, it := range all {
			(*x)[it.Hash] = it.IssuedAt
		}
	}
	out := make([]domain.SyncItem, 0, len(hashes))
	seen := make(map[[32]byte]bool, len(hashes))
	for _, h := range hashes {
		if at, ok := (*x)[h]; ok && !seen[h] {
			seen[h] = true
			out = append(out, domain.SyncItem{IssuedAt: at, Hash: h})
		}
	}
	return out
}

// ask requests a batch of records by hash.
func (p *Peer) ask(w *wire, hashes [][32]byte) error {
	req := make([]byte, 0, len(hashes)*32)
	for _, h := range hashes {
		req = append(req, h[:]...)
	}
	w.deadline(roundTimeout)
	return w.sendNow(frameGet, req)
}

// receive reads the answer to ask and checks it: only records asked for, of
// this cell, each at most once.
func (p *Peer) receive(w *wire, cell string, hashes [][32]byte) ([]domain.Record, error) {
	wanted := make(map[[32]byte]bool, len(hashes))
	for _, h := range hashes {
		wanted[h] = true
	}
	var recs []domain.Record
	for {
		typ, payload, err := w.recv()
		if err != nil {
			return nil, fmt.Errorf("pull: %w", err)
		}
		switch typ {
		case frameEnd:
			return recs, nil
		case frameRecord:
			rec, err := domain.DecodeRecord(payload)
			if err != nil {
				return nil, misbehaved("pull: %w", err)
			}
			h := rec.Hash()
			if !wanted[h] {
				return nil, misbehaved("pull: the peer sent a record not asked for")
			}
			delete(wanted, h)
			if !domain.InTopic(&rec, cell) {
				return nil, misbehaved("pull: record %s is not in cell %s", rec.ID, cell)
			}
			recs = append(recs, rec)
		default:
			return nil, misbehaved("pull: unexpected frame %q", typ)
		}
	}
}

// handleSync answers a sync session started by a peer.
func (p *Peer) handleSync(s network.Stream) {
	if !p.enter() {
		s.Reset()
		return
	}
	defer p.wg.Done()
	id := s.Conn().RemotePeer()
	w := newWire(s, maxSyncFrame)
	ctx, cancel := context.WithTimeout(p.ctx, sessionTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()

	w.deadline(streamTimeout)
	typ, payload, err := w.recv()
	if err != nil || typ != frameHello {
		s.Reset()
		return
	}
	cell := string(payload)
	decline := func(reason string) {
		_ = w.sendNow(frameError, []byte(reason))
		_ = s.Close()
	}
	if p.graylisted(id) {
		decline("graylisted")
		return
	}
	if !p.syncServe.allow(id) {
		p.log.Debug("sync request over the rate limit; declined", "peer", id)
		decline(declineRateLimited)
		return
	}
	if checkCell(cell) != nil || !p.joined(cell) {
		decline("cell not joined")
		return
	}
	select {
	case p.sched.served <- struct{}{}:
		defer func() { <-p.sched.served }()
	default:
		decline("busy")
		return
	}
	items, err := p.sink.SyncItems(ctx, cell)
	if err != nil {
		p.log.Warn("sync: list items", "cell", cell, "err", err)
		decline("internal error")
		return
	}
	if err := w.sendNow(frameOK, nil); err != nil {
		s.Reset()
		return
	}
	k := syncKey{id, cell}
	p.markSynced(k)
	pulled, pushed, err := p.serve(ctx, w, id, cell, items, recon.NewResponder(items, reconOptions))
	p.markSynced(k)
	if err != nil {
		s.Reset()
		p.offendIfMisbehaved(id, err)
		err = fmt.Errorf("p2p: answer sync of cell %s from %s: %w", cell, id, err)
		p.log.Debug("sync session failed", "err", err)
	} else {
		_ = s.Close()
	}
	p.emit(Event{Kind: SyncProgress, Peer: id, Cell: cell, Pulled: pulled, Pushed: pushed, Done: true, Err: err})
}

func (p *Peer) serve(ctx context.Context, w *wire, id peer.ID, cell string, items []domain.SyncItem, rc *recon.Reconciler) (pulled, pushed int, err error) {
	var incoming []domain.Record
	var ends []int // where each batch of incoming ends
	var mine itemIndex
	rounds, rejects := 0, 0
	ended := func() int {
		if len(ends) == 0 {
			return 0
		}
		return ends[len(ends)-1]
	}
	// store ingests the batches received and, if answer, answers each.
	store := func(answer bool) error {
		verdicts := p.ingest(ctx, id, "sync", incoming[:ended()])
		pulled += len(verdicts)
		from := 0
		for _, end := range ends {
			var counts [3]uint64
			for _, v := range verdicts[from:end] {
				switch v {
				case Accepted:
					counts[0]++
				case Ignored:
					counts[1]++
				case Rejected:
					counts[2]++
					rejects++
				}
			}
			from = end
			if !answer {
				continue
			}
			ack := make([]byte, 0, 3*binary.MaxVarintLen64)
			for _, c := range counts {
				ack = binary.AppendUvarint(ack, c)
			}
			if err := w.send(frameAck, ack); err != nil {
				return err
			}
		}
		incoming, ends = append(incoming[:0], incoming[ended():]...), ends[:0]
		if rejects >= maxSessionRejects {
			return misbehaved("%d invalid records from the peer", rejects)
		}
		if !answer {
			return nil
		}
		return w.flush()
	}
	for {
		w.deadline(roundTimeout)
		typ, payload, err := w.recv()
		if len(ends) > 0 && (err != nil || typ != frameRecord && typ != frameEnd) {
			// Batches held back for the next one are stored all the same.
			if serr := store(err == nil); serr != nil && err == nil {
				return pulled, pushed, serr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return pulled, pushed, err
		}
		switch typ {
		case frameRecon:
			if rounds++; rounds > maxRounds {
				return pulled, pushed, misbehaved("more than %d rounds", maxRounds)
			}
			reply, err := rc.Reconcile(payload)
			if err != nil {
				return pulled, pushed, misbehaved("%w", err)
			}
			if err := w.sendNow(frameRecon, reply); err != nil {
				return pulled, pushed, err
			}
		case frameGet:
			if len(payload)%32 != 0 || len(payload)/32 > BatchSize {
				return pulled, pushed, misbehaved("bad request of %d bytes", len(payload))
			}
			hashes := make([][32]byte, len(payload)/32)
			for i := range hashes {
				hashes[i] = [32]byte(payload[32*i:])
			}
			// Only records of this side's items are answered, each once.
			raws, err := p.sink.RecordsByItems(ctx, cell, mine.items(items, hashes))
			if err != nil {
				return pulled, pushed, fmt.Errorf("read records: %w", err)
			}
			for _, data := range raws {
				if len(data) > domain.MaxWireSize {
					continue
				}
				if err := w.send(frameRecord, data); err != nil {
					return pulled, pushed, err
				}
				pushed++
			}
			if err := w.sendNow(frameEnd, nil); err != nil {
				return pulled, pushed, err
			}
		case frameRecord:
			if len(incoming)-ended() >= BatchSize {
				return pulled, pushed, misbehaved("more than %d records in a batch", BatchSize)
			}
			rec, err := domain.DecodeRecord(payload)
			if err != nil {
				return pulled, pushed, misbehaved("%w", err)
			}
			if !domain.InTopic(&rec, cell) {
				return pulled, pushed, misbehaved("record %s is not in cell %s", rec.ID, cell)
			}
			incoming = append(incoming, rec)
		case frameEnd:
			// When the next batch is already arriving, it is stored with
			// this one, in one write transaction; each is answered on its own.
			if ends = append(ends, len(incoming)); len(ends) < pullPair && w.arriving() {
				continue
			}
			if err := store(true); err != nil {
				return pulled, pushed, err
			}
		case frameDone:
			return pulled, pushed, nil
		default:
			return pulled, pushed, misbehaved("unexpected frame %q", typ)
		}
	}
}

// offendIfMisbehaved counts an offence against a peer whose session ended by
// its own fault.
func (p *Peer) offendIfMisbehaved(id peer.ID, err error) {
	var m misbehaviour
	if errors.As(err, &m) {
		p.offend(id, 1, m.Error())
	}
}

// ackString renders an ack's counts for the log.
func ackString(b []byte) string {
	var out [3]uint64
	for i := range out {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			break
		}
		out[i], b = v, b[n:]
	}
	return fmt.Sprintf("accepted %d, ignored %d, rejected %d", out[0], out[1], out[2])
}

func truncate(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}
