package cli

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
)

// reviewCommand reviews the other party of an ended booking.
func (e *env) reviewCommand() *cobra.Command {
	var in app.ReviewInput
	var cats []string
	cmd := &cobra.Command{
		Use:   "review BOOKING_ID --stars N [--category NAME=N]... [--text TEXT]",
		Short: "Review the other party of an ended booking; published once both of you have reviewed",
		Long: "review seals your review and publishes only the seal. The review itself is published when the other\n" +
			"party's seal arrives, or 14 days after the end, so neither of you reads the other's first. Categories:\n" +
			"rooms accuracy, cleanliness, communication, location, value; rides punctuality, safety, comfort,\n" +
			"communication (renters only). Each party reviews a booking once.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if in.Stars == 0 {
				return fmt.Errorf("give --stars, 1 to 5")
			}
			for _, c := range cats {
				k, v, ok := strings.Cut(c, "=")
				n, err := strconv.Atoi(v)
				if !ok || err != nil {
					return fmt.Errorf("--category %q: want NAME=N, like cleanliness=5", c)
				}
				if in.Categories == nil {
					in.Categories = map[string]int{}
				}
				in.Categories[k] = n
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				st, err := n.WriteReview(cmd.Context(), args[0], in)
				if err != nil {
					return inputErr("review", err)
				}
				e.warnNoNode(cmd.Context(), n, "the seal")
				return e.print(st, func(w io.Writer) {
					if st.Revealed {
						fmt.Fprintf(w, "review %s published\n", st.ReviewID)
						return
					}
					fmt.Fprintf(w, "sealed (%s); published once the other party has reviewed, or on %s\n", st.SealID, st.RevealBy.Local().Format("2006-01-02"))
				})
			})
		},
	}
	f := cmd.Flags()
	f.IntVar(&in.Stars, "stars", 0, "overall stars, 1 to 5")
	f.StringArrayVar(&cats, "category", nil, "category stars, NAME=N (repeatable)")
	f.StringVar(&in.Text, "text", "", "what you say, published")
	f.StringVar(&in.Note, "note", "", "a private word to the other party, sent when the review is published")
	return cmd
}

// reputationCommand shows what the reviews known here say about a peer.
func (e *env) reputationCommand() *cobra.Command {
	var list bool
	cmd := &cobra.Command{
		Use:   "reputation PEER_ID [--reviews]",
		Short: "Show a peer's rating from the reviews known here: average, count, categories, recency",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				rep, err := n.Reputation(cmd.Context(), args[0])
				if err != nil {
					return inputErr("reputation", err)
				}
				out := struct {
					app.Reputation
					Reviews []app.Review `json:"reviews,omitempty"`
				}{Reputation: rep}
				if list {
					if out.Reviews, err = n.Reviews(cmd.Context(), args[0], "", ""); err != nil {
						return err
					}
				}
				return e.print(out, func(w io.Writer) {
					if rep.Count == 0 {
						fmt.Fprintf(w, "%s: no reviews known here\n", rep.Peer)
						writeVouches(w, rep)
						return
					}
					fmt.Fprintf(w, "%s: %.2f stars from %s (%d as owner, %d as renter), %d in the last year\n",
						rep.Peer, rep.Rating, plural(rep.Count, "review"), rep.AsOwner, rep.AsRenter, rep.LastYear)
					keys := make([]string, 0, len(rep.Categories))
					for k := range rep.Categories {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					for _, k := range keys {
						fmt.Fprintf(w, "  %-14s %.2f\n", k, rep.Categories[k])
					}
					for _, r := range out.Reviews {
						fmt.Fprintf(w, "%s  %d stars by %s (%s): %s\n", r.IssuedAt.Local().Format("2006-01-02"), r.Stars, r.Author, r.AuthorRole, r.Text)
					}
					writeVouches(w, rep)
				})
			})
		},
	}
	cmd.Flags().BoolVar(&list, "reviews", false, "list the reviews too")
	return cmd
}
