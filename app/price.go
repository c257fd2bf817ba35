package app

import (
	"fmt"
	"io"

	"github.com/caravan-p2p/caravan/domain"
)

// SeatPrice is a cost-sharing price for one seat of a ride: the suggestion
// and the ceiling (see domain.SuggestSeatPrice).
type SeatPrice = domain.SeatPrice

// DefaultCostPerKm is the cost per km Settings starts with (euros, a petrol
// car).
const DefaultCostPerKm = domain.DefaultCostPerKm

// SuggestSeatPrice suggests the price of a seat on a route of [lon, lat]
// points, from the driver's cost per km and the seats offered: the trip's
// cost split evenly across a full car, the driver included, under a ceiling
// of the trip's cost split across the passengers alone (cost sharing, not
// profit).
func SuggestSeatPrice(route [][2]float64, costPerKm float64, seats int) (SeatPrice, error) {
	if len(route) < 2 {
		return SeatPrice{}, fmt.Errorf("suggest a price: the route has %d points; it needs an origin and a destination", len(route))
	}
	r := domain.Ride{Route: route, Seats: seats}
	p, err := domain.SuggestRideSeatPrice(&r, costPerKm)
	if err != nil {
		return SeatPrice{}, fmt.Errorf("suggest a price: %w", err)
	}
	return p, nil
}

// LegPrice is what a seat costs for part of a ride, legKm of its routeKm:
// the price per seat in proportion, rounded, never more than the whole.
func LegPrice(pricePerSeat, legKm, routeKm float64) float64 {
	return domain.LegPrice(pricePerSeat, legKm, routeKm)
}

// LegPrice is what a seat costs from the match's pickup to its drop-off.
func (m RideMatch) LegPrice() float64 {
	return domain.LegPrice(m.PricePerSeat, m.DropoffKm-m.PickupKm, m.RouteKm)
}

// MaxGPXBytes bounds the GPX files a route is imported from.
const MaxGPXBytes = 64 << 20

// RouteFromGPX reads the route of a ride from a GPX 1.0 or 1.1 file: its
// tracks or, lacking them, its routes, simplified to within 50 m and at most
// the points a ride may have. A file that is not GPX, is empty or holds a
// bad coordinate is an error that says so.
func RouteFromGPX(r io.Reader) ([][2]float64, error) {
	lr := &io.LimitedReader{R: r, N: MaxGPXBytes + 1}
	route, err := domain.ParseGPX(lr)
	if lr.N <= 0 {
		return nil, fmt.Errorf("the GPX file is larger than %d MiB", MaxGPXBytes>>20)
	}
	return route, err
}
