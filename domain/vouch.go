package domain

import (
	"slices"
	"time"
)

// Vouches (DESIGN §5): a signed "I know this person", with an optional short
// word, shown beside a reputation as a web-of-trust signal. A vouch travels
// on its subject's person topic, which is its one cell. One author keeps one
// live vouch per subject: a new word is a new version of the same record, and
// a tombstone withdraws it.

// KindVouch is the kind of a vouch record.
const KindVouch Kind = "vouch"

// Vouch rules.
const (
	// MaxVouchText caps a vouch's word, in characters.
	MaxVouchText = 280
	// VouchLifetime is how long a vouch lives unless renewed.
	VouchLifetime = ProfileLifetime
)

// Vouch is the body of a vouch record.
type Vouch struct {
	Subject string `json:"subject"`        // the peer ID vouched for
	Text    string `json:"text,omitempty"` // an optional word: how the author knows them
}

// DecodeVouch parses and validates a vouch body.
func DecodeVouch(b []byte) (Vouch, error) {
	var v Vouch
	if err := decodeBody(b, &v); err != nil {
		return v, err
	}
	return v, v.Validate()
}

// Validate checks a vouch's subject and word.
func (v *Vouch) Validate() error {
	if _, err := AuthorKey(v.Subject); err != nil {
		return bodyError("subject", "%q is not a user ID (a peer ID such as 12D3KooW...)", v.Subject)
	}
	return checkText("text", v.Text, 0, MaxVouchText)
}

// validateVouch checks the rules of a vouch record whose body decoded: no
// one vouches for themselves, and it travels on its subject's person topic.
func validateVouch(r *Record, v *Vouch) error {
	if v.Subject == r.Author {
		return bodyError("subject", "no one vouches for themselves")
	}
	if want := []string{PersonTopic(v.Subject)}; !slices.Equal(r.Cells, want) {
		return Reject(ReasonBadCells, "cells %v, a vouch for %s travels on %v", r.Cells, v.Subject, want)
	}
	return nil
}

// NewVouchRecord signs a vouch for subject; prev is the author's current
// vouch for the same subject, which the new one replaces, or nil.
func (id *Identity) NewVouchRecord(v Vouch, prev *Record, now time.Time) (Record, error) {
	if err := v.Validate(); err != nil {
		return Record{}, err
	}
	if v.Subject == id.Author() {
		return Record{}, bodyError("subject", "no one vouches for themselves")
	}
	if prev != nil && prev.Kind != KindVouch {
		return Record{}, Reject(ReasonBadKind, "record %s is a %s, not a vouch", prev.ID, prev.Kind)
	}
	return id.newRecord(KindVouch, v, []string{PersonTopic(v.Subject)}, prev, now, now.Add(VouchLifetime))
}
