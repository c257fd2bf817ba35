package p2p

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p/recon"
)

// liar answers sync sessions as a lying peer would: its reconciliation
// replies say whatever reply returns, and it answers requests for records
// with whatever records returns.
type liar struct {
	reply   func(round int, msg []byte) []byte
	records func(asked [][32]byte) []domain.Record
	rounds  atomic.Int64 // reconciliation rounds answered
	asked   atomic.Int64 // record requests answered
}

// serve is the liar's SyncProtocol handler. It follows the frames of the
// protocol and lies only in what they carry.
func (l *liar) serve(s network.Stream) {
	defer s.Close()
	w := newWire(s, maxSyncFrame)
	w.deadline(30 * time.Second)
	if typ, _, err := w.recv(); err != nil || typ != frameHello {
		s.Reset()
		return
	}
	if w.sendNow(frameOK, nil) != nil {
		return
	}
	for {
		typ, payload, err := w.recv()
		if err != nil {
			return
		}
		switch typ {
		case frameRecon:
			if w.sendNow(frameRecon, l.reply(int(l.rounds.Add(1)), payload)) != nil {
				return
			}
		case frameGet:
			l.asked.Add(1)
			var asked [][32]byte
			for b := payload; len(b) >= 32; b = b[32:] {
				asked = append(asked, [32]byte(b))
			}
			for _, r := range l.records(asked) {
				data, err := r.Encode()
				if err != nil || w.send(frameRecord, data) != nil {
					return
				}
			}
			if w.sendNow(frameEnd, nil) != nil {
				return
			}
		case frameRecord:
		case frameEnd:
			if w.sendNow(frameAck, []byte{0, 0, 0}) != nil {
				return
			}
		default: // frameDone, or anything else
			return
		}
	}
}

// Reconciliation messages, written by hand (recon's wire form).
const (
	boundInf        = 0xFF
	modeFingerprint = 1
	modeIDList      = 2
)

// wrongFingerprint claims the whole set has a fingerprint that never matches.
func wrongFingerprint() []byte {
	msg := []byte{recon.Version, boundInf, modeFingerprint}
	return append(msg, make([]byte, recon.FingerprintSize)...) // a fingerprint of zeros
}

// idList claims the whole set is exactly these hashes.
func idList(hashes [][32]byte) []byte {
	msg := binary.AppendUvarint([]byte{recon.Version, boundInf, modeIDList}, uint64(len(hashes)))
	for _, h := range hashes {
		msg = append(msg, h[:]...)
	}
	return msg
}

func randomHashes(n int) [][32]byte {
	out := make([][32]byte, n)
	for i := range out {
		_, _ = rand.Read(out[i][:])
	}
	return out
}

func hashesOf(recs []domain.Record) [][32]byte {
	out := make([][32]byte, len(recs))
	for i := range recs {
		out[i] = recs[i].Hash()
	}
	return out
}

