package domain

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// Private messages (DESIGN §4). A message is an Envelope signed by its author
// and sealed to its recipient: encrypted with age to the recipient's Ed25519
// key (converted to X25519, as age does for ssh-ed25519 keys), so the peers that
// carry or keep it learn only whom it is for and until when. Bookings, their
// messages and chat all travel this way; Kind tells them apart.

// messageDomain separates message signatures from records and any other use
// of the key.
const messageDomain = "caravan/message/v1\x00"

// sealedDomain separates the hash of a sealed message from other hashes.
const sealedDomain = "caravan/sealed/v1\x00"

// Limits on private messages.
const (
	// MaxMessageBody caps an envelope's body.
	MaxMessageBody = 32 << 10
	// MaxEnvelopeSize caps an envelope's JSON form, the plaintext of a seal.
	MaxEnvelopeSize = 48 << 10
	// MaxSealedSize caps a sealed message's wire form.
	MaxSealedSize = 80 << 10
	// MaxMessageKind caps the length of a message kind.
	MaxMessageKind = 64
	// MessageLifetime is how long a sealed message is kept by the peers that
	// carry it: it expires this long after it was sent.
	MessageLifetime = 14 * 24 * time.Hour
	// MaxChatText caps the text of a chat message, in characters.
	MaxChatText = 4000
)

// MessageChat is the kind of a chat message; its body is a Chat.
const MessageChat = "chat"

// Envelope is a private message as its author signed it. Body is a JSON value
// whose shape the kind defines; in JSON it is base64, so an envelope
// round-trips byte for byte.
type Envelope struct {
	Kind      string `json:"kind"`
	ID        string `json:"id"` // UUIDv7
	Author    string `json:"author"`
	Recipient string `json:"recipient"`
	SentAt    int64  `json:"sent_at"` // unix ms
	Body      []byte `json:"body"`
	Sig       []byte `json:"sig"`
}

// Sent is SentAt as a time.
func (e *Envelope) Sent() time.Time { return time.UnixMilli(e.SentAt) }

// ExpiresAt is when the sealed message stops being carried, in unix ms.
func (e *Envelope) ExpiresAt() int64 { return e.SentAt + MessageLifetime.Milliseconds() }

// SigningBytes is the domain-separated canonical encoding of every field but
// the signature, length-prefixed like a record's.
func (e *Envelope) SigningBytes() []byte {
	b := make([]byte, 0, len(messageDomain)+8+5*binary.MaxVarintLen64+len(e.Kind)+len(e.ID)+len(e.Author)+len(e.Recipient)+len(e.Body))
	b = append(b, messageDomain...)
	b = appendString(b, e.Kind)
	b = appendString(b, e.ID)
	b = appendString(b, e.Author)
	b = appendString(b, e.Recipient)
	b = binary.BigEndian.AppendUint64(b, uint64(e.SentAt))
	b = binary.AppendUvarint(b, uint64(len(e.Body)))
	return append(b, e.Body...)
}

// NewMessage builds and signs an envelope of a kind from this identity to a
// peer ID. The body must be a JSON value.
func (id *Identity) NewMessage(to, kind string, body []byte, now time.Time) (Envelope, error) {
	e := Envelope{Kind: kind, ID: NewID(), Author: id.Author(), Recipient: to, SentAt: now.UnixMilli(), Body: body}
	if to == id.Author() {
		return Envelope{}, Reject(ReasonBadRecipient, "a message to oneself is not sent")
	}
	if err := checkEnvelope(&e); err != nil {
		return Envelope{}, err
	}
	e.Sig = ed25519.Sign(id.raw, e.SigningBytes())
	return e, nil
}

// checkEnvelope checks every field of an envelope but its signature and times.
func checkEnvelope(e *Envelope) error {
	if err := checkMessageKind(e.Kind); err != nil {
		return err
	}
	if err := checkUUIDv7(e.ID); err != nil {
		return Reject(ReasonBadID, "%v", err)
	}
	if _, err := AuthorKey(e.Author); err != nil {
		return Reject(ReasonBadAuthor, "%v", err)
	}
	if _, err := AuthorKey(e.Recipient); err != nil {
		return Reject(ReasonBadRecipient, "recipient %q is not a user ID (a peer ID such as 12D3KooW...)", e.Recipient)
	}
	if len(e.Body) > MaxMessageBody {
		return Reject(ReasonTooLarge, "body of %d bytes, limit %d", len(e.Body), MaxMessageBody)
	}
	if !json.Valid(e.Body) {
		return Reject(ReasonBadBody, "the body is not a JSON value")
	}
	return nil
}

// checkMessageKind accepts lower-case words of letters, digits and '-',
// joined by '/': "chat", "booking/request".
func checkMessageKind(k string) error {
	if k == "" || len(k) > MaxMessageKind {
		return Reject(ReasonBadKind, "message kind %q: 1 to %d characters", k, MaxMessageKind)
	}
	start := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z':
		case (c >= '0' && c <= '9' || c == '-') && !start:
		case c == '/' && !start && i < len(k)-1:
			start = true
			continue
		default:
			return Reject(ReasonBadKind, "message kind %q: lower-case words of a-z, 0-9 and '-', joined by '/'", k)
		}
		start = false
	}
	return nil
}

