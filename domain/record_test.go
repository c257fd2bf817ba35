package domain

import (
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func testRoom() Room {
	return Room{
		Title: "Quiet room by the canal", Description: "Bright, two windows.",
		Lat: 52.37, Lon: 4.89, PricePerNight: 45, Currency: "EUR", MaxGuests: 2,
		Amenities: []string{"wifi", "kitchen"},
	}
}

func mustIdentity(t testing.TB) *Identity {
	t.Helper()
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustRoom(t testing.TB, id *Identity) Record {
	t.Helper()
	r, err := id.NewRoomRecord(testRoom(), nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestValidateAcceptsFreshRecords(t *testing.T) {
	id := mustIdentity(t)
	room := mustRoom(t, id)
	ride, err := id.NewRideRecord(Ride{
		Title: "Amsterdam to Berlin", Route: [][2]float64{{4.89, 52.37}, {7.0, 52.3}, {13.4, 52.52}},
		DepartAt: testNow.Add(48 * time.Hour), Seats: 3, PricePerSeat: 25, Currency: "EUR",
	}, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := id.NewCalendarRecord(Calendar{RoomID: room.ID, Blocked: []DateRange{{"2026-12-01", "2026-12-04"}}}, room.Cells[0], nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := id.NewProfileRecord(Profile{Name: "Ada"}, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	tomb, err := id.NewTombstone(room, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{room, ride, cal, prof, tomb} {
		if err := Validate(&r, testNow); err != nil {
			t.Errorf("%s: %v", r.Kind, err)
		}
	}
	if ride.Cells[0] == ride.Cells[len(ride.Cells)-1] || len(ride.Cells) < 2 {
		t.Errorf("ride from Amsterdam to Berlin has cells %v, want several", ride.Cells)
	}
	if got := ride.Body; !strings.Contains(string(got), `"seats_left":3`) {
		t.Errorf("new ride body %s: want all seats left", got)
	}
}

func TestValidateRejects(t *testing.T) {
	id := mustIdentity(t)
	other := mustIdentity(t)
	resign := func(f func(*Record)) func(*Record) {
		return func(r *Record) { f(r); id.Sign(r) }
	}
	bodyWith := func(f func(*Room)) func(*Record) {
		return resign(func(r *Record) {
			room := testRoom()
			f(&room)
			r.Body = mustJSON(t, room)
		})
	}
	tests := []struct {
		name   string
		tamper func(*Record)
		want   Reason
	}{
		{"edited body", func(r *Record) { r.Body = []byte(strings.Replace(string(r.Body), "45", "5", 1)) }, ReasonBadSignature},
		{"bad signature", func(r *Record) { r.Sig[0] ^= 1 }, ReasonBadSignature},
		{"short signature", func(r *Record) { r.Sig = r.Sig[:10] }, ReasonBadSignature},
		{"other author claims it", func(r *Record) { r.Author = other.Author() }, ReasonBadSignature},
		{"author not a peer id", func(r *Record) { r.Author = "alice" }, ReasonBadAuthor},
		{"future", resign(func(r *Record) { r.IssuedAt = testNow.Add(11 * time.Minute).UnixMilli() }), ReasonFuture},
		{"expired", resign(func(r *Record) { r.IssuedAt -= 59 * 24 * 3600 * 1000; r.ExpiresAt = testNow.UnixMilli() - 1 }), ReasonExpired},
		{"lives too long", resign(func(r *Record) { r.ExpiresAt = r.IssuedAt + int64(61*24*time.Hour/time.Millisecond) }), ReasonBadExpiry},
		{"version zero", resign(func(r *Record) { r.Version = 0 }), ReasonBadVersion},
		{"unknown kind", resign(func(r *Record) { r.Kind = "auction" }), ReasonBadKind},
		{"id not uuidv7", resign(func(r *Record) { r.ID = "8a1c1d7e-1111-4111-8111-111111111111" }), ReasonBadID},
		{"too large", bodyWith(func(r *Room) { r.Description = strings.Repeat("x", 70000) }), ReasonTooLarge},
		{"NaN latitude", resign(func(r *Record) { r.Body = []byte(strings.Replace(string(r.Body), `"lat":52.37`, `"lat":1e999`, 1)) }), ReasonBadBody},
		{"latitude out of range", bodyWith(func(r *Room) { r.Lat = 91 }), ReasonBadCoordinate},
		{"longitude out of range", bodyWith(func(r *Room) { r.Lon = -180.5 }), ReasonBadCoordinate},
		{"wrong cell", resign(func(r *Record) { r.Cells = []string{"6/0/0"} }), ReasonBadCells},
		{"tombstone with a repeated cell", resign(func(r *Record) { r.Kind, r.Body, r.Cells = KindTombstone, nil, []string{"6/32/21", "6/32/21"} }), ReasonBadCells},
		{"no title", bodyWith(func(r *Room) { r.Title = "  " }), ReasonBadBody},
		{"bad currency", bodyWith(func(r *Room) { r.Currency = "EURO" }), ReasonBadBody},
		{"no guests", bodyWith(func(r *Room) { r.MaxGuests = 0 }), ReasonBadBody},
		{"negative price", bodyWith(func(r *Room) { r.PricePerNight = -1 }), ReasonBadBody},
		{"duplicate amenity", bodyWith(func(r *Room) { r.Amenities = []string{"wifi", "wifi"} }), ReasonBadBody},
		{"body not json", resign(func(r *Record) { r.Body = []byte("{") }), ReasonBadBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRoom(t, id)
			tc.tamper(&r)
			err := Validate(&r, testNow)
			if got := ReasonOf(err); err == nil || got != tc.want {
				t.Fatalf("Validate = %v, want reason %s", err, tc.want)
			}
			// In a batch, the bad record is refused for the same reason
			// and the good ones around it pass.
			batch := ValidateBatch([]Record{mustRoom(t, id), r, mustRoom(t, other)}, testNow)
			if batch[0].Err != nil || batch[2].Err != nil {
				t.Errorf("good records of the batch: %v, %v", batch[0].Err, batch[2].Err)
			}
			if got := ReasonOf(batch[1].Err); batch[1].Err == nil || got != tc.want {
				t.Errorf("ValidateBatch = %v, want reason %s", batch[1].Err, tc.want)
			}
		})
	}
}

func TestSucceeds(t *testing.T) {
	id := mustIdentity(t)
	other := mustIdentity(t)
	v1 := mustRoom(t, id)
	room := testRoom()
	room.PricePerNight = 50
	v2, err := id.NewRoomRecord(room, &v1, testNow)
	if err != nil {
		t.Fatal(err)
	}
	head := func(r Record) *Head { return &Head{Kind: r.Kind, Author: r.Author, Version: r.Version, Hash: r.Hash()} }
	stolen := v2
	other.Sign(&stolen)
	tomb, _ := id.NewTombstone(v2, testNow)
	v3, _ := id.NewRoomRecord(room, &v2, testNow)
	tests := []struct {
		name string
		prev *Head
		rec  Record
		want Succession
		err  Reason
	}{
		{"first", nil, v1, Newer, ""},
		{"newer", head(v1), v2, Newer, ""},
		{"same", head(v2), v2, Same, ""},
		{"older", head(v2), v1, Older, ""},
		{"other author", head(v1), stolen, 0, ReasonNotOwner},
		{"tombstone", head(v2), tomb, Newer, ""},
		{"after tombstone", head(tomb), func() Record { r := v3; r.Version = 9; id.Sign(&r); return r }(), 0, ReasonBadKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Succeeds(tc.prev, &tc.rec)
			if tc.err != "" {
				if ReasonOf(err) != tc.err || err == nil {
					t.Fatalf("err = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Succeeds = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestRecordJSONRoundTrip(t *testing.T) {
	r := mustRoom(t, mustIdentity(t))
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != r.Hash() {
		t.Fatal("record changed through JSON")
	}
	if err := Validate(&back, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeRecord([]byte(`{"kind":"room","version":"two"}`)); err == nil || !strings.Contains(err.Error(), `"version"`) {
		t.Errorf("bad field type: error %v should name the field", err)
	}
}

func TestIdentityRoundTrip(t *testing.T) {
	id := mustIdentity(t)
	b, err := MarshalIdentity(id)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalIdentity(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Author() != id.Author() {
		t.Fatal("identity changed through marshalling")
	}
	r := mustRoom(t, back)
	if err := VerifySignature(&r); err != nil {
		t.Fatal(err)
	}
}
