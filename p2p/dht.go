package p2p

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/discovery"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// Discovery beyond the LAN (DESIGN §7): a Kademlia DHT, by default the public
// IPFS (Amino) DHT as a client, or a private one under our own protocol
// prefix. Each joined cell is advertised as a provider record under its
// rendezvous name (the cell's topic name) and looked up periodically; the
// peers found are dialled, a bounded number per cell, and the cells exchange
// and catch-up take it from there.

// DHTMode says whether this peer answers DHT queries.
type DHTMode string

// The DHT modes. The zero DHTMode is DHTClient.
const (
	// DHTClient queries the DHT but does not answer queries: right for a
	// desktop behind a home router.
	DHTClient DHTMode = "client"
	// DHTServer answers queries and stores records for others: for the
	// always-on headless node with a public address.
	DHTServer DHTMode = "server"
	// DHTAuto is a server while the host finds itself publicly reachable
	// (AutoNAT) and a client otherwise.
	DHTAuto DHTMode = "auto"
)

// PrivateDHTPrefix is the protocol prefix of Caravan's own DHT, for
// Config.DHTPrefix: its peers speak /caravan/kad/1.0.0 and never mix with
// the public IPFS DHT.
const PrivateDHTPrefix = "/caravan"

// Rendezvous timings.
const (
	// rendezvousInterval is how often every joined cell is looked up again.
	rendezvousInterval = 5 * time.Minute
	// rendezvousRetry is the next round's delay after a failed advertisement
	// or a lookup that found nobody.
	rendezvousRetry = 30 * time.Second
	// rendezvousTimeout bounds one advertisement or lookup.
	rendezvousTimeout = time.Minute
)

const (
	// advertiseEvery is how often a joined cell's provider record is renewed
	// (the routing discovery's TTL is 3 h; we renew at 7/8 of it).
	advertiseEvery = 3 * time.Hour * 7 / 8
	// maxFoundPerCell caps the providers read from one lookup.
	maxFoundPerCell = 32
	// enoughPeersPerCell: a cell with this many peers in its topic is not
	// looked up (GossipSub's mesh degree D).
	enoughPeersPerCell = 6
	// maxDialsPerCell caps the new connections one lookup opens.
	maxDialsPerCell = 4
	// maxRendezvousCells caps the cells advertised or looked up in one round;
	// the rest wait for the next round.
	maxRendezvousCells = 64
)

// RendezvousName is the name under which a cell's peers meet in the DHT:
// the cell's topic name, caravan/1/cell/<z>/<x>/<y>.
func RendezvousName(cell string) string { return TopicName(cell) }

// checkDHTMode maps a DHTMode to the DHT's option.
func checkDHTMode(m DHTMode) (dht.ModeOpt, error) {
	switch m {
	case "", DHTClient:
		return dht.ModeClient, nil
	case DHTServer:
		return dht.ModeServer, nil
	case DHTAuto:
		return dht.ModeAuto, nil
	}
	return 0, fmt.Errorf("p2p: DHT mode %q: want %q, %q or %q", m, DHTClient, DHTServer, DHTAuto)
}

// bootstrapPeers are the DHT's bootstrap peers: Config.Bootstrap, or the
// public Amino bootstrap peers for the public DHT when none are given.
func bootstrapPeers(cfg Config) ([]peer.AddrInfo, error) {
	if len(cfg.Bootstrap) > 0 {
		infos, err := parsePeers(cfg.Bootstrap)
		if err != nil {
			return nil, fmt.Errorf("p2p: bootstrap: %w", err)
		}
		return infos, nil
	}
	if cfg.DHTPrefix != "" {
		return nil, nil // a private DHT has no well-known peers
	}
	return dht.GetDefaultBootstrapPeerAddrInfos(), nil
}

// publicAddrs keeps the addresses worth telling strangers on the public DHT:
// public IPs and relay addresses through a public relay.
func publicAddrs(addrs []ma.Multiaddr) []ma.Multiaddr {
	return slices.DeleteFunc(slices.Clone(addrs), func(a ma.Multiaddr) bool { return !manet.IsPublicAddr(a) })
}

// startDHT creates the DHT on the host and the routing discovery over it,
// and starts connecting to the bootstrap peers.
func (p *Peer) startDHT(boot []peer.AddrInfo) error {
	mode, err := checkDHTMode(p.cfg.DHTMode)
	if err != nil {
		return err
	}
	opts := []dht.Option{dht.Mode(mode), dht.BootstrapPeers(boot...)}
	if p.cfg.DHTPrefix != "" {
		opts = append(opts, dht.ProtocolPrefix(protocol.ID(p.cfg.DHTPrefix)))
	} else {
		// The public DHT: tell and keep only public addresses, and keep LAN
		// peers (mDNS finds those) out of its routing table, as the WAN half
		// of kad-dht's dual DHT does.
		opts = append(opts, dht.AddressFilter(publicAddrs),
			dht.QueryFilter(dht.PublicQueryFilter), dht.RoutingTableFilter(dht.PublicRoutingTableFilter))
	}
	kd, err := dht.New(p.h, opts...)
	if err != nil {
		return fmt.Errorf("p2p: start DHT: %w", err)
	}
	p.mu.Lock()
	p.dht = kd
	p.mu.Unlock()
	p.disc = drouting.NewRoutingDiscovery(kd)
	for _, ai := range boot {
		if ai.ID == p.h.ID() {
			continue
		}
		p.h.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
		p.goTracked(func() {
			ctx, cancel := context.WithTimeout(p.ctx, dialTimeout)
			defer cancel()
			if err := p.h.Connect(ctx, ai); err != nil {
				p.log.Debug("connect to bootstrap peer failed", "peer", ai.ID, "err", err)
			}
		})
	}
	if err := kd.Bootstrap(p.ctx); err != nil {
		return fmt.Errorf("p2p: bootstrap DHT: %w", err)
	}
	p.goTracked(p.rendezvousLoop)
	return nil
}

