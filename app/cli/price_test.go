package cli

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestPriceRide(t *testing.T) {
	type price struct {
		RouteKm   float64 `json:"route_km"`
		TripCost  float64 `json:"trip_cost"`
		Suggested float64 `json:"suggested"`
		Max       float64 `json:"max"`
		CostPerKm float64 `json:"cost_per_km"`
		Seats     int     `json:"seats"`
		Currency  string  `json:"currency"`
	}
	tests := []struct {
		name      string
		args      []string
		km        float64 // about
		suggested float64
		max       float64
	}{
		// Lyon to Paris as the crow flies, 393.7 km × 0.15 = 59.05.
		{"by name", []string{"--from", "Lyon", "--to", "Paris"}, 393.7, 15, 19.68},
		{"one seat", []string{"--from", "Lyon", "--to", "Paris", "--seats", "1"}, 393.7, 30, 59.05},
		{"by Dijon, cheaper fuel", []string{"--from", "Lyon", "--via", "Dijon", "--to", "Paris", "--cost-per-km", "0.1"}, 437.0, 11, 14.56},
		{"coordinates", []string{"--from", "45.748,4.847", "--to", "48.853,2.349"}, 393.7, 15, 19.68},
		{"a GPX track", []string{"--gpx", "../../domain/testdata/route-1.0.gpx", "--seats", "2"}, 79.4, 4, 5.95},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p price
			runJSON(t, &p, append([]string{"price", "ride"}, tc.args...)...)
			if math.Abs(p.RouteKm-tc.km) > 0.1 || p.Suggested != tc.suggested || p.Max != tc.max {
				t.Errorf("got %+v, want %v km, %v suggested, %v at most", p, tc.km, tc.suggested, tc.max)
			}
			if p.Currency != "EUR" || p.Seats < 1 || p.CostPerKm <= 0 || math.Abs(p.TripCost-p.RouteKm*p.CostPerKm) > 0.01 {
				t.Errorf("fields %+v", p)
			}
		})
	}
	out, errs, code := run(t, "price", "ride", "--from", "Lyon", "--to", "Paris", "--currency", "CHF")
	if code != 0 || !strings.Contains(out, "suggested  15.00 CHF a seat") || !strings.Contains(out, "at most    19.68 CHF") {
		t.Errorf("text output %q %q %d", out, errs, code)
	}
}

func TestPriceRideBadArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no route", nil, "give --from and --to"},
		{"no --to", []string{"--from", "Lyon"}, "give --from and --to"},
		{"both", []string{"--from", "Lyon", "--to", "Paris", "--gpx", "x.gpx"}, "not both"},
		{"unknown town", []string{"--from", "Lyon", "--via", "Xyzzyplugh", "--to", "Paris"}, `--via: no place named "Xyzzyplugh"`},
		{"no GPX file", []string{"--gpx", "missing.gpx"}, "open GPX file"},
		{"not GPX", []string{"--gpx", "../../go.mod"}, "not a GPX file"},
		{"free car", []string{"--from", "Lyon", "--to", "Paris", "--cost-per-km", "0"}, "--cost-per-km 0"},
		{"no seats", []string{"--from", "Lyon", "--to", "Paris", "--seats", "0"}, "seats 0"},
		{"a bus", []string{"--from", "Lyon", "--to", "Paris", "--seats", "50"}, "seats 50"},
		{"same place", []string{"--from", "Lyon", "--to", "Lyon"}, "route length 0"},
		{"bad currency", []string{"--from", "Lyon", "--to", "Paris", "--currency", "euro"}, "--currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, append([]string{"price", "ride", "--json"}, tc.args...)...)
			if code == 0 || out != "" || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want a failure mentioning %q", code, out, errs, tc.want)
			}
		})
	}
}

// rideWithoutRoute is a ride whose route comes from --gpx.
func rideWithoutRoute(depart time.Time) string {
	return fmt.Sprintf(`{"title": "Paris to Chartres", "depart_at": %q, "seats": 2, "price_per_seat": 8, "currency": "EUR"}`,
		depart.Format(time.RFC3339))
}

func TestPostRideGPX(t *testing.T) {
	dir := t.TempDir()
	depart := time.Now().Add(48 * time.Hour).Truncate(time.Second).UTC()
	var posted struct{ ID string }
	runJSON(t, &posted, "post", "ride", writeFile(t, "ride.json", rideWithoutRoute(depart)), "--gpx", "../../domain/testdata/route-1.0.gpx", "--data", dir)
	var found []struct {
		ID       string       `json:"id"`
		Route    [][2]float64 `json:"route"`
		LegPrice float64      `json:"leg_price"`
	}
	runJSON(t, &found, "search", "rides", "--from", "Versailles", "--to", "Chartres", "--data", dir)
	if len(found) != 1 || found[0].ID != posted.ID || len(found[0].Route) != 3 || found[0].Route[2] != [2]float64{1.489, 48.4439} {
		t.Fatalf("found %+v, want the posted ride with the GPX route", found)
	}
	if found[0].LegPrice <= 0 || found[0].LegPrice >= 8 {
		t.Errorf("Versailles to Chartres costs %v of 8", found[0].LegPrice)
	}

	tests := []struct {
		name, ride, gpx, want string
	}{
		{"a route and --gpx", rideJSON(depart), "../../domain/testdata/route-1.0.gpx", `leave "route" out`},
		{"an empty track", rideWithoutRoute(depart), "../../domain/testdata/empty-track.gpx", "no track points"},
		{"a bad coordinate", rideWithoutRoute(depart), "../../domain/testdata/bad-coordinate.gpx", "bad-coordinate.gpx: GPX track point 2: latitude 95.1"},
		{"not GPX", rideWithoutRoute(depart), writeFile(t, "ride.gpx", "<html></html>"), "not a GPX file"},
		{"no such file", rideWithoutRoute(depart), "missing.gpx", "open GPX file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, "post", "ride", writeFile(t, "ride.json", tc.ride), "--gpx", tc.gpx, "--json", "--data", dir)
			if code == 0 || out != "" || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want a failure mentioning %q", code, out, errs, tc.want)
			}
		})
	}
}
