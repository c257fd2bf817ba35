package domain

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Wishes: a renter publishes what it looks for, so owners find renters too.
// A wish is a signed public record like a listing: a stay (an area, dates,
// guests, a budget) or a ride need (from, to, a departure window, seats, a
// budget). It expires when its dates are over. An owner's app runs the room
// and ride matching the other way round: which wishes does my listing fit?

// KindWish is the kind of a wish record.
const KindWish Kind = "wish"

// Wish limits.
const (
	// WishLifetime is the furthest ahead a wish may reach: its record expires
	// when its dates are over, and at most this long after it was issued.
	WishLifetime = 365 * 24 * time.Hour
	// MaxWishWindow caps a ride wish's departure window.
	MaxWishWindow = 30 * 24 * time.Hour
	// MaxWishRadiusKm caps a stay wish's radius around its centre.
	MaxWishRadiusKm = 300.0
	// MaxWishText caps a wish's words to owners, in characters.
	MaxWishText = 1000
)

// Wish is the body of a wish record: exactly one of Stay and Ride.
type Wish struct {
	Stay *StayWish `json:"stay,omitempty"`
	Ride *RideWish `json:"ride,omitempty"`
}

// StayWish is a place to stay wanted: in an area (a box, or a centre and a
// radius), for the nights [From, To), for Guests, at most MaxPricePerNight
// in Currency (0: any price), with the amenities listed.
type StayWish struct {
	BBox             *[4]float64 `json:"bbox,omitempty"`   // [min lon, min lat, max lon, max lat]
	Centre           *[2]float64 `json:"centre,omitempty"` // [lon, lat], with RadiusKm
	RadiusKm         float64     `json:"radius_km,omitempty"`
	From             string      `json:"from"` // YYYY-MM-DD, check-in
	To               string      `json:"to"`   // YYYY-MM-DD, check-out
	Guests           int         `json:"guests"`
	MaxPricePerNight float64     `json:"max_price_per_night,omitempty"`
	Currency         string      `json:"currency,omitempty"`
	Amenities        []string    `json:"amenities,omitempty"`
	// Text is a word to the owners; it is shown, not matched.
	Text string `json:"text,omitempty"`
}

// RideWish is a ride wanted: picked up near From, dropped off near To
// (within RadiusKm of the route; 0 for the automatic radius of ride search),
// leaving the pickup in [DepartAfter, DepartBefore), for Seats, at most
// MaxPricePerSeat in Currency (0: any price).
type RideWish struct {
	From            *[2]float64 `json:"from"` // [lon, lat]
	To              *[2]float64 `json:"to"`   // [lon, lat]
	RadiusKm        float64     `json:"radius_km,omitempty"`
	DepartAfter     time.Time   `json:"depart_after"`
	DepartBefore    time.Time   `json:"depart_before"`
	Seats           int         `json:"seats"`
	MaxPricePerSeat float64     `json:"max_price_per_seat,omitempty"`
	Currency        string      `json:"currency,omitempty"`
	// Text is a word to the drivers; it is shown, not matched.
	Text string `json:"text,omitempty"`
}

// DecodeWish parses and validates a wish body.
func DecodeWish(b []byte) (Wish, error) {
	var w Wish
	if err := decodeBody(b, &w); err != nil {
		return w, err
	}
	return w, w.Validate()
}

// Validate checks every field of a wish.
func (w *Wish) Validate() error {
	switch {
	case w.Stay != nil && w.Ride != nil:
		return bodyError("stay", "a wish is a stay or a ride, not both")
	case w.Stay != nil:
		return w.Stay.Validate()
	case w.Ride != nil:
		return w.Ride.Validate()
	}
	return bodyError("stay", "missing; give a stay (area, dates, guests) or a ride (from, to, time window, seats)")
}

// prefixed names a field of a part of the wish: "stay.from".
func prefixed(part string, err error) error {
	if re, ok := err.(*RejectError); ok && re.Field != "" {
		c := *re
		c.Field = part + "." + re.Field
		return &c
	}
	return err
}

// Validate checks every field of a stay wish.
func (s *StayWish) Validate() error { return prefixed("stay", s.validate()) }

