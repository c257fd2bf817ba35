package mapview

import (
	"os"
	"testing"

	"github.com/paulmach/orb"
)

func BenchmarkLoadBasemap(b *testing.B) {
	data, err := os.ReadFile("../../resources/naturalearth-50m.geojson.gz")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadBasemap(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBasemapTile(b *testing.B) {
	bm, err := loadBasemap()
	if err != nil {
		b.Fatal(err)
	}
	t := tileAt(orb.Point{4.89, 52.37}, 5)
	for b.Loop() {
		bm.renderTile(t)
	}
}

func BenchmarkClusters10k(b *testing.B) {
	pts := make([]orb.Point, 10000)
	for i := range pts {
		pts[i] = toWorld(orb.Point{4.7 + float64(i%100)*0.004, 52.3 + float64(i/100)*0.002})
	}
	for b.Loop() {
		makeClusters(pts, 12, clusterCell)
	}
}

func BenchmarkLoadBasemapCompact(b *testing.B) {
	data, err := os.ReadFile("../../resources/naturalearth-50m.bin.gz")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadBasemap(data); err != nil {
			b.Fatal(err)
		}
	}
}
