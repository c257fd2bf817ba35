package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/p2p/blob"
)

// writePNG writes a w×h PNG with a gradient and a transparent corner.
func writePNG(t *testing.T, dir string, w, h int) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	img.Set(0, 0, color.NRGBA{})
	path := filepath.Join(dir, "photo.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAddPhoto(t *testing.T) {
	n := openNode(t, Options{})
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		name         string
		w, h         int
		wantW, wantH int
	}{
		{"landscape over the limit", 1650, 150, 1600, 145},
		{"portrait over the limit", 90, 1700, 84, 1600},
		{"small", 300, 200, 300, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			hash, err := n.AddPhoto(ctx, writePNG(t, dir, c.w, c.h))
			if err != nil {
				t.Fatal(err)
			}
			data, err := n.Photo(ctx, hash, "")
			if err != nil {
				t.Fatal(err)
			}
			if blob.Hash(data) != hash {
				t.Fatal("stored photo does not hash to the returned hash")
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil || cfg.Width != c.wantW || cfg.Height != c.wantH {
				t.Fatalf("stored photo: %v %dx%d, want a %dx%d JPEG", err, cfg.Width, cfg.Height, c.wantW, c.wantH)
			}
		})
	}

	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a photo"), 0o600)
	huge := filepath.Join(dir, "huge.jpg")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, MaxPhotoFile+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{text, "not a JPEG or PNG image"},
		{huge, "at most 40 MiB"},
		{dir, "is a directory"},
		{filepath.Join(dir, "missing.jpg"), "no such file"},
	} {
		if _, err := n.AddPhoto(ctx, c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddPhoto(%s) = %v, want an error saying %q", filepath.Base(c.path), err, c.want)
		}
	}
	if _, err := n.Photo(ctx, strings.Repeat("ab", 32), ""); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Photo of a missing blob with no node: %v, want ErrNotRunning", err)
	}
}

// TestPhotoTravels: A posts a room with a photo; B gets the room and then
// the photo from A; A goes away; C, connected to B only, gets it from B.
func TestPhotoTravels(t *testing.T) {
	ctx := context.Background()
	loop := []string{"/ip4/127.0.0.1/tcp/0"}
	a, err := Open(Options{DataDir: t.TempDir(), Listen: loop, NoDHT: true, NoPortMap: true})
	if err != nil {
		t.Fatal(err)
	}
	aOpen := true
	defer func() {
		if aOpen {
			a.Close()
		}
	}()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hash, err := a.AddPhoto(ctx, writePNG(t, t.TempDir(), 640, 480))
	if err != nil {
		t.Fatal(err)
	}
	want, err := a.Photo(ctx, hash, "")
	if err != nil {
		t.Fatal(err)
	}
	room := testRoom()
	room.Photos = []string{hash}
	if _, err := a.PostRoom(ctx, room); err != nil {
		t.Fatal(err)
	}
	if info, err := a.blobs().Info(ctx, hash); err != nil || !info.Pinned {
		t.Errorf("A's photo of its own room: %+v %v, want pinned", info, err)
	}

	b := startPhotoNode(t, loop, photoNodeAddr(t, a))
	var author string
	waitForPhoto(t, 15*time.Second, "A's room reaches B", func() bool {
		rooms, err := b.Rooms(ctx, RoomQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rooms) == 1 {
			author = rooms[0].Author
		}
		return len(rooms) == 1
	})
	got, err := b.Photo(ctx, rooms0Photo(t, b), author)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("B's photo from A: %d bytes, %v; want A's %d bytes", len(got), err, len(want))
	}
	if info, err := b.blobs().Info(ctx, hash); err != nil || info.Pinned {
		t.Errorf("B's copy of A's photo: %+v %v, want cached, not pinned", info, err)
	}

	aOpen = false
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	c := startPhotoNode(t, loop, photoNodeAddr(t, b))
	waitForPhoto(t, 15*time.Second, "C gets the photo from B", func() bool {
		got, err = c.Photo(ctx, hash, author) // the author is gone: any peer that has it
		return err == nil
	})
	if !bytes.Equal(got, want) {
		t.Fatalf("C's photo: %d bytes, want A's %d bytes", len(got), len(want))
	}
}

// TestPhotoThroughRunningNode: a second handle on a data dir where a node
// runs (as a scripting command would be) gets a photo through that node.
func TestPhotoThroughRunningNode(t *testing.T) {
	ctx := context.Background()
	loop := []string{"/ip4/127.0.0.1/tcp/0"}
	a := startPhotoNode(t, loop, "")
	hash, err := a.AddPhoto(ctx, writePNG(t, t.TempDir(), 100, 100))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b, err := Open(Options{DataDir: dir, Listen: loop, Peers: []string{photoNodeAddr(t, a)}, NoDHT: true, NoPortMap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cmd := openNode(t, Options{DataDir: dir}) // like `caravan photo get` while b runs
	waitForPhoto(t, 15*time.Second, "the runtime state is written", func() bool {
		st, err := cmd.Status(ctx)
		return err == nil && st.Running && st.Peers > 0
	})
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	data, err := cmd.Photo(wctx, hash, a.Self())
	if err != nil || blob.Hash(data) != hash {
		t.Fatalf("Photo through the running node: %d bytes, %v", len(data), err)
	}
}

// startPhotoNode opens and starts a node on loopback, connected to peer if given.
func startPhotoNode(t *testing.T, listen []string, peerAddr string) *Node {
	t.Helper()
	opts := Options{Listen: listen, NoDHT: true, NoPortMap: true}
	if peerAddr != "" {
		opts.Peers = []string{peerAddr}
	}
	n := openNode(t, opts)
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return n
}

func photoNodeAddr(t *testing.T, n *Node) string {
	t.Helper()
	st, err := n.Status(context.Background())
	if err != nil || len(st.Addrs) == 0 {
		t.Fatalf("status: %v, addrs %v", err, st.Addrs)
	}
	return st.Addrs[0]
}

func rooms0Photo(t *testing.T, n *Node) string {
	t.Helper()
	rooms, err := n.Rooms(context.Background(), RoomQuery{})
	if err != nil || len(rooms) == 0 || len(rooms[0].Photos) == 0 {
		t.Fatalf("rooms %+v, %v: want one with a photo", rooms, err)
	}
	return rooms[0].Photos[0]
}

// waitForPhoto polls cond every 50 ms until it holds or d has passed.
func waitForPhoto(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
