package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// Blocking and reporting (issue 6 item 6): a person the user blocks has
// their listings hidden from searches and their messages and requests
// refused; a report is a private note kept on this device only.

// Blocked is a person the user blocked.
type Blocked = storage.Blocked

// Report is a private note about a person.
type Report = storage.Report

func checkPeer(peer string) error {
	if _, err := domain.AuthorKey(peer); err != nil {
		return &InputError{Reason: domain.ReasonBadAuthor, Field: "peer", Detail: fmt.Sprintf("%q is not a user ID (a peer ID such as 12D3KooW...)", peer)}
	}
	return nil
}

// Block blocks a person: their listings are hidden and their messages and
// booking requests refused from now on.
func (n *Node) Block(ctx context.Context, peer, reason string) error {
	if err := checkPeer(peer); err != nil {
		return err
	}
	if peer == n.Self() {
		return &InputError{Reason: domain.ReasonBadAuthor, Field: "peer", Detail: "you cannot block yourself"}
	}
	if len([]rune(reason)) > domain.MaxReason {
		return &InputError{Reason: domain.ReasonBadBody, Field: "reason", Detail: fmt.Sprintf("at most %d characters", domain.MaxReason)}
	}
	if err := n.store.Block(ctx, peer, reason, n.now()); err != nil {
		return err
	}
	n.bus.recordsChanged([]domain.Kind{domain.KindRoom, domain.KindRide})
	return nil
}

// Unblock lifts a block; it reports whether the person was blocked.
func (n *Node) Unblock(ctx context.Context, peer string) (bool, error) {
	if err := checkPeer(peer); err != nil {
		return false, err
	}
	ok, err := n.store.Unblock(ctx, peer)
	if ok {
		n.bus.recordsChanged([]domain.Kind{domain.KindRoom, domain.KindRide})
	}
	return ok, err
}

// BlockedPeers lists the people the user blocked.
func (n *Node) BlockedPeers(ctx context.Context) ([]Blocked, error) { return n.store.BlockedPeers(ctx) }

// ReportPeer keeps a private note about a person on this device.
func (n *Node) ReportPeer(ctx context.Context, peer, note string) error {
	if err := checkPeer(peer); err != nil {
		return err
	}
	if note == "" || len([]rune(note)) > domain.MaxReason {
		return &InputError{Reason: domain.ReasonBadBody, Field: "note", Detail: fmt.Sprintf("say what happened, in 1 to %d characters", domain.MaxReason)}
	}
	return n.store.AddReport(ctx, Report{Peer: peer, Note: note, CreatedAt: n.now()})
}

// Reports lists the private notes about a person, or about everyone when
// peer is empty.
func (n *Node) Reports(ctx context.Context, peer string) ([]Report, error) {
	if peer != "" {
		if err := checkPeer(peer); err != nil {
			return nil, err
		}
	}
	return n.store.Reports(ctx, peer)
}

// refuses reports whether messages from a person are refused: blocked.
func (n *Node) refuses(ctx context.Context, peer string) bool {
	blocked, err := n.store.IsBlocked(ctx, peer)
	if err != nil {
		n.log.Warn("look up block", "peer", peer, "err", err)
	}
	return blocked
}

// hideBlocked drops the listings of blocked people from search results and
// returns how many it dropped.
func hideBlocked[T any](ctx context.Context, n *Node, list *[]T, author func(*T) string) (int, error) {
	bs, err := n.store.BlockedPeers(ctx)
	if err != nil || len(bs) == 0 {
		return 0, err
	}
	before := len(*list)
	*list = slices.DeleteFunc(*list, func(x T) bool {
		return slices.ContainsFunc(bs, func(b Blocked) bool { return b.Peer == author(&x) })
	})
	return before - len(*list), nil
}
