// Package p2p moves Caravan records between peers (DESIGN §7): a libp2p host
// over TCP and QUIC with Noise, GossipSub topics per geo cell whose validators
// apply the domain rules, an exchange of the cells each peer follows, and a
// catch-up protocol that reconciles a cell's records with a neighbour by
// range-based set reconciliation (package recon), then pulls what is missing
// and pushes what the neighbour lacks.
//
// Peers find each other on the LAN by mDNS, and beyond it through a Kademlia
// DHT (dht.go): the public IPFS Amino DHT as a client by default, or a private
// one under PrivateDHTPrefix, in which each joined cell is a rendezvous.
// Peers behind a NAT are reached through port mapping, hole punching and
// relays found by AutoRelay; the headless node can offer a relay. GossipSub
// peer scoring and per-peer rate limits keep flooding and invalid peers out
// (defence.go); limits.go sizes the connection and resource managers.
//
// The package never touches storage: it hands records to the app through a
// Sink and asks the Sink what it holds.
package p2p

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/metrics"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	"github.com/libp2p/go-libp2p/p2p/host/autorelay"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/caravan-p2p/caravan/domain"
)

// Sink is where the peer hands records and asks what it has. The app
// implements it over the store. Its methods are called from many goroutines.
type Sink interface {
	// Deliver validates and stores records received from a peer; one Verdict
	// per record, in order. It is the one place records from peers are
	// checked: every stateless rule (domain.Validate, which verifies the
	// signature) and those that need the store (domain.Succeeds). The peer
	// only checks what costs nothing (decoding, the topic's cell), so a
	// signature is verified once, on all cores, in the store's batch.
	Deliver(ctx context.Context, from peer.ID, recs []domain.Record) []Verdict
	// SyncItems lists the (issued_at, hash) items of the current records of a
	// cell, sorted by SyncItem.Less.
	SyncItems(ctx context.Context, cell string) ([]domain.SyncItem, error)
	// RecordsByItems returns the records of a cell with these sync items
	// that it has, each in its Encode form, exactly as signed.
	RecordsByItems(ctx context.Context, cell string, items []domain.SyncItem) ([][]byte, error)
}

// Verdict is what the Sink made of one delivered record.
type Verdict int

// The verdicts. The zero Verdict is not valid and is treated as Ignored.
const (
	// Accepted: the record is new and was stored; gossip forwards it.
	Accepted Verdict = iota + 1
	// Ignored: already had it, or it is older than the stored version.
	Ignored
	// Rejected: the record is invalid; the sender is penalised.
	Rejected
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Accepted:
		return "accepted"
	case Ignored:
		return "ignored"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}

// Protocol names and limits shared with other implementations.
const (
	// CellsProtocol carries the list of cells a peer has joined.
	CellsProtocol = "/caravan/cells/1"
	// SyncProtocol is catch-up sync of one cell.
	SyncProtocol = "/caravan/sync/1"
	// TopicPrefix is prepended to a cell ("z/x/y") to name its GossipSub topic.
	TopicPrefix = "caravan/1/cell/"
	// MDNSService is the mDNS service name peers advertise on the LAN.
	MDNSService = "caravan"
	// MaxJoinedCells caps the cells a peer joins and announces.
	MaxJoinedCells = 4096
	// MaxMessageSize caps a gossip message: one encoded record.
	MaxMessageSize = 128 << 10
)

// DefaultListenAddrs are used when Config.ListenAddrs is empty.
var DefaultListenAddrs = []string{"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"}

// Timings. Tests that need a shorter sync interval set testHooks.syncInterval.
const (
	syncInterval   = 3 * time.Minute // periodic catch-up of every shared cell
	redialMin      = 500 * time.Millisecond
	redialMax      = time.Minute
	dialTimeout    = 15 * time.Second
	announceDelay  = 100 * time.Millisecond // coalesces announcements after JoinCell
	streamTimeout  = 10 * time.Second       // cells exchange, sync hello
	roundTimeout   = 30 * time.Second       // one sync request and its answer
	sessionTimeout = 10 * time.Minute       // one whole sync session
	// autoRelayBootDelay is how long AutoRelay waits for more relay
	// candidates before it reserves a slot with those it has.
	autoRelayBootDelay = 30 * time.Second
	// autoRelayInterval is the least time between two asks of AutoRelay for
	// relay candidates (connected peers and the DHT's routing table: cheap).
	autoRelayInterval = 10 * time.Second
)

