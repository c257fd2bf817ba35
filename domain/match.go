package domain

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/project"
)

// Along-route ride matching (DESIGN §6): a rider from P to D matches a ride
// whose route passes within a radius of P and of D, P before D, at a time
// inside the rider's window, with enough seats left.
const (
	// DefaultRadiusKm is how far from the route a pickup or drop-off may be
	// when the query gives no radius and the ride is short.
	DefaultRadiusKm = 5.0
	// AutoRadiusShare is the share of a ride's length that the automatic
	// radius grows to on long rides: max(DefaultRadiusKm, share × length).
	AutoRadiusShare = 0.02
	// MaxAutoRadiusKm caps the automatic radius, so that candidate search
	// stays local.
	MaxAutoRadiusKm = 25.0
	// MaxRadiusKm is the largest radius a query may ask for.
	MaxRadiusKm = 500.0
	// AverageSpeedKmh is the speed a ride's times along its route are
	// estimated with.
	AverageSpeedKmh = 80.0
)

// RideQuery is what a rider looks for: a pickup and a drop-off point, a
// window for the pickup time and a number of seats.
type RideQuery struct {
	Pickup, Dropoff orb.Point // [lon, lat]
	// RadiusKm is how far from the route P and D may be; 0 for automatic
	// (RadiusFor).
	RadiusKm float64
	// After and Before bound the estimated pickup time: After <= t < Before.
	// A zero time does not bound.
	After, Before time.Time
	// Seats is how many seats the rider needs; 0 means 1.
	Seats int
}

// Validate reports a query that cannot be answered: a point out of range or
// not finite, a bad radius or seat count, an empty window.
func (q *RideQuery) Validate() error {
	for _, c := range []struct {
		name string
		p    orb.Point
	}{{"pickup", q.Pickup}, {"drop-off", q.Dropoff}} {
		if err := CheckCoordinate(c.p.Lat(), c.p.Lon()); err != nil {
			return fmt.Errorf("%s: %s", c.name, err.(*RejectError).Detail)
		}
	}
	if math.IsNaN(q.RadiusKm) || q.RadiusKm < 0 || q.RadiusKm > MaxRadiusKm {
		return fmt.Errorf("radius %v km: give a radius above 0 and at most %v km (0 picks one from the ride's length)", q.RadiusKm, MaxRadiusKm)
	}
	if q.Seats < 0 || q.Seats > MaxSeats {
		return fmt.Errorf("seats %d: a ride has between 1 and %d seats", q.Seats, MaxSeats)
	}
	if !q.After.IsZero() && !q.Before.IsZero() && !q.Before.After(q.After) {
		return fmt.Errorf("time window: before %s is not after after %s", q.Before.Format(time.RFC3339), q.After.Format(time.RFC3339))
	}
	return nil
}

// SeatsWanted is Seats, at least 1.
func (q *RideQuery) SeatsWanted() int { return max(q.Seats, 1) }

// RadiusFor is the radius, in km, that P and D may lie from a route of
// routeKm km: RadiusKm when set, else max(DefaultRadiusKm, AutoRadiusShare ×
// routeKm) capped at MaxAutoRadiusKm.
func (q *RideQuery) RadiusFor(routeKm float64) float64 {
	if q.RadiusKm > 0 {
		return q.RadiusKm
	}
	return min(max(DefaultRadiusKm, AutoRadiusShare*routeKm), MaxAutoRadiusKm)
}

// SearchRadiusKm is the largest radius any ride may get for this query: the
// candidate search around P and D uses it.
func (q *RideQuery) SearchRadiusKm() float64 {
	if q.RadiusKm > 0 {
		return q.RadiusKm
	}
	return MaxAutoRadiusKm
}

// BoundsAround returns lon/lat boxes that together hold every point within km
// kilometres (great-circle) of p: one box, or two when the circle crosses the
// antimeridian. A circle that reaches a pole spans every longitude.
func BoundsAround(p orb.Point, km float64) []orb.Bound {
	// A metre more, so rounding never loses a point on the circle.
	b := geo.NewBoundAroundPoint(p, km*1000+1)
	if b.Min.Lon() <= b.Max.Lon() {
		return []orb.Bound{b}
	}
	// NewBoundAroundPoint wrapped the box across the antimeridian.
	return []orb.Bound{
		{Min: orb.Point{b.Min.Lon(), b.Min.Lat()}, Max: orb.Point{180, b.Max.Lat()}},
		{Min: orb.Point{-180, b.Min.Lat()}, Max: orb.Point{b.Max.Lon(), b.Max.Lat()}},
	}
}

// RideMatch is how a ride serves a query: where on the route the rider is
// picked up and dropped off, how far the driver leaves the route, and when.
type RideMatch struct {
	PickupOnRoute, DropoffOnRoute orb.Point // [lon, lat] on the route
	PickupAlongKm, DropoffAlongKm float64   // distance along the route from its origin
	PickupOffKm, DropoffOffKm     float64   // distance of P and D from the route
	// DetourKm is the extra distance to leave the route to P and to D and
	// come back: 2 × PickupOffKm + 2 × DropoffOffKm.
	DetourKm float64
	RouteKm  float64   // length of the whole route
	RadiusKm float64   // the radius the ride was matched with
	PickupAt time.Time // estimated: departure + PickupAlongKm at AverageSpeedKmh
}

