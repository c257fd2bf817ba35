package p2p

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
)

// maxTopics caps the topics held open, joined or publish-only.
const maxTopics = 2 * MaxJoinedCells

// validatorTimeout bounds one record's trip through the Sink from gossip.
const validatorTimeout = 30 * time.Second

// TopicName is the GossipSub topic of a cell, caravan/1/cell/<z>/<x>/<y>,
// or of a person topic key, caravan/1/person/<hh> (person.go).
func TopicName(cell string) string {
	if domain.IsPersonTopic(cell) {
		return PersonTopicPrefix + cell[len(domain.PersonTopicPrefix):]
	}
	return TopicPrefix + cell
}

// checkCell accepts a topic-zoom cell in its canonical "z/x/y" form, or a
// person topic key "person/<hh>": everything the peer calls a cell.
func checkCell(cell string) error {
	if err := domain.CheckTopic(cell); err != nil {
		return fmt.Errorf("p2p: %w", err)
	}
	return nil
}

// JoinCell subscribes to the cell's topic, announces the cell to connected
// peers and catches the cell up with those that have joined it too.
// Joining a joined cell does nothing.
func (p *Peer) JoinCell(cell string) error {
	if err := checkCell(cell); err != nil {
		return err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	ct := p.topics[cell]
	if ct != nil && ct.sub != nil {
		p.mu.Unlock()
		return nil
	}
	if n := p.joinedLocked(); n >= MaxJoinedCells {
		p.mu.Unlock()
		return fmt.Errorf("p2p: join cell %s: already in %d cells, the limit", cell, n)
	}
	ct, err := p.topicLocked(cell)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	sub, err := ct.topic.Subscribe()
	if err != nil {
		p.mu.Unlock()
		return fmt.Errorf("p2p: subscribe to cell %s: %w", cell, err)
	}
	ct.sub = sub
	var others []peer.ID
	for id, cells := range p.remote {
		if cells[cell] {
			others = append(others, id)
		}
	}
	p.mu.Unlock()

	// Records arrive through the validator; the subscription only has to be
	// drained so GossipSub keeps delivering.
	if !p.goTracked(func() { drain(p.ctx, sub) }) {
		sub.Cancel()
	}
	p.kickAnnounce()
	p.kickRendezvous()
	for _, id := range others {
		p.syncIfInitiator(id, cell)
	}
	p.log.Debug("joined cell", "cell", cell)
	return nil
}

func drain(ctx context.Context, sub *pubsub.Subscription) {
	for {
		if _, err := sub.Next(ctx); err != nil {
			return
		}
	}
}

// LeaveCell unsubscribes from the cell's topic and tells connected peers.
// Leaving a cell not joined does nothing.
func (p *Peer) LeaveCell(cell string) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	ct := p.topics[cell]
	if ct == nil || ct.sub == nil {
		p.mu.Unlock()
		return nil
	}
	ct.sub.Cancel()
	ct.sub = nil
	p.mu.Unlock()
	p.kickAnnounce()
	p.log.Debug("left cell", "cell", cell)
	return nil
}

// Cells lists the joined cells, sorted.
func (p *Peer) Cells() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for cell, ct := range p.topics {
		if ct.sub != nil {
			out = append(out, cell)
		}
	}
	slices.Sort(out)
	return out
}

func (p *Peer) joined(cell string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	ct := p.topics[cell]
	return ct != nil && ct.sub != nil
}

func (p *Peer) joinedLocked() int {
	n := 0
	for _, ct := range p.topics {
		if ct.sub != nil {
			n++
		}
	}
	return n
}

