package screens

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
)

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		amount   float64
		currency string
		want     string
	}{
		{45, "EUR", "€45"},
		{45.5, "EUR", "€45.50"},
		{0, "USD", "$0"},
		{1200, "GBP", "£1,200"},
		{1234567.891, "SEK", "1,234,567.89 SEK"},
		{950000, "JPY", "¥950,000"},
		{12, "", "12"},
	}
	for _, tt := range tests {
		if got := formatMoney(tt.amount, tt.currency); got != tt.want {
			t.Errorf("formatMoney(%v, %q) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
	if got := formatNightly(45, "EUR"); got != "€45 / night" {
		t.Errorf("formatNightly = %q", got)
	}
}

func TestFormatCoords(t *testing.T) {
	tests := []struct {
		lat, lon float64
		want     string
	}{
		{52.3702, 4.8952, "52.370° N, 4.895° E"},
		{-33.8688, 151.2093, "33.869° S, 151.209° E"},
		{40.7128, -74.006, "40.713° N, 74.006° W"},
		{0, 0, "0.000° N, 0.000° E"},
		{-0.0001, -0.0004, "0.000° N, 0.000° E"},
		{-90, 180, "90.000° S, 180.000° E"},
	}
	for _, tt := range tests {
		if got := formatCoords(tt.lat, tt.lon); got != tt.want {
			t.Errorf("formatCoords(%v, %v) = %q, want %q", tt.lat, tt.lon, got, tt.want)
		}
	}
}

func TestFormatCountsAndAges(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct{ got, want string }{
		{formatGuests(1), "up to 1 guest"},
		{formatGuests(2), "up to 2 guests"},
		{lang.N("{{.Count}} rooms", 0, countOf(0)), "0 rooms"},
		{lang.N("{{.Count}} rooms", 1, countOf(1)), "1 room"},
		{lang.N("{{.Count}} rooms", 12345, countOf(12345)), "12,345 rooms"},
		{formatAge(now.Add(-10*time.Second), now), "just now"},
		{formatAge(now.Add(time.Minute), now), "just now"},
		{formatAge(now.Add(-5*time.Minute), now), "5 min ago"},
		{formatAge(now.Add(-3*time.Hour), now), "3 h ago"},
		{formatAge(now.Add(-30*time.Hour), now), "yesterday"},
		{formatAge(now.Add(-4*24*time.Hour), now), "4 days ago"},
		{formatAge(time.Time{}, now), ""},
		{shortID("12D3KooWAbcdefghijklmnopqrstuvwxyz"), "12D3Koo…wxyz"},
		{shortID("short"), "short"},
		{formatAmenities([]string{"wifi", "sauna", "Step-Free Access"}), "Wi-Fi · Sauna · Step-free access"},
		{sentence("required"), "Required"},
		{sentence("“abc” is"), "“abc” is"},
		{sentence(""), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
