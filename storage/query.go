package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	Limit     int        // at most this many hits; 0 for all
	Offset    int        // skip this many hits
	Now       time.Time  // rooms expired at Now are left out; zero for the store's clock
}

// RoomHit is a room found by SearchRooms.
type RoomHit struct {
	ID       string
	Author   string
	Version  uint64
	IssuedAt time.Time
	domain.Room
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

func (q *query) sql(sel, order string, limit, offset int) string {
	var b strings.Builder
	b.WriteString(sel)
	for _, f := range q.from {
		b.WriteString(" JOIN " + f)
	}
	if len(q.where) > 0 {
		b.WriteString(" WHERE " + strings.Join(q.where, " AND "))
	}
	b.WriteString(" ORDER BY " + order)
	if limit > 0 || offset > 0 {
		if limit <= 0 {
			limit = -1
		}
		b.WriteString(" LIMIT ? OFFSET ?")
		q.args = append(q.args, limit, max(offset, 0))
	}
	return b.String()
}

// SearchRooms returns the unexpired rooms that match q, newest first.
func (s *Store) SearchRooms(ctx context.Context, q RoomQuery) ([]RoomHit, error) {
	stmt, args, err := s.roomSQL(q)
	if err != nil {
		return nil, fmt.Errorf("search rooms: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("search rooms: %w", err)
	}
	defer rows.Close()
	var hits []RoomHit
	for rows.Next() {
		var h RoomHit
		var version, issued int64
		var amenities, photos string
		if err := rows.Scan(&h.ID, &h.Author, &version, &issued, &h.Title, &h.Description, &h.Lat, &h.Lon,
			&h.PricePerNight, &h.Currency, &h.MaxGuests, &amenities, &photos); err != nil {
			return nil, fmt.Errorf("search rooms: %w", err)
		}
		h.Version, h.IssuedAt = uint64(version), time.UnixMilli(issued)
		if err := unmarshalColumns(&h.Amenities, amenities, &h.Photos, photos); err != nil {
			return nil, fmt.Errorf("search rooms: room %s: %w", h.ID, err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search rooms: %w", err)
	}
	return hits, nil
}

// roomSQL builds the statement and arguments of a room search.
func (s *Store) roomSQL(q RoomQuery) (string, []any, error) {
	var w query
	w.and(`r.expires_at > ?`, s.nowMs(q.Now))
	if q.Bound != nil {
		w.inBound("rooms_geo", "r.rid", q.Bound)
		// The R*Tree stores 32-bit floats rounded outwards; check exactly.
		w.and(`r.lon BETWEEN ? AND ? AND r.lat BETWEEN ? AND ?`, q.Bound.Min.Lon(), q.Bound.Max.Lon(), q.Bound.Min.Lat(), q.Bound.Max.Lat())
	}
	if q.From != "" || q.To != "" {
		from, to, err := domain.DateRange{From: q.From, To: q.To}.Days()
		if err != nil {
			return "", nil, err
		}
		if !to.After(from) {
			return "", nil, fmt.Errorf("to %s is not after from %s", q.To, q.From)
		}
		w.and(`NOT EXISTS (SELECT 1 FROM room_blocked b WHERE b.room_id = r.id AND b.author = r.author
			AND b.from_day < ? AND b.to_day > ?)`, epochDay(to), epochDay(from))
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
	stmt := w.sql(`SELECT r.id, r.author, r.version, r.issued_at, r.title, r.description, r.lat, r.lon,
		r.price_per_night, r.currency, r.max_guests, r.amenities, r.photos FROM rooms r`,
		`r.issued_at DESC, r.rid DESC`, q.Limit, q.Offset)
	return stmt, w.args, nil
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
	stmt := w.sql(`SELECT r.id, r.author, r.version, r.issued_at, r.title, r.route, r.stopovers, r.depart_at,
		r.depart_offset, r.seats, r.seats_left, r.price_per_seat, r.currency FROM rides r`,
		`r.depart_at, r.rid`, q.Limit, 0)
	rows, err := s.r.QueryContext(ctx, stmt, w.args...)
	if err != nil {
		return nil, fmt.Errorf("search rides: %w", err)
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
			return nil, fmt.Errorf("search rides: %w", err)
		}
		h.Version, h.IssuedAt = uint64(version), time.UnixMilli(issued)
		h.DepartAt = time.UnixMilli(depart).In(zone(offset))
		if err := unmarshalColumns(&h.Route, route, &h.Stopovers, stopovers); err != nil {
			return nil, fmt.Errorf("search rides: ride %s: %w", h.ID, err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search rides: %w", err)
	}
	return hits, nil
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
