package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/caravan-p2p/caravan/app"
)

// addWishCommands adds the wish commands: `post wish` and `search wishes`
// under post and search, and wishes, offer, offers and accept-offer.
func (e *env) addWishCommands(root *cobra.Command) {
	for _, c := range root.Commands() {
		switch c.Name() {
		case "post":
			c.AddCommand(e.postWishCommand())
		case "search":
			c.AddCommand(e.searchWishesCommand())
		}
	}
	root.AddCommand(e.wishesCommand(), e.offerCommand(), e.offersCommand(), e.acceptOfferCommand())
}

func (e *env) postWishCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "wish FILE.json",
		Short: "Publish a wish (a stay or a ride you look for) so owners can offer you theirs",
		Long: "Publish a wish described by a JSON file: a stay\n" +
			`  {"stay": {"centre": [LON, LAT], "radius_km": 5, "from": "2026-12-01", "to": "2026-12-04", "guests": 2,` + "\n" +
			`            "max_price_per_night": 60, "currency": "EUR", "amenities": ["wifi"], "text": "..."}}` + "\n" +
			"(or \"bbox\": [MINLON, MINLAT, MAXLON, MAXLAT] instead of centre and radius_km), or a ride\n" +
			`  {"ride": {"from": [LON, LAT], "to": [LON, LAT], "depart_after": "2026-12-01T08:00:00+01:00",` + "\n" +
			`            "depart_before": "2026-12-01T12:00:00+01:00", "seats": 1, "max_price_per_seat": 30, "currency": "EUR"}}` + "\n" +
			"The wish is public and signed, and expires when its dates are over. Offers arrive privately:\n" +
			"`caravan offers` lists them.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var w app.Wish
			if err := decodeFile(args[0], &w); err != nil {
				return err
			}
			err := e.post(cmd, args[0], func(n *app.Node) (string, error) { return n.PostWish(cmd.Context(), w) })
			return withFieldLine(args[0], err)
		},
	}
}

// withFieldLine adds the line of the field a validation error names to an
// error of e.post ("FILE: field stay.from: ..."), when the file shows it.
func withFieldLine(path string, err error) error {
	if err == nil {
		return nil
	}
	prefix := path + ": field "
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return err
	}
	field, _, _ := strings.Cut(strings.TrimPrefix(msg, prefix), ":")
	b, rerr := os.ReadFile(path)
	if rerr != nil {
		return err
	}
	off := 0
	for _, part := range strings.Split(field, ".") {
		part, _, _ = strings.Cut(part, "[")
		i := bytes.Index(b[off:], []byte(`"`+part+`"`))
		if i < 0 {
			return err // a missing field: no line to show
		}
		off += i
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	return fmt.Errorf("%s:%d: %s", path, line, strings.TrimPrefix(msg, path+": "))
}

func (e *env) searchWishesCommand() *cobra.Command {
	var listing string
	cmd := &cobra.Command{
		Use:   "wishes --for LISTING_ID",
		Short: "List the wishes one of your rooms or rides fits",
		Long: "List the wishes of renters that one of your listings fits: a room inside the wished area, free\n" +
			"on the wished nights, with room for the guests, within the budget; a ride passing near the wished\n" +
			"pickup and then the drop-off in the time window, with the seats, within the budget.\n" +
			"Answer one with `caravan offer WISH_ID --listing LISTING_ID`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listing == "" {
				return errors.New("search wishes: give --for LISTING_ID, one of your rooms or rides")
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				ws, err := n.Wishes(cmd.Context(), listing)
				if err != nil {
					return inputErr("search wishes", err)
				}
				return e.print(ws, func(w io.Writer) {
					for _, x := range ws {
						writeWish(w, x.WishView)
						if x.DetourKm != nil {
							fmt.Fprintf(w, "    detour %.1f km, pickup about %s\n", *x.DetourKm, x.PickupAt.Local().Format("2006-01-02 15:04"))
						}
						if x.Offered {
							fmt.Fprintln(w, "    you offered this listing")
						}
					}
					fmt.Fprintln(w, wishCount(len(ws))+" fit")
				})
			})
		},
	}
	cmd.Flags().StringVar(&listing, "for", "", "the id of one of your rooms or rides")
	return cmd
}

func (e *env) wishesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "wishes",
		Short: "List your wishes with the offers they received",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				ws, err := n.MyWishes(cmd.Context())
				if err != nil {
					return inputErr("wishes", err)
				}
				return e.print(ws, func(w io.Writer) {
					for _, x := range ws {
						writeWish(w, x.WishView)
						for _, o := range x.Offers {
							writeOffer(w, o, "    ")
						}
					}
					fmt.Fprintln(w, wishCount(len(ws)))
				})
			})
		},
	}
}

