package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
)

// listingCommands are what an owner does with its own listings: listings,
// edit, pause, resume, delete, renew and calendar.
func (e *env) listingCommands() []*cobra.Command {
	listings := &cobra.Command{
		Use:   "listings",
		Short: "List your own rooms and rides: state, expiry, bookings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				ls, err := n.MyListings(cmd.Context())
				if err != nil {
					return err
				}
				return e.print(ls, func(w io.Writer) {
					for _, l := range ls {
						writeListing(w, l)
					}
					fmt.Fprintln(w, plural(len(ls), "listing"))
				})
			})
		},
	}
	edit := &cobra.Command{
		Use:   "edit ID FILE.json",
		Short: "Publish a new version of your room or ride from a JSON file",
		Long: "Publish a new version of your room or ride from a JSON file, written like the one given to\n" +
			"`caravan post` (photos as hashes). The id stays; a paused listing stays paused; a ride keeps\n" +
			"the seats already booked.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, file := args[0], args[1]
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				l, err := n.MyListing(cmd.Context(), id)
				if err != nil {
					return inputErr("edit", err)
				}
				if l.Kind == app.KindRoom {
					var room app.Room
					if err := decodeFile(file, &room); err != nil {
						return err
					}
					err = n.UpdateRoom(cmd.Context(), id, room)
				} else {
					var ride app.Ride
					if err := decodeFile(file, &ride); err != nil {
						return err
					}
					err = n.UpdateRide(cmd.Context(), id, ride)
				}
				if err != nil {
					return inputErr(file, err)
				}
				return e.printListing(cmd, n, id, "edited")
			})
		},
	}
	state := func(use, short, done string, do func(*app.Node, *cobra.Command, string) error) *cobra.Command {
		return &cobra.Command{
			Use:   use + " ID",
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return e.withNode(cmd.Context(), func(n *app.Node) error {
					if err := do(n, cmd, args[0]); err != nil {
						return inputErr(use, err)
					}
					return e.printListing(cmd, n, args[0], done)
				})
			},
		}
	}
	pause := state("pause", "Take your listing out of every peer's searches and bookings, without deleting it", "paused",
		func(n *app.Node, cmd *cobra.Command, id string) error { return n.PauseListing(cmd.Context(), id) })
	resume := state("resume", "List a paused listing again", "resumed",
		func(n *app.Node, cmd *cobra.Command, id string) error { return n.ResumeListing(cmd.Context(), id) })
	renew := state("renew", "Renew your room now, with its calendar, for another 60 days", "renewed",
		func(n *app.Node, cmd *cobra.Command, id string) error {
			_, err := n.RenewListing(cmd.Context(), id)
			return err
		})
	del := &cobra.Command{
		Use:   "delete ID",
		Short: "Delete your listing on every peer (pending requests are declined)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				if err := n.DeleteListing(cmd.Context(), args[0]); err != nil {
					return inputErr("delete", err)
				}
				e.warnNoNode(cmd.Context(), n, "the deletion")
				return e.print(map[string]any{"id": args[0], "deleted": true}, func(w io.Writer) { fmt.Fprintf(w, "deleted %s\n", args[0]) })
			})
		},
	}
	return []*cobra.Command{listings, edit, pause, resume, del, renew, e.calendarCommand()}
}

func (e *env) calendarCommand() *cobra.Command {
	var block, unblock []string
	cal := &cobra.Command{
		Use:   "calendar ID [--block FROM..TO]... [--unblock FROM..TO]...",
		Short: "Show a room's blocked days, or block and unblock days of your own room",
		Long: "Show a room's blocked days, or block and unblock days of your own room. A range FROM..TO is\n" +
			"the nights from FROM up to the night before TO, like a stay's check-in and check-out days\n" +
			"(YYYY-MM-DD); a single day blocks that one night. Days of accepted bookings stay blocked.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			parse := func(flag string, specs []string) ([]app.DateRange, error) {
				out := make([]app.DateRange, len(specs))
				for i, s := range specs {
					r, err := parseRange(s)
					if err != nil {
						return nil, fmt.Errorf("--%s %q: %w", flag, s, err)
					}
					out[i] = r
				}
				return out, nil
			}
			add, err := parse("block", block)
			if err != nil {
				return err
			}
			remove, err := parse("unblock", unblock)
			if err != nil {
				return err
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				c, err := n.BlockedDates(cmd.Context(), args[0])
				if err != nil {
					return inputErr("calendar", err)
				}
				if len(add)+len(remove) > 0 {
					want := c.Blocked
					for _, r := range add {
						want = app.MergeBlocked(want, r)
					}
					for _, r := range remove {
						want = app.UnblockRange(want, r)
					}
					if c, err = n.SetBlockedDates(cmd.Context(), args[0], want); err != nil {
						return inputErr("calendar", err)
					}
				}
				return e.print(c, func(w io.Writer) {
					booked := map[app.DateRange]bool{}
					for _, b := range c.Booked {
						booked[b] = true
					}
					for _, r := range c.Blocked {
						fmt.Fprintf(w, "%s..%s", r.From, r.To)
						if booked[r] {
							fmt.Fprint(w, "  booked")
						}
						fmt.Fprintln(w)
					}
					for _, b := range c.Booked {
						fmt.Fprintf(w, "booked %s..%s\n", b.From, b.To)
					}
					if len(c.Blocked) == 0 {
						fmt.Fprintln(w, "no days blocked")
					}
				})
			})
		},
	}
	cal.Flags().StringArrayVar(&block, "block", nil, "block FROM..TO (or one day); repeat for more")
	cal.Flags().StringArrayVar(&unblock, "unblock", nil, "unblock FROM..TO (or one day); repeat for more")
	return cal
}

// parseRange parses FROM..TO, or one day D as D..the next day.
func parseRange(s string) (app.DateRange, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "..")
	f, err := time.Parse(time.DateOnly, strings.TrimSpace(from))
	if err != nil {
		return app.DateRange{}, fmt.Errorf("%q is not a YYYY-MM-DD date; want FROM..TO or one day", from)
	}
	if !ok {
		return app.DateRange{From: f.Format(time.DateOnly), To: f.AddDate(0, 0, 1).Format(time.DateOnly)}, nil
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(to))
	if err != nil {
		return app.DateRange{}, fmt.Errorf("%q is not a YYYY-MM-DD date; want FROM..TO or one day", to)
	}
	if !t.After(f) {
		return app.DateRange{}, fmt.Errorf("%s is not after %s", to, from)
	}
	return app.DateRange{From: f.Format(time.DateOnly), To: t.Format(time.DateOnly)}, nil
}

// printListing prints one of the user's listings after a change.
func (e *env) printListing(cmd *cobra.Command, n *app.Node, id, done string) error {
	l, err := n.MyListing(cmd.Context(), id)
	if err != nil {
		return err
	}
	e.warnNoNode(cmd.Context(), n, "the new version")
	return e.print(l, func(w io.Writer) {
		fmt.Fprintf(w, "%s: ", done)
		writeListing(w, l)
	})
}

func writeListing(w io.Writer, l app.MyListing) {
	fmt.Fprintf(w, "%s  %-4s  %-6s  %s\n", l.ID, l.Kind, l.State, l.Title)
	ends := "expires"
	if l.Ride != nil {
		ends = "departs " + l.Ride.DepartAt.Local().Format("2006-01-02 15:04") + ", listed until"
	}
	fmt.Fprintf(w, "    version %d, %s %s; %s, %s\n", l.Version, ends, l.ExpiresAt.Local().Format("2006-01-02 15:04"),
		plural(l.Bookings, "booking"), plural(l.Requests, "request"))
}
