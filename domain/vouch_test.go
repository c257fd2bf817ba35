package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPersonTopic(t *testing.T) {
	a, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	key := PersonTopic(a.Author())
	if !IsPersonTopic(key) || len(key) != len(PersonTopicPrefix)+2 || PersonTopic(a.Author()) != key {
		t.Fatalf("person topic %q", key)
	}
	for _, bad := range []string{"person/", "person/abc", "person/AB", "person/zz", "6/1/2/3", ""} {
		if IsPersonTopic(bad) || CheckTopic(bad) == nil {
			t.Errorf("%q accepted as a topic", bad)
		}
	}
	for _, good := range []string{key, "6/32/22"} {
		if err := CheckTopic(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	if CheckTopic("12/1/1") == nil {
		t.Error("a zoom-12 cell accepted as a topic")
	}
	p, err := a.NewProfileRecord(Profile{Name: "Ana"}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := Topics(&p); len(got) != 1 || got[0] != key || !InTopic(&p, key) || InTopic(&p, "6/32/22") {
		t.Fatalf("profile topics %v", got)
	}
}

func TestVouchRules(t *testing.T) {
	now := time.Now()
	a, _ := NewIdentity()
	b, _ := NewIdentity()
	v, err := a.NewVouchRecord(Vouch{Subject: b.Author(), Text: "Neighbour for ten years."}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(&v, now); err != nil {
		t.Fatalf("valid vouch refused: %v", err)
	}
	if !InTopic(&v, PersonTopic(b.Author())) || InTopic(&v, PersonTopic(a.Author())) {
		t.Fatalf("vouch topics %v", Topics(&v))
	}
	next, err := a.NewVouchRecord(Vouch{Subject: b.Author()}, &v, now.Add(time.Second))
	if err != nil || next.ID != v.ID || next.Version != 2 {
		t.Fatalf("replacement %+v, %v", next, err)
	}
	tomb, err := a.NewTombstone(next, now.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(&tomb, now.Add(2*time.Second)); err != nil || !InTopic(&tomb, PersonTopic(b.Author())) {
		t.Fatalf("withdrawal: %v, topics %v", err, tomb.Cells)
	}

	if _, err := a.NewVouchRecord(Vouch{Subject: a.Author()}, nil, now); ReasonOf(err) != ReasonBadBody {
		t.Errorf("self-vouch: %v", err)
	}
	cases := []struct {
		name string
		edit func(r *Record)
		want Reason
	}{
		{"self", func(r *Record) {
			r.Body = mustJSON(t, Vouch{Subject: a.Author()})
			r.Cells = []string{PersonTopic(a.Author())}
		}, ReasonBadBody},
		{"wrong topic", func(r *Record) { r.Cells = []string{"6/32/22"} }, ReasonBadCells},
		{"no topic", func(r *Record) { r.Cells = nil }, ReasonBadCells},
		{"bad subject", func(r *Record) { r.Body = mustJSON(t, Vouch{Subject: "bob"}) }, ReasonBadBody},
		{"long text", func(r *Record) {
			r.Body = mustJSON(t, Vouch{Subject: b.Author(), Text: strings.Repeat("x", MaxVouchText+1)})
		}, ReasonBadBody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := v
			c.edit(&r)
			a.Sign(&r)
			if err := Validate(&r, now); ReasonOf(err) != c.want {
				t.Fatalf("%v, want %s", err, c.want)
			}
		})
	}
}

func TestMessageBookingID(t *testing.T) {
	id := NewID()
	terms, err := json.Marshal(BookingTerms{BookingID: id})
	if err != nil {
		t.Fatal(err)
	}
	chat, err := ChatAbout("see you", id)
	if err != nil {
		t.Fatal(err)
	}
	encode := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"chat about it", chat, id},
		{"request", encode(BookingRequest{Acceptance: Acceptance{Terms: terms}}), id},
		{"acceptance", encode(BookingAccept{Acceptance: Acceptance{Terms: terms}}), id},
		{"answer", encode(BookingAnswer{BookingID: id, Reason: "ill"}), id},
		{"plain chat", []byte(`{"text":"hi"}`), ""},
		{"terms not JSON", encode(BookingRequest{Acceptance: Acceptance{Terms: []byte("x")}}), ""},
		{"not JSON", []byte("{"), ""},
	} {
		if got := MessageBookingID(tc.body); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
