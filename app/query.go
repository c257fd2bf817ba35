package app

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// Rooms finds rooms in the local store: ranked around the centre of q.Bound
// when it is given (nearer, better rated, cheaper first), newest first
// otherwise.
func (n *Node) Rooms(ctx context.Context, q RoomQuery) ([]RoomListing, error) {
	p, err := n.RoomsPage(ctx, RoomPageQuery{RoomQuery: q})
	if err != nil {
		return nil, err
	}
	return p.Rooms, nil
}

// RoomPageQuery is a RoomQuery for one page of results.
type RoomPageQuery struct {
	RoomQuery
	Offset int // skip this many rooms; with RoomQuery.Limit, the page
}

// RoomCountCap is how many matching rooms RoomsPage counts exactly.
const RoomCountCap = storage.DefaultCountCap

// RoomPage is one page of rooms and how many match in all.
type RoomPage struct {
	Rooms []RoomListing `json:"rooms"`
	// Total is how many rooms match: exact unless TotalCapped.
	Total int `json:"total"`
	// TotalCapped says that more than Total rooms match: a view holding
	// more than RoomCountCap rooms is counted that far only (show "1,000+
	// rooms — zoom in").
	TotalCapped bool `json:"total_capped,omitempty"`
}

// RoomsPage is Rooms for one page (Limit rooms from Offset), with the total
// number of matching rooms, exact up to RoomCountCap.
func (n *Node) RoomsPage(ctx context.Context, q RoomPageQuery) (RoomPage, error) {
	p, err := n.store.FindRooms(ctx, storage.RoomQuery{
		Bound: toBound(q.Bound), From: q.From, To: q.To, Guests: q.Guests,
		MaxPrice: q.MaxPrice, Amenities: q.Amenities, Text: q.Text, Limit: q.Limit, Offset: q.Offset,
	})
	if err != nil {
		return RoomPage{}, err // already says "search rooms"
	}
	out := RoomPage{Total: p.Total, TotalCapped: p.TotalCapped, Rooms: make([]RoomListing, len(p.Hits))}
	ids := make([]string, len(p.Hits))
	for i, h := range p.Hits {
		out.Rooms[i] = RoomListing{ID: h.ID, Author: h.Author, Version: h.Version, IssuedAt: h.IssuedAt, Mine: h.Author == n.Self(), Room: h.Room}
		ids[i] = h.ID
	}
	if err := n.addRatings(ctx, out.Rooms, ids); err != nil {
		return RoomPage{}, err
	}
	hidden, err := hideBlocked(ctx, n, &out.Rooms, func(r *RoomListing) string { return r.Author })
	out.Total -= hidden
	return out, err
}

// RideQuery is what a rider looks for (DESIGN §6): rides whose route passes
// near the pickup and then near the drop-off, at a time that fits.
type RideQuery struct {
	// Pickup and Dropoff are [lon, lat], like route points.
	Pickup, Dropoff [2]float64
	// RadiusKm is how far from the route they may be; 0 picks one from each
	// ride's length (5 km, more for long rides).
	RadiusKm float64
	// After and Before bound the estimated pickup time; zero does not bound.
	After, Before time.Time
	Seats         int // seats needed; 0 means 1
	Limit         int // at most this many rides; 0 for all
}

// RideMatch is a ride that serves a RideQuery, with how it does.
type RideMatch struct {
	RideListing
	// DetourKm is the extra distance the driver goes to leave the route to
	// the pickup and the drop-off and come back.
	DetourKm float64 `json:"detour_km"`
	// Pickup and Dropoff are the points on the route nearest the rider's,
	// [lon, lat].
	Pickup  [2]float64 `json:"pickup"`
	Dropoff [2]float64 `json:"dropoff"`
	// PickupAt is the estimated time the ride passes the pickup.
	PickupAt time.Time `json:"pickup_at"`
	// PickupKm and DropoffKm are how far along the route the two points are.
	PickupKm  float64 `json:"pickup_km"`
	DropoffKm float64 `json:"dropoff_km"`
	// RouteKm is the length of the whole route.
	RouteKm float64 `json:"route_km"`
}

// Rides finds the rides in the local store whose route passes near
// q.Pickup and then near q.Dropoff, best first: by detour, then by time fit.
func (n *Node) Rides(ctx context.Context, q RideQuery) ([]RideMatch, error) {
	hits, err := n.store.SearchRides(ctx, storage.RideSearch{
		RideQuery: domain.RideQuery{
			Pickup: orb.Point(q.Pickup), Dropoff: orb.Point(q.Dropoff), RadiusKm: q.RadiusKm,
			After: q.After, Before: q.Before, Seats: q.Seats,
		},
		Limit: q.Limit,
	})
	if err != nil {
		return nil, err // already says "search rides"
	}
	out := make([]RideMatch, len(hits))
	for i, h := range hits {
		m := h.Match
		out[i] = RideMatch{
			RideListing: RideListing{ID: h.ID, Author: h.Author, Version: h.Version, IssuedAt: h.IssuedAt, Mine: h.Author == n.Self(), Ride: h.Ride},
			DetourKm:    round3(m.DetourKm), Pickup: m.PickupOnRoute, Dropoff: m.DropoffOnRoute,
			PickupAt: m.PickupAt.Truncate(time.Second), PickupKm: round3(m.PickupAlongKm),
			DropoffKm: round3(m.DropoffAlongKm), RouteKm: round3(m.RouteKm),
		}
	}
	if err := n.addDriverRatings(ctx, out); err != nil {
		return nil, err
	}
	_, err = hideBlocked(ctx, n, &out, func(r *RideMatch) string { return r.Author })
	return out, err
}

// round3 rounds to metres, for output.
func round3(km float64) float64 {
	return float64(int64(km*1000+0.5)) / 1000
}

// CheckRideQuery reports a ride query that cannot be answered (a point out
// of range or not finite, a negative radius, an empty time window), for
// callers that refuse input before opening anything.
func CheckRideQuery(q RideQuery) error {
	dq := domain.RideQuery{Pickup: orb.Point(q.Pickup), Dropoff: orb.Point(q.Dropoff), RadiusKm: q.RadiusKm, After: q.After, Before: q.Before, Seats: q.Seats}
	if err := dq.Validate(); err != nil {
		return fmt.Errorf("search rides: %w", err)
	}
	return nil
}
