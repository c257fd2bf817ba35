package screens

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// placeSuggestions is how many places the search suggests at once.
const placeSuggestions = 6

// placeSearch is an entry for a town, with suggestions from the embedded
// gazetteer as the user types, and a message line for what can't be found.
// Enter takes the first suggestion, or "LAT,LON".
//
// Lookups run off the UI goroutine; only the answer to the latest text is
// shown.
type placeSearch struct {
	sh *shell
	// onPick is called on the UI goroutine with the place chosen: picked
	// from the suggestions, or resolved from the text on Enter (then label
	// is what was typed when it was coordinates).
	onPick func(pt [2]float64, label string, p app.Place)
	// onEdit, when set, is called when the text changes after a pick, so a
	// form can forget the point it was given.
	onEdit func()

	// UI goroutine only.
	entry   *keyEntry
	found   []app.Place     // the places suggested
	hot     int             // the suggestion Up/Down moved to; -1 for none
	suggest *fyne.Container // the suggestions, one button each
	box     *tint           // suggest on a background; hidden when empty
	msg     *note
	hint    string
	gen     int  // number of the latest lookup
	picking bool // the entry's text is being set to the place picked
	picked  bool // the text names the place last picked
	point   [2]float64
}

func newPlaceSearch(sh *shell, placeholder, hint string, onPick func([2]float64, string, app.Place)) *placeSearch {
	ps := &placeSearch{sh: sh, onPick: onPick, hint: hint}
	ps.entry = newKeyEntry(ps.key)
	ps.entry.SetPlaceHolder(placeholder)
	ps.entry.OnChanged = ps.changed
	ps.entry.OnSubmitted = func(string) { ps.submit() }
	ps.hot = -1
	ps.suggest = container.NewVBox()
	ps.box = newTint(theme.ColorNameBackground, 0xf4, container.NewPadded(ps.suggest))
	ps.box.Hide()
	ps.msg = newNote(theme.SizeNameCaptionText)
	ps.msg.set(hint, theme.ColorNamePlaceHolder)
	return ps
}

// text is what is typed, trimmed.
func (ps *placeSearch) text() string { return strings.TrimSpace(ps.entry.Text) }

// changed looks up suggestions for the text typed.
func (ps *placeSearch) changed(string) {
	if ps.picking {
		return
	}
	if ps.picked {
		ps.picked = false
		if ps.onEdit != nil {
			ps.onEdit()
		}
	}
	ps.msg.set(ps.hint, theme.ColorNamePlaceHolder)
	ps.gen++
	gen, text := ps.gen, ps.text()
	if text == "" || startsWithNumber(text) {
		ps.show(nil)
		return
	}
	ps.sh.wg.Add(1)
	go func() {
		defer ps.sh.wg.Done()
		found, err := ps.sh.b.Places(text, placeSuggestions)
		ps.sh.do(func() {
			if gen != ps.gen {
				return // the text changed meanwhile
			}
			if err != nil {
				ps.setError(lang.L("Couldn't look up places: {{.Err}}", tdata{"Err": err}))
				ps.show(nil)
				return
			}
			if len(found) == 0 {
				ps.setError(lang.L("No town called “{{.Text}}” in the gazetteer. Try another spelling, a bigger town nearby, or LAT,LON.", tdata{"Text": text}))
			}
			ps.show(found)
		})
	}()
}