// MissReason says why a ride does not match a query.
type MissReason string

// The reasons a ride does not match.
const (
	MissSeats      MissReason = "not enough seats left"
	MissPickup     MissReason = "the route does not pass near the pickup"
	MissDropoff    MissReason = "the route does not pass near the drop-off"
	MissDirection  MissReason = "the route passes the drop-off before the pickup"
	MissTooEarly   MissReason = "the estimated pickup time is before the window"
	MissTooLate    MissReason = "the estimated pickup time is after the window"
	MissBadRoute   MissReason = "the route has fewer than two points"
	missNoneReason MissReason = ""
)

// routePoint is the point of a route nearest to a query point, in one segment.
type routePoint struct {
	at      orb.Point
	alongKm float64
	offKm   float64
}

// MatchRide checks a ride against a valid query (see RideQuery.Validate):
// seats left, P and D within the radius of the route polyline, P's position
// along the route before D's, and the estimated time at P inside the window.
// Among the ways P and D may sit along a route that passes near them more
// than once, it picks the one with the least detour. It reports why a ride
// does not match.
func MatchRide(r *Ride, q RideQuery) (RideMatch, bool, MissReason) {
	if r.SeatsLeft < q.SeatsWanted() {
		return RideMatch{}, false, MissSeats
	}
	if len(r.Route) < 2 {
		return RideMatch{}, false, MissBadRoute
	}
	route := r.LineString()
	// Cheap refusals first: a route whose box is far from P or D cannot pass
	// near it (the nearest point of a route lies inside its box).
	box, km := route.Bound(), q.SearchRadiusKm()
	if !meetsAny(box, BoundsAround(q.Pickup, km)) {
		return RideMatch{}, false, MissPickup
	}
	if !meetsAny(box, BoundsAround(q.Dropoff, km)) {
		return RideMatch{}, false, MissDropoff
	}
	merc := make([]orb.Point, len(route))
	for i, p := range route {
		merc[i] = project.WGS84.ToMercator(p)
	}
	// Kilometres along the route at each point.
	cum := make([]float64, len(route))
	for i := 1; i < len(route); i++ {
		cum[i] = cum[i-1] + geo.DistanceHaversine(route[i-1], route[i])/1000
	}
	total := cum[len(cum)-1]
	radius := q.RadiusFor(total)

	// For each segment, P's and D's nearest points. The best pair has P on an
	// earlier segment than D (the best P so far), or both on the same
	// segment with P first.
	var (
		best         RideMatch
		found        bool
		nearP, nearD bool
		bestP        routePoint
		haveP        bool
	)
	for i := 1; i < len(route); i++ {
		p := nearestOnSegment(route[i-1], route[i], merc[i-1], merc[i], q.Pickup, cum[i-1])
		d := nearestOnSegment(route[i-1], route[i], merc[i-1], merc[i], q.Dropoff, cum[i-1])
		pOK, dOK := p.offKm <= radius, d.offKm <= radius
		nearP, nearD = nearP || pOK, nearD || dOK
		if dOK {
			// D with the best P on an earlier segment, or with P on this one.
			for _, cand := range []struct {
				p  routePoint
				ok bool
			}{{bestP, haveP}, {p, pOK}} {
				if !cand.ok || !(cand.p.alongKm < d.alongKm) {
					continue
				}
				m := RideMatch{
					PickupOnRoute: cand.p.at, DropoffOnRoute: d.at,
					PickupAlongKm: cand.p.alongKm, DropoffAlongKm: d.alongKm,
					PickupOffKm: cand.p.offKm, DropoffOffKm: d.offKm,
					DetourKm: 2*cand.p.offKm + 2*d.offKm,
					RouteKm:  total, RadiusKm: radius,
				}
				if !found || m.DetourKm < best.DetourKm {
					best, found = m, true
				}
			}
		}
		if pOK && (!haveP || p.offKm < bestP.offKm) {
			bestP, haveP = p, true
		}
	}
	switch {
	case !nearP:
		return RideMatch{}, false, MissPickup
	case !nearD:
		return RideMatch{}, false, MissDropoff
	case !found:
		return RideMatch{}, false, MissDirection
	}
	best.PickupAt = r.DepartAt.Add(time.Duration(best.PickupAlongKm / AverageSpeedKmh * float64(time.Hour)))
	if !q.After.IsZero() && best.PickupAt.Before(q.After) {
		return RideMatch{}, false, MissTooEarly
	}
	if !q.Before.IsZero() && !best.PickupAt.Before(q.Before) {
		return RideMatch{}, false, MissTooLate
	}
	return best, true, missNoneReason
}

// LegKm is about the longest stretch of a route that RouteLegs puts in one
// box.
const LegKm = 50.0

// MaxLegs caps the boxes of one route.
const MaxLegs = 4096

