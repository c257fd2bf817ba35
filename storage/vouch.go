package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// Vouches (DESIGN §5): public records, derived into the vouches table.

func init() {
	mainSQL[domain.KindVouch] = `INSERT INTO vouches(rid, id, author, subject, text, issued_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
}

type vouchRow struct{ *domain.Vouch }

func (x vouchRow) main(rid int64, r *domain.Record) []any {
	return []any{rid, r.ID, r.Author, x.Subject, x.Text, r.IssuedAt, r.ExpiresAt}
}
func (vouchRow) geo(int64) []any  { return nil }
func (vouchRow) text(int64) []any { return nil }

// StoredVouch is a live vouch as stored.
type StoredVouch struct {
	ID       string    `json:"id"`
	Author   string    `json:"author"`
	Subject  string    `json:"subject"`
	Text     string    `json:"text,omitempty"`
	IssuedAt time.Time `json:"issued_at"`
}

// sqlLiveVouches selects the live vouches, the newest per author and subject.
const sqlLiveVouches = `SELECT id, author, subject, text, issued_at FROM vouches v
	WHERE expires_at > ? AND %s AND NOT EXISTS (SELECT 1 FROM vouches w
		WHERE w.author = v.author AND w.subject = v.subject AND w.expires_at > ? AND w.issued_at > v.issued_at)
	ORDER BY issued_at DESC, id`

// Vouches lists the live vouches for a subject, or by an author when
// subject is empty, newest first: one per author and subject.
func (s *Store) Vouches(ctx context.Context, subject, author string) ([]StoredVouch, error) {
	where, arg := "subject = ?", subject
	if subject == "" {
		where, arg = "author = ?", author
	}
	now := s.nowMs(time.Time{})
	rows, err := s.r.QueryContext(ctx, fmt.Sprintf(sqlLiveVouches, where), now, arg, now)
	if err != nil {
		return nil, fmt.Errorf("vouches: %w", err)
	}
	defer rows.Close()
	out := []StoredVouch{}
	for rows.Next() {
		var v StoredVouch
		var issued int64
		if err := rows.Scan(&v.ID, &v.Author, &v.Subject, &v.Text, &issued); err != nil {
			return nil, fmt.Errorf("vouches: %w", err)
		}
		v.IssuedAt = time.UnixMilli(issued)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vouches: %w", err)
	}
	return out, nil
}

// LiveVouch returns the author's current vouch record for subject, or
// ErrNotFound when there is none (never made, withdrawn or expired).
func (s *Store) LiveVouch(ctx context.Context, author, subject string) (domain.Record, error) {
	var raw []byte
	err := s.r.QueryRowContext(ctx, `SELECT r.raw FROM vouches v JOIN records r ON r.rid = v.rid
		WHERE v.author = ? AND v.subject = ? AND v.expires_at > ? ORDER BY v.issued_at DESC LIMIT 1`,
		author, subject, s.nowMs(time.Time{})).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Record{}, fmt.Errorf("vouch by %s for %s: %w", author, subject, ErrNotFound)
	}
	if err != nil {
		return domain.Record{}, fmt.Errorf("vouch by %s for %s: %w", author, subject, err)
	}
	return decodeRaw(raw)
}

// ProfileNames returns the names of the peers among authors whose profile is
// stored and live.
func (s *Store) ProfileNames(ctx context.Context, authors []string) (map[string]string, error) {
	out := map[string]string{}
	if len(authors) == 0 {
		return out, nil
	}
	args := []any{s.nowMs(time.Time{})}
	for _, a := range authors {
		args = append(args, a)
	}
	err := s.scanRaw(ctx, `SELECT raw FROM records WHERE kind = 'profile' AND expires_at > ? AND author IN (`+placeholders(len(authors))+`)`,
		args, func(r domain.Record) error {
			if p, err := domain.DecodeProfile(r.Body); err == nil {
				out[r.Author] = p.Name
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("profile names: %w", err)
	}
	return out, nil
}

// Voucher is who vouched for a peer, as a reputation shows it.
type Voucher struct {
	Peer string `json:"peer"`
	Name string `json:"name,omitempty"` // from the voucher's profile, when known here
	Text string `json:"text,omitempty"`
}
