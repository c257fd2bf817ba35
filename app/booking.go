package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// Bookings (DESIGN §4): each step is a signed private message between the
// renter and the owner, delivered directly or through the mailboxes, so it
// works when the other party is offline. The owner's app is the authority for
// its calendar and seats: it declines by itself a request that does not fit,
// accepts by itself one that does when the listing has instant book, and on
// accepting publishes the new calendar (blocked days, no names) or the
// ride's seats left.

// BookingInput is what a renter asks for. A room needs From, To and Guests;
// a ride needs Seats, Pickup and Dropoff.
type BookingInput struct {
	ListingID string
	From, To  string // YYYY-MM-DD, a room's check-in and check-out days
	Guests    int
	Seats     int
	Pickup    *[2]float64 // [lon, lat]
	Dropoff   *[2]float64
	Note      string // a word to the owner
}

// AcceptInput is what only the renter of an accepted booking learns.
type AcceptInput struct {
	Address string // the exact address or meeting point
	Contact string // phone or e-mail
}

// Booking is a booking as the screens and the CLI show it.
type Booking struct {
	ID          string                    `json:"id"`
	Role        domain.Role               `json:"role"` // the user's side: owner or renter
	Status      domain.BookingStatus      `json:"status"`
	Reason      string                    `json:"reason,omitempty"`
	ListingID   string                    `json:"listing_id"`
	ListingKind domain.Kind               `json:"listing_kind"`
	Owner       string                    `json:"owner"`
	Renter      string                    `json:"renter"`
	From        string                    `json:"from"`
	To          string                    `json:"to,omitempty"`
	Guests      int                       `json:"guests,omitempty"`
	Seats       int                       `json:"seats,omitempty"`
	Pickup      *[2]float64               `json:"pickup,omitempty"`
	Dropoff     *[2]float64               `json:"dropoff,omitempty"`
	StartAt     time.Time                 `json:"start_at"`
	EndAt       time.Time                 `json:"end_at"`
	TotalPrice  float64                   `json:"total_price"`
	Currency    string                    `json:"currency"`
	Policy      domain.CancellationPolicy `json:"cancellation_policy"`
	RequestedAt time.Time                 `json:"requested_at"`
	AnswerBy    time.Time                 `json:"answer_by"` // a request expires then
	UpdatedAt   time.Time                 `json:"updated_at"`
	Note        string                    `json:"note,omitempty"`
	Address     string                    `json:"address,omitempty"`
	Contact     string                    `json:"contact,omitempty"`
	PaidAt      *time.Time                `json:"paid_at,omitempty"`     // the renter marked it paid
	ReceivedAt  *time.Time                `json:"received_at,omitempty"` // the owner marked the payment received
}

// Reasons the owner's app gives when it declines by itself.
const (
	ReasonDatesTaken   = "the dates are already booked"
	ReasonNoSeats      = "not enough seats left"
	ReasonTermsChanged = "the listing's terms changed; look at it again and send a new request"
	ReasonGone         = "the listing is no longer offered"
)

func (n *Node) bookingView(b storage.Booking) Booking {
	t := &b.Terms
	return Booking{
		ID: t.BookingID, Role: b.Role, Status: b.Status.Effective(t, n.now()), Reason: b.Reason,
		ListingID: t.ListingID, ListingKind: t.ListingKind, Owner: t.Owner, Renter: t.Renter,
		From: t.From, To: t.To, Guests: t.Guests, Seats: t.Seats, Pickup: t.Pickup, Dropoff: t.Dropoff,
		StartAt: t.Start().UTC(), EndAt: t.End().UTC(), TotalPrice: t.TotalPrice, Currency: t.Currency, Policy: t.Policy.Or(),
		RequestedAt: t.Requested().UTC(), AnswerBy: t.Requested().Add(domain.RequestTTL).UTC(), UpdatedAt: b.UpdatedAt.UTC(),
		Note: b.Note, Address: b.Address, Contact: b.Contact, PaidAt: timeOrNil(b.PaidAt), ReceivedAt: timeOrNil(b.ReceivedAt),
	}
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// listing loads a live room or ride by id with its decoded body.
func (n *Node) listing(ctx context.Context, id string) (domain.Record, any, error) {
	rec, err := n.store.Record(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return rec, nil, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("no room or ride %s is known here; search for it first", id)}
	}
	if err != nil {
		return rec, nil, err
	}
	if rec.Kind != domain.KindRoom && rec.Kind != domain.KindRide {
		return rec, nil, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("%s is a %s, not a room or a ride", id, rec.Kind)}
	}
	if rec.ExpiresAt <= n.now().UnixMilli() {
		return rec, nil, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("%s %s has expired", rec.Kind, id)}
	}
	body, err := domain.DecodeBody(&rec)
	return rec, body, err
}

