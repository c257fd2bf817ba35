package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// Vouches (DESIGN §5): the user's signed "I know this person", published on
// the person's topic and shown beside their reputation.

// Vouch is a live vouch as the screens and the CLI show it.
type Vouch struct {
	ID         string    `json:"id"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name,omitempty"` // from the author's profile, when known here
	Subject    string    `json:"subject"`
	Text       string    `json:"text,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
}

// Vouch signs and publishes the user's vouch for a peer, with an optional
// short word. Vouching again for the same peer replaces the earlier vouch.
// The node follows the peer's topic from then on. It returns the vouch's
// record id; bad input comes back as an *InputError.
func (n *Node) Vouch(ctx context.Context, peer, text string) (string, error) {
	if err := checkPeerID("peer", peer); err != nil {
		return "", err
	}
	if peer == n.Self() {
		return "", &InputError{Reason: domain.ReasonBadBody, Field: "peer", Detail: "no one vouches for themselves"}
	}
	var prev *domain.Record
	switch old, err := n.store.LiveVouch(ctx, n.Self(), peer); {
	case err == nil:
		prev = &old
	case !errors.Is(err, storage.ErrNotFound):
		return "", err
	}
	rec, err := n.id.NewVouchRecord(domain.Vouch{Subject: peer, Text: text}, prev, time.Now())
	if err != nil {
		return "", err
	}
	if err := n.postOwn(ctx, rec); err != nil {
		return "", err
	}
	n.followPerson(peer)
	return rec.ID, nil
}

// Unvouch withdraws the user's vouch for a peer with a tombstone that
// travels where the vouch did.
func (n *Node) Unvouch(ctx context.Context, peer string) error {
	if err := checkPeerID("peer", peer); err != nil {
		return err
	}
	prev, err := n.store.LiveVouch(ctx, n.Self(), peer)
	if errors.Is(err, storage.ErrNotFound) {
		return &InputError{Reason: domain.ReasonBadBody, Field: "peer", Detail: fmt.Sprintf("you have not vouched for %s", peer)}
	}
	if err != nil {
		return err
	}
	tomb, err := n.id.NewTombstone(prev, time.Now())
	if err != nil {
		return err
	}
	return n.postOwn(ctx, tomb)
}

// Vouches lists the live vouches for a peer known here, newest first, with
// their authors' names where a profile is known.
func (n *Node) Vouches(ctx context.Context, peer string) ([]Vouch, error) {
	if err := checkPeerID("peer", peer); err != nil {
		return nil, err
	}
	vs, err := n.store.Vouches(ctx, peer, "")
	if err != nil {
		return nil, err
	}
	authors := make([]string, len(vs))
	for i, v := range vs {
		authors[i] = v.Author
	}
	names, err := n.profileNames(ctx, authors)
	if err != nil {
		return nil, err
	}
	out := make([]Vouch, len(vs))
	for i, v := range vs {
		out[i] = Vouch{ID: v.ID, Author: v.Author, AuthorName: names[v.Author], Subject: v.Subject, Text: v.Text, IssuedAt: v.IssuedAt}
	}
	return out, nil
}

// maxNamesLookup caps the authors whose names one lookup reads.
const maxNamesLookup = 500

// profileNames returns the names of the first maxNamesLookup authors whose
// profile is known here.
func (n *Node) profileNames(ctx context.Context, authors []string) (map[string]string, error) {
	return n.store.ProfileNames(ctx, authors[:min(len(authors), maxNamesLookup)])
}

// addVouches fills in a reputation's vouches.
func (n *Node) addVouches(ctx context.Context, rep *Reputation) error {
	vs, err := n.Vouches(ctx, rep.Peer)
	if err != nil {
		return err
	}
	rep.Vouches = len(vs)
	rep.Vouchers = make([]storage.Voucher, len(vs))
	for i, v := range vs {
		rep.Vouchers[i] = storage.Voucher{Peer: v.Author, Name: v.AuthorName, Text: v.Text}
	}
	return nil
}
