// Package recon is range-based set reconciliation (after Negentropy, by Doug
// Hoyte) over the sync items of one cell: two peers holding sorted sets of
// (issued_at, hash) items find the symmetric difference of their sets in a few
// round trips, exchanging bytes in proportion to the difference, not the size.
//
// The initiator sends fingerprints of ranges of its set; the responder compares
// them with its own, skips the ranges that match and splits the others into
// sub-ranges, each with its fingerprint, or sends its item hashes when a range
// holds few items. The initiator does the same with each reply, and when it
// receives an id list it records what it has that the responder lacks (Have)
// and what the responder has that it lacks (Need). It is done when it has
// nothing left to ask. Only the initiator learns the difference; it is expected
// to pull what it needs and push what the other lacks.
//
// The package does no I/O: messages are byte slices the caller carries.
//
// Wire form of a message: a version byte, then ranges in increasing order, each
// an upper bound (the lower bound is the previous range's upper bound, the first
// starts at the smallest item), a mode and its payload:
//
//	bound:       prefix length (0..32, or 0xFF for +infinity)
//	             uvarint(issued_at - previous bound's issued_at, wrapping)  (absent for +infinity)
//	             hash prefix bytes
//	mode 0 skip: nothing (the range matched)
//	mode 1 fingerprint: 16 bytes
//	mode 2 id list: uvarint count, count 32-byte hashes
//
// Ranges after the last one are implicitly skipped. A bound (t, p) sits just
// before the items (t, h) with h >= p padded with zeros; bounds between two
// items use the shortest hash prefix that separates them.
//
// A fingerprint is the first 16 bytes of sha256(sum of the range's hashes as
// 256-bit little-endian integers mod 2^256 || count as a uint64 little endian).
package recon

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"

	"github.com/caravan-p2p/caravan/domain"
)

// Item is one element of a reconciled set, ordered by domain.SyncItem.Less.
type Item = domain.SyncItem

// Protocol constants.
const (
	// Version is the first byte of every message.
	Version byte = 0x01
	// FingerprintSize is the length of a range fingerprint.
	FingerprintSize = 16
	// IDSize is the length of an item hash.
	IDSize = 32

	// DefaultBranches is how many sub-ranges a differing range is split into.
	DefaultBranches = 16
	// DefaultIDListThreshold is the item count under which a range is sent as
	// its list of hashes instead of being split further.
	DefaultIDListThreshold = 32
	// DefaultFrameLimit is the default soft cap on one message's size.
	DefaultFrameLimit = 256 << 10
	// MinFrameLimit is the smallest frame limit accepted.
	MinFrameLimit = 4 << 10
	// frameSlack is how far past FrameLimit a message may go: one range's
	// output (a split or an id list) plus the closing fingerprint.
	frameSlack = 8 << 10
)

const (
	modeSkip        = 0
	modeFingerprint = 1
	modeIDList      = 2

	infinityLen = 0xFF

	// These caps keep one range's output well under frameSlack.
	maxBranches        = 64
	maxIDListThreshold = 128
)

// ErrBadMessage is wrapped by every error about a malformed message.
var ErrBadMessage = errors.New("recon: bad message")

// Options tunes a reconciliation. Both sides may use different options; the
// zero value is the defaults.
type Options struct {
	// Branches is how many sub-ranges a differing range is split into
	// (2 to 64).
	Branches int
	// IDListThreshold: a range with at most this many items is sent as an id
	// list. It is raised to Branches when lower, and capped at 128.
	IDListThreshold int
	// FrameLimit is a soft cap on the size of the messages this side writes;
	// when reached, the rest of the set is sent as one fingerprint, to be
	// continued in the next round. A message may exceed it by MaxFrameOverrun.
	FrameLimit int
}

// MaxFrameOverrun is how many bytes past Options.FrameLimit a message may be.
// A transport should accept messages of FrameLimit + MaxFrameOverrun bytes.
const MaxFrameOverrun = frameSlack

func (o Options) withDefaults() Options {
	if o.Branches < 2 {
		o.Branches = DefaultBranches
	}
	o.Branches = min(o.Branches, maxBranches)
	if o.IDListThreshold <= 0 {
		o.IDListThreshold = DefaultIDListThreshold
	}
	o.IDListThreshold = min(max(o.IDListThreshold, o.Branches), maxIDListThreshold)
	if o.FrameLimit <= 0 {
		o.FrameLimit = DefaultFrameLimit
	}
	o.FrameLimit = max(o.FrameLimit, MinFrameLimit)
	return o
}

