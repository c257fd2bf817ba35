package p2p

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
)

func TestGossipReachesConnectedPeers(t *testing.T) {
	t.Parallel()
	// A <- B <- C: B dials A over QUIC, C dials B over TCP. A record published
	// on A reaches C only through B's forwarding.
	a := newTestPeer(t, nil, nil)
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "quic-v1")} })
	c := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{b.addr(t, "tcp")} })
	for _, p := range []*testPeer{a, b, c} {
		if err := p.JoinCell(testCell); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, "the topic mesh", func() bool {
		return a.inTopic(testCell, b) && b.inTopic(testCell, a) && b.inTopic(testCell, c) && c.inTopic(testCell, b)
	})
	if a.connected(c) {
		t.Fatal("A and C are connected directly; the test wants a chain")
	}
	time.Sleep(1200 * time.Millisecond) // one GossipSub heartbeat, so B has C in its mesh

	recs := rooms(t, a.id, 2)
	for _, r := range recs {
		a.sink.add(r)
		start := time.Now()
		if err := a.Publish(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		eventually(t, 3*time.Second, "the record at B and C", func() bool { return b.sink.has(r) && c.sink.has(r) })
		t.Logf("record reached B and C in %v", time.Since(start).Round(time.Millisecond))
	}
	if got := a.sink.deliveredCount(recs[0].ID); got != 0 {
		t.Errorf("A's own record was delivered back to A %d times", got)
	}
	if n := len(a.Peers()); n != 1 {
		t.Errorf("A has %d peers, want 1 (B): %+v", n, a.Peers())
	}
}

func TestInvalidGossipIsRejected(t *testing.T) {
	t.Parallel()
	a := newTestPeer(t, nil, nil)
	otherCell := "6/33/21"
	for _, cell := range []string{testCell, otherCell} {
		if err := a.JoinCell(cell); err != nil {
			t.Fatal(err)
		}
	}

	// M is a bare libp2p host with a stock GossipSub: it publishes whatever
	// bytes it likes.
	mh, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableMetrics())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mh.Close() })
	mctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	mps, err := pubsub.NewGossipSub(mctx, mh)
	if err != nil {
		t.Fatal(err)
	}
	topic, err := mps.Join(TopicName(testCell))
	if err != nil {
		t.Fatal(err)
	}
	other, err := mps.Join(TopicName(otherCell))
	if err != nil {
		t.Fatal(err)
	}
	if err := mh.Connect(context.Background(), peer.AddrInfo{ID: a.ID(), Addrs: a.h.Addrs()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "M to see A in both topics", func() bool {
		return slices.Contains(topic.ListPeers(), a.ID()) && slices.Contains(other.ListPeers(), a.ID())
	})

	author := newIdentity(t)
	recs := rooms(t, author, 3)
	tampered := recs[0]
	tampered.Sig = slices.Clone(tampered.Sig)
	tampered.Sig[7] ^= 0x01
	publish := func(tp *pubsub.Topic, r domain.Record) {
		t.Helper()
		data, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := tp.Publish(context.Background(), data); err != nil {
			t.Fatal(err)
		}
	}
	publish(topic, tampered)
	publish(other, recs[1])                                                  // valid, but not a record of that cell
	if err := other.Publish(context.Background(), []byte("{")); err != nil { // not a record at all
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "A to reject three messages", func() bool { return a.rejectCount(mh.ID()) >= 3 })

	publish(topic, recs[2]) // a valid one still gets through
	eventually(t, 5*time.Second, "the valid record at A", func() bool { return a.sink.has(recs[2]) })
	if a.sink.has(tampered) {
		t.Error("the tampered record was stored")
	}
	if n := a.sink.deliveredCount(recs[1].ID); n != 0 {
		t.Errorf("the record of another cell reached the sink %d times", n)
	}
	if a.sink.len() != 1 {
		t.Errorf("A stores %d records, want 1", a.sink.len())
	}
}

func TestCatchUpOnConnect(t *testing.T) {
	t.Parallel()
	author := newIdentity(t)
	recs := rooms(t, author, 500)
	mine := rooms(t, newIdentity(t), 20)

	a := newTestPeer(t, nil, nil)
	a.sink.add(recs...)
	if err := a.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
	b.sink.add(recs[100:400]...)
	b.sink.add(mine...)
	if err := b.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	eventually(t, 20*time.Second, "both peers to hold all 520 records", func() bool {
		return a.sink.len() == 520 && b.sink.len() == 520
	})
	t.Logf("caught up in %v", time.Since(start).Round(time.Millisecond))
	ha, hb := a.sink.hashSet(), b.sink.hashSet()
	for _, r := range append(slices.Clone(recs), mine...) {
		if !ha[r.Hash()] || !hb[r.Hash()] {
			t.Fatalf("record %s missing: A %v, B %v", r.ID, ha[r.Hash()], hb[r.Hash()])
		}
	}
	// The initiator reports its session: it pulled what it lacked and pushed
	// the rest.
	ini, resp := a, b
	if b.ID() < a.ID() {
		ini, resp = b, a
	}
	eventually(t, 5*time.Second, "the sync events", func() bool {
		_, ok1 := ini.events.find(func(e Event) bool { return e.Kind == SyncProgress && e.Done && e.Initiator })
		_, ok2 := resp.events.find(func(e Event) bool { return e.Kind == SyncProgress && e.Done && !e.Initiator })
		return ok1 && ok2
	})
	ev, _ := ini.events.find(func(e Event) bool { return e.Kind == SyncProgress && e.Done && e.Initiator })
	if ev.Err != nil || ev.Pulled+ev.Pushed != 220 {
		t.Errorf("initiator's session: pulled %d pushed %d err %v; want 220 records moved", ev.Pulled, ev.Pushed, ev.Err)
	}
}

