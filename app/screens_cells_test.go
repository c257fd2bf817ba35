package app

import (
	"slices"
	"testing"
)

func TestViewCells(t *testing.T) {
	amsterdam := [2]float64{4.8952, 52.3702}
	cell := PointCell(amsterdam)
	if cell != "6/32/21" {
		t.Errorf("PointCell(Amsterdam) = %q, want 6/32/21", cell)
	}
	small := ViewCells([4]float64{4.85, 52.35, 4.95, 52.40})
	if !slices.Equal(small, []string{cell}) {
		t.Errorf("ViewCells(a city) = %v, want [%s]", small, cell)
	}
	// Western Europe spans several cells, Amsterdam's among them.
	wide := ViewCells([4]float64{-5, 42, 15, 55})
	if len(wide) < 4 || !slices.Contains(wide, cell) {
		t.Errorf("ViewCells(Western Europe) = %v", wide)
	}
}
