package p2p

import (
	"testing"
	"time"
)

// TestCatchUpManyBatches moves several batches each way in one session, so
// that pulled batches are stored in pairs and pushed ones are stored together
// when one arrives behind another, and checks every record arrives and every
// batch is answered.
func TestCatchUpManyBatches(t *testing.T) {
	t.Parallel()
	onlyA := rooms(t, newIdentity(t), 5*BatchSize+7)
	onlyB := rooms(t, newIdentity(t), 4*BatchSize+3)
	all := len(onlyA) + len(onlyB)

	a := newTestPeer(t, nil, nil)
	a.sink.add(onlyA...)
	if err := a.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
	b.sink.add(onlyB...)
	if err := b.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "both peers to hold every record", func() bool {
		return a.sink.len() == all && b.sink.len() == all
	})
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
	if ev.Err != nil || ev.Pulled+ev.Pushed != all {
		t.Errorf("initiator's session: pulled %d pushed %d err %v; want %d records moved", ev.Pulled, ev.Pushed, ev.Err, all)
	}
	ev, _ = resp.events.find(func(e Event) bool { return e.Kind == SyncProgress && e.Done && !e.Initiator })
	if ev.Err != nil || ev.Pulled+ev.Pushed != all {
		t.Errorf("responder's session: pulled %d pushed %d err %v; want %d records moved", ev.Pulled, ev.Pushed, ev.Err, all)
	}
}
