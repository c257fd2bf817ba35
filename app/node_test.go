package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

func testRoom() Room {
	return Room{Title: "Attic over the bakery", Description: "Smells of bread at six.", Lat: 48.85, Lon: 2.35,
		PricePerNight: 38, Currency: "EUR", MaxGuests: 2, Amenities: []string{"wifi"}}
}

// startNode opens a node as openNode does and starts it.
func startNode(t *testing.T, opts Options) *Node {
	t.Helper()
	n := openNode(t, opts)
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return n
}

func openNode(t *testing.T, opts Options) *Node {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	n, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return n
}

func TestOpenCreatesIdentityOnceAndPrivately(t *testing.T) {
	dir := t.TempDir()
	n, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	self := n.Self()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	again := openNode(t, Options{DataDir: dir})
	if again.Self() != self {
		t.Errorf("identity changed across restarts: %s then %s", self, again.Self())
	}
}

func TestPostRoomValidatesAndLists(t *testing.T) {
	n := openNode(t, Options{})
	ctx := context.Background()
	events, cancel := n.Subscribe()
	defer cancel()

	bad := testRoom()
	bad.Lon = 200
	_, err := n.PostRoom(ctx, bad)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "lon" {
		t.Fatalf("PostRoom(lon 200) = %v, want an InputError on lon", err)
	}
	id, err := n.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-events:
		if e.Kind != RecordsChanged || !e.Touches(KindRoom) {
			t.Errorf("event %+v, want rooms changed", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after posting")
	}
	rooms, err := n.Rooms(ctx, RoomQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 1 || rooms[0].ID != id || !rooms[0].Mine || rooms[0].Title != testRoom().Title {
		t.Fatalf("Rooms = %+v, want the posted room, marked mine", rooms)
	}
	st, err := n.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Running || st.Records != 1 || st.Outbox != 1 {
		t.Errorf("status %+v: want not running, 1 record waiting in the outbox", st)
	}
}

// TestNodesOnLoopback runs two started nodes in one process: a room posted on
// one shows up on the other, and the other's subscribers hear of it.
func TestNodesOnLoopback(t *testing.T) {
	ctx := context.Background()
	a := startNode(t, Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true, NoPortMap: true})
	st, err := a.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := startNode(t, Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: st.Addrs[:1], NoDHT: true, NoPortMap: true})
	events, cancel := b.Subscribe()
	defer cancel()
	id, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.After(15 * time.Second)
	for {
		rooms, err := b.Rooms(ctx, RoomQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rooms) == 1 {
			if rooms[0].ID != id || rooms[0].Mine {
				t.Fatalf("B has %+v, want A's room, not B's own", rooms[0])
			}
			break
		}
		select {
		case <-events:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("A's room never reached B")
		}
	}
	// B catches the cell up with A and says so in its status.
	room := testRoom()
	cell := domain.CellAt(room.Point())
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st, err := b.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(st.Sync, func(c CellSync) bool { return c.Cell == cell })
		if i >= 0 && st.Sync[i].Peers == 1 && !st.Sync[i].Last.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B's sync state %+v, want %s caught up with A", st.Sync, cell)
		}
	}
	if err := b.Start(ctx); err == nil {
		t.Error("a second Start on a running node succeeded")
	}
}

// TestRenewOwn renews the user's room that is about to expire and leaves
// fresh ones alone.
func TestRenewOwn(t *testing.T) {
	n := openNode(t, Options{})
	ctx := context.Background()
	now := time.Now()
	old := now.Add(-55 * 24 * time.Hour) // expires in 5 days
	mine, err := n.id.NewRoomRecord(testRoom(), nil, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.postOwn(ctx, mine); err != nil {
		t.Fatal(err)
	}
	fresh, err := n.PostRoom(ctx, testRoom()) // expires in 60 days: not due
	if err != nil {
		t.Fatal(err)
	}
	if err := n.renewOwn(ctx, now); err != nil {
		t.Fatal(err)
	}
	got, err := n.store.Record(ctx, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Expires().Before(now.Add(59*24*time.Hour)) || string(got.Body) != string(mine.Body) {
		t.Errorf("renewed room: version %d, expires %v; want version 2, same body, 60 more days", got.Version, got.Expires())
	}
	if r, _ := n.store.Record(ctx, fresh); r.Version != 1 {
		t.Errorf("a fresh room was renewed too (version %d)", r.Version)
	}
	if err := domain.Validate(&got, now); err != nil {
		t.Errorf("renewed record invalid: %v", err)
	}
}

// TestStartAfterACrash starts a node on a data dir whose runtime state says a
// node runs there: refused while that process lives, allowed once it is gone
// (a node killed without cleaning up).
func TestStartAfterACrash(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		pid     int
		refused bool
	}{
		{"a live process", os.Getppid(), true},
		{"a process that is gone", deadPID(t), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := openNode(t, Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true, NoPortMap: true})
			st, err := json.Marshal(runtimeState{PID: tc.pid})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.store.PutState(ctx, stateKey, st); err != nil {
				t.Fatal(err)
			}
			err = n.Start(ctx)
			if refused := err != nil; refused != tc.refused {
				t.Fatalf("Start = %v, want refused %v", err, tc.refused)
			}
		})
	}
}

// deadPID returns the ID of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}
