package cli

import "testing"

func TestBytesText(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{1450, "1.4 kB"},
		{3_200_000, "3.2 MB"},
		{7_500_000_000, "7.5 GB"},
	}
	for _, tc := range tests {
		if got := bytesText(tc.n); got != tc.want {
			t.Errorf("bytesText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
