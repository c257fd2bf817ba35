package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// Booking is one of the user's bookings, as renter or owner (private: never
// sent by sync).
type Booking struct {
	Role       domain.Role
	Terms      domain.BookingTerms
	Acceptance domain.Acceptance // the signed terms; OwnerSig once accepted
	Status     domain.BookingStatus
	Reason     string // why it was declined or cancelled
	Note       string // the renter's word with the request
	Address    string // given with the acceptance
	Contact    string
	PaidAt     time.Time // zero until the renter marked it paid
	ReceivedAt time.Time // zero until the owner marked the payment received
	UpdatedAt  time.Time
}

const bookingCols = `role, status, reason, terms, renter_sig, owner_sig, note, address, contact, paid_at, received_at, updated_at`

func scanBooking(sc interface{ Scan(...any) error }) (Booking, error) {
	var b Booking
	var paid, received, updated int64
	if err := sc.Scan(&b.Role, &b.Status, &b.Reason, &b.Acceptance.Terms, &b.Acceptance.RenterSig, &b.Acceptance.OwnerSig,
		&b.Note, &b.Address, &b.Contact, &paid, &received, &updated); err != nil {
		return b, err
	}
	if paid > 0 {
		b.PaidAt = time.UnixMilli(paid)
	}
	if received > 0 {
		b.ReceivedAt = time.UnixMilli(received)
	}
	if err := json.Unmarshal(b.Acceptance.Terms, &b.Terms); err != nil {
		return b, fmt.Errorf("stored terms: %w", err)
	}
	b.UpdatedAt = time.UnixMilli(updated)
	return b, nil
}

// InsertBooking stores a new booking. It fails with ErrExists when the
// booking id is already stored.
func (s *Store) InsertBooking(ctx context.Context, b Booking) error {
	t := &b.Terms
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO bookings(id, role, listing_id, listing_kind, owner, renter,
			from_day, to_day, guests, seats, start_at, end_at, requested_at, status, reason, terms, renter_sig, owner_sig,
			note, address, contact, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.BookingID, b.Role, t.ListingID, t.ListingKind, t.Owner, t.Renter, t.From, t.To, t.Guests, t.Seats,
			t.StartAt, t.EndAt, t.RequestedAt, b.Status, b.Reason, b.Acceptance.Terms, b.Acceptance.RenterSig,
			b.Acceptance.OwnerSig, b.Note, b.Address, b.Contact, s.nowMs(b.UpdatedAt))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store booking %s: %w", t.BookingID, err)
	}
	if n == 0 {
		return fmt.Errorf("booking %s: %w", t.BookingID, ErrExists)
	}
	return nil
}

// UpdateBooking moves a stored booking from status from to b's status,
// with b's reason, owner signature, address and contact. It reports false,
// changing nothing, when the booking is no longer in status from (another
// step came first).
func (s *Store) UpdateBooking(ctx context.Context, b Booking, from domain.BookingStatus) (bool, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bookings SET status = ?, reason = ?, owner_sig = ?, address = ?, contact = ?,
			updated_at = ? WHERE id = ? AND status = ?`, b.Status, b.Reason, b.Acceptance.OwnerSig, b.Address, b.Contact,
			s.nowMs(b.UpdatedAt), b.Terms.BookingID, from)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("update booking %s: %w", b.Terms.BookingID, err)
	}
	return n == 1, nil
}

// MarkSettled records when a booking was marked paid (received false) or
// its payment received. It reports false when it already was.
func (s *Store) MarkSettled(ctx context.Context, id string, received bool, at time.Time) (bool, error) {
	col := "paid_at"
	if received {
		col = "received_at"
	}
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bookings SET `+col+` = ?, updated_at = ? WHERE id = ? AND `+col+` = 0`,
			at.UnixMilli(), s.nowMs(at), id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark booking %s settled: %w", id, err)
	}
	return n == 1, nil
}

// Booking returns one booking by id, or ErrNotFound.
func (s *Store) Booking(ctx context.Context, id string) (Booking, error) {
	b, err := scanBooking(s.r.QueryRowContext(ctx, `SELECT `+bookingCols+` FROM bookings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("booking %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("booking %s: %w", id, err)
	}
	return b, nil
}

// BookingFilter selects bookings; empty fields do not filter.
type BookingFilter struct {
	Role      domain.Role
	ListingID string
	Statuses  []domain.BookingStatus // stored statuses (an expired request is stored as requested)
}

// Bookings lists the user's bookings matching f, most recently changed first.
func (s *Store) Bookings(ctx context.Context, f BookingFilter) ([]Booking, error) {
	statuses := make([]string, len(f.Statuses))
	for i, st := range f.Statuses {
		statuses[i] = string(st)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+bookingCols+` FROM bookings
		WHERE (?1 = '' OR role = ?1) AND (?2 = '' OR listing_id = ?2)
		  AND (json_array_length(?3) = 0 OR status IN (SELECT value FROM json_each(?3)))
		ORDER BY updated_at DESC, id`, string(f.Role), f.ListingID, jsonText(statuses))
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	defer rows.Close()
	out := []Booking{}
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("list bookings: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return out, nil
}

// CalendarOf returns the current calendar record an author published for a
// room, or ErrNotFound.
func (s *Store) CalendarOf(ctx context.Context, roomID, author string) (domain.Record, error) {
	var raw []byte
	err := s.r.QueryRowContext(ctx, `SELECT r.raw FROM calendars c JOIN records r ON r.rid = c.rid
		WHERE c.room_id = ? AND c.author = ? ORDER BY r.issued_at DESC LIMIT 1`, roomID, author).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Record{}, fmt.Errorf("calendar of room %s: %w", roomID, ErrNotFound)
	}
	if err != nil {
		return domain.Record{}, fmt.Errorf("calendar of room %s: %w", roomID, err)
	}
	return decodeRaw(raw)
}
