package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/caravan-p2p/caravan/app"
)

// vouchCommands are vouch and unvouch: the user's signed "I know this
// person", published on the person's topic and shown beside their reputation.
func (e *env) vouchCommands() []*cobra.Command {
	var text string
	vouch := &cobra.Command{
		Use:   "vouch PEER_ID [--text WORDS]",
		Short: "Vouch for a person you know: a signed, public \"I know this person\", shown beside their reputation",
		Long: "vouch signs a vouch for the peer, with an optional short word (at most 280 characters), and publishes it\n" +
			"on the peer's person topic. Vouching again replaces your earlier vouch; unvouch withdraws it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				id, err := n.Vouch(cmd.Context(), args[0], text)
				if err != nil {
					return inputErr("vouch", err)
				}
				e.warnNoNode(cmd.Context(), n, "the vouch")
				return e.print(map[string]string{"id": id}, func(w io.Writer) { fmt.Fprintf(w, "vouched for %s (%s)\n", args[0], id) })
			})
		},
	}
	vouch.Flags().StringVar(&text, "text", "", "how you know them, published with the vouch")
	unvouch := &cobra.Command{
		Use:   "unvouch PEER_ID",
		Short: "Withdraw your vouch for a person",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				if err := n.Unvouch(cmd.Context(), args[0]); err != nil {
					return inputErr("unvouch", err)
				}
				e.warnNoNode(cmd.Context(), n, "the withdrawal")
				return e.print(map[string]string{"withdrawn": args[0]}, func(w io.Writer) { fmt.Fprintf(w, "withdrew your vouch for %s\n", args[0]) })
			})
		},
	}
	return []*cobra.Command{vouch, unvouch}
}

// writeVouches prints who vouched for a peer, for the reputation command.
func writeVouches(w io.Writer, rep app.Reputation) {
	if rep.Vouches == 0 {
		fmt.Fprintln(w, "no vouches known here")
		return
	}
	people := fmt.Sprintf("%d people", rep.Vouches)
	if rep.Vouches == 1 {
		people = "1 person"
	}
	fmt.Fprintf(w, "vouched for by %s:\n", people)
	for _, v := range rep.Vouchers {
		who := v.Peer
		if v.Name != "" {
			who = fmt.Sprintf("%s (%s)", v.Name, v.Peer)
		}
		if v.Text != "" {
			fmt.Fprintf(w, "  %s: %q\n", who, v.Text)
		} else {
			fmt.Fprintf(w, "  %s\n", who)
		}
	}
}
