// Package mailbox carries sealed private messages between peers (DESIGN §4):
// straight to the recipient over a direct stream when it is connected, or
// through the mailbox topics, where the peers that see a message keep it
// (opaque to them) for its lifetime and hand it over when the recipient
// connects to them.
//
// The mailbox topics are caravan/1/mailbox/<n>, n = Shard(recipient): the
// first byte of SHA-256 of the recipient's peer ID, modulo Shards. A peer
// subscribes to its own shard, so it receives its messages while online and
// keeps its neighbours' for them; an always-on node subscribes to every shard.
//
// The direct protocol (Protocol) is a stream of sealed messages, each a
// uvarint length and the message's wire form, each answered by one Verdict
// byte. It serves both a sender delivering its own message and a holder
// handing over what it kept: a holder pushes to a peer as soon as the peer
// is identified as speaking the protocol (so a handler registered late is
// still found), drops what the recipient acknowledged, and keeps what it did
// not take for the next connection.
//
// The package knows domain and p2p's scoring only: it works on a libp2p host
// and GossipSub router that it is given, keeps held messages through Store and
// hands the messages addressed to this peer to an Inbox.
package mailbox

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"
	"golang.org/x/time/rate"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p"
)

// Names shared with other implementations.
const (
	// Protocol is the direct protocol: sealed messages on a stream, each acknowledged.
	Protocol = "/caravan/mailbox/1"
	// TopicPrefix is prepended to a shard number to name its topic.
	TopicPrefix = "caravan/1/mailbox/"
	// Shards is the number of mailbox topics.
	Shards = 16
)

// Limits and timings.
const (
	// handOverBatch is the most held messages read from the store at once.
	handOverBatch = 64
	// maxPerStream is the most messages a peer may send on one stream.
	maxPerStream = 256
	// streamTimeout bounds one message's exchange on a stream.
	streamTimeout = 15 * time.Second
	// validatorTimeout bounds one gossip message's trip through the store.
	validatorTimeout = 10 * time.Second
	// msgRate and msgBurst limit the messages a peer may hand us, by stream
	// and by gossip together; over it, stream messages are answered Later and
	// gossip ones ignored.
	msgRate  = rate.Limit(5)
	msgBurst = 200
)

// Shard is the mailbox shard of a peer ID.
func Shard(peerID string) int {
	sum := sha256.Sum256([]byte(peerID))
	return int(sum[0] % Shards)
}

// TopicName is the topic of a shard: caravan/1/mailbox/<n>.
func TopicName(shard int) string { return TopicPrefix + strconv.Itoa(shard) }

// Store keeps the sealed messages this peer carries for others. storage.Store
// implements it. Its methods are called from many goroutines.
type Store interface {
	// HoldSealed keeps a message for its recipient; false when it was
	// already held, has expired or a limit is reached.
	HoldSealed(ctx context.Context, m domain.Sealed, now time.Time) (bool, error)
	// HeldSealed lists up to limit unexpired messages held for a recipient,
	// oldest first.
	HeldSealed(ctx context.Context, recipient string, limit int) ([]domain.Sealed, error)
	// ReleaseSealed drops held messages by hash.
	ReleaseSealed(ctx context.Context, hashes ...[32]byte) error
}

// Verdict is a recipient's answer to one sealed message.
type Verdict byte

// The verdicts, as sent on the wire.
const (
	// Accepted: opened and kept.
	Accepted Verdict = 'A'
	// Duplicate: already had it.
	Duplicate Verdict = 'D'
	// Rejected: invalid, not for this peer, or cannot be opened: never offer it again.
	Rejected Verdict = 'R'
	// Later: not taken now (rate limited, or a passing fault): offer it again later.
	Later Verdict = 'L'
)

// Final reports whether the verdict settles the message: the recipient has
// it or will never take it, so a holder drops its copy.
func (v Verdict) Final() bool { return v == Accepted || v == Duplicate || v == Rejected }

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Accepted:
		return "accepted"
	case Duplicate:
		return "duplicate"
	case Rejected:
		return "rejected"
	case Later:
		return "later"
	}
	return fmt.Sprintf("verdict(%d)", byte(v))
}