// Config configures a Peer.
type Config struct {
	// Key is the user's Ed25519 identity key; it is also the host key, so the
	// peer ID is the user ID. Required.
	Key crypto.PrivKey
	// ListenAddrs are multiaddrs to listen on; DefaultListenAddrs when empty.
	ListenAddrs []string
	// Peers are multiaddrs ending in /p2p/<id> to dial at start and to keep
	// re-dialling, with backoff, while disconnected. They are protected from
	// the connection manager's trimming.
	Peers []string
	// MDNS enables discovery on the LAN under the service name "caravan".
	MDNS bool
	// NoDHT turns the DHT off: peers are then found only through mDNS and
	// Peers (LAN-only, or a fixed set of peers). Tests set it so they never
	// reach beyond loopback.
	NoDHT bool
	// Bootstrap are multiaddrs ending in /p2p/<id> of DHT bootstrap peers.
	// When empty, the public DHT uses the IPFS Amino DHT's well-known
	// bootstrap peers (dht.DefaultBootstrapPeers), and a private DHT starts
	// from the peers of Peers and mDNS alone.
	Bootstrap []string
	// DHTMode is DHTClient (the zero value), DHTServer (for the always-on
	// headless node) or DHTAuto.
	DHTMode DHTMode
	// DHTPrefix, when set, runs a private DHT under this protocol prefix
	// (normally PrivateDHTPrefix) instead of joining the public IPFS Amino DHT.
	DHTPrefix string
	// RelayService offers a circuit relay (v2) to peers that cannot be
	// reached directly, and the AutoNAT service: for `caravan node --relay`.
	// libp2p runs the relay only while AutoNAT finds this host publicly
	// reachable, which needs other peers running the AutoNAT service (on the
	// public DHT there are many; on a private one, other nodes in server mode
	// or with RelayService).
	RelayService bool
	// NoPortMap turns off NAT port mapping (UPnP and NAT-PMP on the home
	// router). Tests set it: it probes the LAN.
	NoPortMap bool
	// Logger receives the peer's logs; slog.Default() when nil.
	Logger *slog.Logger
	// OnEvent, when set, receives events one at a time, in order, on a
	// goroutine of the peer's. It must not call Close.
	OnEvent func(Event)

	hooks testHooks
}

// testHooks let tests simulate a peer behind a NAT on loopback.
type testHooks struct {
	noListen       bool          // listen on nothing: only outgoing connections
	forcePrivate   bool          // take ourselves as unreachable from the start
	forcePublic    bool          // take ourselves as reachable (the relay service needs it)
	relayBootDelay time.Duration // AutoRelay's wait for more candidates
	relayInterval  time.Duration // AutoRelay's least time between asks for candidates
	syncInterval   time.Duration // periodic catch-up instead of syncInterval
}

// EventKind says what an Event reports.
type EventKind int

// The event kinds.
const (
	// PeerConnected: a first connection to Event.Peer opened.
	PeerConnected EventKind = iota + 1
	// PeerDisconnected: the last connection to Event.Peer closed.
	PeerDisconnected
	// PeerCells: Event.Peer announced the cells it has joined (Event.Cells,
	// the full list). The app decides whether to join them too.
	PeerCells
	// SyncProgress: catch-up of Event.Cell with Event.Peer moved on, or ended
	// when Event.Done.
	SyncProgress
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case PeerConnected:
		return "peer-connected"
	case PeerDisconnected:
		return "peer-disconnected"
	case PeerCells:
		return "peer-cells"
	case SyncProgress:
		return "sync-progress"
	}
	return fmt.Sprintf("event(%d)", int(k))
}

