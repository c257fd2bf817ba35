package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Reviews (DESIGN §5). After a booking's end each party may review the other
// once. Double-blind by commit–reveal: a party first publishes a review-seal,
// which carries the booking's Acceptance and a commitment to the review (a
// hash of the review and a random nonce); the review itself carries the
// seals, its own first, and is valid only with the other party's seal too,
// or from 14 days after the end. So every rule is checked from the record
// alone, by every peer, in any order of arrival: a reveal before both seals
// exist cannot be made, a review without the owner's signed acceptance or by
// a third person fails its checks. A second review by the same party is
// refused by the store, which knows the first.

// The review record kinds.
const (
	KindReviewSeal Kind = "review-seal"
	KindReview     Kind = "review"
)

// Review rules.
const (
	// RevealAfter is how long after the end a party may reveal its review
	// without the other's seal.
	RevealAfter = 14 * 24 * time.Hour
	// ReviewLifetime is how long reviews and seals live.
	ReviewLifetime = 3 * 365 * 24 * time.Hour
	// MaxReviewText caps a review's text, in characters.
	MaxReviewText = 4000
	// MaxStars is the best score; 1 is the worst.
	MaxStars = 5
)

// reviewDomain separates a review commitment from other hashes.
const reviewDomain = "caravan/review/v1\x00"

// RoomCategories and RideCategories are the category stars a review of a
// room or a ride may give.
var (
	RoomCategories = []string{"accuracy", "cleanliness", "communication", "location", "value"}
	RideCategories = []string{"punctuality", "safety", "comfort", "communication"}
)

// ReviewSeal is the body of a review-seal record: the commitment to a review
// of the booking the acceptance proves.
type ReviewSeal struct {
	Acceptance Acceptance `json:"acceptance"`
	Commitment string     `json:"commitment"` // lowercase hex SHA-256, see Commit
}

// ReviewContent is what a review says, hidden by its seal until revealed.
// Categories apply to a renter's review of a listing; an owner's review of
// a renter gives stars and text only.
type ReviewContent struct {
	BookingID  string         `json:"booking_id"`
	Stars      int            `json:"stars"`
	Categories map[string]int `json:"categories,omitempty"`
	Text       string         `json:"text"`
}

// Review is the body of a review record: the content, the nonce that opens
// the author's seal, and the seals: the author's first, then the other
// party's unless the review is revealed RevealAfter the end.
type Review struct {
	ReviewContent
	Nonce string   `json:"nonce"` // hex of 32 random bytes
	Seals []Record `json:"seals"`
}