func (s *StayWish) validate() error {
	switch {
	case s.BBox != nil && s.Centre != nil:
		return bodyError("bbox", "give the area as a bbox or as a centre and radius_km, not both")
	case s.BBox != nil:
		b := s.BBox
		for i, lon := range []float64{b[0], b[2]} {
			if err := CheckCoordinate(0, lon); err != nil {
				return &RejectError{Reason: ReasonBadCoordinate, Field: fmt.Sprintf("bbox[%d]", 2*i), Detail: err.(*RejectError).Detail}
			}
		}
		for i, lat := range []float64{b[1], b[3]} {
			if err := CheckCoordinate(lat, 0); err != nil {
				return &RejectError{Reason: ReasonBadCoordinate, Field: fmt.Sprintf("bbox[%d]", 2*i+1), Detail: err.(*RejectError).Detail}
			}
		}
		if b[0] > b[2] || b[1] > b[3] {
			return bodyError("bbox", "minimum greater than maximum; the order is min lon, min lat, max lon, max lat")
		}
		if s.RadiusKm != 0 {
			return bodyError("radius_km", "goes with centre, not with bbox")
		}
	case s.Centre != nil:
		if err := CheckCoordinate(s.Centre[1], s.Centre[0]); err != nil {
			return &RejectError{Reason: ReasonBadCoordinate, Field: "centre", Detail: err.(*RejectError).Detail}
		}
		if math.IsNaN(s.RadiusKm) || s.RadiusKm <= 0 || s.RadiusKm > MaxWishRadiusKm {
			return bodyError("radius_km", "%v is not above 0 and at most %v", s.RadiusKm, MaxWishRadiusKm)
		}
	default:
		return bodyError("bbox", "missing; give the area as a bbox [min lon, min lat, max lon, max lat] or a centre [lon, lat] and radius_km")
	}
	from, err := DayStart(s.From)
	if err != nil {
		return bodyError("from", "%v", err)
	}
	to, err := DayStart(s.To)
	if err != nil {
		return bodyError("to", "%v", err)
	}
	if !to.After(from) {
		return bodyError("to", "%s is not after from %s", s.To, s.From)
	}
	if nights := int(to.Sub(from) / (24 * time.Hour)); nights > MaxNights {
		return bodyError("to", "%d nights, at most %d", nights, MaxNights)
	}
	if s.Guests < 1 || s.Guests > MaxGuests {
		return bodyError("guests", "%d is not between 1 and %d", s.Guests, MaxGuests)
	}
	if err := checkBudget("max_price_per_night", s.MaxPricePerNight, s.Currency); err != nil {
		return err
	}
	if err := checkTags("amenities", s.Amenities, MaxAmenities); err != nil {
		return err
	}
	return checkText("text", s.Text, 0, MaxWishText)
}

// checkBudget checks a maximum price and its currency: a price needs a
// currency; no price (0) takes none.
func checkBudget(field string, price float64, currency string) error {
	if err := checkPrice(field, price); err != nil {
		return err
	}
	if price == 0 {
		if currency != "" {
			return bodyError("currency", "goes with %s; leave both out for any price", field)
		}
		return nil
	}
	return CheckCurrency(currency)
}

// Validate checks every field of a ride wish.
func (r *RideWish) Validate() error { return prefixed("ride", r.validate()) }

func (r *RideWish) validate() error {
	for _, p := range []struct {
		name string
		at   *[2]float64
	}{{"from", r.From}, {"to", r.To}} {
		if p.at == nil {
			return bodyError(p.name, "missing; give the point as [lon, lat]")
		}
		if err := CheckCoordinate(p.at[1], p.at[0]); err != nil {
			return &RejectError{Reason: ReasonBadCoordinate, Field: p.name, Detail: err.(*RejectError).Detail}
		}
	}
	if math.IsNaN(r.RadiusKm) || r.RadiusKm < 0 || r.RadiusKm > MaxRadiusKm {
		return bodyError("radius_km", "%v is not between 0 (automatic) and %v", r.RadiusKm, MaxRadiusKm)
	}
	if r.DepartAfter.IsZero() {
		return bodyError("depart_after", "missing; give the earliest departure in RFC 3339, like 2026-12-01T08:00:00+01:00")
	}
	if r.DepartBefore.IsZero() {
		return bodyError("depart_before", "missing; give the latest departure in RFC 3339, like 2026-12-01T12:00:00+01:00")
	}
	if !r.DepartBefore.After(r.DepartAfter) {
		return bodyError("depart_before", "%s is not after depart_after %s", r.DepartBefore.Format(time.RFC3339), r.DepartAfter.Format(time.RFC3339))
	}
	if w := r.DepartBefore.Sub(r.DepartAfter); w > MaxWishWindow {
		return bodyError("depart_before", "a window of %v, at most %v", w.Round(time.Minute), MaxWishWindow)
	}
	if r.Seats < 1 || r.Seats > MaxSeats {
		return bodyError("seats", "%d is not between 1 and %d", r.Seats, MaxSeats)
	}
	if err := checkBudget("max_price_per_seat", r.MaxPricePerSeat, r.Currency); err != nil {
		return err
	}
	return checkText("text", r.Text, 0, MaxWishText)
}

// End is when a valid wish is over: the check-out day of a stay (00:00
// UTC), the end of a ride's window.
func (w *Wish) End() time.Time {
	if w.Stay != nil {
		t, _ := DayStart(w.Stay.To)
		return t
	}
	return w.Ride.DepartBefore
}

