package domain

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Bookings (DESIGN §4). A booking is a private conversation of signed steps
// between a renter and a listing's owner, carried in sealed messages: the
// renter's request carries the terms and the renter's signature over them;
// the owner's acceptance adds the owner's signature over the very same bytes.
// That Acceptance is the proof of a real transaction that reviews carry, so
// it must be checkable by anyone, with no state: the terms name both parties,
// the listing, its cells, the dates, the agreed total and the cancellation
// policy.

// The message kinds of the booking steps.
const (
	MessageBookingRequest  = "booking/request"
	MessageBookingAccept   = "booking/accept"
	MessageBookingDecline  = "booking/decline"
	MessageBookingCancel   = "booking/cancel"
	MessageBookingComplete = "booking/complete"
)

// Signature domains of the two parties' signatures over the terms.
const (
	renterTermsDomain = "caravan/booking-request/v1\x00"
	ownerTermsDomain  = "caravan/booking-accept/v1\x00"
)

// Booking limits.
const (
	// RequestTTL is how long an owner has to answer a request; after it the
	// request has expired.
	RequestTTL = 24 * time.Hour
	// MaxNights caps a room booking.
	MaxNights = 365
	// MaxReason caps a decline or cancel reason and a request's note, in characters.
	MaxReason = 1000
	// MaxTermsSize caps the signed terms.
	MaxTermsSize = 8 << 10
)

// CancellationPolicy is how much of the total a renter gets back when
// cancelling: flexible, moderate or strict. The empty policy means flexible.
type CancellationPolicy string

// The cancellation policies.
const (
	PolicyFlexible CancellationPolicy = "flexible" // full refund until 1 day before the start
	PolicyModerate CancellationPolicy = "moderate" // full refund until 5 days before the start
	PolicyStrict   CancellationPolicy = "strict"   // half refunded until 7 days before the start, nothing after
)

// CheckPolicy reports a policy that is not one of the three (empty is allowed: flexible).
func CheckPolicy(p CancellationPolicy) error {
	switch p {
	case "", PolicyFlexible, PolicyModerate, PolicyStrict:
		return nil
	}
	return bodyError("cancellation_policy", "%q: use flexible, moderate or strict", p)
}

// Or returns the policy, flexible when empty.
func (p CancellationPolicy) Or() CancellationPolicy {
	if p == "" {
		return PolicyFlexible
	}
	return p
}

// RefundShare is the share of the total (0 to 1) a renter gets back when the
// booking is cancelled at cancelAt for a stay or ride starting at start. An
// owner who cancels refunds everything.
func RefundShare(p CancellationPolicy, byOwner bool, cancelAt, start time.Time) float64 {
	if byOwner {
		return 1
	}
	left := start.Sub(cancelAt)
	day := 24 * time.Hour
	switch p.Or() {
	case PolicyModerate:
		if left >= 5*day {
			return 1
		}
	case PolicyStrict:
		if left >= 7*day {
			return 0.5
		}
		return 0
	default:
		if left >= day {
			return 1
		}
	}
	return 0
}

// BookingTerms is what both parties sign: the whole agreement. Rooms have
// From, To and Guests; rides have From (the day of departure), Seats, Pickup
// and Dropoff. EndAt is when the stay or the ride is over: the booking may be
// completed and reviewed from then on.
type BookingTerms struct {
	BookingID   string             `json:"booking_id"` // UUIDv7 chosen by the renter
	ListingID   string             `json:"listing_id"`
	ListingKind Kind               `json:"listing_kind"` // room or ride
	Cells       []string           `json:"cells"`        // the listing's cells, where reviews of it travel
	Owner       string             `json:"owner"`
	Renter      string             `json:"renter"`
	From        string             `json:"from"`         // YYYY-MM-DD: check-in day, or the ride's day
	To          string             `json:"to,omitempty"` // YYYY-MM-DD: check-out day of a room
	Guests      int                `json:"guests,omitempty"`
	Seats       int                `json:"seats,omitempty"`
	Pickup      *[2]float64        `json:"pickup,omitempty"`  // [lon, lat] of a ride's pickup
	Dropoff     *[2]float64        `json:"dropoff,omitempty"` // [lon, lat] of a ride's drop-off
	StartAt     int64              `json:"start_at"`          // unix ms: check-in day 00:00 UTC, or departure
	EndAt       int64              `json:"end_at"`            // unix ms: check-out day 00:00 UTC, or arrival
	TotalPrice  float64            `json:"total_price"`
	Currency    string             `json:"currency"`
	Policy      CancellationPolicy `json:"cancellation_policy"`
	RequestedAt int64              `json:"requested_at"` // unix ms
}

