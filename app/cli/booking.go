package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/domain"
	"github.com/spf13/cobra"
)

// bookCommand asks a listing's owner for a room's nights or a ride's seats.
func (e *env) bookCommand() *cobra.Command {
	var in app.BookingInput
	var pickup, dropoff string
	cmd := &cobra.Command{
		Use:   "book LISTING_ID (--from DATE --to DATE --guests N | --seats N --pickup PLACE --dropoff PLACE)",
		Short: "Ask a room's or a ride's owner for a booking, sealed so only the owner reads it",
		Long: "book signs a request (the dates and guests of a room, or the seats, pickup and drop-off of a ride,\n" +
			"with the total price and the listing's cancellation policy) and sends it sealed to the owner; the node\n" +
			"running on the data dir delivers it, through the mailboxes if the owner is offline. The owner has 24 h\n" +
			"to answer; `caravan bookings` shows the answer. PLACE is a town or LAT,LON.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.ListingID = args[0]
			if in.Seats == 0 {
				if err := checkDates(in.From, in.To); err != nil {
					return err
				}
				if in.From == "" {
					return errors.New("book a room with --from, --to and --guests, or a ride with --seats, --pickup and --dropoff")
				}
				if in.Guests < 1 {
					in.Guests = 1
				}
			} else {
				for _, p := range []struct {
					flag, val string
					dst       **[2]float64
				}{{"--pickup", pickup, &in.Pickup}, {"--dropoff", dropoff, &in.Dropoff}} {
					if p.val == "" {
						return fmt.Errorf("a ride booking needs %s", p.flag)
					}
					pt, _, err := resolvePlace(p.flag, p.val)
					if err != nil {
						return err
					}
					*p.dst = &pt
				}
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				b, err := n.Book(cmd.Context(), in)
				if err != nil {
					return inputErr("book", err)
				}
				e.warnNoNode(cmd.Context(), n, "the request")
				return e.printBooking(b)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.From, "from", "", "check-in day, YYYY-MM-DD (rooms)")
	f.StringVar(&in.To, "to", "", "check-out day, YYYY-MM-DD (rooms)")
	f.IntVar(&in.Guests, "guests", 1, "guests (rooms)")
	f.IntVar(&in.Seats, "seats", 0, "seats (rides)")
	f.StringVar(&pickup, "pickup", "", "where to be picked up: a town or LAT,LON (rides)")
	f.StringVar(&dropoff, "dropoff", "", "where to be dropped off: a town or LAT,LON (rides)")
	f.StringVar(&in.Note, "note", "", "a word to the owner")
	return cmd
}

// bookingsCommand lists the user's bookings.
func (e *env) bookingsCommand() *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "bookings [--role owner|renter]",
		Short: "List your bookings: requests you made and requests for your listings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				bs, err := n.Bookings(cmd.Context(), domain.Role(role))
				if err != nil {
					return inputErr("bookings", err)
				}
				return e.print(bs, func(w io.Writer) {
					for _, b := range bs {
						writeBooking(w, b)
					}
					fmt.Fprintln(w, plural(len(bs), "booking"))
				})
			})
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "owner (requests for your listings) or renter (your requests)")
	return cmd
}

// stepCommand is accept, decline, cancel or complete.
func (e *env) stepCommand(use, short string, reasonRequired bool, do func(ctx context.Context, n *app.Node, id, reason string, acc app.AcceptInput) (app.Booking, error)) *cobra.Command {
	var reason string
	var acc app.AcceptInput
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reasonRequired && reason == "" {
				return errors.New("say why with --reason; the renter reads it")
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				b, err := do(cmd.Context(), n, args[0], reason, acc)
				if err != nil {
					return inputErr(cmd.Name(), err)
				}
				e.warnNoNode(cmd.Context(), n, "the answer")
				return e.printBooking(b)
			})
		},
	}
	switch cmd.Name() {
	case "accept":
		cmd.Flags().StringVar(&acc.Address, "address", "", "the exact address or meeting point, for the renter only")
		cmd.Flags().StringVar(&acc.Contact, "contact", "", "your phone or e-mail, for the renter only")
	case "decline", "cancel":
		cmd.Flags().StringVar(&reason, "reason", "", "why, for the other party")
	}
	return cmd
}

