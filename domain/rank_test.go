package domain

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestRingBoxes(t *testing.T) {
	paris := orb.Bound{Min: orb.Point{2.2, 48.8}, Max: orb.Point{2.5, 48.95}}
	// A narrow view at the antimeridian: the first ring's circle wraps.
	fiji := orb.Bound{Min: orb.Point{179.9, -17.5}, Max: orb.Point{180, -16.5}}
	tests := []struct {
		name      string
		view      orb.Bound
		rings     int
		wantBoxes int
		wantWhole bool
	}{
		{"first ring inside the view", paris, 1, 1, false},
		{"every ring holds the whole view", paris, 2 * RankRings, 1, true},
		{"a ring past the antimeridian stays in the view", fiji, 1, 1, false},
		{"the whole view at the antimeridian", fiji, 3 * RankRings, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRoomRanker(tt.view)
			boxes, whole := r.RingBoxes(tt.view, tt.rings)
			if len(boxes) != tt.wantBoxes || whole != tt.wantWhole {
				t.Fatalf("%d boxes, whole %v; want %d, %v: %v", len(boxes), whole, tt.wantBoxes, tt.wantWhole, boxes)
			}
			for _, b := range boxes {
				if !tt.view.Contains(b.Min) || !tt.view.Contains(b.Max) {
					t.Errorf("box %v leaves the view %v", b, tt.view)
				}
				if !b.Contains(r.Centre) && tt.rings > 0 {
					t.Errorf("box %v misses the centre %v", b, r.Centre)
				}
			}
		})
	}
}
