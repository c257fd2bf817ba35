package app

import (
	"context"

	"github.com/caravan-p2p/caravan/domain"
)

// alertWishes tells the screens of each new room or ride among recs (first
// versions, from others) that fits one of the user's live wishes, so a wish
// works as a saved search: the desktop raises a notification (WishFits).
// A room is checked without its calendar, which travels on its own; the
// owner answers a request for taken days anyway.
func (n *Node) alertWishes(ctx context.Context, recs []domain.Record) {
	var fresh []domain.Record
	for _, r := range recs {
		if (r.Kind == domain.KindRoom || r.Kind == domain.KindRide) && r.Version == 1 && r.Author != n.Self() {
			fresh = append(fresh, r)
		}
	}
	if len(fresh) == 0 {
		return
	}
	wishes, err := n.store.WishesBy(ctx, n.Self(), n.now())
	if err != nil || len(wishes) == 0 {
		if err != nil {
			n.log.Warn("check new listings against wishes", "err", err)
		}
		return
	}
	for _, r := range fresh {
		body, err := domain.DecodeBody(&r)
		if err != nil {
			continue
		}
		for _, w := range wishes {
			if ok, _ := domain.ListingFitsWish(&w.Wish, body, nil); ok {
				n.bus.emit(Event{Kind: WishFits, Peer: r.Author, Listing: r.ID, Title: listingTitleOf(body)})
				break
			}
		}
	}
}
