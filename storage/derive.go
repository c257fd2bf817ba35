package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/domain"
)

// derived is what a record of a kind with derived rows (rooms, rides,
// calendars) contributes. Triggers derive the cheap rows from the main one,
// except a room's amenities, which add writes.
type derived interface {
	// main are the arguments of the kind's statement in mainSQL.
	main(rid int64, r *domain.Record) []any
	// geo is the R*Tree row (id, min_lon, max_lon, min_lat, max_lat), or nil.
	geo(rid int64) []any
	// text is the FTS5 row (rowid, title, description), or nil.
	text(rid int64) []any
}

// mainSQL inserts the main derived row of each kind that has one.
var mainSQL = map[domain.Kind]string{
	domain.KindRoom: `INSERT INTO rooms(rid, id, author, version, issued_at, expires_at, title, description,
		lat, lon, price_per_night, currency, max_guests, amenities, photos)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	domain.KindRide: `INSERT INTO rides(rid, id, author, version, issued_at, expires_at, title, route, stopovers,
		depart_at, depart_offset, seats, seats_left, price_per_seat, currency, min_lon, min_lat, max_lon, max_lat, arrive_at, leg_ids)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	domain.KindCalendar: `INSERT INTO calendars(rid, room_id, author, blocked) VALUES (?, ?, ?, ?)`,
}

