package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// Wishes (migration 0007): a derived row per current wish with its area in
// the wishes_geo R*Tree, and the private offers that answer wishes.

func init() {
	// The wish rows are written by the deriver like rooms and rides.
	mainSQL[domain.KindWish] = `INSERT INTO wishes(rid, id, author, version, issued_at, expires_at, type, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	geoSQL[domain.KindWish] = `INSERT INTO wishes_geo(id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)`
}

// The wish types, as the wishes table names them.
const (
	WishStay = "stay"
	WishRide = "ride"
)

type wishRow struct {
	wish  domain.Wish
	typ   string
	body  string
	bound orb.Bound
}

// newWishRow is the derived row of a valid wish: a stay is indexed by its
// area, a ride wish by the box a route must meet to pass near its pickup.
func newWishRow(w *domain.Wish) *wishRow {
	x := &wishRow{wish: *w, body: jsonText(w)}
	if w.Stay != nil {
		x.typ, x.bound = WishStay, domain.IndexBound(w.Stay.Area())
	} else {
		x.typ, x.bound = WishRide, domain.IndexBound(w.Ride.PickupArea())
	}
	return x
}

func (x *wishRow) main(rid int64, r *domain.Record) []any {
	return []any{rid, r.ID, r.Author, int64(r.Version), r.IssuedAt, r.ExpiresAt, x.typ, x.body}
}

func (x *wishRow) geo(rid int64) []any {
	return []any{rid, x.bound.Min.Lon(), x.bound.Max.Lon(), x.bound.Min.Lat(), x.bound.Max.Lat()}
}

func (x *wishRow) text(int64) []any { return nil }

// WishHit is a current wish as stored.
type WishHit struct {
	ID        string
	Author    string
	Version   uint64
	IssuedAt  time.Time
	ExpiresAt time.Time
	Wish      domain.Wish
	// Match is how a ride serves the wish, for WishesFor a ride.
	Match *domain.RideMatch
}

const wishColumns = `w.id, w.author, w.version, w.issued_at, w.expires_at, w.body`

func scanWishes(rows *sql.Rows) ([]WishHit, error) {
	defer rows.Close()
	var out []WishHit
	for rows.Next() {
		var h WishHit
		var version, issued, expires int64
		var body string
		if err := rows.Scan(&h.ID, &h.Author, &version, &issued, &expires, &body); err != nil {
			return nil, err
		}
		w, err := domain.DecodeWish([]byte(body))
		if err != nil {
			return nil, fmt.Errorf("wish %s: %w", h.ID, err)
		}
		h.Version, h.IssuedAt, h.ExpiresAt, h.Wish = uint64(version), time.UnixMilli(issued), time.UnixMilli(expires), w
		out = append(out, h)
	}
	return out, rows.Err()
}

// WishesBy returns author's current wishes that have not expired at now
// (zero: the store's clock), newest first.
func (s *Store) WishesBy(ctx context.Context, author string, now time.Time) ([]WishHit, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+wishColumns+` FROM wishes w
		WHERE w.author = ? AND w.expires_at > ? ORDER BY w.issued_at DESC, w.id`, author, s.nowMs(now))
	if err != nil {
		return nil, fmt.Errorf("wishes of %s: %w", author, err)
	}
	hits, err := scanWishes(rows)
	if err != nil {
		return nil, fmt.Errorf("wishes of %s: %w", author, err)
	}
	return hits, nil
}

// WishesFor returns the current wishes, by others than the listing's
// author, that a room or ride record fits (domain.ListingFitsWish):
// candidates from the R*Tree of wish areas, then the exact domain check.
// A room is checked against its author's current calendar. Stays come
// newest first; ride wishes best served first (domain.RideMatch.Compare).
func (s *Store) WishesFor(ctx context.Context, listing domain.Record, now time.Time) ([]WishHit, error) {
	body, err := domain.DecodeBody(&listing)
	if err != nil {
		return nil, fmt.Errorf("wishes for %s: %w", listing.ID, err)
	}
	var (
		typ     string
		boxes   []orb.Bound
		blocked []domain.DateRange
	)
	switch l := body.(type) {
	case *domain.Room:
		typ, boxes = WishStay, []orb.Bound{{Min: l.Point(), Max: l.Point()}}
		cal, err := s.CalendarOf(ctx, listing.ID, listing.Author)
		switch {
		case err == nil:
			c, err := domain.DecodeCalendar(cal.Body)
			if err != nil {
				return nil, fmt.Errorf("wishes for %s: calendar: %w", listing.ID, err)
			}
			blocked = c.Blocked
		case !errors.Is(err, ErrNotFound):
			return nil, fmt.Errorf("wishes for %s: %w", listing.ID, err)
		}
	case *domain.Ride:
		typ, boxes = WishRide, domain.RouteLegs(l.LineString())
	default:
		return nil, fmt.Errorf("wishes for %s: a %s is not a room or a ride", listing.ID, listing.Kind)
	}
	rids, err := s.wishCandidates(ctx, boxes)
	if err != nil {
		return nil, fmt.Errorf("wishes for %s: %w", listing.ID, err)
	}
	if len(rids) == 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+wishColumns+` FROM wishes w
		WHERE w.rid IN (SELECT value FROM json_each(?)) AND w.type = ? AND w.expires_at > ? AND w.author != ?
		ORDER BY w.issued_at DESC, w.id`, jsonText(rids), typ, s.nowMs(now), listing.Author)
	if err != nil {
		return nil, fmt.Errorf("wishes for %s: %w", listing.ID, err)
	}
	cands, err := scanWishes(rows)
	if err != nil {
		return nil, fmt.Errorf("wishes for %s: %w", listing.ID, err)
	}
	var hits []WishHit
	for _, h := range cands {
		switch l := body.(type) {
		case *domain.Room:
			if ok, _ := domain.RoomFitsStay(h.Wish.Stay, l, blocked); ok {
				hits = append(hits, h)
			}
		case *domain.Ride:
			if m, ok, _ := domain.RideFitsWish(h.Wish.Ride, l); ok {
				h.Match = &m
				hits = append(hits, h)
			}
		}
	}
	if typ == WishRide {
		slices.SortStableFunc(hits, func(a, b WishHit) int {
			if c := a.Match.Compare(*b.Match); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	return hits, nil
}

// wishCandidates returns the rids of wishes whose indexed box meets one of
// boxes, sorted and distinct.
func (s *Store) wishCandidates(ctx context.Context, boxes []orb.Bound) ([]int64, error) {
	st, err := s.r.PrepareContext(ctx, `SELECT id FROM wishes_geo WHERE max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var rids []int64
	for _, b := range boxes {
		rows, err := st.QueryContext(ctx, boxArgs(b)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var rid int64
			if err := rows.Scan(&rid); err != nil {
				rows.Close()
				return nil, err
			}
			rids = append(rids, rid)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	slices.Sort(rids)
	return slices.Compact(rids), nil
}

// Offer is an owner's offer answering a wish, as kept on either side.
type Offer struct {
	ID        string // the id of the message that carried it
	WishID    string
	ListingID string
	Owner     string
	Renter    string
	Outgoing  bool // this user made it
	SentAt    time.Time
	Body      []byte // the offer as sent, JSON
	BookingID string // the booking request it became, once accepted
}

// SaveOffer keeps an offer; it reports false when one with its id is
// already kept.
func (s *Store) SaveOffer(ctx context.Context, o Offer) (bool, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO offers(id, wish_id, listing_id, owner, renter, outgoing, sent_at, body, booking_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''))`,
			o.ID, o.WishID, o.ListingID, o.Owner, o.Renter, o.Outgoing, o.SentAt.UnixMilli(), o.Body, o.BookingID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("keep offer %s: %w", o.ID, err)
	}
	return n == 1, nil
}

// SetOfferBooking records the booking request an offer became.
func (s *Store) SetOfferBooking(ctx context.Context, offerID, bookingID string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE offers SET booking_id = ? WHERE id = ?`, bookingID, offerID)
		return err
	})
	if err != nil {
		return fmt.Errorf("offer %s: %w", offerID, err)
	}
	return nil
}

