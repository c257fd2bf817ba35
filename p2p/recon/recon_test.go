package recon

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// gen makes n distinct items with timestamps drawn from [base, base+spread).
// A small spread forces many equal timestamps, so bounds need hash prefixes.
func gen(rng *rand.Rand, n int, base, spread int64) []Item {
	out := make([]Item, n)
	for i := range out {
		var seed [16]byte
		binary.LittleEndian.PutUint64(seed[:], rng.Uint64())
		binary.LittleEndian.PutUint64(seed[8:], rng.Uint64())
		out[i] = Item{IssuedAt: base + rng.Int64N(spread), Hash: sha256.Sum256(seed[:])}
	}
	return out
}

type result struct {
	have, need       [][32]byte
	rounds           int // initiator messages sent
	sentA, sentB     int // bytes written by initiator, by responder
	maxMsgA, maxMsgB int
}

// run reconciles a (initiator) with b (responder) to completion.
func run(t testing.TB, a, b []Item, optA, optB Options) result {
	t.Helper()
	ini, resp := NewInitiator(a, optA), NewResponder(b, optB)
	msg, err := ini.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	var res result
	for msg != nil {
		res.rounds++
		if res.rounds > 10_000 {
			t.Fatal("no convergence after 10000 rounds")
		}
		res.sentA += len(msg)
		res.maxMsgA = max(res.maxMsgA, len(msg))
		reply, err := resp.Reconcile(msg)
		if err != nil {
			t.Fatalf("round %d: responder: %v", res.rounds, err)
		}
		res.sentB += len(reply)
		res.maxMsgB = max(res.maxMsgB, len(reply))
		if msg, err = ini.Reconcile(reply); err != nil {
			t.Fatalf("round %d: initiator: %v", res.rounds, err)
		}
	}
	res.have, res.need = ini.Have(), ini.Need()
	return res
}

func hashes(items []Item) [][32]byte {
	out := make([][32]byte, len(items))
	for i, it := range items {
		out[i] = it.Hash
	}
	slices.SortFunc(out, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}

// diff returns the hashes in x and not in y, sorted.
func diff(x, y []Item) [][32]byte {
	in := map[[32]byte]bool{}
	for _, it := range y {
		in[it.Hash] = true
	}
	var out []Item
	for _, it := range x {
		if !in[it.Hash] {
			out = append(out, it)
		}
	}
	return hashes(out)
}

func shuffled(rng *rand.Rand, items []Item) []Item {
	s := slices.Clone(items)
	rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

func TestReconcileFindsExactDifference(t *testing.T) {
	small := Options{Branches: 4, IDListThreshold: 4, FrameLimit: MinFrameLimit}
	cases := []struct {
		name                 string
		shared, onlyA, onlyB int
		spread               int64
		optA, optB           Options
	}{
		{name: "both empty"},
		{name: "initiator empty", onlyB: 1000, spread: 1e9},
		{name: "responder empty", onlyA: 1000, spread: 1e9},
		{name: "one each side, tiny", onlyA: 1, onlyB: 1, spread: 10},
		{name: "identical", shared: 5000, spread: 1e9},
		{name: "identical under threshold", shared: 20, spread: 1e9},
		{name: "initiator lacks one", shared: 5000, onlyB: 1, spread: 1e9},
		{name: "responder lacks one", shared: 5000, onlyA: 1, spread: 1e9},
		{name: "both lack some", shared: 5000, onlyA: 37, onlyB: 91, spread: 1e9},
		{name: "disjoint", onlyA: 700, onlyB: 900, spread: 1e9},
		{name: "equal timestamps", shared: 3000, onlyA: 50, onlyB: 50, spread: 1},
		{name: "few timestamps", shared: 3000, onlyA: 200, onlyB: 10, spread: 5},
		{name: "negative timestamps", shared: 2000, onlyA: 20, onlyB: 20, spread: 1e6},
		{name: "small options", shared: 3000, onlyA: 300, onlyB: 300, spread: 1e9, optA: small, optB: small},
		{name: "mixed options", shared: 3000, onlyA: 300, onlyB: 300, spread: 1e9, optA: small},
		{name: "tiny frames, big gap", shared: 100, onlyB: 20000, spread: 1e9, optA: small, optB: small},
		{name: "tiny frames, big push", shared: 100, onlyA: 20000, spread: 1e9, optA: small, optB: small},
		{name: "tiny frames both ways", shared: 1000, onlyA: 5000, onlyB: 5000, spread: 1e6, optA: small, optB: small},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			base := int64(1_700_000_000_000)
			if tc.name == "negative timestamps" {
				base = -500_000
			}
			spread := max(tc.spread, 1)
			all := gen(rng, tc.shared+tc.onlyA+tc.onlyB, base, spread)
			shared := all[:tc.shared]
			a := append(slices.Clone(shared), all[tc.shared:tc.shared+tc.onlyA]...)
			b := append(slices.Clone(shared), all[tc.shared+tc.onlyA:]...)
			res := run(t, shuffled(rng, a), shuffled(rng, b), tc.optA, tc.optB)
			if want := diff(a, b); !equalHashes(res.have, want) {
				t.Errorf("have: got %d hashes, want %d", len(res.have), len(want))
			}
			if want := diff(b, a); !equalHashes(res.need, want) {
				t.Errorf("need: got %d hashes, want %d", len(res.need), len(want))
			}
			for _, o := range []struct {
				opt Options
				max int
			}{{tc.optA, res.maxMsgA}, {tc.optB, res.maxMsgB}} {
				if lim := o.opt.withDefaults().FrameLimit + MaxFrameOverrun; o.max > lim {
					t.Errorf("a message of %d bytes, limit %d", o.max, lim)
				}
			}
			t.Logf("%d rounds, %d bytes sent, %d received", res.rounds, res.sentA, res.sentB)
		})
	}
}

