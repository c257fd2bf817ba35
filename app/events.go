package app

import (
	"slices"
	"sync"

	"github.com/caravan-p2p/caravan/domain"
)

// bus fans events out to subscribers. Events say "this may have changed", so
// a subscriber that is behind loses nothing by missing a duplicate: sends
// never block, and a full buffer already holds a pending reload.
type bus struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

func newBus() *bus { return &bus{subs: make(map[chan Event]struct{})} }

// Subscribe returns a channel of events and a function that ends the subscription.
func (b *bus) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 16)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, ch)
			b.mu.Unlock()
			close(ch)
		})
	}
}

func (b *bus) emit(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// recordsChanged emits one RecordsChanged event naming the kinds of recs.
func (b *bus) recordsChanged(kinds []domain.Kind) {
	if len(kinds) == 0 {
		return
	}
	slices.Sort(kinds)
	b.emit(Event{Kind: RecordsChanged, Kinds: slices.Compact(kinds)})
}

// allKinds is what a change made by another process may have touched.
func allKinds() []domain.Kind {
	return []domain.Kind{domain.KindProfile, domain.KindRoom, domain.KindRide, domain.KindCalendar, domain.KindVouch, domain.KindWish, domain.KindTombstone}
}