// kickRendezvous asks the rendezvous loop for a round now.
func (p *Peer) kickRendezvous() {
	if p.disc == nil {
		return
	}
	select {
	case p.rvKick <- struct{}{}:
	default:
	}
}

// rendezvousLoop advertises the joined cells and looks them up: after a join,
// and every rendezvousInterval (rendezvousRetry after a round that failed or
// found too few peers).
func (p *Peer) rendezvousLoop() {
	wait := time.Duration(0)
	for {
		timer := time.NewTimer(wait)
		select {
		case <-p.ctx.Done():
			timer.Stop()
			return
		case <-p.rvKick:
			timer.Stop()
		case <-timer.C:
		}
		if p.rendezvousRound() {
			wait = rendezvousInterval - rendezvousInterval/10 + time.Duration(rand.Int64N(int64(rendezvousInterval/5)))
		} else {
			wait = rendezvousRetry
		}
	}
}

// rendezvousRound advertises the cells not advertised lately and looks up
// the cells with too few peers. It reports whether all went well.
func (p *Peer) rendezvousRound() bool {
	cells := p.Cells()
	if len(cells) > maxRendezvousCells {
		rand.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
		cells = cells[:maxRendezvousCells]
	}
	ok := true
	now := time.Now()
	for _, cell := range cells {
		if p.ctx.Err() != nil {
			return true
		}
		p.mu.Lock()
		last, done := p.advertised[cell]
		p.mu.Unlock()
		if done && now.Sub(last) < advertiseEvery {
			continue
		}
		ctx, cancel := context.WithTimeout(p.ctx, rendezvousTimeout)
		_, err := p.disc.Advertise(ctx, RendezvousName(cell))
		cancel()
		if err != nil {
			if p.ctx.Err() == nil {
				p.log.Debug("advertise cell failed", "cell", cell, "err", err)
			}
			ok = false
			continue
		}
		p.mu.Lock()
		p.advertised[cell] = time.Now()
		p.mu.Unlock()
		p.log.Debug("advertised cell", "cell", cell)
	}
	// Forget advertisements of cells left, so a rejoin advertises again.
	p.mu.Lock()
	for cell := range p.advertised {
		if ct := p.topics[cell]; ct == nil || ct.sub == nil {
			delete(p.advertised, cell)
		}
	}
	p.mu.Unlock()

	for _, cell := range cells {
		if p.ctx.Err() != nil {
			return true
		}
		if len(p.ps.ListPeers(TopicName(cell))) >= enoughPeersPerCell {
			continue
		}
		if p.findCellPeers(cell) == 0 && len(p.ps.ListPeers(TopicName(cell))) == 0 {
			ok = false
		}
	}
	return ok
}

// findCellPeers looks a cell up in the DHT and connects to a few of the peers
// found that it is not connected to. It returns how many it connected to.
func (p *Peer) findCellPeers(cell string) int {
	ctx, cancel := context.WithTimeout(p.ctx, rendezvousTimeout)
	defer cancel()
	found, err := p.disc.FindPeers(ctx, RendezvousName(cell), discovery.Limit(maxFoundPerCell))
	if err != nil {
		p.log.Debug("look up cell failed", "cell", cell, "err", err)
		return 0
	}
	var candidates []peer.AddrInfo
	for ai := range found {
		if ai.ID == p.h.ID() {
			continue
		}
		if p.h.Network().Connectedness(ai.ID) == network.Connected {
			continue
		}
		candidates = append(candidates, ai)
		if len(candidates) == maxDialsPerCell {
			cancel() // enough: stop the lookup
		}
	}
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		n  int
	)
	for _, ai := range candidates[:min(len(candidates), maxDialsPerCell)] {
		wg.Go(func() {
			dctx, dcancel := context.WithTimeout(p.ctx, dialTimeout)
			defer dcancel()
			if len(ai.Addrs) == 0 {
				// A provider record without addresses (the public DHT keeps
				// only public ones): ask the DHT where the peer is.
				found, err := p.dht.FindPeer(dctx, ai.ID)
				if err != nil {
					p.log.Debug("find address of cell peer failed", "cell", cell, "peer", ai.ID, "err", err)
					return
				}
				ai = found
			}
			if err := p.h.Connect(dctx, ai); err != nil {
				p.log.Debug("connect to cell peer failed", "cell", cell, "peer", ai.ID, "err", err)
				return
			}
			p.log.Info("connected to cell peer found in the DHT", "cell", cell, "peer", ai.ID)
			mu.Lock()
			n++
			mu.Unlock()
		})
	}
	wg.Wait()
	return n
}

// relayCandidates is AutoRelay's peer source: connected peers first, then the
// DHT's routing table. AutoRelay itself checks which of them offer a relay.
func (p *Peer) relayCandidates(ctx context.Context, num int) <-chan peer.AddrInfo {
	out := make(chan peer.AddrInfo, num)
	var ids []peer.ID
	seen := map[peer.ID]bool{}
	add := func(id peer.ID) {
		if !seen[id] && id != p.h.ID() && len(ids) < num {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range p.h.Network().Peers() {
		add(id)
	}
	p.mu.Lock()
	kd := p.dht
	p.mu.Unlock()
	if kd != nil {
		for _, id := range kd.RoutingTable().ListPeers() {
			add(id)
		}
	}
	for _, id := range ids {
		ai := p.h.Peerstore().PeerInfo(id)
		if len(ai.Addrs) == 0 {
			continue
		}
		select {
		case out <- ai:
		case <-ctx.Done():
		}
	}
	close(out)
	return out
}
