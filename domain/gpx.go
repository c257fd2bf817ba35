package domain

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"
)

// GPXToleranceM is how far, in metres, a simplified GPX route may stray from
// the recorded one: well within the radius rides are matched with.
const GPXToleranceM = 50.0

// ErrNotGPX is wrapped by ParseGPX's error for a file that is not GPX.
var ErrNotGPX = errors.New("not a GPX file")

// gpxDoc is the part of a GPX 1.0 or 1.1 document a route is made of. The
// element names are matched in any namespace, so both versions decode.
type gpxDoc struct {
	XMLName xml.Name `xml:"gpx"`
	Tracks  []struct {
		Segments []struct {
			Points []gpxPoint `xml:"trkpt"`
		} `xml:"trkseg"`
	} `xml:"trk"`
	Routes []struct {
		Points []gpxPoint `xml:"rtept"`
	} `xml:"rte"`
}

// gpxPoint is a trkpt or rtept; its coordinates are checked by hand so that
// a bad one is reported by position.
type gpxPoint struct {
	Lat string `xml:"lat,attr"`
	Lon string `xml:"lon,attr"`
}

// ParseGPX reads a GPX 1.0 or 1.1 document and returns the route it
// records, [lon, lat] points in order: the points of all its tracks (trk),
// their segments (trkseg) joined end to start; or, when it has no track
// points, those of its routes (rte). The route is simplified with
// SimplifyRoute to GPXToleranceM and at most MaxRoutePoints points, so it
// fits a ride. A file that is not GPX, has no points or has a point out of
// range is an error that says so.
func ParseGPX(r io.Reader) ([][2]float64, error) {
	var doc gpxDoc
	dec := xml.NewDecoder(r)
	dec.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		// GPX is UTF-8 in practice; some writers label ASCII or Latin-1 that
		// only holds ASCII in the parts read here.
		switch strings.ToLower(charset) {
		case "utf-8", "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252":
			return in, nil
		}
		return nil, fmt.Errorf("charset %q is not supported; save the file as UTF-8", charset)
	}
	if err := dec.Decode(&doc); err != nil {
		var se *xml.SyntaxError
		var ue xml.UnmarshalError
		switch {
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("%w: no XML element in it", ErrNotGPX)
		case errors.As(err, &se):
			return nil, fmt.Errorf("%w: line %d: %s", ErrNotGPX, se.Line, se.Msg)
		case errors.As(err, &ue) || strings.Contains(err.Error(), "expected element type"):
			return nil, fmt.Errorf("%w: %v", ErrNotGPX, err)
		}
		return nil, fmt.Errorf("read GPX: %w", err)
	}
	var pts []gpxPoint
	what := "track"
	for _, t := range doc.Tracks {
		for _, s := range t.Segments {
			pts = append(pts, s.Points...)
		}
	}
	if len(pts) == 0 {
		what = "route"
		for _, rt := range doc.Routes {
			pts = append(pts, rt.Points...)
		}
	}
	if len(pts) == 0 {
		return nil, errors.New("the GPX file has no track points (trkpt) or route points (rtept)")
	}
	line := make(orb.LineString, 0, len(pts))
	for i, p := range pts {
		lat, errLat := strconv.ParseFloat(strings.TrimSpace(p.Lat), 64)
		lon, errLon := strconv.ParseFloat(strings.TrimSpace(p.Lon), 64)
		if errLat != nil || errLon != nil {
			return nil, fmt.Errorf("GPX %s point %d: lat=%q lon=%q are not numbers", what, i+1, p.Lat, p.Lon)
		}
		if err := CheckCoordinate(lat, lon); err != nil {
			return nil, fmt.Errorf("GPX %s point %d: %s", what, i+1, err.(*RejectError).Detail)
		}
		if n := len(line); n > 0 && line[n-1] == (orb.Point{lon, lat}) {
			continue // a repeated fix, or the joint of two segments
		}
		line = append(line, orb.Point{lon, lat})
	}
	if len(line) < 2 {
		return nil, fmt.Errorf("the GPX %s has a single position; a route needs an origin and a destination", what)
	}
	line = SimplifyRoute(line, GPXToleranceM, MaxRoutePoints)
	out := make([][2]float64, len(line))
	for i, p := range line {
		out[i] = p
	}
	return out, nil
}

// SimplifyRoute simplifies a [lon, lat] line with Douglas–Peucker in Web
// Mercator, keeping every point that strays more than toleranceM metres
// (measured at the line's middle latitude) from the simplified line, then,
// if more than maxPoints remain, keeps the maxPoints most significant
// (Visvalingam). The first and last points are always kept; coordinates are
// rounded to 1e-6° (about 10 cm). The input is not modified.
func SimplifyRoute(line orb.LineString, toleranceM float64, maxPoints int) orb.LineString {
	if len(line) <= 2 {
		return orb.Round(line.Clone()).(orb.LineString)
	}
	// Mercator stretches distances by 1/cos(latitude): so must the tolerance.
	mid := line.Bound().Center()
	scale := project.MercatorScaleFactor(orb.Point{0, math.Max(-85, math.Min(85, mid.Lat()))})
	merc := project.LineString(line.Clone(), project.WGS84.ToMercator)
	merc = simplify.DouglasPeucker(toleranceM * scale).LineString(merc)
	if maxPoints >= 2 && len(merc) > maxPoints {
		merc = simplify.VisvalingamKeep(maxPoints).LineString(merc)
	}
	out := project.LineString(merc, project.Mercator.ToWGS84)
	// The ends exactly as given: projecting back may move them by rounding.
	out[0], out[len(out)-1] = line[0], line[len(line)-1]
	return orb.Round(out).(orb.LineString)
}
