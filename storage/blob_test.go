package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// testBlob is size bytes of a pattern seeded by seed, and its hash.
func testBlob(seed byte, size int) (string, []byte) {
	data := bytes.Repeat([]byte{seed, seed + 1, seed + 2}, size/3+1)[:size]
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), data
}

// clock lets a test move the store's time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func withClock(s *Store) *clock          { c := &clock{t: testNow}; s.now = c.now; return c }
func has(t *testing.T, b *Blobs, h string) bool {
	t.Helper()
	ok, err := b.Has(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func put(t *testing.T, b *Blobs, h string, data []byte) {
	t.Helper()
	if err := b.Put(ctx, h, data); err != nil {
		t.Fatal(err)
	}
}

func TestBlobPutGet(t *testing.T) {
	s := openTest(t)
	b := s.Blobs("nobody", 1<<20)
	h, data := testBlob(1, 1000)
	if _, err := b.Get(ctx, h); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Put: %v, want ErrNotFound", err)
	}
	other, _ := testBlob(2, 1000)
	for _, bad := range []struct{ name, hash string }{
		{"another blob's hash", other},
		{"upper case", "AB" + h[2:]},
		{"short", h[:10]},
	} {
		if err := b.Put(ctx, bad.hash, data); err == nil {
			t.Errorf("Put under %s: no error", bad.name)
		}
	}
	put(t, b, h, data)
	put(t, b, h, data) // again: harmless
	got, err := b.Get(ctx, h)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get = %d bytes, %v; want the %d bytes stored", len(got), err, len(data))
	}
	u, err := b.Usage(ctx)
	if err != nil || u.Count != 1 || u.Bytes != 1000 || u.PinnedBytes != 0 {
		t.Errorf("Usage = %+v, %v; want one unpinned blob of 1000 bytes", u, err)
	}
}

// TestBlobCacheEvictsLRU fills a cache of three blobs: the fourth evicts the
// least recently used, and a read counts as a use.
func TestBlobCacheEvictsLRU(t *testing.T) {
	s := openTest(t)
	c := withClock(s)
	b := s.Blobs("nobody", 3000)
	var hs []string
	for i := range 4 {
		h, data := testBlob(byte(10*i), 1000)
		hs = append(hs, h)
		if i == 3 {
			if _, err := b.Get(ctx, hs[0]); err != nil { // the oldest is read: now the newest
				t.Fatal(err)
			}
			c.advance(2 * time.Minute)
		}
		put(t, b, h, data)
		c.advance(2 * time.Minute)
	}
	for i, want := range []bool{true, false, true, true} {
		if got := has(t, b, hs[i]); got != want {
			t.Errorf("blob %d stored = %v, want %v", i, got, want)
		}
	}
	var rows int
	if err := s.r.QueryRow(`SELECT count(*) FROM blob_data`).Scan(&rows); err != nil || rows != 3 {
		t.Errorf("blob_data holds %d rows (%v), want 3: an evicted blob's bytes stayed behind", rows, err)
	}
}

