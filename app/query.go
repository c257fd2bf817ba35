package app

import (
	"context"
	"fmt"

	"github.com/caravan-p2p/caravan/storage"
)

// Rooms finds rooms in the local store, newest first.
func (n *Node) Rooms(ctx context.Context, q RoomQuery) ([]RoomListing, error) {
	hits, err := n.store.SearchRooms(ctx, storage.RoomQuery{
		Bound: toBound(q.Bound), From: q.From, To: q.To, Guests: q.Guests,
		MaxPrice: q.MaxPrice, Amenities: q.Amenities, Text: q.Text, Limit: q.Limit,
	})
	if err != nil {
		return nil, fmt.Errorf("search rooms: %w", err)
	}
	out := make([]RoomListing, len(hits))
	for i, h := range hits {
		out[i] = RoomListing{ID: h.ID, Author: h.Author, Version: h.Version, IssuedAt: h.IssuedAt, Mine: h.Author == n.Self(), Room: h.Room}
	}
	return out, nil
}