// Sealed is a message on its way: the envelope encrypted to its recipient,
// with the two facts the carrying peers need in the clear: whom it is for
// (so it can be handed over when that peer appears) and when it expires. Both
// are bound to the envelope inside, so altering them makes Open fail.
type Sealed struct {
	To        string `json:"to"`
	ExpiresAt int64  `json:"expires_at"` // unix ms
	Box       []byte `json:"box"`        // age ciphertext of the envelope's JSON
}

// Expires is ExpiresAt as a time.
func (s *Sealed) Expires() time.Time { return time.UnixMilli(s.ExpiresAt) }

// Hash identifies a sealed message: peers dedupe and acknowledge by it. It
// covers every field, whatever JSON spelling carried them.
func (s *Sealed) Hash() [32]byte {
	h := sha256.New()
	b := make([]byte, 0, len(sealedDomain)+binary.MaxVarintLen64+len(s.To)+8)
	b = append(b, sealedDomain...)
	b = appendString(b, s.To)
	b = binary.BigEndian.AppendUint64(b, uint64(s.ExpiresAt))
	h.Write(b)
	h.Write(s.Box)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Encode is the wire form of a sealed message: one line of JSON.
func (s *Sealed) Encode() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode sealed message: %w", err)
	}
	return b, nil
}

// DecodeSealed parses the wire form and checks its size; CheckSealed checks
// the rest.
func DecodeSealed(b []byte) (Sealed, error) {
	if len(b) > MaxSealedSize {
		return Sealed{}, Reject(ReasonTooLarge, "sealed message of %d bytes, limit %d", len(b), MaxSealedSize)
	}
	var s Sealed
	if err := json.Unmarshal(b, &s); err != nil {
		return Sealed{}, Reject(ReasonMalformed, "sealed message: %s", describeJSONError(b, err))
	}
	return s, nil
}

// CheckSealed applies the rules a carrying peer can check without opening a
// sealed message: the recipient is an Ed25519 peer ID, the box is there and
// not too large, and the message has not expired nor claims to live longer
// than MessageLifetime (plus the clock skew).
func CheckSealed(s *Sealed, now time.Time) error {
	if _, err := AuthorKey(s.To); err != nil {
		return Reject(ReasonBadRecipient, "%v", err)
	}
	if len(s.Box) == 0 {
		return Reject(ReasonUnreadable, "the sealed message is empty")
	}
	if len(s.Box) > MaxSealedSize {
		return Reject(ReasonTooLarge, "sealed box of %d bytes, limit %d", len(s.Box), MaxSealedSize)
	}
	if now.UnixMilli() >= s.ExpiresAt {
		return Reject(ReasonExpired, "expired %s", s.Expires().UTC().Format(time.RFC3339))
	}
	if s.ExpiresAt > now.Add(MessageLifetime+MaxClockSkew).UnixMilli() {
		return Reject(ReasonBadExpiry, "expires %s: more than %v ahead", s.Expires().UTC().Format(time.RFC3339), MessageLifetime)
	}
	return nil
}

// Seal encrypts a signed envelope to its recipient. Only the holder of the
// recipient's private key can open the result.
func Seal(e *Envelope) (Sealed, error) {
	if err := checkEnvelope(e); err != nil {
		return Sealed{}, err
	}
	if err := verifyEnvelope(e); err != nil {
		return Sealed{}, err
	}
	plain, err := json.Marshal(e)
	if err != nil {
		return Sealed{}, fmt.Errorf("seal message %s: %w", e.ID, err)
	}
	if len(plain) > MaxEnvelopeSize {
		return Sealed{}, Reject(ReasonTooLarge, "message of %d bytes, limit %d", len(plain), MaxEnvelopeSize)
	}
	rcpt, err := ageRecipient(e.Recipient)
	if err != nil {
		return Sealed{}, err
	}
	var box bytes.Buffer
	w, err := age.Encrypt(&box, rcpt)
	if err != nil {
		return Sealed{}, fmt.Errorf("seal message %s: %w", e.ID, err)
	}
	if _, err := w.Write(plain); err != nil {
		return Sealed{}, fmt.Errorf("seal message %s: %w", e.ID, err)
	}
	if err := w.Close(); err != nil {
		return Sealed{}, fmt.Errorf("seal message %s: %w", e.ID, err)
	}
	return Sealed{To: e.Recipient, ExpiresAt: e.ExpiresAt(), Box: box.Bytes()}, nil
}

