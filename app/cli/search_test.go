package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// rideJSON is a ride from Amsterdam to Berlin by Utrecht and Hanover.
func rideJSON(depart time.Time) string {
	return fmt.Sprintf(`{
  "title": "Amsterdam to Berlin",
  "route": [[4.89, 52.37], [5.12, 52.09], [6.89, 52.22], [9.73, 52.37], [13.40, 52.52]],
  "stopovers": ["Utrecht", "Hanover"],
  "depart_at": %q,
  "seats": 3, "price_per_seat": 25, "currency": "EUR"
}`, depart.Format(time.RFC3339))
}

func TestSearchRides(t *testing.T) {
	dir := t.TempDir()
	depart := time.Now().Add(48 * time.Hour).Truncate(time.Second).UTC()
	var posted struct{ ID string }
	runJSON(t, &posted, "post", "ride", writeFile(t, "ride.json", rideJSON(depart)), "--data", dir)

	type match struct {
		ID           string       `json:"id"`
		Title        string       `json:"title"`
		Route        [][2]float64 `json:"route"`
		Stopovers    []string     `json:"stopovers"`
		DepartAt     time.Time    `json:"depart_at"`
		Seats        int          `json:"seats"`
		SeatsLeft    int          `json:"seats_left"`
		PricePerSeat float64      `json:"price_per_seat"`
		Currency     string       `json:"currency"`
		Author       string       `json:"author"`
		Version      uint64       `json:"version"`
		IssuedAt     time.Time    `json:"issued_at"`
		DetourKm     float64      `json:"detour_km"`
		Pickup       [2]float64   `json:"pickup"`
		Dropoff      [2]float64   `json:"dropoff"`
		PickupAt     time.Time    `json:"pickup_at"`
		LegPrice     float64      `json:"leg_price"`
	}
	window := []string{"--after", depart.Format(time.RFC3339), "--before", depart.Add(2 * time.Hour).Format(time.RFC3339)}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"Utrecht to Hanover", []string{"--from", "52.10,5.13", "--to", "52.38,9.72"}, 1},
		{"in the window", append([]string{"--from", "52.10,5.13", "--to", "52.38,9.72", "--seats", "3"}, window...), 1},
		{"Hanover to Utrecht", []string{"--from", "52.38,9.72", "--to", "52.10,5.13"}, 0},
		{"Berlin to Amsterdam", []string{"--from", "52.52,13.40", "--to", "52.37,4.89"}, 0},
		{"too many seats", []string{"--from", "52.10,5.13", "--to", "52.38,9.72", "--seats", "4"}, 0},
		{"off the route", []string{"--from", "50.85,4.35", "--to", "52.38,9.72"}, 0},
		{"off the route, a wide radius", []string{"--from", "51.70,5.13", "--to", "52.38,9.72", "--radius-km", "60"}, 1},
		{"by name", []string{"--from", "Utrecht", "--to", "Hannover"}, 1},
		{"by name, any case and accents", []string{"--from", "amsterdam", "--to", "BERLÍN"}, 1},
		{"a name and coordinates", []string{"--from", "Utrecht, NL", "--to", "52.38,9.72"}, 1},
		{"a namesake elsewhere", []string{"--from", "Utrecht", "--to", "Hanover"}, 0}, // Hanover, MD, US
		{"by name, backwards", []string{"--from", "Berlin", "--to", "Amsterdam"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found []match
			runJSON(t, &found, append([]string{"search", "rides", "--data", dir}, tc.args...)...)
			if len(found) != tc.want {
				t.Fatalf("found %d rides, want %d: %+v", len(found), tc.want, found)
			}
			if tc.want == 0 {
				return
			}
			m := found[0]
			if m.ID != posted.ID || m.Title != "Amsterdam to Berlin" || len(m.Route) != 5 || len(m.Stopovers) != 2 ||
				!m.DepartAt.Equal(depart) || m.Seats != 3 || m.SeatsLeft != 3 || m.PricePerSeat != 25 || m.Currency != "EUR" ||
				m.Author == "" || m.Version != 1 || m.IssuedAt.IsZero() {
				t.Errorf("ride fields %+v", m)
			}
			if m.DetourKm <= 0 || m.Pickup == [2]float64{} || m.Dropoff == [2]float64{} || m.PickupAt.Before(depart) {
				t.Errorf("match fields %+v", m)
			}
			// The rider pays for the leg: less than the whole ride unless
			// they ride it all.
			if m.LegPrice <= 0 || m.LegPrice > m.PricePerSeat {
				t.Errorf("leg price %v of %v", m.LegPrice, m.PricePerSeat)
			}
		})
	}
	out, errs, code := run(t, "search", "rides", "--data", dir, "--from", "52.10,5.13", "--to", "52.38,9.72")
	if code != 0 || !strings.Contains(out, "Amsterdam to Berlin") || !strings.Contains(out, "1 ride") {
		t.Errorf("text output %q %q %d", out, errs, code)
	}
	out, errs, code = run(t, "search", "rides", "--data", dir, "--from", "Utrecht", "--to", "Hannover")
	if code != 0 || !strings.Contains(out, "from Utrecht, NL (52.091,5.122) to Hannover, DE (52.371,9.733)") ||
		!strings.Contains(out, "YOUR LEG") || !strings.Contains(out, "1 ride") {
		t.Errorf("text output %q %q %d", out, errs, code)
	}
}