// Area is the stay's area as lon/lat boxes: the bbox, or boxes that hold
// the circle around the centre (two when it crosses the antimeridian).
func (s *StayWish) Area() []orb.Bound {
	if s.BBox != nil {
		b := s.BBox
		return []orb.Bound{{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}}
	}
	return BoundsAround(orb.Point(*s.Centre), s.RadiusKm)
}

// Contains reports whether a point is in the stay's area.
func (s *StayWish) Contains(p orb.Point) bool {
	if s.BBox != nil {
		return s.Area()[0].Contains(p)
	}
	return geo.DistanceHaversine(orb.Point(*s.Centre), p)/1000 <= s.RadiusKm
}

// Query is the ride search a ride wish stands for.
func (r *RideWish) Query() RideQuery {
	return RideQuery{
		Pickup: orb.Point(*r.From), Dropoff: orb.Point(*r.To), RadiusKm: r.RadiusKm,
		After: r.DepartAfter, Before: r.DepartBefore, Seats: r.Seats,
	}
}

// PickupArea are the boxes that hold every pickup point a ride may pass
// near to serve the wish (the query's search radius around From).
func (r *RideWish) PickupArea() []orb.Bound {
	q := r.Query()
	return BoundsAround(q.Pickup, q.SearchRadiusKm())
}

// IndexBound is one box that holds the boxes of an area: their box, or
// every longitude when they straddle the antimeridian. A wish's index row.
func IndexBound(bs []orb.Bound) orb.Bound {
	if len(bs) == 1 {
		return bs[0]
	}
	b := bs[0]
	for _, x := range bs[1:] {
		b = b.Union(x)
	}
	b.Min[0], b.Max[0] = -180, 180
	return b
}

// Cells are the topic cells a valid wish belongs to, sorted: the cells of a
// stay's area, or of the areas around a ride's from and to points.
func (w *Wish) Cells() []string {
	var boxes []orb.Bound
	if w.Stay != nil {
		boxes = w.Stay.Area()
	} else {
		q := w.Ride.Query()
		km := q.RadiusKm
		if km == 0 {
			km = DefaultRadiusKm
		}
		boxes = append(BoundsAround(q.Pickup, km), BoundsAround(q.Dropoff, km)...)
	}
	var cells []string
	for _, b := range boxes {
		cells = append(cells, BoundCells(b)...)
	}
	slices.Sort(cells)
	return slices.Compact(cells)
}

// NewWishRecord signs a new wish. It expires when the wish is over; a wish
// whose dates are past, or too far ahead, is refused.
func (id *Identity) NewWishRecord(w Wish, now time.Time) (Record, error) {
	if err := w.Validate(); err != nil {
		return Record{}, err
	}
	end := w.End()
	if !end.After(now) {
		field := "stay.to"
		if w.Ride != nil {
			field = "ride.depart_before"
		}
		return Record{}, bodyError(field, "%s is in the past", end.UTC().Format(time.RFC3339))
	}
	if end.After(now.Add(WishLifetime)) {
		return Record{}, Reject(ReasonBadExpiry, "the wish ends %s; a wish reaches at most %v ahead", end.UTC().Format(DateLayout), WishLifetime)
	}
	cells := w.Cells()
	if len(cells) > MaxCells {
		return Record{}, Reject(ReasonBadCells, "the area covers %d cells, at most %d: make it smaller", len(cells), MaxCells)
	}
	return id.newRecord(KindWish, w, cells, nil, now, end)
}

// validateWish checks a wish record against its body: it expires no later
// than the wish is over, and its cells are the wish's.
func validateWish(r *Record, w *Wish) error {
	if r.ExpiresAt > w.End().UnixMilli() {
		return Reject(ReasonBadExpiry, "a wish expires when it is over, %s", w.End().UTC().Format(time.RFC3339))
	}
	want := w.Cells()
	if len(want) > MaxCells {
		return Reject(ReasonBadCells, "the area covers %d cells, at most %d", len(want), MaxCells)
	}
	if !slices.Equal(r.Cells, want) {
		return Reject(ReasonBadCells, "cells %v, the wish's area gives %v", r.Cells, want)
	}
	return nil
}

// WishMiss says why a listing does not fit a wish; "" when it does.
type WishMiss string

// The reasons a room does not fit a stay wish (a ride's are MissReason).
const (
	MissArea      WishMiss = "the room is outside the wished area"
	MissDates     WishMiss = "the room is booked on some of the dates"
	MissGuests    WishMiss = "the room takes fewer guests"
	MissPrice     WishMiss = "the price is above the budget"
	MissCurrency  WishMiss = "the price is in another currency than the budget"
	MissAmenities WishMiss = "the room lacks a wished amenity"
	MissKind      WishMiss = "a room fits a stay and a ride a ride wish"
)

