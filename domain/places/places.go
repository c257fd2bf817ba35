// Package places is Caravan's offline gazetteer: an index of towns and cities
// (name, country, region, position, population) searched by name prefix, so a
// person can type "Lyon" instead of coordinates.
//
// It knows nothing of where the data comes from: Read builds an Index from a
// tab-separated text stream (the app feeds it the embedded GeoNames extract).
// Names are compared folded: case, accents and punctuation do not matter, so
// "zurich" finds Zürich, "sao paulo" São Paulo and "saint etienne"
// Saint-Étienne.
package places

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// Place is one town or city.
type Place struct {
	Name string `json:"name"`
	// Country is the ISO 3166-1 alpha-2 code, like FR.
	Country string `json:"country"`
	// Admin is the region code where it is one a reader knows (US states,
	// Canadian provinces, Swiss cantons, ...), like TX; often empty.
	Admin      string  `json:"admin,omitempty"`
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	Population int     `json:"population"`
}

// Point is the place as an orb point (lon, lat).
func (p Place) Point() orb.Point { return orb.Point{p.Lon, p.Lat} }

// Label names the place with its region and country, so that namesakes are
// told apart: "Paris, FR", "Paris, TX, US". Lookup and Resolve accept it back.
func (p Place) Label() string {
	if p.Admin != "" {
		return p.Name + ", " + p.Admin + ", " + p.Country
	}
	return p.Name + ", " + p.Country
}

// entry is one place under its folded name.
type entry struct {
	key   string // Fold(name)
	place int32  // index in Index.places
}

// Index finds places by name. It is read-only once built and safe for
// concurrent use.
type Index struct {
	places  []Place
	entries []entry // sorted by key, then population descending
}

// Fields of a line of the input, in order.
const (
	colName = iota
	colCountry
	colAdmin
	colLat
	colLon
	colPopulation
	columns
)

// Read builds an index from UTF-8 text, one place a line, six tab-separated
// fields:
//
//	name	country	admin	lat	lon	population
//
// country is an ISO 3166-1 alpha-2 code, admin a region code or empty, lat
// and lon decimal degrees (WGS84), population a whole number (0 when
// unknown). Empty lines and lines starting with # are skipped. A bad line is
// an error naming its line number.
func Read(r io.Reader) (*Index, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	return Parse(string(b))
}

// Parse builds an index from text in Read's format. Names are slices of
// text, not copies.
func Parse(text string) (*Index, error) {
	ix := &Index{places: make([]Place, 0, strings.Count(text, "\n")+1)}
	var fields [columns]string
	line := 0
	for l := range strings.Lines(text) {
		line++
		l = strings.TrimRight(l, "\r\n")
		if l == "" || l[0] == '#' {
			continue
		}
		p, err := parseLine(l, fields[:])
		if err != nil {
			return nil, fmt.Errorf("places line %d: %w", line, err)
		}
		ix.places = append(ix.places, p)
	}
	ix.entries = make([]entry, len(ix.places))
	var f folder
	for i := range ix.places {
		ix.entries[i] = entry{key: f.fold(ix.places[i].Name), place: int32(i)}
	}
	// Input sorted by folded name and population, as the embedded gazetteer
	// is, needs no sorting.
	order := func(a, b entry) int { return cmp.Or(strings.Compare(a.key, b.key), ix.rank(a, b)) }
	if !slices.IsSortedFunc(ix.entries, order) {
		slices.SortFunc(ix.entries, order)
	}
	return ix, nil
}

// parseLine parses one line into a place, using fields as scratch.
func parseLine(text string, fields []string) (Place, error) {
	n := 0
	for s := range strings.SplitSeq(text, "\t") {
		if n == len(fields) {
			return Place{}, fmt.Errorf("more than %d tab-separated fields", len(fields))
		}
		fields[n] = s
		n++
	}
	if n != len(fields) {
		return Place{}, fmt.Errorf("%d tab-separated fields, want %d: name, country, admin, lat, lon, population", n, len(fields))
	}
	p := Place{Name: strings.TrimSpace(fields[colName]), Country: fields[colCountry], Admin: fields[colAdmin]}
	if p.Name == "" || !utf8.ValidString(p.Name) {
		return p, errors.New("the name is empty or not UTF-8")
	}
	if len(p.Country) != 2 || !isUpper(p.Country) {
		return p, fmt.Errorf("country %q is not a two-letter code", p.Country)
	}
	var err error
	if p.Lat, err = strconv.ParseFloat(fields[colLat], 64); err != nil || !(p.Lat >= -90 && p.Lat <= 90) {
		return p, fmt.Errorf("latitude %q is not a number between -90 and 90", fields[colLat])
	}
	if p.Lon, err = strconv.ParseFloat(fields[colLon], 64); err != nil || !(p.Lon >= -180 && p.Lon <= 180) {
		return p, fmt.Errorf("longitude %q is not a number between -180 and 180", fields[colLon])
	}
	if p.Population, err = strconv.Atoi(fields[colPopulation]); err != nil || p.Population < 0 {
		return p, fmt.Errorf("population %q is not a whole number of 0 or more", fields[colPopulation])
	}
	return p, nil
}