// TestBlobPinsFollowOwnListings: the photos of the owner's live rooms are
// never evicted; someone else's room pins nothing; a tombstone or an expiry
// releases the pin.
func TestBlobPinsFollowOwnListings(t *testing.T) {
	s := openTest(t)
	c := withClock(s)
	me, other := newIdentity(t), newIdentity(t)
	b := s.Blobs(me.Author(), 2000)

	mine, mineData := testBlob(1, 1000)
	theirs, theirsData := testBlob(2, 1000)
	kept, keptData := testBlob(3, 1000) // in a room of mine that expires
	room := baseRoom()
	room.Photos = []string{mine}
	myRoom := newRoom(t, me, room, nil, 0)
	room.Photos = []string{kept}
	expiring := resigned(me, newRoom(t, me, room, nil, 0), func(r *domain.Record) {
		r.ExpiresAt = testNow.Add(time.Hour).UnixMilli()
	})
	room.Photos = []string{theirs}
	theirRoom := newRoom(t, other, room, nil, 0)
	mustStore(t, s, myRoom, expiring, theirRoom)

	put(t, b, mine, mineData)
	c.advance(2 * time.Minute)
	put(t, b, kept, keptData)
	c.advance(2 * time.Minute)
	put(t, b, theirs, theirsData)
	if info, err := b.Info(ctx, mine); err != nil || !info.Pinned || info.Size != 1000 {
		t.Fatalf("Info(my photo) = %+v, %v; want pinned, 1000 bytes", info, err)
	}
	if info, err := b.Info(ctx, theirs); err != nil || info.Pinned {
		t.Fatalf("Info(their photo) = %+v, %v; want not pinned", info, err)
	}

	// Four more blobs than the cache holds: only unpinned ones go.
	var fill []string
	for i := range 4 {
		c.advance(2 * time.Minute)
		h, data := testBlob(byte(100+i), 1000)
		put(t, b, h, data)
		fill = append(fill, h)
	}
	if !has(t, b, mine) || !has(t, b, kept) {
		t.Fatal("a photo of a live own room was evicted")
	}
	if has(t, b, theirs) || has(t, b, fill[0]) || has(t, b, fill[1]) || !has(t, b, fill[2]) || !has(t, b, fill[3]) {
		t.Fatal("the cache did not keep exactly the two most recent unpinned blobs")
	}
	u, err := b.Usage(ctx)
	if err != nil || u.Count != 4 || u.PinnedBytes != 2000 {
		t.Errorf("Usage = %+v, %v; want 4 blobs, 2000 bytes pinned", u, err)
	}

	// The expiring room's pin goes at its expiry, even before a sweep.
	c.advance(2 * time.Hour)
	if info, err := b.Info(ctx, kept); err != nil || info.Pinned {
		t.Fatalf("Info(photo of an expired room) = %+v, %v; want not pinned", info, err)
	}
	// A tombstone releases the other.
	mustStore(t, s, newTombstone(t, me, myRoom))
	if info, err := b.Info(ctx, mine); err != nil || info.Pinned {
		t.Fatalf("Info(photo of a deleted room) = %+v, %v; want not pinned", info, err)
	}
	h, data := testBlob(200, 1000)
	put(t, b, h, data)
	if has(t, b, mine) || has(t, b, kept) {
		t.Error("photos of gone rooms were kept past the cache's size")
	}
}

func TestBlobWants(t *testing.T) {
	s := openTest(t)
	c := withClock(s)
	b := s.Blobs("nobody", 1<<20)
	h1, data1 := testBlob(1, 100)
	h2, _ := testBlob(2, 100)
	if err := b.Want(ctx, "not a hash", ""); err == nil {
		t.Error("Want(bad hash): no error")
	}
	if err := b.Want(ctx, h1, "author-1"); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Minute)
	if err := b.Want(ctx, h2, ""); err != nil {
		t.Fatal(err)
	}
	ws, err := b.Wants(ctx, time.Hour)
	if err != nil || len(ws) != 2 || ws[0].Hash != h1 || ws[0].Author != "author-1" || ws[1].Hash != h2 {
		t.Fatalf("Wants = %+v, %v; want both, oldest first", ws, err)
	}
	put(t, b, h1, data1) // stored: no longer wanted
	c.advance(time.Hour - 30*time.Second)
	if ws, err = b.Wants(ctx, time.Hour); err != nil || len(ws) != 1 || ws[0].Hash != h2 {
		t.Fatalf("Wants after Put = %+v, %v; want the second only", ws, err)
	}
	c.advance(time.Minute)
	if ws, err = b.Wants(ctx, time.Hour); err != nil || len(ws) != 0 {
		t.Fatalf("Wants after an hour = %+v, %v; want none", ws, err)
	}
}
