package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p"
)

// memStore is an in-memory Store.
type memStore struct {
	mu   sync.Mutex
	held map[[32]byte]domain.Sealed
}

func newMemStore() *memStore { return &memStore{held: map[[32]byte]domain.Sealed{}} }

func (s *memStore) HoldSealed(_ context.Context, m domain.Sealed, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := m.Hash()
	if _, ok := s.held[h]; ok || m.ExpiresAt <= now.UnixMilli() {
		return false, nil
	}
	s.held[h] = m
	return true, nil
}

func (s *memStore) HeldSealed(_ context.Context, recipient string, limit int) ([]domain.Sealed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Sealed
	for _, m := range s.held {
		if m.To == recipient && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *memStore) ReleaseSealed(_ context.Context, hashes ...[32]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hashes {
		delete(s.held, h)
	}
	return nil
}

// all lists every held message.
func (s *memStore) all() []domain.Sealed {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Sealed
	for _, m := range s.held {
		out = append(out, m)
	}
	return out
}

// inbox opens what arrives with its identity and keeps it by id.
type inbox struct {
	id  *domain.Identity
	mu  sync.Mutex
	got map[string]domain.Envelope
}

func (in *inbox) take(_ context.Context, _ peer.ID, m domain.Sealed) Verdict {
	env, err := in.id.Open(&m, time.Now())
	if err != nil {
		return Rejected
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.got[env.ID]; ok {
		return Duplicate
	}
	in.got[env.ID] = env
	return Accepted
}

func (in *inbox) has(id string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	_, ok := in.got[id]
	return ok
}

// nopSink is a p2p.Sink with no records: these tests move messages only.
type nopSink struct{}

func (nopSink) Deliver(_ context.Context, _ peer.ID, recs []domain.Record) []p2p.Verdict {
	return make([]p2p.Verdict, len(recs))
}
func (nopSink) SyncItems(context.Context, string) ([]domain.SyncItem, error) { return nil, nil }
func (nopSink) RecordsByItems(context.Context, string, []domain.SyncItem) ([][]byte, error) {
	return nil, nil
}

// node is a peer on loopback with its mailbox.
type node struct {
	id      *domain.Identity
	peer    *p2p.Peer
	svc     *Service
	store   *memStore
	inbox   *inbox
	handMu  sync.Mutex
	handed  map[[32]byte]Verdict
	stopped bool
	t       *testing.T
}

func testLogger() *slog.Logger {
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func newIdentity(t testing.TB) *domain.Identity {
	t.Helper()
	id, err := domain.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// start runs a peer and its mailbox as id; stop ends them, else the test's end.
func start(t *testing.T, id *domain.Identity, allShards bool) *node {
	t.Helper()
	n := &node{t: t, id: id, store: newMemStore(), inbox: &inbox{id: id, got: map[string]domain.Envelope{}}, handed: map[[32]byte]Verdict{}}
	p, err := p2p.New(context.Background(), p2p.Config{
		Key: id.PrivKey(), ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true, NoPortMap: true, Logger: testLogger(),
	}, nopSink{})
	if err != nil {
		t.Fatal(err)
	}
	n.peer = p
	n.svc, err = New(Config{
		Host: p.Host(), PubSub: p.PubSub(), Store: n.store, Inbox: n.inbox.take, AllShards: allShards, Logger: testLogger(),
		OnHandedOver: func(h [32]byte, v Verdict) {
			n.handMu.Lock()
			n.handed[h] = v
			n.handMu.Unlock()
		},
	})
	if err != nil {
		p.Close()
		t.Fatal(err)
	}
	t.Cleanup(n.stop)
	return n
}

func (n *node) stop() {
	if n.stopped {
		return
	}
	n.stopped = true
	if err := n.svc.Close(); err != nil {
		n.t.Errorf("close mailbox: %v", err)
	}
	n.peer.Close()
}

func (n *node) handedOver(h [32]byte) (Verdict, bool) {
	n.handMu.Lock()
	defer n.handMu.Unlock()
	v, ok := n.handed[h]
	return v, ok
}

func connect(t *testing.T, a, b *node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := b.peer.Host()
	if err := a.peer.Host().Connect(ctx, peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()}); err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sealChat(t *testing.T, from, to *domain.Identity, text string) (domain.Envelope, domain.Sealed) {
	t.Helper()
	body, err := domain.ChatBody(text)
	if err != nil {
		t.Fatal(err)
	}
	env, err := from.NewMessage(to.Author(), domain.MessageChat, body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m, err := domain.Seal(&env)
	if err != nil {
		t.Fatal(err)
	}
	return env, m
}

func TestShard(t *testing.T) {
	seen := map[int]bool{}
	for range 200 {
		id := newIdentity(t).Author()
		n := Shard(id)
		if n < 0 || n >= Shards || Shard(id) != n {
			t.Fatalf("Shard(%s) = %d, not a stable shard", id, n)
		}
		seen[n] = true
	}
	if len(seen) < Shards/2 {
		t.Errorf("200 peer IDs fall in only %d shards", len(seen))
	}
	if got := TopicName(7); got != "caravan/1/mailbox/7" {
		t.Errorf("TopicName(7) = %q", got)
	}
}

// TestDirect: with both peers online, a message goes straight to its
// recipient on a stream; offered again it is a duplicate; a message for
// someone else, or tampered with, is rejected.
func TestDirect(t *testing.T) {
	a, b := start(t, newIdentity(t), false), start(t, newIdentity(t), false)
	connect(t, a, b)
	ctx := context.Background()
	env, m := sealChat(t, a.id, b.id, "are you home tonight?")
	for i, want := range []Verdict{Accepted, Duplicate} {
		v, err := a.svc.Deliver(ctx, m)
		if err != nil || v != want {
			t.Fatalf("Deliver #%d = %v, %v; want %v", i+1, v, err, want)
		}
	}
	if !b.inbox.has(env.ID) {
		t.Fatal("B's inbox does not have the message")
	}
	tampered := m
	tampered.Box = bytes.Clone(m.Box)
	tampered.Box[len(tampered.Box)-1] ^= 1
	if v, err := a.svc.Deliver(ctx, tampered); err != nil || v != Rejected {
		t.Fatalf("Deliver(tampered) = %v, %v; want %v", v, err, Rejected)
	}
	c := newIdentity(t)
	_, forC := sealChat(t, a.id, c, "for c")
	forC.To = b.id.Author() // relabelled: B cannot open it
	if v, err := a.svc.Deliver(ctx, forC); err != nil || v != Rejected {
		t.Fatalf("Deliver(sealed to C) = %v, %v; want %v", v, err, Rejected)
	}
	if len(a.store.all())+len(b.store.all()) != 0 {
		t.Error("a direct delivery left copies in a store")
	}
}

// TestStoreAndForward: A sends to B while B is offline; C, an always-on peer,
// keeps the sealed message without being able to read it; B comes online
// later, connects to C only, and gets the message; C then drops its copy.
func TestStoreAndForward(t *testing.T) {
	ctx := context.Background()
	bID := newIdentity(t) // B exists but is offline
	a, c := start(t, newIdentity(t), false), start(t, newIdentity(t), true)
	connect(t, a, c)
	const text = "the key is under the blue pot"
	env, m := sealChat(t, a.id, bID, text)
	eventually(t, "A to see C on B's shard", func() bool {
		n, err := a.svc.Publish(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	})
	eventually(t, "C to keep the message", func() bool { return len(c.store.all()) == 1 })
	held := c.store.all()[0]
	if held.Hash() != m.Hash() {
		t.Fatal("C keeps something else")
	}
	if bytes.Contains(held.Box, []byte(text)) {
		t.Fatal("C's copy contains the plaintext")
	}
	if _, err := c.id.Open(&held, time.Now()); domain.ReasonOf(err) != domain.ReasonBadRecipient {
		t.Fatalf("C opening B's message: %v, want %s", err, domain.ReasonBadRecipient)
	}
	relabelled := held
	relabelled.To = c.id.Author()
	if _, err := c.id.Open(&relabelled, time.Now()); domain.ReasonOf(err) != domain.ReasonUnreadable {
		t.Fatalf("C decrypting B's message with its key: %v, want %s", err, domain.ReasonUnreadable)
	}
	a.stop() // the sender is gone: only C can deliver

	b := start(t, bID, false)
	connect(t, b, c)
	eventually(t, "B to get the message from C", func() bool { return b.inbox.has(env.ID) })
	eventually(t, "C to drop its copy", func() bool { return len(c.store.all()) == 0 })
	if v, ok := c.handedOver(m.Hash()); !ok || v != Accepted {
		t.Errorf("C's hand-over report: %v, %v; want accepted", v, ok)
	}
	b.inbox.mu.Lock()
	got := b.inbox.got[env.ID]
	b.inbox.mu.Unlock()
	if got.Author != a.id.Author() {
		t.Errorf("B's message is from %s, want A", got.Author)
	}
}

// TestOnlineRecipient: a recipient online on its shard gets a message
// published there at once, through a carrier between it and the sender; the
// carrier hands its copy over at once too, so it keeps nothing, and the
// recipient keeps nothing as a carrier of its own message.
func TestOnlineRecipient(t *testing.T) {
	ctx := context.Background()
	a, c, b := start(t, newIdentity(t), false), start(t, newIdentity(t), true), start(t, newIdentity(t), false)
	connect(t, a, c)
	connect(t, b, c)
	env, m := sealChat(t, a.id, b.id, "see you at the station")
	eventually(t, "A to see C on B's shard", func() bool {
		n, err := a.svc.Publish(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	})
	eventually(t, "B to get the message", func() bool { return b.inbox.has(env.ID) })
	eventually(t, "C to hand its copy over", func() bool {
		_, ok := c.handedOver(m.Hash())
		return ok && len(c.store.all()) == 0
	})
	if len(b.store.all()) != 0 {
		t.Error("the recipient keeps its own message as a carrier")
	}
}

// TestRateLimit: a peer that hands over more messages than its bucket holds
// gets Later for the rest, which it keeps for another time.
func TestRateLimit(t *testing.T) {
	a, b := start(t, newIdentity(t), false), start(t, newIdentity(t), false)
	b.svc.mu.Lock()
	b.svc.limit, b.svc.burst = rate.Every(time.Hour), 3
	b.svc.mu.Unlock()
	connect(t, a, b)
	var ms []domain.Sealed
	for i := range 5 {
		_, m := sealChat(t, a.id, b.id, fmt.Sprintf("message %d", i))
		ms = append(ms, m)
	}
	vs, err := a.svc.send(context.Background(), b.peer.ID(), ms)
	if err != nil {
		t.Fatal(err)
	}
	want := []Verdict{Accepted, Accepted, Accepted, Later, Later}
	if !slices.Equal(vs, want) {
		t.Fatalf("verdicts %v, want %v", vs, want)
	}
}
