package storage

import (
	"bytes"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// sealedChat signs and seals a chat from one identity to another, sent at testNow+at.
func sealedChat(t testing.TB, from, to *domain.Identity, text string, at time.Duration) (domain.Envelope, domain.Sealed) {
	t.Helper()
	body, err := domain.ChatBody(text)
	if err != nil {
		t.Fatal(err)
	}
	env, err := from.NewMessage(to.Author(), domain.MessageChat, body, testNow.Add(at))
	if err != nil {
		t.Fatal(err)
	}
	s, err := domain.Seal(&env)
	if err != nil {
		t.Fatal(err)
	}
	return env, s
}

func TestHoldSealed(t *testing.T) {
	s := openTest(t)
	a, b, c := newIdentity(t), newIdentity(t), newIdentity(t)
	_, m1 := sealedChat(t, a, b, "one", 0)
	_, m2 := sealedChat(t, a, b, "two", time.Second)
	_, other := sealedChat(t, a, c, "for c", 0)
	_, old := sealedChat(t, a, b, "old", -domain.MessageLifetime)
	for _, tc := range []struct {
		name string
		m    domain.Sealed
		want bool
	}{{"first", m1, true}, {"again", m1, false}, {"second", m2, true}, {"other recipient", other, true}, {"expired", old, false}} {
		got, err := s.HoldSealed(ctx, tc.m, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: HoldSealed = %v, want %v", tc.name, got, tc.want)
		}
	}
	held, err := s.HeldSealed(ctx, b.Author(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 || held[0].Hash() != m1.Hash() || held[1].Hash() != m2.Hash() || !bytes.Equal(held[0].Box, m1.Box) {
		t.Fatalf("held for B: %d messages, want m1 then m2 as sealed", len(held))
	}
	if err := s.ReleaseSealed(ctx, m1.Hash()); err != nil {
		t.Fatal(err)
	}
	if held, _ = s.HeldSealed(ctx, b.Author(), 10); len(held) != 1 || held[0].Hash() != m2.Hash() {
		t.Fatalf("after release: %d held, want m2 only", len(held))
	}
	n, _, err := s.SweepMailbox(ctx, testNow.Add(domain.MessageLifetime+time.Second))
	if err != nil || n != 2 {
		t.Fatalf("sweep after 14 days dropped %d (%v), want 2", n, err)
	}
}

func TestHoldSealedPerRecipientLimit(t *testing.T) {
	s := openTest(t)
	a, b := newIdentity(t), newIdentity(t)
	_, m := sealedChat(t, a, b, "spam", 0)
	for i := range MaxHeldPerRecipient + 1 {
		m.Box = append(m.Box[:len(m.Box):len(m.Box)], byte(i)) // a distinct hash each time
		ok, err := s.HoldSealed(ctx, m, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (i < MaxHeldPerRecipient) {
			t.Fatalf("message %d: held %v", i, ok)
		}
	}
}

func TestMessagesOutboxAndInbox(t *testing.T) {
	s := openTest(t)
	me, bob, carol := newIdentity(t), newIdentity(t), newIdentity(t)
	out, sealed := sealedChat(t, me, bob, "hello bob", 0)
	if err := s.QueueMessage(ctx, out, sealed); err != nil {
		t.Fatal(err)
	}
	q, err := s.QueuedMessages(ctx, testNow, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].ID != out.ID || q[0].Sealed.Hash() != sealed.Hash() {
		t.Fatalf("queued %+v, want the message with its sealed form", q)
	}
	if ok, err := s.SetMessageStatus(ctx, sealed.Hash(), MessageSent); err != nil || !ok {
		t.Fatalf("set sent: %v %v", ok, err)
	}
	if q, _ = s.QueuedMessages(ctx, testNow, 10); len(q) != 0 {
		t.Fatalf("a sent message is still queued")
	}
	if ok, _ := s.SetMessageStatus(ctx, sealed.Hash(), MessageDelivered); !ok {
		t.Fatal("sent -> delivered refused")
	}
	if ok, _ := s.SetMessageStatus(ctx, sealed.Hash(), MessageSent); ok {
		t.Fatal("delivered moved back to sent")
	}

	in, _ := sealedChat(t, bob, me, "hi back", time.Minute)
	for i, want := range []bool{true, false} {
		if ok, err := s.SaveReceived(ctx, in, testNow); err != nil || ok != want {
			t.Fatalf("SaveReceived #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	fromCarol, _ := sealedChat(t, carol, me, "unrelated", 2*time.Minute)
	if _, err := s.SaveReceived(ctx, fromCarol, testNow); err != nil {
		t.Fatal(err)
	}

	withBob, err := s.Messages(ctx, bob.Author(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(withBob) != 2 || withBob[0].ID != out.ID || !withBob[0].Outgoing || withBob[0].Status != MessageDelivered ||
		withBob[1].ID != in.ID || withBob[1].Outgoing || withBob[1].Status != MessageReceived || withBob[1].Peer() != bob.Author() {
		t.Fatalf("messages with bob: %+v", withBob)
	}
	if err := domain.VerifyMessage(&withBob[1].Envelope); err != nil {
		t.Errorf("a stored message no longer verifies: %v", err)
	}
	all, _ := s.Messages(ctx, "", 0)
	if len(all) != 3 {
		t.Errorf("all messages: %d, want 3", len(all))
	}
	if last, _ := s.Messages(ctx, "", 1); len(last) != 1 || last[0].ID != fromCarol.ID {
		t.Errorf("the newest message: %+v, want carol's", last)
	}
}

func TestSweepExpiresQueuedMessages(t *testing.T) {
	s := openTest(t)
	me, bob := newIdentity(t), newIdentity(t)
	env, sealed := sealedChat(t, me, bob, "too late", 0)
	if err := s.QueueMessage(ctx, env, sealed); err != nil {
		t.Fatal(err)
	}
	_, n, err := s.SweepMailbox(ctx, testNow.Add(domain.MessageLifetime))
	if err != nil || n != 1 {
		t.Fatalf("sweep expired %d (%v), want 1", n, err)
	}
	m, err := s.Message(ctx, me.Author(), env.ID)
	if err != nil || m.Status != MessageExpired {
		t.Fatalf("status %q (%v), want expired", m.Status, err)
	}
}
