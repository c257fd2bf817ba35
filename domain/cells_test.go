package domain

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestBoundCells(t *testing.T) {
	paris := orb.Point{2.35, 48.85}
	tests := []struct {
		name string
		b    orb.Bound
		want int // number of cells
		has  []orb.Point
	}{
		{"a point", paris.Bound(), 1, []orb.Point{paris}},
		{"a city", orb.Bound{Min: orb.Point{2.2, 48.8}, Max: orb.Point{2.5, 48.9}}, 1, []orb.Point{paris}},
		{"across two columns", orb.Bound{Min: orb.Point{-1, 10}, Max: orb.Point{1, 10}}, 2,
			[]orb.Point{{-1, 10}, {1, 10}}},
		{"latitudes inverted", orb.Bound{Min: orb.Point{0, 8.2}, Max: orb.Point{0, -8.2}}, 0, nil},
		{"longitudes inverted", orb.Bound{Min: orb.Point{3, 48}, Max: orb.Point{2, 49}}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BoundCells(tt.b)
			if len(got) != tt.want {
				t.Fatalf("BoundCells(%v) = %v, want %d cells", tt.b, got, tt.want)
			}
			if !slices.IsSorted(got) {
				t.Errorf("cells not sorted: %v", got)
			}
			for _, p := range tt.has {
				if !slices.Contains(got, CellAt(p)) {
					t.Errorf("cells %v lack %s, the cell of %v", got, CellAt(p), p)
				}
			}
		})
	}
}
