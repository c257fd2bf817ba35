package app

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p/blob"
)

func TestSaveProfile(t *testing.T) {
	ctx := context.Background()
	n := openNode(t, Options{})

	got, err := n.Profile(ctx, n.Self())
	if err != nil || got.Found || got.DisplayName() != ShortPeer(n.Self()) {
		t.Fatalf("profile before any: %+v, %v", got, err)
	}

	// No listing, no booking, no map: no cells, yet queued for the user's
	// person topic.
	saved, err := n.SaveProfile(ctx, Profile{Name: "Ada", About: "Walks a lot.", Languages: []string{"en", "fr"}})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 1 || len(saved.Cells) != 0 {
		t.Errorf("first save: %+v", saved)
	}
	if out, err := n.store.Outbox(ctx, 10); err != nil || len(out) != 1 || out[0].Kind != domain.KindProfile {
		t.Errorf("outbox after a profile with no cells: %d records, %v; want the profile", len(out), err)
	}

	// With a room, the profile goes where the room is, as a new version.
	if _, err := n.PostRoom(ctx, testRoom()); err != nil {
		t.Fatal(err)
	}
	saved, err = n.SaveProfile(ctx, Profile{Name: "Ada L.", Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	r := testRoom()
	room := domain.CellAt(r.Point())
	if saved.Version != 2 || !slices.Equal(saved.Cells, []string{room}) {
		t.Errorf("second save: version %d, cells %v; want 2, [%s]", saved.Version, saved.Cells, room)
	}
	out, err := n.store.Outbox(ctx, 10)
	if err != nil || !slices.ContainsFunc(out, func(r domain.Record) bool { return r.Kind == domain.KindProfile }) {
		t.Errorf("outbox: %d records, %v; want the profile queued", len(out), err)
	}

	got, err = n.Profile(ctx, n.Self())
	if err != nil || !got.Found || got.Name != "Ada L." || got.About != "" || got.Version != 2 || got.DisplayName() != "Ada L." {
		t.Errorf("profile read back: %+v, %v", got, err)
	}
}

func TestSaveProfileRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	n := openNode(t, Options{})
	for _, c := range []struct {
		name  string
		p     Profile
		field string
	}{
		{"no name", Profile{Name: "  "}, "name"},
		{"avatar not a hash", Profile{Name: "Ada", Avatar: "cat.jpg"}, "avatar"},
		{"avatar not stored", Profile{Name: "Ada", Avatar: "0000000000000000000000000000000000000000000000000000000000000000"}, "avatar"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := n.SaveProfile(ctx, c.p)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != c.field {
				t.Fatalf("err %v, want an input error on %s", err, c.field)
			}
		})
	}
	if p, err := n.Profile(ctx, n.Self()); err != nil || p.Found {
		t.Errorf("a refused profile was kept: %+v, %v", p, err)
	}
	if _, err := n.Profile(ctx, "nobody"); err == nil {
		t.Error("Profile of a bad peer ID: no error")
	}
}

