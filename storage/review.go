package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// Reviews and their seals (DESIGN §5): public records, derived into the
// reviews and review_seals tables. domain checks each record alone; the
// store adds the rules that need what it holds: one seal and one review per
// party and booking, the review opens the seal that party published, and the
// acceptance's owner is the listing's author when the listing is here.

// Derived-row statements of reviews and seals, added to mainSQL.
func init() {
	mainSQL[domain.KindReview] = `INSERT INTO reviews(rid, id, booking_id, seal_id, listing_id, listing_kind, author, subject,
		author_role, stars, categories, text, issued_at, end_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	mainSQL[domain.KindReviewSeal] = `INSERT INTO review_seals(rid, id, booking_id, author) VALUES (?, ?, ?, ?)`
}

type reviewRow struct{ *domain.CheckedReview }

func (x reviewRow) main(rid int64, r *domain.Record) []any {
	t := &x.Terms
	cats := x.Categories
	if cats == nil {
		cats = map[string]int{}
	}
	return []any{rid, r.ID, t.BookingID, x.Seals[0].ID, t.ListingID, string(t.ListingKind), r.Author, t.Party(r.Author),
		string(t.RoleOf(r.Author)), x.Stars, jsonText(cats), x.Text, r.IssuedAt, t.EndAt}
}
func (reviewRow) geo(int64) []any  { return nil }
func (reviewRow) text(int64) []any { return nil }

type sealRow struct{ *domain.SealedReview }

func (x sealRow) main(rid int64, r *domain.Record) []any {
	return []any{rid, r.ID, x.Terms.BookingID, r.Author}
}
func (sealRow) geo(int64) []any  { return nil }
func (sealRow) text(int64) []any { return nil }

// checkParty applies the store's rules to a seal or a review about to be
// stored (nil for other rows). Earlier records of the same transaction count.
func (in *ingester) checkParty(ctx context.Context, r *domain.Record, row derived) (*domain.RejectError, error) {
	var terms *domain.BookingTerms
	var sealID string
	switch x := row.(type) {
	case reviewRow:
		terms, sealID = &x.Terms, x.Seals[0].ID
	case sealRow:
		terms = &x.Terms
	default:
		return nil, nil
	}
	var listingAuthor string
	err := in.partyStmt.listing.QueryRowContext(ctx, terms.ListingID).Scan(&listingAuthor)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("look up listing %s: %w", terms.ListingID, err)
	case listingAuthor != terms.Owner:
		return domain.Reject(domain.ReasonNotOwner, "listing %s belongs to %s, not to the acceptance's owner %s", terms.ListingID, listingAuthor, terms.Owner), nil
	}
	var other string
	if sealID == "" {
		err = in.partyStmt.seal.QueryRowContext(ctx, terms.BookingID, r.Author).Scan(&other)
		if err == nil && other != r.ID {
			return domain.Reject(domain.ReasonBadBody, "%s already sealed a review of booking %s (%s)", r.Author, terms.BookingID, other), nil
		}
	} else {
		err = in.partyStmt.review.QueryRowContext(ctx, terms.BookingID, r.Author).Scan(&other)
		if err == nil && other != r.ID {
			return domain.Reject(domain.ReasonBadBody, "%s already reviewed booking %s (%s)", r.Author, terms.BookingID, other), nil
		}
		if err == nil || errors.Is(err, sql.ErrNoRows) {
			err = in.partyStmt.seal.QueryRowContext(ctx, terms.BookingID, r.Author).Scan(&other)
			if err == nil && other != sealID {
				return domain.Reject(domain.ReasonBadBody, "the review opens seal %s, but %s sealed booking %s with %s", sealID, r.Author, terms.BookingID, other), nil
			}
		}
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("look up reviews of booking %s: %w", terms.BookingID, err)
	}
	return nil, nil
}

// partyStmts are the lookups of checkParty, prepared with the deriver.
type partyStmts struct {
	listing, seal, review *sql.Stmt
}

func preparePartyStmts(ctx context.Context, tx *sql.Tx) (partyStmts, error) {
	var p partyStmts
	for _, x := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&p.listing, `SELECT author FROM records WHERE id = ?`},
		{&p.seal, `SELECT id FROM review_seals WHERE booking_id = ? AND author = ? LIMIT 1`},
		{&p.review, `SELECT id FROM reviews WHERE booking_id = ? AND author = ? LIMIT 1`},
	} {
		st, err := tx.PrepareContext(ctx, x.q)
		if err != nil {
			p.close()
			return partyStmts{}, fmt.Errorf("prepare %q: %w", x.q, err)
		}
		*x.st = st
	}
	return p, nil
}

func (p partyStmts) close() {
	for _, st := range []*sql.Stmt{p.listing, p.seal, p.review} {
		if st != nil {
			st.Close()
		}
	}
}

// ReviewSeals returns the stored review-seal records of a booking.
func (s *Store) ReviewSeals(ctx context.Context, bookingID string) ([]domain.Record, error) {
	var out []domain.Record
	err := s.scanRaw(ctx, `SELECT r.raw FROM review_seals v JOIN records r ON r.rid = v.rid
		WHERE v.booking_id = ? ORDER BY r.issued_at`, []any{bookingID}, func(r domain.Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seals of booking %s: %w", bookingID, err)
	}
	return out, nil
}

// StoredReview is a review as the store derived it.
type StoredReview struct {
	ID          string         `json:"id"`
	BookingID   string         `json:"booking_id"`
	ListingID   string         `json:"listing_id"`
	ListingKind domain.Kind    `json:"listing_kind"`
	Author      string         `json:"author"`
	Subject     string         `json:"subject"`
	AuthorRole  domain.Role    `json:"author_role"`
	Stars       int            `json:"stars"`
	Categories  map[string]int `json:"categories"`
	Text        string         `json:"text"`
	IssuedAt    time.Time      `json:"issued_at"`
	EndAt       time.Time      `json:"end_at"`
}

// ReviewFilter selects reviews; empty fields do not filter.
type ReviewFilter struct {
	Subject   string // reviews about this peer
	Author    string // reviews by this peer
	ListingID string
	BookingID string
}

// Reviews lists the live reviews that match f, newest first.
func (s *Store) Reviews(ctx context.Context, f ReviewFilter) ([]StoredReview, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT v.id, v.booking_id, v.listing_id, v.listing_kind, v.author, v.subject,
		v.author_role, v.stars, v.categories, v.text, v.issued_at, v.end_at
		FROM reviews v JOIN records r ON r.rid = v.rid
		WHERE r.expires_at > ?1 AND (?2 = '' OR v.subject = ?2) AND (?3 = '' OR v.author = ?3)
		  AND (?4 = '' OR v.listing_id = ?4) AND (?5 = '' OR v.booking_id = ?5)
		ORDER BY v.issued_at DESC, v.id`,
		s.nowMs(time.Time{}), f.Subject, f.Author, f.ListingID, f.BookingID)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	out := []StoredReview{}
	for rows.Next() {
		var v StoredReview
		var cats string
		var issued, end int64
		if err := rows.Scan(&v.ID, &v.BookingID, &v.ListingID, &v.ListingKind, &v.Author, &v.Subject,
			&v.AuthorRole, &v.Stars, &cats, &v.Text, &issued, &end); err != nil {
			return nil, fmt.Errorf("list reviews: %w", err)
		}
		if err := json.Unmarshal([]byte(cats), &v.Categories); err != nil {
			return nil, fmt.Errorf("review %s categories: %w", v.ID, err)
		}
		v.IssuedAt, v.EndAt = time.UnixMilli(issued), time.UnixMilli(end)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	return out, nil
}

