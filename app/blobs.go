package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // AddPhoto takes PNG files
	"os"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/image/draw"

	"github.com/caravan-p2p/caravan/p2p"
	"github.com/caravan-p2p/caravan/p2p/blob"
	"github.com/caravan-p2p/caravan/storage"
)

// Photos and avatars (issue 3 item 7).
const (
	// blobCacheBytes is how much the blobs of other people's listings may
	// take on disk; the photos of the user's own live listings come on top.
	blobCacheBytes = 256 << 20
	// MaxPhotoFile is the largest image file AddPhoto reads.
	MaxPhotoFile = 40 << 20
	// maxPhotoPixels is the largest image AddPhoto decodes (a 100 MP camera),
	// so a small file that claims a huge image cannot exhaust memory.
	maxPhotoPixels = 100_000_000
	// PhotoEdge is the longest side of a photo as stored and shared.
	PhotoEdge = 1600
	// photoQuality is the JPEG quality photos are first encoded at; lower
	// ones are tried if the result is over blob.MaxSize.
	photoQuality = 85
	// wantPoll is how often the node looks for blobs a scripting command
	// asked for, and such a command for the blob it asked for.
	wantPoll = 250 * time.Millisecond
	// wantRetry is the least time between two fetches of one wanted blob.
	wantRetry = 5 * time.Second
	// wantMaxAge is how long a wanted blob is looked for.
	wantMaxAge = 2 * time.Minute
)

// blobs is the user's blob store: a bounded cache plus the photos of the
// user's own live listings.
func (n *Node) blobs() *storage.Blobs { return n.store.Blobs(n.Self(), blobCacheBytes) }

// AddPhoto imports a JPEG or PNG file as a listing photo: scaled down to at
// most PhotoEdge pixels on the long side, encoded as JPEG and stored by
// content hash, which it returns for Room.Photos. The photo is kept as long
// as a live listing of the user lists it.
func (n *Node) AddPhoto(ctx context.Context, path string) (string, error) {
	data, err := preparePhoto(path)
	if err != nil {
		return "", err
	}
	hash := blob.Hash(data)
	if err := n.blobs().Put(ctx, hash, data); err != nil {
		return "", fmt.Errorf("store photo %s: %w", path, err)
	}
	n.log.Info("added photo", "path", path, "hash", hash, "bytes", len(data))
	return hash, nil
}

// preparePhoto reads, checks, scales and encodes an image file.
func preparePhoto(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open photo: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("open photo: %w", err)
	case fi.IsDir():
		return nil, fmt.Errorf("photo %s is a directory, not an image file", path)
	case fi.Size() > MaxPhotoFile:
		return nil, fmt.Errorf("photo %s is %d MiB; an image file may be at most %d MiB", path, fi.Size()>>20, MaxPhotoFile>>20)
	}
	cfg, format, err := image.DecodeConfig(f)
	if err != nil || (format != "jpeg" && format != "png") {
		return nil, fmt.Errorf("photo %s is not a JPEG or PNG image", path)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > maxPhotoPixels {
		return nil, fmt.Errorf("photo %s is %d×%d pixels; at most %d megapixels are accepted", path, cfg.Width, cfg.Height, maxPhotoPixels/1_000_000)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("photo %s: broken %s image: %w", path, format, err)
	}
	out := scaleDown(img, PhotoEdge)
	for q := photoQuality; q >= 40; q -= 15 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: q}); err != nil {
			return nil, fmt.Errorf("encode photo %s: %w", path, err)
		}
		if buf.Len() <= blob.MaxSize {
			return buf.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("photo %s does not fit in %d MiB even as a low-quality JPEG", path, blob.MaxSize>>20)
}

