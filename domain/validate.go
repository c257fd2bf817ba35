package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Limits every peer enforces (DESIGN §3).
const (
	// MaxRecordSize caps a record's signed bytes plus signature.
	MaxRecordSize = 64 << 10
	// MaxWireSize caps a record's JSON form (its body is base64 there).
	MaxWireSize = 96 << 10
	// MaxClockSkew is how far in the future issued_at may be.
	MaxClockSkew = 10 * time.Minute
	// RoomLifetime is how long a room or calendar lives unless renewed.
	RoomLifetime = 60 * 24 * time.Hour
	// ProfileLifetime is how long a profile lives unless renewed.
	ProfileLifetime = 365 * 24 * time.Hour
	// RideGrace is how long after departure a ride may stay listed.
	RideGrace = 24 * time.Hour
)

// lifetime is the longest a record of a kind may live after it was issued.
func lifetime(k Kind) (time.Duration, bool) {
	switch k {
	case KindRoom, KindCalendar:
		return RoomLifetime, true
	case KindProfile, KindTombstone:
		return ProfileLifetime, true
	case KindRide:
		return ProfileLifetime, true // and no later than departure + RideGrace, checked on the body
	case KindReview, KindReviewSeal:
		return ReviewLifetime, true
	case KindVouch:
		return VouchLifetime, true
	case KindWish:
		return WishLifetime, true // and no later than the wish is over, checked on the body
	}
	return 0, false
}

// Validate applies every stateless rule of DESIGN §3 to a record: shape, size,
// times, signature, body and cells. The cheap checks run first, so garbage costs
// little; the signature runs before the body, so an edited body is reported as a
// bad signature. Rules that need the stored version are in Succeeds.
func Validate(r *Record, now time.Time) error {
	_, err := ValidateDecode(r, now)
	return err
}

// ValidateDecode is Validate that also returns the body it decoded, so a
// caller that needs it does not decode it twice: a *Room, *Ride, *Calendar or
// *Profile, or nil for a tombstone. The body is nil when err is not.
func ValidateDecode(r *Record, now time.Time) (any, error) {
	sig, err := precheck(r, now)
	if err != nil {
		return nil, err
	}
	if !sig.valid() {
		return nil, errBadSignature()
	}
	return validateBody(r)
}

// Validated is the outcome of validating one record of a batch: its decoded
// body as ValidateDecode returns it, or why it is invalid.
type Validated struct {
	Body any
	Err  error
}

// ValidateBatch is ValidateDecode for many records, their signatures verified
// together as one batch, which costs about half as much per signature as
// verifying them one by one. A bad record costs the batch a second pass, one
// signature at a time, so the outcome of each record is exactly its own.
func ValidateBatch(recs []Record, now time.Time) []Validated {
	out := make([]Validated, len(recs))
	sigs := make([]signed, 0, len(recs))
	idx := make([]int, 0, len(recs))
	for i := range recs {
		sig, err := precheck(&recs[i], now)
		if err != nil {
			out[i].Err = err
			continue
		}
		sigs, idx = append(sigs, sig), append(idx, i)
	}
	for j, ok := range verifyBatch(sigs) {
		i := idx[j]
		if !ok {
			out[i].Err = errBadSignature()
			continue
		}
		out[i].Body, out[i].Err = validateBody(&recs[i])
	}
	return out
}

// precheck applies the rules that come before the signature, cheapest first,
// and returns what verifying the signature needs.
func precheck(r *Record, now time.Time) (signed, error) {
	life, ok := lifetime(r.Kind)
	if !ok {
		return signed{}, Reject(ReasonBadKind, "unknown kind %q", r.Kind)
	}
	if err := checkUUIDv7(r.ID); err != nil {
		return signed{}, Reject(ReasonBadID, "%v", err)
	}
	if r.Version == 0 {
		return signed{}, Reject(ReasonBadVersion, "version must be at least 1")
	}
	msg := r.SigningBytes()
	if size := len(msg) + len(r.Sig); size > MaxRecordSize {
		return signed{}, Reject(ReasonTooLarge, "%d bytes, limit %d", size, MaxRecordSize)
	}
	if r.IssuedAt > now.Add(MaxClockSkew).UnixMilli() {
		return signed{}, Reject(ReasonFuture, "issued %s, more than %v ahead of this clock", r.Issued().UTC().Format(time.RFC3339), MaxClockSkew)
	}
	if r.ExpiresAt <= r.IssuedAt || r.ExpiresAt > r.IssuedAt+life.Milliseconds() {
		return signed{}, Reject(ReasonBadExpiry, "expires %s: must be after issue and within %v of it", r.Expires().UTC().Format(time.RFC3339), life)
	}
	if now.UnixMilli() >= r.ExpiresAt {
		return signed{}, Reject(ReasonExpired, "expired %s", r.Expires().UTC().Format(time.RFC3339))
	}
	pub, err := AuthorKey(r.Author)
	if err != nil {
		return signed{}, Reject(ReasonBadAuthor, "%v", err)
	}
	return signed{pub: pub, msg: msg, sig: r.Sig}, nil
}

// VerifySignature checks the record's signature against the key in its author.
func VerifySignature(r *Record) error {
	pub, err := AuthorKey(r.Author)
	if err != nil {
		return Reject(ReasonBadAuthor, "%v", err)
	}
	if !(signed{pub: pub, msg: r.SigningBytes(), sig: r.Sig}).valid() {
		return errBadSignature()
	}
	return nil
}

func errBadSignature() error {
	return Reject(ReasonBadSignature, "signature does not match the record and its author")
}

