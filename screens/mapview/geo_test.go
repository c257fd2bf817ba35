package mapview

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func TestTileURL(t *testing.T) {
	cases := []struct {
		name     string
		template string
		tile     maptile.Tile
		want     string
	}{
		{"osm", DefaultTileURL, maptile.New(2103, 1346, 12), "https://tile.openstreetmap.org/12/2103/1346.png"},
		{"zero", DefaultTileURL, maptile.New(0, 0, 0), "https://tile.openstreetmap.org/0/0/0.png"},
		{"subdomain", "https://{s}.tile.example/{z}/{x}/{y}.png", maptile.New(1, 0, 1), "https://b.tile.example/1/1/0.png"},
		{"order", "http://h/t?x={x}&y={y}&z={z}", maptile.New(5, 7, 4), "http://h/t?x=5&y=7&z=4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := TileURL(c.template, c.tile); got != c.want {
				t.Errorf("TileURL = %q, want %q", got, c.want)
			}
		})
	}
}

func TestTileAt(t *testing.T) {
	cases := []struct {
		name     string
		lat, lon float64
		z        int
		x, y     uint32
	}{
		{"amsterdam z12", 52.3731, 4.8922, 12, 2103, 1346},
		{"amsterdam z2", 52.3731, 4.8922, 2, 2, 1},
		{"sydney z10", -33.86, 151.21, 10, 942, 614},
		{"null island z1", 0.0001, 0.0001, 1, 1, 0},
		{"north-west corner z3", 85.05, -180, 3, 0, 0},
		{"beyond the pole is clamped", 89.9, 10, 4, 8, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tileAt(orb.Point{c.lon, c.lat}, c.z)
			if got.X != c.x || got.Y != c.y || int(got.Z) != c.z {
				t.Errorf("tileAt = %d/%d/%d, want %d/%d/%d", got.Z, got.X, got.Y, c.z, c.x, c.y)
			}
			// The tile's own bound holds the point (clamped).
			if b := got.Bound(); !b.Contains(orb.Point{c.lon, clampLat(c.lat)}) {
				t.Errorf("bound %v doesn't hold the point", b)
			}
		})
	}
}

func TestWorldRoundTrip(t *testing.T) {
	for _, ll := range []orb.Point{{0, 0}, {4.8922, 52.3731}, {-179.9, -85}, {179.9, 85}, {-73.98, 40.75}} {
		w := toWorld(ll)
		if w[0] < 0 || w[0] > 1 || w[1] < 0 || w[1] > 1 {
			t.Errorf("toWorld(%v) = %v, outside the unit square", ll, w)
		}
		back := fromWorld(w)
		if !near(back[0], ll[0], 1e-9) || !near(back[1], ll[1], 1e-9) {
			t.Errorf("round trip of %v gave %v", ll, back)
		}
		// The world point agrees with the tile math of orb/maptile.
		f := maptile.Fraction(ll, 10)
		if !near(w[0]*1024, f[0], 1e-6) || !near(w[1]*1024, f[1], 1e-6) {
			t.Errorf("toWorld(%v)*1024 = %v, maptile.Fraction = %v", ll, orb.Point{w[0] * 1024, w[1] * 1024}, f)
		}
	}
	if c := toWorld(orb.Point{0, 0}); c != (orb.Point{0.5, 0.5}) {
		t.Errorf("toWorld(0,0) = %v", c)
	}
}

func TestWrapRing(t *testing.T) {
	// A square from 179°E to 179°W, 60..70°N, crossing the antimeridian.
	ll := []orb.Point{{179, 60}, {-179, 60}, {-179, 70}, {179, 70}, {179, 60}}
	w := make([]orb.Point, len(ll))
	for i, p := range ll {
		w[i] = toWorld(p)
	}
	rings := wrapRing(w)
	if len(rings) != 2 {
		t.Fatalf("%d rings, want the unwrapped ring and its shifted copy", len(rings))
	}
	for _, r := range rings {
		for i := 1; i < len(r); i++ {
			if d := r[i][0] - r[i-1][0]; d > 0.5 || d < -0.5 {
				t.Errorf("ring still jumps %v -> %v", r[i-1], r[i])
			}
		}
	}
	// A ring round the world near the south pole is closed along it.
	var south []orb.Point
	for lon := -180.0; lon <= 180; lon += 30 {
		south = append(south, toWorld(orb.Point{lon, -75}))
	}
	south = append(south, south[0])
	rings = wrapRing(south)
	for _, r := range rings {
		for _, p := range r[len(r)-2:] {
			if p[1] != 1 {
				t.Errorf("ring not closed along the south pole: %v", r[len(r)-2:])
			}
		}
	}
}

// The basemap draws Amsterdam on land, the North Sea as water, and no
// stripes across the Arctic where Russia crosses the antimeridian.
func TestBasemapTiles(t *testing.T) {
	b := testBasemap(t)
	at := func(ll orb.Point, z int) bool {
		tl := tileAt(ll, z)
		img := b.renderTile(tl)
		w := toWorld(ll)
		n := float64(int(1) << z)
		x := int((w[0]*n - float64(tl.X)) * TileSize)
		y := int((w[1]*n - float64(tl.Y)) * TileSize)
		return nrgbaAt(img, x, y) == LandColor
	}
	cases := []struct {
		name string
		ll   orb.Point
		z    int
		land bool
	}{
		{"Amsterdam", orb.Point{4.95, 52.33}, 8, true},
		{"North Sea", orb.Point{3.0, 55.0}, 6, false},
		{"Atlantic", orb.Point{-30, 40}, 2, false},
		{"Sahara", orb.Point{10, 23}, 3, true},
		{"Arctic Ocean north of Alaska", orb.Point{-150, 75}, 2, false},
		{"Chukotka", orb.Point{175, 66}, 4, true},
		{"Greenland Sea", orb.Point{-5, 72}, 2, false},
		{"Siberia", orb.Point{100, 65}, 2, true},
		{"Denmark Strait", orb.Point{-27, 67.5}, 2, false},
		{"Norwegian Sea", orb.Point{0, 71.2}, 3, false},
	}
	for _, c := range cases {
		if got := at(c.ll, c.z); got != c.land {
			t.Errorf("%s (%v, z%d): land=%v, want %v", c.name, c.ll, c.z, got, c.land)
		}
	}
}
