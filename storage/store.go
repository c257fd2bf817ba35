// Package storage persists Caravan's signed records in SQLite and answers the
// queries the screens, the CLI and the peer-to-peer layer ask (DESIGN §8).
//
// Raw signed records are the source of truth (table records, current version
// of each id, tombstones included). Everything else (rooms with an R*Tree and
// FTS5, rides with an R*Tree, calendars' blocked days, sync items per cell) is
// derived from them in the same transaction and can be rebuilt at any time
// with Rebuild.
//
// Several processes may open the same file at once (the CLI writes while a
// node runs): SQLite's WAL mode and a busy timeout serialise them, and write
// transactions are kept short.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// ErrNotFound is returned when a record or state key is not stored.
var ErrNotFound = errors.New("not found")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// driverName is go-sqlite3 with the per-connection settings the DSN cannot
// carry. Checkpoints run in the background (see checkpoints), so a writer's
// own automatic checkpoint is only a backstop for a WAL that grew past 40 MB.
const driverName = "sqlite3_caravan"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA wal_autocheckpoint = 10000", nil)
		return err
	}})
	sql.Register(readDriverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA mmap_size = "+strconv.FormatInt(readMmapBytes, 10), nil)
		return err
	}})
}

// readDriverName is go-sqlite3 for the reader pool: its connections also map
// the first readMmapBytes of the file, so a page read there is a memory
// access to the operating system's cache rather than a read call and a copy.
// At a million rooms, a map view's calendar probes touch over a thousand
// pages scattered over a 4 GB file.
const readDriverName = "sqlite3_caravan_read"

// readMmapBytes is how much of the file a reader maps (2 GiB). A mapping as
// large as the file stalled for minutes under load; this one has not.
const readMmapBytes = 2 << 30

// readCacheKiB is the page cache of a reader, in KiB (256 MB; it only fills as
// pages are read). The writer keeps 16 MB. At a million rooms, 16 MB let a
// view search miss the cache a thousand times; P3's median went from about
// 12 ms to about 7.
const readCacheKiB = 256 << 10

// Store is a Caravan database. Its methods are safe for concurrent use.
type Store struct {
	path string
	// w is the writer: one connection, BEGIN IMMEDIATE, so writers in this
	// process queue in Go and writers in other processes wait on busy_timeout.
	w *sql.DB
	// r is the reader pool: deferred transactions and query_only, so reads
	// never take the write lock.
	r *sql.DB

	// kick asks the checkpointer to run after a commit; closing it stops it.
	kick    chan struct{}
	done    chan struct{}
	closing chan struct{} // closed by Close: the checkpointer stops waiting

	now func() time.Time // the clock for expiry; tests replace it
}

// Connection kinds.
const (
	connWrite = iota // BEGIN IMMEDIATE: takes the write lock at once, never fails upgrading a read lock
	connRead         // deferred transactions, query_only
	connOther        // deferred transactions, not query_only: backups and checkpoints
)

// dsn builds the connection string for path and a kind of connection.
func dsn(path string, kind int) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_cache_size", "-16000") // KiB: 16 MB of page cache per connection
	q.Set("_stmt_cache_size", "64")
	q.Set("_txlock", "deferred")
	switch kind {
	case connWrite:
		q.Set("_txlock", "immediate")
	case connRead:
		q.Set("_query_only", "1")
		q.Set("_cache_size", strconv.Itoa(-readCacheKiB))
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. Opening an up-to-date file changes nothing.
func Open(path string) (*Store, error) {
	w, err := sql.Open(driverName, dsn(path, connWrite))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: path, w: w, now: time.Now}
	ctx := context.Background()
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open(readDriverName, dsn(path, connRead))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)) + 1 // +1: the data_version connection
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r = r
	cp, err := sql.Open(driverName, dsn(path, connOther))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s for checkpoints: %w", path, err)
	}
	cp.SetMaxOpenConns(1)
	s.kick, s.done, s.closing = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go s.checkpoints(cp)
	return s, nil
}

// checkpointGap is the least time between two background checkpoints.
const checkpointGap = 250 * time.Millisecond

// checkpoints copies committed pages from the WAL back into the database file
// after writes, on a connection of its own, so that neither the writer nor a
// reader waits for it. A passive checkpoint never blocks the other
// connections (nor other processes); what it cannot copy yet, the next one does.
func (s *Store) checkpoints(db *sql.DB) {
	defer close(s.done)
	defer db.Close()
	for range s.kick {
		if _, err := db.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			slog.Warn("storage: checkpoint failed", "path", s.path, "err", err)
		}
		// Commits that follow closely share the next checkpoint: a page they
		// all touch (an index's root, the FTS segment) is copied once.
		select {
		case <-time.After(checkpointGap):
		case <-s.closing:
			return
		}
	}
}

