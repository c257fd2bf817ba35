package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIdentityExportImport(t *testing.T) {
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	passFile := filepath.Join(tmp, "pass")
	if err := os.WriteFile(passFile, []byte("tangerine orbit kettle wander\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	weakFile := filepath.Join(tmp, "weak")
	if err := os.WriteFile(weakFile, []byte("password1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongFile := filepath.Join(tmp, "wrong")
	if err := os.WriteFile(wrongFile, []byte("not the passphrase at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(tmp, "me.age")

	var sa, sb struct {
		PeerID string `json:"peer_id"`
	}
	runJSON(t, &sa, "status", "--data", a)
	runJSON(t, &sb, "status", "--data", b)

	if _, errs, code := run(t, "identity", "export", backup, "--data", a, "--passphrase-file", weakFile, "--work-factor", "10"); code == 0 || !strings.Contains(errs, "passphrase") {
		t.Fatalf("export with a weak passphrase: exit %d, %q", code, errs)
	}
	var exp struct {
		PeerID string `json:"peer_id"`
		File   string `json:"file"`
	}
	runJSON(t, &exp, "identity", "export", backup, "--data", a, "--passphrase-file", passFile, "--work-factor", "10")
	if exp.PeerID != sa.PeerID || exp.File != backup {
		t.Errorf("export: %+v, want %s", exp, sa.PeerID)
	}

	if _, errs, code := run(t, "identity", "import", backup, "--data", b, "--passphrase-file", wrongFile); code == 0 || !strings.Contains(errs, "wrong passphrase") {
		t.Fatalf("import with a wrong passphrase: exit %d, %q", code, errs)
	}
	var imp struct {
		PeerID        string `json:"peer_id"`
		Previous      string `json:"previous"`
		Backup        string `json:"backup"`
		RestartNeeded bool   `json:"restart_needed"`
	}
	runJSON(t, &imp, "identity", "import", backup, "--data", b, "--passphrase-file", passFile)
	if imp.PeerID != sa.PeerID || imp.Previous != sb.PeerID || !imp.RestartNeeded || !strings.HasPrefix(imp.Backup, filepath.Join(b, "identity.key.bak-")) {
		t.Errorf("import: %+v", imp)
	}
	runJSON(t, &sb, "status", "--data", b)
	if sb.PeerID != sa.PeerID {
		t.Errorf("identity of b after the import: %s, want %s", sb.PeerID, sa.PeerID)
	}
	out, _, code := run(t, "identity", "import", backup, "--data", b, "--passphrase-file", passFile)
	if code != 0 || !strings.Contains(out, "nothing changed") {
		t.Errorf("second import: exit %d, %q", code, out)
	}
}