// termsFor builds the terms of a request for a listing, priced from it.
func termsFor(rec domain.Record, body any, in BookingInput, renter string, now time.Time) (domain.BookingTerms, error) {
	t := domain.BookingTerms{
		BookingID: domain.NewID(), ListingID: rec.ID, ListingKind: rec.Kind, Cells: rec.Cells,
		Owner: rec.Author, Renter: renter, RequestedAt: now.UnixMilli(),
	}
	if domain.IsPaused(body) {
		return t, errPaused
	}
	switch l := body.(type) {
	case *domain.Room:
		from, err := domain.DayStart(in.From)
		if err != nil {
			return t, &InputError{Reason: domain.ReasonBadBody, Field: "from", Detail: err.Error()}
		}
		to, err := domain.DayStart(in.To)
		if err != nil {
			return t, &InputError{Reason: domain.ReasonBadBody, Field: "to", Detail: err.Error()}
		}
		if in.Guests > l.MaxGuests {
			return t, &InputError{Reason: domain.ReasonBadBody, Field: "guests", Detail: fmt.Sprintf("the room takes at most %d", l.MaxGuests)}
		}
		t.From, t.To, t.Guests = in.From, in.To, in.Guests
		t.StartAt, t.EndAt = from.UnixMilli(), to.UnixMilli()
		t.TotalPrice = domain.RoomTotal(l.PricePerNight, t.Nights())
		t.Currency, t.Policy = l.Currency, l.Policy.Or()
	case *domain.Ride:
		if in.Seats > l.SeatsLeft {
			return t, &InputError{Reason: domain.ReasonBadBody, Field: "seats", Detail: fmt.Sprintf("%d asked, %d left", in.Seats, l.SeatsLeft)}
		}
		if err := checkRideStops(l, in.Pickup, in.Dropoff); err != nil {
			return t, err
		}
		t.Seats, t.Pickup, t.Dropoff = in.Seats, in.Pickup, in.Dropoff
		t.From = l.DepartAt.UTC().Format(domain.DateLayout)
		t.StartAt, t.EndAt = l.DepartAt.UnixMilli(), domain.ArrivalAt(l).UnixMilli()
		t.TotalPrice = domain.RideTotal(l.PricePerSeat, in.Seats)
		t.Currency, t.Policy = l.Currency, l.Policy.Or()
	}
	return t, nil
}

