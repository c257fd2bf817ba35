package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// lateRooms is how many rooms the peer that starts late must catch up
// (issue 3: "a peer started after 1,000 rooms were posted elsewhere has all
// 1,000 within 10 s of connecting, with no new gossip sent").
const lateRooms = 1000

// postLateRooms starts a node on loopback and posts n rooms on it through
// PostRoom (own, signed, stored and published), then waits until its outbox
// is empty: every room has been published to the network, which had no one
// else on it. It returns the node and the total size of the rooms' records.
func postLateRooms(tb testing.TB, dir string, n int) (*Node, int64) {
	tb.Helper()
	ctx := context.Background()
	a, err := Open(Options{DataDir: dir, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true, NoPortMap: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	if err := a.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	base := testRoom()
	for i := range n {
		r := base
		r.Title = fmt.Sprintf("Room %d", i)
		r.Lat += float64(i%50) * 0.001 // all in one cell, many places
		r.Lon += float64(i/50) * 0.001
		if _, err := a.PostRoom(ctx, r); err != nil {
			tb.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for {
		st, err := a.Status(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if st.Outbox == 0 {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d of %d rooms still unpublished after a minute", st.Outbox, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var size int64
	err = a.store.Export(ctx, nil, func(r domain.Record) error {
		b, err := r.Encode()
		size += int64(len(b))
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return a, size
}

// startLate starts a node that dials a and returns it with the time it took,
// from Start, to hold want records.
func startLate(tb testing.TB, dir string, a *Node, want int, deadline time.Duration) (*Node, time.Duration) {
	tb.Helper()
	ctx := context.Background()
	st, err := a.Status(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := Open(Options{DataDir: dir, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: st.Addrs[:1], NoDHT: true, NoPortMap: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	start := time.Now()
	if err := b.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	for {
		c, err := b.store.Count(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if c == want {
			return b, time.Since(start)
		}
		if time.Since(start) > deadline {
			tb.Fatalf("the late peer holds %d of %d records after %v", c, want, deadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLatePeerCatchesUp posts 1,000 rooms on A while B does not run, then
// starts B: B gets every room through catch-up sync alone. A publishes
// nothing once B is up, and the bytes B receives outside sync are far fewer
// than the rooms' size, so they did not come by gossip. The 10-second target
// is measured by BenchmarkLatePeerCatchUp; here the deadline is generous.
func TestLatePeerCatchesUp(t *testing.T) {
	ctx := context.Background()
	a, size := postLateRooms(t, t.TempDir(), lateRooms)
	if c, _ := a.store.Count(ctx); c != lateRooms {
		t.Fatalf("A holds %d records, want %d", c, lateRooms)
	}
	before := a.running().Traffic()
	b, took := startLate(t, t.TempDir(), a, lateRooms, time.Minute)
	t.Logf("B held all %d rooms %v after it started", lateRooms, took.Round(time.Millisecond))

	// libp2p's byte counters catch up about once a second.
	for deadline := time.Now().Add(10 * time.Second); b.running().Traffic().SyncIn < size; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("B received %d bytes by sync, less than the %d bytes of the rooms", b.running().Traffic().SyncIn, size)
		}
	}
	time.Sleep(1500 * time.Millisecond) // and let the other counters settle
	tb, ta := b.running().Traffic(), a.running().Traffic()
	t.Logf("B received %d bytes, %d by sync; the rooms are %d bytes", tb.In, tb.SyncIn, size)
	if other := tb.In - tb.SyncIn; other > size/10 {
		t.Errorf("B received %d bytes outside sync (the rooms are %d bytes): gossip carried them", other, size)
	}
	if sent := (ta.Out - ta.SyncOut) - (before.Out - before.SyncOut); sent > size/10 {
		t.Errorf("A sent %d bytes outside sync after B started (the rooms are %d bytes)", sent, size)
	}
	if st, _ := a.Status(ctx); st.Outbox != 0 {
		t.Errorf("A's outbox holds %d records", st.Outbox)
	}
	rooms, err := b.Rooms(ctx, RoomQuery{Limit: 2 * lateRooms})
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != lateRooms {
		t.Errorf("B lists %d rooms, want %d", len(rooms), lateRooms)
	}
	for _, r := range rooms {
		if r.Mine {
			t.Fatalf("B lists A's room %s as its own", r.ID)
		}
	}
}

// BenchmarkLatePeerCatchUp measures the issue-3 target: a peer started after
// 1,000 rooms were posted elsewhere holds all of them within 10 s of
// connecting. It prints `BENCH late-peer rooms=1000 ms=..`.
func BenchmarkLatePeerCatchUp(b *testing.B) {
	a, _ := postLateRooms(b, b.TempDir(), lateRooms)
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		_, took := startLate(b, b.TempDir(), a, lateRooms, time.Minute)
		total += took
	}
	ms := float64(total.Milliseconds()) / float64(b.N)
	b.ReportMetric(ms, "ms/catch-up")
	fmt.Printf("BENCH late-peer rooms=%d ms=%.0f\n", lateRooms, ms)
}
