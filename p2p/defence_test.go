package p2p

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"
)

// bareHost is a libp2p host on loopback that does not run our code: it sends
// whatever the test likes. It is connected to the peer to.
func bareHost(t *testing.T, to *testPeer) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableMetrics())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	if err := h.Connect(context.Background(), peer.AddrInfo{ID: to.ID(), Addrs: to.h.Addrs()}); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestInvalidGossipGraylistsSender(t *testing.T) {
	t.Parallel()
	// A and the honest B share a cell; M, with a stock GossipSub, publishes
	// garbage on it to A. M must end below the graylist threshold at A and get
	// none of A's publications, while A and B keep exchanging records.
	a := newTestPeer(t, nil, nil)
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
	for _, p := range []*testPeer{a, b} {
		if err := p.JoinCell(testCell); err != nil {
			t.Fatal(err)
		}
	}
	mh := bareHost(t, a)
	mctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	// Flood publishing: M sends to every peer in the topic, mesh or not.
	mps, err := pubsub.NewGossipSub(mctx, mh, pubsub.WithFloodPublish(true))
	if err != nil {
		t.Fatal(err)
	}
	topic, err := mps.Join(TopicName(testCell))
	if err != nil {
		t.Fatal(err)
	}
	msub, err := topic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "M and B in A's view of the topic and A in M's", func() bool {
		return slices.Contains(topic.ListPeers(), a.ID()) && slices.Contains(a.ps.ListPeers(TopicName(testCell)), mh.ID()) &&
			a.inTopic(testCell, b)
	})

	const invalid = 40 // 21 suffice at 0.25 × -99 × n²
	for i := range invalid {
		if err := topic.Publish(mctx, fmt.Appendf(nil, "not a record %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, ok := a.score(mh.ID())
		if ok && s < GraylistThreshold {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("M's score at A is %.0f (known: %v) after %d rejections; want below %d", s, ok, a.rejectCount(mh.ID()), GraylistThreshold)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ms, _ := a.score(mh.ID())
	t.Logf("M graylisted after %v: score %.0f, %d rejections counted", time.Since(start).Round(time.Millisecond), ms, a.rejectCount(mh.ID()))

	// GossipSub prunes M from A's mesh of the topic at its next heartbeat
	// (every second); from then on A sends M nothing.
	time.Sleep(1500 * time.Millisecond)

	// Honest traffic still flows both ways, and A does not send M anything.
	recA, recB := rooms(t, a.id, 1)[0], rooms(t, b.id, 1)[0]
	a.sink.add(recA)
	b.sink.add(recB)
	if err := a.Publish(context.Background(), recA); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), recB); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the honest records exchanged", func() bool { return b.sink.has(recA) && a.sink.has(recB) })
	if s, _ := a.score(b.ID()); s < 0 {
		t.Errorf("B's score at A is %.1f, want >= 0", s)
	}
	if info := peerInfo(a.Peers(), mh.ID()); info.Score >= GraylistThreshold {
		t.Errorf("Peers reports M's score as %.0f", info.Score)
	}
	if info := peerInfo(a.Peers(), b.ID()); info.Agent != "caravan/1" {
		t.Errorf("Peers reports B's agent as %q", info.Agent)
	}
	ctx, cancelRead := context.WithTimeout(mctx, time.Second)
	defer cancelRead()
	for {
		m, err := msub.Next(ctx)
		if err != nil {
			break // nothing more within the second: good
		}
		if m.ReceivedFrom != mh.ID() {
			t.Fatalf("A forwarded a message to the graylisted M (from %s, %d bytes)", m.ReceivedFrom, len(m.Data))
		}
	}
}

func peerInfo(all []PeerInfo, id peer.ID) PeerInfo {
	for _, p := range all {
		if p.ID == id.String() {
			return p
		}
	}
	return PeerInfo{}
}

func TestSyncRequestFloodIsRefused(t *testing.T) {
	t.Parallel()
	a := newTestPeer(t, nil, nil)
	if err := a.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	a.sink.add(rooms(t, a.id, 3)...)
	mh := bareHost(t, a)

	// M opens session after session and ends each at once.
	const tries = syncServeBurst + 30
	counts := map[string]int{}
	start := time.Now()
	for range tries {
		s, err := mh.NewStream(context.Background(), a.ID(), SyncProtocol)
		if err != nil {
			t.Fatal(err)
		}
		w := newWire(s, maxSyncFrame)
		w.deadline(5 * time.Second)
		if err := w.sendNow(frameHello, []byte(testCell)); err != nil {
			t.Fatal(err)
		}
		typ, payload, err := w.recv()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case typ == frameOK:
			counts["served"]++
			_ = w.sendNow(frameDone, nil)
		case typ == frameError:
			counts[string(payload)]++
		default:
			t.Fatalf("unexpected frame %q", typ)
		}
		_ = s.Close()
	}
	elapsed := time.Since(start)
	t.Logf("%d requests in %v: %v", tries, elapsed.Round(time.Millisecond), counts)
	// Served and "busy" both took a token; the bucket refills at syncServeRate.
	allowed := syncServeBurst + int(float64(syncServeRate)*elapsed.Seconds()) + 1
	if took := counts["served"] + counts["busy"]; took > allowed || took < syncServeBurst {
		t.Errorf("%d sessions were let through, want between %d and %d", took, syncServeBurst, allowed)
	}
	if took := counts["served"] + counts["busy"]; counts[declineRateLimited] != tries-took {
		t.Errorf("of %d requests %d were refused for the rate, want the %d not let through: %v",
			tries, counts[declineRateLimited], tries-took, counts)
	}

	// An honest peer is still served, and its own pacing keeps it under the limit.
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
	if err := b.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "B connected", func() bool { return b.connected(a) })
	for range 3 {
		if _, _, err := b.SyncCell(context.Background(), a.ID(), testCell); err != nil {
			t.Fatalf("honest sync: %v", err)
		}
	}
	if b.sink.len() != 3 {
		t.Errorf("B holds %d records, want 3", b.sink.len())
	}
}

