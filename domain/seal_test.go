package domain

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
)

var sealNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func testIdentity(t testing.TB) *Identity {
	t.Helper()
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// sealChat signs and seals a chat text from one identity to another.
func sealChat(t testing.TB, from, to *Identity, text string) (Envelope, Sealed) {
	t.Helper()
	body, err := ChatBody(text)
	if err != nil {
		t.Fatal(err)
	}
	env, err := from.NewMessage(to.Author(), MessageChat, body, sealNow)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Seal(&env)
	if err != nil {
		t.Fatal(err)
	}
	return env, s
}

func TestSealOpenRoundTrip(t *testing.T) {
	a, b := testIdentity(t), testIdentity(t)
	const text = "the key is under the blue pot"
	env, s := sealChat(t, a, b, text)
	if bytes.Contains(s.Box, []byte(text)) {
		t.Fatal("the sealed box contains the plaintext")
	}
	wire, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSealed(wire)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != s.Hash() {
		t.Fatal("hash changed across the wire")
	}
	opened, err := b.Open(&got, sealNow.Add(time.Hour))
	if err != nil {
		t.Fatalf("recipient cannot open: %v", err)
	}
	if opened.ID != env.ID || opened.Author != a.Author() || opened.Recipient != b.Author() || opened.Kind != MessageChat {
		t.Fatalf("opened %+v, want the sent envelope", opened)
	}
	chat, err := DecodeChat(opened.Body)
	if err != nil || chat.Text != text {
		t.Fatalf("chat %q, %v; want %q", chat.Text, err, text)
	}
	if s.ExpiresAt != sealNow.Add(MessageLifetime).UnixMilli() {
		t.Errorf("expires %v, want %v after sending", s.Expires(), MessageLifetime)
	}
}

// TestOnlyRecipientOpens: neither the sender nor a third peer that carries
// the message can open it, even by relabelling it as addressed to itself, and
// age itself finds no matching key.
func TestOnlyRecipientOpens(t *testing.T) {
	a, b, c := testIdentity(t), testIdentity(t), testIdentity(t)
	_, s := sealChat(t, a, b, "secret")
	for name, id := range map[string]*Identity{"sender": a, "carrier": c} {
		if _, err := id.Open(&s, sealNow); ReasonOf(err) != ReasonBadRecipient {
			t.Errorf("%s opened a message for another: err %v, want %s", name, err, ReasonBadRecipient)
		}
		relabelled := s
		relabelled.To = id.Author()
		if _, err := id.Open(&relabelled, sealNow); ReasonOf(err) != ReasonUnreadable {
			t.Errorf("%s decrypted a message sealed to another key: err %v, want %s", name, err, ReasonUnreadable)
		}
		ident, err := agessh.NewEd25519Identity(id.raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := age.Decrypt(bytes.NewReader(s.Box), ident); err == nil {
			t.Errorf("age decrypts the box with the %s's key", name)
		}
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	a, b := testIdentity(t), testIdentity(t)
	_, s := sealChat(t, a, b, "meet at six")
	flip := func(i int) Sealed {
		box := bytes.Clone(s.Box)
		box[i] ^= 1
		return Sealed{To: s.To, ExpiresAt: s.ExpiresAt, Box: box}
	}
	longer := s
	longer.ExpiresAt += time.Minute.Milliseconds()
	cases := []struct {
		name   string
		sealed Sealed
		want   Reason
	}{
		{"last byte of the payload", flip(len(s.Box) - 1), ReasonUnreadable},
		{"byte in the header", flip(30), ReasonUnreadable},
		{"truncated", Sealed{To: s.To, ExpiresAt: s.ExpiresAt, Box: s.Box[:len(s.Box)-20]}, ReasonUnreadable},
		{"expiry pushed back", longer, ReasonBadEnvelope},
		{"empty box", Sealed{To: s.To, ExpiresAt: s.ExpiresAt}, ReasonUnreadable},
		{"expired", s, ReasonExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := sealNow
			if tc.want == ReasonExpired {
				now = sealNow.Add(MessageLifetime)
			}
			if _, err := b.Open(&tc.sealed, now); ReasonOf(err) != tc.want {
				t.Fatalf("Open = %v, want %s", err, tc.want)
			}
		})
	}
}

// TestOpenRejectsForgedSignature: a message sealed to B by someone who signs
// in A's name, without A's key, is refused as a bad signature.
func TestOpenRejectsForgedSignature(t *testing.T) {
	a, b, mallory := testIdentity(t), testIdentity(t), testIdentity(t)
	env, _ := sealChat(t, mallory, b, "pay me instead")
	env.Author = a.Author()
	if _, err := Seal(&env); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("Seal of a forged envelope = %v, want %s", err, ReasonBadSignature)
	}
	// Seal checks the signature; an attacker would encrypt by hand.
	plain, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	rcpt, err := ageRecipient(b.Author())
	if err != nil {
		t.Fatal(err)
	}
	var box bytes.Buffer
	w, err := age.Encrypt(&box, rcpt)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	w.Close()
	forged := Sealed{To: b.Author(), ExpiresAt: env.ExpiresAt(), Box: box.Bytes()}
	if _, err := b.Open(&forged, sealNow); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("Open of a forged envelope = %v, want %s", err, ReasonBadSignature)
	}
}

