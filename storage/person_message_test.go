package storage

import (
	"context"
	"testing"

	"github.com/caravan-p2p/caravan/domain"
)

// TestReceipts: receipts move the user's messages forward only, and only
// from their recipient.
func TestReceipts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a, b, c := newIdentity(t), newIdentity(t), newIdentity(t)
	env, sealed := sealedChat(t, a, b, "hello", 0)
	if err := s.QueueMessage(ctx, env, sealed); err != nil {
		t.Fatal(err)
	}
	booking := domain.NewID()
	body, err := domain.ChatAbout("about the room", booking)
	if err != nil {
		t.Fatal(err)
	}
	in, err := b.NewMessage(a.Author(), domain.MessageChat, body, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveReceived(ctx, in, testNow); err != nil {
		t.Fatal(err)
	}
	status := func(author, id string) MessageStatus {
		t.Helper()
		m, err := s.Message(ctx, author, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Status
	}
	steps := []struct {
		name string
		from string
		st   MessageStatus
		n    int
		want MessageStatus
	}{
		{"a stranger's receipt", c.Author(), MessageRead, 0, MessageQueued},
		{"delivered", b.Author(), MessageDelivered, 1, MessageDelivered},
		{"read", b.Author(), MessageRead, 1, MessageRead},
		{"a late delivered", b.Author(), MessageDelivered, 0, MessageRead},
	}
	for _, st := range steps {
		n, err := s.MarkOutgoing(ctx, st.from, []string{env.ID}, st.st)
		if err != nil || n != st.n || status(a.Author(), env.ID) != st.want {
			t.Fatalf("%s: %d changed, %v, status %s; want %d, %s", st.name, n, err, status(a.Author(), env.ID), st.n, st.want)
		}
	}
	if _, err := s.MarkOutgoing(ctx, b.Author(), []string{env.ID}, MessageSent); err == nil {
		t.Fatal("a receipt saying sent was taken")
	}
	if n, err := s.MarkIncomingRead(ctx, b.Author(), []string{in.ID}); err != nil || n != 1 || status(b.Author(), in.ID) != MessageRead {
		t.Fatalf("marking B's message read: %d, %v", n, err)
	}
}
