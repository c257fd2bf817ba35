package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Blobs are photos and avatars kept by content hash (issue 3 item 7). A blob
// listed in the photos of one of the owner's live rooms is pinned: kept as
// long as the room lives. The others are a cache of at most limit bytes,
// evicted least recently used first.
//
// Pins are not stored: they are read from the rooms table when they matter
// (eviction, Info), so they follow the owner's listings through new
// versions, tombstones, expiry, sweeps and Rebuild with no hook in ingest.
type Blobs struct {
	s     *Store
	owner string
	limit int64
}

// touchEvery is how stale a blob's last access may get before a read
// records a new one: reads stay reads, and LRU order is kept to a minute.
const touchEvery = time.Minute

// pinsCTE names the hashes the owner's live rooms pin, paused ones
// (listed until 0) included; its arguments are the owner and the time in
// unix ms.
const pinsCTE = `WITH pins(hash) AS (SELECT j.value FROM rooms r, json_each(r.photos) j
	WHERE r.author = ? AND (r.expires_at > ? OR r.expires_at = 0)) `

// Blobs returns the blob store of the user owner (a peer ID) whose unpinned
// blobs take at most limit bytes.
func (s *Store) Blobs(owner string, limit int64) *Blobs {
	return &Blobs{s: s, owner: owner, limit: limit}
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Hash       string
	Size       int64
	LastAccess time.Time
	Pinned     bool // listed by a live room of the owner
}

// BlobUsage sums up the blob store.
type BlobUsage struct {
	Count       int
	Bytes       int64 // all blobs
	PinnedBytes int64 // those pinned by the owner's live rooms
}

// checkHash reports a hash that is not 64 lowercase hex digits.
func checkHash(hash string) error {
	if len(hash) != 2*sha256.Size || strings.Trim(hash, "0123456789abcdef") != "" {
		return fmt.Errorf("blob hash %q: not a lowercase hex SHA-256", hash)
	}
	return nil
}

// Put stores data under hash, which must be its SHA-256, then evicts the
// least recently used unpinned blobs until they fit in the limit. The new
// blob is the most recently used, so it goes last. Storing a blob again
// only refreshes its last access.
func (b *Blobs) Put(ctx context.Context, hash string, data []byte) error {
	if err := checkHash(hash); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hash {
		return fmt.Errorf("put blob %s: the data hashes to %x", hash, sum)
	}
	now := b.s.nowMs(time.Time{})
	err := b.s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blobs(hash, size, last_access) VALUES (?, ?, ?)
			ON CONFLICT(hash) DO UPDATE SET last_access = excluded.last_access`, hash, len(data), now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO blob_data(hash, data) VALUES (?, ?)`, hash, data); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM blob_wants WHERE hash = ?`, hash); err != nil {
			return err
		}
		return b.evict(ctx, tx, now)
	})
	if err != nil {
		return fmt.Errorf("put blob %s: %w", hash, err)
	}
	return nil
}

// evict deletes the least recently used unpinned blobs until the unpinned
// ones take at most the limit.
func (b *Blobs) evict(ctx context.Context, tx *sql.Tx, now int64) error {
	var total int64
	if err := tx.QueryRowContext(ctx, pinsCTE+`SELECT coalesce(sum(size), 0) FROM blobs WHERE hash NOT IN pins`,
		b.owner, now).Scan(&total); err != nil {
		return fmt.Errorf("size the cache: %w", err)
	}
	if total <= b.limit {
		return nil
	}
	rows, err := tx.QueryContext(ctx, pinsCTE+`SELECT hash, size FROM blobs WHERE hash NOT IN pins
		ORDER BY last_access, rowid`, b.owner, now)
	if err != nil {
		return fmt.Errorf("list the cache: %w", err)
	}
	var victims []string
	for total > b.limit && rows.Next() {
		var hash string
		var size int64
		if err := rows.Scan(&hash, &size); err != nil {
			rows.Close()
			return fmt.Errorf("list the cache: %w", err)
		}
		victims = append(victims, hash)
		total -= size
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("list the cache: %w", err)
	}
	for _, h := range victims {
		if _, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE hash = ?`, h); err != nil { // and blob_data's row, by cascade
			return fmt.Errorf("evict %s: %w", h, err)
		}
	}
	return nil
}

