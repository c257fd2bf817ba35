package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p/mailbox"
	"github.com/caravan-p2p/caravan/storage"
)

// Conversations (DESIGN §4): one per booking, and receipts. A chat may be
// about a booking (SendBookingMessage, MessagesFor). The recipient's app
// answers with signed receipts through the same sealed path: delivered when
// it picked a message up from a peer that kept it (a direct delivery is
// acknowledged on the stream already), read when its user was shown it
// (MarkRead). The sender's message goes sent -> delivered -> read.

// MessageReceipt is the kind of a receipt message; receipts are handled by
// the apps and not listed among the messages.
const MessageReceipt = domain.MessageReceipt

// SendBookingMessage sends a chat message about one of the user's bookings
// to the booking's other party, like SendChat. Bad input comes back as an
// *InputError.
func (n *Node) SendBookingMessage(ctx context.Context, bookingID, text string) (string, error) {
	b, err := n.storedBooking(ctx, bookingID)
	if err != nil {
		return "", err
	}
	body, err := domain.ChatAbout(text, bookingID)
	if err != nil {
		return "", err
	}
	return n.SendMessage(ctx, b.Terms.Party(n.Self()), MessageChat, body)
}

// MessagesFor lists the user's messages about one booking, oldest first:
// chats about it and the booking's steps.
func (n *Node) MessagesFor(ctx context.Context, bookingID string) ([]Message, error) {
	ms, err := n.bookingMessages(ctx, bookingID)
	if err != nil {
		return nil, err
	}
	return messageViews(ms), nil
}

// bookingMessages are the stored messages with the other party of one of the
// user's bookings that are about it. The requests and acceptances name their
// booking inside the signed terms, so they are found by reading the bodies.
func (n *Node) bookingMessages(ctx context.Context, bookingID string) ([]storage.Message, error) {
	b, err := n.storedBooking(ctx, bookingID)
	if err != nil {
		return nil, err
	}
	ms, err := n.store.Messages(ctx, b.Terms.Party(n.Self()), 0)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m storage.Message) bool { return domain.MessageBookingID(m.Body) != bookingID }), nil
}

// messageViews turns stored messages into the screens' form, receipts left out.
func messageViews(ms []storage.Message) []Message {
	out := make([]Message, 0, len(ms))
	for _, m := range ms {
		if m.Kind == MessageReceipt {
			continue
		}
		v := Message{
			ID: m.ID, From: m.Author, To: m.Recipient, Kind: m.Kind, SentAt: m.Sent(), Outgoing: m.Outgoing,
			Status: string(m.Status), UpdatedAt: m.UpdatedAt, Body: json.RawMessage(m.Body),
			BookingID: domain.MessageBookingID(m.Body),
		}
		if m.Kind == MessageChat {
			if c, err := domain.DecodeChat(m.Body); err == nil {
				v.Text = c.Text
			}
		}
		out = append(out, v)
	}
	return out
}

// MarkRead marks the received messages not yet read as read, those with a
// peer ID or about a booking ID (all when empty), and sends each author a
// signed read receipt. It returns how many messages it marked.
func (n *Node) MarkRead(ctx context.Context, withOrBooking string) (int, error) {
	var ms []storage.Message
	var err error
	switch {
	case withOrBooking == "":
		ms, err = n.store.Messages(ctx, "", 0)
	case checkPeerID("with", withOrBooking) == nil:
		ms, err = n.store.Messages(ctx, withOrBooking, 0)
	case uuid.Validate(withOrBooking) == nil:
		ms, err = n.bookingMessages(ctx, withOrBooking)
	default:
		return 0, &InputError{Reason: domain.ReasonBadBody, Field: "with", Detail: fmt.Sprintf("%q is neither a user ID nor a booking ID", withOrBooking)}
	}
	if err != nil {
		return 0, err
	}
	unread := map[string][]string{}
	for _, m := range ms {
		if !m.Outgoing && m.Status == storage.MessageReceived && m.Kind != MessageReceipt {
			unread[m.Author] = append(unread[m.Author], m.ID)
		}
	}
	marked := 0
	for author, ids := range unread {
		for part := range slices.Chunk(ids, domain.MaxReceiptIDs) {
			if err := n.sendReceipt(ctx, author, domain.ReceiptRead, part); err != nil {
				return marked, err
			}
			k, err := n.store.MarkIncomingRead(ctx, author, part)
			if err != nil {
				return marked, err
			}
			marked += k
		}
		n.bus.emit(Event{Kind: MessagesChanged, Peer: author})
	}
	return marked, nil
}

// sendReceipt queues a signed receipt to the author of messages.
func (n *Node) sendReceipt(ctx context.Context, to, status string, ids []string) error {
	body, err := domain.ReceiptBody(status, ids)
	if err != nil {
		return err
	}
	if _, err := n.SendMessage(ctx, to, MessageReceipt, body); err != nil {
		return fmt.Errorf("send %s receipt to %s: %w", status, to, err)
	}
	return nil
}

// receiveReceipt applies a receipt from the recipient of the user's
// messages: they move to delivered or read.
func (n *Node) receiveReceipt(ctx context.Context, env domain.Envelope) mailbox.Verdict {
	r, err := domain.DecodeReceipt(env.Body)
	if err != nil {
		n.log.Info("refused a receipt", "from", env.Author, "err", err)
		return mailbox.Rejected
	}
	st := storage.MessageDelivered
	if r.Status == domain.ReceiptRead {
		st = storage.MessageRead
	}
	k, err := n.store.MarkOutgoing(ctx, env.Author, r.IDs, st)
	if err != nil {
		n.log.Warn("apply a receipt", "from", env.Author, "err", err)
		return mailbox.Later
	}
	if k > 0 {
		n.bus.emit(Event{Kind: MessagesChanged, Peer: env.Author})
	}
	return mailbox.Accepted
}

// ackPickedUp sends a delivery receipt for a message that reached the user
// through a peer that kept it, not from its author: only a receipt tells
// the author it arrived.
func (n *Node) ackPickedUp(ctx context.Context, from peer.ID, env domain.Envelope) {
	if from.String() == env.Author {
		return // a direct delivery: the stream's acknowledgement said delivered
	}
	if err := n.sendReceipt(ctx, env.Author, domain.ReceiptDelivered, []string{env.ID}); err != nil {
		n.log.Warn("delivery receipt", "to", env.Author, "err", err)
	}
}