// Reconciler is one side of one reconciliation. It is not safe for concurrent use.
type Reconciler struct {
	items     []Item
	sums      []sum256 // sums[k] = sum of the hashes of items[:k*sumStride]
	initiator bool
	opt       Options
	have      map[[32]byte]struct{}
	need      map[[32]byte]struct{}
	started   bool
}

// NewInitiator starts the side that asks. items need not be sorted; duplicates
// are dropped. The slice is copied.
func NewInitiator(items []Item, opt Options) *Reconciler {
	return newReconciler(items, true, opt)
}

// NewResponder starts the side that answers.
func NewResponder(items []Item, opt Options) *Reconciler {
	return newReconciler(items, false, opt)
}

func newReconciler(items []Item, initiator bool, opt Options) *Reconciler {
	s := slices.Clone(items)
	if !slices.IsSortedFunc(s, Item.Compare) {
		slices.SortFunc(s, Item.Compare)
	}
	s = slices.Compact(s)
	r := &Reconciler{
		items: s, initiator: initiator, opt: opt.withDefaults(),
		have: map[[32]byte]struct{}{}, need: map[[32]byte]struct{}{},
	}
	r.sums = make([]sum256, len(s)/sumStride+1)
	var acc sum256
	for i, it := range s {
		if i%sumStride == 0 {
			r.sums[i/sumStride] = acc
		}
		acc.add(it.Hash)
	}
	if len(s)%sumStride == 0 {
		r.sums[len(s)/sumStride] = acc
	}
	return r
}

// sumStride spaces the checkpoints of the running hash sum: a range's sum costs
// at most 2*sumStride additions, and the checkpoints about one byte per item.
const sumStride = 32

// sum256 is a 256-bit little-endian integer, added modulo 2^256.
type sum256 [4]uint64

func (s *sum256) add(h [32]byte) {
	var c uint64
	for j := range 4 {
		s[j], c = bits.Add64(s[j], binary.LittleEndian.Uint64(h[8*j:]), c)
	}
}

func (s *sum256) sub(o sum256) {
	var b uint64
	for j := range 4 {
		s[j], b = bits.Sub64(s[j], o[j], b)
	}
}

// prefix is the sum of the hashes of items[:i].
func (r *Reconciler) prefix(i int) sum256 {
	k := i / sumStride
	acc := r.sums[k]
	for _, it := range r.items[k*sumStride : i] {
		acc.add(it.Hash)
	}
	return acc
}

// Len is the number of distinct items this side holds.
func (r *Reconciler) Len() int { return len(r.items) }

// Initiate returns the first message. Only the initiator calls it, once.
func (r *Reconciler) Initiate() ([]byte, error) {
	if !r.initiator {
		return nil, errors.New("recon: Initiate on a responder")
	}
	if r.started {
		return nil, errors.New("recon: Initiate called twice")
	}
	r.started = true
	e := &encoder{buf: []byte{Version}}
	r.split(e, 0, len(r.items), bound{inf: true})
	return e.buf, nil
}

// Reconcile processes a message from the other side and returns the reply.
// For the initiator a nil reply means the reconciliation is complete: Have and
// Need hold the whole difference. A responder always gets a reply to send.
func (r *Reconciler) Reconcile(msg []byte) ([]byte, error) {
	if r.initiator && !r.started {
		return nil, errors.New("recon: Reconcile before Initiate")
	}
	out, err := r.process(msg)
	if err != nil {
		return nil, err
	}
	if r.initiator && len(out) == 1 {
		return nil, nil
	}
	return out, nil
}

// Have returns the hashes this side has and the other lacks, as learned so far
// (initiator only), sorted by hash.
func (r *Reconciler) Have() [][32]byte { return keys(r.have) }

// Need returns the hashes the other side has and this side lacks, as learned so
// far (initiator only), sorted by hash.
func (r *Reconciler) Need() [][32]byte { return keys(r.need) }

// NeedLen is how many hashes Need would return, without building the list.
func (r *Reconciler) NeedLen() int { return len(r.need) }

