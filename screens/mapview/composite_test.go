package mapview

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// placedOf are the pieces of c's last frame drawn with op.
func (c *composite) placedOf(op draw.Op) []piece {
	var out []piece
	for _, p := range c.shown {
		if p.op == op {
			out = append(out, p)
		}
	}
	return out
}

// TestComposite checks that a composite draws its pieces in order on its
// fill, clears what a piece left behind when it moves, and makes its image
// anew only when the pieces or the size changed.
func TestComposite(t *testing.T) {
	test.NewTempApp(t)
	square := func(n int, c color.RGBA) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, n, n))
		draw.Draw(img, img.Rect, &image.Uniform{C: c}, image.Point{}, draw.Src)
		return img
	}
	sea := color.RGBA{0, 0, 0x80, 0xff}
	red, half := square(4, color.RGBA{0xff, 0, 0, 0xff}), square(4, color.RGBA{0, 0x40, 0, 0x80})
	c := newComposite(sea, canvas.ImageScalePixels)
	frame := func(sz int, pieces ...piece) []fyne.CanvasObject {
		c.begin()
		for _, p := range pieces {
			c.put(p.img, p.at, p.op)
		}
		return c.end(nil, sz, sz, fyne.NewSquareSize(float32(sz)))
	}
	at := func(x, y int) color.RGBA { return c.frame.RGBAAt(x, y) }

	objs := frame(10, piece{red, image.Pt(1, 1), draw.Src}, piece{half, image.Pt(3, 3), draw.Over})
	if len(objs) != 1 || objs[0] != c.obj || c.obj.Image != c.frame || c.obj.Size() != fyne.NewSquareSize(10) {
		t.Fatalf("objects %v, image %p of frame %p", objs, c.obj.Image, c.frame)
	}
	for _, tc := range []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, sea},
		{1, 1, red.RGBAAt(0, 0)},
		{3, 3, color.RGBA{0x7f, 0x40, 0, 0xff}}, // half over red
		{6, 6, color.RGBA{0, 0x40, 0x3f, 0xff}}, // half over the sea
		{7, 7, sea},
	} {
		if got := at(tc.x, tc.y); got != tc.want {
			t.Errorf("pixel %d,%d is %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}

	img := c.frame
	c.frame.Pix[0] = 1 // a mark that only a redraw would wipe
	frame(10, piece{red, image.Pt(1, 1), draw.Src}, piece{half, image.Pt(3, 3), draw.Over})
	if c.frame != img || c.frame.Pix[0] != 1 {
		t.Error("the frame was drawn again with its pieces unchanged")
	}

	frame(10, piece{red, image.Pt(5, 5), draw.Src})
	if at(1, 1) != sea || at(3, 3) != sea || at(5, 5) != red.RGBAAt(0, 0) || c.frame.Pix[0] != 0 {
		t.Errorf("after a move: %v %v %v", at(1, 1), at(3, 3), at(5, 5))
	}

	frame(12, piece{red, image.Pt(9, 9), draw.Src}) // partly off the frame
	if c.frame.Rect.Dx() != 12 || at(11, 11) != red.RGBAAt(0, 0) || at(8, 8) != sea {
		t.Errorf("resized to %v: %v %v", c.frame.Rect, at(11, 11), at(8, 8))
	}

	clear := newComposite(color.RGBA{}, canvas.ImageScalePixels)
	clear.begin()
	if objs := clear.end(nil, 5, 5, fyne.NewSquareSize(5)); len(objs) != 0 {
		t.Errorf("a transparent composite with no piece shows %v", objs)
	}
}
