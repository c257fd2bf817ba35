package screens

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/resources"
)

// TestMain shows the screens in English, whatever the machine's locale, as
// the tests expect, with the English plural forms of en.json.
func TestMain(m *testing.M) {
	if err := loadLanguage("en"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// langCalls are fyne's lang functions whose first argument is a message ID,
// and whether they take a count.
var langCalls = map[string]bool{
	"L": false, "Localize": false, "X": false, "LocalizeKey": false,
	"N": true, "LocalizePlural": true, "XN": true, "LocalizePluralKey": true,
}

// langMessage is how the code uses a message ID.
type langMessage struct {
	plural bool
	// text is the English text: the ID, or lang.X's fallback; its template
	// fields are the data the code gives.
	text string
}

// usedMessages finds the message IDs this package's sources (tests aside)
// pass to fyne's lang functions, as literals, sums of literals or names of
// string constants. A call whose ID is none of those is reported as
// unchecked.
func usedMessages(t *testing.T) (ids map[string]langMessage, unchecked []string) {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		files = append(files, f)
	}
	consts := map[string]ast.Expr{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == len(vs.Values) {
				for i, id := range vs.Names {
					if id.Obj != nil && id.Obj.Kind == ast.Con {
						consts[id.Name] = vs.Values[i]
					}
				}
			}
			return true
		})
	}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return "", false
			}
			v := constant.MakeFromLiteral(e.Value, e.Kind, 0)
			return constant.StringVal(v), v.Kind() == constant.String
		case *ast.BinaryExpr:
			a, ok1 := eval(e.X)
			b, ok2 := eval(e.Y)
			return a + b, ok1 && ok2 && e.Op == token.ADD
		case *ast.ParenExpr:
			return eval(e.X)
		case *ast.Ident:
			if v, ok := consts[e.Name]; ok {
				return eval(v)
			}
		}
		return "", false
	}
	ids = map[string]langMessage{}
	for _, f := range files {
		local := "lang"
		for _, imp := range f.Imports {
			if imp.Path.Value == strconv.Quote("fyne.io/fyne/v2/lang") && imp.Name != nil {
				local = imp.Name.Name
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			plural, isLang := langCalls[sel.Sel.Name]
			if !ok || pkg.Name != local || !isLang {
				return true
			}
			id, ok := eval(call.Args[0])
			if !ok {
				unchecked = append(unchecked, fset.Position(call.Pos()).String())
				return true
			}
			text := id
			if strings.HasPrefix(sel.Sel.Name, "X") || strings.HasSuffix(sel.Sel.Name, "Key") {
				if len(call.Args) < 2 {
					return true
				}
				if text, ok = eval(call.Args[1]); !ok {
					unchecked = append(unchecked, fset.Position(call.Pos()).String())
					return true
				}
			}
			ids[id] = langMessage{plural: ids[id].plural || plural, text: text}
			return true
		})
	}
	return ids, unchecked
}