// Inbox opens and keeps a sealed message addressed to this peer, received
// from peer from, and says what it made of it.
type Inbox func(ctx context.Context, from peer.ID, m domain.Sealed) Verdict

// Config configures a Service.
type Config struct {
	// Host and PubSub are the running peer's (p2p.Peer's Host and PubSub). Required.
	Host   host.Host
	PubSub *pubsub.PubSub
	// Store keeps what this peer carries for others. Required.
	Store Store
	// Inbox receives the messages addressed to this peer. Required.
	Inbox Inbox
	// AllShards subscribes to every mailbox topic, to keep everyone's
	// messages: for the always-on node. Otherwise only this peer's shard.
	AllShards bool
	// OnHandedOver, when set, is told each message this peer handed over
	// from its store and the recipient's final verdict: the app marks its
	// own outgoing messages delivered with it.
	OnHandedOver func(hash [32]byte, v Verdict)
	// Logger receives the service's logs; slog.Default() when nil.
	Logger *slog.Logger
}

// Service runs the mailbox protocols on a peer.
type Service struct {
	cfg    Config
	h      host.Host
	self   string
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	topics [Shards]*pubsub.Topic
	subs   []*pubsub.Subscription
	events event.Subscription

	mu       sync.Mutex
	closed   bool
	inflight map[peer.ID]bool // a hand-over to the peer is running
	again    map[peer.ID]bool // run it again when it ends
	limits   map[peer.ID]*rate.Limiter
	limit    rate.Limit // msgRate; tests lower it
	burst    int        // msgBurst
}

// New starts the mailbox on a running peer: it registers the direct
// protocol, joins every mailbox topic (subscribing to this peer's shard, or
// to all) and hands held messages over to the peers that connect.
func New(cfg Config) (*Service, error) {
	if cfg.Host == nil || cfg.PubSub == nil || cfg.Store == nil || cfg.Inbox == nil {
		return nil, errors.New("mailbox: Host, PubSub, Store and Inbox are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		cfg: cfg, h: cfg.Host, self: cfg.Host.ID().String(), log: cfg.Logger.With("component", "mailbox"),
		ctx: ctx, cancel: cancel,
		inflight: map[peer.ID]bool{}, again: map[peer.ID]bool{}, limits: map[peer.ID]*rate.Limiter{},
		limit: msgRate, burst: msgBurst,
	}
	events, err := s.h.EventBus().Subscribe([]any{
		new(event.EvtPeerIdentificationCompleted),
		new(event.EvtPeerProtocolsUpdated),
		new(event.EvtPeerConnectednessChanged),
	}, eventbus.BufSize(256))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("mailbox: subscribe to host events: %w", err)
	}
	s.events = events
	own := Shard(s.self)
	for n := range Shards {
		t, err := s.join(n)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.topics[n] = t
		if !cfg.AllShards && n != own {
			continue
		}
		sub, err := t.Subscribe()
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("mailbox: subscribe to %s: %w", TopicName(n), err)
		}
		s.subs = append(s.subs, sub)
		s.goTracked(func() { drain(ctx, sub) })
	}
	s.h.SetStreamHandler(Protocol, s.handleStream)
	s.goTracked(s.watch)
	// Peers connected before we started are handed their messages too.
	for _, id := range s.h.Network().Peers() {
		s.handOverLater(id)
	}
	return s, nil
}

// join joins a shard's topic with its validator and score parameters.
func (s *Service) join(n int) (*pubsub.Topic, error) {
	name := TopicName(n)
	if err := s.cfg.PubSub.RegisterTopicValidator(name, s.validator(n), pubsub.WithValidatorTimeout(validatorTimeout)); err != nil {
		return nil, fmt.Errorf("mailbox: validator for %s: %w", name, err)
	}
	t, err := s.cfg.PubSub.Join(name)
	if err != nil {
		_ = s.cfg.PubSub.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("mailbox: join %s: %w", name, err)
	}
	if err := t.SetScoreParams(p2p.TopicScoreParams()); err != nil {
		_ = t.Close()
		_ = s.cfg.PubSub.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("mailbox: score parameters of %s: %w", name, err)
	}
	return t, nil
}

