package p2p

import (
	"context"
	"strings"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
)

// privateDHT turns the DHT on for a test peer: a private DHT under
// PrivateDHTPrefix, so nothing leaves loopback, with the given bootstrap
// peers (none for the bootstrap node itself).
func privateDHT(mode DHTMode, bootstrap ...string) func(*Config) {
	return func(c *Config) {
		c.NoDHT = false
		c.DHTPrefix = PrivateDHTPrefix
		c.DHTMode = mode
		c.Bootstrap = bootstrap
	}
}

func (tp *testPeer) advertisedCell(cell string) bool {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	_, ok := tp.advertised[cell]
	return ok
}

func TestDHTRendezvous(t *testing.T) {
	t.Parallel()
	// B is a DHT server and knows nobody; C1 and C2 are DHT clients that know
	// only B. C1 and C2 join the same cell and must find each other through
	// the cell's rendezvous in the DHT.
	b := newTestPeer(t, nil, privateDHT(DHTServer))
	boot := b.addr(t, "tcp")
	c1 := newTestPeer(t, nil, privateDHT(DHTClient, boot))
	c2 := newTestPeer(t, nil, privateDHT(DHTClient, boot))
	eventually(t, 10*time.Second, "B in the clients' routing tables", func() bool {
		return c1.DHTPeers() > 0 && c2.DHTPeers() > 0
	})
	if c1.connected(c2) {
		t.Fatal("C1 and C2 are connected before the rendezvous")
	}

	before := rooms(t, c1.id, 2) // one C1 has before meeting C2, one published after
	c1.sink.add(before[0])
	start := time.Now()
	if err := c1.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "C1's advertisement of the cell", func() bool { return c1.advertisedCell(testCell) })
	t.Logf("C1 advertised the cell in %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := c2.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "C2 connected to C1 through the DHT", func() bool { return c2.connected(c1) })
	t.Logf("C2 found and connected to C1 in %v", time.Since(start).Round(time.Millisecond))

	eventually(t, 10*time.Second, "C1's earlier record at C2 (catch-up)", func() bool { return c2.sink.has(before[0]) })
	eventually(t, 10*time.Second, "the topic mesh", func() bool { return c1.inTopic(testCell, c2) && c2.inTopic(testCell, c1) })
	c1.sink.add(before[1])
	if err := c1.Publish(context.Background(), before[1]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "C1's published record at C2", func() bool { return c2.sink.has(before[1]) })
	if b.sink.len() != 0 {
		t.Errorf("the bootstrap node, which joined no cell, holds %d records", b.sink.len())
	}
	if n := b.DHTPeers(); n != 0 {
		t.Errorf("B's routing table has %d peers; clients should not be in it", n)
	}
}

func TestDHTConfig(t *testing.T) {
	t.Parallel()
	key := newIdentity(t).PrivKey()
	addr := "/ip4/127.0.0.1/tcp/4001/p2p/" + newIdentity(t).PeerID().String()
	addr2 := "/ip4/127.0.0.1/tcp/4002/p2p/" + newIdentity(t).PeerID().String()
	tests := []struct {
		name     string
		cfg      Config
		wantErr  string
		wantBoot int // -1: the public Amino bootstrap peers
	}{
		{name: "public default", cfg: Config{}, wantBoot: -1},
		{name: "public with own bootstrap", cfg: Config{Bootstrap: []string{addr}}, wantBoot: 1},
		{name: "private without bootstrap", cfg: Config{DHTPrefix: PrivateDHTPrefix}, wantBoot: 0},
		{name: "private with bootstrap", cfg: Config{DHTPrefix: PrivateDHTPrefix, Bootstrap: []string{addr, addr2}}, wantBoot: 2},
		{name: "bootstrap without peer ID", cfg: Config{Bootstrap: []string{"/ip4/127.0.0.1/tcp/4001"}}, wantErr: "bootstrap"},
		{name: "bootstrap unparsable", cfg: Config{Bootstrap: []string{"not an address"}}, wantErr: "bootstrap"},
		{name: "bad mode", cfg: Config{DHTMode: "sometimes"}, wantErr: "DHT mode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, modeErr := checkDHTMode(tc.cfg.DHTMode)
			boot, bootErr := bootstrapPeers(tc.cfg)
			err := modeErr
			if err == nil {
				err = bootErr
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one about %q", err, tc.wantErr)
				}
				// New refuses the config before listening on anything.
				cfg := tc.cfg
				cfg.Key, cfg.NoPortMap, cfg.ListenAddrs = key, true, loopback
				if p, err := New(context.Background(), cfg, newFakeSink()); err == nil {
					_ = p.Close()
					t.Fatal("New accepted the config")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tc.wantBoot
			if want < 0 {
				want = len(dht.DefaultBootstrapPeers)
			}
			if len(boot) != want {
				t.Errorf("%d bootstrap peers, want %d", len(boot), want)
			}
		})
	}
}

func TestPublicDHTConfigStarts(t *testing.T) {
	t.Parallel()
	// The public (Amino) DHT's settings, but with a bootstrap peer of our own
	// on loopback so nothing leaves the machine: the peer starts, keeps the
	// loopback peer out of its routing table (public addresses only) and
	// closes cleanly.
	b := newTestPeer(t, nil, nil)
	p := newTestPeer(t, nil, func(c *Config) {
		c.NoDHT = false
		c.Bootstrap = []string{b.addr(t, "tcp")}
	})
	eventually(t, 5*time.Second, "the bootstrap peer connected", func() bool { return p.connected(b) })
	if n := p.DHTPeers(); n != 0 {
		t.Errorf("the public DHT's routing table has %d loopback peers", n)
	}
	if err := p.JoinCell(testCell); err != nil {
		t.Fatal(err)
	}
}
