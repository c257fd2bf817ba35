package domain

import (
	"errors"
	"testing"
	"time"
)

// reviewFixture is an accepted, ended booking and the two parties' seals.
type reviewFixture struct {
	bookingFixture
	acc                 Acceptance
	after               time.Time // a day after the end
	ownerC, renterC     ReviewContent
	ownerN, renterN     string
	ownerSeal, rentSeal Record
}

func newReviewFixture(t *testing.T) reviewFixture {
	t.Helper()
	f := reviewFixture{bookingFixture: newBookingFixture(t)}
	f.acc = f.accepted(t)
	f.after = f.terms.End().Add(24 * time.Hour)
	f.renterC = ReviewContent{BookingID: f.terms.BookingID, Stars: 5, Categories: map[string]int{"cleanliness": 5, "value": 4}, Text: "Lovely"}
	f.ownerC = ReviewContent{BookingID: f.terms.BookingID, Stars: 4, Text: "Tidy guests"}
	var err error
	if f.renterN, err = NewNonce(); err != nil {
		t.Fatal(err)
	}
	if f.ownerN, err = NewNonce(); err != nil {
		t.Fatal(err)
	}
	if f.rentSeal, err = f.renter.NewReviewSealRecord(f.acc, f.renterC, f.renterN, f.after); err != nil {
		t.Fatal(err)
	}
	if f.ownerSeal, err = f.owner.NewReviewSealRecord(f.acc, f.ownerC, f.ownerN, f.after); err != nil {
		t.Fatal(err)
	}
	return f
}

// validAt validates r as a peer whose clock says now.
func validAt(r Record, now time.Time) error { return Validate(&r, now) }

func TestReviewCommitReveal(t *testing.T) {
	f := newReviewFixture(t)
	now := f.after.Add(time.Hour)
	for _, s := range []Record{f.rentSeal, f.ownerSeal} {
		if err := validAt(s, now); err != nil {
			t.Fatalf("seal by %s: %v", s.Author, err)
		}
	}
	rev, err := f.renter.NewReviewRecord(f.renterC, f.renterN, f.rentSeal, &f.ownerSeal, now)
	if err != nil {
		t.Fatal(err)
	}
	body, err := ValidateDecode(&rev, now)
	if err != nil {
		t.Fatalf("review with both seals: %v", err)
	}
	cr := body.(*CheckedReview)
	if cr.Terms.Owner != f.owner.Author() || cr.Stars != 5 || cr.Categories["value"] != 4 {
		t.Fatalf("decoded %+v", cr)
	}
	if rev.Cells[0] != f.terms.Cells[0] {
		t.Fatalf("review cells %v, want the listing's %v", rev.Cells, f.terms.Cells)
	}
	// Alone, the renter may reveal only RevealAfter the end.
	if _, err := f.renter.NewReviewRecord(f.renterC, f.renterN, f.rentSeal, nil, now); err == nil {
		t.Fatal("a review revealed with one seal before the deadline")
	}
	late := f.terms.End().Add(RevealAfter + time.Hour)
	alone, err := f.renter.NewReviewRecord(f.renterC, f.renterN, f.rentSeal, nil, late)
	if err != nil {
		t.Fatalf("lone reveal after the deadline: %v", err)
	}
	if err := validAt(alone, late); err != nil {
		t.Fatalf("lone reveal after the deadline: %v", err)
	}
}