func drain(ctx context.Context, sub *pubsub.Subscription) {
	for {
		if _, err := sub.Next(ctx); err != nil {
			return
		}
	}
}

// goTracked runs fn on a goroutine Close waits for, unless closing.
func (s *Service) goTracked(fn func()) bool {
	if !s.enter() {
		return false
	}
	go func() {
		defer s.wg.Done()
		fn()
	}()
	return true
}

// enter registers work Close waits for, unless closing; the caller calls s.wg.Done.
func (s *Service) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// Close stops the service: it leaves the topics, removes the protocol
// handler and waits for its goroutines. Close it before the host.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.h.RemoveStreamHandler(Protocol)
	s.cancel()
	for _, sub := range s.subs {
		sub.Cancel()
	}
	if s.events != nil {
		_ = s.events.Close()
	}
	s.wg.Wait()
	var errs []error
	for n, t := range s.topics {
		if t == nil {
			continue
		}
		if err := t.Close(); err != nil {
			errs = append(errs, fmt.Errorf("mailbox: close %s: %w", TopicName(n), err))
		}
		if err := s.cfg.PubSub.UnregisterTopicValidator(TopicName(n)); err != nil {
			errs = append(errs, fmt.Errorf("mailbox: validator of %s: %w", TopicName(n), err))
		}
	}
	return errors.Join(errs...)
}

// ErrClosed is returned by a closed Service.
var ErrClosed = errors.New("mailbox: closed")

// Connected reports whether this peer has a connection to id.
func (s *Service) Connected(id peer.ID) bool {
	return s.h.Network().Connectedness(id) == network.Connected
}

// Reachable reports whether this peer is connected to id or knows an
// address to dial it at.
func (s *Service) Reachable(id peer.ID) bool {
	return s.Connected(id) || len(s.h.Peerstore().Addrs(id)) > 0
}

// Deliver sends a sealed message straight to its recipient over the direct
// protocol, dialling it if the host knows an address, and returns its verdict.
func (s *Service) Deliver(ctx context.Context, m domain.Sealed) (Verdict, error) {
	to, err := peer.Decode(m.To)
	if err != nil {
		return 0, fmt.Errorf("mailbox: deliver to %q: %w", m.To, err)
	}
	vs, err := s.send(ctx, to, []domain.Sealed{m})
	if err != nil {
		return 0, err
	}
	return vs[0], nil
}

// Publish keeps a copy of a sealed message, to hand it over when its
// recipient connects here, and publishes it on the recipient's shard topic
// to the peers subscribed there, who keep it too. It returns how many such
// peers this peer knows; with none, nothing is published (the copy stays).
func (s *Service) Publish(ctx context.Context, m domain.Sealed) (int, error) {
	if err := domain.CheckSealed(&m, time.Now()); err != nil {
		return 0, fmt.Errorf("mailbox: publish: %w", err)
	}
	data, err := m.Encode()
	if err != nil {
		return 0, fmt.Errorf("mailbox: publish: %w", err)
	}
	if _, err := s.cfg.Store.HoldSealed(ctx, m, time.Now()); err != nil {
		return 0, fmt.Errorf("mailbox: keep a copy: %w", err)
	}
	t := s.topics[Shard(m.To)]
	if t == nil {
		return 0, ErrClosed
	}
	peers := t.ListPeers()
	if len(peers) == 0 {
		return 0, nil
	}
	if err := t.Publish(ctx, data); err != nil {
		return 0, fmt.Errorf("mailbox: publish on %s: %w", TopicName(Shard(m.To)), err)
	}
	return len(peers), nil
}

// allow takes a token of a peer's message bucket.
func (s *Service) allow(id peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	lim := s.limits[id]
	if lim == nil {
		lim = rate.NewLimiter(s.limit, s.burst)
		s.limits[id] = lim
	}
	return lim.Allow()
}

// forget drops a gone peer's bucket once it is full again.
func (s *Service) forget(id peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if lim := s.limits[id]; lim != nil && lim.Tokens() >= float64(s.burst) {
		delete(s.limits, id)
	}
}

