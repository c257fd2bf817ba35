package domain

import (
	"errors"
	"testing"
	"time"
)

// bookingFixture is an owner, a renter and the terms of a 3-night stay.
type bookingFixture struct {
	owner, renter, other *Identity
	terms                BookingTerms
}

func newBookingFixture(t testing.TB) bookingFixture {
	t.Helper()
	var ids [3]*Identity
	for i := range ids {
		id, err := NewIdentity()
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	from, _ := DayStart("2026-12-01")
	to, _ := DayStart("2026-12-04")
	return bookingFixture{owner: ids[0], renter: ids[1], other: ids[2], terms: BookingTerms{
		BookingID: NewID(), ListingID: NewID(), ListingKind: KindRoom, Cells: []string{"6/33/22"},
		Owner: ids[0].Author(), Renter: ids[1].Author(), From: "2026-12-01", To: "2026-12-04", Guests: 2,
		StartAt: from.UnixMilli(), EndAt: to.UnixMilli(), TotalPrice: RoomTotal(40, 3), Currency: "EUR",
		Policy: PolicyModerate, RequestedAt: from.Add(-10 * 24 * time.Hour).UnixMilli(),
	}}
}

func (f bookingFixture) accepted(t testing.TB) Acceptance {
	t.Helper()
	req, err := f.renter.SignRequest(f.terms)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := f.owner.SignAcceptance(req)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func TestBookingTermsValidate(t *testing.T) {
	f := newBookingFixture(t)
	pt := &[2]float64{2.35, 48.85}
	tests := []struct {
		name  string
		edit  func(*BookingTerms)
		field string // "" means valid
	}{
		{"valid room", func(*BookingTerms) {}, ""},
		{"zero nights", func(b *BookingTerms) { b.To = b.From; b.EndAt = b.StartAt }, "to"},
		{"bad date", func(b *BookingTerms) { b.From = "1 Dec" }, "from"},
		{"no guests", func(b *BookingTerms) { b.Guests = 0 }, "guests"},
		{"end not the check-out day", func(b *BookingTerms) { b.EndAt += 1 }, "end_at"},
		{"same parties", func(b *BookingTerms) { b.Renter = b.Owner }, "renter"},
		{"bad policy", func(b *BookingTerms) { b.Policy = "lenient" }, "cancellation_policy"},
		{"negative price", func(b *BookingTerms) { b.TotalPrice = -1 }, "total_price"},
		{"seats on a room", func(b *BookingTerms) { b.Seats = 1 }, "seats"},
		{"bad kind", func(b *BookingTerms) { b.ListingKind = KindProfile }, "listing_kind"},
		{"valid ride", func(b *BookingTerms) {
			b.ListingKind, b.To, b.Guests, b.Seats, b.Pickup, b.Dropoff = KindRide, "", 0, 2, pt, pt
			b.EndAt = b.StartAt + 3600_000
		}, ""},
		{"ride without pickup", func(b *BookingTerms) {
			b.ListingKind, b.To, b.Guests, b.Seats, b.Dropoff = KindRide, "", 0, 2, pt
		}, "pickup"},
		{"ride ends before it departs", func(b *BookingTerms) {
			b.ListingKind, b.To, b.Guests, b.Seats, b.Pickup, b.Dropoff = KindRide, "", 0, 2, pt, pt
			b.EndAt = b.StartAt
		}, "end_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			terms := f.terms
			tc.edit(&terms)
			err := terms.Validate()
			var re *RejectError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("valid terms refused: %v", err)
			case tc.field != "" && (!errors.As(err, &re) || re.Field != tc.field):
				t.Fatalf("got %v, want a refusal of field %s", err, tc.field)
			}
		})
	}
}

