package cli

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/caravan-p2p/caravan/app"
)

func (e *env) searchCommand() *cobra.Command {
	search := &cobra.Command{Use: "search", Short: "Search the local store"}
	search.AddCommand(e.searchRoomsCommand(), e.searchRidesCommand())
	return search
}

func (e *env) searchRoomsCommand() *cobra.Command {
	var q app.RoomPageQuery
	var bbox string
	rooms := &cobra.Command{
		Use:   "rooms",
		Short: "Find rooms in an area, for dates, guests, price and words",
		Long: fmt.Sprintf("Find rooms in the local store. With --bbox they are ranked around the centre of the box\n"+
			"(nearer first; about as near, better rated then cheaper); without, newest first. With\n"+
			"--limit, the total is counted up to %d (\"%d+ rooms\" beyond).", app.RoomCountCap, app.RoomCountCap),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if bbox != "" {
				b, err := parseBBox(bbox)
				if err != nil {
					return err
				}
				q.Bound = &b
			}
			if err := checkDates(q.From, q.To); err != nil {
				return err
			}
			switch {
			case q.Guests < 0:
				return fmt.Errorf("--guests %d: give 1 or more", q.Guests)
			case math.IsNaN(q.MaxPrice) || q.MaxPrice < 0:
				return fmt.Errorf("--max-price %v: give a price of 0 or more", q.MaxPrice)
			case q.Limit < 0 || q.Offset < 0:
				return fmt.Errorf("--limit and --offset must be 0 or more")
			}
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			page, err := n.RoomsPage(cmd.Context(), q)
			if err != nil {
				return err
			}
			found := page.Rooms
			if found == nil {
				found = []app.RoomListing{} // [] in JSON, not null
			}
			return e.print(found, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tTITLE\tPRICE\tGUESTS\tLAT,LON")
				for _, r := range found {
					fmt.Fprintf(tw, "%s\t%s\t%.2f %s\t%d\t%.4f,%.4f\n", r.ID, r.Title, r.PricePerNight, r.Currency, r.MaxGuests, r.Lat, r.Lon)
				}
				tw.Flush()
				switch {
				case page.TotalCapped: // the count stopped at its cap
					fmt.Fprintf(w, "%d to %d of %d+ rooms (zoom in or filter to count them)\n", q.Offset+1, q.Offset+len(found), page.Total)
				case len(found) == page.Total:
					fmt.Fprintln(w, plural(len(found), "room"))
				default:
					fmt.Fprintf(w, "%d to %d of %s\n", min(q.Offset+1, page.Total), q.Offset+len(found), plural(page.Total, "room"))
				}
			})
		},
	}
	f := rooms.Flags()
	f.StringVar(&bbox, "bbox", "", "MINLON,MINLAT,MAXLON,MAXLAT")
	f.StringVar(&q.From, "from", "", "first night, YYYY-MM-DD")
	f.StringVar(&q.To, "to", "", "day of departure, YYYY-MM-DD")
	f.IntVar(&q.Guests, "guests", 0, "number of guests")
	f.Float64Var(&q.MaxPrice, "max-price", 0, "highest price per night")
	f.StringVar(&q.Text, "text", "", "words in the title or description")
	f.StringSliceVar(&q.Amenities, "amenity", nil, "required amenity (repeatable)")
	f.IntVar(&q.Limit, "limit", 0, "at most this many rooms")
	f.IntVar(&q.Offset, "offset", 0, "skip this many rooms (with --limit: a page)")
	return rooms
}