// Book asks a listing's owner for a booking: the terms, priced from the
// listing, are signed and sent sealed to the owner, whose app answers when
// it next runs. Bad input comes back as an *InputError.
func (n *Node) Book(ctx context.Context, in BookingInput) (Booking, error) {
	rec, body, err := n.listing(ctx, in.ListingID)
	if err != nil {
		return Booking{}, err
	}
	if rec.Author == n.Self() {
		return Booking{}, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: "this is your own listing"}
	}
	if n.refuses(ctx, rec.Author) {
		return Booking{}, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: "you blocked its owner; unblock them first"}
	}
	now := n.now()
	t, err := termsFor(rec, body, in, n.Self(), now)
	if err != nil {
		return Booking{}, err
	}
	if _, err := domain.NextStatus("", domain.StepRequest, domain.RoleRenter, &t, now); err != nil {
		return Booking{}, err
	}
	acc, err := n.id.SignRequest(t)
	if err != nil {
		return Booking{}, err
	}
	b := storage.Booking{Role: domain.RoleRenter, Terms: t, Acceptance: acc, Status: domain.BookingRequested, Note: in.Note, UpdatedAt: now}
	msg, err := json.Marshal(domain.BookingRequest{Acceptance: acc, Note: in.Note})
	if err != nil {
		return Booking{}, fmt.Errorf("encode request: %w", err)
	}
	if err := n.store.InsertBooking(ctx, b); err != nil {
		return Booking{}, err
	}
	if _, err := n.SendMessage(ctx, t.Owner, domain.MessageBookingRequest, msg); err != nil {
		return Booking{}, fmt.Errorf("send request: %w", err)
	}
	n.followPerson(t.Owner) // the owner's whole record, from now on
	n.bus.emit(Event{Kind: BookingsChanged, Peer: t.Owner})
	return n.bookingView(b), nil
}

// Bookings lists the user's bookings, as owner, as renter or both (role
// ""), most recently changed first.
func (n *Node) Bookings(ctx context.Context, role domain.Role) ([]Booking, error) {
	if role != "" && role != domain.RoleOwner && role != domain.RoleRenter {
		return nil, &InputError{Reason: domain.ReasonBadBody, Field: "role", Detail: fmt.Sprintf("%q: use owner or renter", role)}
	}
	bs, err := n.store.Bookings(ctx, storage.BookingFilter{Role: role})
	if err != nil {
		return nil, err
	}
	out := make([]Booking, len(bs))
	for i, b := range bs {
		out[i] = n.bookingView(b)
	}
	return out, nil
}

