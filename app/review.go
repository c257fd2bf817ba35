package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// Reviews (DESIGN §5). Writing a review publishes only its seal; the review
// is kept here, private, and revealed by the node as soon as the other
// party's seal arrives, or by itself 14 days after the booking's end. So no
// one reads either review before both were written.

// revealPoll is how often the node looks for reviews it may reveal when no
// event says so: seals stored by another process, the 14-day deadline.
const revealPoll = 2 * time.Second

// ReviewInput is what a party says about the other.
type ReviewInput struct {
	Stars      int
	Categories map[string]int // rooms: accuracy, cleanliness, communication, location, value; rides: punctuality, safety, comfort, communication
	Text       string
	Note       string // a private word to the other party, sent when the review is published
}

// Review is a published review as the screens and the CLI show it.
type Review = storage.StoredReview

// Reputation is what the reviews known here say about a peer.
type Reputation = storage.Reputation

// ReviewState is where the user's own review of a booking stands.
type ReviewState struct {
	BookingID string    `json:"booking_id"`
	SealID    string    `json:"seal_id"`
	ReviewID  string    `json:"review_id,omitempty"` // once revealed
	Revealed  bool      `json:"revealed"`
	RevealBy  time.Time `json:"reveal_by"` // revealed alone from then on, if the other party has not reviewed
}

// WriteReview reviews the other party of a booking that was accepted and
// has ended. Only the seal is published now; the review follows when the
// other party's seal is here, or 14 days after the end.
func (n *Node) WriteReview(ctx context.Context, bookingID string, in ReviewInput) (ReviewState, error) {
	b, err := n.storedBooking(ctx, bookingID)
	if err != nil {
		return ReviewState{}, err
	}
	if st := b.Status.Effective(&b.Terms, n.now()); st != domain.BookingAccepted && st != domain.BookingCompleted {
		return ReviewState{}, &InputError{Reason: domain.ReasonBadBody, Field: "booking", Detail: fmt.Sprintf("booking %s is %s; only an accepted booking is reviewed", bookingID, st)}
	}
	content := domain.ReviewContent{BookingID: bookingID, Stars: in.Stars, Categories: in.Categories, Text: in.Text}
	nonce, err := domain.NewNonce()
	if err != nil {
		return ReviewState{}, err
	}
	seal, err := n.id.NewReviewSealRecord(b.Acceptance, content, nonce, n.now())
	if err != nil {
		return ReviewState{}, err
	}
	if len([]rune(in.Note)) > domain.MaxReason {
		return ReviewState{}, &InputError{Reason: domain.ReasonBadBody, Field: "note", Detail: fmt.Sprintf("at most %d characters", domain.MaxReason)}
	}
	d := storage.ReviewDraft{BookingID: bookingID, Content: content, Nonce: nonce, SealID: seal.ID, RevealAt: b.Terms.End().Add(domain.RevealAfter), Note: in.Note}
	if err := n.store.SaveReviewDraft(ctx, d); errors.Is(err, storage.ErrExists) {
		return ReviewState{}, &InputError{Reason: domain.ReasonBadBody, Field: "booking", Detail: fmt.Sprintf("you already reviewed booking %s; a review is written once", bookingID)}
	} else if err != nil {
		return ReviewState{}, err
	}
	if err := n.postOwn(ctx, seal); err != nil {
		return ReviewState{}, errors.Join(err, n.store.DeleteReviewDraft(ctx, bookingID))
	}
	n.revealDue(ctx)
	return n.ReviewState(ctx, bookingID)
}

// ReviewState says where the user's review of a booking stands.
func (n *Node) ReviewState(ctx context.Context, bookingID string) (ReviewState, error) {
	ds, err := n.store.ReviewDrafts(ctx, false)
	if err != nil {
		return ReviewState{}, err
	}
	for _, d := range ds {
		if d.BookingID == bookingID {
			return ReviewState{BookingID: d.BookingID, SealID: d.SealID, ReviewID: d.ReviewID, Revealed: d.ReviewID != "", RevealBy: d.RevealAt.UTC()}, nil
		}
	}
	return ReviewState{}, &InputError{Reason: domain.ReasonBadBody, Field: "booking", Detail: fmt.Sprintf("you have not reviewed booking %s", bookingID)}
}