func (e *env) searchRidesCommand() *cobra.Command {
	var q app.RideQuery
	var from, to, after, before string
	rides := &cobra.Command{
		Use:   "rides --from PLACE --to PLACE",
		Short: "Find rides whose route passes near a pickup and then a drop-off",
		Long: "Find rides in the local store whose route passes within a radius of --from and then of\n" +
			"--to, each a town (Lyon; Paris, US for a namesake; see caravan places) or LAT,LON,\n" +
			"with the estimated pickup time (departure + distance along the route at 80 km/h)\n" +
			"inside [--after, --before). Best first: by detour (the extra distance to leave the route\n" +
			"and come back), then by the earliest pickup. The radius is 5 km, more for long rides\n" +
			"(2% of the route, up to 25 km), unless --radius-km says otherwise.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if from == "" || to == "" {
				return fmt.Errorf("give both --from and --to, each a town like Lyon or LAT,LON like 45.76,4.84")
			}
			var fromPlace, toPlace app.Place
			if q.Pickup, fromPlace, err = resolvePlace("--from", from); err != nil {
				return err
			}
			if q.Dropoff, toPlace, err = resolvePlace("--to", to); err != nil {
				return err
			}
			if q.After, err = parseTime("--after", after); err != nil {
				return err
			}
			if q.Before, err = parseTime("--before", before); err != nil {
				return err
			}
			f := cmd.Flags()
			switch {
			case f.Changed("radius-km") && (math.IsNaN(q.RadiusKm) || q.RadiusKm <= 0):
				return fmt.Errorf("--radius-km %v: give a radius above 0 km", q.RadiusKm)
			case f.Changed("seats") && q.Seats < 1:
				return fmt.Errorf("--seats %d: give 1 or more", q.Seats)
			case !q.After.IsZero() && !q.Before.IsZero() && !q.Before.After(q.After):
				return fmt.Errorf("--before %s must be after --after %s", before, after)
			case q.Limit < 0:
				return fmt.Errorf("--limit %d: give 0 (all) or more", q.Limit)
			}
			if err := app.CheckRideQuery(q); err != nil {
				return err
			}
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			found, err := n.Rides(cmd.Context(), q)
			if err != nil {
				return err
			}
			out := make([]rideMatch, len(found)) // [] in JSON, not null
			for i, m := range found {
				out[i] = rideMatch{RideMatch: m, LegPrice: m.LegPrice()}
			}
			return e.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "from %s to %s\n", placeLabel(fromPlace, q.Pickup), placeLabel(toPlace, q.Dropoff))
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tTITLE\tDEPARTS\tPICKUP AT\tDETOUR\tSEATS LEFT\tYOUR LEG\tWHOLE RIDE")
				for _, r := range out {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f km\t%d\t%.2f %s\t%.2f %s\n", r.ID, r.Title, r.DepartAt.Format(time.RFC3339),
						r.PickupAt.Format(time.RFC3339), r.DetourKm, r.SeatsLeft, r.LegPrice, r.Currency, r.PricePerSeat, r.Currency)
				}
				tw.Flush()
				fmt.Fprintln(w, plural(len(found), "ride"))
			})
		},
	}
	f := rides.Flags()
	f.StringVar(&from, "from", "", "pickup: a town (Lyon, or Paris, US) or LAT,LON")
	f.StringVar(&to, "to", "", "drop-off: a town (Paris) or LAT,LON")
	f.StringVar(&after, "after", "", "earliest pickup time, RFC 3339 (or YYYY-MM-DD, midnight UTC)")
	f.StringVar(&before, "before", "", "pickup before this time, RFC 3339 (or YYYY-MM-DD, midnight UTC)")
	f.IntVar(&q.Seats, "seats", 1, "seats needed")
	f.Float64Var(&q.RadiusKm, "radius-km", 0, "how far from the route the pickup and drop-off may be (default: 5 km, more for long rides)")
	f.IntVar(&q.Limit, "limit", 0, "at most this many rides")
	return rides
}

// rideMatch is a matching ride as the command prints it: with the price
// of the rider's leg, in proportion to its share of the route.
type rideMatch struct {
	app.RideMatch
	LegPrice float64 `json:"leg_price"`
}

// resolvePlace resolves a flag's place: a town of the gazetteer or LAT,LON.
func resolvePlace(flag, s string) ([2]float64, app.Place, error) {
	pt, p, err := app.ResolvePlace(s)
	if err != nil {
		return pt, p, fmt.Errorf("%s: %w", flag, err)
	}
	return pt, p, nil
}

// placeLabel names a resolved place: its label and position, or the
// position alone for coordinates.
func placeLabel(p app.Place, pt [2]float64) string {
	if p.Name == "" {
		return fmt.Sprintf("%g,%g", pt[1], pt[0])
	}
	return fmt.Sprintf("%s (%g,%g)", p.Label(), pt[1], pt[0])
}

// parseTime parses an RFC 3339 time, or a YYYY-MM-DD day (midnight UTC); ""
// is the zero time.
func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want a time in RFC 3339, like 2026-12-01T08:00:00+01:00, or a day, YYYY-MM-DD", flag, s)
}