// Start is StartAt as a time.
func (t *BookingTerms) Start() time.Time { return time.UnixMilli(t.StartAt) }

// End is EndAt as a time.
func (t *BookingTerms) End() time.Time { return time.UnixMilli(t.EndAt) }

// Requested is RequestedAt as a time.
func (t *BookingTerms) Requested() time.Time { return time.UnixMilli(t.RequestedAt) }

// Nights is the number of nights of a room booking.
func (t *BookingTerms) Nights() int {
	return int(t.End().Sub(t.Start()) / (24 * time.Hour))
}

// Party is the other side of the terms from who, or "" when who is neither.
func (t *BookingTerms) Party(who string) string {
	switch who {
	case t.Owner:
		return t.Renter
	case t.Renter:
		return t.Owner
	}
	return ""
}

// DayStart is 00:00 UTC of a YYYY-MM-DD day.
func DayStart(day string) (time.Time, error) {
	d, err := time.Parse(DateLayout, day)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", day)
	}
	return d, nil
}

// Validate checks every field of the terms and that they are consistent.
func (t *BookingTerms) Validate() error {
	if err := checkUUIDv7(t.BookingID); err != nil {
		return bodyError("booking_id", "%v", err)
	}
	if err := checkUUIDv7(t.ListingID); err != nil {
		return bodyError("listing_id", "%v", err)
	}
	if err := checkCellList(t.Cells, 1, MaxCells); err != nil {
		return err
	}
	if _, err := AuthorKey(t.Owner); err != nil {
		return bodyError("owner", "%v", err)
	}
	if _, err := AuthorKey(t.Renter); err != nil {
		return bodyError("renter", "%v", err)
	}
	if t.Owner == t.Renter {
		return bodyError("renter", "an owner does not book its own listing")
	}
	from, err := DayStart(t.From)
	if err != nil {
		return bodyError("from", "%v", err)
	}
	switch t.ListingKind {
	case KindRoom:
		to, err := DayStart(t.To)
		if err != nil {
			return bodyError("to", "%v", err)
		}
		nights := int(to.Sub(from) / (24 * time.Hour))
		if nights < 1 || nights > MaxNights {
			return bodyError("to", "%s to %s is %d nights; a stay is 1 to %d nights", t.From, t.To, nights, MaxNights)
		}
		if t.Guests < 1 || t.Guests > MaxGuests {
			return bodyError("guests", "%d is not between 1 and %d", t.Guests, MaxGuests)
		}
		if t.Seats != 0 || t.Pickup != nil || t.Dropoff != nil {
			return bodyError("seats", "a room booking has no seats, pickup or drop-off")
		}
		if t.StartAt != from.UnixMilli() || t.EndAt != to.UnixMilli() {
			return bodyError("end_at", "start_at and end_at must be 00:00 UTC of from and to")
		}
	case KindRide:
		if t.Seats < 1 || t.Seats > MaxSeats {
			return bodyError("seats", "%d is not between 1 and %d", t.Seats, MaxSeats)
		}
		if t.To != "" || t.Guests != 0 {
			return bodyError("to", "a ride booking has no check-out day or guests")
		}
		for _, p := range []struct {
			name string
			pt   *[2]float64
		}{{"pickup", t.Pickup}, {"dropoff", t.Dropoff}} {
			if p.pt == nil {
				return bodyError(p.name, "required for a ride")
			}
			if err := CheckCoordinate(p.pt[1], p.pt[0]); err != nil {
				return bodyError(p.name, "%v", err.(*RejectError).Detail)
			}
		}
		if day := time.UnixMilli(t.StartAt).UTC().Format(DateLayout); day != t.From {
			return bodyError("from", "%s is not the day of departure (%s, UTC)", t.From, day)
		}
		if t.EndAt <= t.StartAt {
			return bodyError("end_at", "the ride must end after it departs")
		}
	default:
		return bodyError("listing_kind", "%q: a booking is of a room or a ride", t.ListingKind)
	}
	if err := checkPrice("total_price", t.TotalPrice); err != nil {
		return err
	}
	if err := CheckCurrency(t.Currency); err != nil {
		return err
	}
	if err := CheckPolicy(t.Policy); err != nil {
		return err
	}
	if t.RequestedAt <= 0 {
		return bodyError("requested_at", "missing")
	}
	return nil
}

