package mapview

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// markerTextSize is the size of a marker's count and of a pin's label, in
// Fyne units.
const markerTextSize = 12

// maxSprites bounds the sprites a layer keeps; past it they are made
// afresh.
const maxSprites = 4096

// markerLayer draws the map's markers — dots, counts, labels — into one
// image: the tiles', or its own over the routes. A map with thousands of pins shows a few hundred
// markers; as canvas objects (a circle, a text, a halo and a label each)
// every one of them was laid out, measured, shaped and rasterised on its
// own each frame. Now each distinct marker is drawn once into a sprite and
// kept, and a frame composes the sprites at the screen's pixels (see
// composite). UI goroutine only.
type markerLayer struct {
	// own is the layer's image; to is where the frame's markers go: own,
	// or the tiles' image.
	own, to *composite
	// scale is the canvas scale the sprites and face were made for.
	scale   float32
	font    *opentype.Font // the theme's bold text font; nil if unreadable
	face    font.Face      // font at markerTextSize and scale
	sprites map[spriteKey]*sprite
}

// spriteKey names a sprite: a dot with its count, or a label.
type spriteKey struct {
	label  bool
	text   string
	radius float32
	fill   color.NRGBA
	stroke float32
}

// sprite is a marker drawn once: its pixels and where its anchor (the
// dot's centre, or the label halo's top-left corner) falls in them.
type sprite struct {
	img    *image.RGBA // premultiplied, as the painter's textures take it
	anchor image.Point
}

func newMarkerLayer() *markerLayer {
	l := &markerLayer{sprites: make(map[spriteKey]*sprite),
		own: newComposite(color.RGBA{}, canvas.ImageScalePixels)} // drawn at the screen's pixels already
	if f, err := opentype.Parse(theme.TextBoldFont().Content()); err == nil {
		l.font = f
	} else {
		fyne.LogError("map markers: reading the text font", err)
	}
	return l
}