// Event is something the app may want to show or act on.
type Event struct {
	Kind  EventKind
	Peer  peer.ID
	Cells []string // PeerCells: every cell the peer has joined, sorted
	Cell  string   // SyncProgress: the cell being synced
	// Initiator: SyncProgress: this peer started the session.
	Initiator bool
	// Pulled and Pushed: SyncProgress: records received from and sent to the
	// peer so far in this session.
	Pulled, Pushed int
	// Done: SyncProgress: the session is over; Err says whether it failed.
	Done bool
	Err  error
}

// PeerInfo describes a connected peer.
type PeerInfo struct {
	ID    string   `json:"peer_id"`
	Addrs []string `json:"addrs"`
	// Agent is the software the peer says it runs ("caravan/1" for ours).
	Agent string `json:"agent,omitempty"`
	// Score is the peer's GossipSub score as this peer sees it (0 until
	// first computed; below GraylistThreshold everything it sends is ignored).
	Score float64 `json:"score"`
}

// ErrClosed is returned by methods of a closed Peer.
var ErrClosed = errors.New("p2p: peer closed")

// Peer is this node on the Caravan network: a libp2p host, its GossipSub
// router, and the cells exchange and sync protocols.
type Peer struct {
	h      host.Host
	ps     *pubsub.PubSub
	cm     *connmgr.BasicConnMgr
	bw     *metrics.BandwidthCounter
	dht    *dht.IpfsDHT               // nil with Config.NoDHT; set under mu
	disc   *drouting.RoutingDiscovery // nil with Config.NoDHT
	sink   Sink
	log    *slog.Logger
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mdns   mdns.Service

	mu         sync.Mutex
	closed     bool
	topics     map[string]*cellTopic       // by cell; joined or publish-only
	remote     map[peer.ID]map[string]bool // cells each connected peer announced
	remoteSeq  map[peer.ID]uint64          // number of each peer's last announcement
	annSeq     uint64                      // number of our last announcement
	lastSync   map[syncKey]time.Time       // last session with a peer on a cell
	redial     map[peer.ID]chan struct{}   // wakes the re-dialler of a configured peer
	rejects    map[peer.ID]map[string]int  // rejected records per peer and why
	announce   chan struct{}               // wakes the announcer
	sched      *scheduler
	advertised map[string]time.Time // cells advertised in the DHT, and when
	rvKick     chan struct{}        // wakes the rendezvous loop
	pendingAnn map[peer.ID][]byte   // a rate-limited peer's latest announcement

	syncServe  *peerLimiter // sync sessions peers start with us
	syncStart  *peerLimiter // sync sessions we start with a peer
	cellsLimit *peerLimiter // cells announcements received

	reach    atomic.Int32 // network.Reachability, from the event bus
	scoreMu  sync.Mutex
	scores   map[peer.ID]float64 // latest GossipSub scores
	offMu    sync.Mutex
	offences map[peer.ID]offences // misbehaviour outside gossip, decaying

	evMu   sync.Mutex
	events []Event
	evKick chan struct{}
}

// cellTopic is a joined GossipSub topic; sub is nil while only publishing.
type cellTopic struct {
	topic *pubsub.Topic
	sub   *pubsub.Subscription
}

