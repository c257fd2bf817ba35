package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/spf13/cobra"

	"github.com/caravan-p2p/caravan/app"
)

func (e *env) priceCommand() *cobra.Command {
	price := &cobra.Command{Use: "price", Short: "Suggest cost-sharing prices"}
	var from, to, gpx, currency string
	var via []string
	seats := 3
	costPerKm := app.DefaultCostPerKm
	ride := &cobra.Command{
		Use:   "ride (--from PLACE --to PLACE [--via PLACE]... | --gpx TRACK.gpx)",
		Short: "Suggest the price of a seat on a ride, for sharing its cost",
		Long: "Suggest the price of a seat on a ride from the route's length and the car's cost per km\n" +
			"(fuel or charge, tolls, wear, in the ride's currency). Rides share costs; they are not\n" +
			"a fare: the suggestion splits the trip's cost evenly across a full car, the driver\n" +
			"included (cost / (seats + 1)); the ceiling splits it across the passengers alone\n" +
			"(cost / seats), so that a full car never pays the driver more than the trip costs.\n" +
			"A rider going part of the way pays in proportion to the leg's share of the route.\n\n" +
			"The route is --from, each --via and --to in straight lines (roads are longer: add --via\n" +
			"points for a closer length), or the track of a GPX file.",
		Example: "  caravan price ride --from Lyon --to Paris --seats 3\n" +
			"  caravan price ride --from Lyon --via Dijon --to Paris --cost-per-km 0.12 --json\n" +
			"  caravan price ride --gpx trip.gpx",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var route [][2]float64
			switch {
			case gpx != "" && (from != "" || to != "" || len(via) > 0):
				return errors.New("give either --gpx or --from and --to, not both")
			case gpx != "":
				r, err := readGPX(gpx)
				if err != nil {
					return err
				}
				route = r
			case from == "" || to == "":
				return errors.New("give --from and --to (a town like Lyon, or LAT,LON), or --gpx TRACK.gpx")
			default:
				for i, s := range append(append([]string{from}, via...), to) {
					flag := "--via"
					switch i {
					case 0:
						flag = "--from"
					case len(via) + 1:
						flag = "--to"
					}
					pt, _, err := resolvePlace(flag, s)
					if err != nil {
						return err
					}
					route = append(route, pt)
				}
			}
			if math.IsNaN(costPerKm) || costPerKm <= 0 {
				return fmt.Errorf("--cost-per-km %v: give the car's cost per km, above 0", costPerKm)
			}
			if err := app.CheckCurrency(currency); err != nil {
				return fmt.Errorf("--currency %q: want an ISO 4217 code such as EUR or USD", currency)
			}
			p, err := app.SuggestSeatPrice(route, costPerKm, seats)
			if err != nil {
				return err
			}
			out := seatPrice{SeatPrice: p, CostPerKm: costPerKm, Seats: seats, Currency: currency}
			return e.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "route      %.1f km\n", p.RouteKm)
				fmt.Fprintf(w, "trip cost  %.2f %s (%.1f km × %g %s/km)\n", p.TripCost, currency, p.RouteKm, costPerKm, currency)
				fmt.Fprintf(w, "suggested  %.2f %s a seat (the cost shared by %d seats and the driver)\n", p.Suggested, currency, seats)
				fmt.Fprintf(w, "at most    %.2f %s a seat (the cost shared by %d seats)\n", p.Max, currency, seats)
			})
		},
	}
	f := ride.Flags()
	f.StringVar(&from, "from", "", "origin: a town (Lyon) or LAT,LON")
	f.StringVar(&to, "to", "", "destination: a town (Paris) or LAT,LON")
	f.StringArrayVar(&via, "via", nil, "a town or LAT,LON on the way (repeatable, in order)")
	f.StringVar(&gpx, "gpx", "", "take the route from this GPX file's track or route")
	f.Float64Var(&costPerKm, "cost-per-km", costPerKm, "what the car costs to run per km, in --currency")
	f.IntVar(&seats, "seats", seats, "seats offered")
	f.StringVar(&currency, "currency", "EUR", "the currency of the cost and the price")
	price.AddCommand(ride)
	return price
}

// seatPrice is the answer of price ride.
type seatPrice struct {
	app.SeatPrice
	CostPerKm float64 `json:"cost_per_km"`
	Seats     int     `json:"seats"`
	Currency  string  `json:"currency"`
}

// readGPX reads a ride's route from a GPX file.
func readGPX(path string) ([][2]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open GPX file: %w", err)
	}
	defer f.Close()
	route, err := app.RouteFromGPX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return route, nil
}

// routeFromGPX sets a ride's route from a GPX file; the ride's JSON file
// must not give one too.
func routeFromGPX(ride *app.Ride, file, gpx string) error {
	if len(ride.Route) > 0 {
		return fmt.Errorf("%s has a route and --gpx gives one: leave \"route\" out of the file, or --gpx out", file)
	}
	route, err := readGPX(gpx)
	if err != nil {
		return err
	}
	ride.Route = route
	return nil
}
