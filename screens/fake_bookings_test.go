package screens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/caravan-p2p/caravan/app"
)

// errNoBookings is what the plain fake says to booking calls: the screens
// that do not book are tested with it.
var errNoBookings = errors.New("this fake keeps no bookings")

// The plain fake knows no bookings, messages or reviews.

func (f *fakeBackend) Book(context.Context, app.BookingInput) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) Bookings(context.Context, app.Role) ([]app.Booking, error) { return nil, nil }
func (f *fakeBackend) Booking(context.Context, string) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) AcceptBooking(context.Context, string, app.AcceptInput) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) DeclineBooking(context.Context, string, string) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) CancelBooking(context.Context, string, string) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) CompleteBooking(context.Context, string) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) MarkPaid(context.Context, string) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) MarkReceived(context.Context, string) (app.Booking, error) {
	return app.Booking{}, errNoBookings
}
func (f *fakeBackend) Messages(context.Context, string) ([]app.Message, error) { return nil, nil }
func (f *fakeBackend) SendChat(context.Context, string, string) (string, error) {
	return "", errNoBookings
}
func (f *fakeBackend) MessagesFor(context.Context, string) ([]app.Message, error) {
	return nil, errNoBookings
}
func (f *fakeBackend) SendBookingMessage(context.Context, string, string) (string, error) {
	return "", errNoBookings
}
func (f *fakeBackend) MarkRead(context.Context, string) (int, error) { return 0, errNoBookings }
func (f *fakeBackend) WriteReview(context.Context, string, app.ReviewInput) (app.ReviewState, error) {
	return app.ReviewState{}, errNoBookings
}
func (f *fakeBackend) ReviewState(context.Context, string) (app.ReviewState, error) {
	return app.ReviewState{}, &app.InputError{Field: "booking", Detail: "not reviewed"}
}
func (f *fakeBackend) Reviews(context.Context, string, string, string) ([]app.Review, error) {
	return nil, nil
}
func (f *fakeBackend) Reputation(_ context.Context, peer string) (app.Reputation, error) {
	return app.Reputation{Peer: peer}, nil
}
func (f *fakeBackend) ListingTitle(context.Context, string) (string, error) { return "", errNoBookings }
func (f *fakeBackend) Block(context.Context, string, string) error          { return errNoBookings }
func (f *fakeBackend) ReportPeer(context.Context, string, string) error     { return errNoBookings }

// Peer IDs of the booking tests.
const (
	hostID  = "12D3KooWHostHostHostHostHostHost"
	guestID = "12D3KooWGuestGuestGuestGuestGuest"
)

// bookingFake is the fake with bookings, messages and reviews in memory,
// following the booking protocol's states loosely but honestly: a step out
// of turn is refused as the app refuses it.
type bookingFake struct {
	*fakeBackend

	bmu      sync.Mutex
	bookings []app.Booking
	titles   map[string]string
	msgs     []app.Message
	read     []string // the bookings MarkRead was called for
	reviews  []app.Review
	reps     map[string]app.Reputation
	states   map[string]app.ReviewState
	booked   []app.BookingInput
	written  []app.ReviewInput
	blocked  []string
	reported []string
	bookErr  error         // returned by Book while set
	gate     chan struct{} // when set, steps wait for it to close
	nextID   int
	now      time.Time
}

func newBookingFake(rooms ...app.RoomListing) *bookingFake {
	return &bookingFake{
		fakeBackend: newFake(rooms...),
		titles:      map[string]string{},
		reps:        map[string]app.Reputation{},
		states:      map[string]app.ReviewState{},
		now:         time.Now(),
	}
}

func (f *bookingFake) lock() func() {
	f.bmu.Lock()
	gate := f.gate
	f.bmu.Unlock()
	if gate != nil {
		<-gate
	}
	f.bmu.Lock()
	return f.bmu.Unlock
}

// addBooking stores a booking as if it arrived, and says so.
func (f *bookingFake) addBooking(b app.Booking) {
	f.bmu.Lock()
	f.bookings = append([]app.Booking{b}, f.bookings...)
	f.bmu.Unlock()
	f.emit(app.Event{Kind: app.BookingsChanged, Peer: other(b)})
}

// addMessage stores a message as if it arrived, and says so.
func (f *bookingFake) addMessage(m app.Message) {
	f.bmu.Lock()
	f.msgs = append(f.msgs, m)
	f.bmu.Unlock()
	peer := m.From
	if m.Outgoing {
		peer = m.To
	}
	f.emit(app.Event{Kind: app.MessagesChanged, Peer: peer})
}

