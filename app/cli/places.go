package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/caravan-p2p/caravan/app"
)

func (e *env) placesCommand() *cobra.Command {
	limit := 10
	cmd := &cobra.Command{
		Use:   "places PREFIX",
		Short: "Find towns and cities by the start of their name (offline gazetteer)",
		Long: "List the towns and cities of the embedded gazetteer (GeoNames, places of 1000 people or\n" +
			"more) whose name starts with PREFIX, whatever the case and accents: places named exactly\n" +
			"so first, then the most populous. End PREFIX with a country or region code to pick\n" +
			"among namesakes: \"Paris, US\", \"Paris, TX, US\". These names work wherever a command\n" +
			"takes a place, like search rides --from and --to.",
		Example: "  caravan places lyo\n  caravan places \"sao paulo\" --json\n  caravan places \"Paris, US\"",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 {
				return fmt.Errorf("--limit %d: give 1 or more", limit)
			}
			prefix := strings.Join(args, " ")
			found, err := app.Places(prefix, limit)
			if err != nil {
				return err
			}
			if found == nil {
				found = []app.Place{} // [] in JSON, not null
			}
			return e.print(found, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tCOUNTRY\tREGION\tLAT,LON\tPOPULATION")
				for _, p := range found {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%g,%g\t%d\n", p.Name, p.Country, p.Admin, p.Lat, p.Lon, p.Population)
				}
				tw.Flush()
				fmt.Fprintln(w, plural(len(found), "place"))
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", limit, "at most this many places")
	return cmd
}
