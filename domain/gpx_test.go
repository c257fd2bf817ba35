package domain

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestParseGPXFiles(t *testing.T) {
	tests := []struct {
		file string
		want [][2]float64
		err  string // the error wanted, if any
	}{
		{file: "track-1.1.gpx", want: [][2]float64{
			// The repeated fix and the segments' joint are one point each;
			// the points in line between 45.85 and 46.15 are simplified away.
			{4.8357, 45.764}, {4.82, 45.85}, {4.76, 46.15}, {4.8283, 46.3069},
		}},
		{file: "route-1.0.gpx", want: [][2]float64{{2.3522, 48.8566}, {2.1204, 48.8049}, {1.489, 48.4439}}},
		{file: "empty-track.gpx", err: "no track points"},
		{file: "bad-coordinate.gpx", err: "GPX track point 2: latitude 95.1 is not between -90 and 90"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := ParseGPX(f)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("route %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseGPXErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
		notGPX         bool
	}{
		{"empty file", "", "no XML element", true},
		{"JSON", `{"route": [[4.8, 45.7]]}`, "no XML element", true},
		{"HTML", "<html><body>hello</body></html>", "expected element type <gpx>", true},
		{"KML", `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>`, "<kml>", true},
		{"broken XML", "<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\">\n</trk></gpx>", "line 2", true},
		{"no points", `<gpx version="1.1"><metadata/></gpx>`, "no track points", false},
		{"a single point", `<gpx><trk><trkseg><trkpt lat="1" lon="2"/><trkpt lat="1" lon="2"/></trkseg></trk></gpx>`, "single position", false},
		{"not a number", `<gpx><rte><rtept lat="north" lon="2"/><rtept lat="1" lon="3"/></rte></gpx>`, `GPX route point 1: lat="north"`, false},
		{"no lat", `<gpx><rte><rtept lon="2"/><rtept lat="1" lon="3"/></rte></gpx>`, "GPX route point 1", false},
		{"NaN", `<gpx><trk><trkseg><trkpt lat="1" lon="NaN"/><trkpt lat="1" lon="3"/></trkseg></trk></gpx>`, "longitude NaN", false},
		{"longitude out of range", `<gpx><trk><trkseg><trkpt lat="1" lon="2"/><trkpt lat="1" lon="181"/></trkseg></trk></gpx>`, "GPX track point 2: longitude 181", false},
		{"unknown charset", `<?xml version="1.0" encoding="EBCDIC"?><gpx/>`, "charset", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseGPX(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if errors.Is(err, ErrNotGPX) != tc.notGPX {
				t.Errorf("errors.Is(err, ErrNotGPX) = %v, want %v (%v)", !tc.notGPX, tc.notGPX, err)
			}
		})
	}
}

// track writes a GPX 1.1 track of n points heading north from Lyon, about
// 11 m apart, swaying east and west by amplitude metres every period points.
func track(n int, amplitude float64, period int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>` + "\n")
	for i := range n {
		lat := 45.0 + float64(i)*0.0001
		east := amplitude * math.Sin(2*math.Pi*float64(i)/float64(period))
		lon := 4.8 + east/(111_320*math.Cos(lat*math.Pi/180))
		fmt.Fprintf(&b, `<trkpt lat="%.7f" lon="%.7f"/>`+"\n", lat, lon)
	}
	b.WriteString("</trkseg></trk></gpx>\n")
	return b.String()
}

func TestParseGPXSimplifies(t *testing.T) {
	tests := []struct {
		name              string
		gpx               string
		minPoints, maxPts int
	}{
		// Swaying 10 m off a straight line: within the tolerance, so the
		// origin and the destination remain.
		{"nearly straight", track(5000, 10, 40), 2, 2},
		// Swaying 2 km every 200 points: each bend is kept.
		{"winding", track(4000, 2000, 200), 40, 400},
		// Swaying 2 km every 6 points: far too many bends, capped.
		{"capped", track(6000, 2000, 6), MaxRoutePoints, MaxRoutePoints},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseGPX(strings.NewReader(tc.gpx))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < tc.minPoints || len(got) > tc.maxPts {
				t.Fatalf("%d points, want %d to %d", len(got), tc.minPoints, tc.maxPts)
			}
			if got[0] != [2]float64{4.8, 45} {
				t.Errorf("origin %v, want the first track point", got[0])
			}
			// The simplified route is a valid ride route.
			ride := Ride{Title: "t", Route: got, DepartAt: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Seats: 1, Currency: "EUR"}
			if err := ride.Validate(); err != nil {
				t.Errorf("not a valid route: %v", err)
			}
		})
	}
}

func TestSimplifyRoute(t *testing.T) {
	line := orb.LineString{{4.8, 45}, {4.80001, 45.001}, {4.8, 45.002}, {4.9, 45.1}}
	in := line.Clone()
	got := SimplifyRoute(line, 50, MaxRoutePoints)
	// 4.80001 is under a metre off the line: gone.
	if want := (orb.LineString{{4.8, 45}, {4.8, 45.002}, {4.9, 45.1}}); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if !line.Equal(in) {
		t.Errorf("the input was modified: %v", line)
	}
	if got := SimplifyRoute(line, 50, 2); len(got) != 2 || got[0] != line[0] || got[1] != line[3] {
		t.Errorf("capped at 2: %v", got)
	}
	if got := SimplifyRoute(orb.LineString{{1, 2}, {3, 4}}, 50, 10); len(got) != 2 {
		t.Errorf("two points: %v", got)
	}
}

// FuzzParseGPX checks that no input panics ParseGPX and that every route it
// returns is one a ride may have.
func FuzzParseGPX(f *testing.F) {
	for _, name := range []string{"track-1.1.gpx", "route-1.0.gpx", "empty-track.gpx", "bad-coordinate.gpx"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<gpx><trk><trkseg><trkpt lat="1" lon="2"/><trkpt lat="1e-300" lon="-180"/></trkseg></trk></gpx>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		route, err := ParseGPX(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		if len(route) < 2 || len(route) > MaxRoutePoints {
			t.Fatalf("%d points", len(route))
		}
		for i, p := range route {
			if err := CheckCoordinate(p[1], p[0]); err != nil {
				t.Fatalf("point %d: %v", i, err)
			}
		}
	})
}