// RouteLegs cuts a route into stretches of about LegKm at most (long
// segments are cut too) and returns their boxes, in order. Every point of
// the route, as MatchRide sees it (each segment linear in lon and lat),
// lies in one of them: an index of these boxes finds the routes that pass
// near a point far more sharply than the box of the whole route does.
func RouteLegs(route orb.LineString) []orb.Bound {
	var legs []orb.Bound
	var cur orb.Bound
	curKm, open := 0.0, false
	add := func(a, b orb.Point, km float64) {
		if open && curKm+km <= LegKm {
			cur = cur.Extend(b)
			curKm += km
			return
		}
		if open {
			legs = append(legs, cur)
		}
		cur, curKm, open = orb.Bound{Min: a, Max: a}.Extend(b), km, true
	}
	for i := 1; i < len(route); i++ {
		a, b := route[i-1], route[i]
		km := geo.DistanceHaversine(a, b) / 1000
		m := max(1, int(math.Ceil(km/LegKm)))
		m = min(m, MaxLegs/max(len(route)-1, 1)) // a bounded number of boxes
		m = max(m, 1)
		prev := a
		for j := 1; j <= m; j++ {
			next := b
			if j < m {
				t := float64(j) / float64(m)
				next = orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
			}
			add(prev, next, km/float64(m))
			prev = next
		}
	}
	if open {
		legs = append(legs, cur)
	}
	return legs
}

// meetsAny reports whether b meets one of bs (touching counts).
func meetsAny(b orb.Bound, bs []orb.Bound) bool {
	for _, x := range bs {
		if b.Intersects(x) {
			return true
		}
	}
	return false
}

// ArrivalAt is the estimated arrival time of a ride at its destination. No
// pickup along the route is estimated later.
func ArrivalAt(r *Ride) time.Time {
	km := geo.LengthHaversine(r.LineString()) / 1000
	return r.DepartAt.Add(time.Duration(km / AverageSpeedKmh * float64(time.Hour)))
}

// nearestOnSegment finds the point of segment ab nearest to p: the position
// t along the segment nearest in Web Mercator (am, bm are a and b
// projected), with its great-circle distance from p. startKm is the distance
// along the route at a.
func nearestOnSegment(a, b, am, bm, p orb.Point, startKm float64) routePoint {
	// Take p's longitude on the side of the antimeridian nearest the segment.
	lo, hi := min(a.Lon(), b.Lon()), max(a.Lon(), b.Lon())
	gap := func(lon float64) float64 { return max(lo-lon, 0, lon-hi) }
	pu := p
	for _, shift := range []float64{360, -360} {
		if gap(p.Lon()+shift) < gap(pu.Lon()) {
			pu[0] = p.Lon() + shift
		}
	}
	pm := project.WGS84.ToMercator(pu)
	dx, dy := bm[0]-am[0], bm[1]-am[1]
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = ((pm[0]-am[0])*dx + (pm[1]-am[1])*dy) / l2
		t = min(max(t, 0), 1)
	}
	// The point at t, on the segment as drawn on the map (linear in lon and
	// lat, as its box in the index): never outside that box, and exact at
	// the ends, even beyond Mercator's latitude limit (about 85°), where t
	// is only as good as the longitudes make it.
	at := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	switch t {
	case 0:
		at = a
	case 1:
		at = b
	}
	at[0] = min(max(at[0], lo), hi)
	return routePoint{
		at:      at,
		alongKm: startKm + geo.DistanceHaversine(a, at)/1000,
		offKm:   geo.DistanceHaversine(p, at) / 1000,
	}
}

// detourStep is the granularity detours are compared at: two rides whose
// detours differ by less are ranked by time fit.
const detourStep = 0.5

// Compare orders two matches best first: by detour (in steps of half a
// kilometre), then by time fit (the earliest estimated pickup first, which in
// a window is the one nearest its start), then by exact detour. It returns
// a negative number when m is better, positive when o is, 0 when equal.
func (m RideMatch) Compare(o RideMatch) int {
	if a, b := math.Floor(m.DetourKm/detourStep), math.Floor(o.DetourKm/detourStep); a != b {
		return cmp.Compare(a, b)
	}
	if c := m.PickupAt.Compare(o.PickupAt); c != 0 {
		return c
	}
	return cmp.Compare(m.DetourKm, o.DetourKm)
}

// CheckBound reports a bounding box that is inverted, out of range or not
// finite.
func CheckBound(b orb.Bound) error {
	var errs []string
	for _, p := range []orb.Point{b.Min, b.Max} {
		if err := CheckCoordinate(p.Lat(), p.Lon()); err != nil {
			errs = append(errs, err.(*RejectError).Detail)
		}
	}
	if len(errs) > 0 {
		return errors.New("bounding box: " + strings.Join(errs, "; "))
	}
	if b.Min.Lon() > b.Max.Lon() || b.Min.Lat() > b.Max.Lat() {
		return fmt.Errorf("bounding box [%v, %v, %v, %v]: minimum greater than maximum; the order is min lon, min lat, max lon, max lat",
			b.Min.Lon(), b.Min.Lat(), b.Max.Lon(), b.Max.Lat())
	}
	return nil
}
