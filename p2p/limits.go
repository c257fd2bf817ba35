package p2p

import (
	"fmt"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
)

// hostLimits sizes the connection manager and the resource manager.
type hostLimits struct {
	// connLow and connHigh: above connHigh connections the connection
	// manager closes the least useful ones down to connLow (configured peers
	// and GossipSub mesh peers are kept; new ones get a minute's grace).
	connLow, connHigh int
	// memory and fds scale libp2p's default resource limits: the memory all
	// of libp2p may reserve and the file descriptors it may use.
	memory int64
	fds    int
}

// desktopLimits are for the desktop app: a DHT client keeps a few dozen
// connections, plus the peers of the cells on screen; the connection
// manager trims from 192 down to 96. 1 GiB and 1024 file descriptors give
// libp2p's scaled defaults: for the whole host 256 connections (128
// inbound), 4,096 streams (2,048 inbound), 1,024 file descriptors and
// about 1.1 GiB of reservable memory; for connections not yet tied to a
// peer 96 connections and 512 streams; per peer 8 connections, 768 streams
// and 192 MiB.
var desktopLimits = hostLimits{connLow: 96, connHigh: 192, memory: 1 << 30, fds: 1024}

// nodeLimits are for the headless node that serves the DHT or relays: it
// is a meeting point for many desktops, so the connection manager trims
// from 768 down to 256, and libp2p's default limits are scaled to the
// machine's memory and file descriptors (AutoScale: an eighth of the
// memory, half the descriptors).
var nodeLimits = hostLimits{connLow: 256, connHigh: 768}

// newResourceManager makes libp2p's resource manager with the default
// limits of every libp2p service (identify, ping, relay, hole punching,
// AutoNAT) scaled to lim.
func newResourceManager(lim hostLimits) (network.ResourceManager, error) {
	scaling := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&scaling)
	var concrete rcmgr.ConcreteLimitConfig
	if lim.memory > 0 {
		concrete = scaling.Scale(lim.memory, lim.fds)
	} else {
		concrete = scaling.AutoScale()
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(concrete))
	if err != nil {
		return nil, fmt.Errorf("p2p: resource manager: %w", err)
	}
	return rm, nil
}
