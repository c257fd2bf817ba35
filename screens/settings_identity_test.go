package screens

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// nopWriteCloser is a buffer that a file dialog's writer stands in for.
type nopWriteCloser struct{ bytes.Buffer }

func (*nopWriteCloser) Close() error { return nil }

// TestSettingsTileURLAppliesAtOnce: every map of the window switches to a
// new tile server as soon as a valid one is typed.
func TestSettingsTileURLAppliesAtOnce(t *testing.T) {
	h := newHarness(t, newFake())
	const u = "https://tiles.example.org/{z}/{x}/{y}.png"
	h.ui(func() {
		h.sh.show(tabSettings)
		h.sh.settings.tileURL.SetText(u)
		for i, m := range h.sh.maps() {
			if m.TileURL() != u {
				t.Errorf("map %d uses %q", i, m.TileURL())
			}
		}
		if h.sh.mapOpts.TileURL != u {
			t.Errorf("maps made later would use %q", h.sh.mapOpts.TileURL)
		}
		h.sh.settings.tileURL.SetText("https://tiles.example.org/{z}/{x}.png") // refused: the maps stay
		if h.sh.maps()[0].TileURL() != u {
			t.Errorf("a refused URL reached the maps: %q", h.sh.maps()[0].TileURL())
		}
		h.sh.settings.tileURL.SetText("")
		if h.sh.maps()[0].TileURL() == u {
			t.Error("clearing the URL left the maps on the old server")
		}
	})
}

// TestSettingsDataDir: the data folder is shown with a button that opens it.
func TestSettingsDataDir(t *testing.T) {
	fake := newFake()
	dir := t.TempDir()
	h := newHarnessWith(t, fake, dataDirBackend{fake, dir})
	h.ui(func() {
		h.sh.show(tabSettings)
		if !h.shows(dir) || h.sh.settings.openDir.Disabled() {
			t.Fatalf("data folder %s not shown, or no button:\n%s", dir, strings.Join(visibleTexts(h.sh.win.Canvas().Content()), "\n"))
		}
		test.Tap(h.sh.settings.openDir)
		if top := h.sh.win.Canvas().Overlays().Top(); top != nil {
			t.Errorf("opening the folder showed a dialog: %v", visibleTexts(top))
		}
	})
}

// dataDirBackend is the fake with a data dir.
type dataDirBackend struct {
	*fakeBackend
	dir string
}

func (d dataDirBackend) DataDir() string { return d.dir }

func TestPassphraseForm(t *testing.T) {
	h := newHarness(t, newFake())
	h.ui(func() {
		var got string
		f := newPassphraseForm("Export identity", "Choose file…", true, h.sh.win, func(p string) { got = p })
		f.dlg.Show()
		for _, c := range []struct {
			pass, again string
			ok          bool
		}{
			{"short", "short", false},
			{"password123", "password123", false},
			{"tangerine orbit kettle wander", "tangerine orbit kettle", false},
			{"tangerine orbit kettle wander", "tangerine orbit kettle wander", true},
		} {
			f.pass.SetText(c.pass)
			f.again.SetText(c.again)
			ok := f.pass.Validate() == nil && f.again.Validate() == nil
			if ok != c.ok {
				t.Errorf("%q / %q: valid %v, want %v", c.pass, c.again, ok, c.ok)
			}
		}
		f.dlg.Submit()
		if got != "tangerine orbit kettle wander" {
			t.Errorf("the form gave %q", got)
		}
	})
}

func TestIdentityExportAndImport(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	path := filepath.Join(t.TempDir(), "me.age")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w := &nopWriteCloser{}
	h.ui(func() {
		h.sh.show(tabSettings)
		h.sh.settings.identity.export(w, path, "tangerine orbit kettle wander")
	})
	ib := h.sh.settings.identity
	h.eventually("the export to finish", func() bool { return strings.Contains(ib.msg.text(), "Exported to me.age") })
	if !strings.HasPrefix(w.String(), "-----BEGIN AGE") {
		t.Errorf("wrote %q", w.String())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("exported file mode: %v %v", fi, err)
	}

	fake.setProfiles(func(p *fakeProfiles) { p.backupPass = "tangerine orbit kettle wander" })
	h.ui(func() { ib.importFrom(path, "wrong one") })
	h.eventually("the wrong passphrase refused", func() bool {
		return strings.Contains(ib.msg.text(), "Wrong passphrase") && h.sh.win.Canvas().Overlays().Top() != nil
	})
	h.ui(func() {
		h.sh.win.Canvas().Overlays().Top().Hide() // the passphrase asked again
		h.sh.win.Canvas().Overlays().Remove(h.sh.win.Canvas().Overlays().Top())
		ib.importFrom(path, "tangerine orbit kettle wander")
	})
	h.eventually("the import to finish", func() bool { return strings.Contains(ib.msg.text(), "Restart Caravan to use it") })
	h.ui(func() {
		top := h.sh.win.Canvas().Overlays().Top()
		if top == nil || !strings.Contains(strings.Join(visibleTexts(top), " "), "Restart Caravan") {
			t.Errorf("no restart dialog")
		}
	})
	var imported []string
	fake.setProfiles(func(p *fakeProfiles) { imported = p.imported })
	if len(imported) != 1 || imported[0] != path {
		t.Errorf("imported %v", imported)
	}
}