func TestCatchUpOnJoin(t *testing.T) {
	t.Parallel()
	for _, joinerFirst := range []bool{true, false} {
		name := "joiner initiates"
		if !joinerFirst {
			name = "joiner answers"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			small, big := orderedIdentities(t)
			idA, idB := small, big // B, the joiner, has the bigger ID: A initiates
			if joinerFirst {
				idA, idB = big, small
			}
			a := newTestPeer(t, idA, nil)
			b := newTestPeer(t, idB, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
			if err := a.JoinCell(testCell); err != nil {
				t.Fatal(err)
			}
			eventually(t, 10*time.Second, "B to connect and hear A's cells", func() bool {
				return slices.Contains(b.peerCells(a.ID()), testCell)
			})
			recs := rooms(t, newIdentity(t), 50)
			for _, r := range recs {
				a.sink.add(r)
				if err := a.Publish(context.Background(), r); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(200 * time.Millisecond)
			if b.sink.len() != 0 {
				t.Fatalf("B got %d records before joining", b.sink.len())
			}
			if err := b.JoinCell(testCell); err != nil {
				t.Fatal(err)
			}
			eventually(t, 10*time.Second, "B to catch up A's records", func() bool { return b.sink.len() == len(recs) })
		})
	}
}

func TestCellsExchange(t *testing.T) {
	t.Parallel()
	a := newTestPeer(t, nil, nil)
	for _, c := range []string{"6/34/20", "6/34/21"} {
		if err := a.JoinCell(c); err != nil {
			t.Fatal(err)
		}
	}
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
	announced := func(want ...string) func() bool {
		return func() bool {
			_, ok := b.events.find(func(e Event) bool {
				return e.Kind == PeerCells && e.Peer == a.ID() && slices.Equal(e.Cells, want)
			})
			return ok
		}
	}
	eventually(t, 10*time.Second, "B to learn A's cells", announced("6/34/20", "6/34/21"))
	if err := a.JoinCell("6/33/20"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "B to learn A joined a cell", announced("6/33/20", "6/34/20", "6/34/21"))
	if err := a.LeaveCell("6/34/21"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "B to learn A left a cell", announced("6/33/20", "6/34/20"))
	if got := a.Cells(); !slices.Equal(got, []string{"6/33/20", "6/34/20"}) {
		t.Errorf("A.Cells() = %v", got)
	}
	if _, ok := b.events.find(func(e Event) bool { return e.Kind == PeerConnected && e.Peer == a.ID() }); !ok {
		t.Error("B reported no PeerConnected event for A")
	}
	// A's announcements went to B only once B was known to speak the protocol,
	// and B announced its (empty) cells back.
	eventually(t, 5*time.Second, "A to hear B's empty list", func() bool {
		_, ok := a.events.find(func(e Event) bool { return e.Kind == PeerCells && e.Peer == b.ID() && len(e.Cells) == 0 })
		return ok
	})
}

func TestRedialConfiguredPeer(t *testing.T) {
	t.Parallel()
	idA := newIdentity(t)
	a1, err := New(context.Background(), Config{Key: idA.PrivKey(), ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Logger: testLogger(), NoDHT: true, NoPortMap: true}, newFakeSink())
	if err != nil {
		t.Fatal(err)
	}
	addrA := (&testPeer{Peer: a1}).addr(t, "tcp")
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{addrA} })
	eventually(t, 10*time.Second, "B to dial A", func() bool { return b.h.Network().Connectedness(idA.PeerID()) == network.Connected })
	if !b.cm.IsProtected(idA.PeerID(), "caravan-config") {
		t.Error("configured peer not protected in the connection manager")
	}

	if err := a1.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "B to notice A is gone", func() bool {
		return b.h.Network().Connectedness(idA.PeerID()) != network.Connected
	})
	time.Sleep(1500 * time.Millisecond) // B fails a few dials meanwhile

	listen, _, _ := cutP2P(addrA)
	a2, err := New(context.Background(), Config{Key: idA.PrivKey(), ListenAddrs: []string{listen}, Logger: testLogger(), NoDHT: true, NoPortMap: true}, newFakeSink())
	if err != nil {
		t.Fatalf("restart A on %s: %v", listen, err)
	}
	t.Cleanup(func() { _ = a2.Close() })
	start := time.Now()
	eventually(t, 15*time.Second, "B to reconnect to the restarted A", func() bool {
		return b.h.Network().Connectedness(idA.PeerID()) == network.Connected
	})
	t.Logf("reconnected %v after the restart", time.Since(start).Round(time.Millisecond))
	if _, ok := b.events.find(func(e Event) bool { return e.Kind == PeerDisconnected && e.Peer == idA.PeerID() }); !ok {
		t.Error("no PeerDisconnected event")
	}
}

