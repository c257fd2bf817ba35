package cli

import (
	"strings"
	"testing"
	"time"
)

// myListing is what `caravan listings --json` prints of one listing.
type myListing struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	State     string    `json:"state"`
	Version   int       `json:"version"`
	ExpiresAt time.Time `json:"expires_at"`
	Bookings  int       `json:"bookings"`
	Room      *struct {
		Title         string  `json:"title"`
		PricePerNight float64 `json:"price_per_night"`
		Paused        bool    `json:"paused"`
	} `json:"room"`
}

type calendarOut struct {
	ListingID string `json:"listing_id"`
	Blocked   []struct{ From, To string }
	Booked    []struct{ From, To string }
}

// TestListingCommands: on one data dir with no node, the owner lists,
// pauses, resumes, edits, renews, blocks days of and deletes a room; bad
// input is refused with a message and nothing on stdout.
func TestListingCommands(t *testing.T) {
	dir := t.TempDir()
	var room struct{ ID string }
	runJSON(t, &room, "post", "room", writeFile(t, "room.json", roomJSON), "--data", dir)

	var ls []myListing
	runJSON(t, &ls, "listings", "--data", dir)
	if len(ls) != 1 || ls[0].ID != room.ID || ls[0].Kind != "room" || ls[0].State != "active" || ls[0].Version != 1 || ls[0].Room == nil {
		t.Fatalf("listings printed %+v", ls)
	}
	var l myListing
	runJSON(t, &l, "pause", room.ID, "--data", dir)
	if l.State != "paused" || l.Version != 2 || !l.Room.Paused {
		t.Fatalf("pause printed %+v", l)
	}
	var found []map[string]any
	runJSON(t, &found, "search", "rooms", "--data", dir)
	if len(found) != 0 {
		t.Fatalf("search finds the paused room: %v", found)
	}
	runJSON(t, &l, "resume", room.ID, "--data", dir)
	if l.State != "active" || l.Version != 3 {
		t.Fatalf("resume printed %+v", l)
	}
	edited := strings.Replace(roomJSON, `"price_per_night": 45`, `"price_per_night": 50`, 1)
	runJSON(t, &l, "edit", room.ID, writeFile(t, "edit.json", edited), "--data", dir)
	if l.Version != 4 || l.Room.PricePerNight != 50 || l.ID != room.ID {
		t.Fatalf("edit printed %+v", l)
	}
	before := l.ExpiresAt
	runJSON(t, &l, "renew", room.ID, "--data", dir)
	if !l.ExpiresAt.After(before) {
		t.Fatalf("renew: expires %v, before %v", l.ExpiresAt, before)
	}

	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format(time.DateOnly) }
	var cal calendarOut
	runJSON(t, &cal, "calendar", room.ID, "--block", day(5)+".."+day(8), "--block", day(10), "--data", dir)
	if len(cal.Blocked) != 2 || cal.Blocked[0].From != day(5) || cal.Blocked[0].To != day(8) || cal.Blocked[1].From != day(10) || cal.Blocked[1].To != day(11) {
		t.Fatalf("calendar --block printed %+v", cal)
	}
	runJSON(t, &cal, "calendar", room.ID, "--unblock", day(6)+".."+day(7), "--data", dir)
	if len(cal.Blocked) != 3 || cal.Blocked[0].To != day(6) || cal.Blocked[1].From != day(7) {
		t.Fatalf("calendar --unblock printed %+v", cal)
	}
	runJSON(t, &found, "search", "rooms", "--bbox", "4.7,52.2,5.1,52.5", "--from", day(5), "--to", day(6), "--data", dir)
	if len(found) != 0 {
		t.Fatalf("search finds the room on blocked days: %v", found)
	}
	out, _, code := run(t, "calendar", room.ID, "--data", dir)
	if code != 0 || !strings.Contains(out, day(7)+".."+day(8)) {
		t.Fatalf("calendar printed %q (exit %d)", out, code)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown listing", []string{"pause", "019a0000-0000-7000-8000-000000000000"}, "you have no room or ride"},
		{"a bad range", []string{"calendar", room.ID, "--block", "2026-12-05..2026-12-01"}, "is not after"},
		{"not a date", []string{"calendar", room.ID, "--unblock", "soon"}, "YYYY-MM-DD"},
		{"a bad edit", []string{"edit", room.ID, writeFile(t, "bad.json", strings.Replace(roomJSON, `"max_guests": 2`, `"max_guests": 0`, 1))}, "max_guests"},
		{"an unknown field", []string{"edit", room.ID, writeFile(t, "typo.json", strings.Replace(roomJSON, `"title"`, `"titel"`, 1))}, "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, append(tc.args, "--json", "--data", dir)...)
			if code == 0 || out != "" || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want a failure mentioning %q", code, out, errs, tc.want)
			}
		})
	}

	var del map[string]any
	runJSON(t, &del, "delete", room.ID, "--data", dir)
	if del["deleted"] != true || del["id"] != room.ID {
		t.Fatalf("delete printed %v", del)
	}
	runJSON(t, &ls, "listings", "--data", dir)
	if len(ls) != 0 {
		t.Fatalf("listings after delete: %+v", ls)
	}
}

// TestListingCommandsReachPeers: with nodes running, a pause, a resume,
// blocked days and a deletion made by commands on the owner's data dir
// reach the other node's searches.
func TestListingCommandsReachPeers(t *testing.T) {
	owner, other := t.TempDir(), t.TempDir()
	addr := startNode(t, owner)
	startNode(t, other, "--peer", addr)
	var room struct{ ID string }
	runJSON(t, &room, "post", "room", writeFile(t, "room.json", roomJSON), "--data", owner)
	count := func(extra ...string) int {
		var rooms []map[string]any
		runJSON(t, &rooms, append([]string{"search", "rooms", "--bbox", "4.7,52.2,5.1,52.5", "--data", other}, extra...)...)
		return len(rooms)
	}
	poll(t, "the room to reach the other node", func() bool { return count() == 1 })
	var l myListing
	runJSON(t, &l, "pause", room.ID, "--data", owner)
	poll(t, "the pause to hide the room", func() bool { return count() == 0 })
	runJSON(t, &l, "resume", room.ID, "--data", owner)
	poll(t, "the room to come back", func() bool { return count() == 1 })
	from := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
	to := time.Now().UTC().AddDate(0, 0, 5).Format(time.DateOnly)
	var cal calendarOut
	runJSON(t, &cal, "calendar", room.ID, "--block", from+".."+to, "--data", owner)
	poll(t, "the blocked days to hide the room on them", func() bool { return count("--from", from, "--to", to) == 0 })
	var del map[string]any
	runJSON(t, &del, "delete", room.ID, "--data", owner)
	poll(t, "the deletion to remove the room", func() bool { return count() == 0 })
}