func (e *env) bookingStepCommands() []*cobra.Command {
	return []*cobra.Command{
		e.stepCommand("accept BOOKING_ID [--address TEXT] [--contact TEXT]", "Accept a request for your listing: blocks the dates or takes the seats", false,
			func(ctx context.Context, n *app.Node, id, _ string, acc app.AcceptInput) (app.Booking, error) {
				return n.AcceptBooking(ctx, id, acc)
			}),
		e.stepCommand("decline BOOKING_ID --reason TEXT", "Decline a request for your listing", true,
			func(ctx context.Context, n *app.Node, id, reason string, _ app.AcceptInput) (app.Booking, error) {
				return n.DeclineBooking(ctx, id, reason)
			}),
		e.stepCommand("cancel BOOKING_ID [--reason TEXT]", "Cancel a request or an accepted booking, as renter or owner", false,
			func(ctx context.Context, n *app.Node, id, reason string, _ app.AcceptInput) (app.Booking, error) {
				return n.CancelBooking(ctx, id, reason)
			}),
		e.stepCommand("complete BOOKING_ID", "Mark an accepted booking done, after its end", false,
			func(ctx context.Context, n *app.Node, id, _ string, _ app.AcceptInput) (app.Booking, error) {
				return n.CompleteBooking(ctx, id)
			}),
		e.stepCommand("paid BOOKING_ID", "As renter, mark a booking paid; the owner gets a signed note of it", false,
			func(ctx context.Context, n *app.Node, id, _ string, _ app.AcceptInput) (app.Booking, error) {
				return n.MarkPaid(ctx, id)
			}),
		e.stepCommand("received BOOKING_ID", "As owner, mark the payment of a booking received; the renter gets a signed receipt", false,
			func(ctx context.Context, n *app.Node, id, _ string, _ app.AcceptInput) (app.Booking, error) {
				return n.MarkReceived(ctx, id)
			}),
	}
}

// withNode opens the data dir's node for one command.
func (e *env) withNode(ctx context.Context, do func(*app.Node) error) error {
	n, err := e.open(app.Options{}, false)
	if err != nil {
		return err
	}
	defer n.Close()
	return do(n)
}

// warnNoNode says on stderr when no node runs to send what was queued.
func (e *env) warnNoNode(ctx context.Context, n *app.Node, what string) {
	if _, err := n.Peers(ctx); err != nil {
		fmt.Fprintf(e.stderr, "caravan: no node is running on this data dir: %s leaves at its next start\n", what)
	}
}

// inputErr words an app error for the command line.
func inputErr(cmd string, err error) error {
	var ie *app.InputError
	if errors.As(err, &ie) && ie.Field != "" {
		return fmt.Errorf("%s: %s: %s", cmd, ie.Field, ie.Detail)
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

func (e *env) printBooking(b app.Booking) error {
	return e.print(b, func(w io.Writer) { writeBooking(w, b) })
}

func writeBooking(w io.Writer, b app.Booking) {
	what := fmt.Sprintf("%s to %s, %d guests", b.From, b.To, b.Guests)
	if b.ListingKind == domain.KindRide {
		what = fmt.Sprintf("%s, %d seats", b.From, b.Seats)
	}
	other := "owner " + b.Owner
	if b.Role == domain.RoleOwner {
		other = "renter " + b.Renter
	}
	fmt.Fprintf(w, "%s  %-9s %s %s  %s  %.2f %s (%s)  %s\n", b.ID, b.Status, b.ListingKind, b.ListingID, what, b.TotalPrice, b.Currency, b.Policy, other)
	if b.Reason != "" {
		fmt.Fprintf(w, "    reason: %s\n", b.Reason)
	}
	if b.Status == domain.BookingRequested && b.Role == domain.RoleOwner {
		fmt.Fprintf(w, "    answer by %s\n", b.AnswerBy.Local().Format("2006-01-02 15:04"))
	}
	if b.PaidAt != nil || b.ReceivedAt != nil {
		fmt.Fprintf(w, "    paid: %s  received: %s\n", dayOrDash(b.PaidAt), dayOrDash(b.ReceivedAt))
	}
	if b.Address != "" {
		fmt.Fprintf(w, "    address: %s\n", b.Address)
	}
	if b.Contact != "" {
		fmt.Fprintf(w, "    contact: %s\n", b.Contact)
	}
}

func dayOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