func keys(m map[[32]byte]struct{}) [][32]byte {
	out := make([][32]byte, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	return out
}

// process handles one incoming message and builds the outgoing one.
func (r *Reconciler) process(msg []byte) ([]byte, error) {
	if len(msg) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrBadMessage)
	}
	if msg[0] != Version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrBadMessage, msg[0], Version)
	}
	d := &decoder{buf: msg[1:]}
	e := &encoder{buf: []byte{Version}}

	var (
		prevBound  bound // the previous range's upper bound
		first      = true
		lower      = 0     // index of the first item of the current range
		emitted    = 0     // index of the first item after the last bound written
		pendSkip   = false // ranges matched since the last bound written
		sawInf     = false
		frameLimit = r.opt.FrameLimit
	)
	flushSkip := func() {
		if pendSkip {
			e.bound(prevBound)
			e.mode(modeSkip)
			pendSkip = false
			emitted = lower
		}
	}
	// closeFrame ends the message early with one fingerprint over everything
	// after the last bound written; the other side continues from there.
	closeFrame := func() {
		e.bound(bound{inf: true})
		e.mode(modeFingerprint)
		fp := r.fingerprint(emitted, len(r.items))
		e.buf = append(e.buf, fp[:]...)
	}

	for d.more() {
		if sawInf {
			return nil, fmt.Errorf("%w: range after the +infinity bound", ErrBadMessage)
		}
		upperBound, err := d.bound()
		if err != nil {
			return nil, err
		}
		if !first && cmpBound(upperBound, prevBound) < 0 {
			return nil, fmt.Errorf("%w: bounds out of order", ErrBadMessage)
		}
		first = false
		sawInf = upperBound.inf
		upper := r.lowerBound(lower, upperBound)
		mode, err := d.uvarint()
		if err != nil {
			return nil, err
		}
		if len(e.buf) > frameLimit {
			closeFrame()
			return e.buf, nil
		}
		switch mode {
		case modeSkip:
			pendSkip = true
		case modeFingerprint:
			theirs, err := d.bytes(FingerprintSize)
			if err != nil {
				return nil, err
			}
			ours := r.fingerprint(lower, upper)
			if bytes.Equal(theirs, ours[:]) {
				pendSkip = true
				break
			}
			flushSkip()
			r.split(e, lower, upper, upperBound)
			emitted = upper
		case modeIDList:
			n, err := d.uvarint()
			if err != nil {
				return nil, err
			}
			if n > uint64(d.remaining()/IDSize) {
				return nil, fmt.Errorf("%w: id list of %d longer than the message", ErrBadMessage, n)
			}
			theirs := make(map[[32]byte]struct{}, n)
			for range n {
				b, _ := d.bytes(IDSize)
				theirs[[32]byte(b)] = struct{}{}
			}
			if r.initiator {
				for _, it := range r.items[lower:upper] {
					if _, ok := theirs[it.Hash]; ok {
						delete(theirs, it.Hash)
					} else {
						r.have[it.Hash] = struct{}{}
					}
				}
				for h := range theirs {
					r.need[h] = struct{}{}
				}
				pendSkip = true
				break
			}
			// Responder: answer with our own ids of the range, as many as fit.
			flushSkip()
			room := max(0, (frameLimit-len(e.buf)-64)/IDSize)
			if upper-lower <= room {
				e.bound(upperBound)
				e.idList(r.items[lower:upper])
				emitted = upper
				break
			}
			cut := lower + room
			e.bound(itemBound(r.items[cut]))
			e.idList(r.items[lower:cut])
			emitted = cut
			closeFrame()
			return e.buf, nil
		default:
			return nil, fmt.Errorf("%w: unknown mode %d", ErrBadMessage, mode)
		}
		prevBound = upperBound
		lower = upper
	}
	return e.buf, nil
}

// split writes the ranges for items[lo:hi], whose upper bound is upperBound:
// the ids when few, else Branches fingerprinted sub-ranges cut at item
// boundaries.
func (r *Reconciler) split(e *encoder, lo, hi int, upperBound bound) {
	n := hi - lo
	if n <= r.opt.IDListThreshold {
		e.bound(upperBound)
		e.idList(r.items[lo:hi])
		return
	}
	per, extra := n/r.opt.Branches, n%r.opt.Branches
	cur := lo
	for i := range r.opt.Branches {
		size := per
		if i < extra {
			size++
		}
		fp := r.fingerprint(cur, cur+size)
		cur += size
		if cur == hi {
			e.bound(upperBound)
		} else {
			e.bound(minimalBound(r.items[cur-1], r.items[cur]))
		}
		e.mode(modeFingerprint)
		e.buf = append(e.buf, fp[:]...)
	}
}

