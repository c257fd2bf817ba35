package domain

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

func TestApproximatePin(t *testing.T) {
	a, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	points := [][2]float64{{48.8566, 2.3522}, {-33.8688, 151.2093}, {89.9999, 0}, {0, 179.9999}}
	for _, p := range points {
		lat, lon, err := a.ApproximatePin(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckCoordinate(lat, lon); err != nil {
			t.Fatalf("pin of %v off the map: %v", p, err)
		}
		d := geo.DistanceHaversine(orb.Point{p[1], p[0]}, orb.Point{lon, lat}) // the law of cosines is off by metres near a pole
		if d < MinPinOffset-1 || d > MaxPinOffset+1 {
			t.Errorf("pin of %v is %.0f m away, want %v to %v m", p, d, MinPinOffset, MaxPinOffset)
		}
		lat2, lon2, _ := a.ApproximatePin(p[0], p[1])
		if lat2 != lat || lon2 != lon {
			t.Errorf("pin of %v moved between calls", p)
		}
		blat, blon, _ := b.ApproximatePin(p[0], p[1])
		if blat == lat && blon == lon {
			t.Errorf("two owners got the same pin for %v", p)
		}
	}
	if _, _, err := a.ApproximatePin(91, 0); err == nil {
		t.Fatal("a latitude of 91 was pinned")
	}
}
