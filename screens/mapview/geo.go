// Package mapview is a slippy-map widget for Fyne: OpenStreetMap-style raster
// tiles fetched off the UI goroutine and cached on disk and in memory, an
// embedded low-resolution basemap drawn when tiles can't be had, pins
// clustered per zoom, and routes drawn as lines.
//
// It depends only on Fyne, orb and the standard library, so it can be used
// and tested on its own. Positions are in WGS84 degrees; orb.Point values are
// [lon, lat] as orb has them, while the methods that take separate numbers
// take (lat, lon) in the order people say them.
//
// Threading: the widget's methods and callbacks belong to Fyne's UI
// goroutine. Tile fetching and basemap drawing run on goroutines of the
// widget, which hand results back with fyne.Do.
package mapview

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"
)

// TileSize is the width and height of a map tile, in Fyne units.
const TileSize = 256

// Zoom limits of the map.
const (
	// MinZoom is the farthest out the map zooms: the whole world in 4x4 tiles.
	MinZoom = 2
	// MaxZoom is the closest in the map zooms, the last level OSM serves.
	MaxZoom = 18
)

// MaxLat is the latitude beyond which Web Mercator is cut off, in degrees.
const MaxLat = 85.0511287798

// mercHalf is half the width of the Web Mercator plane in metres (π·R).
var mercHalf = project.WGS84.ToMercator(orb.Point{180, 0})[0]

// toWorld maps a lon/lat point to the unit square of the Web Mercator world,
// x growing east and y growing south, as slippy-map pixels do at zoom 0
// divided by TileSize. Latitudes beyond MaxLat are clamped to its edge.
func toWorld(ll orb.Point) orb.Point {
	m := project.WGS84.ToMercator(orb.Point{ll[0], clampLat(ll[1])})
	return orb.Point{0.5 + m[0]/(2*mercHalf), 0.5 - m[1]/(2*mercHalf)}
}

// fromWorld is the inverse of toWorld.
func fromWorld(w orb.Point) orb.Point {
	return project.Mercator.ToWGS84(orb.Point{(w[0] - 0.5) * 2 * mercHalf, (0.5 - w[1]) * 2 * mercHalf})
}

func clampLat(lat float64) float64 {
	return math.Max(-MaxLat, math.Min(MaxLat, lat))
}

// scale is the number of Fyne units across the whole world at zoom z.
func scale(z int) float64 {
	return TileSize * math.Exp2(float64(z))
}

// tileAt is the tile that holds the lon/lat point at zoom z.
func tileAt(ll orb.Point, z int) maptile.Tile {
	return maptile.At(orb.Point{ll[0], clampLat(ll[1])}, maptile.Zoom(z))
}
