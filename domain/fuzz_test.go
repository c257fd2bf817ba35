package domain

import (
	"bytes"
	"testing"
)

// FuzzDecodeRecord feeds arbitrary bytes to the wire decoder and the validator:
// neither may panic, and whatever validates must survive a JSON round trip
// unchanged.
func FuzzDecodeRecord(f *testing.F) {
	id := mustIdentity(f)
	r := mustRoom(f, id)
	good, _ := r.Encode()
	f.Add(good)
	f.Add([]byte(`{"kind":"room","id":"x","version":1}`))
	f.Add([]byte(`{"kind":"tombstone","body":null,"cells":["6/1/2"]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := DecodeRecord(b)
		if err != nil {
			return
		}
		if Validate(&rec, testNow) != nil {
			return
		}
		again, err := rec.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeRecord(again)
		if err != nil || back.Hash() != rec.Hash() {
			t.Fatalf("valid record changed through JSON: %v", err)
		}
	})
}

// FuzzValidateBody signs arbitrary bodies of each kind: validation may refuse
// them but must never panic, and an accepted room body must decode.
func FuzzValidateBody(f *testing.F) {
	id := mustIdentity(f)
	room := mustRoom(f, id)
	f.Add(string(KindRoom), room.Body, "6/32/21")
	f.Add(string(KindRide), []byte(`{"title":"x","route":[[0,0],[1,1]],"depart_at":"2026-11-26T10:00:00Z","seats":2,"seats_left":2,"price_per_seat":1,"currency":"EUR"}`), "6/32/31")
	f.Add(string(KindCalendar), []byte(`{"room_id":"019ab000-0000-7000-8000-000000000000","blocked":[{"from":"2026-12-01","to":"2026-12-02"}]}`), "6/32/21")
	f.Add(string(KindProfile), []byte(`{"name":"Ada"}`), "")
	f.Add(string(KindWish), []byte(`{"stay":{"centre":[4.89,52.37],"radius_km":5,"from":"2026-11-25","to":"2026-11-27","guests":2}}`), "6/32/21")
	f.Add(string(KindWish), []byte(`{"ride":{"from":[4.89,52.37],"to":[4.9,52.4],"depart_after":"2026-11-25T13:00:00Z","depart_before":"2026-11-27T10:00:00Z","seats":1}}`), "6/32/21")
	f.Fuzz(func(t *testing.T, kind string, body []byte, cell string) {
		rec := Record{Kind: Kind(kind), ID: NewID(), Version: 1, IssuedAt: testNow.UnixMilli(), ExpiresAt: testNow.Add(RideGrace).UnixMilli(), Body: body}
		if cell != "" {
			rec.Cells = []string{cell}
		}
		id.Sign(&rec)
		if err := Validate(&rec, testNow); err != nil {
			if ReasonOf(err) == ReasonBadSignature {
				t.Fatalf("own signature refused: %v", err)
			}
			return
		}
		if rec.Kind == KindRoom {
			if _, err := DecodeRoom(bytes.Clone(rec.Body)); err != nil {
				t.Fatalf("accepted room body does not decode: %v", err)
			}
		}
	})
}