// ageRecipient is the age recipient of a peer ID's Ed25519 key.
func ageRecipient(to string) (*agessh.Ed25519Recipient, error) {
	pub, err := AuthorKey(to)
	if err != nil {
		return nil, Reject(ReasonBadRecipient, "%v", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, Reject(ReasonBadRecipient, "recipient %s: %v", to, err)
	}
	r, err := agessh.NewEd25519Recipient(sshPub)
	if err != nil {
		return nil, Reject(ReasonBadRecipient, "recipient %s: %v", to, err)
	}
	return r, nil
}

// Open decrypts a sealed message with this identity's key and checks the
// envelope inside: its signature, that it is addressed to this identity and
// agrees with the sealed message's clear fields, and its times. Each refusal
// is a *RejectError: ReasonBadRecipient when the message is for someone else,
// ReasonUnreadable when this key cannot decrypt it (not sealed to this key,
// or damaged), ReasonBadEnvelope when what is inside does not match.
func (id *Identity) Open(s *Sealed, now time.Time) (Envelope, error) {
	if s.To != id.Author() {
		return Envelope{}, Reject(ReasonBadRecipient, "sealed to %s, not to %s", s.To, id.Author())
	}
	if err := CheckSealed(s, now); err != nil {
		return Envelope{}, err
	}
	ident, err := agessh.NewEd25519Identity(id.raw)
	if err != nil {
		return Envelope{}, fmt.Errorf("open message: %w", err)
	}
	r, err := age.Decrypt(bytes.NewReader(s.Box), ident)
	if err != nil {
		return Envelope{}, Reject(ReasonUnreadable, "cannot decrypt with this key: %v", err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, MaxEnvelopeSize+1))
	if err != nil {
		return Envelope{}, Reject(ReasonUnreadable, "damaged: %v", err)
	}
	if len(plain) > MaxEnvelopeSize {
		return Envelope{}, Reject(ReasonTooLarge, "message over %d bytes", MaxEnvelopeSize)
	}
	var e Envelope
	if err := json.Unmarshal(plain, &e); err != nil {
		return Envelope{}, Reject(ReasonBadEnvelope, "%s", describeJSONError(plain, err))
	}
	if err := checkEnvelope(&e); err != nil {
		return Envelope{}, err
	}
	if err := verifyEnvelope(&e); err != nil {
		return Envelope{}, err
	}
	if e.Recipient != s.To || e.ExpiresAt() != s.ExpiresAt {
		return Envelope{}, Reject(ReasonBadEnvelope, "the envelope (to %s, expiring %d) does not match its seal (to %s, expiring %d)",
			e.Recipient, e.ExpiresAt(), s.To, s.ExpiresAt)
	}
	if e.SentAt > now.Add(MaxClockSkew).UnixMilli() {
		return Envelope{}, Reject(ReasonFuture, "sent %s, more than %v ahead of this clock", e.Sent().UTC().Format(time.RFC3339), MaxClockSkew)
	}
	return e, nil
}

// VerifyMessage checks an envelope's fields and its author's signature: for
// envelopes read back from a store or a file.
func VerifyMessage(e *Envelope) error {
	if err := checkEnvelope(e); err != nil {
		return err
	}
	return verifyEnvelope(e)
}

func verifyEnvelope(e *Envelope) error {
	pub, err := AuthorKey(e.Author)
	if err != nil {
		return Reject(ReasonBadAuthor, "%v", err)
	}
	if len(e.Sig) != ed25519.SignatureSize || !ed25519.Verify(pub, e.SigningBytes(), e.Sig) {
		return Reject(ReasonBadSignature, "signature does not match the message and its author")
	}
	return nil
}

// Chat is the body of a chat message.
type Chat struct {
	Text string `json:"text"`
}

// ChatBody encodes a chat text as a message body, refusing an empty, too long
// or not UTF-8 text.
func ChatBody(text string) ([]byte, error) {
	if err := checkChat(text); err != nil {
		return nil, err
	}
	b, err := json.Marshal(Chat{Text: text})
	if err != nil {
		return nil, fmt.Errorf("encode chat: %w", err)
	}
	return b, nil
}

// DecodeChat parses and checks the body of a chat message.
func DecodeChat(body []byte) (Chat, error) {
	var c Chat
	if err := json.Unmarshal(body, &c); err != nil {
		return Chat{}, Reject(ReasonBadBody, "chat: %s", describeJSONError(body, err))
	}
	return c, checkChat(c.Text)
}

func checkChat(text string) error {
	switch n := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text):
		return &RejectError{Reason: ReasonBadBody, Field: "text", Detail: "not valid UTF-8"}
	case len(bytes.TrimSpace([]byte(text))) == 0:
		return &RejectError{Reason: ReasonBadBody, Field: "text", Detail: "empty"}
	case n > MaxChatText:
		return &RejectError{Reason: ReasonBadBody, Field: "text", Detail: fmt.Sprintf("%d characters, at most %d", n, MaxChatText)}
	}
	return nil
}

// IsReject reports whether err is a refusal with the given reason.
func IsReject(err error, reason Reason) bool {
	var re *RejectError
	return errors.As(err, &re) && re.Reason == reason
}
