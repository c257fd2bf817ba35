package app

import (
	"context"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// PostRoom signs a new room, stores it and queues it for publishing: at once
// when the node runs in this process, within a second when a node runs on
// the same data dir elsewhere, at the next start otherwise. Bad input comes
// back as an *InputError naming the field.
//
// The room is published at an approximate pin, 150 to 400 m from the point
// given, the same for the same point (DESIGN §4): the exact place reaches
// only a renter whose booking the owner accepted.
func (n *Node) PostRoom(ctx context.Context, room Room) (string, error) {
	if lat, lon, err := n.id.ApproximatePin(room.Lat, room.Lon); err == nil {
		room.Lat, room.Lon = lat, lon
	} // else NewRoomRecord names the bad coordinate
	rec, err := n.id.NewRoomRecord(room, nil, time.Now())
	if err != nil {
		return "", err
	}
	return rec.ID, n.postOwn(ctx, rec)
}

// PostRide signs a new ride with all its seats left, stores it and queues it
// for publishing, like PostRoom.
func (n *Node) PostRide(ctx context.Context, ride Ride) (string, error) {
	rec, err := n.id.NewRideRecord(ride, nil, time.Now())
	if err != nil {
		return "", err
	}
	return rec.ID, n.postOwn(ctx, rec)
}

func (n *Node) postOwn(ctx context.Context, rec domain.Record) error {
	out, err := n.store.IngestOwn(ctx, rec, time.Now())
	if err != nil {
		return fmt.Errorf("store %s: %w", rec.Kind, err)
	}
	switch out.Status {
	case storage.Stored:
	case storage.Rejected:
		return out.Err
	default:
		return fmt.Errorf("store %s %s: %s", rec.Kind, rec.ID, out.Status)
	}
	n.bus.recordsChanged([]domain.Kind{rec.Kind})
	n.nudge()
	return nil
}
