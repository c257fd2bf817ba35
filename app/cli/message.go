package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
)

// messageCommand sends a chat message: sealed to the recipient, queued, and
// sent by the node running on the data dir (or at the next start).
func (e *env) messageCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "message PEER_ID TEXT...",
		Short: "Send a private chat message to a peer, sealed so only it can read it",
		Long: "message signs a chat message, seals it to the peer and queues it. The node running on the data dir\n" +
			"sends it within a second: straight to the peer when it is reachable, otherwise to the peers that keep\n" +
			"sealed messages for 14 days and hand them over when it comes online. With no node running it leaves\n" +
			"at the next start. The words of TEXT are joined with spaces.",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			id, err := n.SendChat(cmd.Context(), args[0], strings.Join(args[1:], " "))
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
}

// messagesCommand lists the private messages, with one peer or with all.
func (e *env) messagesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "messages [PEER_ID]",
		Short: "List private messages sent and received, with one peer or with all, oldest first",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var with string
			if len(args) == 1 {
				with = args[0]
			}
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			ms, err := n.Messages(cmd.Context(), with)
			if err != nil {
				return err
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
					fmt.Fprintf(w, "%s  %-4s %s  [%s]  %s\n", m.SentAt.Local().Format("2006-01-02 15:04"), arrow, other, m.Status, content)
				}
				fmt.Fprintln(w, plural(len(ms), "message"))
			})
		},
	}
}