// scaleDown draws img on white (JPEG has no transparency), scaled so that
// its long side is at most edge pixels. A large image is first halved
// cheaply down to twice the target size, then filtered with Catmull-Rom:
// a 24 MP photo takes half a second instead of several.
func scaleDown(img image.Image, edge int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > edge {
		w, h = max(1, w*edge/long), max(1, h*edge/long)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
		return dst
	}
	if b.Dx() > 2*w && b.Dy() > 2*h {
		mid := image.NewRGBA(image.Rect(0, 0, 2*w, 2*h))
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), img, b, draw.Src, nil)
		img, b = mid, mid.Bounds()
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

// Photo returns a photo or avatar by hash: from the local store, else from
// the network, asking author (the peer ID of the listing's or profile's
// author; "" if unknown) first and then any connected peer, and keeps it.
// When a node runs on the data dir in another process, that node fetches
// it; with no node running there, a photo not stored here is ErrNotRunning.
func (n *Node) Photo(ctx context.Context, hash, author string) ([]byte, error) {
	if _, err := blob.ParseHash(hash); err != nil {
		return nil, err
	}
	var from peer.ID
	if author != "" {
		var err error
		if from, err = peer.Decode(author); err != nil {
			return nil, fmt.Errorf("photo author %q is not a peer ID: %w", author, err)
		}
	}
	b := n.blobs()
	data, err := b.Get(ctx, hash)
	if !errors.Is(err, storage.ErrNotFound) {
		return data, err
	}
	if p := n.running(); p != nil {
		return n.fetchBlob(ctx, p, hash, from)
	}
	if st, err := n.runtimeState(ctx); err != nil || !st.Running {
		return nil, fmt.Errorf("photo %s is not stored here: %w", hash, ErrNotRunning)
	}
	// A node runs on the data dir in another process: ask it, then wait.
	if err := b.Want(ctx, hash, author); err != nil {
		return nil, err
	}
	tick := time.NewTicker(wantPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("photo %s: the running node did not find it in time: %w", hash, ctx.Err())
		case <-tick.C:
		}
		data, err := b.Get(ctx, hash)
		if !errors.Is(err, storage.ErrNotFound) {
			return data, err
		}
	}
}

// fetchBlob fetches a blob from the network and stores it.
func (n *Node) fetchBlob(ctx context.Context, p *p2p.Peer, hash string, author peer.ID) ([]byte, error) {
	data, err := blob.NewFetcher(p.Host(), n.log).Fetch(ctx, hash, author)
	if err != nil {
		return nil, err
	}
	if err := n.blobs().Put(ctx, hash, data); err != nil {
		return nil, err
	}
	return data, nil
}

// blobLoop serves the store's blobs to peers while the node runs, and
// fetches the blobs that scripting commands in other processes ask for.
func (n *Node) blobLoop(ctx context.Context) {
	p := n.running()
	if p == nil {
		return
	}
	srv := blob.Serve(p.Host(), blobSource{n.blobs()}, blob.Limits{}, n.log)
	defer srv.Close()
	tick := time.NewTicker(wantPoll)
	defer tick.Stop()
	tried := map[string]time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		wants, err := n.blobs().Wants(ctx, wantMaxAge)
		if err != nil {
			n.log.Warn("read wanted blobs", "err", err)
			continue
		}
		live := map[string]time.Time{}
		for _, w := range wants {
			last, ok := tried[w.Hash]
			if ok && time.Since(last) < wantRetry {
				live[w.Hash] = last
				continue
			}
			live[w.Hash] = time.Now()
			author, _ := peer.Decode(w.Author) // checked by Photo; "" means ask anyone
			if _, err := n.fetchBlob(ctx, p, w.Hash, author); err != nil {
				n.log.Debug("fetch wanted blob", "hash", w.Hash, "err", err)
			}
		}
		tried = live
	}
}

// blobSource serves the blob store to peers.
type blobSource struct{ b *storage.Blobs }

func (s blobSource) Get(ctx context.Context, hash string) ([]byte, error) {
	data, err := s.b.Get(ctx, hash)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", blob.ErrNotFound, err)
	}
	return data, err
}
