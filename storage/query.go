package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// Record returns the stored version of id (a tombstone if it was deleted),
// expired or not, or ErrNotFound.
func (s *Store) Record(ctx context.Context, id string) (domain.Record, error) {
	var raw []byte
	err := s.r.QueryRowContext(ctx, `SELECT raw FROM records WHERE id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Record{}, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return domain.Record{}, fmt.Errorf("record %s: %w", id, err)
	}
	return decodeRaw(raw)
}

// decodeRaw parses a stored record.
func decodeRaw(raw []byte) (domain.Record, error) {
	r, err := domain.DecodeRecord(raw)
	if err != nil {
		return r, fmt.Errorf("decode stored record: %w", err)
	}
	return r, nil
}

// Count is the number of stored records: current versions, tombstones included.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM records`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return n, nil
}

// CountByKind is Count per kind; kinds with no records are absent.
func (s *Store) CountByKind(ctx context.Context) (map[domain.Kind]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, count(*) FROM records GROUP BY kind`)
	if err != nil {
		return nil, fmt.Errorf("count records by kind: %w", err)
	}
	defer rows.Close()
	out := map[domain.Kind]int{}
	for rows.Next() {
		var k domain.Kind
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("count records by kind: %w", err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count records by kind: %w", err)
	}
	return out, nil
}

// RoomQuery selects rooms. Zero fields do not filter.
type RoomQuery struct {
	Bound     *orb.Bound // rooms located inside; nil for everywhere
	From, To  string     // YYYY-MM-DD: no blocked day in [From, To); both or neither
	Guests    int        // at least this many guests
	MinPrice  float64    // price per night at least this
	MaxPrice  float64    // price per night at most this
	Currency  string     // priced in this ISO 4217 currency
	Amenities []string   // has all of these (case-insensitive)
	Text      string     // words in the title or description (each word a prefix)
	Author    string     // published by this peer ID
	Order     RoomOrder  // how hits are sorted
	Limit     int        // at most this many hits; 0 for all
	Offset    int        // skip this many hits
	Now       time.Time  // rooms expired at Now are left out; zero for the store's clock
	// CountCap is how many matching rooms FindRooms counts exactly (when
	// it pages): beyond it the total says "more" (RoomPage.TotalCapped).
	// 0 for DefaultCountCap.
	CountCap int
}

// DefaultCountCap is how many matching rooms FindRooms counts exactly. A
// view that holds more gets "1,000+ rooms — zoom in", as map searches say:
// an exact count of tens of thousands of rooms would cost more than the
// page itself, and tells a person nothing more.
const DefaultCountCap = 1000

// countCap is q.CountCap or its default.
func (q *RoomQuery) countCap() int {
	if q.CountCap > 0 {
		return q.CountCap
	}
	return DefaultCountCap
}

// RoomOrder is how room hits are sorted.
type RoomOrder int

// The room orders.
const (
	// OrderAuto ranks when the query has a Bound (OrderRanked), and lists
	// newest first otherwise (OrderNewest).
	OrderAuto RoomOrder = iota
	// OrderNewest lists the most recently issued first.
	OrderNewest
	// OrderRanked ranks by domain.RoomRank around the centre of the Bound
	// (nearer, better rated, cheaper first); without a Bound, newest first.
	OrderRanked
)

// ranked reports whether q's hits are ranked around its Bound's centre.
func (q *RoomQuery) ranked() bool {
	return q.Bound != nil && q.Order != OrderNewest
}

// validate reports a query that makes no sense, with what to change.
func (q *RoomQuery) validate() error {
	if q.Bound != nil {
		if err := domain.CheckBound(*q.Bound); err != nil {
			return err
		}
	}
	switch {
	case q.Guests < 0:
		return fmt.Errorf("guests %d: give 0 (any) or more", q.Guests)
	case math.IsNaN(q.MinPrice) || math.IsNaN(q.MaxPrice) || q.MinPrice < 0 || q.MaxPrice < 0:
		return fmt.Errorf("price range %v to %v: prices are numbers of 0 or more", q.MinPrice, q.MaxPrice)
	case q.MaxPrice > 0 && q.MinPrice > q.MaxPrice:
		return fmt.Errorf("price range: minimum %v is above maximum %v", q.MinPrice, q.MaxPrice)
	case q.Limit < 0 || q.Offset < 0:
		return fmt.Errorf("limit %d offset %d: give 0 or more", q.Limit, q.Offset)
	case q.CountCap < 0:
		return fmt.Errorf("count cap %d: give 0 (the default) or more", q.CountCap)
	case q.Order < OrderAuto || q.Order > OrderRanked:
		return fmt.Errorf("unknown room order %d", q.Order)
	}
	return nil
}

// RoomHit is a room found by SearchRooms.
type RoomHit struct {
	ID       string
	Author   string
	Version  uint64
	IssuedAt time.Time
	domain.Room
	// Rank is the room's sort key when the hits are ranked around a view.
	Rank *domain.RoomRank
}

// RoomPage is one page of room hits and how many rooms match in all.
type RoomPage struct {
	Hits []RoomHit
	// Total is how many rooms match: exact when TotalCapped is false.
	Total int
	// TotalCapped says that more than Total rooms match: the count stopped
	// at the query's cap (RoomQuery.CountCap), and Total is that cap.
	TotalCapped bool
}

// setTotal records n matches counted up to most: n > most means more.
func (p *RoomPage) setTotal(n, most int) {
	p.Total, p.TotalCapped = min(n, most), n > most
}

// query collects the WHERE clauses and their arguments of a search.
type query struct {
	from  []string
	where []string
	args  []any
}

func (q *query) and(clause string, args ...any) {
	q.where = append(q.where, clause)
	q.args = append(q.args, args...)
}

// inBound restricts an R*Tree table aliased g, joined on id = key, to b.
func (q *query) inBound(rtree, key string, b *orb.Bound) {
	q.from = append(q.from, rtree+" g ON g.id = "+key)
	q.and(`g.max_lon >= ? AND g.min_lon <= ? AND g.max_lat >= ? AND g.min_lat <= ?`,
		b.Min.Lon(), b.Max.Lon(), b.Min.Lat(), b.Max.Lat())
}

// sql is the statement selecting sel with the joins and conditions of q; order
// and a limit and offset when not zero. It returns the statement's arguments.
func (q *query) sql(sel, order string, limit, offset int) (string, []any) {
	var b strings.Builder
	b.WriteString(sel)
	for _, f := range q.from {
		b.WriteString(" JOIN " + f)
	}
	if len(q.where) > 0 {
		b.WriteString(" WHERE " + strings.Join(q.where, " AND "))
	}
	if order != "" {
		b.WriteString(" ORDER BY " + order)
	}
	args := slices.Clone(q.args)
	if limit > 0 || offset > 0 {
		if limit <= 0 {
			limit = -1
		}
		b.WriteString(" LIMIT ? OFFSET ?")
		args = append(args, limit, max(offset, 0))
	}
	return b.String(), args
}

// roomColumns are the columns scanRoom reads, from rooms aliased r.
const roomColumns = `r.id, r.author, r.version, r.issued_at, r.title, r.description, r.lat, r.lon,
		r.price_per_night, r.currency, r.max_guests, r.amenities, r.photos`

// scanRoom reads the roomColumns of a row (after extra destinations).
func scanRoom(rows *sql.Rows, extra ...any) (RoomHit, error) {
	var h RoomHit
	var version, issued int64
	var amenities, photos string
	dest := append(extra, &h.ID, &h.Author, &version, &issued, &h.Title, &h.Description, &h.Lat, &h.Lon,
		&h.PricePerNight, &h.Currency, &h.MaxGuests, &amenities, &photos)
	if err := rows.Scan(dest...); err != nil {
		return h, err
	}
	h.Version, h.IssuedAt = uint64(version), time.UnixMilli(issued)
	if err := unmarshalColumns(&h.Amenities, amenities, &h.Photos, photos); err != nil {
		return h, fmt.Errorf("room %s: %w", h.ID, err)
	}
	return h, nil
}

// SearchRooms returns the unexpired rooms that match q: ranked around the
// centre of q.Bound when it is given, newest first otherwise (see RoomOrder).
func (s *Store) SearchRooms(ctx context.Context, q RoomQuery) ([]RoomHit, error) {
	p, err := s.findRooms(ctx, q, false)
	if err != nil {
		return nil, fmt.Errorf("search rooms: %w", err)
	}
	return p.Hits, nil
}

// FindRooms is SearchRooms with the number of matching rooms before Limit
// and Offset, for paging: exact up to q's count cap, "more" beyond it (see
// RoomPage).
func (s *Store) FindRooms(ctx context.Context, q RoomQuery) (RoomPage, error) {
	p, err := s.findRooms(ctx, q, true)
	if err != nil {
		return p, fmt.Errorf("search rooms: %w", err)
	}
	return p, nil
}

func (s *Store) findRooms(ctx context.Context, q RoomQuery, total bool) (RoomPage, error) {
	if err := q.validate(); err != nil {
		return RoomPage{}, err
	}
	w, st, err := s.roomWhere(q)
	if err != nil {
		return RoomPage{}, err
	}
	// One read transaction: the count, the ranking and the rows of the page
	// see the same snapshot.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return RoomPage{}, err
	}
	defer tx.Rollback()
	if q.ranked() {
		return rankedRooms(ctx, tx, q, w, st)
	}
	w = free(w, st)
	if q.Bound != nil {
		w = roomsIn(w, *q.Bound)
	}
	var page RoomPage
	stmt, args := w.sql(`SELECT `+roomColumns+` FROM rooms r`, `r.issued_at DESC, r.rid DESC`, q.Limit, q.Offset)
	rows, err := tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scanRoom(rows)
		if err != nil {
			return page, err
		}
		page.Hits = append(page.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	page.Total = len(page.Hits)
	if total && (q.Limit > 0 || q.Offset > 0) {
		if err := page.count(ctx, tx, w, q.countCap()); err != nil {
			return page, err
		}
	}
	return page, nil
}

// count sets the page's total to the number of rooms w selects, counted by
// SQLite up to most and one more (capped beyond most: see setTotal).
func (p *RoomPage) count(ctx context.Context, tx querier, w *query, most int) error {
	stmt, args := w.sql(`SELECT 1 FROM rooms r`, "", most+1, 0)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+stmt+`)`, args...).Scan(&n); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	p.setTotal(n, most)
	return nil
}

// roomRating is the rating ranking uses. Reviews are not stored yet: every
// room is unrated until they are.
func roomRating(string) domain.Rating { return domain.Rating{} }

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rankedCand is a room being ranked.
type rankedCand struct {
	rid  int64
	rank domain.RoomRank
}

// rankedRooms ranks the matches of q (the rooms w selects in q.Bound, free
// in st) around the centre of its Bound with domain, then reads the whole
// rows of the page only.
//
// With a Limit, SQLite first counts the matches up to the count cap and one
// more, without handing them over: a row brought to Go costs several times
// what SQLite spends to find it. When they are at most the cap, it ranks
// them all; when there are more, the total is capped and the page is found
// ring by ring (rankedNear). (Finding a page ring by ring below the cap too
// saved a tenth at a million rooms, but doubled the time at 20,000, where
// views are sparse and take many rings' queries.)
func rankedRooms(ctx context.Context, tx querier, q RoomQuery, w *query, st *nights) (RoomPage, error) {
	var page RoomPage
	ranker := domain.NewRoomRanker(*q.Bound)
	view := roomsIn(free(w, st), *q.Bound)
	var cands []rankedCand
	var err error
	if q.Limit > 0 {
		if err := page.count(ctx, tx, view, q.countCap()); err != nil {
			return page, err
		}
		switch {
		case page.TotalCapped:
			cands, err = rankedNear(ctx, tx, q, w, st, ranker, q.Offset+q.Limit)
		case page.Total > q.Offset:
			cands, err = rankCandidates(ctx, tx, view, ranker, 0)
		}
	} else {
		cands, err = rankCandidates(ctx, tx, view, ranker, 0)
		page.Total = len(cands)
	}
	if err != nil {
		return page, err
	}
	slices.SortFunc(cands, func(a, b rankedCand) int { return a.rank.Compare(b.rank) })
	cands = cands[min(q.Offset, len(cands)):]
	if q.Limit > 0 {
		cands = cands[:min(q.Limit, len(cands))]
	}
	if len(cands) == 0 {
		return page, nil
	}
	at := make(map[int64]int, len(cands))
	rids := make([]any, len(cands))
	for i, c := range cands {
		at[c.rid], rids[i] = i, c.rid
	}
	page.Hits = make([]RoomHit, len(cands))
	// At most 500 ids per statement, well under SQLite's variable limit.
	for start := 0; start < len(rids); start += 500 {
		chunk := rids[start:min(start+500, len(rids))]
		rows, err := tx.QueryContext(ctx, `SELECT r.rid, `+roomColumns+` FROM rooms r WHERE r.rid IN (`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return page, err
		}
		for rows.Next() {
			var rid int64
			h, err := scanRoom(rows, &rid)
			if err != nil {
				rows.Close()
				return page, err
			}
			i := at[rid]
			h.Rank = &cands[i].rank
			page.Hits[i] = h
		}
		if err := rows.Close(); err != nil {
			return page, err
		}
	}
	return page, nil
}

// rankedNear returns the best need matches of q around the ranker's centre
// (the rooms w selects in q.Bound, free in st), or more, in no order.
//
// Ranking compares rings first, then (rooms being unrated: roomRating)
// prices: so it takes ring 0, then ring 1, and so on, until it holds need
// rooms; and the rooms of one ring by price, from the rooms of a box around
// it, sorted by SQLite, stopping at the first price above the need-th room's.
// In a crowded view, thousands of rooms lie in ring 0, and the cheapest few
// dozen of them are all that cross over from SQLite. When a ring's box holds
// the whole view (few rooms near the centre), it ranks the rest of the view
// at once.
func rankedNear(ctx context.Context, tx querier, q RoomQuery, w *query, st *nights, ranker domain.RoomRanker, need int) ([]rankedCand, error) {
	var out []rankedCand
	for ring := 0; ; ring++ {
		boxes, covers := ranker.RingBoxes(*q.Bound, ring+1)
		if covers {
			rest, err := rankCandidates(ctx, tx, roomsIn(free(w, st), *q.Bound), ranker, 0)
			if err != nil {
				return nil, err
			}
			// Every match of the rings before is in out already.
			rest = slices.DeleteFunc(rest, func(c rankedCand) bool { return c.rank.Ring < ring })
			return append(out, rest...), nil
		}
		got, err := cheapestOfRing(ctx, tx, w, st, boxes, ranker, ring, need-len(out))
		if err != nil {
			return nil, err
		}
		if out = append(out, got...); len(out) >= need {
			return out, nil
		}
	}
}

// cheapestOfRing returns the want cheapest matches in ring (and the rooms
// as cheap as the last of them), or all when there are fewer: the rooms w
// selects in boxes (which hold the ring), free in st, read by price.
//
// SQLite reads every match of the boxes, but sorts the cheapest few only
// (ORDER BY with a LIMIT keeps that many): a few times want, as most of a
// box lies in its ring. Should they all be read with the page still open
// (many rooms at the last price, or in inner rings), it asks again for
// eight times as many.
func cheapestOfRing(ctx context.Context, tx querier, w *query, st *nights, boxes []orb.Bound, ranker domain.RoomRanker, ring, want int) ([]rankedCand, error) {
	var stmts []string
	var args []any
	for _, b := range boxes {
		stmt, a := roomsIn(free(w, st), b).sql(`SELECT r.rid, r.id, r.lon, r.lat, r.price_per_night FROM rooms r`, "", 0, 0)
		stmts, args = append(stmts, stmt), append(args, a...)
	}
	stmt := strings.Join(stmts, " UNION ALL ") + " ORDER BY 5 LIMIT ?"
	for limit := 4*want + 32; ; limit *= 8 {
		got, done, err := cheapestRows(ctx, tx, stmt, append(args, limit), ranker, ring, want, limit)
		if err != nil || done {
			return got, err
		}
	}
}

// cheapestRows reads rooms by price from stmt, which returns at most limit,
// and keeps the want cheapest in ring and those as cheap as the last;
// done is false when it read limit rooms and needs more.
func cheapestRows(ctx context.Context, tx querier, stmt string, args []any, ranker domain.RoomRanker, ring, want, limit int) (got []rankedCand, done bool, err error) {
	rows, err := tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var c rankedCand
		var rc domain.RoomCandidate
		if err := rows.Scan(&c.rid, &rc.ID, &rc.Location[0], &rc.Location[1], &rc.Price); err != nil {
			return nil, false, err
		}
		if len(got) >= want && rc.Price > got[want-1].rank.Price {
			return got, true, nil
		}
		rc.Rating = roomRating(rc.ID)
		if c.rank = ranker.Rank(rc); c.rank.Ring == ring {
			got = append(got, c)
		}
	}
	return got, n < limit, rows.Err()
}

// rankCandidates reads what ranking needs of the rooms w selects, at most
// limit of them (0 for all), and ranks each.
func rankCandidates(ctx context.Context, tx querier, w *query, ranker domain.RoomRanker, limit int) ([]rankedCand, error) {
	stmt, args := w.sql(`SELECT r.rid, r.id, r.lon, r.lat, r.price_per_night FROM rooms r`, "", limit, 0)
	rows, err := tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cands []rankedCand
	for rows.Next() {
		var c rankedCand
		var rc domain.RoomCandidate
		if err := rows.Scan(&c.rid, &rc.ID, &rc.Location[0], &rc.Location[1], &rc.Price); err != nil {
			return nil, err
		}
		rc.Rating = roomRating(rc.ID)
		c.rank = ranker.Rank(rc)
		cands = append(cands, c)
	}
	return cands, rows.Err()
}

// bandsPerDegree is how many bands of latitude a degree holds in the index
// rooms_band (migration 0010): 50, bands of about 2.2 km.
const bandsPerDegree = 50

// maxBands is the most bands of latitude a search reads through rooms_band;
// a taller box (over 2 degrees) is searched through the R*Tree.
const maxBands = 100

// latBand is the band of latitude lat is in: the expression rooms_band
// indexes, computed as SQLite computes it (in doubles, truncated).
func latBand(lat float64) int64 {
	return int64(float64(lat+90) * bandsPerDegree)
}

// roomsIn is w restricted to the rooms located in b (edges included).
//
// A box of at most maxBands bands of latitude is read from the index
// rooms_band: rooms by band of latitude, then longitude, with what the
// filters and ranking read. The rooms of a map view are then a few runs of
// neighbouring index entries rather than as many rows scattered over the
// rooms table, which is what the R*Tree gives: at a million rooms, that made
// the search several times faster. A taller box goes through the R*Tree.
func roomsIn(w *query, b orb.Bound) *query {
	sub := *w
	sub.from, sub.where, sub.args = slices.Clone(w.from), slices.Clone(w.where), slices.Clone(w.args)
	lo, hi := latBand(b.Min.Lat()), latBand(b.Max.Lat())
	if hi-lo < maxBands {
		bands := make([]any, 0, hi-lo+1)
		for band := lo; band <= hi; band++ {
			bands = append(bands, band)
		}
		sub.and(`CAST((r.lat + 90) * 50 AS INTEGER) IN (`+placeholders(len(bands))+`)`, bands...)
	} else {
		sub.inBound("rooms_geo", "r.rid", &b)
	}
	// The R*Tree stores 32-bit floats rounded outwards; check exactly.
	sub.and(`r.lon BETWEEN ? AND ? AND r.lat BETWEEN ? AND ?`, b.Min.Lon(), b.Max.Lon(), b.Min.Lat(), b.Max.Lat())
	return &sub
}

// nights are the nights of a room search, in epoch days: [from, to).
type nights struct{ from, to int64 }

// maxMaskNights is the most nights a search checks against the bitmap of
// blocked days on a room's row (rooms.blocked_days, migration 0012): they
// must fit in a mask below the sign bit. A longer stay probes the calendar.
const maxMaskNights = 62

// mask is the bitmap of st's nights from its first; ok is false when they
// are too many for one (maxMaskNights).
func (st *nights) mask() (m int64, ok bool) {
	n := st.to - st.from
	if n > maxMaskNights {
		return 0, false
	}
	return 1<<n - 1, true
}

// free is w restricted to the rooms with no blocked day in st (w itself
// when st is nil). The row's span of blocked days and their bitmap
// (migrations 0010 and 0012), read from the index with the rest, decide for
// almost every room: a room's calendar is probed in the index
// room_blocked_room_days only when its bitmap is NULL (a span over
// maxMaskNights days) and the span meets the nights, or for a longer stay.
func free(w *query, st *nights) *query {
	if st == nil {
		return w
	}
	sub := *w
	sub.where, sub.args = slices.Clone(w.where), slices.Clone(w.args)
	const probe = `NOT EXISTS (SELECT 1 FROM room_blocked b WHERE b.room_id = r.id AND b.author = r.author
			AND b.from_day < ? AND b.to_day > ?)`
	if m, ok := st.mask(); ok {
		// SQLite shifts the other way for a negative count: the bitmap's
		// days before the first night move up to it.
		sub.and(`(r.blocked_from IS NULL OR r.blocked_from >= ? OR r.blocked_to <= ? OR
		CASE WHEN r.blocked_days IS NOT NULL THEN (r.blocked_days >> (? - r.blocked_from)) & ? = 0
		ELSE `+probe+` END)`, st.to, st.from, st.from, m, st.to, st.from)
	} else {
		sub.and(`(r.blocked_from IS NULL OR r.blocked_from >= ? OR r.blocked_to <= ? OR `+probe+`)`,
			st.to, st.from, st.to, st.from)
	}
	return &sub
}

// roomWhere builds the joins, conditions and arguments of a room search but
// for q.Bound (see roomsIn) and the calendar check of q's dates, which it
// returns (see free; nil without dates).
func (s *Store) roomWhere(q RoomQuery) (*query, *nights, error) {
	var w query
	var st *nights
	w.and(`r.expires_at > ?`, s.nowMs(q.Now))
	if q.From != "" || q.To != "" {
		from, to, err := domain.DateRange{From: q.From, To: q.To}.Days()
		if err != nil {
			return nil, nil, err
		}
		if !to.After(from) {
			return nil, nil, fmt.Errorf("to %s is not after from %s", q.To, q.From)
		}
		st = &nights{from: epochDay(from), to: epochDay(to)}
	}
	if q.Guests > 0 {
		w.and(`r.max_guests >= ?`, q.Guests)
	}
	if q.MinPrice > 0 {
		w.and(`r.price_per_night >= ?`, q.MinPrice)
	}
	if q.MaxPrice > 0 {
		w.and(`r.price_per_night <= ?`, q.MaxPrice)
	}
	if q.Currency != "" {
		w.and(`r.currency = ?`, q.Currency)
	}
	if q.Author != "" {
		w.and(`r.author = ?`, q.Author)
	}
	if ams := distinctFold(q.Amenities); len(ams) > 0 {
		args := make([]any, 0, len(ams)+1)
		for _, a := range ams {
			args = append(args, a)
		}
		args = append(args, len(ams))
		w.and(`(SELECT count(*) FROM room_amenities a WHERE a.rid = r.rid AND a.amenity IN (`+
			placeholders(len(ams))+`)) = ?`, args...)
	}
	if m := ftsQuery(q.Text); m != "" {
		w.and(`r.rid IN (SELECT rowid FROM rooms_fts WHERE rooms_fts MATCH ?)`, m)
	}
	return &w, st, nil
}

// RideQuery selects rides. Zero fields do not filter.
type RideQuery struct {
	Bound  *orb.Bound // rides whose route's bounding box intersects it; nil for everywhere
	After  time.Time  // departing at or after
	Before time.Time  // departing before
	Seats  int        // with at least this many seats left
	Limit  int        // at most this many; 0 for all
	Now    time.Time  // rides expired at Now are left out; zero for the store's clock
}

// RideHit is a ride found by Rides.
type RideHit struct {
	ID       string
	Author   string
	Version  uint64
	IssuedAt time.Time
	domain.Ride
}

// Rides returns the unexpired rides that match q, by departure time. They are
// candidates: matching a pickup and drop-off along the route is domain's job.
func (s *Store) Rides(ctx context.Context, q RideQuery) ([]RideHit, error) {
	var w query
	w.and(`r.expires_at > ?`, s.nowMs(q.Now))
	if q.Bound != nil {
		w.inBound("rides_geo", "r.rid", q.Bound)
	}
	if !q.After.IsZero() {
		w.and(`r.depart_at >= ?`, q.After.UnixMilli())
	}
	if !q.Before.IsZero() {
		w.and(`r.depart_at < ?`, q.Before.UnixMilli())
	}
	if q.Seats > 0 {
		w.and(`r.seats_left >= ?`, q.Seats)
	}
	stmt, args := w.sql(`SELECT `+rideColumns+` FROM rides r`, `r.depart_at, r.rid`, q.Limit, 0)
	hits, err := s.queryRides(ctx, stmt, args)
	if err != nil {
		return nil, fmt.Errorf("search rides: %w", err)
	}
	return hits, nil
}

// rideColumns are the columns scanRide reads, from rides aliased r.
const rideColumns = `r.id, r.author, r.version, r.issued_at, r.title, r.route, r.stopovers, r.depart_at,
		r.depart_offset, r.seats, r.seats_left, r.price_per_seat, r.currency`

// queryRides runs a statement selecting rideColumns.
func (s *Store) queryRides(ctx context.Context, stmt string, args []any) ([]RideHit, error) {
	rows, err := s.r.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []RideHit
	for rows.Next() {
		var h RideHit
		var version, issued, depart int64
		var offset int
		var route, stopovers string
		if err := rows.Scan(&h.ID, &h.Author, &version, &issued, &h.Title, &route, &stopovers, &depart,
			&offset, &h.Seats, &h.SeatsLeft, &h.PricePerSeat, &h.Currency); err != nil {
			return nil, err
		}
		h.Version, h.IssuedAt = uint64(version), time.UnixMilli(issued)
		h.DepartAt = time.UnixMilli(depart).In(zone(offset))
		if err := unmarshalColumns(&h.Route, route, &h.Stopovers, stopovers); err != nil {
			return nil, fmt.Errorf("ride %s: %w", h.ID, err)
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// zone is the fixed zone a departure time was written in, as encoding/json
// gives it when it parses RFC 3339.
func zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	return time.FixedZone("", offset)
}

// unmarshalColumns decodes pairs of (destination, JSON text).
func unmarshalColumns(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		if err := json.Unmarshal([]byte(pairs[i+1].(string)), pairs[i]); err != nil {
			return fmt.Errorf("decode column: %w", err)
		}
	}
	return nil
}

// placeholders is "?, ?, ..." n times.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// distinctFold drops empty and case-insensitively repeated strings.
func distinctFold(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		k := strings.ToLower(strings.TrimSpace(s))
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// ftsQuery turns what a person typed into an FTS5 query that cannot fail to
// parse: the words (runs of letters, numbers and private-use characters, the
// unicode61 tokenizer's default token characters), each a quoted prefix term,
// all required. Operators and
// punctuation in the input are plain text. Empty when there is no word.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(text, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsNumber(c) && !unicode.Is(unicode.Co, c)
	})
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"*`
	}
	return strings.Join(terms, " ")
}