func TestAvatar(t *testing.T) {
	ctx := context.Background()
	n := openNode(t, Options{})
	hash, err := n.AddAvatar(ctx, writePNG(t, t.TempDir(), 900, 600))
	if err != nil {
		t.Fatal(err)
	}
	data, err := n.Photo(ctx, hash, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width != AvatarEdge || cfg.Height != AvatarEdge*600/900 {
		t.Fatalf("avatar %dx%d, %v; want %dx%d", cfg.Width, cfg.Height, err, AvatarEdge, AvatarEdge*600/900)
	}
	if _, err := n.SaveProfile(ctx, Profile{Name: "Ada", Avatar: hash}); err != nil {
		t.Fatal(err)
	}

	// Evicted from the cache, it comes back from the copy in the data dir.
	other := []byte("another blob")
	if err := n.store.Blobs(n.Self(), 1).Put(ctx, blob.Hash(other), other); err != nil {
		t.Fatal(err)
	}
	if ok, err := n.blobs().Has(ctx, hash); err != nil || ok {
		t.Fatalf("avatar still stored after a 1-byte cache took a blob: %v %v", ok, err)
	}
	if p, err := n.Profile(ctx, n.Self()); err != nil || p.Avatar != hash {
		t.Fatalf("profile: %+v, %v", p, err)
	}
	if again, err := n.Photo(ctx, hash, ""); err != nil || !bytes.Equal(again, data) {
		t.Errorf("avatar after eviction: %d bytes, %v", len(again), err)
	}

	if _, err := n.AddAvatar(ctx, filepath.Join(t.TempDir(), "missing.png")); err == nil {
		t.Error("a missing file was accepted")
	}
	notImage := filepath.Join(t.TempDir(), "x.png")
	if err := os.WriteFile(notImage, []byte("not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := n.AddAvatar(ctx, notImage); err == nil {
		t.Error("a file that is no image was accepted")
	}
}

// TestProfileTravels: a profile saved on A reaches B, which follows the cell
// of A's room, and B shows A's name.
func TestProfileTravels(t *testing.T) {
	ctx := context.Background()
	loop := []string{"/ip4/127.0.0.1/tcp/0"}
	a := startPhotoNode(t, loop, "")
	if _, err := a.PostRoom(ctx, testRoom()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SaveProfile(ctx, Profile{Name: "Ada", Languages: []string{"en"}}); err != nil {
		t.Fatal(err)
	}
	b := startPhotoNode(t, loop, photoNodeAddr(t, a))
	b.Watch([4]float64{2.3, 48.8, 2.4, 48.9})
	waitForPhoto(t, 20*time.Second, "A's profile reaches B", func() bool {
		p, err := b.Profile(ctx, a.Self())
		if err != nil {
			t.Fatal(err)
		}
		return p.Found && p.DisplayName() == "Ada"
	})
}

// TestProfileWithoutCellsTravels: the profile of a user with no listing
// and no booking goes to the user's person topic, where a peer that looks
// the user up (FollowPerson) finds it.
func TestProfileWithoutCellsTravels(t *testing.T) {
	ctx := context.Background()
	loop := []string{"/ip4/127.0.0.1/tcp/0"}
	a := startPhotoNode(t, loop, "")
	if _, err := a.SaveProfile(ctx, Profile{Name: "Grace"}); err != nil {
		t.Fatal(err)
	}
	b := startPhotoNode(t, loop, photoNodeAddr(t, a))
	if err := b.FollowPerson(a.Self()); err != nil {
		t.Fatal(err)
	}
	waitForPhoto(t, 20*time.Second, "A's profile reaches B on A's person topic", func() bool {
		p, err := b.Profile(ctx, a.Self())
		if err != nil {
			t.Fatal(err)
		}
		return p.Found && p.DisplayName() == "Grace"
	})
}

// TestEventsNameWhatArrived: the events of an incoming chat message and an
// incoming booking request say what arrived and from whom, so the desktop
// can notify; the sender's own events name nothing received.
func TestEventsNameWhatArrived(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	a, b := offlineNode(t, clock), offlineNode(t, clock)
	roomID, err := a.PostRoom(ctx, testRoom())
	if err != nil {
		t.Fatal(err)
	}
	share(t, a, b)
	events, stop := a.Subscribe()
	defer stop()
	bEvents, bStop := b.Subscribe()
	defer bStop()

	if _, err := b.SendChat(ctx, a.Self(), "Is the attic quiet?"); err != nil {
		t.Fatal(err)
	}
	day := func(d int) string { return clock.Now().UTC().AddDate(0, 0, d).Format(domain.DateLayout) }
	if _, err := b.Book(ctx, BookingInput{ListingID: roomID, From: day(2), To: day(4), Guests: 1}); err != nil {
		t.Fatal(err)
	}
	deliver(t, b, a)

	type arrival struct {
		kind     EventKind
		received string
	}
	got := map[arrival]bool{}
	for len(events) > 0 {
		e := <-events
		if e.Received != "" {
			if e.Peer != b.Self() {
				t.Errorf("event %+v: peer is not the sender %s", e, b.Self())
			}
			got[arrival{e.Kind, e.Received}] = true
		}
	}
	if !got[arrival{MessagesChanged, MessageChat}] || !got[arrival{BookingsChanged, MessageBookingRequest}] {
		t.Errorf("received events %v; want a message and a booking request", got)
	}
	for len(bEvents) > 0 {
		if e := <-bEvents; e.Received != "" {
			t.Errorf("the sender's own event %+v names something received", e)
		}
	}
}
