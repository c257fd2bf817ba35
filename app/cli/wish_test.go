package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func stayWishJSON(from, to string) string {
	return fmt.Sprintf(`{
  "stay": {
    "centre": [4.89, 52.37], "radius_km": 3,
    "from": %q, "to": %q,
    "guests": 2, "max_price_per_night": 60, "currency": "EUR",
    "text": "Near the station if possible."
  }
}`, from, to)
}

// TestWishCommands: the renter posts a wish with `caravan post wish`; the
// owner's `caravan search wishes --for` finds it once gossip brought it,
// `caravan offer` answers it; the renter's `caravan offers` shows the
// offer and `caravan accept-offer` turns it into a booking request the
// owner's `caravan bookings` shows.
func TestWishCommands(t *testing.T) {
	owner, renter := t.TempDir(), t.TempDir()
	addr := startNode(t, owner)
	startNode(t, renter, "--peer", addr)
	from := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	to := time.Now().UTC().AddDate(0, 0, 13).Format(time.DateOnly)

	// Bad files are refused with the line and the field.
	for _, c := range []struct{ name, body, want string }{
		{"syntax", "{\n  \"stay\": {\n    \"guests\": 2,\n  }\n}", "bad.json:4: invalid JSON"},
		{"type", "{\n  \"stay\": {\n    \"guests\": \"two\"\n  }\n}", "bad.json:3: field stay.guests: expected int"},
		{"unknown", "{\n  \"stay\": {\n    \"nights\": 3\n  }\n}", "bad.json:3: unknown field \"nights\""},
		{"rule", stayWishJSON(to, from), "bad.json:4: field stay.to:"},
		{"missing", `{"stay": {"from": "2026-12-01"}}`, "field stay.bbox: missing"},
	} {
		_, errs, code := run(t, "post", "wish", writeFile(t, "bad.json", c.body), "--data", renter)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, %q, want %q", c.name, code, errs, c.want)
		}
	}

	var room, wish struct{ ID string }
	runJSON(t, &room, "post", "room", writeFile(t, "room.json", roomJSON), "--data", owner)
	runJSON(t, &wish, "post", "wish", writeFile(t, "wish.json", stayWishJSON(from, to)), "--data", renter)
	if _, errs, code := run(t, "search", "wishes", "--data", owner); code == 0 || !strings.Contains(errs, "--for") {
		t.Fatalf("search wishes without --for: exit %d, %s", code, errs)
	}
	poll(t, "the wish to reach the owner", func() bool {
		var ws []map[string]any
		runJSON(t, &ws, "search", "wishes", "--for", room.ID, "--data", owner)
		return len(ws) == 1 && ws[0]["id"] == wish.ID
	})
	out, _, code := run(t, "search", "wishes", "--for", room.ID, "--data", owner)
	if code != 0 || !strings.Contains(out, "stay "+from+" to "+to+", 2 guests") || !strings.Contains(out, "1 wish fit") {
		t.Fatalf("search wishes printed (exit %d):\n%s", code, out)
	}
	var offer struct {
		ID         string  `json:"id"`
		TotalPrice float64 `json:"total_price"`
	}
	runJSON(t, &offer, "offer", wish.ID, "--listing", room.ID, "--note", "Two minutes from the station.", "--data", owner)
	if offer.ID == "" || offer.TotalPrice != 135 {
		t.Fatalf("offer printed %+v", offer)
	}
	poll(t, "the offer to reach the renter", func() bool {
		var os []map[string]any
		runJSON(t, &os, "offers", "--data", renter)
		return len(os) == 1 && os[0]["id"] == offer.ID && os[0]["note"] == "Two minutes from the station."
	})
	var mine []struct {
		ID     string           `json:"id"`
		Offers []map[string]any `json:"offers"`
	}
	runJSON(t, &mine, "wishes", "--data", renter)
	if len(mine) != 1 || mine[0].ID != wish.ID || len(mine[0].Offers) != 1 {
		t.Fatalf("wishes printed %+v", mine)
	}
	var req struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		From   string `json:"from"`
	}
	runJSON(t, &req, "accept-offer", offer.ID, "--data", renter)
	if req.Status != "requested" || req.From != from {
		t.Fatalf("accept-offer printed %+v", req)
	}
	if _, errs, code := run(t, "accept-offer", offer.ID, "--data", renter); code == 0 || !strings.Contains(errs, "already accepted") {
		t.Fatalf("accepting twice: exit %d, %s", code, errs)
	}
	poll(t, "the request to reach the owner", func() bool {
		var bs []map[string]any
		runJSON(t, &bs, "bookings", "--role", "owner", "--data", owner)
		return len(bs) == 1 && bs[0]["id"] == req.ID && bs[0]["status"] == "requested"
	})
}
