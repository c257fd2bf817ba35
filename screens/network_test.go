package screens

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

const (
	selfID  = "12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf"
	lanAddr = "/ip4/192.168.1.5/tcp/4001/p2p/" + selfID
	locAddr = "/ip4/127.0.0.1/tcp/4001/p2p/" + selfID
)

func netStatus() app.Status {
	return app.Status{
		PeerID: selfID, Running: true,
		Addrs:    []string{locAddr, lanAddr},
		Cells:    []string{"6/32/21", "6/33/21"},
		NAT:      "Private",
		DHTPeers: 12,
		Records:  1204,
		ByKind:   map[string]int{"room": 1000, "ride": 200, "profile": 4},
	}
}

func peer(id, agent string, score float64) app.PeerInfo {
	return app.PeerInfo{PeerID: "12D3KooW" + id + "PeerPeerPeerPeerPeerPeer" + id, Addrs: []string{"/ip4/10.0.0." + id + "/tcp/4001"}, Agent: agent, Score: score}
}

// netHarness starts the window with the fake and brings the Network tab to
// the front.
func netHarness(t *testing.T, fake *fakeBackend) *harness {
	t.Helper()
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabNetwork) })
	return h
}

func TestNetworkShowsIdentityAddressesAndPeers(t *testing.T) {
	fake := newFake()
	fake.status = netStatus()
	fake.status.Outbox = 2
	fake.status.Rejections.ByReason = map[string]int{"bad_signature": 3, "stale": 1}
	fake.peers = []app.PeerInfo{peer("1", "caravan/1", 1.5), peer("2", "caravan/1", 0), peer("3", "", 0)}
	h := netHarness(t, fake)
	h.eventually("the summary", func() bool {
		return h.shows("Connected to 3 peers · reachable: Private (behind a router) · 12 peers in the DHT")
	})
	text := h.screenText()
	for _, w := range []string{
		"Your peer ID", "Your addresses",
		"local network", "this computer only",
		"Connected peers (3)",
		shortID(fake.peers[0].PeerID), shortID(fake.peers[2].PeerID),
		"caravan/1", "unknown software", "/ip4/10.0.0.1/tcp/4001", "score 1.5",
		"Cells followed (2)", "6/32/21 · around", "6/33/21",
		"1,204 records: 1,000 rooms · 200 rides · 4 profiles",
		"2 of your posts are waiting to be published",
		"Records refused", "3 bad signature", "1 older than the copy held",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not shown; the window shows:\n%s", w, text)
		}
	}
	// The ID and addresses are shown whole (wrapped, never cut), the LAN
	// address before the loopback one.
	flat := strings.ReplaceAll(text, "\n", "")
	for _, w := range []string{selfID, lanAddr, locAddr} {
		if !strings.Contains(flat, w) {
			t.Errorf("%q not shown whole; the window shows:\n%s", w, text)
		}
	}
	if strings.Index(flat, lanAddr) > strings.Index(flat, locAddr) {
		t.Errorf("the loopback address comes before the LAN address:\n%s", text)
	}
	if strings.Contains(text, "No peers yet") {
		t.Errorf("empty state shown with peers:\n%s", text)
	}
}

func TestNetworkEmptyStateThenUpdatesOnEvent(t *testing.T) {
	fake := newFake()
	fake.status = netStatus()
	h := netHarness(t, fake)
	h.eventually("the empty state", func() bool {
		return h.shows("No peers yet. Peers on your local network are found automatically") &&
			h.shows("Not connected to any peer yet")
	})
	if text := h.screenText(); strings.Contains(text, "waiting to be published") || strings.Contains(text, "Records refused") {
		t.Errorf("outbox or rejections shown with none:\n%s", text)
	}

	start := time.Now()
	p := peer("7", "caravan/1", 0.25)
	fake.setPeers(p)
	h.eventually("the new peer", func() bool {
		return h.shows(shortID(p.PeerID)) && h.shows("Connected to 1 peer ·") && !h.shows("No peers yet")
	})
	if d := time.Since(start); d >= networkPoll {
		t.Errorf("the peer showed after %v: by the poll, not the event", d)
	}
}

func TestNetworkPollsWhileInFront(t *testing.T) {
	fake := newFake()
	fake.status = netStatus()
	h := netHarness(t, fake)
	h.eventually("the summary", func() bool { return h.shows("12 peers in the DHT") })
	fake.set(func(f *fakeBackend) { f.status.DHTPeers = 40 }) // no event
	h.eventually("the polled summary", func() bool { return h.shows("40 peers in the DHT") })
}

func TestNetworkNotRunning(t *testing.T) {
	fake := newFake()
	fake.status = app.Status{PeerID: selfID}
	fake.peersErr = app.ErrNotRunning
	h := netHarness(t, fake)
	h.eventually("not connected", func() bool {
		return h.shows("Not connected to the network.") && h.shows("network part is not running")
	})
}