// Close closes the database. The Store must not be used afterwards.
func (s *Store) Close() error {
	if s.kick != nil {
		close(s.closing)
		close(s.kick)
		<-s.done
	}
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded NNNN_name.sql files in order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations newer than PRAGMA user_version, each in its
// own transaction. An up-to-date file takes no write lock; otherwise the
// version is read again inside the (immediate) transaction, so two processes
// opening a fresh file at once apply each step once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	var have int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	if have > len(ms) {
		return fmt.Errorf("open %s: schema version %d is newer than this program's %d: upgrade Caravan", s.path, have, len(ms))
	}
	for _, m := range ms[have:] {
		if err := s.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migrate %s: %s: %w", s.path, m.name, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, m migration) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var have int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return err
	}
	if have >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	slog.Debug("storage: applied migration", "path", s.path, "migration", m.name)
	return nil
}

// writeTx runs fn in one write transaction and commits it.
func (s *Store) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.kickCheckpoint()
	return nil
}

// kickCheckpoint asks the checkpointer to run after a commit.
func (s *Store) kickCheckpoint() {
	select {
	case s.kick <- struct{}{}:
	default: // a checkpoint is already due
	}
}

// writeTxRaw is writeTx that also hands fn the driver connection under tx,
// for the statements ingest runs by the thousand (rawStmt): database/sql
// costs more than a microsecond per call of its own, and allocates.
//
// The connection is used outside Conn.Raw, which database/sql warns against
// because of its own use of the connection; here that is safe: the sql.Conn
// is this call's alone until it returns, and fn uses tx and the driver
// connection from this goroutine, one statement after the other. For the
// same reason the transaction does not end by itself when ctx is done (that
// would roll it back under a raw statement, and leave the next ones to
// commit one by one): ctx is checked before the commit instead, and fn
// should check it as it goes.
func (s *Store) writeTxRaw(ctx context.Context, fn func(*sql.Tx, *sqlite3.SQLiteConn) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer conn.Close()
	var raw *sqlite3.SQLiteConn
	if err := conn.Raw(func(dc any) error {
		var ok bool
		if raw, ok = dc.(*sqlite3.SQLiteConn); !ok {
			return fmt.Errorf("driver connection is a %T", dc)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx, raw); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.kickCheckpoint()
	return nil
}

// rawStmt is a statement prepared on the writer's driver connection
// (writeTxRaw) and run without database/sql, with its arguments' slice
// reused from one run to the next. It must not outlive the transaction.
type rawStmt struct {
	st   *sqlite3.SQLiteStmt
	args []driver.NamedValue
}

// prepareRaw prepares q on c.
func prepareRaw(c *sqlite3.SQLiteConn, q string) (*rawStmt, error) {
	st, err := c.Prepare(q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", q, err)
	}
	sst, ok := st.(*sqlite3.SQLiteStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("prepare %q: statement is a %T", q, st)
	}
	args := make([]driver.NamedValue, sst.NumInput())
	for i := range args {
		args[i].Ordinal = i + 1
	}
	return &rawStmt{st: sst, args: args}, nil
}

// exec runs the statement with vals, which are driver values or ints, and
// returns the rowid it inserted, if any.
func (s *rawStmt) exec(vals ...any) (int64, error) {
	if len(vals) != len(s.args) {
		return 0, fmt.Errorf("%d arguments for %d parameters", len(vals), len(s.args))
	}
	for i, v := range vals {
		if n, ok := v.(int); ok {
			v = int64(n)
		}
		s.args[i].Value = v
	}
	// Without a Done channel, the driver runs the statement on this
	// goroutine instead of watching for a cancellation from another.
	res, err := s.st.ExecContext(context.Background(), s.args)
	for i := range s.args {
		s.args[i].Value = nil // hold on to none of the caller's values
	}
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// close finalizes the statement (or returns it to the driver's cache); nil is fine.
func (s *rawStmt) close() {
	if s != nil {
		s.st.Close()
	}
}

// nowMs is the store's clock in unix ms, or t's when t is set.
func (s *Store) nowMs(t time.Time) int64 {
	if t.IsZero() {
		t = s.now()
	}
	return t.UnixMilli()
}