// topicLocked returns the cell's topic, joining it (without subscribing) and
// registering its validator the first time.
func (p *Peer) topicLocked(cell string) (*cellTopic, error) {
	if ct := p.topics[cell]; ct != nil {
		return ct, nil
	}
	if len(p.topics) >= maxTopics {
		return nil, fmt.Errorf("p2p: cell %s: %d topics open, the limit", cell, len(p.topics))
	}
	name := TopicName(cell)
	if err := p.ps.RegisterTopicValidator(name, p.validator(cell), pubsub.WithValidatorTimeout(validatorTimeout)); err != nil {
		return nil, fmt.Errorf("p2p: validator for cell %s: %w", cell, err)
	}
	t, err := p.ps.Join(name)
	if err != nil {
		_ = p.ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("p2p: join topic of cell %s: %w", cell, err)
	}
	if err := t.SetScoreParams(TopicScoreParams()); err != nil {
		_ = t.Close()
		_ = p.ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("p2p: score parameters of cell %s: %w", cell, err)
	}
	ct := &cellTopic{topic: t}
	p.topics[cell] = ct
	return ct, nil
}

// validator is the topic validator of a cell: the message must be one record
// of this cell; our own are accepted as they are; a peer's goes to the Sink,
// which validates and stores it.
func (p *Peer) validator(cell string) pubsub.ValidatorEx {
	return func(ctx context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		rec, err := domain.DecodeRecord(msg.Data)
		if err != nil {
			p.noteReject(from, domain.ReasonOf(err), "gossip")
			return pubsub.ValidationReject
		}
		if !domain.InTopic(&rec, cell) {
			p.noteReject(from, domain.ReasonBadCells, "gossip")
			return pubsub.ValidationReject
		}
		// Our own publications: ValidateLocal passes our ID as the source.
		// (Message.Local means WithLocalPublication, not "published here".)
		if from == p.h.ID() {
			return pubsub.ValidationAccept
		}
		if !p.enter() {
			return pubsub.ValidationIgnore
		}
		defer p.wg.Done()
		switch p.ingest(ctx, from, "gossip", []domain.Record{rec})[0] {
		case Accepted:
			return pubsub.ValidationAccept
		case Rejected:
			return pubsub.ValidationReject
		default:
			return pubsub.ValidationIgnore
		}
	}
}

// ingest hands records from a peer to the Sink, which validates them (see
// Sink.Deliver), and returns one verdict per record.
func (p *Peer) ingest(ctx context.Context, from peer.ID, via string, recs []domain.Record) []Verdict {
	got := p.sink.Deliver(ctx, from, recs)
	verdicts := make([]Verdict, len(recs))
	rejected := 0
	for i := range verdicts {
		v := Ignored
		if i < len(got) && got[i] >= Accepted && got[i] <= Rejected {
			v = got[i]
		}
		verdicts[i] = v
		if v == Rejected {
			rejected++
			p.noteReject(from, "refused", via)
		}
	}
	// GossipSub scores invalid gossip itself; what comes by sync is ours to count.
	if rejected > 0 && via == "sync" {
		p.offend(from, rejected, "invalid records by sync")
	}
	return verdicts
}

// Publish sends a record on the topic of each of its cells and person topics
// (domain.Topics), joining the topics it has not joined (publishing does not
// subscribe). The record is not handed to the Sink: the app stores its own
// records before publishing them.
func (p *Peer) Publish(ctx context.Context, rec domain.Record) error {
	topics := domain.Topics(&rec)
	if len(topics) == 0 {
		return fmt.Errorf("p2p: publish %s %s: the record has no cells", rec.Kind, rec.ID)
	}
	data, err := rec.Encode()
	if err != nil {
		return fmt.Errorf("p2p: publish: %w", err)
	}
	if len(data) > MaxMessageSize {
		return fmt.Errorf("p2p: publish %s: %d bytes, limit %d", rec.ID, len(data), MaxMessageSize)
	}
	var errs []error
	for _, cell := range topics {
		if err := checkCell(cell); err != nil {
			errs = append(errs, err)
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		ct, err := p.topicLocked(cell)
		p.mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := ct.topic.Publish(ctx, data); err != nil {
			errs = append(errs, fmt.Errorf("p2p: publish %s to cell %s: %w", rec.ID, cell, err))
		}
	}
	return errors.Join(errs...)
}
