package app

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/caravan-p2p/caravan/domain/places"
	"github.com/caravan-p2p/caravan/resources"
)

// Place is a town or city of the embedded gazetteer (GeoNames).
type Place = places.Place

// PlaceNotFoundError says that no place has a name, with suggestions.
type PlaceNotFoundError = places.NotFoundError

// ErrNoPlace is wrapped by the error of ResolvePlace for an unknown name.
var ErrNoPlace = places.ErrNoPlace

// gazetteer is the index of the embedded gazetteer, built once on first use
// (about a tenth of a second) and read-only after: every node and command of
// the process shares it.
var gazetteer = sync.OnceValues(loadGazetteer)

// openGazetteer reads the embedded gazetteer, decompressing it as it goes.
func openGazetteer() (io.Reader, error) {
	zr, err := gzip.NewReader(bytes.NewReader(resources.Places))
	if err != nil {
		return nil, fmt.Errorf("open the embedded gazetteer: %w", err)
	}
	return zr, nil
}

// loadGazetteer decompresses and indexes the embedded gazetteer.
func loadGazetteer() (*places.Index, error) {
	zr, err := openGazetteer()
	if err != nil {
		return nil, err
	}
	var text strings.Builder
	if n := len(resources.Places); n >= 4 {
		// A gzip stream ends with the size of its content (mod 4 GiB).
		text.Grow(int(binary.LittleEndian.Uint32(resources.Places[n-4:])))
	}
	if _, err := io.Copy(&text, zr); err != nil {
		return nil, fmt.Errorf("decompress the embedded gazetteer: %w", err)
	}
	ix, err := places.Parse(text.String())
	if err != nil {
		return nil, fmt.Errorf("read the embedded gazetteer: %w", err)
	}
	return ix, nil
}

// Places finds at most limit towns and cities whose name starts with
// prefix, whatever its case and accents ("zurich" finds Zürich): places
// named exactly so first, then the most populous. The prefix may end with
// region and country codes, as Place.Label writes them: "Paris, US",
// "Paris, TX, US". The first call builds the index.
func Places(prefix string, limit int) ([]Place, error) {
	ix, err := gazetteer()
	if err != nil {
		return nil, err
	}
	return ix.Lookup(prefix, limit), nil
}

// Places is the package's Places, for the screens.
func (n *Node) Places(prefix string, limit int) ([]Place, error) { return Places(prefix, limit) }

// ResolvePlace turns what a person typed for a place into a [lon, lat]
// point: "LAT,LON" in decimal degrees ("45.76,4.84"), or the name of a town
// or city of the gazetteer ("Lyon", "Paris, US"), which is the most
// populous one of that name. It returns the place named (the zero Place for
// coordinates). Text that starts with a number is taken for coordinates. An
// unknown name is a *PlaceNotFoundError (wrapping ErrNoPlace) whose message
// suggests places that start like it.
func ResolvePlace(s string) ([2]float64, Place, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return [2]float64{}, Place{}, errors.New("no place given: give a town, like Lyon, or LAT,LON, like 45.76,4.84")
	}
	if first, _, _ := strings.Cut(s, ","); isNumber(first) {
		pt, err := parseLatLon(s)
		return pt, Place{}, err
	}
	ix, err := gazetteer()
	if err != nil {
		return [2]float64{}, Place{}, err
	}
	p, err := ix.Resolve(s)
	if err != nil {
		return [2]float64{}, Place{}, err
	}
	return [2]float64{p.Lon, p.Lat}, p, nil
}

// ResolvePlace is the package's ResolvePlace, for the screens.
func (n *Node) ResolvePlace(s string) ([2]float64, Place, error) { return ResolvePlace(s) }

// CountryPlace returns the largest town of a country, by its ISO 3166-1
// alpha-2 code ("FR"), from the embedded gazetteer: where a map centres to
// show that country. It is false for a code the gazetteer has no town of.
// It reads the gazetteer through without indexing it (the index is some
// 27 MB, which a window that never searches a place does not need).
func CountryPlace(code string) (Place, bool) {
	if code == "" {
		return Place{}, false
	}
	zr, err := openGazetteer()
	if err != nil {
		return Place{}, false
	}
	p, ok, err := places.Largest(zr, code)
	return p, ok && err == nil
}

// CountryPlace is the package's CountryPlace, for the screens.
func (n *Node) CountryPlace(code string) (Place, bool) { return CountryPlace(code) }

// isNumber reports whether s is a number, as the start of LAT,LON is (NaN
// and Inf included, so that they are refused as coordinates).
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

// parseLatLon parses LAT,LON into a [lon, lat] point.
func parseLatLon(s string) ([2]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return [2]float64{}, fmt.Errorf("%q: want LAT,LON, like 52.37,4.89, or a town, like Lyon", s)
	}
	var v [2]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return v, fmt.Errorf("%q: %q is not a number; want LAT,LON, like 52.37,4.89", s, p)
		}
		v[i] = f
	}
	lat, lon := v[0], v[1]
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return v, fmt.Errorf("%q: latitude must be within -90..90 and longitude within -180..180 (the order is LAT,LON)", s)
	}
	return [2]float64{lon, lat}, nil
}
