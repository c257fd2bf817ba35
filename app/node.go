package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p"
	"github.com/caravan-p2p/caravan/storage"
)

// Options configure a Node.
type Options struct {
	// DataDir holds the identity key and the store; created if missing.
	DataDir string
	// Listen are the multiaddrs to listen on; empty means all interfaces, any port.
	Listen []string
	// Peers are multiaddrs (with /p2p/ID) to connect to and stay connected with.
	Peers []string
	// MDNS turns on discovery of peers on the local network.
	MDNS bool
	// NoDHT keeps the node off the DHT: peers come from MDNS and Peers only.
	NoDHT bool
	// Bootstrap are DHT bootstrap multiaddrs; empty means the public IPFS
	// bootstrap peers, or none with PrivateDHT.
	Bootstrap []string
	// PrivateDHT runs Caravan's own DHT instead of rendezvous on the public one.
	PrivateDHT bool
	// AlwaysOn is the headless node: a DHT server when reachable, with room
	// for more connections.
	AlwaysOn bool
	// Relay offers a circuit relay to peers that cannot be reached directly.
	Relay bool
	// NoPortMap turns off NAT port mapping (UPnP, NAT-PMP) on the router.
	NoPortMap bool
	// Logger receives the node's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock of bookings and reviews and of the messages that
	// carry them; nil means time.Now. Tests move it past a booking's end.
	Now func() time.Time
}

// Timings of the node's background work.
const (
	outboxPoll     = 200 * time.Millisecond // how often another process's posts are looked for
	statePeriod    = time.Second            // how often the runtime state is written for CLI commands
	stateFresh     = 3 * time.Second        // a runtime state older than this means no node runs
	maintainPeriod = 10 * time.Minute       // how often expired records are swept and own ones renewed
	renewAhead     = 7 * 24 * time.Hour     // own records are renewed this long before they expire
	publishWindow  = 10 * time.Second
)

// Node is one Caravan peer: the user's identity, the local store and, once
// started, the network. The desktop app, the headless node and the scripting
// commands all go through it.
type Node struct {
	opts  Options
	log   *slog.Logger
	id    *domain.Identity
	store *storage.Store
	bus   *bus
	stats *rejections
	cover *coverage
	// interest decides which cells the node follows.
	interest *interest

	mu     sync.Mutex
	peer   *p2p.Peer // nil until Start
	cancel context.CancelFunc
	wg     sync.WaitGroup
	poke   chan struct{} // wakes the publish loop (nudge)
	// mailPoke wakes the mailbox loop: a message was queued in this process.
	mailPoke chan struct{}

	revealMu sync.Mutex // one reveal of the user's reviews at a time (review.go)
}

