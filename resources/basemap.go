package resources

import _ "embed"

// NaturalEarth is the embedded low-resolution basemap the map draws when map
// tiles can't be fetched: one gzip-compressed GeoJSON FeatureCollection with
// two features, "land" (a MultiPolygon of the land masses) and "borders" (a
// MultiLineString of the land borders between countries), in WGS84 lon/lat
// rounded to 0.001°.
//
// Source: Natural Earth 1:50m land and admin-0 countries (public domain,
// naturalearthdata.com), as packaged in the npm package world-atlas 2.0.2 by
// Mike Bostock (ISC licence), files land-50m.json and countries-50m.json,
// converted from TopoJSON once; see README.md in this directory.
//
//go:embed naturalearth-50m.geojson.gz
var NaturalEarth []byte
