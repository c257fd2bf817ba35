package resources

import _ "embed"

// NaturalEarth is the embedded low-resolution basemap the map draws when map
// tiles can't be fetched: the land masses (a MultiPolygon) and the land
// borders between countries (a MultiLineString), in WGS84 lon/lat rounded
// to 0.001°, in mapview's compact encoding (gzip-compressed), which
// mapview.LoadBasemap reads in under 20 ms where the GeoJSON took over
// 100 ms at every start.
//
// It is made from naturalearth-50m.geojson.gz, its source kept beside it,
// by gen_basemap.go (go run gen_basemap.go in this directory).
//
// Source: Natural Earth 1:50m land and admin-0 countries (public domain,
// naturalearthdata.com), as packaged in the npm package world-atlas 2.0.2 by
// Mike Bostock (ISC licence), files land-50m.json and countries-50m.json,
// converted from TopoJSON once; see README.md in this directory.
//
//go:embed naturalearth-50m.bin.gz
var NaturalEarth []byte
