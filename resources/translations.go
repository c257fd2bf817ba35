package resources

import "embed"

// Translations holds Caravan's strings in every language it speaks, one
// go-i18n JSON file a language named by its tag (translations/en.json,
// translations/fr.json), in the format fyne.io/fyne/v2/lang loads with
// lang.AddTranslationsFS(Translations, TranslationsDir). The message IDs are
// the English strings the code passes to lang.L and lang.N.
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the directory of Translations that holds the files.
const TranslationsDir = "translations"