func TestCellsAnnouncementFlood(t *testing.T) {
	t.Parallel()
	// M sends many cells announcements at once: A applies at most its burst
	// of them at once, and the latest one in the end.
	a := newTestPeer(t, nil, nil)
	mh := bareHost(t, a)
	cells := []string{"6/34/20", "6/34/21", "6/35/20", "6/35/21"}
	const n = cellsBurst + 20
	start := time.Now()
	for i := range n {
		payload, err := json.Marshal(announcement{Seq: uint64(i + 1), Cells: []string{cells[i%len(cells)]}})
		if err != nil {
			t.Fatal(err)
		}
		s, err := mh.NewStream(context.Background(), a.ID(), CellsProtocol)
		if err != nil {
			t.Fatal(err)
		}
		w := newWire(s, maxCellsFrame)
		w.deadline(5 * time.Second)
		if err := w.sendNow(frameCells, payload); err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
	}
	sent := time.Since(start)
	last := []string{cells[(n-1)%len(cells)]}
	eventually(t, 5*time.Second, "the latest announcement applied", func() bool {
		return slices.Equal(a.peerCells(mh.ID()), last)
	})
	applied := 0
	a.events.mu.Lock()
	for _, ev := range a.events.all {
		if ev.Kind == PeerCells && ev.Peer == mh.ID() {
			applied++
		}
	}
	a.events.mu.Unlock()
	t.Logf("%d announcements sent in %v, %d applied", n, sent.Round(time.Millisecond), applied)
	// The burst, the tokens refilled while sending, and deferred ones (at
	// most one per cellsRetry).
	allowed := cellsBurst + 2*int(sent/cellsRetry+1) + 1
	if applied > allowed {
		t.Errorf("%d of %d announcements were applied; want at most %d", applied, n, allowed)
	}
}

func TestPeerLimiter(t *testing.T) {
	t.Parallel()
	p1, p2 := newIdentity(t).PeerID(), newIdentity(t).PeerID()
	tests := []struct {
		name  string
		burst int
		calls []peer.ID
		want  []bool
	}{
		{"within the burst", 2, []peer.ID{p1, p1}, []bool{true, true}},
		{"over the burst", 2, []peer.ID{p1, p1, p1}, []bool{true, true, false}},
		{"buckets are per peer", 1, []peer.ID{p1, p2, p1, p2}, []bool{true, true, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newPeerLimiter(rate.Every(time.Hour), tc.burst)
			for i, id := range tc.calls {
				if got := l.allow(id); got != tc.want[i] {
					t.Errorf("call %d: allow = %v, want %v", i, got, tc.want[i])
				}
			}
			// A drained bucket is kept when its peer goes away; reconnecting
			// does not refill it.
			l.forget(p1)
			if l.allow(p1) {
				t.Error("forget refilled a drained bucket")
			}
		})
	}
}
