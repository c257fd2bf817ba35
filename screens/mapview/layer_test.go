package mapview

import (
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// TestMarkerSprites checks that the markers are drawn as one image per dot
// and per label, from sprites drawn once: a frame with nothing changed
// draws no sprite again and gives each object the image it had.
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
	if r.layer.n != len(r.marks)+labels {
		t.Errorf("%d marker objects for %d markers and %d labels", r.layer.n, len(r.marks), labels)
	}
	placed := 0
	for _, o := range r.objects {
		for _, lo := range r.layer.objs[:r.layer.n] {
			if o == lo {
				placed++
			}
		}
	}
	if placed != r.layer.n {
		t.Errorf("%d of %d marker objects among the map's objects", placed, r.layer.n)
	}

	before := make([]*canvas.Image, r.layer.n)
	copy(before, r.layer.objs)
	imgs := make(map[*canvas.Image]any, r.layer.n)
	for _, o := range before {
		imgs[o] = o.Image
	}
	sprites := len(r.layer.sprites)
	m.Refresh()
	if len(r.layer.sprites) != sprites {
		t.Errorf("sprites %d, then %d after a refresh with nothing changed", sprites, len(r.layer.sprites))
	}
	for i, o := range r.layer.objs[:r.layer.n] {
		if o != before[i] || o.Image != imgs[o] {
			t.Errorf("marker object %d changed over a refresh with nothing changed", i)
		}
	}
}

// TestMarkerSpritePixels checks what the sprites hold: a dot of its fill
// colour ringed in white, and a label's text in dark pixels on its halo.
func TestMarkerSpritePixels(t *testing.T) {
	test.NewTempApp(t)
	l := newMarkerLayer()
	l.setScale(1)
	dot := l.get(spriteKey{radius: 12, fill: clusterColor, stroke: 3})
	c := dot.img.NRGBAAt(dot.anchor.X, dot.anchor.Y)
	if c.R != clusterColor.R || c.G != clusterColor.G || c.B != clusterColor.B {
		t.Errorf("dot centre %v, want %v", c, clusterColor)
	}
	if e := dot.img.NRGBAAt(dot.anchor.X+11, dot.anchor.Y); e.R < 0xf0 || e.G < 0xf0 || e.B < 0xf0 {
		t.Errorf("dot edge %v, want its white ring", e)
	}
	lab := l.get(spriteKey{label: true, text: "€80"})
	dark := 0
	b := lab.img.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if p := lab.img.NRGBAAt(x, y); p.A > 0xc0 && p.R < 0x80 {
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