func TestAcceptanceSignatures(t *testing.T) {
	f := newBookingFixture(t)
	acc := f.accepted(t)
	if got, err := acc.Verify(); err != nil || got.BookingID != f.terms.BookingID {
		t.Fatalf("verify: %v, %+v", err, got)
	}
	if _, err := f.other.SignAcceptance(acc); err == nil {
		t.Fatal("a third person signed an acceptance")
	}
	if _, err := f.owner.SignRequest(f.terms); err == nil {
		t.Fatal("the owner signed a request as renter")
	}
	tests := []struct {
		name string
		edit func(*Acceptance)
	}{
		{"no owner signature", func(a *Acceptance) { a.OwnerSig = nil }},
		{"owner signature by another key", func(a *Acceptance) {
			forged, _ := f.other.SignRequest(f.terms) // wrong role and key: a signature that is not the owner's
			a.OwnerSig = forged.RenterSig
		}},
		{"terms changed after signing", func(a *Acceptance) {
			t2 := f.terms
			t2.TotalPrice = 1
			b := mustJSON(t, t2)
			a.Terms = b
		}},
		{"renter signature swapped for the owner's", func(a *Acceptance) { a.RenterSig = a.OwnerSig }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := acc
			tc.edit(&a)
			if _, err := a.Verify(); ReasonOf(err) != ReasonBadSignature {
				t.Fatalf("got %v, want %s", err, ReasonBadSignature)
			}
		})
	}
}

func TestDecodeBookingMessages(t *testing.T) {
	f := newBookingFixture(t)
	req, err := f.renter.SignRequest(f.terms)
	if err != nil {
		t.Fatal(err)
	}
	body := mustJSON(t, BookingRequest{Acceptance: req, Note: "we arrive late"})
	if _, terms, err := DecodeBookingRequest(body, f.renter.Author()); err != nil || terms.Guests != 2 {
		t.Fatalf("request: %v", err)
	}
	if _, _, err := DecodeBookingRequest(body, f.other.Author()); err == nil {
		t.Fatal("a request relayed by a third person was taken as the renter's")
	}
	acc := f.accepted(t)
	ab := mustJSON(t, BookingAccept{Acceptance: acc, Address: "3 rue Haute"})
	if _, _, err := DecodeBookingAccept(ab, f.owner.Author()); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if _, _, err := DecodeBookingAccept(ab, f.renter.Author()); err == nil {
		t.Fatal("an acceptance sent by the renter was taken as the owner's")
	}
	if _, err := DecodeBookingAnswer([]byte(`{"booking_id":"x"}`)); err == nil {
		t.Fatal("a bad booking id passed")
	}
}

