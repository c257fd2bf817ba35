package p2p

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
)

// fakeSink is an in-memory store: it validates like the real one (stateless
// rules, then succession per id) and keeps the current version of each id.
type fakeSink struct {
	mu        sync.Mutex
	recs      map[[32]byte]domain.Record
	heads     map[string]domain.Head
	delivered map[string]int // how many times each record ID reached Deliver
}

func newFakeSink() *fakeSink {
	return &fakeSink{recs: map[[32]byte]domain.Record{}, heads: map[string]domain.Head{}, delivered: map[string]int{}}
}

func (s *fakeSink) Deliver(_ context.Context, _ peer.ID, recs []domain.Record) []Verdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Verdict, len(recs))
	for i := range recs {
		out[i] = s.storeLocked(&recs[i])
	}
	return out
}

func (s *fakeSink) storeLocked(r *domain.Record) Verdict {
	s.delivered[r.ID]++
	if err := domain.Validate(r, time.Now()); err != nil {
		return Rejected
	}
	var prev *domain.Head
	if h, ok := s.heads[r.ID]; ok {
		prev = &h
	}
	succ, err := domain.Succeeds(prev, r)
	switch {
	case err != nil:
		return Rejected
	case succ != domain.Newer:
		return Ignored
	}
	if prev != nil {
		delete(s.recs, prev.Hash)
	}
	h := r.Hash()
	s.recs[h] = *r
	s.heads[r.ID] = domain.Head{Kind: r.Kind, Author: r.Author, Version: r.Version, Hash: h}
	return Accepted
}

// add stores a record as the app would store its own or an imported one,
// without counting it as delivered and without validation (tests use it to
// plant bad records too).
func (s *fakeSink) add(recs ...domain.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		h := r.Hash()
		s.recs[h] = r
		s.heads[r.ID] = domain.Head{Kind: r.Kind, Author: r.Author, Version: r.Version, Hash: h}
	}
}

func (s *fakeSink) SyncItems(_ context.Context, cell string) ([]domain.SyncItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.SyncItem
	for _, r := range s.recs {
		if slices.Contains(r.Cells, cell) {
			out = append(out, r.Item())
		}
	}
	slices.SortFunc(out, func(a, b domain.SyncItem) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	})
	return out, nil
}

func (s *fakeSink) RecordsByItems(_ context.Context, cell string, items []domain.SyncItem) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]byte
	for _, it := range items {
		if r, ok := s.recs[it.Hash]; ok && r.IssuedAt == it.IssuedAt && slices.Contains(r.Cells, cell) {
			raw, err := r.Encode()
			if err != nil {
				return nil, err
			}
			out = append(out, raw)
		}
	}
	return out, nil
}

func (s *fakeSink) has(r domain.Record) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.recs[r.Hash()]
	return ok
}

func (s *fakeSink) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

func (s *fakeSink) deliveredCount(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered[id]
}

// hashSet is the set of stored hashes.
func (s *fakeSink) hashSet() map[[32]byte]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[[32]byte]bool, len(s.recs))
	for h := range s.recs {
		out[h] = true
	}
	return out
}

// testLogger discards logs unless CARAVAN_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("CARAVAN_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// loopback are the listen addresses of test peers: loopback only.
var loopback = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}

// events collects a peer's events.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

func (e *events) find(match func(Event) bool) (Event, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.all {
		if match(ev) {
			return ev, true
		}
	}
	return Event{}, false
}

type testPeer struct {
	*Peer
	sink   *fakeSink
	events *events
	id     *domain.Identity
}

// newTestPeer starts a peer on loopback with a fresh fake sink. mod may adjust
// the config; it is closed when the test ends.
func newTestPeer(t *testing.T, id *domain.Identity, mod func(*Config)) *testPeer {
	t.Helper()
	if id == nil {
		id = newIdentity(t)
	}
	tp := &testPeer{sink: newFakeSink(), events: &events{}, id: id}
	// Tests never leave loopback: no DHT (so no public bootstrap peers) and
	// no NAT port mapping (it probes the LAN); tests of the DHT turn it on
	// with their own bootstrap peers.
	cfg := Config{Key: id.PrivKey(), ListenAddrs: loopback, Logger: testLogger(), OnEvent: tp.events.add, NoDHT: true, NoPortMap: true}
	if mod != nil {
		mod(&cfg)
	}
	p, err := New(context.Background(), cfg, tp.sink)
	if err != nil {
		t.Fatalf("start peer: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	tp.Peer = p
	return tp
}

func newIdentity(t testing.TB) *domain.Identity {
	t.Helper()
	id, err := domain.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// orderedIdentities returns two identities, the first with the smaller peer
// ID: the one that initiates sync between them.
func orderedIdentities(t testing.TB) (*domain.Identity, *domain.Identity) {
	a, b := newIdentity(t), newIdentity(t)
	if b.PeerID() < a.PeerID() {
		a, b = b, a
	}
	return a, b
}

// addr returns the peer's loopback address over the given transport ("tcp" or
// "quic-v1").
func (tp *testPeer) addr(t testing.TB, transport string) string {
	t.Helper()
	for _, a := range tp.Addrs() {
		if strings.HasPrefix(a, "/ip4/127.0.0.1/") && strings.Contains(a, "/"+transport+"/") {
			return a
		}
	}
	t.Fatalf("no loopback %s address in %v", transport, tp.Addrs())
	return ""
}

func (tp *testPeer) connected(other *testPeer) bool {
	return tp.h.Network().Connectedness(other.ID()) == network.Connected
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testCell is the cell of the rooms the tests make (Berlin).
var testCell = func() string { r := roomAt(0); return domain.CellAt(r.Point()) }()

func roomAt(i int) domain.Room {
	return domain.Room{
		Title: fmt.Sprintf("Room %d", i), Description: "A quiet room.",
		Lat: 52.52 + float64(i%100)*0.0001, Lon: 13.40, PricePerNight: 40, Currency: "EUR",
		MaxGuests: 2, Amenities: []string{"wifi"},
	}
}

// rooms signs n room records in testCell; issued_at is spread over the last
// hour so sync sees many distinct timestamps.
func rooms(t testing.TB, id *domain.Identity, n int) []domain.Record {
	t.Helper()
	out := make([]domain.Record, n)
	base := time.Now().Add(-time.Hour)
	for i := range out {
		r, err := id.NewRoomRecord(roomAt(i), nil, base.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = r
	}
	return out
}

// inTopic reports whether the peer's GossipSub router knows that other is
// subscribed to the cell's topic.
func (tp *testPeer) inTopic(cell string, other *testPeer) bool {
	return slices.Contains(tp.ps.ListPeers(TopicName(cell)), other.ID())
}