// cutP2P splits "/ip4/.../tcp/N/p2p/ID" into the listen part and the ID.
func cutP2P(addr string) (listen, id string, ok bool) {
	for i := len(addr) - 5; i >= 0; i-- {
		if addr[i:i+5] == "/p2p/" {
			return addr[:i], addr[i+5:], true
		}
	}
	return addr, "", false
}

func TestSyncCellChecksRecords(t *testing.T) {
	t.Parallel()
	small, big := orderedIdentities(t)
	a := newTestPeer(t, small, nil)
	b := newTestPeer(t, big, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
	good := rooms(t, newIdentity(t), 10)
	bad := rooms(t, newIdentity(t), 2)
	bad[0].Sig = slices.Clone(bad[0].Sig)
	bad[0].Sig[0] ^= 0xFF
	bad[1].Body = []byte(`{"title":"edited after signing"}`)
	b.sink.add(good...)
	b.sink.add(bad...) // B's store holds two broken records

	eventually(t, 10*time.Second, "connection", func() bool { return a.connected(b) })
	// B has not joined the cell: it declines.
	if err := a.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.SyncCell(context.Background(), b.ID(), testCell); err == nil {
		t.Error("sync of a cell the other has not joined succeeded")
	}
	if err := b.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "A to catch up", func() bool { return a.sink.len() == len(good) })
	pulled, pushed, err := a.SyncCell(context.Background(), b.ID(), testCell)
	if err != nil {
		t.Fatal(err)
	}
	// The broken records are offered again each time and refused each time.
	if pulled != 2 || pushed != 0 {
		t.Errorf("second sync pulled %d pushed %d, want 2 and 0", pulled, pushed)
	}
	for _, r := range bad {
		if a.sink.has(r) {
			t.Errorf("broken record %s was stored", r.ID)
		}
	}
	if n := a.rejectCount(b.ID()); n < 2 {
		t.Errorf("A counted %d rejections from B", n)
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	if _, err := New(context.Background(), Config{}, newFakeSink()); err == nil {
		t.Error("New without a key succeeded")
	}
	if _, err := New(context.Background(), Config{Key: newIdentity(t).PrivKey(), Peers: []string{"/ip4/127.0.0.1/tcp/1"}, NoDHT: true, NoPortMap: true}, newFakeSink()); err == nil {
		t.Error("New with a peer address lacking /p2p/ succeeded")
	}
	p := newTestPeer(t, nil, nil)
	for _, cell := range []string{"", "6/34", "12/2200/1343", "6/64/0", "06/34/20", "6/34/20/"} {
		if err := p.JoinCell(cell); err == nil {
			t.Errorf("JoinCell(%q) succeeded", cell)
		}
	}
	if err := p.LeaveCell("6/34/20"); err != nil {
		t.Errorf("leaving a cell not joined: %v", err)
	}
	rec := rooms(t, p.id, 1)[0]
	noCells := rec
	noCells.Cells = nil
	if err := p.Publish(context.Background(), noCells); err == nil {
		t.Error("publishing a record without cells succeeded")
	}
	// Publishing joins the topic without subscribing.
	if err := p.Publish(context.Background(), rec); err != nil {
		t.Errorf("publish: %v", err)
	}
	if len(p.Cells()) != 0 {
		t.Errorf("publishing joined cells %v", p.Cells())
	}
	for _, a := range p.Addrs() {
		if _, id, ok := cutP2P(a); !ok || id != p.ID().String() {
			t.Errorf("address %s does not end in /p2p/<id>", a)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.JoinCell(testCell); !errors.Is(err, ErrClosed) {
		t.Errorf("JoinCell after Close: %v", err)
	}
	if err := p.Publish(context.Background(), rec); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestPeriodicCatchUp shortens the sync interval of both peers.
func TestPeriodicCatchUp(t *testing.T) {
	fast := func(c *Config) { c.hooks.syncInterval = 400 * time.Millisecond }
	a := newTestPeer(t, nil, fast)
	b := newTestPeer(t, nil, func(c *Config) { fast(c); c.Peers = []string{a.addr(t, "tcp")} })
	for _, p := range []*testPeer{a, b} {
		if err := p.JoinCell(testCell); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, "the peers to share the cell", func() bool {
		return slices.Contains(a.peerCells(b.ID()), testCell) && slices.Contains(b.peerCells(a.ID()), testCell)
	})
	// Records stored on each side without gossip (say, imported from a file)
	// reach the other side by the periodic sweep alone.
	ra, rb := rooms(t, newIdentity(t), 5), rooms(t, newIdentity(t), 7)
	a.sink.add(ra...)
	b.sink.add(rb...)
	eventually(t, 5*time.Second, "the periodic catch-up", func() bool { return a.sink.len() == 12 && b.sink.len() == 12 })
	// Close the peers before the interval is restored.
	for _, p := range []*testPeer{a, b} {
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
