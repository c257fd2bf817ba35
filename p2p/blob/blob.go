// Package blob moves photos and avatars between peers by content hash
// (issue 3 item 7): protocol /caravan/blob/1, one request per stream.
//
//	asker:  the 32 bytes of the SHA-256, then closes its side
//	server: 'D' uvarint(size) data      the blob
//	        'N'                         not found
//	        'E' uvarint(len) reason     declined (rate limited, busy)
//
// The asker accepts a blob only if it is at most MaxSize bytes, which it
// knows from the size before reading any data, and hashes to what it asked
// for. The server answers from a Store, within per-peer limits on requests
// and on bytes sent, so no peer can make it read or send unbounded data.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"golang.org/x/time/rate"
)

// Protocol is the blob protocol's libp2p ID.
const Protocol protocol.ID = "/caravan/blob/1"

// MaxSize is the largest blob a peer serves or accepts: a photo re-encoded
// at 1600 px is a few hundred KiB, so 2 MiB leaves room to spare.
const MaxSize = 2 << 20

// Answers on the wire.
const (
	answerData     = 'D'
	answerNotFound = 'N'
	answerError    = 'E'
)

// maxReason bounds the reason of a declined request.
const maxReason = 256

// Errors of a fetch from one peer.
var (
	// ErrNotFound: the peer (or every peer asked) does not have the blob.
	ErrNotFound = errors.New("blob not found")
	// ErrTooLarge: the peer offered a blob over MaxSize; none of it was read.
	ErrTooLarge = errors.New("blob over the size limit")
	// ErrMismatch: the peer sent bytes that do not hash to what was asked.
	ErrMismatch = errors.New("blob does not match its hash")
	// ErrDeclined: the peer refused to answer (rate limited, busy).
	ErrDeclined = errors.New("peer declined")
)

// ParseHash parses a blob hash as records write it: 64 lowercase hex digits.
func ParseHash(s string) ([32]byte, error) {
	var h [32]byte
	if len(s) != 2*sha256.Size || strings.Trim(s, "0123456789abcdef") != "" {
		return h, fmt.Errorf("blob hash %q: not a lowercase hex SHA-256", s)
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err
}

// Hash is the hash records use to name data: lowercase hex SHA-256.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// limiters keeps a token bucket per peer. Buckets that are full again are
// dropped when the map grows, so a stream of new peers cannot grow it for
// ever and a returning peer gets no early refill.
type limiters struct {
	mu    sync.Mutex
	limit rate.Limit
	burst int
	m     map[peer.ID]*rate.Limiter
}

// pruneAt is the number of buckets past which full ones are dropped.
const pruneAt = 256

func newLimiters(limit rate.Limit, burst int) *limiters {
	return &limiters{limit: limit, burst: burst, m: map[peer.ID]*rate.Limiter{}}
}

// allowN takes n tokens of the peer's bucket if it has them.
func (l *limiters) allowN(id peer.ID, n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.m[id]
	if lim == nil {
		if len(l.m) >= pruneAt {
			now := time.Now()
			for k, v := range l.m {
				if v.TokensAt(now) >= float64(l.burst) {
					delete(l.m, k)
				}
			}
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.m[id] = lim
	}
	return lim.AllowN(time.Now(), n)
}