// readTranslations reads a translation file: message ID to its text, or to
// its plural forms.
func readTranslations(t *testing.T, name string) map[string]json.RawMessage {
	t.Helper()
	data, err := resources.Translations.ReadFile(resources.TranslationsDir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// placeholders are the template fields a text uses, sorted.
func placeholders(s string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestTranslationsComplete fails when a message the screens show through
// lang.L, lang.N or lang.X is missing from a translation file, has the
// wrong plural forms, or uses template fields the code does not give.
func TestTranslationsComplete(t *testing.T) {
	ids, unchecked := usedMessages(t)
	for _, a := range commonAmenities { // shown through lang.L(a.Label)
		ids[a.Label] = langMessage{text: a.Label}
	}
	if len(ids) < 100 {
		t.Fatalf("found only %d messages: the scan is broken", len(ids))
	}
	for _, pos := range unchecked {
		t.Logf("%s: a message ID that is not a literal can't be checked", pos)
	}
	forms := map[string][]string{"en.json": {"one", "other"}, "fr.json": {"one", "many", "other"}}
	for _, file := range slices.Sorted(maps.Keys(forms)) {
		tr := readTranslations(t, file)
		var missing []string
		for _, id := range slices.Sorted(maps.Keys(ids)) {
			raw, ok := tr[id]
			if !ok {
				missing = append(missing, strconv.Quote(id))
				continue
			}
			want := placeholders(ids[id].text)
			check := func(form, text string, exact bool) {
				if _, err := template.New(id).Parse(text); err != nil {
					t.Errorf("%s: %q (%s): %v", file, id, form, err)
				}
				got := placeholders(text)
				if exact && !slices.Equal(got, want) || !exact && slices.ContainsFunc(got, func(p string) bool { return !slices.Contains(want, p) }) {
					t.Errorf("%s: %q (%s) uses fields %v; the code gives %v", file, id, form, got, want)
				}
			}
			if !ids[id].plural {
				var text string
				if err := json.Unmarshal(raw, &text); err != nil {
					t.Errorf("%s: %q is not plural: want a string, have %s", file, id, raw)
					continue
				}
				check("text", text, true)
				continue
			}
			var pl map[string]string
			if err := json.Unmarshal(raw, &pl); err != nil {
				t.Errorf("%s: %q is shown with a count: want plural forms, have %s", file, id, raw)
				continue
			}
			for _, f := range forms[file] {
				if _, ok := pl[f]; !ok {
					t.Errorf("%s: %q lacks the plural form %q", file, id, f)
				}
			}
			for f, text := range pl {
				check(f, text, f == "other") // "one" may say "a room"
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s lacks %d messages:\n%s", file, len(missing), strings.Join(missing, "\n"))
		}
	}
}

// useFrench shows the screens in French until the test ends.
func useFrench(t *testing.T) {
	t.Helper()
	if err := loadLanguage("fr"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := loadLanguage("en"); err != nil {
			t.Error(err)
		}
	})
}

func TestLoadLanguage(t *testing.T) {
	useFrench(t)
	for _, c := range []struct{ got, want string }{
		{lang.L("Search rides"), "Chercher un trajet"},
		{lang.N("{{.Count}} rooms", 1, countOf(1)), "1 logement"},
		{lang.N("{{.Count}} rooms", 1200, countOf(1200)), "1\u00a0200 logements"},
		{formatNightly(45.5, "EUR"), "45,50\u00a0€ / nuit"},
		{formatAge(time.Now().Add(-3*24*time.Hour), time.Now()), "il y a 3 jours"},
		{formatDayTime(time.Date(2026, 1, 5, 9, 10, 0, 0, time.Local)), "lun. 5 janv. 09:10"},
		{func() string { err := validateGuests("0"); return err.Error() }(), "un nombre entier de 1 à 50"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if err := loadLanguage("en"); err != nil {
		t.Fatal(err)
	}
	if got := lang.N("{{.Count}} rooms", 2, countOf(2)); got != "2 rooms" {
		t.Errorf("back in English: got %q", got)
	}
	if err := loadLanguage("xx"); err == nil {
		t.Error("an unknown language loaded")
	}
}

func TestLanguageChoices(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range languageChoices() {
		if c.Code != "" {
			readTranslations(t, c.Code+".json")
		}
		if seen[c.Code] || c.Label == "" {
			t.Errorf("choice %+v repeated or unnamed", c)
		}
		seen[c.Code] = true
	}
	if !seen[""] {
		t.Error("no choice follows the system")
	}
}

func TestLanguageSelectStoresChoice(t *testing.T) {
	prefs := test.NewTempApp(t).Preferences()
	prefs.SetString(prefLanguage, "fr")
	box := newLanguageSelect(prefs).(*fyne.Container)
	sel := box.Objects[0].(*widget.Select)
	if sel.Selected != "Français" {
		t.Errorf("saved French shows as %q", sel.Selected)
	}
	sel.SetSelected("English")
	if got := prefs.String(prefLanguage); got != "en" {
		t.Errorf("English stored as %q", got)
	}
	sel.SetSelectedIndex(0)
	if got := prefs.String(prefLanguage); got != "" {
		t.Errorf("System stored as %q", got)
	}
}

func TestExploreAndNetworkInFrench(t *testing.T) {
	useFrench(t)
	fake := newFake(listing("a", "Canal house", time.Hour, func(l *app.RoomListing) { l.Amenities = []string{"wifi", "sauna"} }))
	fake.status = netStatus()
	fake.peers = []app.PeerInfo{peer("1", "caravan/1", 1.5), peer("2", "caravan/1", 0), peer("3", "", 0)}
	h := newHarness(t, fake)
	h.eventually("the rooms, in French", func() bool { return h.shows("1 logement") })
	text := h.screenText()
	for _, w := range []string{"Seulement les logements visibles sur la carte", "Wi-Fi · Sauna", "publié il y a"} {
		if !strings.Contains(text, w) {
			t.Errorf("Explore: %q not shown; the window shows:\n%s", w, text)
		}
	}

	h.ui(func() { h.sh.show(tabNetwork) })
	h.eventually("the network summary, in French", func() bool {
		return h.shows("Connecté à 3 pairs · joignable\u00a0: privé (derrière un routeur) · 12 pairs dans la DHT")
	})
	text = h.screenText()
	for _, w := range []string{
		"Votre identifiant de pair", "Vos adresses", "réseau local", "Pairs connectés (3)",
		"logiciel inconnu", "score 1,5", "Zones suivies (2)", "6/32/21 · vers",
		"1\u00a0204 enregistrements\u00a0: 1\u00a0000 logements · 200 trajets",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("Network: %q not shown; the window shows:\n%s", w, text)
		}
	}
}