// rank orders two entries more populous first, then by name, country,
// region and input order, so that results are stable.
func (ix *Index) rank(a, b entry) int {
	pa, pb := &ix.places[a.place], &ix.places[b.place]
	return cmp.Or(cmp.Compare(pb.Population, pa.Population), strings.Compare(pa.Name, pb.Name),
		strings.Compare(pa.Country, pb.Country), strings.Compare(pa.Admin, pb.Admin), cmp.Compare(a.place, b.place))
}

// Largest reads places in Read's format from r and returns the most
// populous one of a country, by its ISO 3166-1 alpha-2 code ("FR"; any
// case), and false when r has none there. Unlike Read it keeps nothing but
// that place: a question that needs no index costs no memory for one.
func Largest(r io.Reader, country string) (Place, bool, error) {
	var best Place
	found := false
	var fields [columns]string
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		l := sc.Bytes()
		if len(l) == 0 || l[0] == '#' {
			continue
		}
		// Only the lines of the country are parsed: its code is the second field.
		_, rest, _ := bytes.Cut(l, []byte{'\t'})
		code, _, _ := bytes.Cut(rest, []byte{'\t'})
		if !strings.EqualFold(string(code), country) {
			continue
		}
		p, err := parseLine(strings.TrimRight(string(l), "\r"), fields[:])
		if err != nil {
			return Place{}, false, fmt.Errorf("places line %d: %w", line, err)
		}
		if !found || p.Population > best.Population {
			best, found = p, true
		}
	}
	if err := sc.Err(); err != nil {
		return Place{}, false, fmt.Errorf("read places: %w", err)
	}
	return best, found, nil
}

// Len is the number of places in the index.
func (ix *Index) Len() int { return len(ix.places) }

// Lookup finds at most limit places whose name starts with the query,
// folded (case, accents and punctuation do not matter): places named exactly
// so first, then the others, each most populous first. The query may end
// with region or country codes, as in a Label: "Paris, FR", "Paris, TX, US",
// "paris, us"; only places in them are found. An empty query finds nothing.
func (ix *Index) Lookup(query string, limit int) []Place {
	if limit <= 0 {
		return nil
	}
	// Exact matches sort first in the range and are each ranked already;
	// the longer names after them are kept in a small ranked list.
	var exact, others []entry
	key := ix.scan(query, func(e entry, key string) bool {
		if e.key == key {
			exact = append(exact, e)
			return len(exact) < limit
		}
		others = ix.insertRanked(others, e, limit-len(exact))
		return true
	})
	if key == "" {
		return nil
	}
	out := make([]Place, 0, len(exact)+len(others))
	for _, e := range append(exact, others...) {
		out = append(out, ix.places[e.place])
	}
	return out
}

// scan calls fn, in index order, for each entry whose key starts with the
// query's folded name and whose place is in the query's codes, until fn
// returns false. It returns the folded name; nothing is scanned for "".
func (ix *Index) scan(query string, fn func(e entry, key string) bool) string {
	name, codes := splitCodes(query)
	key := Fold(name)
	if key == "" {
		return ""
	}
	lo, _ := slices.BinarySearchFunc(ix.entries, key, func(e entry, k string) int { return strings.Compare(e.key, k) })
	for _, e := range ix.entries[lo:] {
		if !strings.HasPrefix(e.key, key) {
			break
		}
		if ix.in(e, codes) && !fn(e, key) {
			break
		}
	}
	return key
}

// insertRanked inserts e into list, kept ranked and at most limit long.
func (ix *Index) insertRanked(list []entry, e entry, limit int) []entry {
	if limit <= 0 {
		return list
	}
	if len(list) == limit && ix.rank(e, list[len(list)-1]) >= 0 {
		return list
	}
	i, _ := slices.BinarySearchFunc(list, e, ix.rank)
	if len(list) == limit {
		list = list[:len(list)-1]
	}
	return slices.Insert(list, i, e)
}

// in reports whether the entry's place is in every one of the codes (its
// country or its region).
func (ix *Index) in(e entry, codes []string) bool {
	p := &ix.places[e.place]
	for _, c := range codes {
		if c != p.Country && c != p.Admin {
			return false
		}
	}
	return true
}