// Reputation is what the stored reviews say about one peer.
type Reputation struct {
	Peer       string             `json:"peer"`
	Rating     float64            `json:"rating"` // average stars, 0 with no reviews
	Count      int                `json:"review_count"`
	AsOwner    int                `json:"as_owner"`  // reviews by renters of this peer's listings
	AsRenter   int                `json:"as_renter"` // reviews by owners who hosted or drove this peer
	Categories map[string]float64 `json:"categories"`
	// WithProof is the share of reviews that carry a signed acceptance: all
	// that the store keeps, so 1 whenever there are reviews.
	WithProof float64 `json:"with_proof"`
	// LastYear is how many reviews were written in the last 365 days.
	LastYear int `json:"last_year"`
	// Latest is when the newest review was written; nil with none.
	Latest *time.Time `json:"latest,omitempty"`
	// Vouches counts the live vouches for this peer (vouch.go), and
	// Vouchers says who gave them, newest first.
	Vouches  int       `json:"vouches"`
	Vouchers []Voucher `json:"vouchers,omitempty"`
}

// ReputationOf computes a peer's reputation from the stored reviews of it,
// as of now.
func (s *Store) ReputationOf(ctx context.Context, peer string, now time.Time) (Reputation, error) {
	rs, err := s.Reviews(ctx, ReviewFilter{Subject: peer})
	if err != nil {
		return Reputation{}, fmt.Errorf("reputation of %s: %w", peer, err)
	}
	return Summarize(peer, rs, now), nil
}