func (e *env) offerCommand() *cobra.Command {
	var in app.OfferInput
	cmd := &cobra.Command{
		Use:   "offer WISH_ID --listing LISTING_ID [--note TEXT]",
		Short: "Offer one of your listings to the author of a wish it fits, privately",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.WishID = args[0]
			if in.ListingID == "" {
				return errors.New("offer: give --listing LISTING_ID, one of your rooms or rides that fits the wish")
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				o, err := n.Offer(cmd.Context(), in)
				if err != nil {
					return inputErr("offer", err)
				}
				e.warnNoNode(cmd.Context(), n, "the offer")
				return e.print(o, func(w io.Writer) { writeOffer(w, o, "") })
			})
		},
	}
	cmd.Flags().StringVar(&in.ListingID, "listing", "", "the id of one of your rooms or rides")
	cmd.Flags().StringVar(&in.Note, "note", "", "a word to the renter")
	return cmd
}

func (e *env) offersCommand() *cobra.Command {
	var wish string
	cmd := &cobra.Command{
		Use:   "offers [--wish WISH_ID]",
		Short: "List the offers your wishes received",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				os, err := n.Offers(cmd.Context(), wish)
				if err != nil {
					return inputErr("offers", err)
				}
				return e.print(os, func(w io.Writer) {
					for _, o := range os {
						writeOffer(w, o, "")
					}
					fmt.Fprintln(w, plural(len(os), "offer"))
				})
			})
		},
	}
	cmd.Flags().StringVar(&wish, "wish", "", "only the offers for this wish")
	return cmd
}

func (e *env) acceptOfferCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "accept-offer OFFER_ID",
		Short: "Accept an offer: sends its owner a booking request for your wish's dates or seats",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				b, err := n.AcceptOffer(cmd.Context(), args[0])
				if err != nil {
					return inputErr("accept-offer", err)
				}
				e.warnNoNode(cmd.Context(), n, "the request")
				return e.printBooking(b)
			})
		},
	}
}

// writeWish prints a wish on one line and its words to owners under it.
func writeWish(w io.Writer, x app.WishView) {
	var what, text string
	if s := x.Stay; s != nil {
		area := ""
		if s.BBox != nil {
			area = fmt.Sprintf("in %.4f,%.4f,%.4f,%.4f", s.BBox[0], s.BBox[1], s.BBox[2], s.BBox[3])
		} else {
			area = fmt.Sprintf("within %g km of %.4f,%.4f", s.RadiusKm, s.Centre[1], s.Centre[0])
		}
		what = fmt.Sprintf("stay %s to %s, %d guests, %s%s", s.From, s.To, s.Guests, area, budget(s.MaxPricePerNight, s.Currency, "night"))
		text = s.Text
	} else if r := x.Ride; r != nil {
		what = fmt.Sprintf("ride %.4f,%.4f to %.4f,%.4f, leaving %s to %s, %d seats%s", r.From[1], r.From[0], r.To[1], r.To[0],
			r.DepartAfter.Local().Format("2006-01-02 15:04"), r.DepartBefore.Local().Format(time.TimeOnly[:5]), r.Seats,
			budget(r.MaxPricePerSeat, r.Currency, "seat"))
		text = r.Text
	}
	fmt.Fprintf(w, "%s  %s  by %s\n", x.ID, what, x.Author)
	if text != "" {
		fmt.Fprintf(w, "    %q\n", text)
	}
}

func budget(max float64, currency, per string) string {
	if max == 0 {
		return ""
	}
	return fmt.Sprintf(", at most %.2f %s a %s", max, currency, per)
}

func writeOffer(w io.Writer, o app.OfferView, indent string) {
	state := "open"
	if o.BookingID != "" {
		state = "accepted: booking " + o.BookingID
	}
	party := "from " + o.Owner
	if o.Outgoing {
		party = "to " + o.Renter
	}
	fmt.Fprintf(w, "%soffer %s  %s %s %q  %.2f %s  %s  (%s)\n", indent, o.ID, o.ListingKind, o.ListingID, o.Title, o.TotalPrice, o.Currency, party, state)
	if o.Note != "" {
		fmt.Fprintf(w, "%s    %q\n", indent, o.Note)
	}
}

func wishCount(n int) string {
	if n == 1 {
		return "1 wish"
	}
	return fmt.Sprintf("%d wishes", n)
}
