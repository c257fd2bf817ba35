package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/domain"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noDesktop(context.Context, *app.Node) error { return nil }

// run runs one command to completion and returns its stdout, stderr and status.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), args, &out, &errb, noDesktop)
	return out.String(), errb.String(), code
}

// runJSON runs a command with --json, requires success and decodes stdout into v.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out, errs, code := run(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("caravan %v: exit %d: %s", args, code, errs)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("caravan %v: stdout is not one JSON value: %v\n%s", args, err, out)
	}
}

// startNode runs `caravan node` until the test ends and returns its address.
func startNode(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	args := append([]string{"node", "--data", dir, "--json", "--no-mdns", "--no-dht", "--no-nat", "--listen", "/ip4/127.0.0.1/tcp/0"}, extra...)
	go func() { done <- Execute(ctx, args, &out, &errb, noDesktop) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("node in %s exited %d: %s", dir, code, errb.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var st struct {
			PeerID string   `json:"peer_id"`
			Addrs  []string `json:"addrs"`
		}
		if json.Unmarshal([]byte(out.String()), &st) == nil && len(st.Addrs) > 0 {
			for _, a := range st.Addrs {
				if strings.Contains(a, "/tcp/") {
					return a
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("node did not print its addresses: %s %s", out.String(), errb.String())
	return ""
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const roomJSON = `{
  "title": "Quiet room by the canal",
  "description": "Bright, two windows, five minutes from the station.",
  "lat": 52.37, "lon": 4.89,
  "price_per_night": 45, "currency": "EUR",
  "max_guests": 2, "amenities": ["wifi", "kitchen"]
}`

// TestRoomTravelsBetweenNodes is the spine end to end: two nodes joined by
// --peer, a room posted by a scripting command on one data dir, found by a
// search on the other.
func TestRoomTravelsBetweenNodes(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	addrA := startNode(t, dirA)
	startNode(t, dirB, "--peer", addrA)

	var posted struct{ ID string }
	runJSON(t, &posted, "post", "room", writeFile(t, "room.json", roomJSON), "--data", dirA)
	if posted.ID == "" {
		t.Fatal("post printed no id")
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var rooms []map[string]any
		runJSON(t, &rooms, "search", "rooms", "--bbox", "4.7,52.2,5.1,52.5", "--data", dirB)
		if len(rooms) == 1 {
			if rooms[0]["id"] != posted.ID || rooms[0]["title"] != "Quiet room by the canal" || rooms[0]["price_per_night"] != 45.0 {
				t.Fatalf("found %v, want the posted room", rooms[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the room never reached the second node")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The node writes its runtime state for commands every second.
	var peers []app.PeerInfo
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		runJSON(t, &peers, "peers", "--data", dirB)
		if len(peers) == 1 || time.Now().After(deadline) {
			break
		}
	}
	if len(peers) != 1 || !strings.Contains(addrA, peers[0].PeerID) {
		t.Errorf("peers of B = %v, want A", peers)
	}
	var st app.Status
	runJSON(t, &st, "status", "--data", dirB)
	if !st.Running || st.Peers != 1 || st.Records != 1 || len(st.Addrs) == 0 {
		t.Errorf("status of B = %+v, want running with 1 peer and 1 record", st)
	}
}

func TestPostRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		want          []string
	}{
		{"syntax", "{\n  \"title\": \"x\",\n  \"lat\": ,\n}", []string{":3:", "invalid JSON"}},
		{"wrong type", "{\n  \"title\": \"x\",\n  \"max_guests\": \"two\"\n}", []string{":3:", "max_guests", "expected int"}},
		{"unknown field", "{\n  \"title\": \"x\",\n  \"gusts\": 2\n}", []string{":3:", `unknown field "gusts"`}},
		{"bad latitude", strings.Replace(roomJSON, "52.37", "123", 1), []string{"field lat", "latitude 123"}},
		{"bad currency", strings.Replace(roomJSON, `"EUR"`, `"EURO"`, 1), []string{"field currency", "ISO 4217"}},
		{"no title", strings.Replace(roomJSON, "Quiet room by the canal", " ", 1), []string{"field title", "required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := run(t, "post", "room", writeFile(t, "room.json", tc.content), "--data", dir, "--json")
			if code == 0 {
				t.Fatal("bad file accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("error %q does not mention %q", errs, w)
				}
			}
		})
	}
	var st app.Status
	runJSON(t, &st, "status", "--data", dir)
	if st.Records != 0 {
		t.Errorf("%d records stored from bad files", st.Records)
	}
}

// TestImportRefusesTamperedRecords feeds every kind of tampering of DESIGN §3
// through `records import`: each line is refused with its reason and the
// store is unchanged.
// latitude matches a room body's latitude (the public pin, near the posted one).
var latitude = regexp.MustCompile(`"lat":[-0-9.e]+`)

func TestImportRefusesTamperedRecords(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	var posted struct{ ID string }
	runJSON(t, &posted, "post", "room", writeFile(t, "room.json", roomJSON), "--data", src)
	exported := filepath.Join(t.TempDir(), "recs.jsonl")
	var count struct{ Count int }
	runJSON(t, &count, "records", "export", exported, "--data", src)
	if count.Count != 1 {
		t.Fatalf("exported %d records, want 1", count.Count)
	}
	var imp app.ImportResult
	runJSON(t, &imp, "records", "import", exported, "--data", dst)
	if imp.Stored != 1 || len(imp.Rejected) != 0 {
		t.Fatalf("clean import = %+v", imp)
	}
	b, _ := os.ReadFile(exported)
	orig, err := domain.DecodeRecord(bytes.TrimSpace(b))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := domain.NewIdentity()
	now := time.Now()
	tamper := []struct {
		name   string
		edit   func(r *domain.Record)
		reason domain.Reason
	}{
		{"bad signature", func(r *domain.Record) { r.Sig[5] ^= 0xff }, domain.ReasonBadSignature},
		{"edited body", func(r *domain.Record) { r.Body = bytes.Replace(r.Body, []byte("45"), []byte("15"), 1) }, domain.ReasonBadSignature},
		{"another author on the id", func(r *domain.Record) { r.Version++; other.Sign(r) }, domain.ReasonNotOwner},
		{"future", func(r *domain.Record) { r.IssuedAt = now.Add(time.Hour).UnixMilli() }, domain.ReasonFuture}, // cheap checks run before the signature
		{"future, re-signed", func(r *domain.Record) {
			r.ID, r.IssuedAt, r.ExpiresAt = domain.NewID(), now.Add(time.Hour).UnixMilli(), now.Add(48*time.Hour).UnixMilli()
			other.Sign(r)
		}, domain.ReasonFuture},
		{"NaN latitude", func(r *domain.Record) {
			r.ID, r.Body = domain.NewID(), latitude.ReplaceAll(r.Body, []byte(`"lat":NaN`))
			other.Sign(r)
		}, domain.ReasonBadBody},
		{"latitude out of range", func(r *domain.Record) {
			r.ID, r.Body = domain.NewID(), latitude.ReplaceAll(r.Body, []byte(`"lat":95`))
			other.Sign(r)
		}, domain.ReasonBadCoordinate},
		{"oversized body", func(r *domain.Record) {
			r.ID, r.Body = domain.NewID(), bytes.Replace(r.Body, []byte(`"description":"`), []byte(`"description":"`+strings.Repeat("x", 70<<10)), 1)
			other.Sign(r)
		}, domain.ReasonTooLarge},
	}
	var lines []string
	for _, tc := range tamper {
		r := orig
		r.Sig, r.Body = bytes.Clone(orig.Sig), bytes.Clone(orig.Body)
		tc.edit(&r)
		enc, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(enc))
	}
	lines = append(lines, `{"kind": "room", "version": "one"}`)
	path := writeFile(t, "tampered.jsonl", strings.Join(lines, "\n")+"\n")
	runJSON(t, &imp, "records", "import", path, "--data", dst)
	if imp.Stored != 0 {
		t.Errorf("stored %d tampered records", imp.Stored)
	}
	if len(imp.Rejected) != len(lines) {
		t.Fatalf("rejected %d of %d lines: %+v", len(imp.Rejected), len(lines), imp.Rejected)
	}
	for i, tc := range tamper {
		got := imp.Rejected[i]
		if got.Line != i+1 || !strings.HasPrefix(got.Reason, string(tc.reason)) {
			t.Errorf("%s: rejected %+v, want line %d reason %s", tc.name, got, i+1, tc.reason)
		}
	}
	if last := imp.Rejected[len(lines)-1]; !strings.Contains(last.Reason, `"version"`) {
		t.Errorf("malformed line: reason %q should name the field", last.Reason)
	}
	var st app.Status
	runJSON(t, &st, "status", "--data", dst)
	if st.Records != 1 {
		t.Errorf("store holds %d records after the tampered import, want 1", st.Records)
	}
	// The same file again: nothing new, the clean record is a duplicate.
	runJSON(t, &imp, "records", "import", exported, "--data", dst)
	if imp.Stored != 0 || imp.Skipped != 1 {
		t.Errorf("re-import = %+v, want 1 skipped", imp)
	}

	// An older version of a stored record is skipped and changes nothing.
	room := app.Room{Title: "Loft", Lat: 52.36, Lon: 4.9, PricePerNight: 80, Currency: "EUR", MaxGuests: 3}
	v1, err := other.NewRoomRecord(room, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	room.PricePerNight = 90
	v2, err := other.NewRoomRecord(room, &v1, now)
	if err != nil {
		t.Fatal(err)
	}
	e1, _ := v1.Encode()
	e2, _ := v2.Encode()
	runJSON(t, &imp, "records", "import", writeFile(t, "versions.jsonl", string(e2)+"\n"+string(e1)+"\n"), "--data", dst)
	if imp.Stored != 1 || imp.Skipped != 1 || len(imp.Rejected) != 0 {
		t.Errorf("import of v2 then v1 = %+v, want 1 stored, 1 skipped", imp)
	}
	var rooms []app.RoomListing
	runJSON(t, &rooms, "search", "rooms", "--text", "loft", "--data", dst)
	if len(rooms) != 1 || rooms[0].PricePerNight != 90 || rooms[0].Version != 2 {
		t.Errorf("rooms after importing two versions = %+v, want version 2 at 90", rooms)
	}
}
