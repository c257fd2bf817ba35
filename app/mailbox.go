package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p"
	"github.com/caravan-p2p/caravan/p2p/mailbox"
	"github.com/caravan-p2p/caravan/storage"
)

// Private messages (DESIGN §4): signed by the user, sealed to the recipient,
// queued in the store, then sent by the running node: straight to the
// recipient when it is connected or its address is known, otherwise on the
// recipient's mailbox topic, where the peers that keep it hand it over when
// the recipient appears. Received messages are opened, checked and kept.

// Timings of the mailbox.
const (
	// mailRetry is how often queued messages are tried again while nothing
	// changes in the store: a peer on the recipient's shard may have come.
	mailRetry = 2 * time.Second
	// directTimeout bounds one direct delivery, dial included.
	directTimeout = 5 * time.Second
	// mailBatch is how many queued messages one round sends.
	mailBatch = 64
)

// MessageChat is the kind of a chat message.
const MessageChat = domain.MessageChat

// Message is a private message as the screens and the CLI show it.
type Message struct {
	ID       string    `json:"id"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Kind     string    `json:"kind"`
	SentAt   time.Time `json:"sent_at"`
	Outgoing bool      `json:"outgoing"`
	// Status is queued, sent (handed to peers that keep it for the
	// recipient), delivered (the recipient acknowledged it), read (the
	// recipient's read receipt came back), failed (the recipient refused it)
	// or expired (it could not leave this device in 14 days) for an outgoing
	// message; received, then read once MarkRead, for an incoming one.
	Status    string          `json:"status"`
	UpdatedAt time.Time       `json:"updated_at"`           // last status change; arrival of an incoming message
	Text      string          `json:"text,omitempty"`       // a chat's text
	Body      json.RawMessage `json:"body"`                 // the body as signed, a JSON value
	BookingID string          `json:"booking_id,omitempty"` // the booking it is about, if any
}

// SendChat sends a chat message to a peer ID, like SendMessage.
func (n *Node) SendChat(ctx context.Context, to, text string) (string, error) {
	body, err := domain.ChatBody(text)
	if err != nil {
		return "", err
	}
	return n.SendMessage(ctx, to, MessageChat, body)
}

// SendMessage signs a private message of a kind with a JSON body, seals it
// to the recipient (a peer ID) and queues it. The node running on this data
// dir, in this process or another, sends it within a second, and keeps
// trying while it cannot; with no node running it leaves at the next start.
// Bad input comes back as an *InputError.
func (n *Node) SendMessage(ctx context.Context, to, kind string, body []byte) (string, error) {
	env, err := n.id.NewMessage(to, kind, body, n.now())
	if err != nil {
		return "", err
	}
	sealed, err := domain.Seal(&env)
	if err != nil {
		return "", err
	}
	if err := n.store.QueueMessage(ctx, env, sealed); err != nil {
		return "", err
	}
	select {
	case n.mailPoke <- struct{}{}:
	default: // already poked
	}
	n.bus.emit(Event{Kind: MessagesChanged, Peer: to})
	return env.ID, nil
}

// Messages lists the user's private messages with a peer ID, or with
// everyone when with is empty, oldest first.
func (n *Node) Messages(ctx context.Context, with string) ([]Message, error) {
	if with != "" {
		if _, err := domain.AuthorKey(with); err != nil {
			return nil, domain.Reject(domain.ReasonBadRecipient, "%q is not a user ID (a peer ID such as 12D3KooW...)", with)
		}
	}
	ms, err := n.store.Messages(ctx, with, 0)
	if err != nil {
		return nil, err
	}
	return messageViews(ms), nil
}

// startMailbox starts the mailbox protocols on the peer. The always-on node
// keeps everyone's sealed messages; a desktop those of its own shard.
func (n *Node) startMailbox(p *p2p.Peer) (*mailbox.Service, error) {
	svc, err := mailbox.New(mailbox.Config{
		Host: p.Host(), PubSub: p.PubSub(), Store: n.store, Inbox: n.receiveSealed,
		AllShards: n.opts.AlwaysOn, OnHandedOver: n.handedOver, Logger: n.log,
	})
	if err != nil {
		return nil, fmt.Errorf("start mailbox: %w", err)
	}
	return svc, nil
}

// receiveSealed opens a sealed message addressed to the user and keeps it.
func (n *Node) receiveSealed(ctx context.Context, from peer.ID, m domain.Sealed) mailbox.Verdict {
	env, err := n.id.Open(&m, n.now())
	if err != nil {
		n.stats.add(from.String(), domain.ReasonOf(err))
		n.log.Info("refused a private message", "peer", from, "err", err)
		return mailbox.Rejected
	}
	if n.refuses(ctx, env.Author) {
		n.log.Info("refused a private message from a blocked person", "from", env.Author, "kind", env.Kind)
		return mailbox.Rejected
	}
	if env.Kind == MessageReceipt {
		return n.receiveReceipt(ctx, env)
	}
	fresh, err := n.store.SaveReceived(ctx, env, time.Now())
	if err != nil {
		n.log.Warn("keep a private message", "from", env.Author, "err", err)
		return mailbox.Later
	}
	if !fresh {
		return mailbox.Duplicate
	}
	n.log.Info("received a private message", "from", env.Author, "kind", env.Kind, "id", env.ID, "via", from)
	n.bus.emit(Event{Kind: MessagesChanged, Peer: env.Author, Received: env.Kind})
	n.ackPickedUp(ctx, from, env)
	n.handleBookingMessage(ctx, env)
	n.handleWishMessage(ctx, env)
	return mailbox.Accepted
}

// handedOver marks the user's own message delivered (or failed) when this
// peer handed its kept copy over to the recipient.
func (n *Node) handedOver(hash [32]byte, v mailbox.Verdict) {
	st := storage.MessageDelivered
	if v == mailbox.Rejected {
		st = storage.MessageFailed
	}
	n.setMessageStatus(context.Background(), hash, st, "")
}

func (n *Node) setMessageStatus(ctx context.Context, hash [32]byte, st storage.MessageStatus, to string) {
	changed, err := n.store.SetMessageStatus(ctx, hash, st)
	if err != nil {
		n.log.Warn("update message status", "status", st, "err", err)
		return
	}
	if changed {
		n.bus.emit(Event{Kind: MessagesChanged, Peer: to})
	}
}

// mailboxLoop sends the queued messages when one is queued here (mailPoke)
// or the store changes in another process, and every mailRetry, sweeps
// the mailbox every maintainPeriod, and closes the mailbox when the node stops.
func (n *Node) mailboxLoop(ctx context.Context, svc *mailbox.Service) {
	defer func() {
		if err := svc.Close(); err != nil {
			n.log.Warn("close mailbox", "err", err)
		}
	}()
	tick := time.NewTicker(outboxPoll)
	defer tick.Stop()
	var lastVersion int64 = -1
	var lastTry, lastSweep time.Time
	queued := false // a message was queued in this process since the last send
	for {
		now := time.Now()
		if now.Sub(lastSweep) >= maintainPeriod {
			lastSweep = now
			if held, expired, err := n.store.SweepMailbox(ctx, now); err != nil {
				n.log.Warn("sweep mailbox", "err", err)
			} else if held+expired > 0 {
				n.log.Info("swept mailbox", "held_dropped", held, "messages_expired", expired)
			}
		}
		v, err := n.store.DataVersion(ctx)
		if err == nil && (queued || v != lastVersion || now.Sub(lastTry) >= mailRetry) {
			lastVersion, lastTry = v, now
			n.sendQueued(ctx, svc)
		}
		queued = false
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-n.mailPoke:
			queued = true
		}
	}
}

// sendQueued tries each queued message: straight to the recipient when it is
// reachable, else on its mailbox topic when a peer there will keep it.
func (n *Node) sendQueued(ctx context.Context, svc *mailbox.Service) {
	qs, err := n.store.QueuedMessages(ctx, time.Now(), mailBatch)
	if err != nil {
		if ctx.Err() == nil {
			n.log.Warn("read queued messages", "err", err)
		}
		return
	}
	for _, q := range qs {
		if ctx.Err() != nil {
			return
		}
		st, err := n.sendOne(ctx, svc, q)
		if err != nil {
			n.log.Debug("message not sent yet", "id", q.ID, "to", q.Sealed.To, "err", err)
			continue
		}
		if st != "" {
			n.log.Info("message sent", "id", q.ID, "to", q.Sealed.To, "status", st)
			n.setMessageStatus(ctx, q.Sealed.Hash(), st, q.Sealed.To)
		}
	}
}

// sendOne sends one queued message and returns its new status, or "" when
// it stays queued.
func (n *Node) sendOne(ctx context.Context, svc *mailbox.Service, q storage.QueuedMessage) (storage.MessageStatus, error) {
	to, err := peer.Decode(q.Sealed.To)
	if err != nil {
		return storage.MessageFailed, nil // cannot happen: the recipient was checked when signing
	}
	var direct error
	if svc.Reachable(to) {
		dctx, cancel := context.WithTimeout(ctx, directTimeout)
		v, err := svc.Deliver(dctx, q.Sealed)
		cancel()
		switch {
		case err != nil:
			direct = err
		case v == mailbox.Accepted || v == mailbox.Duplicate:
			return storage.MessageDelivered, nil
		case v == mailbox.Rejected:
			return storage.MessageFailed, nil
		}
	}
	peers, err := svc.Publish(ctx, q.Sealed)
	if err != nil {
		return "", errors.Join(direct, err)
	}
	if peers == 0 {
		return "", errors.Join(direct, errors.New("no peer keeps messages for the recipient yet"))
	}
	return storage.MessageSent, nil
}
