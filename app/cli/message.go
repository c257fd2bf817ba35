package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/domain"
	"github.com/spf13/cobra"
)

// messageCommand sends a chat message: sealed to the recipient, queued, and
// sent by the node running on the data dir (or at the next start).
func (e *env) messageCommand() *cobra.Command {
	var booking string
	cmd := &cobra.Command{
		Use:   "message PEER_ID TEXT... [--booking ID]",
		Short: "Send a private chat message to a peer, sealed so only it can read it",
		Long: "message signs a chat message, seals it to the peer and queues it. The node running on the data dir\n" +
			"sends it within a second: straight to the peer when it is reachable, otherwise to the peers that keep\n" +
			"sealed messages for 14 days and hand them over when it comes online. With no node running it leaves\n" +
			"at the next start. The words of TEXT are joined with spaces. With --booking the message belongs to\n" +
			"that booking's conversation, and PEER_ID must be the booking's other party.",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			text := strings.Join(args[1:], " ")
			var id string
			if booking != "" {
				id, err = sendAboutBooking(cmd.Context(), n, args[0], booking, text)
			} else {
				id, err = n.SendChat(cmd.Context(), args[0], text)
			}
			if err != nil {
				var ie *app.InputError
				if errors.As(err, &ie) && ie.Field != "" {
					return fmt.Errorf("message: %s: %s", ie.Field, ie.Detail)
				}
				return fmt.Errorf("message to %s: %w", args[0], err)
			}
			if _, err := n.Peers(cmd.Context()); err != nil { // no node runs here (or none ever ran)
				fmt.Fprintf(e.stderr, "caravan: no node is running on this data dir: the message leaves at its next start\n")
			}
			return e.print(map[string]string{"id": id}, func(w io.Writer) { fmt.Fprintf(w, "queued %s for %s\n", id, args[0]) })
		},
	}
	cmd.Flags().StringVar(&booking, "booking", "", "the booking the message is about")
	return cmd
}

// sendAboutBooking sends a chat about a booking, checking that the peer
// named is the booking's other party.
func sendAboutBooking(ctx context.Context, n *app.Node, to, bookingID, text string) (string, error) {
	b, err := n.Booking(ctx, bookingID)
	if err != nil {
		return "", err
	}
	other := b.Owner
	if other == n.Self() {
		other = b.Renter
	}
	if to != other {
		return "", &app.InputError{Reason: domain.ReasonBadRecipient, Field: "peer",
			Detail: fmt.Sprintf("booking %s is with %s, not %s", bookingID, other, to)}
	}
	return n.SendBookingMessage(ctx, bookingID, text)
}

// messagesCommand lists the private messages, with one peer, about one
// booking, or all, and marks the incoming ones shown read: their authors get
// a read receipt.
func (e *env) messagesCommand() *cobra.Command {
	var with, booking string
	cmd := &cobra.Command{
		Use:   "messages [--with PEER_ID] [--booking ID]",
		Short: "List private messages sent and received, with one peer, about one booking or all, oldest first",
		Long: "messages lists the private messages, oldest first, with their status: queued, sent, delivered or read\n" +
			"for yours, received or read for the others'. The incoming ones it shows are marked read, and their\n" +
			"authors get a read receipt. A peer ID may also be given as the only argument.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if with != "" && with != args[0] {
					return fmt.Errorf("messages: give the peer once, as an argument or with --with")
				}
				with = args[0]
			}
			if with != "" && booking != "" {
				return fmt.Errorf("messages: --with and --booking do not go together; a booking has one other party")
			}
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			var ms []app.Message
			if booking != "" {
				ms, err = n.MessagesFor(cmd.Context(), booking)
			} else {
				ms, err = n.Messages(cmd.Context(), with)
			}
			if err != nil {
				return inputErr("messages", err)
			}
			if _, err := n.MarkRead(cmd.Context(), with+booking); err != nil {
				return fmt.Errorf("messages: mark read: %w", err)
			}
			return e.print(ms, func(w io.Writer) {
				for _, m := range ms {
					arrow, other := "from", m.From
					if m.Outgoing {
						arrow, other = "to", m.To
					}
					content := m.Text
					if m.Kind != app.MessageChat {
						content = m.Kind + " " + string(m.Body)
					}
					if m.BookingID != "" && booking == "" {
						content = "(booking " + m.BookingID + ") " + content
					}
					fmt.Fprintf(w, "%s  %-4s %s  [%s]  %s\n", m.SentAt.Local().Format("2006-01-02 15:04"), arrow, other, m.Status, content)
				}
				fmt.Fprintln(w, plural(len(ms), "message"))
			})
		},
	}
	cmd.Flags().StringVar(&with, "with", "", "only the messages with this peer")
	cmd.Flags().StringVar(&booking, "booking", "", "only the messages about this booking")
	return cmd
}