// validator is the topic validator of a shard: a well-formed, unexpired
// sealed message of that shard, not from a peer over its rate; then the
// recipient opens it, or a carrier keeps it.
func (s *Service) validator(shard int) pubsub.ValidatorEx {
	return func(ctx context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		if !s.enter() {
			return pubsub.ValidationIgnore
		}
		defer s.wg.Done()
		m, err := domain.DecodeSealed(msg.Data)
		if err == nil {
			err = domain.CheckSealed(&m, time.Now())
		}
		if err == nil && Shard(m.To) != shard {
			err = fmt.Errorf("sealed to %s, of shard %d, not %d", m.To, Shard(m.To), shard)
		}
		if err != nil {
			s.log.Debug("rejected a sealed message", "peer", from, "err", err)
			return pubsub.ValidationReject
		}
		if from == s.h.ID() {
			return pubsub.ValidationAccept // our own publication
		}
		if !s.allow(from) {
			s.log.Debug("sealed message over the peer's rate; ignored", "peer", from)
			return pubsub.ValidationIgnore
		}
		if m.To == s.self {
			switch s.cfg.Inbox(ctx, from, m) {
			case Accepted, Duplicate:
				return pubsub.ValidationAccept
			default:
				// Unreadable for us, but the forwarder could not know: ignore.
				return pubsub.ValidationIgnore
			}
		}
		kept, err := s.cfg.Store.HoldSealed(ctx, m, time.Now())
		if err != nil {
			s.log.Warn("keep a sealed message", "to", m.To, "err", err)
			return pubsub.ValidationIgnore
		}
		if !kept {
			return pubsub.ValidationIgnore
		}
		s.log.Debug("keeping a sealed message", "to", m.To, "from", from)
		if to, err := peer.Decode(m.To); err == nil && s.Connected(to) {
			// The recipient is here: hand it over now (it may have it by
			// gossip already, then the copy is dropped as a duplicate).
			s.handOverLater(to)
		}
		return pubsub.ValidationAccept
	}
}

// watch hands held messages over to peers as they are identified as
// speaking the direct protocol.
func (s *Service) watch() {
	for {
		var e any
		select {
		case <-s.ctx.Done():
			return
		case e = <-s.events.Out():
		}
		switch ev := e.(type) {
		case event.EvtPeerIdentificationCompleted:
			if slices.Contains(ev.Protocols, Protocol) {
				s.handOverLater(ev.Peer)
			}
		case event.EvtPeerProtocolsUpdated:
			if slices.Contains(ev.Added, Protocol) {
				s.handOverLater(ev.Peer)
			}
		case event.EvtPeerConnectednessChanged:
			if ev.Connectedness == network.NotConnected {
				s.forget(ev.Peer)
			}
		}
	}
}

// handOverLater starts a hand-over to a peer, or asks the running one to go
// round again once done.
func (s *Service) handOverLater(id peer.ID) {
	s.mu.Lock()
	if s.inflight[id] {
		s.again[id] = true
		s.mu.Unlock()
		return
	}
	s.inflight[id] = true
	s.mu.Unlock()
	started := s.goTracked(func() {
		for {
			s.handOver(id)
			s.mu.Lock()
			if !s.again[id] || s.closed {
				delete(s.inflight, id)
				delete(s.again, id)
				s.mu.Unlock()
				return
			}
			delete(s.again, id)
			s.mu.Unlock()
		}
	})
	if !started {
		s.mu.Lock()
		delete(s.inflight, id)
		s.mu.Unlock()
	}
}

// handOver sends a peer the messages held for it, batch by batch, drops those
// it settled and reports them to OnHandedOver. What it answered Later, or did
// not answer, stays for the next connection.
func (s *Service) handOver(id peer.ID) {
	for s.ctx.Err() == nil {
		held, err := s.cfg.Store.HeldSealed(s.ctx, id.String(), handOverBatch)
		if err != nil {
			s.log.Warn("read held messages", "peer", id, "err", err)
			return
		}
		if len(held) == 0 {
			return
		}
		vs, err := s.send(s.ctx, id, held)
		var settled [][32]byte
		for i, v := range vs {
			if v.Final() {
				settled = append(settled, held[i].Hash())
			}
		}
		if len(settled) > 0 {
			if rerr := s.cfg.Store.ReleaseSealed(s.ctx, settled...); rerr != nil {
				s.log.Warn("release handed-over messages", "peer", id, "err", rerr)
				return
			}
			if s.cfg.OnHandedOver != nil {
				for i, v := range vs {
					if v.Final() {
						s.cfg.OnHandedOver(held[i].Hash(), v)
					}
				}
			}
		}
		s.log.Debug("handed over held messages", "peer", id, "offered", len(held), "settled", len(settled), "err", err)
		if err != nil || len(settled) < len(held) || len(held) < handOverBatch {
			return
		}
	}
}