// Summarize computes a reputation from reviews of one peer.
func Summarize(peer string, rs []StoredReview, now time.Time) Reputation {
	rep := Reputation{Peer: peer, Categories: map[string]float64{}}
	sums, counts := map[string]int{}, map[string]int{}
	total := 0
	for _, v := range rs {
		rep.Count++
		total += v.Stars
		if v.AuthorRole == domain.RoleRenter {
			rep.AsOwner++
		} else {
			rep.AsRenter++
		}
		for k, x := range v.Categories {
			sums[k] += x
			counts[k]++
		}
		if now.Sub(v.IssuedAt) < 365*24*time.Hour {
			rep.LastYear++
		}
		if rep.Latest == nil || v.IssuedAt.After(*rep.Latest) {
			t := v.IssuedAt
			rep.Latest = &t
		}
	}
	if rep.Count > 0 {
		rep.Rating = round2(float64(total) / float64(rep.Count))
		rep.WithProof = 1
	}
	for k, n := range counts {
		rep.Categories[k] = round2(float64(sums[k]) / float64(n))
	}
	return rep
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Rating is a listing's average stars from its renters' reviews.
type Rating struct {
	Rating float64
	Count  int
}

// ListingRatings returns the rating of each listing of ids that has
// reviews by its renters, written about the listing's author.
func (s *Store) ListingRatings(ctx context.Context, ids []string) (map[string]Rating, error) {
	out := map[string]Rating{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT v.listing_id, avg(v.stars), count(*)
		FROM reviews v JOIN records r ON r.rid = v.rid
		JOIN records l ON l.id = v.listing_id AND l.author = v.subject
		WHERE v.listing_id IN (SELECT value FROM json_each(?)) AND v.author_role = 'renter' AND r.expires_at > ?
		GROUP BY v.listing_id`, jsonText(ids), s.nowMs(time.Time{}))
	if err != nil {
		return nil, fmt.Errorf("listing ratings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var x Rating
		if err := rows.Scan(&id, &x.Rating, &x.Count); err != nil {
			return nil, fmt.Errorf("listing ratings: %w", err)
		}
		x.Rating = round2(x.Rating)
		out[id] = x
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing ratings: %w", err)
	}
	return out, nil
}

// OwnerRatings returns, for each peer of peers that has any, the average
// stars its renters gave it: the rating of a driver or a host as such.
func (s *Store) OwnerRatings(ctx context.Context, peers []string) (map[string]Rating, error) {
	out := map[string]Rating{}
	if len(peers) == 0 {
		return out, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT v.subject, avg(v.stars), count(*)
		FROM reviews v JOIN records r ON r.rid = v.rid
		WHERE v.subject IN (SELECT value FROM json_each(?)) AND v.author_role = 'renter' AND r.expires_at > ?
		GROUP BY v.subject`, jsonText(peers), s.nowMs(time.Time{}))
	if err != nil {
		return nil, fmt.Errorf("owner ratings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var x Rating
		if err := rows.Scan(&p, &x.Rating, &x.Count); err != nil {
			return nil, fmt.Errorf("owner ratings: %w", err)
		}
		x.Rating = round2(x.Rating)
		out[p] = x
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("owner ratings: %w", err)
	}
	return out, nil
}

// ReviewDraft is the user's own review of a booking, sealed and kept until
// it is revealed.
type ReviewDraft struct {
	BookingID string
	Content   domain.ReviewContent
	Nonce     string
	SealID    string
	ReviewID  string    // "" until revealed
	RevealAt  time.Time // from when it may be revealed without the other's seal
	Note      string    // a private word to the other party, sent when revealed
}

// SaveReviewDraft keeps a sealed review. It fails with ErrExists when the
// user already reviewed the booking.
func (s *Store) SaveReviewDraft(ctx context.Context, d ReviewDraft) error {
	content, err := json.Marshal(d.Content)
	if err != nil {
		return fmt.Errorf("save review of %s: %w", d.BookingID, err)
	}
	var n int64
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO review_drafts(booking_id, content, nonce, seal_id, review_id, reveal_at, note)
			VALUES (?, ?, ?, ?, '', ?, ?)`, d.BookingID, content, d.Nonce, d.SealID, d.RevealAt.UnixMilli(), d.Note)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("save review of %s: %w", d.BookingID, err)
	}
	if n == 0 {
		return fmt.Errorf("review of booking %s: %w", d.BookingID, ErrExists)
	}
	return nil
}

// ErrExists is returned when something that is made once already exists.
var ErrExists = errors.New("already exists")

// ReviewDrafts lists the user's reviews; with pending, only those not yet
// revealed.
func (s *Store) ReviewDrafts(ctx context.Context, pending bool) ([]ReviewDraft, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT booking_id, content, nonce, seal_id, review_id, reveal_at, note FROM review_drafts
		WHERE NOT ? OR review_id = '' ORDER BY reveal_at`, pending)
	if err != nil {
		return nil, fmt.Errorf("review drafts: %w", err)
	}
	defer rows.Close()
	var out []ReviewDraft
	for rows.Next() {
		var d ReviewDraft
		var content []byte
		var reveal int64
		if err := rows.Scan(&d.BookingID, &content, &d.Nonce, &d.SealID, &d.ReviewID, &reveal, &d.Note); err != nil {
			return nil, fmt.Errorf("review drafts: %w", err)
		}
		if err := json.Unmarshal(content, &d.Content); err != nil {
			return nil, fmt.Errorf("review draft %s: %w", d.BookingID, err)
		}
		d.RevealAt = time.UnixMilli(reveal)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review drafts: %w", err)
	}
	return out, nil
}

// MarkRevealed records the id of the review record that revealed a draft.
func (s *Store) MarkRevealed(ctx context.Context, bookingID, reviewID string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE review_drafts SET review_id = ? WHERE booking_id = ?`, reviewID, bookingID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark review of %s revealed: %w", bookingID, err)
	}
	return nil
}

// DeleteReviewDraft forgets an unrevealed review whose seal could not be
// stored, so the user may try again.
func (s *Store) DeleteReviewDraft(ctx context.Context, bookingID string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM review_drafts WHERE booking_id = ? AND review_id = ''`, bookingID)
		return err
	})
	if err != nil {
		return fmt.Errorf("forget review of %s: %w", bookingID, err)
	}
	return nil
}
