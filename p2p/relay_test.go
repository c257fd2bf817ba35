package p2p

import (
	"context"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	ma "github.com/multiformats/go-multiaddr"
)

func TestReachedThroughRelay(t *testing.T) {
	t.Parallel()
	// R offers a relay. P listens on nothing and takes itself as behind a NAT:
	// it knows only R, and AutoRelay must reserve a slot there. Q then reaches
	// P through R. (libp2p starts the relay service only once the host finds
	// itself publicly reachable, which AutoNAT cannot confirm on loopback:
	// R is told it is.)
	r := newTestPeer(t, nil, func(c *Config) { c.RelayService = true; c.hooks.forcePublic = true })
	p := newTestPeer(t, nil, func(c *Config) {
		c.Peers = []string{r.addr(t, "tcp")}
		c.hooks = testHooks{noListen: true, forcePrivate: true, relayBootDelay: time.Millisecond, relayInterval: 100 * time.Millisecond}
	})
	eventually(t, 10*time.Second, "P to find itself unreachable", func() bool {
		return p.Reachability() == network.ReachabilityPrivate
	})
	if got := p.Reachability().String(); got != "Private" {
		t.Errorf("Reachability().String() = %q", got)
	}
	if got := r.Reachability(); got != network.ReachabilityPublic {
		t.Errorf("R's reachability is %v, want public", got)
	}
	// AutoRelay advertises relay addresses only through relays with public
	// addresses, which loopback is not; P's address through R is written
	// here by hand. Dialling it works once P holds a reservation on R.
	circuit := r.addr(t, "tcp") + "/p2p-circuit/p2p/" + p.ID().String()
	ai, err := peer.AddrInfoFromP2pAddr(ma.StringCast(circuit))
	if err != nil {
		t.Fatal(err)
	}
	q := newTestPeer(t, nil, nil)
	start := time.Now()
	eventually(t, 20*time.Second, "Q connected to P through R", func() bool {
		if sw, ok := q.h.Network().(*swarm.Swarm); ok {
			sw.Backoff().Clear(p.ID())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return q.h.Connect(ctx, *ai) == nil
	})
	t.Logf("Q reached P through R in %v", time.Since(start).Round(time.Millisecond))
	conns := q.h.Network().ConnsToPeer(p.ID())
	if len(conns) == 0 {
		t.Fatal("no connection from Q to P")
	}
	if _, err := conns[0].RemoteMultiaddr().ValueForProtocol(ma.P_CIRCUIT); err != nil {
		t.Errorf("Q's connection to P is not relayed: %s", conns[0].RemoteMultiaddr())
	}
}
