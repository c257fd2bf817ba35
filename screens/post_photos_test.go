package screens

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// thumbs counts the thumbnails drawn and their Remove buttons.
func thumbs(pp *photoPicker) (images int, removes []*widget.Button) {
	walkVisible(pp.grid, func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *canvas.Image:
			if x.Size().Width > thumbSize.Width/2 { // not a button's icon
				images++
			}
		case *widget.Button:
			removes = append(removes, x)
		}
		return true
	})
	return images, removes
}

func TestPostRoomWithPhotos(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	h.ui(func() { h.sh.show(tabPostRoom) }) // builds the screen
	pp := h.sh.post.photos
	h.ui(func() {
		h.sh.show(tabPostRoom)
		if !h.shows("Optional. JPEG or PNG") || !h.shows("Add photos…") {
			t.Errorf("no photo hint; the form shows:\n%s", h.screenTextLocked())
		}
		fill(h, validForm())
		for i := range 3 {
			pp.addPath(fmt.Sprintf("/photos/p%d.jpg", i))
		}
	})
	h.eventually("three thumbnails", func() bool {
		n, rm := thumbs(pp)
		return n == 3 && len(rm) == 3 && pp.pending() == 0 && h.shows("3 photos; the first") && !h.sh.post.submit.Disabled()
	})

	// Remove the second; the others keep their order.
	h.ui(func() {
		_, rm := thumbs(pp)
		test.Tap(rm[1])
	})
	h.eventually("two thumbnails", func() bool { n, _ := thumbs(pp); return n == 2 && h.shows("2 photos") })

	// A file that is not an image is refused next to the photos.
	fake.set(func(f *fakeBackend) { f.addPhotoErr = errors.New("photo /photos/x.txt is not a JPEG or PNG image") })
	h.ui(func() { pp.addPath("/photos/x.txt") })
	h.eventually("the refusal", func() bool {
		n, _ := thumbs(pp)
		return n == 2 && strings.Contains(pp.msg.text(), "Couldn't add x.txt: photo /photos/x.txt is not a JPEG or PNG image")
	})
	fake.set(func(f *fakeBackend) { f.addPhotoErr = nil })

	h.ui(func() { test.Tap(h.sh.post.submit) })
	h.eventually("the post", func() bool { return len(fake.postedRooms()) == 1 })
	got := fake.postedRooms()[0].Photos
	want := []string{fakePhotoHash("/photos/p0.jpg"), fakePhotoHash("/photos/p2.jpg")}
	if !slices.Equal(got, want) {
		t.Errorf("posted photos %v, want %v", got, want)
	}
	h.eventually("an empty form", func() bool { n, _ := thumbs(pp); return n == 0 && len(pp.items) == 0 })
}
