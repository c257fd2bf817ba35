package app

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestResolvePlace(t *testing.T) {
	tests := []struct {
		in    string
		want  [2]float64 // [lon, lat]
		label string     // the place named; "" for coordinates
		err   string     // the error wanted, if any
	}{
		{in: "45.76,4.84", want: [2]float64{4.84, 45.76}},
		{in: " -33.9 , 151.2 ", want: [2]float64{151.2, -33.9}},
		{in: "Lyon", want: [2]float64{4.847, 45.748}, label: "Lyon, FR"},
		{in: "paris", want: [2]float64{2.349, 48.853}, label: "Paris, FR"},
		{in: "Paris, US", want: [2]float64{-95.556, 33.661}, label: "Paris, TX, US"},
		{in: "zurich", want: [2]float64{8.55, 47.367}, label: "Zürich, ZH, CH"},
		{in: "1 Decembrie", want: [2]float64{26.058, 44.291}, label: "1 Decembrie, RO"},
		{in: "", err: "no place given"},
		{in: "52.1", err: "want LAT,LON"},
		{in: "52.1,east", err: "not a number"},
		{in: "NaN,5.1", err: "not a number"},
		{in: "95,5.1", err: "latitude must be within"},
		{in: "Lyo", err: `no place named "Lyo"; did you mean Lyon, FR`},
		{in: "Xyzzyplugh", err: `no place named "Xyzzyplugh"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			pt, p, err := ResolvePlace(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ResolvePlace(%q) = %v, %v; want an error containing %q", tc.in, pt, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pt != tc.want {
				t.Errorf("point %v, want %v", pt, tc.want)
			}
			if tc.label == "" && p != (Place{}) || tc.label != "" && p.Label() != tc.label {
				t.Errorf("place %q, want %q", p.Label(), tc.label)
			}
		})
	}
	_, _, err := ResolvePlace("Lyo")
	var nf *PlaceNotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNoPlace) || len(nf.Suggestions) == 0 || nf.Suggestions[0].Name != "Lyon" {
		t.Errorf("Lyo: %#v", err)
	}
}

func TestPlaces(t *testing.T) {
	got, err := Places("sao paulo", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Label() != "São Paulo, BR" || got[0].Population < 10_000_000 {
		t.Errorf("sao paulo: %+v", got)
	}
	if got, _ := Places("a", 7); len(got) != 7 {
		t.Errorf("a, 7: %d places", len(got))
	}
	if got, _ := Places("", 7); len(got) != 0 {
		t.Errorf("empty prefix: %+v", got)
	}
}

func TestSuggestSeatPrice(t *testing.T) {
	lyonParis := [][2]float64{{4.835, 45.764}, {2.352, 48.857}}
	p, err := SuggestSeatPrice(lyonParis, 0.15, 3)
	if err != nil || p.Suggested != 15 || p.Max < p.Suggested {
		t.Errorf("Lyon to Paris: %+v, %v", p, err)
	}
	for _, bad := range []struct {
		route [][2]float64
		cost  float64
		seats int
	}{{lyonParis[:1], 0.15, 3}, {lyonParis, 0, 3}, {lyonParis, 0.15, 0}} {
		if _, err := SuggestSeatPrice(bad.route, bad.cost, bad.seats); err == nil || !strings.HasPrefix(err.Error(), "suggest a price") {
			t.Errorf("%+v: error %v", bad, err)
		}
	}
	m := RideMatch{PickupKm: 100, DropoffKm: 300, RouteKm: 400}
	m.PricePerSeat = 30
	if got := m.LegPrice(); got != 15 {
		t.Errorf("leg price %v, want 15", got)
	}
}

func TestRouteFromGPX(t *testing.T) {
	f, err := os.Open("../domain/testdata/route-1.0.gpx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	route, err := RouteFromGPX(f)
	if err != nil || len(route) != 3 || route[0] != [2]float64{2.3522, 48.8566} {
		t.Errorf("route %v, %v", route, err)
	}
	big := strings.NewReader("<gpx>" + strings.Repeat("<!-- padding -->", MaxGPXBytes/16) + "</gpx>")
	if _, err := RouteFromGPX(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a huge file: %v", err)
	}
}

// BenchmarkGazetteer measures building the place index from the embedded
// gazetteer: decompressing and indexing, as the first place search does.
func BenchmarkGazetteer(b *testing.B) {
	for b.Loop() {
		if _, err := loadGazetteer(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCountryPlace(t *testing.T) {
	tests := []struct{ code, want string }{
		{"FR", "Paris, FR"},
		{"us", "New York City, NY, US"},
		{"JP", "Tokyo, JP"},
		{"XX", ""},
		{"", ""},
	}
	for _, tc := range tests {
		p, ok := CountryPlace(tc.code)
		if got := p.Label(); ok != (tc.want != "") || (ok && got != tc.want) {
			t.Errorf("CountryPlace(%q) = %q, %v; want %q", tc.code, got, ok, tc.want)
		}
	}
}
