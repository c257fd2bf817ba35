package domain

import (
	"testing"
	"time"
)

// TestPausedTravelsInTheBody: the paused flag is part of the signed body,
// so every peer that validates the record reads it the same way.
func TestPausedTravelsInTheBody(t *testing.T) {
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	room := Room{Title: "Attic", Lat: 48.85, Lon: 2.35, PricePerNight: 38, Currency: "EUR", MaxGuests: 2}
	ride := Ride{Title: "Lyon to Paris", Route: [][2]float64{{4.83, 45.76}, {2.35, 48.85}}, DepartAt: now.Add(48 * time.Hour),
		Seats: 3, PricePerSeat: 25, Currency: "EUR"}
	tests := []struct {
		name   string
		paused bool
		sign   func(paused bool) (Record, error)
	}{
		{"room", false, func(p bool) (Record, error) { r := room; r.Paused = p; return id.NewRoomRecord(r, nil, now) }},
		{"paused room", true, func(p bool) (Record, error) { r := room; r.Paused = p; return id.NewRoomRecord(r, nil, now) }},
		{"ride", false, func(p bool) (Record, error) { r := ride; r.Paused = p; return id.NewRideRecord(r, nil, now) }},
		{"paused ride", true, func(p bool) (Record, error) { r := ride; r.Paused = p; return id.NewRideRecord(r, nil, now) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := tc.sign(tc.paused)
			if err != nil {
				t.Fatal(err)
			}
			body, err := ValidateDecode(&rec, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := IsPaused(body); got != tc.paused {
				t.Errorf("IsPaused = %v, want %v (body %s)", got, tc.paused, rec.Body)
			}
		})
	}
	if IsPaused(&Calendar{}) || IsPaused(nil) {
		t.Error("a calendar or a tombstone reads as paused")
	}
}
