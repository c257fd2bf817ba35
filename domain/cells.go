package domain

import (
	"fmt"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

// Geo cells are slippy-map tiles (DESIGN §6): TopicZoom for gossip topics and
// record cells, IndexZoom for finer local indexing.
const (
	TopicZoom maptile.Zoom = 6
	IndexZoom maptile.Zoom = 12
	// MaxCells caps the cells of one record; a ride whose route crosses more
	// topic cells is refused.
	MaxCells = 32
)

// CellAt returns the topic cell ("z/x/y") of a point.
func CellAt(p orb.Point) string { return CellName(tileAt(p, TopicZoom)) }

// CellName formats a tile as "z/x/y".
func CellName(t maptile.Tile) string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// ParseCell parses "z/x/y" and checks the tile exists at its zoom.
func ParseCell(s string) (maptile.Tile, error) {
	var z, x, y uint32
	var rest string
	n, _ := fmt.Sscanf(s, "%d/%d/%d%s", &z, &x, &y, &rest)
	if n != 3 || z > 20 || s != fmt.Sprintf("%d/%d/%d", z, x, y) {
		return maptile.Tile{}, fmt.Errorf("cell %q: want z/x/y", s)
	}
	t := maptile.New(x, y, maptile.Zoom(z))
	if !t.Valid() {
		return maptile.Tile{}, fmt.Errorf("cell %q: no such tile at zoom %d", s, z)
	}
	return t, nil
}

// tileAt is maptile.At, with the antimeridian (lon 180) kept on the map.
func tileAt(p orb.Point, z maptile.Zoom) maptile.Tile {
	t := maptile.At(p, z)
	if max := uint32(1)<<z - 1; t.X > max {
		t.X = max
	}
	return t
}

// RouteCells returns the topic cells a route passes through, sorted.
func RouteCells(route orb.LineString) []string {
	set := tilecover.LineString(route, TopicZoom)
	for _, p := range route {
		set[tileAt(p, TopicZoom)] = true // endpoints on tile edges count too
	}
	cells := make([]string, 0, len(set))
	for t := range set {
		if t.Valid() {
			cells = append(cells, CellName(t))
		}
	}
	sort.Strings(cells)
	return cells
}

// BoundCells returns the topic cells that cover a bounding box, sorted. The map
// and search use it to know which cells a view needs.
func BoundCells(b orb.Bound) []string {
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return nil // an inverted bound covers nothing
	}
	set := tilecover.Bound(b, TopicZoom)
	cells := make([]string, 0, len(set))
	for t := range set {
		cells = append(cells, CellName(t))
	}
	sort.Strings(cells)
	return cells
}

// Neighbours returns the up to eight cells around a cell at the same zoom,
// wrapping across the antimeridian.
func Neighbours(cell string) ([]string, error) {
	t, err := ParseCell(cell)
	if err != nil {
		return nil, err
	}
	n := int64(1) << t.Z
	var out []string
	for dy := int64(-1); dy <= 1; dy++ {
		for dx := int64(-1); dx <= 1; dx++ {
			y := int64(t.Y) + dy
			if (dx == 0 && dy == 0) || y < 0 || y >= n {
				continue
			}
			x := (int64(t.X) + dx + n) % n
			out = append(out, CellName(maptile.New(uint32(x), uint32(y), t.Z)))
		}
	}
	return out, nil
}