func TestNextStatus(t *testing.T) {
	f := newBookingFixture(t)
	terms := &f.terms
	req := terms.Requested()
	before := terms.Start().Add(-time.Hour)
	after := terms.End().Add(time.Hour)
	tests := []struct {
		name string
		cur  BookingStatus
		step BookingStep
		by   Role
		at   time.Time
		want BookingStatus // "" means refused
	}{
		{"request", "", StepRequest, RoleRenter, req, BookingRequested},
		{"request by the owner", "", StepRequest, RoleOwner, req, ""},
		{"request twice", BookingRequested, StepRequest, RoleRenter, req, ""},
		{"request a past stay", "", StepRequest, RoleRenter, after, ""},
		{"accept", BookingRequested, StepAccept, RoleOwner, req.Add(time.Hour), BookingAccepted},
		{"accept by the renter", BookingRequested, StepAccept, RoleRenter, req.Add(time.Hour), ""},
		{"accept after 24 h", BookingRequested, StepAccept, RoleOwner, req.Add(RequestTTL), ""},
		{"decline", BookingRequested, StepDecline, RoleOwner, req.Add(time.Hour), BookingDeclined},
		{"decline an accepted booking", BookingAccepted, StepDecline, RoleOwner, req.Add(time.Hour), ""},
		{"renter withdraws", BookingRequested, StepCancel, RoleRenter, req.Add(time.Hour), BookingCancelled},
		{"owner cancels", BookingAccepted, StepCancel, RoleOwner, before, BookingCancelled},
		{"cancel after the end", BookingAccepted, StepCancel, RoleRenter, after, ""},
		{"cancel a declined one", BookingDeclined, StepCancel, RoleRenter, before, ""},
		{"complete", BookingAccepted, StepComplete, RoleRenter, after, BookingCompleted},
		{"complete early", BookingAccepted, StepComplete, RoleOwner, before, ""},
		{"complete a request", BookingRequested, StepComplete, RoleOwner, after, ""},
		{"complete twice", BookingCompleted, StepComplete, RoleOwner, after, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NextStatus(tc.cur, tc.step, tc.by, terms, tc.at)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("moved to %s, want a refusal", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	if s := BookingRequested.Effective(terms, req.Add(RequestTTL)); s != BookingExpired {
		t.Fatalf("a request 24 h old is %s, want expired", s)
	}
}

func TestRefundShare(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		policy  CancellationPolicy
		byOwner bool
		before  time.Duration
		want    float64
	}{
		{"", false, 48 * time.Hour, 1},
		{PolicyFlexible, false, 12 * time.Hour, 0},
		{PolicyModerate, false, 6 * 24 * time.Hour, 1},
		{PolicyModerate, false, 4 * 24 * time.Hour, 0},
		{PolicyStrict, false, 8 * 24 * time.Hour, 0.5},
		{PolicyStrict, false, 6 * 24 * time.Hour, 0},
		{PolicyStrict, true, time.Hour, 1},
	}
	for _, tc := range tests {
		if got := RefundShare(tc.policy, tc.byOwner, start.Add(-tc.before), start); got != tc.want {
			t.Errorf("%s owner=%v %v before: %v, want %v", tc.policy, tc.byOwner, tc.before, got, tc.want)
		}
	}
}

func TestOverlapsAndMerge(t *testing.T) {
	tests := []struct {
		a, b [2]string
		want bool
	}{
		{[2]string{"2026-12-01", "2026-12-04"}, [2]string{"2026-12-03", "2026-12-05"}, true},
		{[2]string{"2026-12-01", "2026-12-04"}, [2]string{"2026-12-04", "2026-12-05"}, false}, // check-out day is free
		{[2]string{"2026-12-02", "2026-12-03"}, [2]string{"2026-12-01", "2026-12-09"}, true},
	}
	for _, tc := range tests {
		if got := Overlaps(tc.a[0], tc.a[1], tc.b[0], tc.b[1]); got != tc.want {
			t.Errorf("Overlaps(%v, %v) = %v", tc.a, tc.b, got)
		}
	}
	got := MergeBlocked([]DateRange{{"2026-12-10", "2026-12-12"}, {"2026-12-01", "2026-12-04"}}, DateRange{"2026-12-04", "2026-12-06"})
	want := []DateRange{{"2026-12-01", "2026-12-06"}, {"2026-12-10", "2026-12-12"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("merged %v, want %v", got, want)
	}
	cut := UnblockRange(want, DateRange{"2026-12-02", "2026-12-04"})
	if len(cut) != 3 || cut[0] != (DateRange{"2026-12-01", "2026-12-02"}) || cut[1] != (DateRange{"2026-12-04", "2026-12-06"}) {
		t.Fatalf("unblocked %v", cut)
	}
	if got := UnblockRange(cut, DateRange{"2026-12-10", "2026-12-12"}); len(got) != 2 {
		t.Fatalf("unblocking a whole range left %v", got)
	}
}

func TestCheckSettlement(t *testing.T) {
	tests := []struct {
		kind string
		by   Role
		st   BookingStatus
		ok   bool
	}{
		{MessageBookingPaid, RoleRenter, BookingAccepted, true},
		{MessageBookingReceived, RoleOwner, BookingCompleted, true},
		{MessageBookingPaid, RoleOwner, BookingAccepted, false},
		{MessageBookingReceived, RoleRenter, BookingAccepted, false},
		{MessageBookingPaid, RoleRenter, BookingRequested, false},
		{MessageBookingPaid, RoleRenter, BookingDeclined, false},
		{MessageChat, RoleRenter, BookingAccepted, false},
	}
	for _, tc := range tests {
		if err := CheckSettlement(tc.kind, tc.by, tc.st); (err == nil) != tc.ok {
			t.Errorf("%s by %s when %s: %v, want ok=%v", tc.kind, tc.by, tc.st, err, tc.ok)
		}
	}
}