func (f *bookingFake) Book(ctx context.Context, in app.BookingInput) (app.Booking, error) {
	unlock := f.lock()
	f.booked = append(f.booked, in)
	if f.bookErr != nil {
		unlock()
		return app.Booking{}, f.bookErr
	}
	var b app.Booking
	for _, r := range f.rooms {
		if r.ID == in.ListingID {
			from, _ := time.Parse(app.DateLayout, in.From)
			to, _ := time.Parse(app.DateLayout, in.To)
			b = app.Booking{ListingKind: app.KindRoom, Owner: r.Author, From: in.From, To: in.To, Guests: in.Guests, StartAt: from, EndAt: to,
				TotalPrice: app.RoomTotal(r.PricePerNight, int(to.Sub(from)/(24*time.Hour))), Currency: r.Currency, Policy: r.Policy}
		}
	}
	for _, r := range f.rides {
		if r.ID == in.ListingID {
			b = app.Booking{ListingKind: app.KindRide, Owner: r.Author, Seats: in.Seats, Pickup: in.Pickup, Dropoff: in.Dropoff,
				StartAt: r.DepartAt, EndAt: r.DepartAt.Add(2 * time.Hour), TotalPrice: app.RideTotal(r.PricePerSeat, in.Seats), Currency: r.Currency}
		}
	}
	if b.Owner == "" {
		unlock()
		return app.Booking{}, fmt.Errorf("no listing %s", in.ListingID)
	}
	f.nextID++
	b.ID, b.Role, b.Status, b.ListingID, b.Renter, b.Note = fmt.Sprintf("bk-%d", f.nextID), app.RoleRenter, app.BookingRequested, in.ListingID, selfID, in.Note
	b.RequestedAt, b.AnswerBy, b.UpdatedAt = f.now, f.now.Add(24*time.Hour), f.now
	f.bookings = append([]app.Booking{b}, f.bookings...)
	unlock()
	f.emit(app.Event{Kind: app.BookingsChanged, Peer: b.Owner})
	return b, nil
}

func (f *bookingFake) Bookings(ctx context.Context, role app.Role) ([]app.Booking, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	var out []app.Booking
	for _, b := range f.bookings {
		if role == "" || b.Role == role {
			out = append(out, b)
		}
	}
	return out, nil
}

func (f *bookingFake) Booking(ctx context.Context, id string) (app.Booking, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	for _, b := range f.bookings {
		if b.ID == id {
			return b, nil
		}
	}
	return app.Booking{}, &app.InputError{Field: "booking", Detail: "no booking " + id}
}

// step moves a booking on when check allows it.
func (f *bookingFake) step(id string, check func(b *app.Booking) error) (app.Booking, error) {
	unlock := f.lock()
	i := slices.IndexFunc(f.bookings, func(b app.Booking) bool { return b.ID == id })
	if i < 0 {
		unlock()
		return app.Booking{}, &app.InputError{Field: "booking", Detail: "no booking " + id}
	}
	b := f.bookings[i]
	if err := check(&b); err != nil {
		unlock()
		return app.Booking{}, err
	}
	b.UpdatedAt = f.now
	f.bookings[i] = b
	unlock()
	f.emit(app.Event{Kind: app.BookingsChanged, Peer: other(b)})
	return b, nil
}

func refuse(format string, args ...any) error {
	return &app.InputError{Field: "booking", Detail: fmt.Sprintf(format, args...)}
}

func (f *bookingFake) AcceptBooking(ctx context.Context, id string, in app.AcceptInput) (app.Booking, error) {
	return f.step(id, func(b *app.Booking) error {
		if b.Role != app.RoleOwner || b.Status != app.BookingRequested {
			return refuse("cannot accept a %s booking as %s", b.Status, b.Role)
		}
		b.Status, b.Address, b.Contact = app.BookingAccepted, in.Address, in.Contact
		return nil
	})
}

func (f *bookingFake) DeclineBooking(ctx context.Context, id, reason string) (app.Booking, error) {
	return f.step(id, func(b *app.Booking) error {
		if b.Role != app.RoleOwner || b.Status != app.BookingRequested {
			return refuse("cannot decline a %s booking", b.Status)
		}
		b.Status, b.Reason = app.BookingDeclined, reason
		return nil
	})
}

func (f *bookingFake) CancelBooking(ctx context.Context, id, reason string) (app.Booking, error) {
	return f.step(id, func(b *app.Booking) error {
		if b.Status != app.BookingRequested && b.Status != app.BookingAccepted {
			return refuse("is %s; only a request or an accepted booking can be cancelled", b.Status)
		}
		b.Status, b.Reason = app.BookingCancelled, reason
		return nil
	})
}

func (f *bookingFake) CompleteBooking(ctx context.Context, id string) (app.Booking, error) {
	return f.step(id, func(b *app.Booking) error {
		if b.Status != app.BookingAccepted || f.now.Before(b.EndAt) {
			return refuse("only an accepted booking that ended is completed")
		}
		b.Status = app.BookingCompleted
		return nil
	})
}

func (f *bookingFake) MarkPaid(ctx context.Context, id string) (app.Booking, error) {
	return f.step(id, func(b *app.Booking) error {
		if b.Role != app.RoleRenter {
			return refuse("only the renter marks a booking paid")
		}
		t := f.now
		b.PaidAt = &t
		return nil
	})
}

func (f *bookingFake) MarkReceived(ctx context.Context, id string) (app.Booking, error) {
	return f.step(id, func(b *app.Booking) error {
		if b.Role != app.RoleOwner {
			return refuse("only the owner marks a payment received")
		}
		t := f.now
		b.ReceivedAt = &t
		return nil
	})
}