func equalHashes(a, b [][32]byte) bool {
	return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b))
}

// TestCostGrowsWithDifference checks the point of the algorithm: the bytes
// exchanged depend on the difference, barely on the size of the sets.
func TestCostGrowsWithDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const big = 100_000
	all := gen(rng, big+1000, 1_700_000_000_000, 90*24*3600*1000)
	base := slices.Clone(all[:big])
	slices.SortFunc(base, Item.Compare) // sorted input spares the sort in each run
	extra := all[big:]
	// with returns the sorted union of the sorted set and a few more items.
	with := func(set []Item, more ...Item) []Item {
		out := slices.Clone(set)
		for _, it := range more {
			i, _ := slices.BinarySearchFunc(out, it, Item.Compare)
			out = slices.Insert(out, i, it)
		}
		return out
	}

	type cost struct{ bytes, rounds int }
	measure := func(a, b []Item, wantHave, wantNeed int) cost {
		res := run(t, a, b, Options{}, Options{})
		if len(res.have) != wantHave || len(res.need) != wantNeed {
			t.Fatalf("found have %d need %d, want %d and %d", len(res.have), len(res.need), wantHave, wantNeed)
		}
		return cost{res.sentA + res.sentB, res.rounds}
	}

	// 100k items differing by one, either way.
	for _, tc := range []struct {
		name       string
		a, b       []Item
		have, need int
	}{
		{"initiator lacks one", base[1:], base, 0, 1},
		{"responder lacks one", base, base[:big-1], 1, 0},
		{"one new each", with(base, extra[0]), with(base, extra[1]), 1, 1},
	} {
		c := measure(tc.a, tc.b, tc.have, tc.need)
		t.Logf("%s of %d: %d bytes in %d rounds", tc.name, big, c.bytes, c.rounds)
		if c.bytes > 6000 || c.rounds > 4 {
			t.Errorf("%s: %d bytes in %d rounds, want at most 6000 bytes and 4 rounds", tc.name, c.bytes, c.rounds)
		}
	}

	// Identical sets: one round, a few hundred bytes.
	if c := measure(base, base, 0, 0); c.rounds != 1 || c.bytes > 1000 {
		t.Errorf("identical: %d bytes in %d rounds", c.bytes, c.rounds)
	}

	// The same difference costs about the same at 1k and at 100k items.
	small := base[:1000]
	cSmall := measure(small[1:], small, 0, 1)
	cBig := measure(base[1:], base, 0, 1)
	t.Logf("one missing: %d bytes at 1k, %d at 100k", cSmall.bytes, cBig.bytes)
	if cBig.bytes > 3*cSmall.bytes {
		t.Errorf("100x the items cost %dx the bytes", cBig.bytes/cSmall.bytes)
	}

	// Bytes grow roughly linearly with the number of differences.
	prev := 0
	for _, d := range []int{1, 10, 100, 1000} {
		c := measure(base, with(base, extra[:d]...), 0, d)
		t.Logf("%d differences: %d bytes, %d rounds", d, c.bytes, c.rounds)
		if per := c.bytes / d; d >= 10 && per > 1500 {
			t.Errorf("%d differences: %d bytes each", d, per)
		}
		if c.bytes < prev {
			t.Errorf("%d differences cost less than fewer", d)
		}
		prev = c.bytes
	}
}