// geoSQL inserts the R*Tree row of each kind that has one; textSQL the FTS5 row.
var (
	geoSQL = map[domain.Kind]string{
		domain.KindRoom: `INSERT INTO rooms_geo(id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)`,
		domain.KindRide: `INSERT INTO rides_geo(id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)`,
	}
	textSQL = `INSERT INTO rooms_fts(rowid, title, description) VALUES (?, ?, ?)`
	legSQL  = `INSERT INTO ride_legs_geo(id, min_lon, max_lon, min_lat, max_lat, min_t, max_t) VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// legged is a derived row with the boxes of a route's stretches.
type legged interface {
	// legs are the R*Tree rows (id, min_lon, max_lon, min_lat, max_lat).
	legs(rid int64) [][]any
}

// deriver writes the derived rows of one transaction. Main rows are written at
// once; R*Tree and FTS5 rows are queued and written by flush, after every
// other statement of the transaction, so the virtual tables buffer the whole
// batch instead of flushing at every statement savepoint.
type deriver struct {
	main map[domain.Kind]*rawStmt
	geo  map[domain.Kind]*rawStmt
	text *rawStmt
	leg  *rawStmt
	// amenities[n] files a room under n amenities at once (amenitySQL),
	// prepared when first needed.
	amenities map[int]*rawStmt
	raw       *sqlite3.SQLiteConn
	queue     []queued
	queued    map[int64]bool // rids in queue
	// partyStmt are the lookups of the review rules (review.go).
	partyStmt partyStmts
	// person files a record under a person topic (person.go).
	person *rawStmt
}

type queued struct {
	rid  int64
	kind domain.Kind
	row  derived
}

// prepareDeriver prepares the statements of the derived rows on raw, the
// driver connection under tx (writeTxRaw), and the review rules' lookups on tx.
func prepareDeriver(ctx context.Context, tx *sql.Tx, raw *sqlite3.SQLiteConn) (*deriver, error) {
	d := &deriver{main: map[domain.Kind]*rawStmt{}, geo: map[domain.Kind]*rawStmt{}, queued: map[int64]bool{},
		amenities: map[int]*rawStmt{}, raw: raw}
	prep := func(q string) (*rawStmt, error) {
		st, err := prepareRaw(raw, q)
		if err != nil {
			d.close()
			return nil, err
		}
		return st, nil
	}
	var err error
	for k, q := range mainSQL {
		if d.main[k], err = prep(q); err != nil {
			return nil, err
		}
	}
	for k, q := range geoSQL {
		if d.geo[k], err = prep(q); err != nil {
			return nil, err
		}
	}
	if d.text, err = prep(textSQL); err != nil {
		return nil, err
	}
	if d.leg, err = prep(legSQL); err != nil {
		return nil, err
	}
	if d.person, err = prep(sqlPerson); err != nil {
		return nil, err
	}
	if d.partyStmt, err = preparePartyStmts(ctx, tx); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *deriver) close() {
	if d == nil {
		return
	}
	for _, st := range d.main {
		st.close()
	}
	for _, st := range d.geo {
		st.close()
	}
	for _, st := range d.amenities {
		st.close()
	}
	for _, st := range []*rawStmt{d.text, d.leg, d.person} {
		st.close()
	}
	d.partyStmt.close()
}

// add writes the main row of r (stored under rid) and a room's amenities, and
// queues its index rows.
func (d *deriver) add(rid int64, r *domain.Record, row derived) error {
	if _, err := d.main[r.Kind].exec(row.main(rid, r)...); err != nil {
		return fmt.Errorf("derive %s %s: %w", r.Kind, r.ID, err)
	}
	if room, ok := row.(*roomRow); ok && len(room.Amenities) > 0 {
		st, err := d.amenityStmt(len(room.Amenities))
		if err != nil {
			return err
		}
		args := make([]any, 0, 1+len(room.Amenities))
		args = append(args, rid)
		for _, a := range room.Amenities {
			args = append(args, a)
		}
		if _, err := st.exec(args...); err != nil {
			return fmt.Errorf("derive amenities of %s: %w", r.ID, err)
		}
	}
	d.queue = append(d.queue, queued{rid, r.Kind, row})
	d.queued[rid] = true
	return nil
}

// amenitySQL files a room (?1) under n amenities (?2, ...) in one statement:
// one statement per room instead of one per amenity.
func amenitySQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT OR IGNORE INTO room_amenities(rid, amenity) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(?1, ?%d)", i+2)
	}
	return b.String()
}

// amenityStmt is the statement of amenitySQL(n), prepared on first use.
func (d *deriver) amenityStmt(n int) (*rawStmt, error) {
	if st := d.amenities[n]; st != nil {
		return st, nil
	}
	st, err := prepareRaw(d.raw, amenitySQL(n))
	if err != nil {
		return nil, err
	}
	d.amenities[n] = st
	return st, nil
}

// forget drops the queued rows of rid, whose record is being replaced in the
// same transaction (the triggers delete the main row).
func (d *deriver) forget(rid int64) {
	if !d.queued[rid] {
		return
	}
	d.queue = slices.DeleteFunc(d.queue, func(q queued) bool { return q.rid == rid })
	delete(d.queued, rid)
}

// flush writes the queued R*Tree rows, then the FTS5 rows.
func (d *deriver) flush() error {
	if d == nil {
		return nil
	}
	for _, q := range d.queue {
		if args := q.row.geo(q.rid); args != nil {
			if _, err := d.geo[q.kind].exec(args...); err != nil {
				return fmt.Errorf("index location of %s %d: %w", q.kind, q.rid, err)
			}
		}
		if l, ok := q.row.(legged); ok {
			for _, args := range l.legs(q.rid) {
				if _, err := d.leg.exec(args...); err != nil {
					return fmt.Errorf("index route of %s %d: %w", q.kind, q.rid, err)
				}
			}
		}
	}
	for _, q := range d.queue {
		if args := q.row.text(q.rid); args != nil {
			if _, err := d.text.exec(args...); err != nil {
				return fmt.Errorf("index text of %s %d: %w", q.kind, q.rid, err)
			}
		}
	}
	d.queue = d.queue[:0]
	clear(d.queued)
	return nil
}

// deriveRow turns the decoded body of a valid record (domain.DecodeBody) into
// its derived row, or nil for kinds without one (profiles, tombstones).
func deriveRow(body any) (derived, error) {
	switch b := body.(type) {
	case *domain.Room:
		return &roomRow{Room: *b, amenities: jsonText(b.Amenities), photos: jsonText(b.Photos)}, nil
	case *domain.Ride:
		ride := &rideRow{Ride: *b, route: jsonText(b.Route), stopovers: jsonText(b.Stopovers)}
		ride.bound = ride.LineString().Bound()
		ride.legBounds = domain.RouteLegs(ride.LineString())
		return ride, nil
	case *domain.Calendar:
		days := make([][2]int64, len(b.Blocked))
		for i, d := range b.Blocked {
			from, to, err := d.Days()
			if err != nil {
				return nil, &domain.RejectError{Reason: domain.ReasonBadBody, Field: fmt.Sprintf("blocked[%d]", i), Detail: err.Error()}
			}
			days[i] = [2]int64{epochDay(from), epochDay(to)}
		}
		return &calendarRow{Calendar: *b, days: jsonText(days)}, nil
	case *domain.CheckedReview:
		return reviewRow{b}, nil
	case *domain.SealedReview:
		return sealRow{b}, nil
	case *domain.Vouch:
		return vouchRow{b}, nil
	case *domain.Wish:
		return newWishRow(b), nil // wish.go
	}
	return nil, nil
}

type roomRow struct {
	domain.Room
	amenities, photos string
}

func (x *roomRow) main(rid int64, r *domain.Record) []any {
	return []any{rid, r.ID, r.Author, int64(r.Version), r.IssuedAt, listedUntil(r, x.Paused), x.Title, x.Description,
		x.Lat, x.Lon, x.PricePerNight, x.Currency, x.MaxGuests, x.amenities, x.photos}
}

func (x *roomRow) geo(rid int64) []any  { return []any{rid, x.Lon, x.Lon, x.Lat, x.Lat} }
func (x *roomRow) text(rid int64) []any { return []any{rid, x.Title, x.Description} }

type rideRow struct {
	domain.Ride
	route, stopovers string
	bound            orb.Bound
	legBounds        []orb.Bound
}

// legShift makes room in a leg's R*Tree id for its index (domain.MaxLegs).
const legShift = 12

func (x *rideRow) legs(rid int64) [][]any {
	rows := make([][]any, len(x.legBounds))
	depart := x.DepartAt.UnixMilli() // the time span of every stretch (migration 0010)
	arrive := max(arriveMs(&x.Ride), depart)
	for i, b := range x.legBounds {
		rows[i] = []any{rid<<legShift | int64(i), b.Min.Lon(), b.Max.Lon(), b.Min.Lat(), b.Max.Lat(), depart, arrive}
	}
	return rows
}

// legIDs is the JSON array of the R*Tree ids of a ride's legs.
func (x *rideRow) legIDs(rid int64) string {
	ids := make([]int64, len(x.legBounds))
	for i := range ids {
		ids[i] = rid<<legShift | int64(i)
	}
	return jsonText(ids)
}

func (x *rideRow) main(rid int64, r *domain.Record) []any {
	_, offset := x.DepartAt.Zone()
	return []any{rid, r.ID, r.Author, int64(r.Version), r.IssuedAt, listedUntil(r, x.Paused), x.Title, x.route, x.stopovers,
		x.DepartAt.UnixMilli(), offset, x.Seats, x.SeatsLeft, x.PricePerSeat, x.Currency,
		x.bound.Min.Lon(), x.bound.Min.Lat(), x.bound.Max.Lon(), x.bound.Max.Lat(), arriveMs(&x.Ride), x.legIDs(rid)}
}

// listedUntil is the expires_at of a room's or ride's derived row: until
// when searches list it. That is the record's expiry, or 0 while its owner
// has paused it (domain.IsPaused), so every search, which leaves out what
// has expired, leaves paused listings out too; the record itself stays.
func listedUntil(r *domain.Record, paused bool) int64 {
	if paused {
		return 0
	}
	return r.ExpiresAt
}

// arriveMs is the ride's estimated arrival in unix ms, rounded up, so that a
// search never skips a ride by a rounding.
func arriveMs(r *domain.Ride) int64 {
	t := domain.ArrivalAt(r)
	ms := t.UnixMilli()
	if t.After(time.UnixMilli(ms)) {
		ms++
	}
	return ms
}

func (x *rideRow) geo(rid int64) []any {
	return []any{rid, x.bound.Min.Lon(), x.bound.Max.Lon(), x.bound.Min.Lat(), x.bound.Max.Lat()}
}
func (x *rideRow) text(int64) []any { return nil }

type calendarRow struct {
	domain.Calendar
	days string // JSON [[from_day, to_day], ...]
}

func (x *calendarRow) main(rid int64, r *domain.Record) []any {
	return []any{rid, x.RoomID, r.Author, x.days}
}

func (x *calendarRow) geo(int64) []any  { return nil }
func (x *calendarRow) text(int64) []any { return nil }

// epochDay is the number of days from 1970-01-01 to the UTC day t starts.
func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// jsonText is v as JSON text; v is one of our own plain types, so it cannot fail.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("storage: encode %T: %v", v, err))
	}
	return string(b)
}

// cellsJSON is a record's cells as a JSON array (never null).
func cellsJSON(cells []string) string {
	if cells == nil {
		return "[]"
	}
	return jsonText(cells)
}

// Rebuild throws away every derived table and derives them again from the raw
// records, in one write transaction. Records are not re-validated: they were
// when stored.
func (s *Store) Rebuild(ctx context.Context) error {
	err := s.writeTxRaw(ctx, func(tx *sql.Tx, raw *sqlite3.SQLiteConn) error {
		for _, q := range []string{
			`DELETE FROM rooms`, `DELETE FROM rides`, `DELETE FROM calendars`, // triggers clear their children
			`DELETE FROM reviews`, `DELETE FROM review_seals`,
			`DELETE FROM rooms_geo`, `DELETE FROM rides_geo`, `DELETE FROM ride_legs_geo`, `DELETE FROM room_amenities`, `DELETE FROM room_blocked`,
			`INSERT INTO rooms_fts(rooms_fts) VALUES ('delete-all')`,
			`DELETE FROM record_cells`,
			`INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, rid, expires_at)
				SELECT j.value, r.issued_at, r.hash, r.rid, r.expires_at FROM records r, json_each(r.cells) j`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		d, err := prepareDeriver(ctx, tx, raw)
		if err != nil {
			return err
		}
		defer d.close()
		if err := rebuildPersons(ctx, tx, d); err != nil {
			return err
		}
		type row struct {
			rid int64
			raw []byte
		}
		for last := int64(0); ; {
			var chunk []row
			rows, err := tx.QueryContext(ctx, `SELECT rid, raw FROM records WHERE rid > ? AND kind IN ('room', 'ride', 'calendar', 'review-seal', 'review') ORDER BY rid LIMIT 1000`, last)
			if err != nil {
				return fmt.Errorf("read records: %w", err)
			}
			for rows.Next() {
				var x row
				if err := rows.Scan(&x.rid, &x.raw); err != nil {
					rows.Close()
					return fmt.Errorf("read records: %w", err)
				}
				chunk = append(chunk, x)
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("read records: %w", err)
			}
			if len(chunk) == 0 {
				return d.flush()
			}
			for _, x := range chunk {
				rec, err := domain.DecodeRecord(x.raw)
				if err != nil {
					return fmt.Errorf("record rid %d: %w", x.rid, err)
				}
				body, err := domain.DecodeBody(&rec)
				if err != nil {
					return fmt.Errorf("record %s: %w", rec.ID, err)
				}
				row, err := deriveRow(body)
				if err != nil {
					return fmt.Errorf("record %s: %w", rec.ID, err)
				}
				if err := d.add(x.rid, &rec, row); err != nil {
					return err
				}
				last = x.rid
			}
		}
	})
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	return nil
}
