package domain

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestSuggestSeatPrice(t *testing.T) {
	tests := []struct {
		name          string
		km, costPerKm float64
		seats         int
		want          SeatPrice
	}{
		// 465 km × 0.15 = 69.75; / 4 = 17.44 → 17; ceiling / 3 = 23.25.
		{"Lyon to Paris, 3 seats", 465, 0.15, 3, SeatPrice{RouteKm: 465, TripCost: 69.75, Suggested: 17, Max: 23.25}},
		// 100 km × 0.2 = 20; / 2 = 10; ceiling 20.
		{"one seat", 100, 0.2, 1, SeatPrice{RouteKm: 100, TripCost: 20, Suggested: 10, Max: 20}},
		// 12 km × 0.15 = 1.8; / 9 = 0.2; ceiling 1.8 / 8 = 0.225 → 0.22.
		{"short, full car", 12, 0.15, 8, SeatPrice{RouteKm: 12, TripCost: 1.8, Suggested: 0.2, Max: 0.22}},
		// 500 km × 25 (yen) = 12500; / 3 = 4166 → 4200; ceiling 6250.
		{"yen", 500, 25, 2, SeatPrice{RouteKm: 500, TripCost: 12500, Suggested: 4200, Max: 6250}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SuggestSeatPrice(tc.km, tc.costPerKm, tc.seats)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if !got.Allows(got.Suggested) || got.Allows(got.Max+0.01) || got.Allows(-1) {
				t.Errorf("the ceiling %v does not allow the suggestion %v, or allows more", got.Max, got.Suggested)
			}
			// Cost sharing: a full car's passengers never pay more than the trip.
			if float64(tc.seats)*got.Max > got.TripCost+1e-9 {
				t.Errorf("%d seats at %v pay more than the trip's %v", tc.seats, got.Max, got.TripCost)
			}
		})
	}
}

func TestSuggestSeatPriceErrors(t *testing.T) {
	tests := []struct {
		name          string
		km, costPerKm float64
		seats         int
		want          string
	}{
		{"no route", 0, 0.15, 3, "route length"},
		{"NaN route", math.NaN(), 0.15, 3, "route length"},
		{"infinite route", math.Inf(1), 0.15, 3, "route length"},
		{"free", 100, 0, 3, "cost per km"},
		{"negative cost", 100, -1, 3, "cost per km"},
		{"NaN cost", 100, math.NaN(), 3, "cost per km"},
		{"huge cost", 100, 1e9, 3, "cost per km"},
		{"no seats", 100, 0.15, 0, "seats"},
		{"a bus", 100, 0.15, 40, "seats"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := SuggestSeatPrice(tc.km, tc.costPerKm, tc.seats); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one about %q", err, tc.want)
			}
		})
	}
}

func TestSuggestRideSeatPrice(t *testing.T) {
	// Lyon to Paris as the crow flies: about 392 km.
	r := Ride{Route: [][2]float64{{4.835, 45.764}, {2.352, 48.857}}, Seats: 3}
	got, err := SuggestRideSeatPrice(&r, 0.15)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.RouteKm-392) > 2 || got.Suggested != 15 || math.Abs(got.Max-19.6) > 0.1 {
		t.Errorf("got %+v", got)
	}
	if _, err := SuggestRideSeatPrice(&Ride{Route: [][2]float64{{4.8, 45.7}}, Seats: 3}, 0.15); err == nil {
		t.Error("a one-point route got a price")
	}
}

func TestRoundPrice(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{23.47, 23}, {8.26, 8.3}, {1234, 1200}, {0.437, 0.44}, {99.6, 100}, {10, 10}, {5, 5},
		{0, 0}, {-3, 0}, {math.NaN(), 0}, {math.Inf(1), 0},
	}
	for _, tc := range tests {
		if got := RoundPrice(tc.in); got != tc.want {
			t.Errorf("RoundPrice(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestLegPrice(t *testing.T) {
	tests := []struct {
		name                  string
		price, legKm, routeKm float64
		want                  float64
	}{
		{"half", 30, 200, 400, 15},
		{"a third, rounded", 25, 100, 300, 8.3},
		{"the whole route", 25, 300, 300, 25},
		{"longer than the route", 25, 301, 300, 25},
		{"nearly all, never above the price", 25, 299.9, 300, 25},
		{"free ride", 0, 100, 300, 0},
		{"no leg", 25, 0, 300, 0},
		{"backwards", 25, -10, 300, 0},
		{"no route", 25, 10, 0, 0},
		{"NaN", math.NaN(), 10, 300, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LegPrice(tc.price, tc.legKm, tc.routeKm); got != tc.want {
				t.Errorf("LegPrice(%v, %v, %v) = %v, want %v", tc.price, tc.legKm, tc.routeKm, got, tc.want)
			}
		})
	}
}

func TestRideMatchLegPrice(t *testing.T) {
	// A straight ride along the equator, 0° to 4° east (about 445 km), for
	// 40: a rider from 1° to 3° rides half of it.
	r := Ride{
		Title: "east", Route: [][2]float64{{0, 0}, {4, 0}}, DepartAt: time.Now(),
		Seats: 3, SeatsLeft: 3, PricePerSeat: 40, Currency: "EUR",
	}
	m, ok, why := MatchRide(&r, RideQuery{Pickup: orb.Point{1, 0.01}, Dropoff: orb.Point{3, 0.01}})
	if !ok {
		t.Fatal(why)
	}
	if got := m.LegPrice(r.PricePerSeat); got != 20 {
		t.Errorf("leg price %v, want 20", got)
	}
}
