package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Kind names what a record describes.
type Kind string

// The record kinds. Kinds not listed in bodyKinds are reserved for later protocol
// versions and rejected for now.
const (
	KindProfile   Kind = "profile"
	KindRoom      Kind = "room"
	KindRide      Kind = "ride"
	KindCalendar  Kind = "calendar"
	KindTombstone Kind = "tombstone"
	// KindReviewSeal and KindReview are in review.go.
)

// signingDomain separates Caravan record signatures from any other use of the key.
const signingDomain = "caravan/record/v1\x00"

// Record is the signed unit everything public travels in (DESIGN §3).
// Body holds the kind's payload exactly as signed; in JSON it is base64, so a
// record round-trips through JSON byte for byte.
type Record struct {
	Kind      Kind     `json:"kind"`
	ID        string   `json:"id"`
	Author    string   `json:"author"`
	Version   uint64   `json:"version"`
	IssuedAt  int64    `json:"issued_at"`
	ExpiresAt int64    `json:"expires_at"`
	Cells     []string `json:"cells"`
	Body      []byte   `json:"body"`
	Sig       []byte   `json:"sig"`
}

// NewID returns a fresh UUIDv7, time-ordered so new records sort last.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// SigningBytes is the domain-separated canonical encoding of every field but the
// signature. Strings and byte fields are length-prefixed, integers fixed-width big
// endian, so no two different records share an encoding.
func (r *Record) SigningBytes() []byte {
	n := len(signingDomain) + 3*8 + 6*binary.MaxVarintLen64 + len(r.Kind) + len(r.ID) + len(r.Author) + len(r.Body)
	for _, c := range r.Cells {
		n += binary.MaxVarintLen64 + len(c)
	}
	b := make([]byte, 0, n)
	b = append(b, signingDomain...)
	b = appendString(b, string(r.Kind))
	b = appendString(b, r.ID)
	b = appendString(b, r.Author)
	b = binary.BigEndian.AppendUint64(b, r.Version)
	b = binary.BigEndian.AppendUint64(b, uint64(r.IssuedAt))
	b = binary.BigEndian.AppendUint64(b, uint64(r.ExpiresAt))
	b = binary.AppendUvarint(b, uint64(len(r.Cells)))
	for _, c := range r.Cells {
		b = appendString(b, c)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Body)))
	b = append(b, r.Body...)
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Hash identifies this exact signed record: two copies with the same hash are the
// same bytes. Gossip uses it as the message ID and sync as the fingerprint input.
func (r *Record) Hash() [32]byte {
	h := sha256.New()
	h.Write(r.SigningBytes())
	h.Write(r.Sig)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Issued is IssuedAt as a time.
func (r *Record) Issued() time.Time { return time.UnixMilli(r.IssuedAt) }

// Expires is ExpiresAt as a time.
func (r *Record) Expires() time.Time { return time.UnixMilli(r.ExpiresAt) }

// Encode is the wire and file form of a record: one line of JSON.
func (r *Record) Encode() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	return b, nil
}

// DecodeRecord parses the wire form. It checks only the shape; Validate checks
// the content.
func DecodeRecord(b []byte) (Record, error) {
	if len(b) > MaxWireSize {
		return Record{}, Reject(ReasonTooLarge, "%d bytes on the wire, limit %d", len(b), MaxWireSize)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, Reject(ReasonMalformed, "%s", describeJSONError(b, err))
	}
	return r, nil
}

// describeJSONError turns a decoding error into a sentence that names the field
// or the byte offset, so a person can find the fault.
func describeJSONError(b []byte, err error) string {
	switch e := err.(type) {
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("field %q: expected %s, got %s", e.Field, e.Type, e.Value)
	case *json.SyntaxError:
		return fmt.Sprintf("invalid JSON at byte %d: %v", e.Offset, e)
	}
	return err.Error()
}
