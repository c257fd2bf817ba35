package cli

import (
	"strings"
	"testing"
	"time"
)

// poll runs check every 50 ms until it holds, failing after 15 s.
func poll(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !check(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestBookingCommands: `caravan book` on the renter's data dir reaches the
// owner's node; `caravan accept` there answers; both `caravan bookings`
// show the booking accepted, and the owner's calendar hides the room from a
// search for those dates. Reviews are refused before the end.
func TestBookingCommands(t *testing.T) {
	owner, renter := t.TempDir(), t.TempDir()
	addr := startNode(t, owner)
	startNode(t, renter, "--peer", addr)
	var room struct{ ID string }
	runJSON(t, &room, "post", "room", writeFile(t, "room.json", roomJSON), "--data", owner)
	poll(t, "the room to reach the renter", func() bool {
		var rooms []map[string]any
		runJSON(t, &rooms, "search", "rooms", "--data", renter)
		return len(rooms) == 1
	})
	from := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	to := time.Now().UTC().AddDate(0, 0, 13).Format(time.DateOnly)

	if _, errs, code := run(t, "book", room.ID, "--from", to, "--to", from, "--data", renter); code == 0 || !strings.Contains(errs, "must be after") {
		t.Fatalf("book with dates reversed: exit %d, %s", code, errs)
	}
	if _, errs, code := run(t, "book", room.ID, "--from", from, "--to", to, "--guests", "9", "--data", renter); code == 0 || !strings.Contains(errs, "guests") {
		t.Fatalf("book for too many guests: exit %d, %s", code, errs)
	}
	var req struct {
		ID         string  `json:"id"`
		Status     string  `json:"status"`
		TotalPrice float64 `json:"total_price"`
		Policy     string  `json:"cancellation_policy"`
	}
	runJSON(t, &req, "book", room.ID, "--from", from, "--to", to, "--guests", "2", "--note", "late arrival", "--data", renter)
	if req.ID == "" || req.Status != "requested" || req.TotalPrice != 135 || req.Policy != "flexible" {
		t.Fatalf("book printed %+v", req)
	}
	poll(t, "the request to reach the owner", func() bool {
		var bs []map[string]any
		runJSON(t, &bs, "bookings", "--role", "owner", "--data", owner)
		return len(bs) == 1 && bs[0]["id"] == req.ID && bs[0]["status"] == "requested" && bs[0]["note"] == "late arrival"
	})
	if _, errs, code := run(t, "decline", req.ID, "--data", owner); code == 0 || !strings.Contains(errs, "--reason") {
		t.Fatalf("decline without a reason: exit %d, %s", code, errs)
	}
	if _, errs, code := run(t, "accept", req.ID, "--data", renter); code == 0 || !strings.Contains(errs, "only the owner") {
		t.Fatalf("the renter accepting: exit %d, %s", code, errs)
	}
	var acc map[string]any
	runJSON(t, &acc, "accept", req.ID, "--address", "Herengracht 1", "--data", owner)
	if acc["status"] != "accepted" {
		t.Fatalf("accept printed %v", acc)
	}
	poll(t, "the renter to see the acceptance", func() bool {
		var bs []map[string]any
		runJSON(t, &bs, "bookings", "--data", renter)
		return len(bs) == 1 && bs[0]["status"] == "accepted" && bs[0]["address"] == "Herengracht 1"
	})
	poll(t, "the calendar to hide the room on those dates", func() bool {
		var rooms []map[string]any
		runJSON(t, &rooms, "search", "rooms", "--bbox", "4.7,52.2,5.1,52.5", "--from", from, "--to", to, "--data", renter)
		return len(rooms) == 0
	})
	if _, errs, code := run(t, "review", req.ID, "--stars", "5", "--data", renter); code == 0 || !strings.Contains(errs, "after that") {
		t.Fatalf("review before the end: exit %d, %s", code, errs)
	}
	if _, errs, code := run(t, "review", req.ID, "--stars", "5", "--category", "clean", "--data", renter); code == 0 || !strings.Contains(errs, "NAME=N") {
		t.Fatalf("review with a bad category: exit %d, %s", code, errs)
	}
	var rep struct {
		Count  int     `json:"review_count"`
		Rating float64 `json:"rating"`
	}
	var self struct {
		PeerID string `json:"peer_id"`
	}
	runJSON(t, &self, "status", "--data", owner)
	runJSON(t, &rep, "reputation", self.PeerID, "--data", renter)
	if rep.Count != 0 || rep.Rating != 0 {
		t.Fatalf("reputation with no reviews %+v", rep)
	}
	out, _, code := run(t, "bookings", "--data", renter)
	if code != 0 || !strings.Contains(out, "accepted") || !strings.Contains(out, "1 booking") {
		t.Fatalf("bookings as text: exit %d\n%s", code, out)
	}
	var paid map[string]any
	runJSON(t, &paid, "paid", req.ID, "--data", renter)
	if paid["paid_at"] == nil {
		t.Fatalf("paid printed %v", paid)
	}
	poll(t, "the owner to see it paid", func() bool {
		var b map[string]any
		runJSON(t, &b, "received", req.ID, "--data", owner)
		return b["paid_at"] != nil && b["received_at"] != nil
	})
	var cancelled map[string]any
	runJSON(t, &cancelled, "cancel", req.ID, "--reason", "plans changed", "--data", renter)
	if cancelled["status"] != "cancelled" {
		t.Fatalf("cancel printed %v", cancelled)
	}
	poll(t, "the owner's calendar to free the dates", func() bool {
		var rooms []map[string]any
		runJSON(t, &rooms, "search", "rooms", "--bbox", "4.7,52.2,5.1,52.5", "--from", from, "--to", to, "--data", renter)
		return len(rooms) == 1
	})
}

func TestBlockCommands(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	var peer struct {
		PeerID string `json:"peer_id"`
	}
	runJSON(t, &peer, "status", "--data", other)
	if _, errs, code := run(t, "block", "nobody", "--data", dir); code == 0 || !strings.Contains(errs, "not a user ID") {
		t.Fatalf("block nobody: exit %d, %s", code, errs)
	}
	var st map[string]string
	runJSON(t, &st, "block", peer.PeerID, "--reason", "spam", "--data", dir)
	var bs []map[string]any
	runJSON(t, &bs, "blocked", "--data", dir)
	if len(bs) != 1 || bs[0]["peer_id"] != peer.PeerID || bs[0]["reason"] != "spam" {
		t.Fatalf("blocked %v", bs)
	}
	var rs []map[string]any
	runJSON(t, &rs, "report", peer.PeerID, "asked", "for", "my", "password", "--data", dir)
	if len(rs) != 1 || rs[0]["note"] != "asked for my password" {
		t.Fatalf("report printed %v", rs)
	}
	runJSON(t, &st, "unblock", peer.PeerID, "--data", dir)
	if _, errs, code := run(t, "unblock", peer.PeerID, "--data", dir); code == 0 || !strings.Contains(errs, "not blocked") {
		t.Fatalf("unblock twice: exit %d, %s", code, errs)
	}
}
