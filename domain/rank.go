package domain

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Room ranking on the map (DESIGN §6): rooms nearer the centre of the view
// first; among rooms about as near (in the same ring), the better rated, then
// the cheaper.

// RankRings is how many rings the half-diagonal of a view is cut into.
const RankRings = 10

// minRingKm keeps rings meaningful on a view zoomed in to a street.
const minRingKm = 0.1

// Rating is a room's reputation as ranking sees it. The zero value is "not
// rated yet", ranked after every rated room. (Reviews land later; until then
// every room is unrated.)
type Rating struct {
	Average float64 // 1 to 5
	Count   int
}

// RoomCandidate is what ranking needs of a room.
type RoomCandidate struct {
	ID       string
	Location orb.Point // [lon, lat]
	Price    float64   // per night
	Rating   Rating
}

// RoomRank is a room's sort key for a view; compare with Compare.
type RoomRank struct {
	Ring       int
	DistanceKm float64 // from the centre of the view
	Rating     Rating
	Price      float64
	ID         string
}

// RoomRanker ranks the rooms of one view.
type RoomRanker struct {
	Centre orb.Point
	RingKm float64
}

// NewRoomRanker ranks around the centre of view, in rings of a tenth of its
// half-diagonal.
func NewRoomRanker(view orb.Bound) RoomRanker {
	c := view.Center()
	half := geo.DistanceHaversine(c, view.Max) / 1000
	return RoomRanker{Centre: c, RingKm: max(half/RankRings, minRingKm)}
}

// RingBoxes returns the parts of view that hold every room of the first
// rings rings around the centre (one box, or two across the antimeridian),
// and whether they are the whole view. Searches rank the rooms near the
// centre first this way, ring by ring, without reading the whole view.
func (r RoomRanker) RingBoxes(view orb.Bound, rings int) (boxes []orb.Bound, whole bool) {
	for _, b := range BoundsAround(r.Centre, float64(rings)*r.RingKm) {
		if !b.Intersects(view) {
			continue
		}
		x := orb.Bound{
			Min: orb.Point{max(b.Min.Lon(), view.Min.Lon()), max(b.Min.Lat(), view.Min.Lat())},
			Max: orb.Point{min(b.Max.Lon(), view.Max.Lon()), min(b.Max.Lat(), view.Max.Lat())},
		}
		whole = whole || x == view
		boxes = append(boxes, x)
	}
	return boxes, whole
}

// Rank is the sort key of a room.
func (r RoomRanker) Rank(c RoomCandidate) RoomRank {
	d := geo.DistanceHaversine(r.Centre, c.Location) / 1000
	return RoomRank{Ring: int(d / r.RingKm), DistanceKm: d, Rating: c.Rating, Price: c.Price, ID: c.ID}
}

// Compare orders two rooms best first: nearer ring, then rated before
// unrated and the higher average first, then cheaper, then nearer, then by id.
func (a RoomRank) Compare(b RoomRank) int {
	if c := cmp.Compare(a.Ring, b.Ring); c != 0 {
		return c
	}
	if ar, br := a.Rating.Count > 0, b.Rating.Count > 0; ar != br {
		if ar {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.Rating.Average, a.Rating.Average); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Price, b.Price); c != 0 {
		return c
	}
	if c := cmp.Compare(a.DistanceKm, b.DistanceKm); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// RankRooms sorts rooms best first for view and returns their ranks in the
// same order.
func RankRooms(view orb.Bound, rooms []RoomCandidate) []RoomRank {
	r := NewRoomRanker(view)
	ranks := make([]RoomRank, len(rooms))
	for i, c := range rooms {
		ranks[i] = r.Rank(c)
	}
	idx := make([]int, len(rooms))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int { return ranks[i].Compare(ranks[j]) })
	sortedRooms := make([]RoomCandidate, len(rooms))
	sortedRanks := make([]RoomRank, len(rooms))
	for k, i := range idx {
		sortedRooms[k], sortedRanks[k] = rooms[i], ranks[i]
	}
	copy(rooms, sortedRooms)
	return sortedRanks
}
