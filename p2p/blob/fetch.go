package blob

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Fetching limits.
const (
	// PeerTimeout bounds one request to one peer.
	PeerTimeout = 10 * time.Second
	// authorHeadStart is how long the author is asked alone before others
	// are asked too.
	authorHeadStart = 2 * time.Second
	// parallel is how many peers are asked at once.
	parallel = 3
	// maxAsked is how many peers one fetch asks at most.
	maxAsked = 16
)

// Fetcher gets blobs from the peers a host is connected to.
type Fetcher struct {
	h   host.Host
	log *slog.Logger
}

// NewFetcher fetches blobs over h; log hears of peers that send bad blobs.
func NewFetcher(h host.Host, log *slog.Logger) *Fetcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Fetcher{h: h, log: log}
}

// Fetch gets a blob from the connected peers: the author first when
// connected (alone for a head start), then the other peers that speak the
// protocol, a few at a time, each within PeerTimeout. The first blob that
// is within MaxSize and matches the hash wins. author may be empty.
func (f *Fetcher) Fetch(ctx context.Context, hash string, author peer.ID) ([]byte, error) {
	if _, err := ParseHash(hash); err != nil {
		return nil, err
	}
	cands, authorFirst := f.candidates(author)
	if len(cands) == 0 {
		return nil, fmt.Errorf("fetch blob %s: no connected peer to ask: %w", hash, ErrNotFound)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		p    peer.ID
		data []byte
		err  error
	}
	results := make(chan result, len(cands))
	next, running := 0, 0
	start := func() {
		p := cands[next]
		next++
		running++
		go func() {
			data, err := f.Get(ctx, p, hash)
			results <- result{p, data, err}
		}()
	}
	fill := func() {
		for running < parallel && next < len(cands) {
			start()
		}
	}
	var headStart <-chan time.Time
	if authorFirst {
		start()
		t := time.NewTimer(authorHeadStart)
		defer t.Stop()
		headStart = t.C
	} else {
		fill()
	}
	var errs []error
	for running > 0 {
		select {
		case <-headStart:
			headStart = nil
			fill()
		case r := <-results:
			running--
			if r.err == nil {
				return r.data, nil
			}
			if errors.Is(r.err, ErrMismatch) || errors.Is(r.err, ErrTooLarge) {
				f.log.Warn("blob: a peer sent a bad blob", "peer", r.p, "hash", hash, "err", r.err)
			}
			errs = append(errs, r.err)
			headStart = nil
			fill()
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetch blob %s: %w", hash, err)
	}
	return nil, fmt.Errorf("fetch blob %s: asked %d peers: %w", hash, len(cands), errors.Join(errs...))
}

// candidates lists the peers to ask: the author first when connected, then
// the other connected peers known to speak the protocol, in random order.
func (f *Fetcher) candidates(author peer.ID) ([]peer.ID, bool) {
	var out []peer.ID
	authorFirst := author != "" && author != f.h.ID() && f.h.Network().Connectedness(author) == network.Connected
	if authorFirst {
		out = append(out, author)
	}
	others := f.h.Network().Peers()
	rand.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	for _, p := range others {
		if len(out) == maxAsked {
			break
		}
		if p == author {
			continue
		}
		if ok, err := f.h.Peerstore().SupportsProtocols(p, Protocol); err == nil && len(ok) > 0 {
			out = append(out, p)
		}
	}
	return out, authorFirst
}

// Get asks one peer for a blob, within PeerTimeout. It reads nothing of a
// blob over MaxSize and returns ErrTooLarge; bytes that do not hash to hash
// return ErrMismatch.
func (f *Fetcher) Get(ctx context.Context, p peer.ID, hash string) (data []byte, err error) {
	want, err := ParseHash(hash)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, PeerTimeout)
	defer cancel()
	st, err := f.h.NewStream(ctx, p, Protocol)
	if err != nil {
		return nil, fmt.Errorf("ask %s for blob %s: %w", p, hash, err)
	}
	defer func() {
		if err != nil {
			st.Reset()
		} else {
			_ = st.Close()
		}
	}()
	stop := context.AfterFunc(ctx, func() { st.Reset() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = st.SetDeadline(dl)
	}
	if data, err = get(st, want); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, fmt.Errorf("ask %s for blob %s: %w", p, hash, err)
	}
	return data, nil
}

// get sends the request and reads the answer.
func get(st network.Stream, want [32]byte) ([]byte, error) {
	if _, err := st.Write(want[:]); err != nil {
		return nil, fmt.Errorf("send request: %w", err)
	}
	if err := st.CloseWrite(); err != nil {
		return nil, fmt.Errorf("send request: %w", err)
	}
	r := bufio.NewReaderSize(st, 4096)
	kind, err := r.ReadByte()
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	switch kind {
	case answerNotFound:
		return nil, ErrNotFound
	case answerError:
		n, err := binary.ReadUvarint(r)
		if err != nil || n > maxReason {
			return nil, fmt.Errorf("%w: no readable reason", ErrDeclined)
		}
		reason := make([]byte, n)
		if _, err := io.ReadFull(r, reason); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrDeclined, err)
		}
		return nil, fmt.Errorf("%w: %s", ErrDeclined, bytes.ToValidUTF8(reason, []byte("?")))
	case answerData:
	default:
		return nil, fmt.Errorf("read answer: unknown answer %q", kind)
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, fmt.Errorf("read size: %w", err)
	}
	if n > MaxSize {
		return nil, fmt.Errorf("%w: offered %d bytes, limit %d", ErrTooLarge, n, MaxSize)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("read blob: %w", err)
	}
	if sha256.Sum256(data) != want {
		return nil, ErrMismatch
	}
	return data, nil
}