// Open opens (creating on first use) the data dir, its identity and its store.
// It does not touch the network: Start does.
func Open(opts Options) (*Node, error) {
	if opts.DataDir == "" {
		dir, err := DefaultDataDir()
		if err != nil {
			return nil, err
		}
		opts.DataDir = dir
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	id, created, err := loadOrCreateIdentity(opts.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		opts.Logger.Info("created a new identity", "peer_id", id.Author(), "dir", opts.DataDir)
	}
	st, err := storage.Open(filepath.Join(opts.DataDir, storeFile))
	if err != nil {
		return nil, fmt.Errorf("open store in %s: %w", opts.DataDir, err)
	}
	return &Node{
		opts: opts, log: opts.Logger, id: id, store: st,
		bus: newBus(), stats: newRejections(), cover: newCoverage(), interest: newInterest(opts.AlwaysOn), poke: make(chan struct{}, 1),
		mailPoke: make(chan struct{}, 1),
	}, nil
}

// now is the node's clock (Options.Now).
func (n *Node) now() time.Time {
	if n.opts.Now != nil {
		return n.opts.Now()
	}
	return time.Now()
}

// DataDir is the node's data dir.
func (n *Node) DataDir() string { return n.opts.DataDir }

// Self is the user's peer ID.
func (n *Node) Self() string { return n.id.Author() }

// Subscribe returns a channel of change events and a function that ends it.
func (n *Node) Subscribe() (<-chan Event, func()) { return n.bus.Subscribe() }

// Start joins the network: it starts the peer, follows the cells the store
// holds, publishes what is waiting in the outbox and keeps doing so for posts
// made by other processes on the same data dir. It refuses to start when
// another node already runs on the data dir.
func (n *Node) Start(ctx context.Context) error {
	if n.running() != nil {
		return errors.New("node already started")
	}
	if st, err := n.runtimeState(ctx); err == nil && st.Running && st.PID != os.Getpid() && processAlive(st.PID) {
		return fmt.Errorf("a node (pid %d) is already running on %s; stop it first or use another --data dir", st.PID, n.opts.DataDir)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	events := make(chan p2p.Event, 256)
	peer, err := p2p.New(runCtx, p2p.Config{
		Key:          n.id.PrivKey(),
		ListenAddrs:  n.opts.Listen,
		Peers:        n.opts.Peers,
		MDNS:         n.opts.MDNS,
		NoDHT:        n.opts.NoDHT,
		Bootstrap:    n.opts.Bootstrap,
		DHTMode:      dhtMode(n.opts.AlwaysOn),
		DHTPrefix:    dhtPrefix(n.opts.PrivateDHT),
		RelayService: n.opts.Relay,
		NoPortMap:    n.opts.NoPortMap,
		Logger:       n.log,
		OnEvent: func(e p2p.Event) {
			select {
			case events <- e:
			case <-runCtx.Done():
			}
		},
	}, sink{n})
	if err != nil {
		cancel()
		return fmt.Errorf("start peer: %w", err)
	}
	mail, err := n.startMailbox(peer)
	if err != nil {
		cancel()
		return errors.Join(err, peer.Close())
	}
	n.mu.Lock()
	n.peer, n.cancel = peer, cancel
	n.mu.Unlock()
	if n.opts.AlwaysOn {
		// An always-on node keeps every area it holds records of.
		cells, err := n.store.Cells(ctx)
		if err != nil {
			n.log.Warn("list stored cells", "err", err)
		}
		for _, c := range cells {
			n.joinCell(c)
		}
	}
	n.log.Info("node started", "peer_id", n.Self(), "addrs", peer.Addrs())
	n.spawn(runCtx, func(ctx context.Context) { n.eventLoop(ctx, events) })
	n.spawn(runCtx, n.publishLoop)
	n.spawn(runCtx, n.stateLoop)
	n.spawn(runCtx, n.maintainLoop)
	n.spawn(runCtx, n.interestLoop)
	n.spawn(runCtx, n.blobLoop)
	n.spawn(runCtx, func(ctx context.Context) { n.mailboxLoop(ctx, mail) })
	n.spawn(runCtx, n.reviewLoop)
	return nil
}

func (n *Node) spawn(ctx context.Context, f func(context.Context)) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f(ctx)
	}()
}

// Close stops the network, if started, and closes the store. Everything
// acknowledged before is on disk.
func (n *Node) Close() error {
	n.mu.Lock()
	peer, cancel := n.peer, n.cancel
	n.peer = nil
	n.mu.Unlock()
	var errs []error
	if peer != nil {
		cancel()
		n.wg.Wait()
		errs = append(errs, peer.Close())
		// Say at once that no node runs here any more.
		errs = append(errs, n.store.PutState(context.Background(), stateKey, nil))
	}
	errs = append(errs, n.store.Close())
	return errors.Join(errs...)
}

// running returns the started peer, or nil.
func (n *Node) running() *p2p.Peer {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.peer
}

// joinCell subscribes the running peer to a cell.
func (n *Node) joinCell(cell string) {
	p := n.running()
	if p == nil {
		return
	}
	if err := p.JoinCell(cell); err != nil {
		n.log.Warn("join cell", "cell", cell, "err", err)
	}
}

// eventLoop reacts to the network: the cells peers follow feed the node's
// interest (interest.go), connections and catch-up the screens.
func (n *Node) eventLoop(ctx context.Context, events <-chan p2p.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-events:
			switch e.Kind {
			case p2p.PeerCells:
				n.interest.setAnnounced(e.Peer.String(), e.Cells)
			case p2p.PeerConnected:
				n.bus.emit(Event{Kind: PeersChanged})
			case p2p.PeerDisconnected:
				n.interest.setAnnounced(e.Peer.String(), nil)
				n.bus.emit(Event{Kind: PeersChanged})
			case p2p.SyncProgress:
				n.cover.note(e, time.Now())
				n.bus.emit(Event{Kind: SyncChanged})
			}
		}
	}
}

// dhtMode is client for the desktop app and automatic (server when publicly
// reachable) for the always-on node.
func dhtMode(alwaysOn bool) p2p.DHTMode {
	if alwaysOn {
		return p2p.DHTAuto
	}
	return p2p.DHTClient
}

func dhtPrefix(private bool) string {
	if private {
		return p2p.PrivateDHTPrefix
	}
	return ""
}