// RoomFitsStay reports whether a room fits a stay wish: inside the area,
// free on the wished nights per its calendar's blocked ranges, enough
// guests, the price within the budget (in the budget's currency) and every
// wished amenity (compared without regard to case).
func RoomFitsStay(s *StayWish, room *Room, blocked []DateRange) (bool, WishMiss) {
	if !s.Contains(room.Point()) {
		return false, MissArea
	}
	if room.MaxGuests < s.Guests {
		return false, MissGuests
	}
	if miss := withinBudget(s.MaxPricePerNight, s.Currency, room.PricePerNight, room.Currency); miss != "" {
		return false, miss
	}
	for _, a := range s.Amenities {
		if !slices.ContainsFunc(room.Amenities, func(b string) bool { return strings.EqualFold(a, b) }) {
			return false, MissAmenities
		}
	}
	for _, b := range blocked {
		if Overlaps(b.From, b.To, s.From, s.To) {
			return false, MissDates
		}
	}
	return true, ""
}

// RideFitsWish reports whether a ride fits a ride wish: the along-route
// rules of MatchRide accept the wish's from, to, window and seats, and the
// price per seat is within the budget.
func RideFitsWish(w *RideWish, ride *Ride) (RideMatch, bool, WishMiss) {
	m, ok, miss := MatchRide(ride, w.Query())
	if !ok {
		return RideMatch{}, false, WishMiss(miss)
	}
	if miss := withinBudget(w.MaxPricePerSeat, w.Currency, ride.PricePerSeat, ride.Currency); miss != "" {
		return RideMatch{}, false, miss
	}
	return m, true, ""
}

// ListingFitsWish is RoomFitsStay or RideFitsWish by the listing's kind: a
// *Room (with its blocked ranges) or a *Ride.
func ListingFitsWish(w *Wish, listing any, blocked []DateRange) (bool, WishMiss) {
	switch l := listing.(type) {
	case *Room:
		if w.Stay != nil {
			return RoomFitsStay(w.Stay, l, blocked)
		}
	case *Ride:
		if w.Ride != nil {
			_, ok, miss := RideFitsWish(w.Ride, l)
			return ok, miss
		}
	}
	return false, MissKind
}

func withinBudget(max float64, currency string, price float64, priceCurrency string) WishMiss {
	switch {
	case max == 0:
		return ""
	case currency != priceCurrency:
		return MissCurrency
	case price > max:
		return MissPrice
	}
	return ""
}

// MessageWishOffer is the kind of the private message in which an owner
// answers a wish with one of its listings; its body is a WishOffer.
const MessageWishOffer = "wish/offer"

// WishOffer is an owner's answer to a wish: one of its listings, what the
// wished dates or seats would cost there (the booking is priced from the
// listing again when the renter accepts), a note, and the listing record
// itself when it fits in the message, so the renter can book it even if the
// listing has not reached it by gossip yet.
type WishOffer struct {
	WishID      string  `json:"wish_id"`
	ListingID   string  `json:"listing_id"`
	ListingKind Kind    `json:"listing_kind"`
	Title       string  `json:"title"`
	TotalPrice  float64 `json:"total_price"`
	Currency    string  `json:"currency"`
	Note        string  `json:"note,omitempty"`
	Listing     *Record `json:"listing,omitempty"`
}

// DecodeWishOffer parses an offer sent by author and checks every field,
// and the signature of the listing it carries, which must be author's.
func DecodeWishOffer(b []byte, author string) (WishOffer, error) {
	var o WishOffer
	if err := decodeBody(b, &o); err != nil {
		return o, err
	}
	return o, o.Validate(author)
}

// Validate checks an offer sent by author.
func (o *WishOffer) Validate(author string) error {
	if err := checkUUIDv7(o.WishID); err != nil {
		return bodyError("wish_id", "%v", err)
	}
	if err := checkUUIDv7(o.ListingID); err != nil {
		return bodyError("listing_id", "%v", err)
	}
	if o.ListingKind != KindRoom && o.ListingKind != KindRide {
		return bodyError("listing_kind", "%q: a room or a ride is offered", o.ListingKind)
	}
	if err := checkText("title", o.Title, 1, MaxTitle); err != nil {
		return err
	}
	if err := checkPrice("total_price", o.TotalPrice); err != nil {
		return err
	}
	if err := CheckCurrency(o.Currency); err != nil {
		return err
	}
	if err := checkText("note", o.Note, 0, MaxReason); err != nil {
		return err
	}
	if l := o.Listing; l != nil {
		if l.ID != o.ListingID || l.Kind != o.ListingKind || l.Author != author {
			return bodyError("listing", "the record is not %s %s of %s", o.ListingKind, o.ListingID, author)
		}
		if err := VerifySignature(l); err != nil {
			return prefixed("listing", err)
		}
	}
	return nil
}