// lowerBound is the index of the first item at or after b, searching from lo.
func (r *Reconciler) lowerBound(lo int, b bound) int {
	if b.inf {
		return len(r.items)
	}
	return lo + sort.Search(len(r.items)-lo, func(i int) bool { return !itemBelow(r.items[lo+i], b) })
}

// fingerprint of items[lo:hi].
func (r *Reconciler) fingerprint(lo, hi int) [FingerprintSize]byte {
	acc := r.prefix(hi)
	acc.sub(r.prefix(lo))
	var buf [40]byte
	for j := range 4 {
		binary.LittleEndian.PutUint64(buf[8*j:], acc[j])
	}
	binary.LittleEndian.PutUint64(buf[32:], uint64(hi-lo))
	sum := sha256.Sum256(buf[:])
	return [FingerprintSize]byte(sum[:FingerprintSize])
}

// bound is a position in the item order.
type bound struct {
	inf    bool
	ts     int64
	prefix []byte // at most 32 bytes; compared as if zero-padded
}

func itemBound(it Item) bound { return bound{ts: it.IssuedAt, prefix: slices.Clone(it.Hash[:])} }

// minimalBound is the shortest bound above prev and at or below next (prev < next).
func minimalBound(prev, next Item) bound {
	if prev.IssuedAt != next.IssuedAt {
		return bound{ts: next.IssuedAt}
	}
	k := 0
	for k < IDSize && prev.Hash[k] == next.Hash[k] {
		k++
	}
	return bound{ts: next.IssuedAt, prefix: slices.Clone(next.Hash[:min(k+1, IDSize)])}
}

// itemBelow reports whether it sorts before b.
func itemBelow(it Item, b bound) bool {
	if b.inf {
		return true
	}
	if it.IssuedAt != b.ts {
		return it.IssuedAt < b.ts
	}
	return bytes.Compare(it.Hash[:len(b.prefix)], b.prefix) < 0
}

func cmpBound(a, b bound) int {
	switch {
	case a.inf && b.inf:
		return 0
	case a.inf:
		return 1
	case b.inf:
		return -1
	case a.ts != b.ts:
		if a.ts < b.ts {
			return -1
		}
		return 1
	}
	var pa, pb [IDSize]byte
	copy(pa[:], a.prefix)
	copy(pb[:], b.prefix)
	return bytes.Compare(pa[:], pb[:])
}

type encoder struct {
	buf    []byte
	lastTs int64
}

func (e *encoder) bound(b bound) {
	if b.inf {
		e.buf = append(e.buf, infinityLen)
		return
	}
	e.buf = append(e.buf, byte(len(b.prefix)))
	e.buf = binary.AppendUvarint(e.buf, uint64(b.ts)-uint64(e.lastTs))
	e.buf = append(e.buf, b.prefix...)
	e.lastTs = b.ts
}

func (e *encoder) mode(m uint64) { e.buf = binary.AppendUvarint(e.buf, m) }

func (e *encoder) idList(items []Item) {
	e.mode(modeIDList)
	e.buf = binary.AppendUvarint(e.buf, uint64(len(items)))
	for _, it := range items {
		e.buf = append(e.buf, it.Hash[:]...)
	}
}

type decoder struct {
	buf    []byte
	lastTs int64
}

func (d *decoder) more() bool     { return len(d.buf) > 0 }
func (d *decoder) remaining() int { return len(d.buf) }

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad varint", ErrBadMessage)
	}
	d.buf = d.buf[n:]
	return v, nil
}

func (d *decoder) bytes(n int) ([]byte, error) {
	if len(d.buf) < n {
		return nil, fmt.Errorf("%w: truncated", ErrBadMessage)
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b, nil
}

func (d *decoder) bound() (bound, error) {
	l, err := d.bytes(1)
	if err != nil {
		return bound{}, err
	}
	if l[0] == infinityLen {
		return bound{inf: true}, nil
	}
	if l[0] > IDSize {
		return bound{}, fmt.Errorf("%w: bound prefix of %d bytes", ErrBadMessage, l[0])
	}
	delta, err := d.uvarint()
	if err != nil {
		return bound{}, err
	}
	p, err := d.bytes(int(l[0]))
	if err != nil {
		return bound{}, err
	}
	ts := int64(uint64(d.lastTs) + delta)
	d.lastTs = ts
	return bound{ts: ts, prefix: p}, nil
}
