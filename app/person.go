package app

import (
	"context"
	"fmt"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
	"github.com/paulmach/orb"
)

// Person topics (DESIGN §7): a node follows its own person topic, so the
// records about its user are kept and served, and the topics of the people
// it deals with, so it catches up their whole record: the other party of
// each of its bookings, a stranger whose request arrived, a person it
// vouched for, and anyone the screens ask about (FollowPerson).

// FollowPerson makes the node follow the topic of the records about a peer
// ID (profile, reviews of them, vouches) and catch it up with the peers
// that follow it too, so Reputation and Vouches soon show that person's
// whole record, not only what reached this node by chance.
func (n *Node) FollowPerson(peer string) error {
	if err := checkPeerID("peer", peer); err != nil {
		return err
	}
	n.followPerson(peer)
	return nil
}

// followPerson adds a peer's person topic to the node's interest and joins
// it at once when the node runs.
func (n *Node) followPerson(peer string) {
	key := domain.PersonTopic(peer)
	n.interest.addOwn(key)
	n.joinCell(key)
}

// personTopics are the person topics the node follows by itself: its
// user's, and those of the other party of each of its bookings.
func (n *Node) personTopics(ctx context.Context) ([]string, error) {
	keys := []string{domain.PersonTopic(n.Self())}
	bs, err := n.store.Bookings(ctx, storage.BookingFilter{})
	if err != nil {
		return keys, err
	}
	for _, b := range bs {
		if other := b.Terms.Party(n.Self()); other != "" {
			keys = append(keys, domain.PersonTopic(other))
		}
	}
	return keys, nil
}

// startPersons files the records stored before person topics existed under
// theirs, and makes an always-on node keep every person topic it holds
// records of. It runs once when the node starts.
func (n *Node) startPersons(ctx context.Context) {
	if k, err := n.store.IndexPersons(ctx); err != nil {
		n.log.Warn("index person topics", "err", err)
	} else if k > 0 {
		n.log.Info("filed stored records under their person topics", "records", k)
	}
	if !n.opts.AlwaysOn {
		return
	}
	keys, err := n.store.PersonTopicKeys(ctx)
	if err != nil {
		n.log.Warn("list stored person topics", "err", err)
		return
	}
	n.interest.addOwn(keys...)
}

// checkPeerID refuses a string that is not a user ID, naming the field.
func checkPeerID(field, peer string) error {
	if _, err := domain.AuthorKey(peer); err != nil {
		return &InputError{Reason: domain.ReasonBadAuthor, Field: field, Detail: fmt.Sprintf("%q is not a user ID (a peer ID such as 12D3KooW...)", peer)}
	}
	return nil
}

// checkRideStops refuses a pickup and drop-off that the ride does not serve
// by the ride-matching rules (domain.MatchRide): both near the route, the
// pickup before the drop-off. Seats and times are checked elsewhere.
func checkRideStops(r *domain.Ride, pickup, dropoff *[2]float64) error {
	if pickup == nil || dropoff == nil {
		return nil // the terms' own check names the missing point
	}
	ride := *r
	ride.SeatsLeft = max(ride.SeatsLeft, 1)
	q := domain.RideQuery{Pickup: orb.Point(*pickup), Dropoff: orb.Point(*dropoff)}
	if err := q.Validate(); err != nil {
		return &InputError{Reason: domain.ReasonBadCoordinate, Field: "pickup", Detail: err.Error()}
	}
	_, ok, miss := domain.MatchRide(&ride, q)
	if ok {
		return nil
	}
	field := "pickup"
	if miss == domain.MissDropoff || miss == domain.MissDirection {
		field = "dropoff"
	}
	return &InputError{Reason: domain.ReasonBadBody, Field: field, Detail: fmt.Sprintf("%s: this ride does not serve it", miss)}
}
