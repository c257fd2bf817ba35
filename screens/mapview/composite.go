package mapview

import (
	"image"
	"image/color"
	"image/draw"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// composite is one image object covering the map, composed of pieces —
// tiles, or marker sprites — copied into a frame of its own.
//
// The painter makes a texture for each image object it draws anew. A
// software OpenGL (Mesa's llvmpipe, as in a virtual machine or under Xvfb)
// flushes what it has drawn of the frame before it makes each one, a few
// ms every time: as an object each, the dozen tiles and few hundred
// markers that change with a zoom made a frame of 50-70 ms (BENCH P6).
// Composed, a layer makes one texture when its pieces changed and none
// when they did not. UI goroutine only.
type composite struct {
	obj   *canvas.Image
	frame *image.RGBA
	fill  color.RGBA // the frame's colour under the pieces
	// placed are the pieces of the frame being built, shown those in obj.
	placed, shown []piece
}

// piece is an image with its top-left corner at a pixel of the frame,
// drawn with op: draw.Src for an opaque one (a plain copy), draw.Over else.
type piece struct {
	img *image.RGBA
	at  image.Point
	op  draw.Op
}

// newComposite makes a composite filled with fill under its pieces, whose
// frame the painter scales to the object's size as mode says.
func newComposite(fill color.RGBA, mode canvas.ImageScale) *composite {
	c := &composite{obj: canvas.NewImageFromImage(nil), fill: fill}
	c.obj.FillMode = canvas.ImageFillStretch
	c.obj.ScaleMode = mode
	return c
}

// begin starts a frame with no piece.
func (c *composite) begin() { c.placed = c.placed[:0] }

// put places img with its top-left corner at pixel at, over the pieces
// placed before it, drawn with op (see piece).
func (c *composite) put(img *image.RGBA, at image.Point, op draw.Op) {
	c.placed = append(c.placed, piece{img, at, op})
}

// end composes the pieces placed into a frame of w×h pixels shown at size
// sz, and appends its object to objs unless it is empty: transparent with
// no piece. The frame is drawn, and its texture made, again only when the
// pieces or the size changed.
func (c *composite) end(objs []fyne.CanvasObject, w, h int, sz fyne.Size) []fyne.CanvasObject {
	resized := c.frame == nil || c.frame.Rect.Dx() != w || c.frame.Rect.Dy() != h
	if resized || !slices.Equal(c.placed, c.shown) {
		if resized {
			c.frame = image.NewRGBA(image.Rect(0, 0, w, h))
		}
		draw.Draw(c.frame, c.frame.Rect, &image.Uniform{C: c.fill}, image.Point{}, draw.Src)
		for _, p := range c.placed {
			draw.Draw(c.frame, p.img.Rect.Sub(p.img.Rect.Min).Add(p.at), p.img, p.img.Rect.Min, p.op)
		}
		c.shown = append(c.shown[:0], c.placed...)
		c.obj.Image = c.frame
		c.obj.Refresh()
	}
	if len(c.shown) == 0 && c.fill.A == 0 {
		return objs
	}
	c.obj.Move(fyne.Position{})
	c.obj.Resize(sz)
	return append(objs, c.obj)
}
