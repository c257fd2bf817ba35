package screens

import (
	"slices"
	"testing"
)

func TestParseCoordinate(t *testing.T) {
	tests := []struct {
		in       string
		pos, neg string
		want     float64
		ok       bool
	}{
		{"52.3702", "N", "S", 52.3702, true},
		{" -33.87 ", "N", "S", -33.87, true},
		{"33.87 S", "N", "S", -33.87, true},
		{"33.87°S", "N", "S", -33.87, true},
		{"4.89 w", "E", "W", -4.89, true},
		{"52,37", "N", "S", 52.37, true},
		{".5", "N", "S", 0.5, true},
		{"-33.87 S", "N", "S", 0, false},
		{"4.89 N", "E", "W", 0, false},
		{"1e3", "N", "S", 0, false},
		{"NaN", "N", "S", 0, false},
		{"Inf", "N", "S", 0, false},
		{"0x10", "N", "S", 0, false},
		{"1,000.5", "N", "S", 0, false},
		{"", "N", "S", 0, false},
	}
	for _, tt := range tests {
		got, err := parseCoordinate(tt.in, tt.pos, tt.neg)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("parseCoordinate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestSplitCoordPair(t *testing.T) {
	tests := []struct {
		in       string
		lat, lon float64
		ok       bool
	}{
		{"52.3702, 4.8952", 52.3702, 4.8952, true},
		{"52.3702,4.8952", 52.3702, 4.8952, true},
		{"52.3702 4.8952", 52.3702, 4.8952, true},
		{"52,3702; 4,8952", 52.3702, 4.8952, true},
		{"33.87° S, 151.21° E", -33.87, 151.21, true},
		{"52,37", 0, 0, false},
		{"52.37", 0, 0, false},
		{"52.37 N", 0, 0, false},
		{"95, 4", 0, 0, false},
		{"a, b", 0, 0, false},
	}
	for _, tt := range tests {
		lat, lon, ok := splitCoordPair(tt.in)
		if ok != tt.ok || lat != tt.lat || lon != tt.lon {
			t.Errorf("splitCoordPair(%q) = %v, %v, %v; want %v, %v, %v", tt.in, lat, lon, ok, tt.lat, tt.lon, tt.ok)
		}
	}
}

func TestAmenityList(t *testing.T) {
	tests := []struct {
		checked []string
		others  string
		want    []string
		ok      bool
	}{
		{nil, "", nil, true},
		{[]string{"wifi"}, " sauna ,, garden ", []string{"wifi", "sauna", "garden"}, true},
		{[]string{"wifi"}, "WiFi, WIFI, Sauna, sauna", []string{"wifi", "Sauna"}, true},
		{nil, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", nil, false},
		{nil, "0123456789012345678901234567890123456789x", nil, false},
	}
	for _, tt := range tests {
		got, err := amenityList(tt.checked, tt.others)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("amenityList(%q, %q) = %q, %v; want %q, ok %v", tt.checked, tt.others, got, err, tt.want, tt.ok)
		}
	}
}