// RoomTotal is the total price of nights in a room.
func RoomTotal(pricePerNight float64, nights int) float64 {
	return math.Round(pricePerNight*float64(nights)*100) / 100
}

// RideTotal is the total price of seats in a ride.
func RideTotal(pricePerSeat float64, seats int) float64 {
	return math.Round(pricePerSeat*float64(seats)*100) / 100
}

// Acceptance is the proof of a booking: the terms as the renter signed them
// and both parties' signatures over those exact bytes. Anyone can check it.
type Acceptance struct {
	Terms     []byte `json:"terms"` // BookingTerms as JSON, exactly as signed
	RenterSig []byte `json:"renter_sig"`
	OwnerSig  []byte `json:"owner_sig,omitempty"` // absent in a request
}

// BookingRequest is the body of a booking/request message: the terms and the
// renter's signature, as an Acceptance without the owner's.
type BookingRequest struct {
	Acceptance
	Note string `json:"note,omitempty"` // a word to the owner
}

// BookingAccept is the body of a booking/accept message: the full proof, and
// what only the renter of an accepted booking learns.
type BookingAccept struct {
	Acceptance Acceptance `json:"acceptance"`
	Address    string     `json:"address,omitempty"` // the exact address or meeting point
	Contact    string     `json:"contact,omitempty"` // the owner's phone or e-mail
}

// BookingAnswer is the body of a booking/decline, booking/cancel or
// booking/complete message.
type BookingAnswer struct {
	BookingID string `json:"booking_id"`
	Reason    string `json:"reason,omitempty"`
}

// SignRequest signs terms as their renter and returns the request's
// Acceptance (without the owner's signature).
func (id *Identity) SignRequest(t BookingTerms) (Acceptance, error) {
	if t.Renter != id.Author() {
		return Acceptance{}, bodyError("renter", "the renter signs the request")
	}
	if err := t.Validate(); err != nil {
		return Acceptance{}, err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return Acceptance{}, fmt.Errorf("encode terms: %w", err)
	}
	return Acceptance{Terms: b, RenterSig: ed25519.Sign(id.raw, append([]byte(renterTermsDomain), b...))}, nil
}

// SignAcceptance adds the owner's signature to a request the renter signed.
func (id *Identity) SignAcceptance(req Acceptance) (Acceptance, error) {
	t, err := req.verify(false)
	if err != nil {
		return Acceptance{}, err
	}
	if t.Owner != id.Author() {
		return Acceptance{}, bodyError("owner", "only the owner %s accepts", t.Owner)
	}
	req.OwnerSig = ed25519.Sign(id.raw, append([]byte(ownerTermsDomain), req.Terms...))
	return req, nil
}

// VerifyRequest checks a request: its terms and the renter's signature.
func (a *Acceptance) VerifyRequest() (BookingTerms, error) { return a.verify(false) }

// Verify checks a full acceptance: its terms and both signatures.
func (a *Acceptance) Verify() (BookingTerms, error) { return a.verify(true) }

func (a *Acceptance) verify(owner bool) (BookingTerms, error) {
	var t BookingTerms
	if len(a.Terms) > MaxTermsSize {
		return t, Reject(ReasonTooLarge, "terms of %d bytes, limit %d", len(a.Terms), MaxTermsSize)
	}
	if err := decodeBody(a.Terms, &t); err != nil {
		return t, err
	}
	if err := t.Validate(); err != nil {
		return t, err
	}
	rk, _ := AuthorKey(t.Renter) // checked by Validate
	sigs := []signed{{pub: rk, msg: append([]byte(renterTermsDomain), a.Terms...), sig: a.RenterSig}}
	if owner {
		ok, _ := AuthorKey(t.Owner)
		sigs = append(sigs, signed{pub: ok, msg: append([]byte(ownerTermsDomain), a.Terms...), sig: a.OwnerSig})
	}
	for i, good := range verifyBatch(sigs) {
		if !good {
			who := "renter"
			if i == 1 {
				who = "owner"
			}
			return t, &RejectError{Reason: ReasonBadSignature, Field: who + "_sig", Detail: "the " + who + "'s signature does not match the terms"}
		}
	}
	return t, nil
}

