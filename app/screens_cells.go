package app

import (
	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// ViewCells returns the gossip cells ("z/x/y") that cover the area
// [minLon, minLat, maxLon, maxLat], sorted: the cells whose catch-up state
// (Status.Sync) says how complete a search of that area is. The screens use
// it for their coverage line; they cannot import domain.
func ViewCells(b [4]float64) []string {
	return domain.BoundCells(orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}})
}

// PointCell returns the gossip cell ("z/x/y") of a [lon, lat] point.
func PointCell(p [2]float64) string { return domain.CellAt(orb.Point(p)) }
