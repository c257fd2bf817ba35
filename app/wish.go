package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/storage"
)

// Wishes, so owners find renters too: a renter publishes a wish (a stay or a
// ride need) as a signed public record; an owner's app finds the wishes its
// listings fit and the owner answers one with an offer, a private message to
// the wish's author; the renter accepts an offer as an ordinary booking
// request.

// Wish is what a renter wishes for: exactly one of Stay and Ride.
type Wish = domain.Wish

// StayWish is a place to stay wanted.
type StayWish = domain.StayWish

// RideWish is a ride wanted.
type RideWish = domain.RideWish

// KindWish is the record kind of wishes, as events name it.
const KindWish = domain.KindWish

// WishView is a wish as the screens and the CLI show it.
type WishView struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"`
	Version   uint64    `json:"version"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Mine      bool      `json:"-"`
	Wish
}

// WishFit is a wish one of the user's listings fits.
type WishFit struct {
	WishView
	// For a ride: how the ride serves the wish.
	DetourKm *float64  `json:"detour_km,omitempty"`
	PickupAt time.Time `json:"pickup_at,omitzero"`
	// Offered says the user already offered this listing for the wish.
	Offered bool `json:"offered"`
}

// MyWish is one of the user's wishes with the offers it received.
type MyWish struct {
	WishView
	Offers []OfferView `json:"offers"`
}

// OfferView is an offer answering a wish, sent or received.
type OfferView struct {
	ID          string      `json:"id"`
	WishID      string      `json:"wish_id"`
	ListingID   string      `json:"listing_id"`
	ListingKind domain.Kind `json:"listing_kind"`
	Title       string      `json:"title"`
	Owner       string      `json:"owner"`
	Renter      string      `json:"renter"`
	Outgoing    bool        `json:"outgoing"`
	SentAt      time.Time   `json:"sent_at"`
	TotalPrice  float64     `json:"total_price"`
	Currency    string      `json:"currency"`
	Note        string      `json:"note,omitempty"`
	// BookingID is the booking request the offer became once accepted.
	BookingID string `json:"booking_id,omitempty"`
}

// OfferInput is an owner's answer to a wish.
type OfferInput struct {
	WishID    string
	ListingID string // one of the user's rooms or rides that fits the wish
	Note      string // a word to the renter
}

func (n *Node) wishView(h storage.WishHit) WishView {
	return WishView{ID: h.ID, Author: h.Author, Version: h.Version, IssuedAt: h.IssuedAt.UTC(),
		ExpiresAt: h.ExpiresAt.UTC(), Mine: h.Author == n.Self(), Wish: h.Wish}
}

// PostWish signs a wish, stores it and queues it for publishing, like
// PostRoom. It expires when its dates are over. Bad input comes back as an
// *InputError naming the field.
func (n *Node) PostWish(ctx context.Context, w Wish) (string, error) {
	rec, err := n.id.NewWishRecord(w, n.now())
	if err != nil {
		return "", err
	}
	return rec.ID, n.postOwn(ctx, rec)
}

// DeleteWish withdraws one of the user's wishes: a tombstone replaces it
// here and, once published, everywhere.
func (n *Node) DeleteWish(ctx context.Context, id string) error {
	rec, err := n.wishRecord(ctx, id)
	if err != nil {
		return err
	}
	if rec.Author != n.Self() {
		return &InputError{Reason: domain.ReasonNotOwner, Field: "wish", Detail: "this is not your wish"}
	}
	tomb, err := n.id.NewTombstone(rec, n.now())
	if err != nil {
		return err
	}
	return n.postOwn(ctx, tomb)
}

// wishRecord loads a live wish record.
func (n *Node) wishRecord(ctx context.Context, id string) (domain.Record, error) {
	rec, err := n.store.Record(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return rec, &InputError{Reason: domain.ReasonBadBody, Field: "wish", Detail: fmt.Sprintf("no wish %s is known here", id)}
	}
	if err != nil {
		return rec, err
	}
	if rec.Kind != domain.KindWish {
		return rec, &InputError{Reason: domain.ReasonBadBody, Field: "wish", Detail: fmt.Sprintf("%s is a %s, not a wish", id, rec.Kind)}
	}
	if rec.ExpiresAt <= n.now().UnixMilli() {
		return rec, &InputError{Reason: domain.ReasonBadBody, Field: "wish", Detail: fmt.Sprintf("wish %s is over", id)}
	}
	return rec, nil
}

// Wishes lists the wishes that one of the user's rooms or rides fits (the
// matching of search run the other way): stays newest first, ride wishes
// best served first. Wishes of blocked people are left out.
func (n *Node) Wishes(ctx context.Context, forListingID string) ([]WishFit, error) {
	rec, _, err := n.ownListing(ctx, forListingID)
	if err != nil {
		return nil, err
	}
	hits, err := n.store.WishesFor(ctx, rec, n.now())
	if err != nil {
		return nil, err
	}
	offered, err := n.offeredFor(ctx, forListingID)
	if err != nil {
		return nil, err
	}
	out := make([]WishFit, len(hits))
	for i, h := range hits {
		out[i] = WishFit{WishView: n.wishView(h), Offered: offered[h.ID]}
		if m := h.Match; m != nil {
			d := round3(m.DetourKm)
			out[i].DetourKm, out[i].PickupAt = &d, m.PickupAt.Truncate(time.Second).UTC()
		}
	}
	_, err = hideBlocked(ctx, n, &out, func(w *WishFit) string { return w.Author })
	return out, err
}

// offeredFor returns the wishes the user offered a listing for.
func (n *Node) offeredFor(ctx context.Context, listingID string) (map[string]bool, error) {
	yes := true
	os, err := n.store.Offers(ctx, storage.OfferFilter{Outgoing: &yes})
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, o := range os {
		if o.ListingID == listingID {
			m[o.WishID] = true
		}
	}
	return m, nil
}

// MyWishes lists the user's live wishes, newest first, each with the offers
// it received.
func (n *Node) MyWishes(ctx context.Context) ([]MyWish, error) {
	hits, err := n.store.WishesBy(ctx, n.Self(), n.now())
	if err != nil {
		return nil, err
	}
	out := make([]MyWish, len(hits))
	for i, h := range hits {
		out[i].WishView = n.wishView(h)
		if out[i].Offers, err = n.Offers(ctx, h.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Offers lists the offers the user received, for one wish or (wishID "")
// for all, newest first. Offers from blocked people are left out.
func (n *Node) Offers(ctx context.Context, wishID string) ([]OfferView, error) {
	no := false
	os, err := n.store.Offers(ctx, storage.OfferFilter{WishID: wishID, Outgoing: &no})
	if err != nil {
		return nil, err
	}
	out := make([]OfferView, 0, len(os))
	for _, o := range os {
		v, err := offerView(o)
		if err != nil {
			n.log.Warn("kept offer unreadable", "id", o.ID, "err", err)
			continue
		}
		out = append(out, v)
	}
	_, err = hideBlocked(ctx, n, &out, func(o *OfferView) string { return o.Owner })
	return out, err
}

func offerView(o storage.Offer) (OfferView, error) {
	var b domain.WishOffer
	if err := json.Unmarshal(o.Body, &b); err != nil {
		return OfferView{}, fmt.Errorf("offer %s: %w", o.ID, err)
	}
	return OfferView{
		ID: o.ID, WishID: o.WishID, ListingID: o.ListingID, ListingKind: b.ListingKind, Title: b.Title,
		Owner: o.Owner, Renter: o.Renter, Outgoing: o.Outgoing, SentAt: o.SentAt.UTC(),
		TotalPrice: b.TotalPrice, Currency: b.Currency, Note: b.Note, BookingID: o.BookingID,
	}, nil
}

// maxOfferedListing is the largest listing record an offer carries along;
// a larger one (a long route) the renter gets by gossip.
const maxOfferedListing = 16 << 10

// Offer answers a wish with one of the user's listings that fits it: a
// private, signed and sealed message to the wish's author, sent like every
// message (SendMessage), with what the wished dates or seats cost there.
// Bad input comes back as an *InputError.
func (n *Node) Offer(ctx context.Context, in OfferInput) (OfferView, error) {
	wrec, err := n.wishRecord(ctx, in.WishID)
	if err != nil {
		return OfferView{}, err
	}
	if wrec.Author == n.Self() {
		return OfferView{}, &InputError{Reason: domain.ReasonBadBody, Field: "wish", Detail: "this is your own wish"}
	}
	if n.refuses(ctx, wrec.Author) {
		return OfferView{}, &InputError{Reason: domain.ReasonBadBody, Field: "wish", Detail: "you blocked its author; unblock them first"}
	}
	body, err := domain.DecodeBody(&wrec)
	if err != nil {
		return OfferView{}, err
	}
	w := body.(*domain.Wish)
	lrec, lbody, err := n.ownListing(ctx, in.ListingID)
	if err != nil {
		return OfferView{}, err
	}
	blocked, err := n.blockedDays(ctx, lrec)
	if err != nil {
		return OfferView{}, err
	}
	if ok, miss := domain.ListingFitsWish(w, lbody, blocked); !ok {
		return OfferView{}, &InputError{Reason: domain.ReasonBadBody, Field: "listing", Detail: fmt.Sprintf("it does not fit the wish: %s", miss)}
	}
	offer := domain.WishOffer{WishID: wrec.ID, ListingID: lrec.ID, ListingKind: lrec.Kind, Note: in.Note}
	switch l := lbody.(type) {
	case *domain.Room:
		from, _ := domain.DayStart(w.Stay.From)
		to, _ := domain.DayStart(w.Stay.To)
		offer.Title, offer.Currency = l.Title, l.Currency
		offer.TotalPrice = domain.RoomTotal(l.PricePerNight, int(to.Sub(from)/(24*time.Hour)))
	case *domain.Ride:
		offer.Title, offer.Currency = l.Title, l.Currency
		offer.TotalPrice = domain.RideTotal(l.PricePerSeat, w.Ride.Seats)
	}
	if raw, err := lrec.Encode(); err == nil && len(raw) <= maxOfferedListing {
		offer.Listing = &lrec
	}
	if err := offer.Validate(n.Self()); err != nil {
		return OfferView{}, err
	}
	msg, err := json.Marshal(offer)
	if err != nil {
		return OfferView{}, fmt.Errorf("encode offer: %w", err)
	}
	id, err := n.SendMessage(ctx, wrec.Author, domain.MessageWishOffer, msg)
	if err != nil {
		return OfferView{}, fmt.Errorf("send offer: %w", err)
	}
	o := storage.Offer{ID: id, WishID: wrec.ID, ListingID: lrec.ID, Owner: n.Self(), Renter: wrec.Author,
		Outgoing: true, SentAt: n.now(), Body: msg}
	if _, err := n.store.SaveOffer(ctx, o); err != nil {
		return OfferView{}, err
	}
	n.bus.emit(Event{Kind: OffersChanged, Peer: wrec.Author})
	return offerView(o)
}

// blockedDays are the blocked ranges of the calendar of a room record; nil
// for a ride.
func (n *Node) blockedDays(ctx context.Context, listing domain.Record) ([]domain.DateRange, error) {
	if listing.Kind != domain.KindRoom {
		return nil, nil
	}
	cal, err := n.store.CalendarOf(ctx, listing.ID, listing.Author)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := domain.DecodeCalendar(cal.Body)
	if err != nil {
		return nil, fmt.Errorf("calendar of %s: %w", listing.ID, err)
	}
	return c.Blocked, nil
}

// handleWishMessage keeps an offer received for one of the user's wishes,
// and stores the listing it carries like a record from a peer.
func (n *Node) handleWishMessage(ctx context.Context, env domain.Envelope) {
	if env.Kind != domain.MessageWishOffer {
		return
	}
	if err := n.receiveOffer(ctx, env); err != nil {
		n.log.Info("ignored an offer", "from", env.Author, "id", env.ID, "err", err)
		return
	}
	n.bus.emit(Event{Kind: OffersChanged, Peer: env.Author})
}

func (n *Node) receiveOffer(ctx context.Context, env domain.Envelope) error {
	offer, err := domain.DecodeWishOffer(env.Body, env.Author)
	if err != nil {
		return err
	}
	wrec, err := n.store.Record(ctx, offer.WishID)
	if err != nil {
		return fmt.Errorf("wish %s: %w", offer.WishID, err)
	}
	if wrec.Kind != domain.KindWish || wrec.Author != n.Self() {
		return fmt.Errorf("%s is not one of this user's wishes", offer.WishID)
	}
	if offer.Listing != nil {
		outs, err := n.store.Ingest(ctx, []domain.Record{*offer.Listing}, time.Now())
		if err != nil {
			return err
		}
		if outs[0].Status == storage.Stored {
			n.bus.recordsChanged([]domain.Kind{offer.ListingKind})
		}
	}
	_, err = n.store.SaveOffer(ctx, storage.Offer{
		ID: env.ID, WishID: offer.WishID, ListingID: offer.ListingID, Owner: env.Author, Renter: n.Self(),
		SentAt: env.Sent(), Body: env.Body,
	})
	return err
}

// AcceptOffer turns an offer the user received into an ordinary booking
// request (Book) for the wish's dates and guests, or its seats from its
// pickup to its drop-off.
func (n *Node) AcceptOffer(ctx context.Context, offerID string) (Booking, error) {
	no := false
	os, err := n.store.Offers(ctx, storage.OfferFilter{ID: offerID, Outgoing: &no})
	if err != nil {
		return Booking{}, err
	}
	if len(os) == 0 {
		return Booking{}, &InputError{Reason: domain.ReasonBadBody, Field: "offer", Detail: fmt.Sprintf("no offer %s was received here; `caravan offers` lists them", offerID)}
	}
	o := os[0]
	if o.BookingID != "" {
		return Booking{}, &InputError{Reason: domain.ReasonBadBody, Field: "offer", Detail: fmt.Sprintf("already accepted: booking %s", o.BookingID)}
	}
	wrec, err := n.wishRecord(ctx, o.WishID)
	if err != nil {
		return Booking{}, err
	}
	body, err := domain.DecodeBody(&wrec)
	if err != nil {
		return Booking{}, err
	}
	w := body.(*domain.Wish)
	var ov domain.WishOffer
	if err := json.Unmarshal(o.Body, &ov); err != nil {
		return Booking{}, fmt.Errorf("offer %s: %w", offerID, err)
	}
	in := BookingInput{ListingID: o.ListingID, Note: fmt.Sprintf("Accepting your offer %q for my wish.", ov.Title)}
	if s := w.Stay; s != nil {
		in.From, in.To, in.Guests = s.From, s.To, s.Guests
	} else {
		in.Seats, in.Pickup, in.Dropoff = w.Ride.Seats, w.Ride.From, w.Ride.To
	}
	b, err := n.Book(ctx, in)
	if err != nil {
		return Booking{}, err
	}
	if err := n.store.SetOfferBooking(ctx, o.ID, b.ID); err != nil {
		return b, err
	}
	n.bus.emit(Event{Kind: OffersChanged, Peer: o.Owner})
	return b, nil
}
