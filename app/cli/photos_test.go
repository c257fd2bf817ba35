package cli

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/p2p/blob"
)

// TestPostRoomWithPhotoFiles: photos in the room file may be image paths
// (relative to the file) and hashes; paths are imported and replaced by
// their hashes; `photo get` writes a stored photo out.
func TestPostRoomWithPhotoFiles(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "pics"), 0o700)
	if err := os.WriteFile(filepath.Join(dir, "pics", "front.png"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o600)
	withPhotos := func(photos string) string {
		path := filepath.Join(dir, "room.json")
		if err := os.WriteFile(path, []byte(strings.Replace(roomJSON, `"amenities"`, `"photos": `+photos+`, "amenities"`, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	for _, c := range []struct{ photos, want string }{
		{`["notes.txt"]`, "field photos[0]: photo " + filepath.Join(dir, "notes.txt") + " is not a JPEG or PNG image"},
		{`["missing.jpg"]`, "field photos[0]: open photo"},
		{`[""]`, "field photos[0]: empty"},
	} {
		_, errs, code := run(t, "post", "room", withPhotos(c.photos), "--data", data)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("photos %s: exit %d, stderr %q; want an error saying %q", c.photos, code, errs, c.want)
		}
	}

	other := blob.Hash([]byte("a photo stored elsewhere"))
	var posted struct{ ID string }
	runJSON(t, &posted, "post", "room", withPhotos(`["pics/front.png", "`+other+`"]`), "--data", data)

	n, err := app.Open(app.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	rooms, err := n.Rooms(context.Background(), app.RoomQuery{})
	n.Close()
	if err != nil || len(rooms) != 1 || rooms[0].ID != posted.ID || len(rooms[0].Photos) != 2 || rooms[0].Photos[1] != other {
		t.Fatalf("rooms %+v, %v: want the posted room with two photos, the second as given", rooms, err)
	}
	hash := rooms[0].Photos[0]

	out := filepath.Join(dir, "out.jpg")
	var got struct {
		Hash  string
		Bytes int
	}
	runJSON(t, &got, "photo", "get", hash, out, "--data", data)
	file, err := os.ReadFile(out)
	if err != nil || blob.Hash(file) != hash || got.Hash != hash || got.Bytes != len(file) {
		t.Fatalf("photo get wrote %d bytes (%v), printed %+v; want the photo %s", len(file), err, got, hash)
	}
	if _, errs, code := run(t, "photo", "get", other, out, "--data", data); code == 0 || !strings.Contains(errs, "no node is running") {
		t.Errorf("photo get of a photo not stored, no node running: exit %d, %q; want a no-node error", code, errs)
	}
	if _, errs, code := run(t, "photo", "get", "nothex", out, "--data", data); code == 0 || !strings.Contains(errs, "not a lowercase hex SHA-256") {
		t.Errorf("photo get of a bad hash: exit %d, %q", code, errs)
	}
}