func TestSearchRidesBadQueries(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --to", []string{"--from", "52.1,5.1"}, "give both --from"},
		{"one number", []string{"--from", "52.1", "--to", "52.4,9.7"}, "want LAT,LON"},
		{"not a number", []string{"--from", "52.1,east", "--to", "52.4,9.7"}, "not a number"},
		{"NaN", []string{"--from", "NaN,5.1", "--to", "52.4,9.7"}, "not a number"},
		{"latitude out of range", []string{"--from", "95,5.1", "--to", "52.4,9.7"}, "latitude must be within"},
		{"zero radius", []string{"--from", "52.1,5.1", "--to", "52.4,9.7", "--radius-km", "0"}, "--radius-km"},
		{"negative radius", []string{"--from", "52.1,5.1", "--to", "52.4,9.7", "--radius-km", "-3"}, "--radius-km"},
		{"NaN radius", []string{"--from", "52.1,5.1", "--to", "52.4,9.7", "--radius-km", "NaN"}, "--radius-km"},
		{"huge radius", []string{"--from", "52.1,5.1", "--to", "52.4,9.7", "--radius-km", "10000"}, "radius"},
		{"after after before", []string{"--from", "52.1,5.1", "--to", "52.4,9.7", "--after", "2026-12-02", "--before", "2026-12-01"}, "must be after"},
		{"bad time", []string{"--from", "52.1,5.1", "--to", "52.4,9.7", "--after", "tomorrow"}, "RFC 3339"},
		{"zero seats", []string{"--from", "52.1,5.1", "--to", "52.4,9.7", "--seats", "0"}, "--seats"},
		{"unknown town", []string{"--from", "Xyzzyplugh", "--to", "Paris"}, `--from: no place named "Xyzzyplugh"`},
		{"a typo", []string{"--from", "Utrecht", "--to", "Hannove"}, `--to: no place named "Hannove"; did you mean Hannover, DE`},
		{"a namesake nowhere", []string{"--from", "Utrecht, US", "--to", "Paris"}, `no place named "Utrecht, US"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, append([]string{"search", "rides", "--json", "--data", dir}, tc.args...)...)
			if code == 0 || out != "" {
				t.Fatalf("exit %d, stdout %q: want a failure and nothing on stdout", code, out)
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("error %q does not mention %q", errs, tc.want)
			}
		})
	}
}

func TestSearchRoomsRankedAndPaged(t *testing.T) {
	dir := t.TempDir()
	ids := map[string]string{}
	for _, r := range []struct{ name, lat, lon, price string }{
		{"centre", "52.350", "4.900", "90"}, {"edge", "52.390", "4.990", "20"}, {"near", "52.352", "4.903", "40"},
	} {
		room := strings.NewReplacer(`"lat": 52.37`, `"lat": `+r.lat, `"lon": 4.89`, `"lon": `+r.lon, `"price_per_night": 45`, `"price_per_night": `+r.price,
			"Quiet room by the canal", r.name).Replace(roomJSON)
		var posted struct{ ID string }
		runJSON(t, &posted, "post", "room", writeFile(t, "room.json", room), "--data", dir)
		ids[posted.ID] = r.name
	}
	names := func(args ...string) string {
		var rooms []struct{ ID string }
		runJSON(t, &rooms, append([]string{"search", "rooms", "--data", dir}, args...)...)
		var got []string
		for _, r := range rooms {
			got = append(got, ids[r.ID])
		}
		return strings.Join(got, " ")
	}
	// near and centre share the innermost ring: the cheaper first.
	if got := names("--bbox", "4.8,52.3,5.0,52.4"); got != "near centre edge" {
		t.Errorf("ranked: %q", got)
	}
	if got := names("--bbox", "4.8,52.3,5.0,52.4", "--limit", "1", "--offset", "1"); got != "centre" {
		t.Errorf("page 2 of 1: %q", got)
	}
	if got := names(); got != "near edge centre" {
		t.Errorf("newest first: %q", got)
	}
	out, _, code := run(t, "search", "rooms", "--data", dir, "--bbox", "4.8,52.3,5.0,52.4", "--limit", "2")
	if code != 0 || !strings.Contains(out, "1 to 2 of 3 rooms") {
		t.Errorf("text output %q", out)
	}
	if out, _, code := run(t, "search", "rooms", "--data", dir, "--bbox", "5.0,52.3,4.8,52.4"); code == 0 {
		t.Errorf("inverted bbox accepted: %q", out)
	}
}