// Equal reports whether two acceptances are the same bytes.
func (a *Acceptance) Equal(b *Acceptance) bool {
	return bytes.Equal(a.Terms, b.Terms) && bytes.Equal(a.RenterSig, b.RenterSig) && bytes.Equal(a.OwnerSig, b.OwnerSig)
}

// DecodeBookingRequest parses a booking/request body and checks the renter's
// signature; the renter must be the message's author.
func DecodeBookingRequest(b []byte, author string) (BookingRequest, BookingTerms, error) {
	var r BookingRequest
	if err := decodeBody(b, &r); err != nil {
		return r, BookingTerms{}, err
	}
	if err := checkText("note", r.Note, 0, MaxReason); err != nil {
		return r, BookingTerms{}, err
	}
	t, err := r.VerifyRequest()
	if err != nil {
		return r, t, err
	}
	if t.Renter != author {
		return r, t, bodyError("renter", "the request comes from %s, not its renter", author)
	}
	return r, t, nil
}

// DecodeBookingAccept parses a booking/accept body and checks the proof; the
// owner must be the message's author.
func DecodeBookingAccept(b []byte, author string) (BookingAccept, BookingTerms, error) {
	var a BookingAccept
	if err := decodeBody(b, &a); err != nil {
		return a, BookingTerms{}, err
	}
	if err := checkText("address", a.Address, 0, MaxReason); err != nil {
		return a, BookingTerms{}, err
	}
	if err := checkText("contact", a.Contact, 0, MaxReason); err != nil {
		return a, BookingTerms{}, err
	}
	t, err := a.Acceptance.Verify()
	if err != nil {
		return a, t, err
	}
	if t.Owner != author {
		return a, t, bodyError("owner", "the acceptance comes from %s, not the owner", author)
	}
	return a, t, nil
}

// DecodeBookingAnswer parses a decline, cancel or complete body.
func DecodeBookingAnswer(b []byte) (BookingAnswer, error) {
	var a BookingAnswer
	if err := decodeBody(b, &a); err != nil {
		return a, err
	}
	if err := checkUUIDv7(a.BookingID); err != nil {
		return a, bodyError("booking_id", "%v", err)
	}
	return a, checkText("reason", a.Reason, 0, MaxReason)
}

// BookingStatus is where a booking stands.
type BookingStatus string

// The booking statuses.
const (
	BookingRequested BookingStatus = "requested"
	BookingAccepted  BookingStatus = "accepted"
	BookingDeclined  BookingStatus = "declined"
	BookingCancelled BookingStatus = "cancelled"
	BookingCompleted BookingStatus = "completed"
	BookingExpired   BookingStatus = "expired" // requested, and not answered within RequestTTL
)

// BookingStep is one move of the booking protocol.
type BookingStep string

// The steps.
const (
	StepRequest  BookingStep = "request"
	StepAccept   BookingStep = "accept"
	StepDecline  BookingStep = "decline"
	StepCancel   BookingStep = "cancel"
	StepComplete BookingStep = "complete"
)

// StepOf is the step a booking message kind carries, or "" for another kind.
func StepOf(kind string) BookingStep {
	switch kind {
	case MessageBookingRequest:
		return StepRequest
	case MessageBookingAccept:
		return StepAccept
	case MessageBookingDecline:
		return StepDecline
	case MessageBookingCancel:
		return StepCancel
	case MessageBookingComplete:
		return StepComplete
	}
	return ""
}

// MessageKind is the message kind that carries a step.
func (s BookingStep) MessageKind() string { return "booking/" + string(s) }

// Role is a party's side of a booking.
type Role string

// The roles.
const (
	RoleOwner  Role = "owner"
	RoleRenter Role = "renter"
)

// Effective is the status as of now: a request unanswered for RequestTTL
// has expired.
func (s BookingStatus) Effective(t *BookingTerms, now time.Time) BookingStatus {
	if s == BookingRequested && !now.Before(t.Requested().Add(RequestTTL)) {
		return BookingExpired
	}
	return s
}

