package cli

import (
	"strings"
	"testing"
	"time"
)

// TestMessageBetweenNodes: `caravan message` on one data dir while its node
// runs reaches the other node, where `caravan messages` lists it and marks
// it read, which the sender sees.
func TestMessageBetweenNodes(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	addrA := startNode(t, dirA)
	startNode(t, dirB, "--peer", addrA)
	var a, b struct {
		PeerID string `json:"peer_id"`
	}
	runJSON(t, &a, "status", "--data", dirA)
	runJSON(t, &b, "status", "--data", dirB)

	var sent struct{ ID string }
	runJSON(t, &sent, "message", b.PeerID, "see", "you", "at", "six", "--data", dirA)
	if sent.ID == "" {
		t.Fatal("message printed no id")
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var got []map[string]any
		runJSON(t, &got, "messages", a.PeerID, "--data", dirB)
		if len(got) == 1 {
			m := got[0]
			if m["id"] != sent.ID || m["text"] != "see you at six" || m["from"] != a.PeerID || m["status"] != "received" {
				t.Fatalf("B lists %v", m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the message never reached B")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var mine []map[string]any
		runJSON(t, &mine, "messages", "--data", dirA)
		// B's listing marked it read: B's read receipt follows the delivery.
		if len(mine) == 1 && mine[0]["status"] == "read" && mine[0]["outgoing"] == true {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A's message never showed read: %v", mine)
		}
	}
	out, _, code := run(t, "messages", "--data", dirA)
	if code != 0 || !strings.Contains(out, "see you at six") || !strings.Contains(out, "[read]") {
		t.Errorf("messages as text: exit %d\n%s", code, out)
	}
}

func TestMessageRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	var self struct {
		PeerID string `json:"peer_id"`
	}
	runJSON(t, &self, "status", "--data", dir)
	other := t.TempDir()
	var peer struct {
		PeerID string `json:"peer_id"`
	}
	runJSON(t, &peer, "status", "--data", other)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not a peer ID", []string{"message", "bob", "hi"}, "not a user ID"},
		{"to oneself", []string{"message", self.PeerID, "hi"}, "oneself"},
		{"blank text", []string{"message", peer.PeerID, " "}, "text: empty"},
		{"no text", []string{"message", peer.PeerID}, "requires at least 2 arg"},
		{"list with a bad peer", []string{"messages", "bob"}, "not a user ID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, append(tc.args, "--data", dir, "--json")...)
			if code == 0 || out != "" || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want a failure saying %q", code, out, errs, tc.want)
			}
		})
	}
	var none []any
	runJSON(t, &none, "messages", "--data", dir)
	if none == nil || len(none) != 0 {
		t.Errorf("messages on a fresh data dir: %v, want []", none)
	}
}