// validateBody checks the kind's body and that the cells are the ones the
// body implies, and returns the decoded body.
func validateBody(r *Record) (any, error) {
	body, err := DecodeBody(r)
	if err != nil {
		return nil, err
	}
	var want []string
	switch b := body.(type) {
	case *Room:
		want = []string{CellAt(b.Point())}
	case *Ride:
		if r.ExpiresAt > b.DepartAt.Add(RideGrace).UnixMilli() {
			return nil, Reject(ReasonBadExpiry, "a ride expires at most %v after departure", RideGrace)
		}
		want = RouteCells(b.LineString())
		if len(want) > MaxCells {
			return nil, Reject(ReasonBadCells, "route crosses %d cells, at most %d", len(want), MaxCells)
		}
	case *SealedReview, *CheckedReview:
		return body, nil // cells checked with the acceptance (review.go)
	case *Vouch:
		if err := validateVouch(r, b); err != nil {
			return nil, err
		}
		return body, nil
	case *Profile:
		// A profile has no place: it travels in the cells of its author's listings and bookings.
		if err := checkCellList(r.Cells, 0, MaxCells); err != nil {
			return nil, err
		}
		return body, nil
	case *Wish:
		if err := validateWish(r, b); err != nil { // wish.go
			return nil, err
		}
		return body, nil
	case *Calendar:
		// The cell is the room's; the room itself is checked by the store.
		if err := checkCellList(r.Cells, 1, 1); err != nil {
			return nil, err
		}
		return body, nil
	case nil: // a tombstone
		if err := checkTopicList(r.Cells, 0, MaxCells); err != nil { // the deleted record's cells (a vouch's person topic)
			return nil, err
		}
		return nil, nil
	}
	if !slices.Equal(r.Cells, want) {
		return nil, Reject(ReasonBadCells, "cells %v, the body's location gives %v", r.Cells, want)
	}
	return body, nil
}

// DecodeBody decodes r's body by its kind, checking the body's own rules
// (not the signature): a *Room, *Ride, *Calendar, *Profile, *SealedReview or
// *CheckedReview, or nil for a tombstone, whose body must be empty.
func DecodeBody(r *Record) (any, error) {
	switch r.Kind {
	case KindRoom:
		return decoded(DecodeRoom(r.Body))
	case KindRide:
		return decoded(DecodeRide(r.Body))
	case KindCalendar:
		return decoded(DecodeCalendar(r.Body))
	case KindProfile:
		return decoded(DecodeProfile(r.Body))
	case KindWish:
		return decoded(DecodeWish(r.Body))
	case KindReviewSeal:
		return decoded(SealTerms(r))
	case KindReview:
		rv, t, err := ReviewTerms(r)
		return decoded(CheckedReview{Review: rv, Terms: t}, err)
	case KindVouch:
		return decoded(DecodeVouch(r.Body))
	case KindTombstone:
		if len(r.Body) != 0 {
			return nil, Reject(ReasonBadBody, "a tombstone has no body")
		}
		return nil, nil
	}
	return nil, Reject(ReasonBadKind, "unknown kind %q", r.Kind)
}

// decoded returns a pointer to a decoded body as DecodeBody's result.
func decoded[T any](body T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return &body, nil
}

func checkCellList(cells []string, min, max int) error {
	if len(cells) < min || len(cells) > max {
		return Reject(ReasonBadCells, "%d cells, want %d to %d", len(cells), min, max)
	}
	for i, c := range cells {
		t, err := ParseCell(c)
		if err != nil || t.Z != TopicZoom {
			return Reject(ReasonBadCells, "cell %q is not a zoom-%d tile", c, TopicZoom)
		}
		if i > 0 && c <= cells[i-1] {
			return Reject(ReasonBadCells, "cells must be sorted and distinct; %q follows %q", c, cells[i-1])
		}
	}
	return nil
}

func checkUUIDv7(s string) error {
	u, err := uuid.Parse(s)
	if err != nil || u.String() != s {
		return fmt.Errorf("%q is not a UUID in canonical form", s)
	}
	if u.Version() != 7 {
		return fmt.Errorf("%q is a version %d UUID, want version 7", s, u.Version())
	}
	return nil
}

// Head is what the store keeps of the current version of an id, enough to
// judge a newcomer.
type Head struct {
	Kind    Kind
	Author  string
	Version uint64
	Hash    [32]byte
}

// Succession says how a valid record relates to the stored version of its id.
type Succession int

// The successions.
const (
	Newer Succession = iota // replaces the stored version (or there is none)
	Same                    // the very record already stored
	Older                   // not newer than the stored version: ignored, not an offence
)

// Succeeds judges a record that passed Validate against the stored head of its
// id (nil if none): only the author may publish new versions, the highest version
// wins, and a deleted id stays deleted. Two different records with one version
// keep the first seen.
func Succeeds(prev *Head, r *Record) (Succession, error) {
	if prev == nil {
		return Newer, nil
	}
	if prev.Author != r.Author {
		return 0, Reject(ReasonNotOwner, "id %s belongs to %s", r.ID, prev.Author)
	}
	if prev.Version == r.Version && prev.Hash == r.Hash() {
		return Same, nil
	}
	if r.Version <= prev.Version {
		return Older, nil
	}
	if prev.Kind == KindTombstone {
		return 0, Reject(ReasonBadKind, "id %s was deleted", r.ID)
	}
	if r.Kind != prev.Kind && r.Kind != KindTombstone {
		return 0, Reject(ReasonBadKind, "id %s is a %s, not a %s", r.ID, prev.Kind, r.Kind)
	}
	return Newer, nil
}