func TestBadMessages(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	items := gen(rng, 500, 1000, 1e6)
	good, err := NewInitiator(items, Options{}).Initiate()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":           {},
		"bad version":     {0x02},
		"truncated":       good[:len(good)-3],
		"prefix too long": {Version, 33, 0},
		"unknown mode":    {Version, 0, 5, 9},
		"id list overrun": {Version, infinityLen, modeIDList, 3, 1, 2, 3},
		"after infinity":  {Version, infinityLen, modeSkip, infinityLen, modeSkip},
		"out of order": func() []byte {
			e := &encoder{buf: []byte{Version}}
			e.bound(bound{ts: 100})
			e.mode(modeSkip)
			e.bound(bound{ts: 50})
			e.mode(modeSkip)
			return e.buf
		}(),
		"bad varint": {Version, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewResponder(items, Options{}).Reconcile(msg)
			if !errors.Is(err, ErrBadMessage) {
				t.Errorf("got %v, want ErrBadMessage", err)
			}
		})
	}
	if _, err := NewResponder(items, Options{}).Reconcile(good); err != nil {
		t.Errorf("good message refused: %v", err)
	}
}

func TestMisuse(t *testing.T) {
	r := NewResponder(nil, Options{})
	if _, err := r.Initiate(); err == nil {
		t.Error("Initiate on a responder succeeded")
	}
	i := NewInitiator(nil, Options{})
	if _, err := i.Reconcile([]byte{Version}); err == nil {
		t.Error("Reconcile before Initiate succeeded")
	}
	if _, err := i.Initiate(); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Initiate(); err == nil {
		t.Error("second Initiate succeeded")
	}
}

func TestBounds(t *testing.T) {
	h := func(b ...byte) (out [32]byte) { copy(out[:], b); return out }
	a := Item{IssuedAt: 5, Hash: h(1, 2, 3)}
	b := Item{IssuedAt: 5, Hash: h(1, 2, 4)}
	c := Item{IssuedAt: 9, Hash: h(0)}
	mb := minimalBound(a, b)
	if len(mb.prefix) != 3 || !itemBelow(a, mb) || itemBelow(b, mb) {
		t.Errorf("minimalBound(a, b) = %+v", mb)
	}
	mc := minimalBound(b, c)
	if len(mc.prefix) != 0 || !itemBelow(b, mc) || itemBelow(c, mc) {
		t.Errorf("minimalBound(b, c) = %+v", mc)
	}
	if cmpBound(bound{ts: 1, prefix: []byte{1}}, bound{ts: 1, prefix: []byte{1, 0}}) != 0 {
		t.Error("zero padding not equal")
	}
	if cmpBound(bound{inf: true}, bound{ts: math.MaxInt64}) <= 0 {
		t.Error("infinity not last")
	}
	// Extreme timestamps round-trip through the wrapping deltas.
	e := &encoder{buf: []byte{}}
	in := []bound{{ts: math.MinInt64}, {ts: -1, prefix: []byte{7}}, {ts: math.MaxInt64}, {inf: true}}
	for _, b := range in {
		e.bound(b)
	}
	d := &decoder{buf: e.buf}
	for _, want := range in {
		got, err := d.bound()
		if err != nil || cmpBound(got, want) != 0 {
			t.Errorf("bound %+v decoded as %+v, %v", want, got, err)
		}
	}
}

func TestExtremeTimestamps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a := gen(rng, 300, math.MinInt64, 10)
	a = append(a, gen(rng, 300, math.MaxInt64-10, 10)...)
	a = append(a, gen(rng, 300, 0, 10)...)
	b := slices.Clone(a[50:])
	b = append(b, gen(rng, 40, -5, 10)...)
	res := run(t, a, b, Options{}, Options{})
	if !equalHashes(res.have, diff(a, b)) || !equalHashes(res.need, diff(b, a)) {
		t.Errorf("wrong difference: have %d need %d", len(res.have), len(res.need))
	}
}

func FuzzResponder(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	items := gen(rng, 200, 0, 100)
	good, _ := NewInitiator(items[:150], Options{}).Initiate()
	f.Add(good)
	f.Add([]byte{Version, infinityLen, modeIDList, 0})
	f.Add([]byte{Version, 0, 0, modeFingerprint})
	f.Fuzz(func(t *testing.T, msg []byte) {
		r := NewResponder(items, Options{})
		out, err := r.Reconcile(msg)
		if err == nil && (len(out) == 0 || out[0] != Version) {
			t.Fatalf("reply %x", out)
		}
		i := NewInitiator(items, Options{})
		if _, err := i.Initiate(); err != nil {
			t.Fatal(err)
		}
		_, _ = i.Reconcile(msg)
	})
}
