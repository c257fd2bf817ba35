package app

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodPass = "tangerine orbit kettle wander"

func TestCheckPassphrase(t *testing.T) {
	for _, c := range []struct {
		pass string
		want string // part of the error; "" for accepted
	}{
		{"", "0 characters"},
		{"short1!", "7 characters"},
		{"password123", "too easy"},
		{"aaaaaaaaaaaa", "too easy"},
		{"qwertyuiop", "too easy"},
		{goodPass, ""},
		{"Gx7#pL2!vQ9z", ""},
	} {
		err := CheckPassphrase(c.pass)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckPassphrase(%q) = %v, want %q", c.pass, err, c.want)
		}
	}
}

func TestIdentityExportImport(t *testing.T) {
	src := openNode(t, Options{})
	var backup bytes.Buffer
	if err := exportIdentity(&backup, src.id, goodPass, 10); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(backup.String(), "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Errorf("backup is not armoured: %.40q", backup.String())
	}
	if err := exportIdentity(&bytes.Buffer{}, src.id, "password123", 10); err == nil {
		t.Error("a weak passphrase was accepted")
	}

	dir := t.TempDir()
	dst, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	dstOpen := true
	defer func() {
		if dstOpen {
			dst.Close()
		}
	}()
	keyPath := filepath.Join(dir, keyFile)
	before, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}

	// A wrong passphrase changes nothing.
	if _, err := dst.ImportIdentity(bytes.NewReader(backup.Bytes()), "not the passphrase at all"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	// Neither does a file that is no backup.
	if _, err := dst.ImportIdentity(strings.NewReader("hello"), goodPass); err == nil || errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("not a backup: %v", err)
	}
	if now, _ := os.ReadFile(keyPath); !bytes.Equal(now, before) {
		t.Fatal("a failed import changed the key file")
	}

	res, err := dst.ImportIdentity(bytes.NewReader(backup.Bytes()), goodPass)
	if err != nil {
		t.Fatal(err)
	}
	if res.PeerID != src.Self() || res.Previous != dst.Self() || !res.RestartNeeded || res.Unchanged {
		t.Errorf("import result %+v", res)
	}
	if kept, err := os.ReadFile(res.Backup); err != nil || !bytes.Equal(kept, before) {
		t.Errorf("backup of the replaced key %s: %v, same bytes %v", res.Backup, err, bytes.Equal(kept, before))
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("key file after import: %v %v", fi.Mode(), err)
	}
	if dst.Self() == src.Self() {
		t.Error("the running node changed identity without a restart")
	}

	// From the next start the data dir is the imported identity.
	dstOpen = false
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	again := openNode(t, Options{DataDir: dir})
	if again.Self() != src.Self() {
		t.Errorf("after restart: %s, want %s", again.Self(), src.Self())
	}
	// Importing the identity in use again is no change and keeps no backup.
	res, err = again.ImportIdentity(bytes.NewReader(backup.Bytes()), goodPass)
	if err != nil || !res.Unchanged || res.Backup != "" || res.RestartNeeded {
		t.Errorf("import of the current identity: %+v, %v", res, err)
	}
}

func TestExportIdentityFile(t *testing.T) {
	n := openNode(t, Options{})
	path := filepath.Join(t.TempDir(), "me.age")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := n.ExportIdentityFile(path, goodPass, 10); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("export over a file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatal("the existing file was overwritten")
	}
	if err := n.ExportIdentityFile(path+"2", "weak", 10); err == nil {
		t.Fatal("a weak passphrase was accepted")
	}
	if _, err := os.Stat(path + "2"); err == nil {
		t.Fatal("a refused export left a file")
	}
	if err := n.ExportIdentityFile(path+"3", goodPass, 4); err == nil {
		t.Fatal("a work factor of 4 was accepted")
	}
	if err := n.ExportIdentityFile(path+"4", goodPass, 10); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "4"); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("exported file: %v, %v; want readable by its owner only", fi, err)
	}
}
