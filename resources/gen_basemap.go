//go:build ignore

// gen_basemap writes naturalearth-50m.bin.gz, the compact encoding of
// naturalearth-50m.geojson.gz that the app embeds and reads at start. Run it
// in this directory after changing the GeoJSON: go run gen_basemap.go
package main

import (
	"log"
	"os"

	"github.com/caravan-p2p/caravan/screens/mapview"
)

func main() {
	src, err := os.ReadFile("naturalearth-50m.geojson.gz")
	if err != nil {
		log.Fatal(err)
	}
	out, err := mapview.EncodeBasemap(src)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("naturalearth-50m.bin.gz", out, 0o644); err != nil {
		log.Fatal(err)
	}
}
