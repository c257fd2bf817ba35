package domain

import (
	"errors"
	"fmt"
)

// Reason names why a record was refused. Reasons are stable strings: they are
// counted per reason and per peer, printed by `caravan records import`, and used
// by peer scoring.
type Reason string

// The rejection reasons.
const (
	ReasonMalformed     Reason = "malformed"      // not a record: bad JSON or wrong field types
	ReasonTooLarge      Reason = "too_large"      // over a size limit
	ReasonBadKind       Reason = "bad_kind"       // unknown or reserved kind
	ReasonBadID         Reason = "bad_id"         // id is not a UUIDv7
	ReasonBadAuthor     Reason = "bad_author"     // author is not an Ed25519 peer ID
	ReasonBadSignature  Reason = "bad_signature"  // signature does not verify
	ReasonFuture        Reason = "future"         // issued more than MaxClockSkew ahead
	ReasonExpired       Reason = "expired"        // already past its expiry
	ReasonBadExpiry     Reason = "bad_expiry"     // expiry before issue or beyond the kind's lifetime
	ReasonBadVersion    Reason = "bad_version"    // version zero
	ReasonBadCells      Reason = "bad_cells"      // cells do not match the body's location
	ReasonBadBody       Reason = "bad_body"       // a body field is missing or invalid
	ReasonBadCoordinate Reason = "bad_coordinate" // a coordinate is not finite or out of range
	ReasonNotOwner      Reason = "not_owner"      // a different author for an existing id
	ReasonStale         Reason = "stale"          // not newer than the stored version
)

// The rejection reasons of private messages (seal.go).
const (
	ReasonBadRecipient Reason = "bad_recipient" // not an Ed25519 peer ID, or not this user
	ReasonUnreadable   Reason = "unreadable"    // this key cannot decrypt it: sealed to another key, or damaged
	ReasonBadEnvelope  Reason = "bad_envelope"  // what was sealed is not an envelope matching its seal
)

// RejectError is a refusal with its reason and a sentence a person can act on.
type RejectError struct {
	Reason Reason
	Field  string // the body field at fault, when there is one
	Detail string
}

func (e *RejectError) Error() string {
	if e.Field != "" {
		return string(e.Reason) + ": " + e.Field + ": " + e.Detail
	}
	return string(e.Reason) + ": " + e.Detail
}

// Reject builds a RejectError.
func Reject(reason Reason, format string, args ...any) *RejectError {
	return &RejectError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf extracts the reason from an error returned by this package, or
// ReasonMalformed for any other error.
func ReasonOf(err error) Reason {
	var re *RejectError
	if errors.As(err, &re) {
		return re.Reason
	}
	return ReasonMalformed
}
