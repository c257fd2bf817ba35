package screens

import (
	"encoding/json"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/resources"
	// Before fyne's lang reads the system's locale: see the package.
	_ "github.com/caravan-p2p/caravan/screens/localeenv"
)

// The screens' strings go through fyne's lang package: lang.L("English
// text"), lang.L("Posted by {{.Author}}", tdata{"Author": a}) with data, and
// lang.N("{{.Count}} rooms", n, countOf(n)) where a count is shown. The
// English text is the message ID; its translations are in
// resources/translations (en.json has the English plural forms, fr.json the
// French). TestTranslationsComplete fails on any lang.L, lang.N or lang.X
// literal of this package that a translation file lacks.

// prefLanguage is the preference that holds the language chosen in
// Settings: a code of languageChoices, "" to follow the system.
const prefLanguage = "language"

// Messages every translation file has. languageKey's text is the file's
// language code: it tells which language the localizer speaks. localeKey's
// is the locale the file is loaded as (its language code too, unless
// loadLanguage loaded it as another locale's): it tells which locale fyne
// speaks, when one of ours.
const (
	languageKey = "caravan.language"
	localeKey   = "caravan.locale"
)

// languageLabel names the language choice in Settings.
func languageLabel() string { return lang.L("Language") }

// languageHint is the note under the language choice.
const languageHint = "Applies when Caravan restarts."

// tdata is the data of a translated template: lang.L("… {{.Name}} …",
// tdata{"Name": name}).
type tdata = map[string]any

// languageChoice is one language Caravan can be shown in.
type languageChoice struct {
	// Code is what the preference stores: "" for the system's language,
	// else the name of a translation file without .json.
	Code string
	// Label is what the choice reads, each language in itself.
	Label string
}

// languageChoices are the languages offered in Settings, the system's
// first (the default).
func languageChoices() []languageChoice {
	return []languageChoice{
		{Code: "", Label: lang.L("System")},
		{Code: "en", Label: "English"},
		{Code: "fr", Label: "Français"},
	}
}

// loadLanguage loads Caravan's translations into fyne's localizer and, when
// code is not "", makes that language the one lang.L answers in from now on,
// whatever the system's. Call it before building any window: strings
// already on screen keep the language they were made in.
//
// Fyne picks its language from the system's locales alone (the environment
// on Linux, the user's settings on Windows and macOS) among the languages it
// has translations for, and offers no way to choose another. So a language
// other than the one fyne picked is loaded as the translation of the one it
// picked: of English or French when fyne speaks one of ours (English also
// stands for any system language fyne has no translation for), else of the
// system's language (its base, say "de", and if fyne does not settle on
// that, the full locale, "de-CH"). Fyne's own few strings (OK, Cancel, Copy)
// then stay in the language fyne picked, and plural forms follow that
// language's rules ("0 logements" where French says "0 logement").
func loadLanguage(code string) error {
	if err := lang.AddTranslationsFS(resources.Translations, resources.TranslationsDir); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	if code == "" {
		return nil
	}
	data, err := resources.Translations.ReadFile(resources.TranslationsDir + "/" + code + ".json")
	if err != nil {
		return fmt.Errorf("no translation for %q: %w", code, err)
	}
	// The locale fyne speaks, if any of our files is loaded as it.
	tags := []fyne.Locale{fyne.Locale(lang.X(localeKey, ""))}
	if tags[0] == "" {
		sys := lang.SystemLocale()
		base, _, _ := strings.Cut(sys.String(), "-")
		tags = []fyne.Locale{fyne.Locale(base), sys}
	}
	for _, loc := range tags {
		if err := lang.AddTranslationsForLocale(data, loc); err != nil {
			return fmt.Errorf("load %s translation as %s: %w", code, loc, err)
		}
		mark, err := json.Marshal(map[string]string{localeKey: loc.String()})
		if err != nil {
			return fmt.Errorf("mark %s: %w", loc, err)
		}
		if err := lang.AddTranslationsForLocale(mark, loc); err != nil {
			return fmt.Errorf("mark %s: %w", loc, err)
		}
		if lang.X(languageKey, "") == code {
			return nil
		}
	}
	return fmt.Errorf("the localizer does not take %s as %s", code, tags[len(tags)-1])
}

// applyLanguage loads the language saved in the preferences (the system's
// by default); NewMainWindow calls it before it builds the window.
func applyLanguage(p fyne.Preferences) {
	if err := loadLanguage(p.String(prefLanguage)); err != nil {
		fyne.LogError("setting the language", err)
	}
}

// newLanguageSelect is the language choice of Settings: it shows the saved
// choice and saves a new one, which applies at the next start (said in a
// note under it).
func newLanguageSelect(p fyne.Preferences) fyne.CanvasObject {
	choices := languageChoices()
	labels := make([]string, len(choices))
	for i, c := range choices {
		labels[i] = c.Label
	}
	sel := widget.NewSelect(labels, nil)
	sel.SetSelectedIndex(0)
	saved := p.String(prefLanguage)
	for i, c := range choices {
		if c.Code == saved {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(label string) {
		for _, c := range choices {
			if c.Label == label {
				p.SetString(prefLanguage, c.Code)
			}
		}
	}
	hint := newNote(theme.SizeNameCaptionText)
	hint.set(lang.L(languageHint), theme.ColorNamePlaceHolder)
	return container.New(layout.NewCustomPaddedVBoxLayout(0), sel, hint.rt)
}