// New starts a peer: it listens, joins the GossipSub network, starts mDNS if
// asked and dials the configured peers. ctx bounds the start-up only; the peer
// runs until Close.
func New(ctx context.Context, cfg Config, sink Sink) (*Peer, error) {
	if cfg.Key == nil {
		return nil, errors.New("p2p: Config.Key is required")
	}
	if sink == nil {
		return nil, errors.New("p2p: a Sink is required")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("p2p: start: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = DefaultListenAddrs
	}
	configured, err := parsePeers(cfg.Peers)
	if err != nil {
		return nil, err
	}
	var boot []peer.AddrInfo
	if !cfg.NoDHT {
		if _, err := checkDHTMode(cfg.DHTMode); err != nil {
			return nil, err
		}
		if boot, err = bootstrapPeers(cfg); err != nil {
			return nil, err
		}
	}

	lim := desktopLimits
	if cfg.RelayService || cfg.DHTMode == DHTServer {
		lim = nodeLimits
	}
	cm, err := connmgr.NewConnManager(lim.connLow, lim.connHigh, connmgr.WithGracePeriod(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("p2p: connection manager: %w", err)
	}
	rm, err := newResourceManager(lim)
	if err != nil {
		_ = cm.Close()
		return nil, err
	}
	// AutoRelay asks the peer for relay candidates; the peer exists only
	// after the host, hence the indirection.
	var self atomic.Pointer[Peer]
	relaySource := func(ctx context.Context, num int) <-chan peer.AddrInfo {
		if q := self.Load(); q != nil {
			return q.relayCandidates(ctx, num)
		}
		ch := make(chan peer.AddrInfo)
		close(ch)
		return ch
	}
	bootDelay, relayInterval := autoRelayBootDelay, autoRelayInterval
	if cfg.hooks.relayBootDelay > 0 {
		bootDelay = cfg.hooks.relayBootDelay
	}
	if cfg.hooks.relayInterval > 0 {
		relayInterval = cfg.hooks.relayInterval
	}
	listen := libp2p.ListenAddrStrings(cfg.ListenAddrs...)
	if cfg.hooks.noListen {
		listen = libp2p.NoListenAddrs
	}
	bw := metrics.NewBandwidthCounter()
	hopts := []libp2p.Option{
		libp2p.Identity(cfg.Key),
		listen,
		libp2p.EnableRelay(), // dial and accept relayed connections; AutoRelay needs it
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Security(libp2ptls.ID, libp2ptls.New),
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
		libp2p.BandwidthReporter(bw),
		libp2p.UserAgent("caravan/1"),
		libp2p.DisableMetrics(),
		libp2p.EnableHolePunching(),
		// AutoRelay seeks relays while AutoNAT finds us unreachable or does
		// not know yet, and stops once we are public. Caravan's relays are few
		// (the headless nodes run with --relay), so one candidate is enough.
		libp2p.EnableAutoRelayWithPeerSource(relaySource,
			autorelay.WithMinCandidates(1), autorelay.WithBootDelay(bootDelay),
			autorelay.WithMinInterval(relayInterval)),
	}
	switch {
	case cfg.hooks.forcePrivate:
		hopts = append(hopts, libp2p.ForceReachabilityPrivate())
	case cfg.hooks.forcePublic:
		hopts = append(hopts, libp2p.ForceReachabilityPublic())
	}
	if !cfg.NoPortMap {
		hopts = append(hopts, libp2p.NATPortMap())
	}
	if cfg.RelayService {
		hopts = append(hopts, libp2p.EnableRelayService())
	}
	if cfg.RelayService || cfg.DHTMode == DHTServer {
		// Tell peers whether they are reachable (AutoNAT): the relay service
		// itself starts only once AutoNAT finds this host public.
		hopts = append(hopts, libp2p.EnableNATService())
	}
	h, err := libp2p.New(hopts...)
	if err != nil {
		_ = cm.Close()
		_ = rm.Close()
		return nil, fmt.Errorf("p2p: start host: %w", err)
	}

	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &Peer{
		h: h, cm: cm, bw: bw, sink: sink, log: cfg.Logger.With("component", "p2p"), cfg: cfg,
		ctx: pctx, cancel: cancel,
		topics:    map[string]*cellTopic{},
		remote:    map[peer.ID]map[string]bool{},
		remoteSeq: map[peer.ID]uint64{},
		annSeq:    uint64(time.Now().UnixNano()), // grows across restarts too
		lastSync:  map[syncKey]time.Time{},
		redial:    map[peer.ID]chan struct{}{},
		rejects:   map[peer.ID]map[string]int{},
		offences:  map[peer.ID]offences{},
		announce:  make(chan struct{}, 1),
		evKick:    make(chan struct{}, 1),

		advertised: map[string]time.Time{},
		rvKick:     make(chan struct{}, 1),
		pendingAnn: map[peer.ID][]byte{},
		syncServe:  newPeerLimiter(syncServeRate, syncServeBurst),
		syncStart:  newPeerLimiter(syncStartRate, syncStartBurst),
		cellsLimit: newPeerLimiter(cellsRate, cellsBurst),
	}
	p.sched = newScheduler()
	self.Store(p)

	fail := func(err error) (*Peer, error) {
		cancel()
		if p.dht != nil {
			_ = p.dht.Close()
		}
		_ = h.Close()
		p.wg.Wait()
		return nil, err
	}

	opts := []pubsub.Option{
		pubsub.WithMessageIdFn(messageID),
		pubsub.WithMaxMessageSize(MaxMessageSize),
		pubsub.WithFloodPublish(true),
		pubsub.WithLogger(cfg.Logger.With("component", "pubsub")),
	}
	opts = append(opts, p.scoringOptions()...)
	if p.ps, err = pubsub.NewGossipSub(pctx, h, opts...); err != nil {
		return fail(fmt.Errorf("p2p: start gossipsub: %w", err))
	}

	// Subscribe to connection events before dialing anyone.
	sub, err := h.EventBus().Subscribe([]any{
		new(event.EvtPeerConnectednessChanged),
		new(event.EvtPeerIdentificationCompleted),
		new(event.EvtPeerProtocolsUpdated),
		new(event.EvtLocalReachabilityChanged),
	}, eventbus.BufSize(1024))
	if err != nil {
		return fail(fmt.Errorf("p2p: subscribe to host events: %w", err))
	}
	h.SetStreamHandler(CellsProtocol, p.handleCells)
	h.SetStreamHandler(SyncProtocol, p.handleSync)

	p.goTracked(func() { p.watchHost(sub) })
	p.goTracked(p.eventLoop)
	p.goTracked(p.announceLoop)
	p.goTracked(p.periodicSync)
	for range syncWorkers {
		p.goTracked(p.syncWorker)
	}

	for _, ai := range configured {
		if ai.ID == h.ID() {
			continue // our own address in the list
		}
		h.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
		cm.Protect(ai.ID, "caravan-config")
		kick := make(chan struct{}, 1)
		p.mu.Lock()
		p.redial[ai.ID] = kick
		p.mu.Unlock()
		p.goTracked(func() { p.keepConnected(ai, kick) })
	}

	if !cfg.NoDHT {
		if err := p.startDHT(boot); err != nil {
			return fail(err)
		}
	}

	if cfg.MDNS {
		svc := mdns.NewMdnsService(h, MDNSService, mdnsNotifee{p})
		if err := svc.Start(); err != nil {
			// LAN discovery is a convenience: run without it.
			p.log.Warn("mDNS discovery unavailable", "err", err)
			_ = svc.Close()
		} else {
			p.mdns = svc
		}
	}
	p.log.Info("peer started", "id", h.ID(), "addrs", p.Addrs(), "dht", !cfg.NoDHT, "dht_mode", cfg.DHTMode,
		"dht_prefix", cfg.DHTPrefix, "bootstrap", len(boot), "relay_service", cfg.RelayService)
	return p, nil
}

// messageID is the GossipSub message ID: the hex SHA-256 of the data, so the
// same record from two peers is one message.
func messageID(m *pb.Message) string {
	sum := sha256.Sum256(m.Data)
	return hex.EncodeToString(sum[:])
}

func parsePeers(addrs []string) ([]peer.AddrInfo, error) {
	mas := make([]ma.Multiaddr, 0, len(addrs))
	for _, s := range addrs {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("p2p: peer address %q: %w", s, err)
		}
		mas = append(mas, m)
	}
	infos, err := peer.AddrInfosFromP2pAddrs(mas...)
	if err != nil {
		return nil, fmt.Errorf("p2p: peer addresses must end in /p2p/<id>: %w", err)
	}
	return infos, nil
}

// goTracked runs fn on a goroutine that Close waits for. It reports false,
// without running fn, once the peer is closing.
func (p *Peer) goTracked(fn func()) bool {
	if !p.enter() {
		return false
	}
	go func() {
		defer p.wg.Done()
		fn()
	}()
	return true
}

// enter registers work that Close must wait for; the caller calls p.wg.Done.
func (p *Peer) enter() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	return true
}