// Booking returns one of the user's bookings.
func (n *Node) Booking(ctx context.Context, id string) (Booking, error) {
	b, err := n.storedBooking(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	return n.bookingView(b), nil
}

func (n *Node) storedBooking(ctx context.Context, id string) (storage.Booking, error) {
	b, err := n.store.Booking(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return b, &InputError{Reason: domain.ReasonBadBody, Field: "booking", Detail: fmt.Sprintf("no booking %s here; `caravan bookings` lists them", id)}
	}
	return b, err
}

// AcceptBooking accepts a request for one of the user's listings: it signs
// the terms, blocks the dates or takes the seats, and sends the acceptance
// with in's details. A request that no longer fits is declined instead, and
// the error says why.
func (n *Node) AcceptBooking(ctx context.Context, id string, in AcceptInput) (Booking, error) {
	b, err := n.storedBooking(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	if b.Role != domain.RoleOwner {
		return Booking{}, &InputError{Reason: domain.ReasonBadBody, Field: "booking", Detail: "only the owner accepts; this is your own request"}
	}
	if _, err := domain.NextStatus(b.Status, domain.StepAccept, domain.RoleOwner, &b.Terms, n.now()); err != nil {
		return Booking{}, err
	}
	if reason, err := n.conflict(ctx, &b); err != nil {
		return Booking{}, err
	} else if reason != "" {
		if _, err := n.answer(ctx, b, domain.StepDecline, reason); err != nil {
			return Booking{}, err
		}
		return Booking{}, fmt.Errorf("booking %s declined instead: %s", id, reason)
	}
	return n.accept(ctx, b, in)
}

// accept moves a checked request to accepted and tells the renter.
func (n *Node) accept(ctx context.Context, b storage.Booking, in AcceptInput) (Booking, error) {
	acc, err := n.id.SignAcceptance(b.Acceptance)
	if err != nil {
		return Booking{}, err
	}
	next := b
	next.Acceptance, next.Status, next.Address, next.Contact, next.UpdatedAt = acc, domain.BookingAccepted, in.Address, in.Contact, n.now()
	ok, err := n.store.UpdateBooking(ctx, next, domain.BookingRequested)
	if err != nil {
		return Booking{}, err
	}
	if !ok {
		return Booking{}, fmt.Errorf("booking %s changed meanwhile; look at it again", b.Terms.BookingID)
	}
	if err := n.holdListing(ctx, &b.Terms, true); err != nil {
		return Booking{}, err
	}
	msg, err := json.Marshal(domain.BookingAccept{Acceptance: acc, Address: in.Address, Contact: in.Contact})
	if err != nil {
		return Booking{}, fmt.Errorf("encode acceptance: %w", err)
	}
	if _, err := n.SendMessage(ctx, b.Terms.Renter, domain.MessageBookingAccept, msg); err != nil {
		return Booking{}, fmt.Errorf("send acceptance: %w", err)
	}
	n.log.Info("booking accepted", "id", b.Terms.BookingID, "renter", b.Terms.Renter)
	n.bus.emit(Event{Kind: BookingsChanged, Peer: b.Terms.Renter})
	n.declineConflicting(ctx, b.Terms.ListingID)
	return n.bookingView(next), nil
}

// DeclineBooking declines a request for one of the user's listings.
func (n *Node) DeclineBooking(ctx context.Context, id, reason string) (Booking, error) {
	b, err := n.storedBooking(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	if b.Role != domain.RoleOwner {
		return Booking{}, &InputError{Reason: domain.ReasonBadBody, Field: "booking", Detail: "only the owner declines; cancel your own request instead"}
	}
	return n.answer(ctx, b, domain.StepDecline, reason)
}

// CancelBooking cancels a request or an accepted booking, as either party.
// The owner's app frees the dates or seats.
func (n *Node) CancelBooking(ctx context.Context, id, reason string) (Booking, error) {
	b, err := n.storedBooking(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	return n.answer(ctx, b, domain.StepCancel, reason)
}

// CompleteBooking marks an accepted booking done, after its end.
func (n *Node) CompleteBooking(ctx context.Context, id string) (Booking, error) {
	b, err := n.storedBooking(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	return n.answer(ctx, b, domain.StepComplete, "")
}

// answer takes a decline, cancel or complete step as the user, and tells the
// other party.
func (n *Node) answer(ctx context.Context, b storage.Booking, step domain.BookingStep, reason string) (Booking, error) {
	if len([]rune(reason)) > domain.MaxReason {
		return Booking{}, &InputError{Reason: domain.ReasonBadBody, Field: "reason", Detail: fmt.Sprintf("at most %d characters", domain.MaxReason)}
	}
	now := n.now()
	status, err := domain.NextStatus(b.Status, step, b.Role, &b.Terms, now)
	if err != nil {
		return Booking{}, err
	}
	next := b
	next.Status, next.Reason, next.UpdatedAt = status, reason, now
	ok, err := n.store.UpdateBooking(ctx, next, b.Status)
	if err != nil {
		return Booking{}, err
	}
	if !ok {
		return Booking{}, fmt.Errorf("booking %s changed meanwhile; look at it again", b.Terms.BookingID)
	}
	if b.Role == domain.RoleOwner && step == domain.StepCancel && b.Status == domain.BookingAccepted {
		if err := n.holdListing(ctx, &b.Terms, false); err != nil {
			return Booking{}, err
		}
	}
	msg, err := json.Marshal(domain.BookingAnswer{BookingID: b.Terms.BookingID, Reason: reason})
	if err != nil {
		return Booking{}, fmt.Errorf("encode %s: %w", step, err)
	}
	other := b.Terms.Party(n.Self())
	if _, err := n.SendMessage(ctx, other, step.MessageKind(), msg); err != nil {
		return Booking{}, fmt.Errorf("send %s: %w", step, err)
	}
	n.log.Info("booking "+string(status), "id", b.Terms.BookingID, "reason", reason)
	n.bus.emit(Event{Kind: BookingsChanged, Peer: other})
	return n.bookingView(next), nil
}

// conflict says why the owner cannot accept a request now, or "" when it
// can: the listing is gone or changed its terms, the dates overlap an
// accepted booking or a blocked range, or too few seats are left.
func (n *Node) conflict(ctx context.Context, b *storage.Booking) (string, error) {
	t := &b.Terms
	rec, body, err := n.listing(ctx, t.ListingID)
	var ie *InputError
	if errors.As(err, &ie) || (err == nil && rec.Author != n.Self()) {
		return ReasonGone, nil
	}
	if err != nil {
		return "", err
	}
	want, err := termsFor(rec, body, BookingInput{From: t.From, To: t.To, Guests: t.Guests, Seats: t.Seats, Pickup: t.Pickup, Dropoff: t.Dropoff}, t.Renter, t.Requested())
	if err != nil {
		if err == errPaused {
			return ReasonPaused, nil
		}
		if ie := (*InputError)(nil); errors.As(err, &ie) && ie.Field == "seats" {
			return ReasonNoSeats, nil
		}
		if ie := (*InputError)(nil); errors.As(err, &ie) && (ie.Field == "pickup" || ie.Field == "dropoff") {
			return ie.Field + ": " + ie.Detail, nil
		}
		return ReasonTermsChanged, nil
	}
	if want.TotalPrice != t.TotalPrice || want.Currency != t.Currency || want.Policy != t.Policy.Or() ||
		want.StartAt != t.StartAt || want.EndAt != t.EndAt || !slices.Equal(want.Cells, t.Cells) {
		return ReasonTermsChanged, nil
	}
	if t.ListingKind == domain.KindRide {
		return "", nil // seats left were checked against the ride's current version
	}
	accepted, err := n.store.Bookings(ctx, storage.BookingFilter{Role: domain.RoleOwner, ListingID: t.ListingID, Statuses: []domain.BookingStatus{domain.BookingAccepted}})
	if err != nil {
		return "", err
	}
	for _, o := range accepted {
		if o.Terms.BookingID != t.BookingID && domain.Overlaps(t.From, t.To, o.Terms.From, o.Terms.To) {
			return ReasonDatesTaken, nil
		}
	}
	cal, err := n.store.CalendarOf(ctx, t.ListingID, n.Self())
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	c, err := domain.DecodeCalendar(cal.Body)
	if err != nil {
		return "", fmt.Errorf("own calendar of %s: %w", t.ListingID, err)
	}
	for _, r := range c.Blocked {
		if domain.Overlaps(t.From, t.To, r.From, r.To) {
			return ReasonDatesTaken, nil
		}
	}
	return "", nil
}

// holdListing publishes what an accepted booking takes from its listing
// (hold) or gives back when cancelled: the room's blocked days in a new
// calendar, or the ride's seats left in a new version of the ride.
func (n *Node) holdListing(ctx context.Context, t *domain.BookingTerms, hold bool) error {
	rec, body, err := n.listing(ctx, t.ListingID)
	if err != nil {
		return fmt.Errorf("update listing %s: %w", t.ListingID, err)
	}
	switch l := body.(type) {
	case *domain.Room:
		r := domain.DateRange{From: t.From, To: t.To}
		return n.editCalendar(ctx, rec, func(blocked []domain.DateRange) []domain.DateRange {
			if hold {
				return domain.MergeBlocked(blocked, r)
			}
			return domain.UnblockRange(blocked, r)
		})
	case *domain.Ride:
		ride := *l
		if hold {
			ride.SeatsLeft -= t.Seats
		} else {
			ride.SeatsLeft = min(ride.Seats, ride.SeatsLeft+t.Seats)
		}
		if ride.SeatsLeft < 0 {
			return fmt.Errorf("ride %s: %s", rec.ID, ReasonNoSeats)
		}
		next, err := n.id.NewRideRecord(ride, &rec, time.Now()) // a ride record is issued on the real clock: it expires at departure
		if err != nil {
			return fmt.Errorf("sign ride %s: %w", rec.ID, err)
		}
		return n.postOwn(ctx, next)
	}
	return nil
}

// declineConflicting declines the pending requests for a listing that no
// longer fit, after an acceptance took their dates or seats.
func (n *Node) declineConflicting(ctx context.Context, listingID string) {
	pending, err := n.store.Bookings(ctx, storage.BookingFilter{Role: domain.RoleOwner, ListingID: listingID, Statuses: []domain.BookingStatus{domain.BookingRequested}})
	if err != nil {
		n.log.Warn("list pending requests", "listing", listingID, "err", err)
		return
	}
	for _, p := range pending {
		if p.Status.Effective(&p.Terms, n.now()) != domain.BookingRequested {
			continue
		}
		reason, err := n.conflict(ctx, &p)
		if err == nil && reason != "" {
			_, err = n.answer(ctx, p, domain.StepDecline, reason)
		}
		if err != nil {
			n.log.Warn("decline a conflicting request", "id", p.Terms.BookingID, "err", err)
		}
	}
}

// handleBookingMessage applies a booking step received from the other
// party. A bad or out-of-turn step is logged and ignored: the message is
// kept, and the booking stays as it was.
func (n *Node) handleBookingMessage(ctx context.Context, env domain.Envelope) {
	step := domain.StepOf(env.Kind)
	settle := domain.SettlementRole(env.Kind) != ""
	if step == "" && !settle {
		return
	}
	var err error
	if settle {
		err = n.receiveSettlement(ctx, env)
	} else if step == domain.StepRequest {
		err = n.receiveRequest(ctx, env)
	} else {
		err = n.receiveStep(ctx, env, step)
	}
	if err != nil {
		n.log.Info("ignored a booking message", "from", env.Author, "kind", env.Kind, "id", env.ID, "err", err)
		return
	}
	n.bus.emit(Event{Kind: BookingsChanged, Peer: env.Author, Received: env.Kind})
}

// receiveRequest keeps a request for one of the user's listings, then
// declines it at once when it does not fit, or accepts it when the listing
// has instant book.
func (n *Node) receiveRequest(ctx context.Context, env domain.Envelope) error {
	req, t, err := domain.DecodeBookingRequest(env.Body, env.Author)
	if err != nil {
		return err
	}
	if t.Owner != n.Self() {
		return fmt.Errorf("request for %s's listing", t.Owner)
	}
	b := storage.Booking{Role: domain.RoleOwner, Terms: t, Acceptance: req.Acceptance, Status: domain.BookingRequested, Note: req.Note, UpdatedAt: n.now()}
	b.Acceptance.OwnerSig = nil
	if _, err := domain.NextStatus("", domain.StepRequest, domain.RoleRenter, &t, env.Sent()); err != nil {
		return err
	}
	if err := n.store.InsertBooking(ctx, b); err != nil {
		return err
	}
	n.followPerson(t.Renter) // catch up the stranger's whole record before the owner decides
	n.log.Info("booking requested", "id", t.BookingID, "renter", t.Renter, "listing", t.ListingID)
	if b.Status.Effective(&t, n.now()) != domain.BookingRequested {
		return nil // expired while the owner was away
	}
	reason, err := n.conflict(ctx, &b)
	if err != nil {
		return err
	}
	if reason != "" {
		_, err = n.answer(ctx, b, domain.StepDecline, reason)
		return err
	}
	if n.instantBook(ctx, t.ListingID) {
		_, err = n.accept(ctx, b, AcceptInput{})
	}
	return err
}

// instantBook reports whether the user's listing accepts fitting requests by itself.
func (n *Node) instantBook(ctx context.Context, listingID string) bool {
	_, body, err := n.listing(ctx, listingID)
	switch l := body.(type) {
	case *domain.Room:
		return err == nil && l.InstantBook
	case *domain.Ride:
		return err == nil && l.InstantBook
	}
	return false
}

// receiveStep applies an accept, decline, cancel or complete from the other
// party of a booking the user holds.
func (n *Node) receiveStep(ctx context.Context, env domain.Envelope, step domain.BookingStep) error {
	var id string
	var acc *domain.BookingAccept
	var reason string
	if step == domain.StepAccept {
		a, t, err := domain.DecodeBookingAccept(env.Body, env.Author)
		if err != nil {
			return err
		}
		id, acc = t.BookingID, &a
	} else {
		ans, err := domain.DecodeBookingAnswer(env.Body)
		if err != nil {
			return err
		}
		id, reason = ans.BookingID, ans.Reason
	}
	b, err := n.store.Booking(ctx, id)
	if err != nil {
		return err
	}
	by := b.Terms.RoleOf(env.Author)
	if by == "" || env.Author == n.Self() {
		return fmt.Errorf("%s is not the other party of booking %s", env.Author, id)
	}
	status, err := domain.NextStatus(b.Status, step, by, &b.Terms, env.Sent())
	if err != nil {
		return err
	}
	next := b
	next.Status, next.Reason, next.UpdatedAt = status, reason, n.now()
	if acc != nil {
		if !bytes.Equal(acc.Acceptance.Terms, b.Acceptance.Terms) || !bytes.Equal(acc.Acceptance.RenterSig, b.Acceptance.RenterSig) {
			return fmt.Errorf("the acceptance of %s is not of the terms requested", id)
		}
		next.Acceptance, next.Address, next.Contact = acc.Acceptance, acc.Address, acc.Contact
	}
	ok, err := n.store.UpdateBooking(ctx, next, b.Status)
	if err != nil || !ok {
		return errors.Join(err, fmt.Errorf("booking %s changed meanwhile", id))
	}
	if b.Role == domain.RoleOwner && step == domain.StepCancel && b.Status == domain.BookingAccepted {
		if err := n.holdListing(ctx, &b.Terms, false); err != nil {
			return err
		}
	}
	n.log.Info("booking "+string(status), "id", id, "by", env.Author, "reason", reason)
	return nil
}

// MarkPaid marks a booking the user rents paid, and sends the owner a signed
// note of it. No money passes through Caravan: this is a receipt.
func (n *Node) MarkPaid(ctx context.Context, id string) (Booking, error) {
	return n.settle(ctx, id, domain.MessageBookingPaid)
}

// MarkReceived marks the payment for a booking of the user's listing
// received, and sends the renter a signed receipt.
func (n *Node) MarkReceived(ctx context.Context, id string) (Booking, error) {
	return n.settle(ctx, id, domain.MessageBookingReceived)
}

func (n *Node) settle(ctx context.Context, id, kind string) (Booking, error) {
	b, err := n.storedBooking(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	now := n.now()
	if err := domain.CheckSettlement(kind, b.Role, b.Status.Effective(&b.Terms, now)); err != nil {
		return Booking{}, err
	}
	received := kind == domain.MessageBookingReceived
	ok, err := n.store.MarkSettled(ctx, id, received, now)
	if err != nil {
		return Booking{}, err
	}
	if ok {
		msg, err := json.Marshal(domain.BookingAnswer{BookingID: id})
		if err != nil {
			return Booking{}, fmt.Errorf("encode %s: %w", kind, err)
		}
		if _, err := n.SendMessage(ctx, b.Terms.Party(n.Self()), kind, msg); err != nil {
			return Booking{}, fmt.Errorf("send %s: %w", kind, err)
		}
		n.bus.emit(Event{Kind: BookingsChanged, Peer: b.Terms.Party(n.Self())})
	}
	return n.Booking(ctx, id)
}

// receiveSettlement records the other party's paid or received mark; the
// signed message stays in the messages as the receipt.
func (n *Node) receiveSettlement(ctx context.Context, env domain.Envelope) error {
	ans, err := domain.DecodeBookingAnswer(env.Body)
	if err != nil {
		return err
	}
	b, err := n.store.Booking(ctx, ans.BookingID)
	if err != nil {
		return err
	}
	by := b.Terms.RoleOf(env.Author)
	if env.Author == n.Self() || by == "" {
		return fmt.Errorf("%s is not the other party of booking %s", env.Author, ans.BookingID)
	}
	if err := domain.CheckSettlement(env.Kind, by, b.Status.Effective(&b.Terms, env.Sent())); err != nil {
		return err
	}
	_, err = n.store.MarkSettled(ctx, ans.BookingID, env.Kind == domain.MessageBookingReceived, env.Sent())
	return err
}