// ErrNoPlace is wrapped by Resolve's error when no place has the name.
var ErrNoPlace = errors.New("no such place")

// NotFoundError says that no place has a name, with the places whose names
// start like it.
type NotFoundError struct {
	Query       string
	Suggestions []Place // most likely first; may be empty
}

// Error says what was not found and what might have been meant.
func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no place named %q", e.Query)
	if len(e.Suggestions) == 0 {
		return msg
	}
	labels := make([]string, len(e.Suggestions))
	for i, p := range e.Suggestions {
		labels[i] = p.Label()
	}
	msg += "; did you mean " + labels[0] + "?"
	if len(labels) > 1 {
		msg += " Or: " + strings.Join(labels[1:], "; ")
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrNoPlace) true.
func (e *NotFoundError) Unwrap() error { return ErrNoPlace }

// suggestions is how many places a NotFoundError offers.
const suggestions = 5

// Resolve finds the one place a name means: the most populous place named
// exactly so (folded, and in the trailing codes if any: "Paris, US"), else
// the most populous one whose name starts with it as whole words
// ("Frankfurt" is Frankfurt am Main). Otherwise it returns a
// *NotFoundError with suggestions.
func (ix *Index) Resolve(name string) (Place, error) {
	var best entry
	found := false
	ix.scan(name, func(e entry, key string) bool {
		if e.key == key {
			// The first exact match is the most populous one.
			best, found = e, true
			return false
		}
		if strings.HasPrefix(e.key, key+" ") && (!found || ix.rank(e, best) < 0) {
			best, found = e, true
		}
		return true
	})
	if found {
		return ix.places[best.place], nil
	}
	sugg := ix.Lookup(name, suggestions)
	if first, _, ok := strings.Cut(name, ","); len(sugg) == 0 && ok {
		// "Rome, Italy": the name before the comma.
		sugg = ix.Lookup(first, suggestions)
	}
	if key := []rune(Fold(stripCodes(name))); len(sugg) == 0 && len(key) > 3 {
		// Perhaps a typo near the end: offer what starts like it.
		sugg = ix.Lookup(string(key[:len(key)*2/3]), suggestions)
	}
	return Place{}, &NotFoundError{Query: name, Suggestions: sugg}
}

// splitCodes splits trailing comma-separated region and country codes off a
// query: "Paris, TX, US" is "Paris" in [TX US]. Parts that are not codes
// stay in the name ("Washington, D.C.").
func splitCodes(q string) (string, []string) {
	var codes []string
	for {
		i := strings.LastIndexByte(q, ',')
		if i < 0 {
			break
		}
		c := strings.ToUpper(strings.TrimSpace(q[i+1:]))
		if len(c) < 1 || len(c) > 3 || !isUpper(c) {
			break
		}
		codes = append(codes, c)
		q = q[:i]
	}
	return q, codes
}

// stripCodes is the name part of a query.
func stripCodes(q string) string {
	name, _ := splitCodes(q)
	return name
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// folded are letters that do not decompose into a base letter and marks.
var folded = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i", 'ħ': "h",
}

// Fold is the form names are compared in: lower case, accents removed
// (Zürich is zurich, Łódź is lodz, Straße is strasse), apostrophes and dots
// dropped (St. Louis is st louis), every other run of characters that are not
// letters or digits one space, trimmed.
func Fold(s string) string {
	var f folder
	return f.fold(s)
}

// folder folds names, reusing its buffers from one name to the next.
type folder struct {
	out, nfd []byte
}

func (f *folder) fold(s string) string {
	f.out = f.out[:0]
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			f.nfd = norm.NFD.AppendString(f.nfd[:0], s[i:])
			f.foldUnicode(space)
			break
		}
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '.' || c == '\'':
			continue
		default:
			space = true
			continue
		}
		if space && len(f.out) > 0 {
			f.out = append(f.out, ' ')
		}
		space = false
		f.out = append(f.out, c)
	}
	return string(f.out)
}

// foldUnicode folds f.nfd, the decomposed rest of a name, onto f.out.
func (f *folder) foldUnicode(space bool) {
	for _, r := range string(f.nfd) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '.', r == '\'', r == '’', r == 'ʻ', r == 'ʼ':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && len(f.out) > 0 {
				f.out = append(f.out, ' ')
			}
			space = false
			r = unicode.ToLower(r)
			if x, ok := folded[r]; ok {
				f.out = append(f.out, x...)
			} else {
				f.out = utf8.AppendRune(f.out, r)
			}
		default:
			space = true
		}
	}
}
