package mapview

import (
	"image/draw"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestMarkerSprites checks that the markers are drawn from sprites made
// once, into the tiles' image when no route lies between them, into an
// image of their own over the routes when one does; and that a frame with
// nothing changed draws no sprite again and leaves the image as it was.
func TestMarkerSprites(t *testing.T) {
	m, _, _ := newTestMap(t)
	m.SetPins(amsterdamPins())
	r := test.WidgetRenderer(m).(*mapRenderer)

	labels := 0
	for _, mk := range r.marks {
		if mk.label != "" {
			labels++
		}
	}
	if len(r.marks) == 0 || labels == 0 {
		t.Fatalf("%d markers, %d labels drawn", len(r.marks), labels)
	}
	if r.layer.to != r.tiles {
		t.Fatal("with no route, the markers are not drawn into the tiles' image")
	}
	if sprites := len(r.tiles.shown) - len(r.tiles.placedOf(draw.Src)); sprites != len(r.marks)+labels {
		t.Errorf("%d sprites placed for %d markers and %d labels", sprites, len(r.marks), labels)
	}
	if slices.Contains(r.objects, fyne.CanvasObject(r.layer.own.obj)) {
		t.Error("the markers' own image is shown while they are in the tiles'")
	}
	for _, mk := range r.marks {
		if mk.dot.text != "" || mk.dot.fill != pinColor {
			continue // a cluster's colour is see-through, a selected pin's another
		}
		if c := nrgbaAt(r.tiles.frame, int(mk.pos.X), int(mk.pos.Y)); c != pinColor {
			t.Errorf("pin at %v is %v in the map's image, want %v", mk.pos, c, pinColor)
		}
	}

	frame := slices.Clone(r.tiles.frame.Pix)
	sprites := len(r.layer.sprites)
	m.Refresh()
	if len(r.layer.sprites) != sprites {
		t.Errorf("sprites %d, then %d after a refresh with nothing changed", sprites, len(r.layer.sprites))
	}
	if !slices.Equal(frame, r.tiles.frame.Pix) {
		t.Error("the map's image changed over a refresh with nothing changed")
	}

	m.SetRoutes([]Route{{ID: "r", Points: [][2]float64{{4.8922, 52.3731}, {5.0, 52.2}}}})
	if r.layer.to != r.layer.own {
		t.Fatal("with a route, the markers are not drawn over it")
	}
	i := slices.Index(r.objects, fyne.CanvasObject(r.layer.own.obj))
	if i < 0 || i < slices.Index(r.objects, fyne.CanvasObject(r.lines[0])) || i < slices.Index(r.objects, fyne.CanvasObject(r.tiles.obj)) {
		t.Errorf("the markers' image is at %d of the objects, the route at %d, the tiles at %d", i,
			slices.Index(r.objects, fyne.CanvasObject(r.lines[0])), slices.Index(r.objects, fyne.CanvasObject(r.tiles.obj)))
	}
	if len(r.tiles.placedOf(draw.Over)) != 0 {
		t.Error("markers are still drawn into the tiles' image")
	}
}

// TestMarkerSpritePixels checks what the sprites hold: a dot of its fill
// colour ringed in white, and a label's text in dark pixels on its halo.
func TestMarkerSpritePixels(t *testing.T) {
	test.NewTempApp(t)
	l := newMarkerLayer()
	l.setScale(1)
	dot := l.get(spriteKey{radius: 12, fill: clusterColor, stroke: 3})
	// Stored premultiplied, a translucent colour comes back within a step
	// or two of rounding.
	near := func(a, b uint8) bool { return max(a, b)-min(a, b) <= 2 }
	c := nrgbaAt(dot.img, dot.anchor.X, dot.anchor.Y)
	if !near(c.R, clusterColor.R) || !near(c.G, clusterColor.G) || !near(c.B, clusterColor.B) || c.A != clusterColor.A {
		t.Errorf("dot centre %v, want %v", c, clusterColor)
	}
	if e := nrgbaAt(dot.img, dot.anchor.X+11, dot.anchor.Y); e.R < 0xf0 || e.G < 0xf0 || e.B < 0xf0 {
		t.Errorf("dot edge %v, want its white ring", e)
	}
	lab := l.get(spriteKey{label: true, text: "€80"})
	dark := 0
	b := lab.img.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if p := nrgbaAt(lab.img, x, y); p.A > 0xc0 && p.R < 0x80 {
				dark++
			}
		}
	}
	if dark == 0 || b.Dx() < 20 {
		t.Errorf("label sprite %v with %d dark pixels: no text drawn", b, dark)
	}
	if l.get(spriteKey{label: true, text: "€80"}) != lab {
		t.Error("the same label drawn twice")
	}
}

// TestMarkersOnDenseScreen checks a map on a screen of two pixels per
// unit: the tiles are composed at their own pixels, for the painter to
// scale, and the markers at the screen's, in an image of their own over
// them.
func TestMarkersOnDenseScreen(t *testing.T) {
	m, _, w := newTestMap(t)
	w.Canvas().(interface{ SetScale(float32) }).SetScale(2)
	m.SetPins(amsterdamPins())
	r := test.WidgetRenderer(m).(*mapRenderer)
	if r.layer.to != r.layer.own {
		t.Fatal("on a dense screen the markers are drawn into the tiles' image")
	}
	sz := m.Size()
	if got := r.tiles.frame.Rect.Size(); got.X != int(sz.Width) || got.Y != int(sz.Height) {
		t.Errorf("tiles' image %v for a map of %v", got, sz)
	}
	if got := r.layer.own.frame.Rect.Size(); got.X != int(2*sz.Width) || got.Y != int(2*sz.Height) {
		t.Errorf("markers' image %v for a map of %v at scale 2", got, sz)
	}
	tiles := slices.Index(r.objects, fyne.CanvasObject(r.tiles.obj))
	if marks := slices.Index(r.objects, fyne.CanvasObject(r.layer.own.obj)); tiles < 0 || marks < tiles {
		t.Errorf("the markers' image is at %d of the objects, the tiles' at %d", marks, tiles)
	}
	for _, mk := range r.marks {
		if mk.dot.text == "" && mk.dot.fill == pinColor {
			if c := nrgbaAt(r.layer.own.frame, int(2*mk.pos.X), int(2*mk.pos.Y)); c != pinColor {
				t.Errorf("pin at %v is %v in the markers' image, want %v", mk.pos, c, pinColor)
			}
		}
	}
}