// NextStatus is the booking protocol's state machine: the status a booking
// moves to when party by takes step at time at, from status cur ("" for a
// booking not yet known). It refuses a step out of turn, by the wrong party,
// too late or too early, with a reason a person can act on.
func NextStatus(cur BookingStatus, step BookingStep, by Role, t *BookingTerms, at time.Time) (BookingStatus, error) {
	eff := cur.Effective(t, at)
	refuse := func(format string, args ...any) (BookingStatus, error) {
		return cur, Reject(ReasonBadBody, "booking %s: %s", t.BookingID, fmt.Sprintf(format, args...))
	}
	switch step {
	case StepRequest:
		if by != RoleRenter {
			return refuse("only the renter requests")
		}
		if cur != "" {
			return refuse("already %s", eff)
		}
		if !at.Before(t.Start()) {
			return refuse("starts %s, which has passed", t.Start().UTC().Format(time.RFC3339))
		}
		return BookingRequested, nil
	case StepAccept, StepDecline:
		if by != RoleOwner {
			return refuse("only the owner may %s", step)
		}
		if eff != BookingRequested {
			return refuse("is %s, not a request waiting for an answer", describeStatus(eff))
		}
		if step == StepAccept {
			return BookingAccepted, nil
		}
		return BookingDeclined, nil
	case StepCancel:
		if eff != BookingRequested && eff != BookingAccepted {
			return refuse("is %s; only a request or an accepted booking can be cancelled", describeStatus(eff))
		}
		if !at.Before(t.End()) {
			return refuse("ended %s; it can be completed, not cancelled", t.End().UTC().Format(time.RFC3339))
		}
		return BookingCancelled, nil
	case StepComplete:
		if eff != BookingAccepted {
			return refuse("is %s; only an accepted booking is completed", describeStatus(eff))
		}
		if at.Before(t.End()) {
			return refuse("ends %s; complete it after that", t.End().UTC().Format(time.RFC3339))
		}
		return BookingCompleted, nil
	}
	return refuse("unknown step %q", step)
}

func describeStatus(s BookingStatus) string {
	if s == "" {
		return "unknown"
	}
	return string(s)
}

// Overlaps reports whether the half-open day ranges [aFrom, aTo) and [bFrom,
// bTo), all YYYY-MM-DD, share a night.
func Overlaps(aFrom, aTo, bFrom, bTo string) bool {
	return aFrom < bTo && bFrom < aTo // YYYY-MM-DD sorts as it reads
}

// MergeBlocked adds a range to a calendar's blocked ranges, merging ranges
// that overlap or touch, sorted by start.
func MergeBlocked(blocked []DateRange, add DateRange) []DateRange {
	all := append(slices.Clone(blocked), add)
	slices.SortFunc(all, func(a, b DateRange) int {
		if a.From != b.From {
			if a.From < b.From {
				return -1
			}
			return 1
		}
		return 0
	})
	out := all[:0]
	for _, r := range all {
		if n := len(out); n > 0 && r.From <= out[n-1].To {
			if r.To > out[n-1].To {
				out[n-1].To = r.To
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// UnblockRange removes the days of r from blocked ranges, splitting a range
// that r cuts through; ranges that become empty are dropped.
func UnblockRange(blocked []DateRange, r DateRange) []DateRange {
	var out []DateRange
	for _, b := range blocked {
		if !Overlaps(b.From, b.To, r.From, r.To) {
			out = append(out, b)
			continue
		}
		if b.From < r.From {
			out = append(out, DateRange{From: b.From, To: r.From})
		}
		if r.To < b.To {
			out = append(out, DateRange{From: r.To, To: b.To})
		}
	}
	return out
}

// Settlement (issue 6 item 2): no money passes through Caravan, but the
// renter may mark a booking paid and the owner mark the payment received,
// each in a signed message, so both hold a receipt signed by the other.
const (
	MessageBookingPaid     = "booking/paid"
	MessageBookingReceived = "booking/received"
)

// SettlementRole is the party that sends a settlement message kind: the
// renter pays, the owner receives; "" for another kind.
func SettlementRole(kind string) Role {
	switch kind {
	case MessageBookingPaid:
		return RoleRenter
	case MessageBookingReceived:
		return RoleOwner
	}
	return ""
}

// CheckSettlement refuses a settlement message of kind by a party of a
// booking in status st (effective): the wrong party, or a booking that was
// never accepted.
func CheckSettlement(kind string, by Role, st BookingStatus) error {
	want := SettlementRole(kind)
	switch {
	case want == "":
		return Reject(ReasonBadKind, "%q is not a settlement", kind)
	case by != want:
		return Reject(ReasonBadBody, "only the %s marks a booking %s", want, kind[len("booking/"):])
	case st != BookingAccepted && st != BookingCompleted:
		return Reject(ReasonBadBody, "the booking is %s; only an accepted booking is settled", describeStatus(st))
	}
	return nil
}