// show lists places as suggestions; none hides the list.
func (ps *placeSearch) show(found []app.Place) {
	ps.found, ps.hot = found, -1
	ps.suggest.RemoveAll()
	for _, p := range found {
		b := widget.NewButton(placeLine(p), func() { ps.pick(p) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		ps.suggest.Add(b)
	}
	ps.box.Hidden = len(found) == 0
	ps.box.Refresh()
}

// key handles the keys the entry leaves to the search: Down and Up move
// through the suggestions, Escape closes them. It reports whether it used
// the key.
func (ps *placeSearch) key(k fyne.KeyName) bool {
	if ps.box.Hidden || len(ps.found) == 0 {
		return false
	}
	switch k {
	case fyne.KeyDown:
		ps.setHot(min(ps.hot+1, len(ps.found)-1))
	case fyne.KeyUp:
		ps.setHot(max(ps.hot-1, -1))
	case fyne.KeyEscape:
		ps.show(nil)
	default:
		return false
	}
	return true
}

// choosing reports whether the user moved to a suggestion, which Enter
// then picks.
func (ps *placeSearch) choosing() bool {
	return ps.hot >= 0 && ps.hot < len(ps.found) && !ps.box.Hidden
}

// setHot highlights suggestion i (-1 for none), which Enter picks.
func (ps *placeSearch) setHot(i int) {
	ps.hot = i
	for j, o := range ps.suggest.Objects {
		b := o.(*widget.Button)
		if j == i {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		b.Refresh()
	}
}

// placeLine is a place as a suggestion shows it: "Lyon, FR · 522,250 people".
func placeLine(p app.Place) string {
	if p.Population > 0 {
		return p.Label() + " · " + lang.N("{{.Count}} people", p.Population, countOf(p.Population))
	}
	return p.Label()
}

// pick takes a suggested place.
func (ps *placeSearch) pick(p app.Place) {
	ps.set([2]float64{p.Lon, p.Lat}, p.Label())
	ps.onPick(ps.point, p.Label(), p)
}

// set fills the entry with a place already chosen, without a lookup.
func (ps *placeSearch) set(pt [2]float64, label string) {
	ps.gen++
	ps.picking = true
	ps.entry.SetText(label)
	ps.entry.CursorColumn = len([]rune(label))
	ps.entry.Refresh()
	ps.picking = false
	ps.picked, ps.point = true, pt
	ps.msg.set(ps.hint, theme.ColorNamePlaceHolder)
	ps.show(nil)
}

// submit takes the place picked, or resolves the text (a town or
// LAT,LON) off the UI goroutine, showing why when it can't.
func (ps *placeSearch) submit() {
	if ps.choosing() {
		ps.pick(ps.found[ps.hot])
		return
	}
	if ps.picked {
		ps.onPick(ps.point, ps.text(), app.Place{})
		return
	}
	ps.gen++
	gen, text := ps.gen, ps.text()
	ps.sh.wg.Add(1)
	go func() {
		defer ps.sh.wg.Done()
		pt, p, err := resolvePlaceText(ps.sh.b, text)
		ps.sh.do(func() {
			if gen != ps.gen {
				return
			}
			if err != nil {
				ps.setError(err.Error())
				return
			}
			label := text
			if p.Name != "" {
				label = p.Label()
			}
			ps.set(pt, label)
			ps.onPick(pt, label, p)
		})
	}()
}

// resolvePlaceText turns what was typed for a place into a point: the most
// likely town starting so ("Amster" is Amsterdam), or LAT,LON. It calls the
// backend and may block: run it off the UI goroutine.
func resolvePlaceText(b Backend, text string) ([2]float64, app.Place, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return [2]float64{}, app.Place{}, placeError(lang.L("type a town, like Lyon, or LAT,LON, like 45.76,4.84"))
	}
	if !startsWithNumber(text) {
		found, err := b.Places(text, 1)
		if err == nil && len(found) == 1 {
			return [2]float64{found[0].Lon, found[0].Lat}, found[0], nil
		}
	}
	return b.ResolvePlace(text) // says why it can't, with suggestions
}

// setError shows a message under the entry.
func (ps *placeSearch) setError(msg string) {
	ps.msg.set(sentence(msg), theme.ColorNameError)
}

// clear empties the entry.
func (ps *placeSearch) clear() {
	ps.gen++
	ps.picking = true
	ps.entry.SetText("")
	ps.picking = false
	ps.picked = false
	ps.msg.set(ps.hint, theme.ColorNamePlaceHolder)
	ps.show(nil)
}

// startsWithNumber reports text that is meant as coordinates.
func startsWithNumber(s string) bool {
	s = strings.TrimLeft(strings.TrimSpace(s), "+-")
	return s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '.')
}

// flyZoom is the zoom a place is shown at: cities wide enough to see their
// suburbs, villages close.
func flyZoom(p app.Place) int {
	switch {
	case p.Population >= 1_000_000:
		return 11
	case p.Population >= 100_000:
		return 12
	case p.Population > 0:
		return 13
	}
	return 12 // coordinates
}

// placeError is what a place entry says when its text is no place.
type placeError string

func (e placeError) Error() string { return string(e) }

// newMapSearch is the place search above a map: picking a place flies the
// map there.
func newMapSearch(sh *shell, m *mapview.Map) *placeSearch {
	return newPlaceSearch(sh, lang.L("Go to a town or LAT,LON…"), "",
		func(pt [2]float64, _ string, p app.Place) { m.SetCenter(pt[1], pt[0], flyZoom(p)) })
}

// mapColumn lays out a map under its place search, the suggestions over the
// top of the map.
func mapColumn(ps *placeSearch, m *mapview.Map) fyne.CanvasObject {
	search := container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, ps.entry)
	top := container.New(layout.NewCustomPaddedVBoxLayout(0), search, ps.msg.rt)
	over := container.NewBorder(container.New(maxWidth{420}, container.NewPadded(ps.box)), nil, nil, nil)
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewStack(m, over))
}

// keyEntry is an entry that first offers the keys it types to onKey, for a
// list of suggestions under it.
type keyEntry struct {
	widget.Entry
	onKey func(fyne.KeyName) bool
}

func newKeyEntry(onKey func(fyne.KeyName) bool) *keyEntry {
	e := &keyEntry{onKey: onKey}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey is part of fyne.Focusable.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(k.Name) {
		return
	}
	e.Entry.TypedKey(k)
}
