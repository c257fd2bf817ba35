package p2p

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
)

// keepConnected dials a configured peer and dials it again, with exponential
// backoff and jitter, whenever it is disconnected.
func (p *Peer) keepConnected(ai peer.AddrInfo, kick <-chan struct{}) {
	backoff := redialMin
	for {
		if p.h.Network().Connectedness(ai.ID) != network.Connected {
			// Our own backoff paces the attempts; libp2p's per-address dial
			// backoff would only make us wait longer after the peer returns.
			if sw, ok := p.h.Network().(*swarm.Swarm); ok {
				sw.Backoff().Clear(ai.ID)
			}
			ctx, cancel := context.WithTimeout(p.ctx, dialTimeout)
			err := p.h.Connect(ctx, ai)
			cancel()
			if p.ctx.Err() != nil {
				return
			}
			if err != nil {
				wait := backoff/2 + time.Duration(rand.Int64N(int64(backoff)))
				p.log.Debug("dial configured peer failed", "peer", ai.ID, "retry_in", wait, "err", err)
				backoff = min(2*backoff, redialMax)
				select {
				case <-p.ctx.Done():
					return
				case <-time.After(wait):
				}
				continue
			}
			p.log.Info("connected to configured peer", "peer", ai.ID)
		}
		backoff = redialMin
		select {
		case <-p.ctx.Done():
			return
		case <-kick:
		case <-time.After(30 * time.Second): // in case a disconnection was missed
		}
	}
}

// mdnsNotifee connects to peers found on the LAN.
type mdnsNotifee struct{ p *Peer }

// HandlePeerFound implements mdns.Notifee.
func (n mdnsNotifee) HandlePeerFound(ai peer.AddrInfo) {
	p := n.p
	if ai.ID == p.h.ID() || !p.enter() {
		return
	}
	defer p.wg.Done()
	if p.h.Network().Connectedness(ai.ID) == network.Connected {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, dialTimeout)
	defer cancel()
	if err := p.h.Connect(ctx, ai); err != nil {
		p.log.Debug("connect to LAN peer failed", "peer", ai.ID, "err", err)
		return
	}
	p.log.Info("connected to LAN peer", "peer", ai.ID)
}