// TestLyingReconciliation has an honest peer A catch up with peers that lie
// in reconciliation: fingerprints that never match, ranges out of order,
// records claimed but never sent, claimed records swapped for others, and
// claimed records that are forgeries. A stores nothing from them, ends each
// session (in error where the lie shows), counts the forgeries against the
// liar, and still catches up with an honest peer afterwards.
func TestLyingReconciliation(t *testing.T) {
	t.Parallel()
	author := newIdentity(t)
	mine := rooms(t, author, 100) // A's records, so A has ranges to compare
	honest := rooms(t, newIdentity(t), 30)

	forged := rooms(t, newIdentity(t), 80)
	for i := range forged {
		forged[i].Sig = slices.Clone(forged[i].Sig)
		forged[i].Sig[3] ^= 0x40
	}
	stranger := rooms(t, newIdentity(t), 1) // valid, but never claimed

	tests := []struct {
		name    string
		reply   func(round int, msg []byte) []byte
		records func(asked [][32]byte) []domain.Record
		wantErr bool
		// check runs on A after the session.
		check func(t *testing.T, a *testPeer, l *liar, m peer.ID)
	}{
		{
			name:    "fingerprints never match",
			reply:   func(int, []byte) []byte { return wrongFingerprint() },
			wantErr: true, // no agreement after maxRounds
			check: func(t *testing.T, a *testPeer, l *liar, _ peer.ID) {
				if n := l.rounds.Load(); n != maxRounds {
					t.Errorf("the liar was given %d rounds, want %d", n, maxRounds)
				}
			},
		},
		{
			name: "ranges out of order",
			reply: func(int, []byte) []byte {
				msg := []byte{recon.Version, 0}
				msg = binary.AppendUvarint(msg, 1<<40) // a bound at t = 2^40
				msg = append(msg, 0, 0)                // skip; the next bound, prefix length 0,
				msg = binary.AppendUvarint(msg, 1<<63) // is far below it (the delta wraps)
				return append(msg, 0)
			},
			wantErr: true,
		},
		{
			name:  "claims records it never sends",
			reply: func(int, []byte) []byte { return idList(randomHashes(3 * BatchSize)) },
			records: func([][32]byte) []domain.Record {
				return nil
			},
			wantErr: true, // a batch offered and withheld ends the session
			check: func(t *testing.T, a *testPeer, l *liar, _ peer.ID) {
				if n := l.asked.Load(); n != 1 {
					t.Errorf("A asked the liar %d times for records, want 1", n)
				}
			},
		},
		{
			name:  "sends a record it was not asked for",
			reply: func(int, []byte) []byte { return idList(randomHashes(5)) },
			records: func([][32]byte) []domain.Record {
				return stranger
			},
			wantErr: true,
		},
		{
			name:  "claims forged records",
			reply: func(int, []byte) []byte { return idList(hashesOf(forged)) },
			records: func(asked [][32]byte) []domain.Record {
				var out []domain.Record
				for _, r := range forged {
					if slices.Contains(asked, r.Hash()) {
						out = append(out, r)
					}
				}
				return out
			},
			wantErr: true, // more than maxSessionRejects invalid records
			check: func(t *testing.T, a *testPeer, _ *liar, m peer.ID) {
				if n := a.rejectCount(m); n < maxSessionRejects {
					t.Errorf("A counted %d rejections from the liar, want at least %d", n, maxSessionRejects)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newTestPeer(t, nil, nil)
			a.sink.add(mine...)
			if err := a.JoinCell(testCell); err != nil {
				t.Fatal(err)
			}
			l := &liar{reply: tc.reply, records: tc.records}
			mh := bareHost(t, a)
			mh.SetStreamHandler(SyncProtocol, l.serve)

			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			pulled, _, err := a.SyncCell(ctx, mh.ID(), testCell)
			t.Logf("session ended after %v, %d rounds: pulled %d, err %v", time.Since(start).Round(time.Millisecond), l.rounds.Load(), pulled, err)
			if (err != nil) != tc.wantErr {
				t.Errorf("SyncCell error = %v, want an error: %v", err, tc.wantErr)
			}
			if got := a.sink.hashSet(); len(got) != len(mine) {
				t.Errorf("A holds %d records after the session, want its own %d", len(got), len(mine))
			}
			for _, r := range append(forged, stranger...) {
				if a.sink.has(r) {
					t.Fatalf("A stored the liar's record %s", r.ID)
				}
			}
			if tc.check != nil {
				tc.check(t, a, l, mh.ID())
			}
			if tc.wantErr && a.offenceScore(mh.ID()) >= 0 {
				t.Errorf("the liar's offence score at A is %.0f, want below 0", a.offenceScore(mh.ID()))
			}

			// An honest peer is served as before.
			b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
			b.sink.add(honest...)
			if err := b.JoinCell(testCell); err != nil {
				t.Fatal(err)
			}
			eventually(t, 10*time.Second, "A and B connected", func() bool { return a.connected(b) && b.connected(a) })
			if _, _, err := a.SyncCell(ctx, b.ID(), testCell); err != nil {
				t.Fatalf("sync with the honest peer: %v", err)
			}
			for _, r := range honest {
				if !a.sink.has(r) {
					t.Fatalf("A lacks the honest peer's record %s", r.ID)
				}
			}
			if got := a.sink.len(); got != len(mine)+len(honest) {
				t.Errorf("A holds %d records, want %d", got, len(mine)+len(honest))
			}
		})
	}
}

// TestGraylistedPeerGetsNoSync checks that a peer whose offences took it below
// the graylist threshold is declined sync sessions, and forgiven in time.
func TestGraylistedPeerGetsNoSync(t *testing.T) {
	t.Parallel()
	a := newTestPeer(t, nil, nil)
	b := newTestPeer(t, nil, func(c *Config) { c.Peers = []string{a.addr(t, "tcp")} })
	for _, p := range []*testPeer{a, b} {
		if err := p.JoinCell(testCell); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, "connection", func() bool { return a.connected(b) })
	a.offend(b.ID(), -GraylistThreshold/offencePenalty+1, "test")
	if !a.graylisted(b.ID()) {
		t.Fatalf("B not graylisted at A with offence score %.0f", a.offenceScore(b.ID()))
	}
	if _, _, err := b.SyncCell(context.Background(), a.ID(), testCell); err == nil || !strings.Contains(err.Error(), "graylisted") {
		t.Errorf("B's sync with A: %v, want declined as graylisted", err)
	}
	// The offences fade: after a few half-lives, B is served again.
	a.offMu.Lock()
	o := a.offences[b.ID()]
	o.at = o.at.Add(-5 * offenceHalfLife)
	a.offences[b.ID()] = o
	a.offMu.Unlock()
	// (GossipSub's copy of the score follows within scoreInspectPeriod.)
	eventually(t, 5*time.Second, "B forgiven after five half-lives", func() bool { return !a.graylisted(b.ID()) })
}
