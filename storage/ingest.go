package storage

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/caravan-p2p/caravan/domain"
)

// Status is what Ingest did with one record.
type Status int

// The statuses. The zero Status is not a valid outcome.
const (
	Stored    Status = iota + 1 // new, or a newer version of a stored id
	Duplicate                   // the very record was already stored
	Older                       // not newer than the stored version (or its tombstone): ignored
	Rejected                    // invalid: Outcome.Err says why
)

// String names the status: "stored", "duplicate", "older" or "rejected".
func (s Status) String() string {
	switch s {
	case Stored:
		return "stored"
	case Duplicate:
		return "duplicate"
	case Older:
		return "older"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Outcome is the result of ingesting one record. Err is a *domain.RejectError
// when Status is Rejected, and nil otherwise.
type Outcome struct {
	Status Status
	Err    error
}

// checked is a record after the parallel phase: validated, and when valid,
// with everything the transaction needs computed up front.
type checked struct {
	rec   *domain.Record
	err   error // the rejection from domain.Validate or from decoding
	hash  [32]byte
	raw   []byte
	cells string  // JSON array
	row   derived // the kind's derived row, if it has one
	// persons are its person topics beyond its cells (person.go).
	persons []string
}

// verifyBatch is how many records one core validates together: signatures
// verified as a batch cost about half as much each as one by one.
const verifyBatch = 32

// check validates recs in parallel on GOMAXPROCS goroutines, each taking
// verifyBatch records at a time, and prepares their rows. This is where the
// cost is (Ed25519), so it runs before any lock is taken.
func check(recs []domain.Record, now time.Time) []checked {
	out := make([]checked, len(recs))
	part := func(start, end int) {
		for j, v := range domain.ValidateBatch(recs[start:end], now) {
			c := &out[start+j]
			c.rec = &recs[start+j]
			if c.err = v.Err; c.err != nil {
				continue
			}
			c.hash = c.rec.Hash()
			if c.raw, c.err = c.rec.Encode(); c.err != nil {
				c.err = domain.Reject(domain.ReasonMalformed, "%v", c.err)
				continue
			}
			c.cells = cellsJSON(c.rec.Cells)
			c.row, c.err = deriveRow(v.Body)
			c.persons = personsOf(c.rec, v.Body)
		}
	}
	// Split evenly, so that every core gets work even from a small chunk.
	workers := min(runtime.GOMAXPROCS(0), len(recs))
	size := min(verifyBatch, (len(recs)+workers-1)/workers)
	if workers <= 1 {
		part(0, len(recs))
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(int64(size))) - size
				if start >= len(recs) {
					return
				}
				part(start, min(start+size, len(recs)))
			}
		})
	}
	wg.Wait()
	return out
}

// checkChunk is how many records Ingest checks ahead of the writer at a time:
// small enough that the writer starts early, large enough to keep every core
// busy verifying.
const checkChunk = 64

// Ingest validates recs and stores those that are new or newer, all in one
// write transaction. Outcomes are in the order of recs; records later in the
// batch see earlier ones. The error is only for a failure of the store itself,
// in which case nothing of the batch is stored.
//
// A large batch is checked a chunk ahead of the writer: while the transaction
// writes one chunk, the other cores verify the next, so signature checks and
// SQLite overlap instead of taking turns.
func (s *Store) Ingest(ctx context.Context, recs []domain.Record, now time.Time) ([]Outcome, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the checker if the write fails
	chunks := checkAhead(ctx, recs, now)
	first, ok := <-chunks
	if !ok {
		return nil, fmt.Errorf("ingest: %w", ctx.Err())
	}
	if len(first) == len(recs) && !slices.ContainsFunc(first, func(c checked) bool { return c.err == nil }) {
		out := make([]Outcome, 0, len(recs))
		for _, c := range first {
			out = append(out, Outcome{Status: Rejected, Err: c.err})
		}
		return out, nil // nothing to write: take no lock
	}
	out, err := s.write(ctx, first, chunks, len(recs))
	if err != nil {
		return nil, fmt.Errorf("ingest %d records: %w", len(recs), err)
	}
	return out, nil
}