// ID is the peer's ID, which is also the user ID.
func (p *Peer) ID() peer.ID { return p.h.ID() }

// Host is the underlying libp2p host, for protocols built beside this package.
func (p *Peer) Host() host.Host { return p.h }

// PubSub returns the peer's GossipSub router, for protocols layered on the
// same peer (mailboxes) that join topics of their own.
func (p *Peer) PubSub() *pubsub.PubSub { return p.ps }

// Addrs returns the full multiaddrs the peer can be reached at, each ending in
// /p2p/<id>, loopback included.
func (p *Peer) Addrs() []string {
	var all []ma.Multiaddr
	if ifaces, err := p.h.Network().InterfaceListenAddresses(); err == nil {
		all = append(all, ifaces...)
	}
	all = append(all, p.h.Addrs()...)
	suffix := ma.StringCast("/p2p/" + p.h.ID().String())
	seen := map[string]bool{}
	var out []string
	for _, a := range all {
		if len(a) > 0 && a[0].Protocol().Code == ma.P_CIRCUIT {
			continue // the relay transport's listener: no address without a relay in front
		}
		s := a.Encapsulate(suffix).String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Peers lists the connected peers and the addresses of their connections.
func (p *Peer) Peers() []PeerInfo {
	ids := p.h.Network().Peers()
	out := make([]PeerInfo, 0, len(ids))
	for _, id := range ids {
		info := PeerInfo{ID: id.String(), Addrs: []string{}}
		for _, c := range p.h.Network().ConnsToPeer(id) {
			info.Addrs = append(info.Addrs, c.RemoteMultiaddr().String())
		}
		if v, err := p.h.Peerstore().Get(id, "AgentVersion"); err == nil {
			info.Agent, _ = v.(string)
		}
		info.Score, _ = p.score(id)
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b PeerInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Traffic counts the bytes a peer exchanged since it started.
type Traffic struct {
	In, Out         int64 // all protocols
	SyncIn, SyncOut int64 // catch-up sync (SyncProtocol)
}

// Traffic returns the bytes exchanged since the peer started.
func (p *Peer) Traffic() Traffic {
	all := p.bw.GetBandwidthTotals()
	sync := p.bw.GetBandwidthForProtocol(SyncProtocol)
	return Traffic{In: all.TotalIn, Out: all.TotalOut, SyncIn: sync.TotalIn, SyncOut: sync.TotalOut}
}

// Reachability is whether this peer can be reached from the internet, as
// AutoNAT last found it: network.ReachabilityUnknown until it knows,
// ReachabilityPublic, or ReachabilityPrivate (behind a NAT or firewall; peers
// then reach it through a relay or hole punching). Its String() is "Unknown",
// "Public" or "Private".
func (p *Peer) Reachability() network.Reachability {
	return network.Reachability(p.reach.Load())
}

// DHTPeers is the number of peers in the DHT's routing table: 0 with
// Config.NoDHT or before the DHT has found anyone.
func (p *Peer) DHTPeers() int {
	p.mu.Lock()
	kd := p.dht
	p.mu.Unlock()
	if kd == nil {
		return 0
	}
	return kd.RoutingTable().Size()
}

// Close stops the peer: it leaves every topic, closes all connections and
// waits for its goroutines. It is safe to call more than once.
func (p *Peer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	for _, ct := range p.topics {
		if ct.sub != nil {
			ct.sub.Cancel()
			ct.sub = nil
		}
	}
	p.mu.Unlock()

	p.cancel()
	p.sched.close()
	if p.mdns != nil {
		_ = p.mdns.Close()
	}
	var dhtErr error
	if p.dht != nil {
		if dhtErr = p.dht.Close(); dhtErr != nil {
			dhtErr = fmt.Errorf("p2p: close DHT: %w", dhtErr)
		}
	}
	err := p.h.Close() // closes the connection manager and resource manager too
	p.wg.Wait()
	if err != nil {
		return errors.Join(dhtErr, fmt.Errorf("p2p: close host: %w", err))
	}
	p.log.Info("peer closed", "id", p.h.ID())
	return dhtErr
}

// watchHost follows connections and identification: it announces our cells to
// peers that speak the cells protocol, forgets what a gone peer announced and
// wakes the re-dialler of a configured peer that went away.
func (p *Peer) watchHost(sub event.Subscription) {
	defer sub.Close()
	for {
		var e any
		select {
		case <-p.ctx.Done():
			return
		case e = <-sub.Out():
		}
		switch ev := e.(type) {
		case event.EvtPeerConnectednessChanged:
			switch ev.Connectedness {
			case network.Connected:
				p.log.Debug("peer connected", "peer", ev.Peer)
				p.emit(Event{Kind: PeerConnected, Peer: ev.Peer})
			case network.NotConnected:
				p.log.Debug("peer disconnected", "peer", ev.Peer)
				p.forgetPeer(ev.Peer)
				p.emit(Event{Kind: PeerDisconnected, Peer: ev.Peer})
			}
		case event.EvtPeerIdentificationCompleted:
			if slices.Contains(ev.Protocols, CellsProtocol) {
				p.goTracked(func() { p.announceTo(ev.Peer, p.snapshotCells()) })
			}
		case event.EvtPeerProtocolsUpdated:
			if slices.Contains(ev.Added, CellsProtocol) {
				p.goTracked(func() { p.announceTo(ev.Peer, p.snapshotCells()) })
			}
		case event.EvtLocalReachabilityChanged:
			p.reach.Store(int32(ev.Reachability))
			p.log.Info("reachability changed", "reachability", ev.Reachability)
		}
	}
}

// forgetPeer drops the state kept about a peer that disconnected.
func (p *Peer) forgetPeer(id peer.ID) {
	p.mu.Lock()
	delete(p.remote, id)
	delete(p.remoteSeq, id)
	delete(p.rejects, id)
	delete(p.pendingAnn, id)
	for k := range p.lastSync {
		if k.peer == id {
			delete(p.lastSync, k)
		}
	}
	kick := p.redial[id]
	p.mu.Unlock()
	p.syncServe.forget(id)
	p.syncStart.forget(id)
	p.cellsLimit.forget(id)
	if kick != nil {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
}

// noteReject counts a record a peer sent that failed validation, for the log
// and the tests. On gossip, GossipSub's peer scoring counts the rejection too.
// The reason is the record's when the peer found it, or "refused" when the
// Sink did (the Sink logs its own reasons).
func (p *Peer) noteReject(from peer.ID, reason domain.Reason, via string) {
	p.mu.Lock()
	m := p.rejects[from]
	if m == nil {
		m = map[string]int{}
		p.rejects[from] = m
	}
	m[string(reason)]++
	n := m[string(reason)]
	p.mu.Unlock()
	p.log.Debug("rejected record", "peer", from, "reason", reason, "via", via, "count", n)
}

// rejectCount is the number of records from a peer rejected for any reason.
func (p *Peer) rejectCount(from peer.ID) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.rejects[from] {
		n += c
	}
	return n
}

// emit queues an event for OnEvent. The queue is bounded: when the app does
// not keep up, new events are dropped and logged.
func (p *Peer) emit(e Event) {
	if p.cfg.OnEvent == nil {
		return
	}
	p.evMu.Lock()
	if len(p.events) >= maxQueuedEvents {
		p.evMu.Unlock()
		p.log.Warn("event queue full; dropping event", "kind", e.Kind, "peer", e.Peer)
		return
	}
	p.events = append(p.events, e)
	p.evMu.Unlock()
	select {
	case p.evKick <- struct{}{}:
	default:
	}
}

const maxQueuedEvents = 10_000

func (p *Peer) eventLoop() {
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.evKick:
		}
		p.evMu.Lock()
		batch := p.events
		p.events = nil
		p.evMu.Unlock()
		for _, e := range batch {
			if p.ctx.Err() != nil {
				return
			}
			p.cfg.OnEvent(e)
		}
	}
}
