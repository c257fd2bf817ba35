package cli

import (
	"strings"
	"testing"
)

// TestVouchCommands: vouch, vouch again, see it in the reputation, withdraw.
func TestVouchCommands(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	var self, peer struct {
		PeerID string `json:"peer_id"`
	}
	runJSON(t, &self, "status", "--data", dir)
	runJSON(t, &peer, "status", "--data", other)

	var first, second struct{ ID string }
	runJSON(t, &first, "vouch", peer.PeerID, "--text", "My neighbour.", "--data", dir)
	runJSON(t, &second, "vouch", peer.PeerID, "--text", "My neighbour for years.", "--data", dir)
	if first.ID == "" || second.ID != first.ID {
		t.Fatalf("vouch ids %q then %q: the second should replace the first", first.ID, second.ID)
	}
	var rep struct {
		Vouches  int `json:"vouches"`
		Vouchers []struct {
			Peer string `json:"peer"`
			Text string `json:"text"`
		} `json:"vouchers"`
	}
	runJSON(t, &rep, "reputation", peer.PeerID, "--data", dir)
	if rep.Vouches != 1 || len(rep.Vouchers) != 1 || rep.Vouchers[0].Peer != self.PeerID || rep.Vouchers[0].Text != "My neighbour for years." {
		t.Fatalf("reputation %+v", rep)
	}
	out, _, code := run(t, "reputation", peer.PeerID, "--data", dir)
	if code != 0 || !strings.Contains(out, "vouched for by 1 person") || !strings.Contains(out, "My neighbour for years.") {
		t.Fatalf("reputation as text: exit %d\n%s", code, out)
	}
	var gone map[string]string
	runJSON(t, &gone, "unvouch", peer.PeerID, "--data", dir)
	runJSON(t, &rep, "reputation", peer.PeerID, "--data", dir)
	if rep.Vouches != 0 {
		t.Fatalf("after unvouch: %+v", rep)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"oneself", []string{"vouch", self.PeerID}, "no one vouches for themselves"},
		{"bad peer", []string{"vouch", "bob"}, "not a user ID"},
		{"long text", []string{"vouch", peer.PeerID, "--text", strings.Repeat("x", 281)}, "at most 280"},
		{"not vouched", []string{"unvouch", peer.PeerID}, "have not vouched"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, append(tc.args, "--data", dir, "--json")...)
			if code == 0 || out != "" || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want a failure saying %q", code, out, errs, tc.want)
			}
		})
	}
}
