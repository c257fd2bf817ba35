package mapview

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestCompactBasemapSameShapes checks that the embedded compact basemap
// holds exactly the shapes of its GeoJSON source (so it was made again after
// the GeoJSON last changed), and that encoding the GeoJSON afresh does too.
func TestCompactBasemapSameShapes(t *testing.T) {
	src, err := os.ReadFile("../../resources/naturalearth-50m.geojson.gz")
	if err != nil {
		t.Fatal(err)
	}
	compact, err := os.ReadFile("../../resources/naturalearth-50m.bin.gz")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := EncodeBasemap(src)
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadBasemap(src)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"embedded": compact, "fresh": fresh} {
		got, err := LoadBasemap(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s compact basemap: %d land, %d borders; GeoJSON: %d land, %d borders, or points differ (run go run gen_basemap.go in resources)",
				name, len(got.land), len(got.borders), len(want.land), len(want.borders))
		}
	}
}

// TestCompactBasemapRefusesDamage checks that a cut or padded compact
// basemap is refused with an error, not read as a smaller map.
func TestCompactBasemapRefusesDamage(t *testing.T) {
	src := []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
		 "coordinates":[[[-10,35],[30,35],[30,70],[-10,70],[-10,35]]]}},
		{"type":"Feature","properties":{},"geometry":{"type":"LineString",
		 "coordinates":[[6,45],[6,60]]}}]}`)
	enc, err := EncodeBasemap(src)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(enc))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBasemap(raw); err != nil {
		t.Fatalf("plain compact basemap: %v", err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"cut", raw[:len(raw)-3], "truncated"},
		{"padded", append(bytes.Clone(raw), 1, 2), "left over"},
		{"only the magic", []byte(binaryMagic), "truncated"},
		{"huge count", append([]byte(binaryMagic), 0xff, 0xff, 0xff, 0x7f), "more lines than bytes"},
	}
	for _, tt := range tests {
		_, err := LoadBasemap(tt.data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}