func TestReviewRejections(t *testing.T) {
	f := newReviewFixture(t)
	now := f.after.Add(time.Hour)
	// A third person with its own "acceptance", signed by itself as owner.
	fakeTerms := f.terms
	fakeTerms.Renter = f.other.Author()
	fakeReq, err := f.other.SignRequest(fakeTerms)
	if err != nil {
		t.Fatal(err)
	}
	fakeReq.OwnerSig = fakeReq.RenterSig // no owner's signature to be had
	forgedSeal := func(t *testing.T, a Acceptance) Record {
		// Sign the seal by hand: NewReviewSealRecord refuses a bad acceptance.
		c, _ := Commit(f.renterC, f.renterN)
		r, err := f.other.newRecord(KindReviewSeal, ReviewSeal{Acceptance: a, Commitment: c}, f.terms.Cells, nil, now, now.Add(ReviewLifetime))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	sign := func(t *testing.T, by *Identity, rv Review, issued time.Time, version uint64) Record {
		r, err := by.newRecord(KindReview, rv, f.terms.Cells, nil, issued, issued.Add(ReviewLifetime))
		if err != nil {
			t.Fatal(err)
		}
		if version != 1 {
			r.Version = version
			by.Sign(&r)
		}
		return r
	}
	good := Review{ReviewContent: f.renterC, Nonce: f.renterN, Seals: []Record{f.rentSeal, f.ownerSeal}}
	tests := []struct {
		name   string
		rec    func(t *testing.T) Record
		reason Reason
	}{
		{"seal by a third person reusing a real acceptance", func(t *testing.T) Record { return forgedSeal(t, f.acc) }, ReasonNotOwner},
		{"seal without the owner's signature", func(t *testing.T) Record { return forgedSeal(t, fakeReq) }, ReasonBadSignature},
		{"seal before the end", func(t *testing.T) Record {
			c, _ := Commit(f.renterC, f.renterN)
			early := f.terms.End().Add(-time.Hour)
			r, _ := f.renter.newRecord(KindReviewSeal, ReviewSeal{Acceptance: f.acc, Commitment: c}, f.terms.Cells, nil, early, early.Add(ReviewLifetime))
			return r
		}, ReasonBadBody},
		{"review by a third person", func(t *testing.T) Record {
			rv := good
			rv.Seals = []Record{forgedSeal(t, f.acc), f.ownerSeal}
			return sign(t, f.other, rv, now, 1)
		}, ReasonBadBody},
		{"review with another's seal first", func(t *testing.T) Record { return sign(t, f.other, good, now, 1) }, ReasonBadBody},
		{"reveal with one seal before the deadline", func(t *testing.T) Record {
			rv := good
			rv.Seals = rv.Seals[:1]
			return sign(t, f.renter, rv, now, 1)
		}, ReasonBadBody},
		{"reveal with the author's seal twice", func(t *testing.T) Record {
			rv := good
			rv.Seals = []Record{f.rentSeal, f.rentSeal}
			return sign(t, f.renter, rv, now, 1)
		}, ReasonBadBody},
		{"content differs from the seal", func(t *testing.T) Record {
			rv := good
			rv.Stars = 1
			return sign(t, f.renter, rv, now, 1)
		}, ReasonBadBody},
		{"wrong nonce", func(t *testing.T) Record {
			rv := good
			rv.Nonce = f.ownerN
			return sign(t, f.renter, rv, now, 1)
		}, ReasonBadBody},
		{"edited review", func(t *testing.T) Record { return sign(t, f.renter, good, now, 2) }, ReasonBadVersion},
		{"owner gives categories", func(t *testing.T) Record {
			rv := Review{ReviewContent: f.ownerC, Nonce: f.ownerN, Seals: []Record{f.ownerSeal, f.rentSeal}}
			rv.Categories = map[string]int{"value": 3}
			return sign(t, f.owner, rv, now, 1)
		}, ReasonBadBody},
		{"wrong cells", func(t *testing.T) Record {
			r, _ := f.renter.newRecord(KindReview, good, []string{"6/1/1"}, nil, now, now.Add(ReviewLifetime))
			return r
		}, ReasonBadCells},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validAt(tc.rec(t), now)
			if err == nil {
				t.Fatal("accepted")
			}
			var re *RejectError
			if !errors.As(err, &re) || (re.Reason != tc.reason && !(tc.reason == ReasonBadBody && re.Field != "")) {
				t.Fatalf("got %v, want %s", err, tc.reason)
			}
		})
	}
}

func TestReviewContentValidate(t *testing.T) {
	id := NewID()
	tests := []struct {
		name string
		c    ReviewContent
		kind Kind
		by   Role
		ok   bool
	}{
		{"room review", ReviewContent{BookingID: id, Stars: 4, Categories: map[string]int{"location": 5}}, KindRoom, RoleRenter, true},
		{"ride review", ReviewContent{BookingID: id, Stars: 4, Categories: map[string]int{"punctuality": 5}}, KindRide, RoleRenter, true},
		{"ride category on a room", ReviewContent{BookingID: id, Stars: 4, Categories: map[string]int{"safety": 5}}, KindRoom, RoleRenter, false},
		{"zero stars", ReviewContent{BookingID: id, Stars: 0}, KindRoom, RoleRenter, false},
		{"six stars", ReviewContent{BookingID: id, Stars: 6}, KindRoom, RoleRenter, false},
		{"category out of range", ReviewContent{BookingID: id, Stars: 3, Categories: map[string]int{"value": 9}}, KindRoom, RoleRenter, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Validate(tc.kind, tc.by); (err == nil) != tc.ok {
				t.Fatalf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// BenchmarkValidateReview measures what every peer pays to check a review
// revealed with both seals: the record's signature, both seals' and the
// acceptance's two, and the commitment.
func BenchmarkValidateReview(b *testing.B) {
	t := &testing.T{}
	f := newReviewFixture(t)
	now := f.after.Add(time.Hour)
	rev, err := f.renter.NewReviewRecord(f.renterC, f.renterN, f.rentSeal, &f.ownerSeal, now)
	if err != nil {
		b.Fatal(err)
	}
	wire, err := rev.Encode()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := Validate(&rev, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(wire)), "wire-bytes")
}
