package blob

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"
)

// Store is where a Server finds the blobs it serves.
type Store interface {
	// Get returns the blob with the given hash (lowercase hex), or an error
	// that wraps ErrNotFound.
	Get(ctx context.Context, hash string) ([]byte, error)
}

// Limits bound what one peer can ask of a Server. Zero fields take the
// defaults (DefaultLimits).
type Limits struct {
	// RequestRate and RequestBurst: requests a peer may make, per second and at once.
	RequestRate  rate.Limit
	RequestBurst int
	// ByteRate and ByteBurst: bytes of blobs sent to a peer, per second and
	// at once. ByteBurst is at least MaxSize, or no blob could be sent.
	ByteRate  rate.Limit
	ByteBurst int
	// Streams is how many requests, from all peers, are answered at once;
	// PeerStreams how many of them may be one peer's.
	Streams     int
	PeerStreams int
	// Timeout bounds one request, from its first byte to the answer's last.
	Timeout time.Duration
}

// DefaultLimits let an honest peer load a listing's 20 photos at once and
// then a few photos a second, while a greedy one gets at most 2 MiB/s
// after the first 24 MiB.
var DefaultLimits = Limits{
	RequestRate: 8, RequestBurst: 40,
	ByteRate: 2 << 20, ByteBurst: 24 << 20,
	Streams: 8, PeerStreams: 2, Timeout: 30 * time.Second,
}

// requestTimeout bounds the wait for a request's 32 bytes, so a peer that
// opens streams and sends nothing holds a slot only briefly.
const requestTimeout = 5 * time.Second

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.RequestRate > 0 {
		d.RequestRate = l.RequestRate
	}
	if l.RequestBurst > 0 {
		d.RequestBurst = l.RequestBurst
	}
	if l.ByteRate > 0 {
		d.ByteRate = l.ByteRate
	}
	if l.ByteBurst > 0 {
		d.ByteBurst = l.ByteBurst
	}
	if l.Streams > 0 {
		d.Streams = l.Streams
	}
	if l.PeerStreams > 0 {
		d.PeerStreams = l.PeerStreams
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	return d
}

// Server answers blob requests from a Store on a libp2p host.
type Server struct {
	h      host.Host
	store  Store
	log    *slog.Logger
	lim    Limits
	reqs   *limiters
	bytes  *limiters
	slots  chan struct{}
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	busy   map[peer.ID]int // streams being answered, per peer
	wg     sync.WaitGroup
}

// Serve answers blob requests on h from store until Close.
func Serve(h host.Host, store Store, lim Limits, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lim = lim.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		h: h, store: store, log: log, lim: lim,
		reqs:  newLimiters(lim.RequestRate, lim.RequestBurst),
		bytes: newLimiters(lim.ByteRate, max(lim.ByteBurst, MaxSize)),
		slots: make(chan struct{}, lim.Streams),
		ctx:   ctx, cancel: cancel,
		busy: map[peer.ID]int{},
	}
	h.SetStreamHandler(Protocol, s.handle)
	return s
}

// Close stops answering and waits for the answers under way.
func (s *Server) Close() {
	s.h.RemoveStreamHandler(Protocol)
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// enter counts a handler in, unless the server is closed.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// take counts a stream of a peer in, unless the peer has its share.
func (s *Server) take(id peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[id] >= s.lim.PeerStreams {
		return false
	}
	s.busy[id]++
	return true
}

// release counts a stream of a peer out.
func (s *Server) release(id peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[id]--; s.busy[id] <= 0 {
		delete(s.busy, id)
	}
}

func (s *Server) handle(st network.Stream) {
	if !s.enter() {
		st.Reset()
		return
	}
	defer s.wg.Done()
	remote := st.Conn().RemotePeer()
	_ = st.SetDeadline(time.Now().Add(requestTimeout))
	if !s.reqs.allowN(remote, 1) {
		s.decline(st, "rate limited")
		return
	}
	if !s.take(remote) {
		s.decline(st, "busy")
		return
	}
	defer s.release(remote)
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		s.decline(st, "busy")
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.lim.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { st.Reset() })
	defer stop()

	var req [32]byte
	if _, err := io.ReadFull(st, req[:]); err != nil {
		st.Reset()
		return
	}
	_ = st.SetDeadline(time.Now().Add(s.lim.Timeout))
	hash := hex.EncodeToString(req[:])
	data, err := s.store.Get(ctx, hash)
	switch {
	case errors.Is(err, ErrNotFound):
		s.answer(st, []byte{answerNotFound})
		return
	case err != nil:
		s.log.Warn("blob: read a blob to serve", "hash", hash, "err", err)
		s.answer(st, []byte{answerNotFound})
		return
	case len(data) > MaxSize:
		s.log.Warn("blob: a stored blob is over the size limit; not serving it", "hash", hash, "size", len(data))
		s.answer(st, []byte{answerNotFound})
		return
	}
	if !s.bytes.allowN(remote, len(data)) {
		s.decline(st, "rate limited")
		return
	}
	hdr := binary.AppendUvarint([]byte{answerData}, uint64(len(data)))
	if _, err := st.Write(hdr); err != nil {
		st.Reset()
		return
	}
	s.answer(st, data)
	s.log.Debug("blob: served", "hash", hash, "peer", remote, "size", len(data))
}

// answer writes b and closes the stream.
func (s *Server) answer(st network.Stream, b []byte) {
	if _, err := st.Write(b); err != nil {
		st.Reset()
		return
	}
	_ = st.Close()
}

// decline answers with a reason.
func (s *Server) decline(st network.Stream, reason string) {
	b := binary.AppendUvarint([]byte{answerError}, uint64(len(reason)))
	s.answer(st, append(b, reason...))
}
