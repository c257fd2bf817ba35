package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// decodeFile reads a JSON object strictly: unknown fields, wrong types and
// syntax errors are reported with the file, the line and the field.
func decodeFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value in the file")
	}
	if err == nil {
		return nil
	}
	line := func(off int64) int { return 1 + bytes.Count(b[:min(max(off, 0), int64(len(b)))], []byte("\n")) }
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var perr *time.ParseError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%s:%d: invalid JSON: %v", path, line(syn.Offset), syn)
	case errors.As(err, &typ):
		return fmt.Errorf("%s:%d: field %s: expected %s, got %s", path, line(typ.Offset), typ.Field, typ.Type, typ.Value)
	case errors.As(err, &perr):
		return fmt.Errorf("%s:%d: time %s: want RFC 3339, like 2026-12-01T08:00:00+01:00", path, line(dec.InputOffset()), perr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		off := dec.InputOffset()
		if i := bytes.LastIndex(b[:off], []byte(name)); i >= 0 {
			off = int64(i)
		}
		return fmt.Errorf("%s:%d: unknown field %s", path, line(off), name)
	}
	return fmt.Errorf("%s:%d: %v", path, line(dec.InputOffset()), err)
}

// parseBBox parses MINLON,MINLAT,MAXLON,MAXLAT.
func parseBBox(s string) ([4]float64, error) {
	var b [4]float64
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return b, fmt.Errorf("--bbox %q: want MINLON,MINLAT,MAXLON,MAXLAT", s)
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return b, fmt.Errorf("--bbox %q: %q is not a number", s, p)
		}
		b[i] = f
	}
	switch {
	case b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90:
		return b, fmt.Errorf("--bbox %q: longitudes must be within -180..180 and latitudes within -90..90", s)
	case b[0] > b[2] || b[1] > b[3]:
		return b, fmt.Errorf("--bbox %q: minimum greater than maximum; the order is MINLON,MINLAT,MAXLON,MAXLAT", s)
	}
	return b, nil
}

// checkDates checks --from and --to: both or neither, YYYY-MM-DD, in order.
func checkDates(from, to string) error {
	if (from == "") != (to == "") {
		return errors.New("give both --from and --to, or neither")
	}
	if from == "" {
		return nil
	}
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return fmt.Errorf("--from %q: want YYYY-MM-DD", from)
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return fmt.Errorf("--to %q: want YYYY-MM-DD", to)
	}
	if !t.After(f) {
		return fmt.Errorf("--to %s must be after --from %s", to, from)
	}
	return nil
}
