package places

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// sample is a small gazetteer with namesakes, accents and punctuation.
const sample = `# name	country	admin	lat	lon	population
Paris	FR		48.853	2.349	2138551
Paris	US	TX	33.661	-95.556	24782
Paris	US	TN	36.302	-88.327	10150
Paris	CA		43.2	-80.383	11177
Parisot	FR		44.265	1.862	500
Lyon	FR		45.748	4.847	472317
Lyons	US	IL	41.813	-87.818	10729
Zürich	CH	ZH	47.367	8.55	341730
São Paulo	BR		-23.548	-46.636	10021295
Saint-Étienne	FR		45.434	4.39	176280
Frankfurt am Main	DE		50.116	8.684	650000
Frankfurter	US		1	1	10
Łódź	PL		51.759	19.456	768755
Washington, D.C.	US	DC	38.895	-77.036	601723
St. Louis	US	MO	38.627	-90.198	319294
Bath	GB		51.38	-2.36	88859
Bathinda	IN		30.207	74.939	242800

`

func sampleIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func labels(ps []Place) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Label())
	}
	return strings.Join(s, "; ")
}

func TestLookup(t *testing.T) {
	ix := sampleIndex(t)
	if ix.Len() != 17 {
		t.Fatalf("Len %d, want 17", ix.Len())
	}
	tests := []struct {
		query string
		limit int
		want  string
	}{
		{"Paris", 10, "Paris, FR; Paris, TX, US; Paris, CA; Paris, TN, US; Parisot, FR"},
		{"paris", 2, "Paris, FR; Paris, TX, US"},
		{"PAR", 10, "Paris, FR; Paris, TX, US; Paris, CA; Paris, TN, US; Parisot, FR"},
		{"Paris, US", 10, "Paris, TX, US; Paris, TN, US"},
		{"paris, tn, us", 10, "Paris, TN, US"},
		{"Paris, TN", 10, "Paris, TN, US"},
		{"Paris, DE", 10, ""},
		{"Lyo", 10, "Lyon, FR; Lyons, IL, US"},
		{"lyon", 10, "Lyon, FR; Lyons, IL, US"},
		{"zurich", 10, "Zürich, ZH, CH"},
		{"Zür", 10, "Zürich, ZH, CH"},
		{"sao paulo", 10, "São Paulo, BR"},
		{"SÃO", 10, "São Paulo, BR"},
		{"saint etienne", 10, "Saint-Étienne, FR"},
		{"saint-etienne", 10, "Saint-Étienne, FR"},
		{"lodz", 10, "Łódź, PL"},
		{"st louis", 10, "St. Louis, MO, US"},
		{"Washington DC", 10, "Washington, D.C., DC, US"},
		{"Washington, D.C.", 10, "Washington, D.C., DC, US"},
		{"Bath", 10, "Bath, GB; Bathinda, IN"}, // the exact name first, though smaller
		{"Bat", 10, "Bathinda, IN; Bath, GB"},
		{"  ", 10, ""},
		{"", 10, ""},
		{"Paris", 0, ""},
		{"Atlantis", 10, ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			if got := labels(ix.Lookup(tc.query, tc.limit)); got != tc.want {
				t.Errorf("Lookup(%q, %d) = %q, want %q", tc.query, tc.limit, got, tc.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	ix := sampleIndex(t)
	tests := []struct {
		name    string
		want    string // label, or "" for not found
		suggest string // the suggestions of a NotFoundError
	}{
		{"Paris", "Paris, FR", ""},
		{"Paris, US", "Paris, TX, US", ""},
		{"paris, tn", "Paris, TN, US", ""},
		{"lyon", "Lyon, FR", ""},
		{"Frankfurt", "Frankfurt am Main, DE", ""},
		{"zurich", "Zürich, ZH, CH", ""},
		{"Lyo", "", "Lyon, FR; Lyons, IL, US"},
		{"Parisx", "", "Paris, FR; Paris, TX, US; Paris, CA; Paris, TN, US; Parisot, FR"},
		{"Atlantis", "", ""},
		{"Zurich, Switzerland", "", "Zürich, ZH, CH"},
		{"Paris, DE", "", "Paris, FR; Paris, TX, US; Paris, CA; Paris, TN, US; Parisot, FR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ix.Resolve(tc.name)
			if tc.want != "" {
				if err != nil || p.Label() != tc.want {
					t.Fatalf("Resolve(%q) = %q, %v; want %q", tc.name, p.Label(), err, tc.want)
				}
				return
			}
			var nf *NotFoundError
			if !errors.As(err, &nf) || !errors.Is(err, ErrNoPlace) {
				t.Fatalf("Resolve(%q) = %q, %v; want a NotFoundError", tc.name, p.Label(), err)
			}
			if got := labels(nf.Suggestions); got != tc.suggest {
				t.Errorf("suggestions %q, want %q", got, tc.suggest)
			}
			if !strings.Contains(err.Error(), tc.name) || (tc.suggest != "" && !strings.Contains(err.Error(), "did you mean")) {
				t.Errorf("error %q", err)
			}
		})
	}
}

func TestNotFoundError(t *testing.T) {
	ix := sampleIndex(t)
	tests := []struct{ query, want string }{
		{"Lyo", `no place named "Lyo"; did you mean Lyon, FR? Or: Lyons, IL, US`},
		{"Zur", `no place named "Zur"; did you mean Zürich, ZH, CH?`},
		{"Atlantis", `no place named "Atlantis"`},
	}
	for _, tc := range tests {
		if _, err := ix.Resolve(tc.query); err == nil || err.Error() != tc.want {
			t.Errorf("Resolve(%q): %v, want %q", tc.query, err, tc.want)
		}
	}
}

func TestLargest(t *testing.T) {
	tests := []struct{ country, want string }{
		{"FR", "Paris, FR"},
		{"us", "Washington, D.C., DC, US"},
		{"CH", "Zürich, ZH, CH"},
		{"XX", ""},
		{"", ""},
	}
	for _, tc := range tests {
		p, ok, err := Largest(strings.NewReader(sample), tc.country)
		if err != nil {
			t.Fatalf("Largest(%q): %v", tc.country, err)
		}
		if got := p.Label(); ok != (tc.want != "") || (ok && got != tc.want) {
			t.Errorf("Largest(%q) = %q, %v; want %q", tc.country, got, ok, tc.want)
		}
	}
}

func TestLargestBadLine(t *testing.T) {
	_, _, err := Largest(strings.NewReader(sample+"Nowhere\tFR\t\tnorth\t2\t10\n"), "FR")
	if err == nil || !strings.Contains(err.Error(), "line 20") {
		t.Errorf("a bad line of the country: %v, want an error naming line 20", err)
	}
}

func TestPlaceFields(t *testing.T) {
	p, err := sampleIndex(t).Resolve("Zurich")
	if err != nil {
		t.Fatal(err)
	}
	want := Place{Name: "Zürich", Country: "CH", Admin: "ZH", Lat: 47.367, Lon: 8.55, Population: 341730}
	if p != want || p.Point().Lon() != 8.55 || p.Point().Lat() != 47.367 {
		t.Errorf("got %+v, want %+v", p, want)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"few fields", "Paris\tFR\t\t48.8\t2.3\n", "line 1: 5 tab-separated fields"},
		{"many fields", "Paris\tFR\t\t48.8\t2.3\t1\tx\n", "more than 6"},
		{"no name", "\tFR\t\t48.8\t2.3\t1\n", "name is empty"},
		{"bad country", "Paris\tFrance\t\t48.8\t2.3\t1\n", "country"},
		{"bad lat", "Lyon\tFR\t\t45\t4\t1\nParis\tFR\t\t98.8\t2.3\t1\n", "line 2: latitude"},
		{"NaN lon", "Paris\tFR\t\t48.8\tNaN\t1\n", "longitude"},
		{"bad population", "Paris\tFR\t\t48.8\t2.3\tmany\n", "population"},
		{"negative population", "Paris\tFR\t\t48.8\t2.3\t-1\n", "population"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Lyon", "lyon"},
		{"Zürich", "zurich"},
		{"São Paulo", "sao paulo"},
		{"Saint-Étienne", "saint etienne"},
		{"Straße", "strasse"},
		{"Łódź", "lodz"},
		{"København", "kobenhavn"},
		{"St. Louis", "st louis"},
		{"L'Aquila", "laquila"},
		{"  Den   Haag ", "den haag"},
		{"Frankfurt (Oder)", "frankfurt oder"},
		{"İstanbul", "istanbul"},
		{"Αθήνα", "αθηνα"},
		{"", ""},
		{"--", ""},
	}
	for _, tc := range tests {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// gazetteer reads the embedded gazetteer from the resources directory.
func gazetteer(tb testing.TB) *Index {
	tb.Helper()
	f, err := os.Open("../../resources/places.tsv.gz")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := Read(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// TestGazetteer checks the real data: well-known cities come first.
func TestGazetteer(t *testing.T) {
	ix := gazetteer(t)
	if ix.Len() < 100_000 {
		t.Errorf("only %d places", ix.Len())
	}
	tests := []struct{ query, want string }{
		{"Lyon", "Lyon, FR"},
		{"lyo", "Lyon, FR"},
		{"Paris", "Paris, FR"},
		{"Paris, US", "Paris, TX, US"},
		{"zurich", "Zürich, ZH, CH"},
		{"sao paulo", "São Paulo, BR"},
		{"new york", "New York City, NY, US"},
		{"berl", "Berlin, DE"},
		{"koln", "Köln, DE"},
	}
	for _, tc := range tests {
		got := ix.Lookup(tc.query, 5)
		if len(got) == 0 || got[0].Label() != tc.want {
			t.Errorf("Lookup(%q) = %q, want %q first", tc.query, labels(got), tc.want)
		}
	}
}

// BenchmarkPlacesLookup measures prefix lookups on the embedded gazetteer,
// from a one-letter prefix (the widest range) to a full name.
func BenchmarkPlacesLookup(b *testing.B) {
	ix := gazetteer(b)
	for _, q := range []string{"s", "sa", "lyo", "paris", "zurich", "sao paulo", "Paris, US"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				ix.Lookup(q, 10)
			}
		})
	}
}

// BenchmarkPlacesRead measures building the index from the decompressed
// gazetteer.
func BenchmarkPlacesRead(b *testing.B) {
	f, err := os.ReadFile("../../resources/places.tsv.gz")
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(f))
	if err != nil {
		b.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Read(bytes.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLookup checks that no query panics Lookup or Resolve, that every place
// found starts with the query's name, and that Resolve's place is one of the
// names it was asked for.
func FuzzLookup(f *testing.F) {
	ix := sampleIndex(f)
	for _, q := range []string{"Paris", "paris, tx, us", "São", "Washington, D.C.", ",", ", ,", "İ", "\xff", "ß"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		key := Fold(stripCodes(q))
		for _, p := range ix.Lookup(q, 5) {
			if !strings.HasPrefix(Fold(p.Name), key) {
				t.Errorf("Lookup(%q) found %q", q, p.Name)
			}
		}
		if p, err := ix.Resolve(q); err == nil && !strings.HasPrefix(Fold(p.Name), key) {
			t.Errorf("Resolve(%q) = %q", q, p.Name)
		}
	})
}