// OfferFilter selects offers; the zero value selects all.
type OfferFilter struct {
	ID     string // one offer
	WishID string // the offers answering one wish
	// Outgoing selects the offers this user made (true) or received (false);
	// nil selects both.
	Outgoing *bool
}

// Offers returns the kept offers that f selects, newest first.
func (s *Store) Offers(ctx context.Context, f OfferFilter) ([]Offer, error) {
	var w query
	if f.ID != "" {
		w.and(`id = ?`, f.ID)
	}
	if f.WishID != "" {
		w.and(`wish_id = ?`, f.WishID)
	}
	if f.Outgoing != nil {
		w.and(`outgoing = ?`, *f.Outgoing)
	}
	stmt, args := w.sql(`SELECT id, wish_id, listing_id, owner, renter, outgoing, sent_at, body, coalesce(booking_id, '') FROM offers`,
		`sent_at DESC, id`, 0, 0)
	rows, err := s.r.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("list offers: %w", err)
	}
	defer rows.Close()
	var out []Offer
	for rows.Next() {
		var o Offer
		var sent int64
		if err := rows.Scan(&o.ID, &o.WishID, &o.ListingID, &o.Owner, &o.Renter, &o.Outgoing, &sent, &o.Body, &o.BookingID); err != nil {
			return nil, fmt.Errorf("list offers: %w", err)
		}
		o.SentAt = time.UnixMilli(sent)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list offers: %w", err)
	}
	return out, nil
}