// Get returns the blob stored under hash, or ErrNotFound, and records the
// access when the last one is older than a minute.
func (b *Blobs) Get(ctx context.Context, hash string) ([]byte, error) {
	if err := checkHash(hash); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	var data []byte
	var last int64
	err := b.s.r.QueryRowContext(ctx, `SELECT d.data, b.last_access FROM blobs b JOIN blob_data d ON d.hash = b.hash WHERE b.hash = ?`, hash).Scan(&data, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("blob %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", hash, err)
	}
	if now := b.s.nowMs(time.Time{}); now-last >= touchEvery.Milliseconds() {
		err := b.s.writeTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE blobs SET last_access = ? WHERE hash = ? AND last_access < ?`, now, hash, now)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("get blob %s: record the access: %w", hash, err)
		}
	}
	return data, nil
}

// Has reports whether a blob is stored, without counting it as an access.
func (b *Blobs) Has(ctx context.Context, hash string) (bool, error) {
	var one int
	err := b.s.r.QueryRowContext(ctx, `SELECT 1 FROM blobs WHERE hash = ?`, hash).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up blob %s: %w", hash, err)
	}
	return true, nil
}

// Info describes a stored blob, or returns ErrNotFound.
func (b *Blobs) Info(ctx context.Context, hash string) (BlobInfo, error) {
	info := BlobInfo{Hash: hash}
	var last int64
	err := b.s.r.QueryRowContext(ctx, pinsCTE+`SELECT size, last_access, hash IN pins FROM blobs WHERE hash = ?`,
		b.owner, b.s.nowMs(time.Time{}), hash).Scan(&info.Size, &last, &info.Pinned)
	if errors.Is(err, sql.ErrNoRows) {
		return info, fmt.Errorf("blob %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return info, fmt.Errorf("blob info %s: %w", hash, err)
	}
	info.LastAccess = time.UnixMilli(last)
	return info, nil
}

// Usage counts the stored blobs and their bytes.
func (b *Blobs) Usage(ctx context.Context) (BlobUsage, error) {
	var u BlobUsage
	err := b.s.r.QueryRowContext(ctx, pinsCTE+`SELECT count(*), coalesce(sum(size), 0),
		coalesce(sum(CASE WHEN hash IN pins THEN size END), 0) FROM blobs`,
		b.owner, b.s.nowMs(time.Time{})).Scan(&u.Count, &u.Bytes, &u.PinnedBytes)
	if err != nil {
		return u, fmt.Errorf("blob usage: %w", err)
	}
	return u, nil
}

// BlobWant is a blob a scripting command asked the running node to fetch.
type BlobWant struct {
	Hash   string
	Author string // who to ask first; "" when unknown
	Asked  time.Time
}

// Want asks whichever process runs the node to fetch a blob (Put ends the
// want). Asking again refreshes the request.
func (b *Blobs) Want(ctx context.Context, hash, author string) error {
	if err := checkHash(hash); err != nil {
		return fmt.Errorf("want blob: %w", err)
	}
	err := b.s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blob_wants(hash, author, asked_at) VALUES (?, ?, ?)
			ON CONFLICT(hash) DO UPDATE SET author = excluded.author, asked_at = excluded.asked_at`,
			hash, author, b.s.nowMs(time.Time{}))
		return err
	})
	if err != nil {
		return fmt.Errorf("want blob %s: %w", hash, err)
	}
	return nil
}

// Wants lists the wanted blobs, oldest request first. Requests older than
// maxAge are dropped first: whoever asked has given up.
func (b *Blobs) Wants(ctx context.Context, maxAge time.Duration) ([]BlobWant, error) {
	var out []BlobWant
	var stale bool
	rows, err := b.s.r.QueryContext(ctx, `SELECT hash, author, asked_at FROM blob_wants ORDER BY asked_at`)
	if err != nil {
		return nil, fmt.Errorf("wanted blobs: %w", err)
	}
	defer rows.Close()
	oldest := b.s.nowMs(time.Time{}) - maxAge.Milliseconds()
	for rows.Next() {
		var w BlobWant
		var asked int64
		if err := rows.Scan(&w.Hash, &w.Author, &asked); err != nil {
			return nil, fmt.Errorf("wanted blobs: %w", err)
		}
		if asked < oldest {
			stale = true
			continue
		}
		w.Asked = time.UnixMilli(asked)
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("wanted blobs: %w", err)
	}
	if stale {
		err := b.s.writeTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM blob_wants WHERE asked_at < ?`, oldest)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("drop stale blob wants: %w", err)
		}
	}
	return out, nil
}