// setScale makes the layer draw for a canvas scale, dropping what was made
// for another.
func (l *markerLayer) setScale(s float32) {
	if s <= 0 {
		s = 1
	}
	if s == l.scale && (l.face != nil || l.font == nil) {
		return
	}
	l.scale = s
	clear(l.sprites)
	l.face = nil
	if l.font != nil {
		face, err := opentype.NewFace(l.font, &opentype.FaceOptions{Size: float64(markerTextSize * s), DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			fyne.LogError("map markers: making the text face", err)
			return
		}
		l.face = face
	}
}

// textSize is the size of s in Fyne units at markerTextSize.
func (l *markerLayer) textSize(s string) fyne.Size {
	if l.face == nil || s == "" {
		return fyne.Size{}
	}
	m := l.face.Metrics()
	w := float32(font.MeasureString(l.face, s)) / 64
	h := float32(m.Ascent+m.Descent) / 64
	return fyne.NewSize(w/l.scale, h/l.scale)
}

// begin starts a frame drawing into to: l.own, or another composite at the
// screen's pixels, begun already.
func (l *markerLayer) begin(to *composite) {
	if l.to = to; to == l.own {
		to.begin()
	}
}

// put places sprite sp with its anchor at p (Fyne units).
func (l *markerLayer) put(sp *sprite, p fyne.Position) {
	l.to.put(sp.img, image.Pt(int(math.Round(float64(p.X*l.scale)))-sp.anchor.X, int(math.Round(float64(p.Y*l.scale)))-sp.anchor.Y), draw.Over)
}

// end composes the markers placed in l.own over a map of size sz and
// appends their image to objs, if any marker was placed.
func (l *markerLayer) end(objs []fyne.CanvasObject, sz fyne.Size) []fyne.CanvasObject {
	return l.own.end(objs, int(math.Ceil(float64(sz.Width*l.scale))), int(math.Ceil(float64(sz.Height*l.scale))), sz)
}

// get returns the sprite of key, drawing it the first time.
func (l *markerLayer) get(k spriteKey) *sprite {
	if sp, ok := l.sprites[k]; ok {
		return sp
	}
	if len(l.sprites) >= maxSprites {
		clear(l.sprites)
	}
	var sp *sprite
	if k.label {
		sp = l.drawLabel(k.text)
	} else {
		sp = l.drawDot(k)
	}
	l.sprites[k] = sp
	return sp
}

// drawDot draws a dot of radius k.radius (Fyne units) with a white ring of
// k.stroke inside its edge, filled with k.fill, and k.text centred on it.
func (l *markerLayer) drawDot(k spriteKey) *sprite {
	r := k.radius * l.scale
	n := int(math.Ceil(float64(2*r))) + 2
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	c := float32(n) / 2
	inner := r - k.stroke*l.scale
	fillPath(img, circlePath(c, c, inner, false), k.fill)
	ring := func(z *vector.Rasterizer) {
		circlePath(c, c, r, false)(z)
		circlePath(c, c, inner, true)(z) // the other way round: a hole
	}
	fillPath(img, ring, white)
	if k.text != "" && l.face != nil {
		m := l.face.Metrics()
		w := font.MeasureString(l.face, k.text)
		d := font.Drawer{Dst: img, Src: image.NewUniform(white), Face: l.face,
			Dot: fixed.Point26_6{X: fixed.Int26_6(c*64) - w/2, Y: fixed.Int26_6(c*64) + (m.Ascent-m.Descent)/2}}
		d.DrawString(k.text)
	}
	return &sprite{img: img, anchor: image.Pt(n/2, n/2)}
}

// labelPad is the room either side of a label's text in its halo, in Fyne
// units.
const labelPad = 3

// drawLabel draws text on its halo; the anchor is the halo's top-left.
func (l *markerLayer) drawLabel(text string) *sprite {
	ts := l.textSize(text)
	w := int(math.Ceil(float64((ts.Width + 2*labelPad) * l.scale)))
	h := int(math.Ceil(float64(ts.Height * l.scale)))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillPath(img, roundRectPath(0, 0, float32(w), float32(h), 4*l.scale), color.NRGBA{0xff, 0xff, 0xff, 0xd8})
	if l.face != nil {
		d := font.Drawer{Dst: img, Src: image.NewUniform(labelColor), Face: l.face,
			Dot: fixed.Point26_6{X: fixed.Int26_6(labelPad * l.scale * 64), Y: l.face.Metrics().Ascent}}
		d.DrawString(text)
	}
	return &sprite{img: img}
}

// pathFn adds a closed path to a rasterizer.
type pathFn func(z *vector.Rasterizer)

// fillPath fills path over img in col, anti-aliased. Where the path
// winds round a point once one way and once the other, it is not filled.
func fillPath(img *image.RGBA, path pathFn, col color.NRGBA) {
	b := img.Rect
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	path(z)
	z.Draw(img, b, image.NewUniform(col), image.Point{})
}

// kappa places the control points of a cubic Bézier quarter circle.
const kappa = 0.5522847

// circlePath is a circle of radius r round (cx, cy), clockwise on the
// screen, or anticlockwise if back (the same circle mirrored top to
// bottom).
func circlePath(cx, cy, r float32, back bool) pathFn {
	return func(z *vector.Rasterizer) {
		if r <= 0 {
			return
		}
		k, d := kappa*r, float32(1)
		if back {
			d = -1
		}
		z.MoveTo(cx+r, cy)
		z.CubeTo(cx+r, cy+d*k, cx+k, cy+d*r, cx, cy+d*r)
		z.CubeTo(cx-k, cy+d*r, cx-r, cy+d*k, cx-r, cy)
		z.CubeTo(cx-r, cy-d*k, cx-k, cy-d*r, cx, cy-d*r)
		z.CubeTo(cx+k, cy-d*r, cx+r, cy-d*k, cx+r, cy)
		z.ClosePath()
	}
}

func roundRectPath(x, y, w, h, r float32) pathFn {
	return func(z *vector.Rasterizer) {
		r := min(r, w/2, h/2)
		k := kappa * r
		z.MoveTo(x+r, y)
		z.LineTo(x+w-r, y)
		z.CubeTo(x+w-r+k, y, x+w, y+r-k, x+w, y+r)
		z.LineTo(x+w, y+h-r)
		z.CubeTo(x+w, y+h-r+k, x+w-r+k, y+h, x+w-r, y+h)
		z.LineTo(x+r, y+h)
		z.CubeTo(x+r-k, y+h, x, y+h-r+k, x, y+h-r)
		z.LineTo(x, y+r)
		z.CubeTo(x, y+r-k, x+r-k, y, x+r, y)
		z.ClosePath()
	}
}
