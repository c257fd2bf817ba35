package cli

import (
	"strings"
	"testing"
)

func TestPlaces(t *testing.T) {
	type place struct {
		Name       string  `json:"name"`
		Country    string  `json:"country"`
		Admin      string  `json:"admin"`
		Lat        float64 `json:"lat"`
		Lon        float64 `json:"lon"`
		Population int     `json:"population"`
	}
	tests := []struct {
		name  string
		args  []string
		first place
		count int // how many, or -1 for any
	}{
		{"a prefix", []string{"lyo"}, place{"Lyon", "FR", "", 45.748, 4.847, 472317}, -1},
		{"accents", []string{"zurich"}, place{"Zürich", "CH", "ZH", 47.367, 8.55, 341730}, -1},
		{"two words as two arguments", []string{"sao", "paulo", "--limit", "1"}, place{"São Paulo", "BR", "", -23.548, -46.636, 10021295}, 1},
		{"a namesake by country", []string{"Paris, US"}, place{"Paris", "US", "TX", 33.661, -95.556, 24782}, -1},
		{"a namesake by region", []string{"Paris, TN, US"}, place{"Paris", "US", "TN", 36.302, -88.327, 10150}, 1},
		{"the limit", []string{"s", "--limit", "3"}, place{}, 3},
		{"nothing", []string{"Xyzzyplugh"}, place{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found []place
			runJSON(t, &found, append([]string{"places"}, tc.args...)...)
			if found == nil {
				t.Fatal("null, want an array")
			}
			if tc.count >= 0 && len(found) != tc.count {
				t.Errorf("%d places, want %d: %+v", len(found), tc.count, found)
			}
			if tc.first != (place{}) && (len(found) == 0 || found[0] != tc.first) {
				t.Errorf("got %+v, want %+v first", found, tc.first)
			}
		})
	}
	out, errs, code := run(t, "places", "lyo")
	if code != 0 || !strings.Contains(out, "NAME") || !strings.Contains(out, "Lyon    FR") || !strings.Contains(out, "45.748,4.847") {
		t.Errorf("text output %q %q %d", out, errs, code)
	}
}

func TestPlacesBadArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no prefix", nil, "requires at least 1 arg"},
		{"zero limit", []string{"lyon", "--limit", "0"}, "--limit 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, append([]string{"places", "--json"}, tc.args...)...)
			if code == 0 || out != "" || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want a failure mentioning %q", code, out, errs, tc.want)
			}
		})
	}
}