// revealDue reveals each of the user's sealed reviews whose other seal is
// here or whose deadline has passed.
func (n *Node) revealDue(ctx context.Context) {
	n.revealMu.Lock()
	defer n.revealMu.Unlock()
	ds, err := n.store.ReviewDrafts(ctx, true)
	if err != nil {
		n.log.Warn("list sealed reviews", "err", err)
		return
	}
	for _, d := range ds {
		if err := n.reveal(ctx, d); err != nil {
			n.log.Warn("reveal review", "booking", d.BookingID, "err", err)
		}
	}
}

func (n *Node) reveal(ctx context.Context, d storage.ReviewDraft) error {
	seals, err := n.store.ReviewSeals(ctx, d.BookingID)
	if err != nil {
		return err
	}
	var own, other *domain.Record
	for i := range seals {
		switch {
		case seals[i].ID == d.SealID:
			own = &seals[i]
		case seals[i].Author != n.Self():
			other = &seals[i]
		}
	}
	now := n.now()
	if own == nil || (other == nil && now.Before(d.RevealAt)) {
		return nil // not yet
	}
	rec, err := n.id.NewReviewRecord(d.Content, d.Nonce, *own, other, now)
	if err != nil {
		return err
	}
	if err := n.postOwn(ctx, rec); err != nil {
		return err
	}
	n.log.Info("review revealed", "booking", d.BookingID, "id", rec.ID, "with_other_seal", other != nil)
	if err := n.store.MarkRevealed(ctx, d.BookingID, rec.ID); err != nil {
		return err
	}
	if d.Note == "" {
		return nil
	}
	t, err := domain.SealTerms(own)
	if err != nil {
		return err
	}
	body, err := json.Marshal(domain.BookingAnswer{BookingID: d.BookingID, Reason: d.Note})
	if err != nil {
		return fmt.Errorf("encode review note: %w", err)
	}
	_, err = n.SendMessage(ctx, t.Terms.Party(n.Self()), domain.MessageReviewNote, body)
	return err
}

// reviewLoop reveals sealed reviews when a seal arrives, and every
// revealPoll for seals stored by another process and for deadlines.
func (n *Node) reviewLoop(ctx context.Context) {
	events, cancel := n.Subscribe()
	defer cancel()
	tick := time.NewTicker(revealPoll)
	defer tick.Stop()
	for {
		n.revealDue(ctx)
		select {
		case <-ctx.Done():
			return
		case e := <-events:
			if e.Kind != RecordsChanged || !e.Touches(domain.KindReviewSeal) {
				continue
			}
		case <-tick.C:
		}
	}
}

// Reviews lists the published reviews about a peer (subject), by a peer
// (author) or of a listing; empty arguments do not filter. Newest first.
func (n *Node) Reviews(ctx context.Context, subject, author, listingID string) ([]Review, error) {
	return n.store.Reviews(ctx, storage.ReviewFilter{Subject: subject, Author: author, ListingID: listingID})
}

// Reputation computes a peer's reputation from the reviews of it known here,
// with the vouches for it beside.
func (n *Node) Reputation(ctx context.Context, peer string) (Reputation, error) {
	if _, err := domain.AuthorKey(peer); err != nil {
		return Reputation{}, &InputError{Reason: domain.ReasonBadAuthor, Field: "peer", Detail: fmt.Sprintf("%q is not a user ID (a peer ID such as 12D3KooW...)", peer)}
	}
	rep, err := n.store.ReputationOf(ctx, peer, n.now())
	if err != nil {
		return rep, err
	}
	return rep, n.addVouches(ctx, &rep)
}

// addRatings fills in the rating of each room of ids that has reviews.
func (n *Node) addRatings(ctx context.Context, rooms []RoomListing, ids []string) error {
	ratings, err := n.store.ListingRatings(ctx, ids)
	if err != nil {
		return err
	}
	for i := range rooms {
		if r, ok := ratings[rooms[i].ID]; ok {
			rooms[i].Rating, rooms[i].ReviewCount = r.Rating, r.Count
		}
	}
	return nil
}

// addDriverRatings fills in the rating of each ride's driver that has reviews.
func (n *Node) addDriverRatings(ctx context.Context, rides []RideMatch) error {
	authors := make([]string, len(rides))
	for i := range rides {
		authors[i] = rides[i].Author
	}
	ratings, err := n.store.OwnerRatings(ctx, authors)
	if err != nil {
		return err
	}
	for i := range rides {
		if r, ok := ratings[rides[i].Author]; ok {
			rides[i].Rating, rides[i].ReviewCount = r.Rating, r.Count
		}
	}
	return nil
}
