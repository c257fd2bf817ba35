package domain

import (
	"encoding/json"
	"fmt"
)

// Conversations between people (DESIGN §4): a chat message may be about a
// booking, and the recipient's app answers messages with receipts, so the
// sender sees them go from sent to delivered to read.

// MessageReceipt is the kind of a receipt; its body is a Receipt.
const MessageReceipt = "receipt"

// The statuses a receipt reports.
const (
	ReceiptDelivered = "delivered"
	ReceiptRead      = "read"
)

// MaxReceiptIDs caps the messages one receipt acknowledges.
const MaxReceiptIDs = 500

// Receipt is the body of a receipt: the recipient has the messages of its
// author with these ids (delivered) or has shown them to its user (read).
type Receipt struct {
	Status string   `json:"status"`
	IDs    []string `json:"ids"`
}

// ReceiptBody encodes a receipt, refusing a bad status or ids.
func ReceiptBody(status string, ids []string) ([]byte, error) {
	r := Receipt{Status: status, IDs: ids}
	if err := r.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode receipt: %w", err)
	}
	return b, nil
}

// DecodeReceipt parses and checks a receipt body.
func DecodeReceipt(body []byte) (Receipt, error) {
	var r Receipt
	if err := decodeBody(body, &r); err != nil {
		return r, err
	}
	return r, r.validate()
}

func (r *Receipt) validate() error {
	if r.Status != ReceiptDelivered && r.Status != ReceiptRead {
		return bodyError("status", "%q: a receipt says %s or %s", r.Status, ReceiptDelivered, ReceiptRead)
	}
	if len(r.IDs) == 0 || len(r.IDs) > MaxReceiptIDs {
		return bodyError("ids", "%d ids, want 1 to %d", len(r.IDs), MaxReceiptIDs)
	}
	for i, id := range r.IDs {
		if err := checkUUIDv7(id); err != nil {
			return bodyError(fmt.Sprintf("ids[%d]", i), "%v", err)
		}
	}
	return nil
}

// bookingChat is a Chat about a booking: the same text, with the booking's
// id beside it, which a reader that knows only Chat ignores.
type bookingChat struct {
	Text      string `json:"text"`
	BookingID string `json:"booking_id"`
}

// ChatAbout encodes a chat text about a booking as a message body.
func ChatAbout(text, bookingID string) ([]byte, error) {
	if err := checkChat(text); err != nil {
		return nil, err
	}
	if err := checkUUIDv7(bookingID); err != nil {
		return nil, bodyError("booking_id", "%v", err)
	}
	b, err := json.Marshal(bookingChat{Text: text, BookingID: bookingID})
	if err != nil {
		return nil, fmt.Errorf("encode chat: %w", err)
	}
	return b, nil
}

// MessageBookingID is the booking a message body is about: its top-level
// booking_id (a chat about a booking, a booking step's answer), or the
// booking_id of the terms it carries (a request, an acceptance), or "".
func MessageBookingID(body []byte) string {
	var b struct {
		BookingID  string `json:"booking_id"`
		Terms      []byte `json:"terms"` // a booking/request
		Acceptance *struct {
			Terms []byte `json:"terms"`
		} `json:"acceptance"` // a booking/accept
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	terms := b.Terms
	if b.Acceptance != nil {
		terms = b.Acceptance.Terms
	}
	if b.BookingID != "" || terms == nil {
		return b.BookingID
	}
	var t struct {
		BookingID string `json:"booking_id"`
	}
	if json.Unmarshal(terms, &t) != nil {
		return ""
	}
	return t.BookingID
}