// write stores n checked records, first and then those of the chunks that
// follow, in one write transaction, and returns their outcomes. It fails if
// the chunks end before n records or ctx is done before the commit.
func (s *Store) write(ctx context.Context, first []checked, chunks <-chan []checked, n int) ([]Outcome, error) {
	out := make([]Outcome, 0, n)
	err := s.writeTxRaw(ctx, func(tx *sql.Tx, raw *sqlite3.SQLiteConn) error {
		// The statements run without ctx's cancellation, which the driver
		// watches from a goroutine of its own per statement (more than a
		// microsecond each, several statements per record); ctx is checked
		// between chunks instead, and ends the transaction when done.
		sctx := context.WithoutCancel(ctx)
		in, err := beginIngest(sctx, tx, raw)
		if err != nil {
			return err
		}
		defer in.close()
		for cs, ok := first, true; ok; cs, ok = <-chunks {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := in.lookup(sctx, tx, cs); err != nil {
				return err
			}
			for i := range cs {
				o, err := in.put(sctx, &cs[i])
				if err != nil {
					return err
				}
				out = append(out, o)
			}
		}
		if len(out) < n {
			if err := ctx.Err(); err != nil {
				return err // the checker stopped early
			}
			return fmt.Errorf("%d of %d records checked", len(out), n)
		}
		return in.flush()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkAhead checks recs in chunks of checkChunk, each on all cores, and
// sends the chunks in order. It stops when ctx is done; the channel is closed
// either way.
func checkAhead(ctx context.Context, recs []domain.Record, now time.Time) <-chan []checked {
	chunks := make(chan []checked, 1)
	go func() {
		defer close(chunks)
		for start := 0; start < len(recs); start += checkChunk {
			select {
			case chunks <- check(recs[start:min(start+checkChunk, len(recs))], now):
			case <-ctx.Done():
				return
			}
		}
	}()
	return chunks
}

// IngestOwn ingests one record of the local user and, if it is stored, queues
// it in the outbox in the same transaction, so whichever process runs the node
// publishes it.
func (s *Store) IngestOwn(ctx context.Context, rec domain.Record, now time.Time) (Outcome, error) {
	cs := check([]domain.Record{rec}, now)
	if cs[0].err != nil {
		return Outcome{Status: Rejected, Err: cs[0].err}, nil
	}
	var out Outcome
	err := s.writeTxRaw(ctx, func(tx *sql.Tx, raw *sqlite3.SQLiteConn) error {
		in, err := beginIngest(ctx, tx, raw)
		if err != nil {
			return err
		}
		defer in.close()
		if err := in.lookup(ctx, tx, cs); err != nil {
			return err
		}
		if out, err = in.put(ctx, &cs[0]); err != nil || out.Status != Stored {
			return err
		}
		if err := in.flush(); err != nil {
			return err
		}
		return enqueue(ctx, tx, rec.ID, cs[0].hash, s.nowMs(now))
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("ingest own %s %s: %w", rec.Kind, rec.ID, err)
	}
	return out, nil
}

// ingester writes the records of one ingest transaction.
type ingester struct {
	insert, update *rawStmt
	// cell files a stored record under one of its cells in record_cells.
	cell *rawStmt
	*deriver
	// heads holds the stored head of every id looked up so far (nil if none
	// is stored), kept up to date as the batch is stored, so later records see
	// earlier ones.
	heads map[string]*storedHead
}

const (
	sqlHeads = `SELECT id, rid, kind, author, version, hash FROM records
		WHERE id IN (SELECT value FROM json_each(?))`
	sqlInsert = `INSERT INTO records(id, kind, author, version, issued_at, expires_at, hash, cells, raw)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUpdate = `UPDATE records SET kind = ?, author = ?, version = ?, issued_at = ?, expires_at = ?,
		hash = ?, cells = ?, raw = ? WHERE rid = ?`
	// sqlCell files a record's sync item under one of its cells. The update
	// trigger deletes the items of the version a record replaces.
	sqlCell = `INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, rid, expires_at) VALUES (?, ?, ?, ?, ?)`
)

// storedHead is the head of an id as stored, with its row key.
type storedHead struct {
	rid int64
	domain.Head
}

// beginIngest prepares the statements of an ingest transaction: on raw, the
// driver connection under tx, those run per record.
func beginIngest(ctx context.Context, tx *sql.Tx, raw *sqlite3.SQLiteConn) (*ingester, error) {
	in := &ingester{heads: make(map[string]*storedHead)}
	var err error
	for _, x := range []struct {
		st **rawStmt
		q  string
	}{{&in.insert, sqlInsert}, {&in.update, sqlUpdate}, {&in.cell, sqlCell}} {
		if *x.st, err = prepareRaw(raw, x.q); err != nil {
			in.close()
			return nil, err
		}
	}
	if in.deriver, err = prepareDeriver(ctx, tx, raw); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// lookup reads into in.heads the stored heads of every id cs names that the
// transaction has not seen yet: its valid records' ids and their calendars'
// rooms, in one query.
func (in *ingester) lookup(ctx context.Context, tx *sql.Tx, cs []checked) error {
	ids := make([]string, 0, len(cs))
	want := func(id string) {
		if _, seen := in.heads[id]; !seen {
			ids = append(ids, id)
		}
	}
	for i := range cs {
		if cs[i].err == nil {
			want(cs[i].rec.ID)
			if cal, ok := cs[i].row.(*calendarRow); ok {
				want(cal.RoomID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, sqlHeads, jsonText(ids))
	if err != nil {
		return fmt.Errorf("look up %d ids: %w", len(ids), err)
	}
	defer rows.Close()
	for _, id := range ids {
		in.heads[id] = nil // looked up: not stored unless a row says so
	}
	for rows.Next() {
		var id string
		var h storedHead
		var version int64
		var hash []byte
		if err := rows.Scan(&id, &h.rid, &h.Kind, &h.Author, &version, &hash); err != nil {
			return fmt.Errorf("look up %d ids: %w", len(ids), err)
		}
		h.Version = uint64(version)
		copy(h.Hash[:], hash)
		in.heads[id] = &h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up %d ids: %w", len(ids), err)
	}
	return nil
}

func (in *ingester) close() {
	for _, st := range []*rawStmt{in.insert, in.update, in.cell} {
		st.close()
	}
	in.deriver.close()
}

// put stores one checked record if it succeeds the stored head of its id.
func (in *ingester) put(ctx context.Context, c *checked) (Outcome, error) {
	if c.err != nil {
		return Outcome{Status: Rejected, Err: c.err}, nil
	}
	r := c.rec
	prev := in.heads[r.ID]
	var prevHead *domain.Head
	if prev != nil {
		prevHead = &prev.Head
	}
	switch succ, err := domain.Succeeds(prevHead, r); {
	case err != nil:
		return Outcome{Status: Rejected, Err: err}, nil
	case succ == domain.Same:
		return Outcome{Status: Duplicate}, nil
	case succ == domain.Older:
		return Outcome{Status: Older}, nil
	}
	if cal, ok := c.row.(*calendarRow); ok {
		if rej := in.checkRoomOwner(r, cal.RoomID); rej != nil {
			return Outcome{Status: Rejected, Err: rej}, nil
		}
	}
	if rej, err := in.checkParty(ctx, r, c.row); err != nil {
		return Outcome{}, err
	} else if rej != nil {
		return Outcome{Status: Rejected, Err: rej}, nil
	}
	var rid int64
	if prev == nil {
		var err error
		if rid, err = in.insert.exec(r.ID, string(r.Kind), r.Author, int64(r.Version),
			r.IssuedAt, r.ExpiresAt, c.hash[:], c.cells, c.raw); err != nil {
			return Outcome{}, fmt.Errorf("insert %s: %w", r.ID, err)
		}
	} else {
		rid = prev.rid
		in.forget(rid)
		// The update trigger removes the old version's derived rows and cells.
		if _, err := in.update.exec(string(r.Kind), r.Author, int64(r.Version),
			r.IssuedAt, r.ExpiresAt, c.hash[:], c.cells, c.raw, rid); err != nil {
			return Outcome{}, fmt.Errorf("update %s: %w", r.ID, err)
		}
	}
	for _, cell := range r.Cells {
		if _, err := in.cell.exec(cell, r.IssuedAt, c.hash[:], rid, r.ExpiresAt); err != nil {
			return Outcome{}, fmt.Errorf("file %s under %s: %w", r.ID, cell, err)
		}
	}
	if c.row != nil {
		if err := in.add(rid, r, c.row); err != nil {
			return Outcome{}, err
		}
	}
	if err := in.addPersons(rid, c.persons); err != nil {
		return Outcome{}, err
	}
	in.heads[r.ID] = &storedHead{rid: rid, Head: domain.Head{Kind: r.Kind, Author: r.Author, Version: r.Version, Hash: c.hash}}
	return Outcome{Status: Stored}, nil
}

// checkRoomOwner refuses a calendar for a room that is stored under another
// author, or for an id that is not a room. A calendar may arrive before its
// room; search only honours calendars whose author is the room's.
func (in *ingester) checkRoomOwner(cal *domain.Record, roomID string) *domain.RejectError {
	room := in.heads[roomID]
	if room == nil {
		return nil
	}
	if room.Author != cal.Author {
		return domain.Reject(domain.ReasonNotOwner, "room %s belongs to %s", roomID, room.Author)
	}
	if room.Kind != domain.KindRoom && room.Kind != domain.KindTombstone {
		return &domain.RejectError{Reason: domain.ReasonBadBody, Field: "room_id",
			Detail: fmt.Sprintf("%s is a %s, not a room", roomID, room.Kind)}
	}
	return nil
}
