package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
)

func (e *env) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show identity, listen addresses, peers, cells and record counts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			st, err := n.Status(cmd.Context())
			if err != nil {
				return err
			}
			return e.print(st, func(w io.Writer) {
				fmt.Fprintf(w, "peer      %s\ndata dir  %s\n", st.PeerID, st.DataDir)
				if !st.Running {
					fmt.Fprintln(w, "network   no node is running on this data dir")
				}
				for _, a := range st.Addrs {
					fmt.Fprintf(w, "listening %s\n", a)
				}
				fmt.Fprintf(w, "peers     %d\ncells     %s\nrecords   %d", st.Peers, strings.Join(st.Cells, " "), st.Records)
				for k, v := range st.ByKind {
					fmt.Fprintf(w, "  %s=%d", k, v)
				}
				fmt.Fprintf(w, "\noutbox    %d waiting to be published\n", st.Outbox)
				if st.Running {
					fmt.Fprintf(w, "traffic   %s in, %s out (catch-up %s in, %s out)\n", bytesText(st.Traffic.In),
						bytesText(st.Traffic.Out), bytesText(st.Traffic.SyncIn), bytesText(st.Traffic.SyncOut))
				}
			})
		},
	}
}

func (e *env) postCommand() *cobra.Command {
	post := &cobra.Command{Use: "post", Short: "Sign, store and publish a room or a ride"}
	post.AddCommand(&cobra.Command{
		Use:   "room FILE.json",
		Short: "Post a room described by a JSON file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var room app.Room
			if err := decodeFile(args[0], &room); err != nil {
				return err
			}
			return e.post(cmd, args[0], func(n *app.Node) (string, error) { return postRoomWithPhotos(cmd.Context(), n, args[0], room) })
		},
	}, e.postRideCommand())
	return post
}

func (e *env) postRideCommand() *cobra.Command {
	var gpx string
	ride := &cobra.Command{
		Use:   "ride FILE.json [--gpx TRACK.gpx]",
		Short: "Post a ride described by a JSON file",
		Long: "Post a ride described by a JSON file. With --gpx the route comes from the track (or\n" +
			"route) of a GPX file, simplified to within 50 m, and the JSON file leaves \"route\" out.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ride app.Ride
			if err := decodeFile(args[0], &ride); err != nil {
				return err
			}
			if gpx != "" {
				if err := routeFromGPX(&ride, args[0], gpx); err != nil {
					return err
				}
			}
			return e.post(cmd, args[0], func(n *app.Node) (string, error) { return n.PostRide(cmd.Context(), ride) })
		},
	}
	ride.Flags().StringVar(&gpx, "gpx", "", "take the route from this GPX file")
	return ride
}

func (e *env) post(cmd *cobra.Command, file string, do func(*app.Node) (string, error)) error {
	n, err := e.open(app.Options{}, false)
	if err != nil {
		return err
	}
	defer n.Close()
	id, err := do(n)
	if err != nil {
		var ie *app.InputError
		if errors.As(err, &ie) && ie.Field != "" {
			return fmt.Errorf("%s: field %s: %s", file, ie.Field, ie.Detail)
		}
		return fmt.Errorf("%s: %w", file, err)
	}
	return e.print(map[string]string{"id": id}, func(w io.Writer) { fmt.Fprintf(w, "posted %s\n", id) })
}

func (e *env) peersCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "peers",
		Short: "List the peers connected to the node running on the data dir",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			peers, err := n.Peers(cmd.Context())
			if errors.Is(err, app.ErrNotRunning) {
				fmt.Fprintf(e.stderr, "caravan: %v\n", err) // a fact, not a failure: no peers
			} else if err != nil {
				return err
			}
			return e.print(peers, func(w io.Writer) {
				for _, p := range peers {
					fmt.Fprintf(w, "%s\t%s\n", p.PeerID, strings.Join(p.Addrs, " "))
				}
				fmt.Fprintln(w, plural(len(peers), "peer"))
			})
		},
	}
}

func (e *env) recordsCommand() *cobra.Command {
	records := &cobra.Command{Use: "records", Short: "Export and import signed records (sync by USB stick)"}
	var bbox string
	export := &cobra.Command{
		Use:   "export FILE",
		Short: "Write signed records as JSON lines, exactly as signed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var bound *[4]float64
			if bbox != "" {
				b, err := parseBBox(bbox)
				if err != nil {
					return err
				}
				bound = &b
			}
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			f, err := os.Create(args[0])
			if err != nil {
				return fmt.Errorf("create export file: %w", err)
			}
			count, err := n.Export(cmd.Context(), f, bound)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("write %s: %w", args[0], cerr)
			}
			if err != nil {
				return err
			}
			return e.print(map[string]int{"count": count}, func(w io.Writer) { fmt.Fprintf(w, "exported %d records to %s\n", count, args[0]) })
		},
	}
	export.Flags().StringVar(&bbox, "bbox", "", "only records in MINLON,MINLAT,MAXLON,MAXLAT")
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Validate and ingest signed records from JSON lines, like records from a peer",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open import file: %w", err)
			}
			defer f.Close()
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			res, err := n.Import(cmd.Context(), f)
			if err != nil {
				return err
			}
			return e.print(res, func(w io.Writer) {
				fmt.Fprintf(w, "stored %d, skipped %d (already had or older), rejected %d\n", res.Stored, res.Skipped, len(res.Rejected))
				for _, r := range res.Rejected {
					fmt.Fprintf(w, "  line %d: %s\n", r.Line, r.Reason)
				}
			})
		},
	}
	records.AddCommand(export, imp)
	return records
}

// plural writes a count with its noun: "1 peer", "3 peers".
// bytesText writes a byte count for people: 0 B, 512 B, 1.4 kB, 3.2 MB.
func bytesText(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, prefix := float64(n)/unit, "kMGTPE"
	for f >= unit && len(prefix) > 1 {
		f, prefix = f/unit, prefix[1:]
	}
	return fmt.Sprintf("%.1f %cB", f, prefix[0])
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