func (f *bookingFake) MessagesFor(ctx context.Context, bookingID string) ([]app.Message, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	var out []app.Message
	for _, m := range f.msgs {
		if m.BookingID == bookingID {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *bookingFake) Messages(ctx context.Context, with string) ([]app.Message, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	var out []app.Message
	for _, m := range f.msgs {
		if with == "" || m.From == with || m.To == with {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *bookingFake) SendChat(ctx context.Context, to, text string) (string, error) {
	unlock := f.lock()
	f.nextID++
	id := fmt.Sprintf("msg-%d", f.nextID)
	f.msgs = append(f.msgs, app.Message{ID: id, From: selfID, To: to, Kind: app.MessageChat, SentAt: f.now, Outgoing: true, Status: "queued", Text: text})
	unlock()
	f.emit(app.Event{Kind: app.MessagesChanged, Peer: to})
	return id, nil
}

func (f *bookingFake) SendBookingMessage(ctx context.Context, bookingID, text string) (string, error) {
	unlock := f.lock()
	var to string
	for _, b := range f.bookings {
		if b.ID == bookingID {
			to = other(b)
		}
	}
	f.nextID++
	id := fmt.Sprintf("msg-%d", f.nextID)
	f.msgs = append(f.msgs, app.Message{ID: id, From: selfID, To: to, Kind: app.MessageChat, SentAt: f.now, Outgoing: true, Status: "queued", Text: text, BookingID: bookingID})
	unlock()
	f.emit(app.Event{Kind: app.MessagesChanged, Peer: to})
	return id, nil
}

// MarkRead marks what was received about a booking read, as the app does
// when it sends the read receipt.
func (f *bookingFake) MarkRead(ctx context.Context, bookingID string) (int, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	n := 0
	for i, m := range f.msgs {
		if (m.BookingID == bookingID || m.BookingID == "" && m.From == bookingID) && !m.Outgoing && m.Status == "received" {
			f.msgs[i].Status = "read"
			n++
		}
	}
	f.read = append(f.read, bookingID)
	return n, nil
}

// setMessageStatus changes an outgoing message's status, as delivery does.
func (f *bookingFake) setMessageStatus(id, st string) {
	f.bmu.Lock()
	var to string
	for i := range f.msgs {
		if f.msgs[i].ID == id {
			f.msgs[i].Status, to = st, f.msgs[i].To
		}
	}
	f.bmu.Unlock()
	f.emit(app.Event{Kind: app.MessagesChanged, Peer: to})
}

func (f *bookingFake) WriteReview(ctx context.Context, id string, in app.ReviewInput) (app.ReviewState, error) {
	unlock := f.lock()
	defer unlock()
	if _, ok := f.states[id]; ok {
		return app.ReviewState{}, refuse("you already reviewed booking %s; a review is written once", id)
	}
	f.written = append(f.written, in)
	st := app.ReviewState{BookingID: id, SealID: "seal-" + id, RevealBy: f.now.Add(14 * 24 * time.Hour)}
	f.states[id] = st
	return st, nil
}

func (f *bookingFake) ReviewState(ctx context.Context, id string) (app.ReviewState, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	if st, ok := f.states[id]; ok {
		return st, nil
	}
	return app.ReviewState{}, refuse("you have not reviewed booking %s", id)
}

func (f *bookingFake) Reviews(ctx context.Context, subject, author, listing string) ([]app.Review, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	var out []app.Review
	for _, r := range f.reviews {
		if (subject == "" || r.Subject == subject) && (author == "" || r.Author == author) && (listing == "" || r.ListingID == listing) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *bookingFake) Reputation(ctx context.Context, peer string) (app.Reputation, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	if r, ok := f.reps[peer]; ok {
		return r, nil
	}
	return app.Reputation{Peer: peer}, nil
}

func (f *bookingFake) ListingTitle(ctx context.Context, id string) (string, error) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	if t, ok := f.titles[id]; ok {
		return t, nil
	}
	return "", refuse("no room or ride %s is known here", id)
}

func (f *bookingFake) Block(ctx context.Context, peer, reason string) error {
	unlock := f.lock()
	defer unlock()
	f.blocked = append(f.blocked, peer+": "+reason)
	return nil
}

func (f *bookingFake) ReportPeer(ctx context.Context, peer, note string) error {
	unlock := f.lock()
	defer unlock()
	f.reported = append(f.reported, peer+": "+note)
	return nil
}

// with runs fn under the booking lock.
func (f *bookingFake) with(fn func(f *bookingFake)) {
	f.bmu.Lock()
	defer f.bmu.Unlock()
	fn(f)
}

// ListingTerms reads the policy of a room or ride the fake holds.
func (f *fakeBackend) ListingTerms(_ context.Context, id string) (app.BookingTerms, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rooms {
		if r.ID == id {
			return app.BookingTerms{Policy: r.Policy.Or(), InstantBook: r.InstantBook}, nil
		}
	}
	for _, r := range f.rides {
		if r.ID == id {
			return app.BookingTerms{Policy: r.Policy.Or(), InstantBook: r.InstantBook}, nil
		}
	}
	return app.BookingTerms{}, refuse("no room or ride %s is known here", id)
}