func TestNewMessageRejects(t *testing.T) {
	a, b := testIdentity(t), testIdentity(t)
	cases := []struct {
		name, to, kind string
		body           []byte
		want           Reason
	}{
		{"to oneself", a.Author(), MessageChat, []byte(`{}`), ReasonBadRecipient},
		{"to a non-peer", "bob", MessageChat, []byte(`{}`), ReasonBadRecipient},
		{"empty kind", b.Author(), "", []byte(`{}`), ReasonBadKind},
		{"upper-case kind", b.Author(), "Chat", []byte(`{}`), ReasonBadKind},
		{"kind ending in /", b.Author(), "booking/", []byte(`{}`), ReasonBadKind},
		{"kind with //", b.Author(), "booking//request", []byte(`{}`), ReasonBadKind},
		{"long kind", b.Author(), strings.Repeat("a", MaxMessageKind+1), []byte(`{}`), ReasonBadKind},
		{"body not JSON", b.Author(), MessageChat, []byte(`hello`), ReasonBadBody},
		{"body too large", b.Author(), MessageChat, []byte(`"` + strings.Repeat("x", MaxMessageBody) + `"`), ReasonTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.NewMessage(tc.to, tc.kind, tc.body, sealNow); ReasonOf(err) != tc.want {
				t.Fatalf("NewMessage = %v, want %s", err, tc.want)
			}
		})
	}
	for _, kind := range []string{"chat", "booking/request", "review-seal/v2"} {
		if _, err := a.NewMessage(b.Author(), kind, []byte(`{"x":1}`), sealNow); err != nil {
			t.Errorf("kind %q refused: %v", kind, err)
		}
	}
}

func TestCheckSealed(t *testing.T) {
	a, b := testIdentity(t), testIdentity(t)
	_, s := sealChat(t, a, b, "hi")
	far := s
	far.ExpiresAt = sealNow.Add(MessageLifetime + time.Hour).UnixMilli()
	badTo := s
	badTo.To = "nobody"
	cases := []struct {
		name string
		s    Sealed
		now  time.Time
		want Reason
	}{
		{"fresh", s, sealNow, ""},
		{"expired", s, sealNow.Add(MessageLifetime), ReasonExpired},
		{"lives too long", far, sealNow, ReasonBadExpiry},
		{"bad recipient", badTo, sealNow, ReasonBadRecipient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSealed(&tc.s, tc.now)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckSealed = %v, want nil", err)
				}
				return
			}
			if ReasonOf(err) != tc.want {
				t.Fatalf("CheckSealed = %v, want %s", err, tc.want)
			}
		})
	}
	if _, err := DecodeSealed(make([]byte, MaxSealedSize+1)); ReasonOf(err) != ReasonTooLarge {
		t.Errorf("DecodeSealed of an oversized message = %v, want %s", err, ReasonTooLarge)
	}
	if _, err := DecodeSealed([]byte(`{"to": 3}`)); ReasonOf(err) != ReasonMalformed {
		t.Errorf("DecodeSealed of bad JSON = %v, want %s", err, ReasonMalformed)
	}
}

func TestChatBody(t *testing.T) {
	for _, bad := range []string{"", "   ", strings.Repeat("é", MaxChatText+1), "\xff"} {
		if _, err := ChatBody(bad); ReasonOf(err) != ReasonBadBody {
			t.Errorf("ChatBody(%.10q) = %v, want %s", bad, err, ReasonBadBody)
		}
	}
	if _, err := ChatBody(strings.Repeat("é", MaxChatText)); err != nil {
		t.Errorf("a chat of %d characters refused: %v", MaxChatText, err)
	}
}

// FuzzOpen feeds arbitrary wire bytes, and arbitrary boxes under a valid
// header, to the recipient: nothing may panic, and whatever opens must be
// a signed envelope addressed to the recipient.
func FuzzOpen(f *testing.F) {
	a, b := testIdentity(f), testIdentity(f)
	_, s := sealChat(f, a, b, "fuzz")
	wire, _ := s.Encode()
	f.Add(wire, s.Box)
	f.Add([]byte(`{"to":"x","expires_at":1,"box":"AAAA"}`), []byte("age-encryption.org/v1\n"))
	f.Add([]byte(`[]`), []byte{})
	f.Fuzz(func(t *testing.T, wire, box []byte) {
		for _, try := range []func() (Sealed, error){
			func() (Sealed, error) { return DecodeSealed(wire) },
			func() (Sealed, error) { return Sealed{To: s.To, ExpiresAt: s.ExpiresAt, Box: box}, nil },
		} {
			m, err := try()
			if err != nil {
				continue
			}
			env, err := b.Open(&m, sealNow)
			if err != nil {
				continue
			}
			if env.Recipient != b.Author() || VerifyMessage(&env) != nil {
				t.Fatalf("opened an envelope that is not B's or does not verify: %+v", env)
			}
		}
	})
}

// BenchmarkSealOpen seals and opens a short chat message and reports the
// size of its wire form.
func BenchmarkSealOpen(b *testing.B) {
	a, r := testIdentity(b), testIdentity(b)
	body, _ := ChatBody("Arriving on the 18:40 train, is the room still free?")
	env, err := a.NewMessage(r.Author(), MessageChat, body, sealNow)
	if err != nil {
		b.Fatal(err)
	}
	var wire []byte
	for b.Loop() {
		s, err := Seal(&env)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Open(&s, sealNow); err != nil {
			b.Fatal(err)
		}
		wire, _ = s.Encode()
	}
	b.ReportMetric(float64(len(wire)), "wire-bytes")
	b.ReportMetric(float64(len(body)), "body-bytes")
}