func TestNetworkCopyAddressAndID(t *testing.T) {
	fake := newFake()
	fake.status = netStatus()
	h := netHarness(t, fake)
	var rows []*addrRow
	h.eventually("the addresses", func() bool {
		rows = nil
		for _, o := range h.sh.net.addrs.Objects {
			if r, ok := o.(*addrRow); ok {
				rows = append(rows, r)
			}
		}
		return len(rows) == 2
	})
	h.ui(func() { test.Tap(rows[0].copy) })
	if got := h.app.Clipboard().Content(); got != lanAddr {
		t.Errorf("clipboard holds %q after copying the first address, want %q", got, lanAddr)
	}
	h.eventually("the confirmation", func() bool { return h.shows("Your address is on the clipboard.") })
	h.ui(func() { test.Tap(h.sh.net.idCopy) })
	if got := h.app.Clipboard().Content(); got != selfID {
		t.Errorf("clipboard holds %q after copying the peer ID, want %q", got, selfID)
	}
}

func TestNetworkManyAddressesFolded(t *testing.T) {
	fake := newFake()
	fake.status = netStatus()
	for i := range 5 {
		fake.status.Addrs = append(fake.status.Addrs, fmt.Sprintf("/ip4/10.0.0.%d/tcp/4001/p2p/%s", i+1, selfID))
	}
	h := netHarness(t, fake)
	h.eventually("the fold", func() bool { return h.shows("Show all 7 addresses") })
	h.ui(func() {
		if n := len(h.sh.net.addrs.Objects); n != fewAddrs {
			t.Errorf("%d addresses shown folded, want %d", n, fewAddrs)
		}
		if h.shows(locAddr[:20]) {
			t.Errorf("the loopback address is among the first shown")
		}
		test.Tap(h.sh.net.moreAddr)
	})
	h.eventually("every address", func() bool { return len(h.sh.net.addrs.Objects) == 7 && h.shows("Show fewer addresses") })
	// A refresh keeps them all.
	fake.setPeers(peer("1", "caravan/1", 0))
	h.eventually("the peer", func() bool { return h.shows("Connected peers (1)") })
	h.ui(func() {
		if n := len(h.sh.net.addrs.Objects); n != 7 {
			t.Errorf("%d addresses shown after a refresh, want 7", n)
		}
	})
}

func TestNetworkNegativeScoreMarked(t *testing.T) {
	fake := newFake()
	fake.status = netStatus()
	good, bad := peer("1", "caravan/1", 2), peer("2", "spammer/0", -5)
	fake.peers = []app.PeerInfo{good, bad}
	h := netHarness(t, fake)
	h.eventually("the peers", func() bool { return h.shows("Connected peers (2)") && h.shows("spammer/0") })
	text := h.screenText()
	if c := strings.Count(text, "misbehaving"); c != 1 {
		t.Errorf("%d peers marked misbehaving, want 1:\n%s", c, text)
	}
	if !strings.Contains(text, "score -5.0 · misbehaving") {
		t.Errorf("the negative score is not marked:\n%s", text)
	}
	h.ui(func() {
		for _, r := range peerRows(h.sh.win.Canvas().Content()) {
			wantWarn := strings.Contains(r.agent.Text, "spammer")
			if r.warn.Visible() != wantWarn {
				t.Errorf("row of %q: warning icon shown %v, want %v", r.agent.Text, r.warn.Visible(), wantWarn)
			}
			if wantWarn && r.score.Importance != widget.DangerImportance {
				t.Errorf("negative score not in the danger colour")
			}
		}
	})
}

// peerRows finds the peer rows the window draws.
func peerRows(o fyne.CanvasObject) []*peerRow {
	var out []*peerRow
	walkVisible(o, func(o fyne.CanvasObject) bool {
		if x, ok := o.(*peerRow); ok {
			out = append(out, x)
			return false
		}
		return true
	})
	return out
}

func TestFormatCellSync(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sync := []app.CellSync{
		{Cell: "6/32/21", Peers: 2, Last: now.Add(-3 * time.Minute)},
		{Cell: "6/33/21", Running: 1, Received: 512, Peers: 1, Last: now.Add(-time.Hour)},
		{Cell: "6/34/21", Failed: "stream reset"},
	}
	tests := []struct{ cell, want string }{
		{"6/32/21", "caught up with 2 peers · 3 min ago"},
		{"6/33/21", "catching up with 1 peer · 512 records so far"},
		{"6/34/21", "not caught up with any peer yet · last attempt failed: stream reset"},
		{"6/35/21", "not caught up with any peer yet"},
	}
	for _, tc := range tests {
		if got := formatCellSync(tc.cell, sync, now); got != tc.want {
			t.Errorf("formatCellSync(%s) = %q, want %q", tc.cell, got, tc.want)
		}
	}
}
