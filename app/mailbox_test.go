package app

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// loopbackOpts are options for a node that stays on loopback.
func loopbackOpts(peers ...string) Options {
	return Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: peers, NoDHT: true, NoPortMap: true}
}

// openStoppable opens a node whose close the test may call early; it is
// closed at the test's end otherwise.
func openStoppable(t *testing.T, opts Options) (*Node, func()) {
	t.Helper()
	opts.DataDir = t.TempDir()
	n, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			if err := n.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return n, stop
}

// firstAddr is a started node's first listen address.
func firstAddr(t *testing.T, n *Node) string {
	t.Helper()
	st, err := n.Status(context.Background())
	if err != nil || len(st.Addrs) == 0 {
		t.Fatalf("status: %v, addrs %v", err, st.Addrs)
	}
	return st.Addrs[0]
}

// waitFor polls cond until it holds, waking on the node's events too.
func waitFor(t *testing.T, n *Node, what string, cond func() bool) {
	t.Helper()
	events, cancel := n.Subscribe()
	defer cancel()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case <-events:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// message finds a message by id in n's messages with peer, if there.
func message(t *testing.T, n *Node, with, id string) (Message, bool) {
	t.Helper()
	ms, err := n.Messages(context.Background(), with)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m, true
		}
	}
	return Message{}, false
}

// TestMessageStoreAndForward is the mailbox's promise: A sends to B while B
// is offline; C, an always-on node, keeps the sealed message but cannot read
// it; A goes away; B comes online, connects to C only, and gets the message.
func TestMessageStoreAndForward(t *testing.T) {
	ctx := context.Background()
	cOpts := loopbackOpts()
	cOpts.AlwaysOn = true
	c, _ := openStoppable(t, cOpts)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cAddr := firstAddr(t, c)
	a, stopA := openStoppable(t, loopbackOpts(cAddr))
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := openStoppable(t, loopbackOpts(cAddr)) // opened: B has its identity, but is offline

	const text = "the key is under the blue pot"
	id, err := a.SendChat(ctx, b.Self(), text)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, "A's message to be sent", func() bool {
		m, ok := message(t, a, b.Self(), id)
		return ok && m.Status == "sent"
	})
	var held []domain.Sealed
	waitFor(t, c, "C to keep the sealed message", func() bool {
		held, err = c.store.HeldSealed(ctx, b.Self(), 10)
		return err == nil && len(held) == 1
	})
	if bytes.Contains(held[0].Box, []byte(text)) {
		t.Fatal("C's copy contains the plaintext")
	}
	if _, err := c.id.Open(&held[0], time.Now()); domain.ReasonOf(err) != domain.ReasonBadRecipient {
		t.Fatalf("C opening B's message: %v, want %s", err, domain.ReasonBadRecipient)
	}
	relabelled := held[0]
	relabelled.To = c.Self()
	if _, err := c.id.Open(&relabelled, time.Now()); domain.ReasonOf(err) != domain.ReasonUnreadable {
		t.Fatalf("C decrypting B's message with its own key: %v, want %s", err, domain.ReasonUnreadable)
	}
	if _, err := a.id.Open(&held[0], time.Now()); err == nil {
		t.Fatal("the sender opened a message sealed to B")
	}
	if ms, _ := c.Messages(ctx, ""); len(ms) != 0 {
		t.Fatalf("C lists %d messages of its own, want none", len(ms))
	}
	stopA() // only C can deliver now

	events, cancel := b.Subscribe()
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var got Message
	waitFor(t, b, "B to receive A's message", func() bool {
		var ok bool
		got, ok = message(t, b, a.Self(), id)
		return ok
	})
	if got.Text != text || got.From != a.Self() || got.To != b.Self() || got.Outgoing || got.Status != "received" || got.Kind != MessageChat {
		t.Fatalf("B has %+v", got)
	}
	heard := false
	for !heard {
		select {
		case e := <-events:
			heard = e.Kind == MessagesChanged && e.Peer == a.Self()
		case <-time.After(5 * time.Second):
			t.Fatal("B's subscribers were not told of the message")
		}
	}
	waitFor(t, c, "C to drop the copy B acknowledged", func() bool {
		held, err := c.store.HeldSealed(ctx, b.Self(), 10)
		return err == nil && len(held) == 0
	})
}

// TestMessageDirect: a message written while the node is offline is queued;
// once both peers are online it goes straight to the recipient, delivered,
// and the reply comes back the same way.
func TestMessageDirect(t *testing.T) {
	ctx := context.Background()
	b, _ := openStoppable(t, loopbackOpts())
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	a, _ := openStoppable(t, loopbackOpts(firstAddr(t, b)))
	id, err := a.SendChat(ctx, b.Self(), "arriving at nine")
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := message(t, a, b.Self(), id); !ok || m.Status != "queued" || !m.Outgoing {
		t.Fatalf("before start: %+v, want queued and outgoing", m)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, "A's message to be delivered", func() bool {
		m, _ := message(t, a, b.Self(), id)
		return m.Status == "delivered"
	})
	if m, ok := message(t, b, a.Self(), id); !ok || m.Text != "arriving at nine" {
		t.Fatalf("B has %+v", m)
	}
	reply, err := b.SendChat(ctx, a.Self(), "the door is open")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, "the reply", func() bool { _, ok := message(t, a, b.Self(), reply); return ok })
	ms, err := a.Messages(ctx, b.Self())
	if err != nil || len(ms) != 2 || ms[0].ID != id || ms[1].ID != reply {
		t.Fatalf("A's conversation with B: %+v (%v), want the message then the reply", ms, err)
	}
	for _, n := range []*Node{a, b} {
		if held, _ := n.store.HeldSealed(ctx, a.Self(), 10); len(held) != 0 {
			t.Error("a direct message left a kept copy")
		}
	}
}

func TestSendMessageRejectsBadInput(t *testing.T) {
	a := openNode(t, Options{})
	b := openNode(t, Options{})
	ctx := context.Background()
	cases := []struct {
		name, to, kind, body string
		want                 domain.Reason
	}{
		{"to oneself", a.Self(), MessageChat, `{"text":"hi"}`, domain.ReasonBadRecipient},
		{"to no peer", "bob", MessageChat, `{"text":"hi"}`, domain.ReasonBadRecipient},
		{"bad kind", b.Self(), "Chat!", `{"text":"hi"}`, domain.ReasonBadKind},
		{"body not JSON", b.Self(), "booking/request", `hi`, domain.ReasonBadBody},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.SendMessage(ctx, tc.to, tc.kind, []byte(tc.body))
			var ie *InputError
			if !errors.As(err, &ie) || ie.Reason != tc.want {
				t.Fatalf("SendMessage = %v, want an InputError %s", err, tc.want)
			}
		})
	}
	if _, err := a.SendChat(ctx, b.Self(), "  "); domain.ReasonOf(err) != domain.ReasonBadBody {
		t.Errorf("SendChat(blank) = %v, want %s", err, domain.ReasonBadBody)
	}
	if _, err := a.Messages(ctx, "nobody"); domain.ReasonOf(err) != domain.ReasonBadRecipient {
		t.Errorf("Messages(nobody) = %v, want %s", err, domain.ReasonBadRecipient)
	}
	if ms, err := a.Messages(ctx, ""); err != nil || len(ms) != 0 {
		t.Errorf("refused messages were kept: %+v, %v", ms, err)
	}
}