// send offers messages to a peer on one stream and returns the verdicts it
// got, in order: fewer than the messages when the exchange broke off, with
// the error.
func (s *Service) send(ctx context.Context, id peer.ID, ms []domain.Sealed) ([]Verdict, error) {
	if len(ms) > maxPerStream {
		ms = ms[:maxPerStream]
	}
	st, err := s.h.NewStream(network.WithAllowLimitedConn(ctx, "mailbox"), id, protocol.ID(Protocol))
	if err != nil {
		return nil, fmt.Errorf("mailbox: open stream to %s: %w", id, err)
	}
	defer st.Close()
	w := bufio.NewWriter(st)
	r := bufio.NewReader(st)
	vs := make([]Verdict, 0, len(ms))
	for _, m := range ms {
		data, err := m.Encode()
		if err != nil {
			st.Reset()
			return vs, fmt.Errorf("mailbox: send to %s: %w", id, err)
		}
		_ = st.SetDeadline(time.Now().Add(streamTimeout))
		var hdr [binary.MaxVarintLen64]byte
		w.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(data)))])
		w.Write(data)
		if err := w.Flush(); err != nil {
			st.Reset()
			return vs, fmt.Errorf("mailbox: send to %s: %w", id, err)
		}
		b, err := r.ReadByte()
		if err != nil {
			st.Reset()
			return vs, fmt.Errorf("mailbox: answer from %s: %w", id, err)
		}
		v := Verdict(b)
		if !v.Final() && v != Later {
			st.Reset()
			return vs, fmt.Errorf("mailbox: answer from %s: unknown verdict %q", id, b)
		}
		vs = append(vs, v)
	}
	_ = st.CloseWrite()
	return vs, nil
}

// handleStream answers a peer's messages one by one: those addressed to this
// peer go to the Inbox, any other is rejected.
func (s *Service) handleStream(st network.Stream) {
	if !s.enter() {
		st.Reset()
		return
	}
	defer s.wg.Done()
	from := st.Conn().RemotePeer()
	r := bufio.NewReader(st)
	for range maxPerStream {
		_ = st.SetDeadline(time.Now().Add(streamTimeout))
		data, err := readFrame(r)
		if errors.Is(err, io.EOF) {
			_ = st.Close()
			return
		}
		if err != nil {
			s.log.Debug("mailbox stream unreadable", "peer", from, "err", err)
			st.Reset()
			return
		}
		v := s.receive(from, data)
		if _, err := st.Write([]byte{byte(v)}); err != nil {
			st.Reset()
			return
		}
	}
	_ = st.Close()
}

// receive judges one message from a stream.
func (s *Service) receive(from peer.ID, data []byte) Verdict {
	m, err := domain.DecodeSealed(data)
	if err == nil {
		err = domain.CheckSealed(&m, time.Now())
	}
	if err == nil && m.To != s.self {
		err = fmt.Errorf("sealed to %s, not to this peer", m.To)
	}
	if err != nil {
		s.log.Debug("refused a direct message", "peer", from, "err", err)
		return Rejected
	}
	if !s.allow(from) {
		return Later
	}
	ctx, cancel := context.WithTimeout(s.ctx, validatorTimeout)
	defer cancel()
	return s.cfg.Inbox(ctx, from, m)
}

// readFrame reads a uvarint length and that many bytes, at most a sealed
// message's wire size.
func readFrame(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("read frame: %w", err)
	}
	if n == 0 || n > domain.MaxSealedSize {
		return nil, fmt.Errorf("read frame: %d bytes, limit %d", n, domain.MaxSealedSize)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("read frame: %w", err)
	}
	return buf, nil
}
