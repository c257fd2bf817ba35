package domain

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Ride prices share the cost of a trip; they are not a fare that earns the
// driver money.
//
// The driver's cost per km (Settings) is what the car costs to run, per km,
// in the ride's currency: fuel or charge, tolls, wear. A trip's cost is the
// route's length times it. From it:
//
//   - the suggested price of a seat splits the trip's cost evenly among
//     everyone in a full car, the driver included: trip cost / (seats + 1);
//   - the ceiling of a seat's price is the trip's cost split among the
//     passengers alone: trip cost / seats. At or below it, a full car's
//     passengers together pay at most what the trip costs, so the driver
//     never makes a profit; above it, they would pay the driver for driving.
const (
	// DefaultCostPerKm is the cost per km Settings starts with: a petrol car
	// of about 7 L/100 km at about 1.80 a litre, plus some wear, in euros.
	DefaultCostPerKm = 0.15
	// MaxCostPerKm bounds the cost per km a driver may give, in any currency.
	MaxCostPerKm = 10_000.0
)

// SeatPrice is what one seat of a ride should cost, for cost sharing.
type SeatPrice struct {
	// RouteKm is the length of the route.
	RouteKm float64 `json:"route_km"`
	// TripCost is RouteKm × the cost per km: what the trip costs the driver.
	TripCost float64 `json:"trip_cost"`
	// Suggested is TripCost / (seats + 1), rounded by RoundPrice and never
	// above Max.
	Suggested float64 `json:"suggested"`
	// Max is the ceiling: TripCost / seats, rounded down to a hundredth.
	Max float64 `json:"max"`
}

// Allows reports whether a price per seat stays within the ceiling.
func (s SeatPrice) Allows(price float64) bool { return price >= 0 && price <= s.Max }

// SuggestSeatPrice suggests a price per seat for a route of routeKm km, a
// cost per km and the seats offered (see the cost-sharing rules above).
func SuggestSeatPrice(routeKm, costPerKm float64, seats int) (SeatPrice, error) {
	switch {
	case math.IsNaN(routeKm) || math.IsInf(routeKm, 0) || routeKm <= 0:
		return SeatPrice{}, fmt.Errorf("route length %v km: want a length above 0", routeKm)
	case math.IsNaN(costPerKm) || costPerKm <= 0 || costPerKm > MaxCostPerKm:
		return SeatPrice{}, fmt.Errorf("cost per km %v: want a cost above 0 and at most %v", costPerKm, MaxCostPerKm)
	case seats < 1 || seats > MaxSeats:
		return SeatPrice{}, fmt.Errorf("seats %d: a ride offers between 1 and %d seats", seats, MaxSeats)
	}
	trip := routeKm * costPerKm
	ceiling := math.Floor(trip/float64(seats)*100) / 100
	return SeatPrice{
		RouteKm:   math.Round(routeKm*1000) / 1000,
		TripCost:  math.Round(trip*100) / 100,
		Suggested: min(RoundPrice(trip/float64(seats+1)), ceiling),
		Max:       ceiling,
	}, nil
}

// SuggestRideSeatPrice is SuggestSeatPrice for a ride's route and seats.
func SuggestRideSeatPrice(r *Ride, costPerKm float64) (SeatPrice, error) {
	if len(r.Route) < 2 {
		return SeatPrice{}, fmt.Errorf("route: %d points; a route has an origin and a destination", len(r.Route))
	}
	return SuggestSeatPrice(RouteKm(r.LineString()), costPerKm, r.Seats)
}

// RouteKm is the great-circle length of a route in km.
func RouteKm(route orb.LineString) float64 { return geo.LengthHaversine(route) / 1000 }

// RoundPrice rounds a price to two significant digits, a unit a person
// would name: 23.47 is 23, 8.26 is 8.3, 1234 is 1200, 0.437 is 0.44.
// Prices of 0 or less are 0.
func RoundPrice(p float64) float64 {
	if !(p > 0) || math.IsInf(p, 0) {
		return 0
	}
	step := math.Pow(10, math.Floor(math.Log10(p))-1)
	r := math.Round(p/step) * step
	// Clean the binary noise of the step (8.300000000000001).
	return math.Round(r*1e6) / 1e6
}

// LegPrice is the price of a seat for part of a ride: the ride's price per
// seat times the leg's share of the route (legKm / routeKm), rounded by
// RoundPrice and never more than the whole ride's price. A leg as long as
// the route or longer costs the whole price.
func LegPrice(pricePerSeat, legKm, routeKm float64) float64 {
	if !(pricePerSeat > 0) || !(legKm > 0) || !(routeKm > 0) {
		return 0
	}
	if legKm >= routeKm {
		return pricePerSeat
	}
	return min(RoundPrice(pricePerSeat*legKm/routeKm), pricePerSeat)
}

// LegPrice is the price of the leg a match serves, from its pickup to its
// drop-off along the ride's route.
func (m RideMatch) LegPrice(pricePerSeat float64) float64 {
	return LegPrice(pricePerSeat, m.DropoffAlongKm-m.PickupAlongKm, m.RouteKm)
}