// NewNonce returns a fresh random nonce for a commitment.
func NewNonce() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("review nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Commit is the commitment to a review's content under a nonce.
func Commit(c ReviewContent, nonce string) (string, error) {
	n, err := hex.DecodeString(nonce)
	if err != nil || len(n) != 32 {
		return "", bodyError("nonce", "not 64 hex digits")
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode review: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(reviewDomain))
	h.Write(n)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Validate checks the content of a review of a booking of a listing kind by
// the given role.
func (c *ReviewContent) Validate(listing Kind, by Role) error {
	if err := checkUUIDv7(c.BookingID); err != nil {
		return bodyError("booking_id", "%v", err)
	}
	if c.Stars < 1 || c.Stars > MaxStars {
		return bodyError("stars", "%d is not between 1 and %d", c.Stars, MaxStars)
	}
	allowed := RoomCategories
	if listing == KindRide {
		allowed = RideCategories
	}
	if by == RoleOwner && len(c.Categories) > 0 {
		return bodyError("categories", "an owner's review of a renter gives stars and text only")
	}
	for k, v := range c.Categories {
		if !slices.Contains(allowed, k) {
			return bodyError("categories", "%q is not a category of a %s; use %v", k, listing, allowed)
		}
		if v < 1 || v > MaxStars {
			return bodyError("categories", "%s: %d is not between 1 and %d", k, v, MaxStars)
		}
	}
	return checkText("text", c.Text, 0, MaxReviewText)
}

// DecodeReviewSeal parses and validates a review-seal body: its acceptance
// verifies and the commitment is a hash.
func DecodeReviewSeal(b []byte) (ReviewSeal, error) {
	var s ReviewSeal
	if err := decodeBody(b, &s); err != nil {
		return s, err
	}
	if _, err := s.Acceptance.Verify(); err != nil {
		return s, err
	}
	if err := checkHashes("commitment", []string{s.Commitment}, 1); err != nil {
		return s, err
	}
	return s, nil
}

// DecodeReview parses a review body and checks its content's shape; the
// rules that tie it to its seals and its record are in validateReview.
func DecodeReview(b []byte) (Review, error) {
	var r Review
	if err := decodeBody(b, &r); err != nil {
		return r, err
	}
	if len(r.Seals) < 1 || len(r.Seals) > 2 {
		return r, bodyError("seals", "%d seals; a review carries its author's seal and the other party's", len(r.Seals))
	}
	return r, nil
}

// MessageReviewNote is the kind of the private note that goes to the other
// party when a review is revealed; its body is a BookingAnswer whose reason
// is the note.
const MessageReviewNote = "review/note"

// SealedReview is a decoded review-seal record with its terms.
type SealedReview struct {
	ReviewSeal
	Terms BookingTerms
}

// checkPartyRecord checks the rules a seal or a review record shares: the
// acceptance proves a booking its author is a party of, and partyRules.
func checkPartyRecord(r *Record, a *Acceptance) (BookingTerms, error) {
	t, err := a.Verify()
	if err != nil {
		return t, err
	}
	return t, partyRules(r, &t)
}

// partyRules checks a seal or review record against its booking's verified
// terms: its author is a party, the booking had ended when it was issued,
// it travels in the listing's cells, and it is never edited.
func partyRules(r *Record, t *BookingTerms) error {
	if t.Party(r.Author) == "" {
		return Reject(ReasonNotOwner, "%s is neither the owner nor the renter of booking %s", r.Author, t.BookingID)
	}
	if r.IssuedAt < t.EndAt {
		return Reject(ReasonBadBody, "booking %s ends %s; a %s comes after that", t.BookingID, t.End().UTC().Format(time.RFC3339), r.Kind)
	}
	if !slices.Equal(r.Cells, t.Cells) {
		return Reject(ReasonBadCells, "cells %v, the listing's are %v", r.Cells, t.Cells)
	}
	if r.Version != 1 {
		return Reject(ReasonBadVersion, "a %s is never edited: version must be 1", r.Kind)
	}
	return nil
}

// RoleOf is the role of who in the terms, or "" when who is neither party.
func (t *BookingTerms) RoleOf(who string) Role {
	switch who {
	case t.Owner:
		return RoleOwner
	case t.Renter:
		return RoleRenter
	}
	return ""
}

// validateSeal checks a review-seal record whose body decoded.
func validateSeal(r *Record, s *ReviewSeal) error {
	_, err := checkPartyRecord(r, &s.Acceptance)
	return err
}

// validateReview checks a review record whose body decoded: the seals are
// valid seal records of the same booking, the first the author's and
// committing to exactly this content, the second the other party's; with one
// seal only, the review was issued RevealAfter the end. The seals must carry
// the very same acceptance, so it is verified once: a review costs four
// signature checks besides its own, in two batches.
func validateReview(r *Record, rv *Review) (BookingTerms, error) {
	seals := make([]ReviewSeal, len(rv.Seals))
	sigs := make([]signed, len(rv.Seals))
	for i := range rv.Seals {
		sr := &rv.Seals[i]
		field := fmt.Sprintf("seals[%d]", i)
		if sr.Kind != KindReviewSeal {
			return BookingTerms{}, bodyError(field, "a %s, not a review-seal", sr.Kind)
		}
		pub, err := AuthorKey(sr.Author)
		if err != nil {
			return BookingTerms{}, bodyError(field, "%v", err)
		}
		sigs[i] = signed{pub: pub, msg: sr.SigningBytes(), sig: sr.Sig}
		if err := decodeBody(sr.Body, &seals[i]); err != nil {
			return BookingTerms{}, bodyError(field, "%v", err)
		}
		if err := checkHashes("commitment", []string{seals[i].Commitment}, 1); err != nil {
			return BookingTerms{}, bodyError(field, "%v", err)
		}
		if i > 0 && !seals[i].Acceptance.Equal(&seals[0].Acceptance) {
			return BookingTerms{}, bodyError(field, "seals a different booking")
		}
	}
	t, err := seals[0].Acceptance.Verify()
	if err != nil {
		return t, bodyError("seals[0]", "%v", err)
	}
	for i, ok := range verifyBatch(sigs) {
		if !ok {
			return t, bodyError(fmt.Sprintf("seals[%d]", i), "%v", errBadSignature())
		}
		if err := partyRules(&rv.Seals[i], &t); err != nil {
			return t, bodyError(fmt.Sprintf("seals[%d]", i), "%v", err)
		}
	}
	if rv.Seals[0].Author != r.Author {
		return t, bodyError("seals[0]", "the first seal is %s's, not the author's", rv.Seals[0].Author)
	}
	if err := partyRules(r, &t); err != nil {
		return t, err
	}
	if len(seals) == 2 {
		if rv.Seals[1].Author != t.Party(r.Author) {
			return t, bodyError("seals[1]", "is not the other party's seal")
		}
	} else if r.IssuedAt < t.End().Add(RevealAfter).UnixMilli() {
		return t, Reject(ReasonBadBody, "booking %s: a review is revealed once both parties sealed theirs, or from %s",
			t.BookingID, t.End().Add(RevealAfter).UTC().Format(time.RFC3339))
	}
	if rv.BookingID != t.BookingID {
		return t, bodyError("booking_id", "%s, but the seal is of booking %s", rv.BookingID, t.BookingID)
	}
	if err := rv.ReviewContent.Validate(t.ListingKind, t.RoleOf(r.Author)); err != nil {
		return t, err
	}
	want, err := Commit(rv.ReviewContent, rv.Nonce)
	if err != nil {
		return t, err
	}
	if want != seals[0].Commitment {
		return t, Reject(ReasonBadBody, "the review does not open its author's seal: content or nonce differ from what was sealed")
	}
	return t, nil
}

// NewReviewSealRecord signs a seal of content under nonce for the booking
// the acceptance proves.
func (id *Identity) NewReviewSealRecord(a Acceptance, content ReviewContent, nonce string, now time.Time) (Record, error) {
	t, err := a.Verify()
	if err != nil {
		return Record{}, err
	}
	role := t.RoleOf(id.Author())
	if role == "" {
		return Record{}, Reject(ReasonNotOwner, "only the parties of booking %s review it", t.BookingID)
	}
	if now.Before(t.End()) {
		return Record{}, Reject(ReasonBadBody, "booking %s ends %s; review it after that", t.BookingID, t.End().UTC().Format(time.RFC3339))
	}
	if err := content.Validate(t.ListingKind, role); err != nil {
		return Record{}, err
	}
	c, err := Commit(content, nonce)
	if err != nil {
		return Record{}, err
	}
	return id.newRecord(KindReviewSeal, ReviewSeal{Acceptance: a, Commitment: c}, t.Cells, nil, now, now.Add(ReviewLifetime))
}

// NewReviewRecord signs the reveal of a sealed review: own is the author's
// seal record, other the other party's (nil when revealing alone,
// RevealAfter the end).
func (id *Identity) NewReviewRecord(content ReviewContent, nonce string, own Record, other *Record, now time.Time) (Record, error) {
	rv := Review{ReviewContent: content, Nonce: nonce, Seals: []Record{own}}
	if other != nil {
		rv.Seals = append(rv.Seals, *other)
	}
	rec, err := id.newRecord(KindReview, rv, own.Cells, nil, now, now.Add(ReviewLifetime))
	if err != nil {
		return Record{}, err
	}
	if _, err := validateReview(&rec, &rv); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// ReviewTerms decodes a valid review record's body and returns it with the
// terms of its booking; for callers that read stored reviews.
func ReviewTerms(r *Record) (Review, BookingTerms, error) {
	rv, err := DecodeReview(r.Body)
	if err != nil {
		return rv, BookingTerms{}, err
	}
	t, err := validateReview(r, &rv)
	return rv, t, err
}

// SealTerms decodes a valid review-seal record's body and its terms.
func SealTerms(r *Record) (SealedReview, error) {
	var s ReviewSeal
	if err := decodeBody(r.Body, &s); err != nil {
		return SealedReview{}, err
	}
	if err := checkHashes("commitment", []string{s.Commitment}, 1); err != nil {
		return SealedReview{}, err
	}
	t, err := checkPartyRecord(r, &s.Acceptance) // verifies the acceptance
	return SealedReview{ReviewSeal: s, Terms: t}, err
}

// CheckedReview is a review record's decoded, validated body with its
// booking's terms, as ValidateDecode returns it.
type CheckedReview struct {
	Review
	Terms BookingTerms
}
