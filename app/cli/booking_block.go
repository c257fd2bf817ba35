package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
)

// blockCommands are block, unblock, blocked and report.
func (e *env) blockCommands() []*cobra.Command {
	var reason string
	block := &cobra.Command{
		Use:   "block PEER_ID [--reason TEXT]",
		Short: "Block a person: their listings hidden, their messages and requests refused",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				if err := n.Block(cmd.Context(), args[0], reason); err != nil {
					return inputErr("block", err)
				}
				return e.print(map[string]string{"peer_id": args[0], "status": "blocked"}, func(w io.Writer) { fmt.Fprintf(w, "blocked %s\n", args[0]) })
			})
		},
	}
	block.Flags().StringVar(&reason, "reason", "", "why, for yourself")
	unblock := &cobra.Command{
		Use:   "unblock PEER_ID",
		Short: "Lift a block",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				ok, err := n.Unblock(cmd.Context(), args[0])
				if err != nil {
					return inputErr("unblock", err)
				}
				if !ok {
					return fmt.Errorf("unblock: %s is not blocked", args[0])
				}
				return e.print(map[string]string{"peer_id": args[0], "status": "unblocked"}, func(w io.Writer) { fmt.Fprintf(w, "unblocked %s\n", args[0]) })
			})
		},
	}
	blocked := &cobra.Command{
		Use:   "blocked",
		Short: "List the people you blocked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				bs, err := n.BlockedPeers(cmd.Context())
				if err != nil {
					return err
				}
				return e.print(bs, func(w io.Writer) {
					for _, b := range bs {
						fmt.Fprintf(w, "%s  since %s  %s\n", b.Peer, b.BlockedAt.Local().Format("2006-01-02"), b.Reason)
					}
					fmt.Fprintln(w, plural(len(bs), "person")+" blocked")
				})
			})
		},
	}
	report := &cobra.Command{
		Use:   "report PEER_ID TEXT...",
		Short: "Keep a private note about a person on this device (nothing is sent)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				if err := n.ReportPeer(cmd.Context(), args[0], strings.Join(args[1:], " ")); err != nil {
					return inputErr("report", err)
				}
				rs, err := n.Reports(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return e.print(rs, func(w io.Writer) {
					fmt.Fprintf(w, "%s noted about %s\n", plural(len(rs), "report"), args[0])
				})
			})
		},
	}
	return []*cobra.Command{block, unblock, blocked, report}
}
