package blob

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// memStore is a Store in memory. It serves whatever it holds under a hash,
// so a test can plant wrong bytes.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemStore(blobs ...[]byte) *memStore {
	s := &memStore{m: map[string][]byte{}}
	for _, b := range blobs {
		s.m[Hash(b)] = b
	}
	return s
}

func (s *memStore) Get(_ context.Context, hash string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[hash]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", hash, ErrNotFound)
	}
	return b, nil
}

func newHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableMetrics())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// connect connects a to b and waits until a knows b speaks the protocol.
func connect(t *testing.T, a, b host.Host) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		t.Fatal(err)
	}
	for {
		if ok, _ := a.Peerstore().SupportsProtocols(b.ID(), Protocol); len(ok) > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never learnt that %s speaks %s", a.ID(), b.ID(), Protocol)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func serve(t *testing.T, h host.Host, s Store, lim Limits) {
	t.Helper()
	srv := Serve(h, s, lim, nil)
	t.Cleanup(srv.Close)
}

func photo(seed byte, size int) []byte {
	return bytes.Repeat([]byte{seed, seed ^ 0x5a, 7}, size/3+1)[:size]
}

func TestGetFromOnePeer(t *testing.T) {
	ctx := context.Background()
	good := photo(1, 300<<10)
	wrong := photo(2, 1000)
	srv, cli := newHost(t), newHost(t)
	store := newMemStore(good)
	liedAbout := Hash(photo(3, 1000))
	store.m[liedAbout] = wrong // served under another blob's hash
	serve(t, srv, store, Limits{})
	connect(t, cli, srv)
	f := NewFetcher(cli, nil)

	got, err := f.Get(ctx, srv.ID(), Hash(good))
	if err != nil || !bytes.Equal(got, good) {
		t.Fatalf("Get = %d bytes, %v; want the %d bytes served", len(got), err, len(good))
	}
	for _, c := range []struct {
		name, hash string
		want       error
	}{
		{"missing", Hash(photo(9, 10)), ErrNotFound},
		{"wrong bytes", liedAbout, ErrMismatch},
	} {
		if _, err := f.Get(ctx, srv.ID(), c.hash); !errors.Is(err, c.want) {
			t.Errorf("%s: Get error %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := f.Get(ctx, srv.ID(), "ABC"); err == nil {
		t.Error("Get of a malformed hash: no error")
	}
}

// TestFetchCatchesWrongBytes: the author serves wrong bytes; the fetch
// rejects them and takes the blob from another peer.
func TestFetchCatchesWrongBytes(t *testing.T) {
	good := photo(4, 50<<10)
	hash := Hash(good)
	liar, honest, cli := newHost(t), newHost(t), newHost(t)
	bad := newMemStore()
	bad.m[hash] = photo(5, 50<<10)
	serve(t, liar, bad, Limits{})
	serve(t, honest, newMemStore(good), Limits{})
	connect(t, cli, liar)
	connect(t, cli, honest)
	f := NewFetcher(cli, nil)

	if _, err := f.Get(context.Background(), liar.ID(), hash); !errors.Is(err, ErrMismatch) {
		t.Fatalf("Get from the liar: %v, want ErrMismatch", err)
	}
	got, err := f.Fetch(context.Background(), hash, liar.ID())
	if err != nil || !bytes.Equal(got, good) {
		t.Fatalf("Fetch (liar is the author) = %d bytes, %v; want the honest peer's blob", len(got), err)
	}
	if _, err := f.Fetch(context.Background(), Hash(photo(6, 10)), ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Fetch of a blob nobody has: %v, want ErrNotFound", err)
	}
}

// TestOversizeAnswerIsCutOff: a peer that offers more than MaxSize is cut
// off after the size, before any of the data.
func TestOversizeAnswerIsCutOff(t *testing.T) {
	srv, cli := newHost(t), newHost(t)
	const offered = MaxSize + 1<<20
	wrote := make(chan error, 1)
	srv.SetStreamHandler(Protocol, func(st network.Stream) {
		var req [32]byte
		if _, err := st.Read(req[:]); err != nil {
			wrote <- err
			return
		}
		st.Write(binary.AppendUvarint([]byte{answerData}, offered))
		_, err := st.Write(make([]byte, offered)) // blocks once the window is full, until the reset
		wrote <- err
		st.Reset()
	})
	connect(t, cli, srv)
	_, err := NewFetcher(cli, nil).Get(context.Background(), srv.ID(), Hash([]byte("x")))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Get error %v, want ErrTooLarge", err)
	}
	select {
	case err := <-wrote:
		if err == nil {
			t.Error("the server wrote the whole oversize blob: the asker did not cut it off")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server's write never ended")
	}
}

// TestServerLimits: a peer over its request or byte budget is declined, and
// the server never serves a stored blob over MaxSize.
func TestServerLimits(t *testing.T) {
	ctx := context.Background()
	small := photo(7, 1000)
	huge := photo(8, MaxSize+1)
	for _, c := range []struct {
		name string
		lim  Limits
		ask  []string
		want []error // nil: served
	}{
		{"requests", Limits{RequestRate: 0.001, RequestBurst: 2}, []string{Hash(small), Hash(small), Hash(small)},
			[]error{nil, nil, ErrDeclined}},
		{"bytes", Limits{ByteRate: 1, ByteBurst: MaxSize}, []string{Hash(photo(9, 2<<20)), Hash(small)},
			[]error{nil, ErrDeclined}},
		{"oversize stored blob", Limits{}, []string{Hash(huge)}, []error{ErrNotFound}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, cli := newHost(t), newHost(t)
			serve(t, srv, newMemStore(small, huge, photo(9, 2<<20)), c.lim)
			connect(t, cli, srv)
			f := NewFetcher(cli, nil)
			for i, h := range c.ask {
				_, err := f.Get(ctx, srv.ID(), h)
				if (c.want[i] == nil) != (err == nil) || (err != nil && !errors.Is(err, c.want[i])) {
					t.Errorf("request %d: %v, want %v", i, err, c.want[i])
				}
			}
		})
	}
}

// TestPeerStreamsCap: a peer that opens streams and sends nothing holds at
// most PeerStreams of the server's slots; its next request is declined.
func TestPeerStreamsCap(t *testing.T) {
	ctx := context.Background()
	srv, cli := newHost(t), newHost(t)
	small := photo(1, 100)
	s := Serve(srv, newMemStore(small), Limits{PeerStreams: 2}, nil)
	t.Cleanup(s.Close)
	connect(t, cli, srv)
	for range 2 {
		st, err := cli.NewStream(ctx, srv.ID(), Protocol)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Reset()
		if _, err := st.Write([]byte{0}); err != nil { // 1 byte of 32: the server waits for more
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		held := s.busy[cli.ID()]
		s.mu.Unlock()
		if held == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d streams of the peer, want 2", held)
		}
		time.Sleep(10 * time.Millisecond)
	}
	f := NewFetcher(cli, nil)
	if _, err := f.Get(ctx, srv.ID(), Hash(small)); !errors.Is(err, ErrDeclined) {
		t.Fatalf("third request: %v, want ErrDeclined (busy)", err)
	}
	other := newHost(t)
	connect(t, other, srv)
	if got, err := NewFetcher(other, nil).Get(ctx, srv.ID(), Hash(small)); err != nil || !bytes.Equal(got, small) {
		t.Fatalf("another peer's request: %v, want it served", err)
	}
}
