package screens

import (
	"math"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

// coordDecimals is the most decimals a coordinate picked on the map keeps:
// 5 is about a metre. Zoomed out, a click keeps fewer (see clickDecimals).
const coordDecimals = 5

// clickDecimals is how many decimals a click at zoom z is worth: about one
// screen pixel, from 2 (a kilometre or so) to coordDecimals.
func clickDecimals(z int) int {
	perPx := 360 / (mapview.TileSize * math.Exp2(float64(z))) // degrees of longitude
	return max(2, min(coordDecimals, int(math.Ceil(-math.Log10(perPx)))))
}

// The view the map of a new room opens on when the user has no room to
// start from: Europe, where most early peers are.
const (
	startLat, startLon = 50.0, 10.0
	startZoom          = 4
)

// postPinID names the pin of the room being posted.
const postPinID = "new-room"

// formatCoord writes a coordinate for an entry with at most decimals
// decimals and no trailing zeros.
func formatCoord(v float64, decimals int) string {
	p := math.Pow(10, float64(decimals))
	return strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
}

// roomMap is the map of the Post a room form: a click sets the pin and fills
// the coordinates; coordinates typed move the pin.
type roomMap struct {
	p       *postRoomScreen
	m       *mapview.Map
	box     fyne.CanvasObject
	hint    *note // under the map: how to use it, or where the pin is
	hasPin  bool
	mine    []mapview.Pin // the user's other rooms, for bearings
	pinLat  float64
	pinLon  float64
	placed  bool // the map has been centred on something of the user's
	touched bool // the user moved the map or set the pin
	// view is the centre and zoom the screen last gave the map; a view
	// change that ends elsewhere is the user's doing.
	view [3]float64
}

func newRoomMap(p *postRoomScreen) *roomMap {
	rm := &roomMap{p: p, m: mapview.New(p.sh.mapOpts)}
	rm.m.OnTapped = rm.tapped
	rm.m.OnPinTapped = func(string) {
		// The user's other rooms are for bearings only: the highlight stays
		// on the new room's pin.
		if rm.hasPin {
			rm.m.SetSelected(postPinID)
		} else {
			rm.m.SetSelected("")
		}
	}
	rm.m.OnViewChanged = func(orb.Bound) {
		if rm.center() != rm.view {
			rm.touched = true
		}
	}
	rm.m.SetCenter(startLat, startLon, startZoom)
	rm.view = rm.center()
	rm.box = container.New(minHeight{320}, rm.m)
	rm.hint = newNote(theme.SizeNameCaptionText)
	rm.showHint()
	// The map closes when the window does, off the UI goroutine, so that a
	// tile handing itself to the UI meanwhile cannot wait on it.
	p.sh.wg.Add(1)
	go func() {
		defer p.sh.wg.Done()
		<-p.sh.ctx.Done()
		rm.m.Close()
	}()
	return rm
}

// tapped puts the pin where the map was clicked and fills both coordinates.
func (rm *roomMap) tapped(lat, lon float64) {
	if rm.p.posting {
		return
	}
	rm.touched = true
	d := clickDecimals(rm.m.Zoom())
	rm.p.lat.entry.SetText(formatCoord(lat, d))
	rm.p.lon.entry.SetText(formatCoord(lon, d))
	// The entries' OnChanged moved the pin; make sure it is where the text
	// says even if a field's text did not change.
	rm.sync(false)
}

// sync puts the pin at the coordinates typed, or removes it while they are
// not a valid pair; when pan is set and the pin is out of view the map
// follows it.
func (rm *roomMap) sync(pan bool) {
	lat, err1 := parseCoordinate(rm.p.lat.entry.Text, "N", "S")
	lon, err2 := parseCoordinate(rm.p.lon.entry.Text, "E", "W")
	if err1 != nil || err2 != nil || validateLat(rm.p.lat.entry.Text) != nil || validateLon(rm.p.lon.entry.Text) != nil {
		if rm.hasPin {
			rm.hasPin = false
			rm.m.SetPins(rm.mine)
			rm.showHint()
		}
		return
	}
	if rm.hasPin && rm.pinLat == lat && rm.pinLon == lon {
		return
	}
	rm.hasPin, rm.pinLat, rm.pinLon = true, lat, lon
	rm.m.SetPins(append(slices.Clone(rm.mine), mapview.Pin{ID: postPinID, Lat: lat, Lon: lon, Label: lang.L("New room")}))
	rm.m.SetSelected(postPinID)
	rm.showHint()
	if pan && !rm.m.Bounds().Contains(orb.Point{lon, lat}) {
		_, _, z := rm.m.Center()
		rm.m.SetCenter(lat, lon, max(z, 10))
		rm.view = rm.center()
	}
}

// clear removes the pin after a room is posted, leaving the map where the
// last room was so that the next one starts nearby.
func (rm *roomMap) clear() {
	rm.hasPin = false
	rm.m.SetPins(rm.mine)
	rm.placed = true
	rm.showHint()
}

// showHint says how to place the pin, or where it is.
func (rm *roomMap) showHint() {
	if rm.hasPin {
		rm.hint.set(lang.L("Pin at {{.Place}}. Click elsewhere to move it; zoom in to place it more precisely.", tdata{"Place": formatCoords(rm.pinLat, rm.pinLon)}), theme.ColorNamePlaceHolder)
		return
	}
	rm.hint.set(lang.L("Click the map where the room is; drag to move it, scroll or use +/− to zoom."), theme.ColorNamePlaceHolder)
}

// known shows the user's rooms on the map, and centres the map on them, or
// else on all the rooms the peer knows, unless the user has already moved it
// or the map was centred once.
func (rm *roomMap) known(rooms []app.RoomListing) {
	rm.mine = rm.mine[:0]
	for _, r := range rooms {
		if r.Mine {
			rm.mine = append(rm.mine, mapview.Pin{ID: "mine-" + r.ID, Lat: r.Lat, Lon: r.Lon, Label: shortTitle(r.Title)})
		}
	}
	if rm.hasPin {
		rm.m.SetPins(append(slices.Clone(rm.mine), mapview.Pin{ID: postPinID, Lat: rm.pinLat, Lon: rm.pinLon, Label: lang.L("New room")}))
	} else {
		rm.m.SetPins(rm.mine)
	}
	if rm.placed || rm.touched || rm.hasPin || len(rooms) == 0 {
		return
	}
	var b orb.Bound
	n := 0
	for _, mine := range []bool{true, false} {
		for _, r := range rooms {
			if r.Mine != mine && mine {
				continue
			}
			if n == 0 {
				b = orb.Point{r.Lon, r.Lat}.Bound()
			} else {
				b = b.Extend(orb.Point{r.Lon, r.Lat})
			}
			n++
		}
		if n > 0 {
			break
		}
	}
	rm.placed = true
	rm.m.Fit(b, 12)
	rm.view = rm.center()
}

// shortTitle is a title cut to fit beside a pin.
func shortTitle(t string) string {
	r := []rune(t)
	if len(r) > 24 {
		return string(r[:23]) + "…"
	}
	return t
}

// center is the map's centre and zoom.
func (rm *roomMap) center() [3]float64 {
	lat, lon, z := rm.m.Center()
	return [3]float64{lat, lon, float64(z)}
}

// minHeight is a layout that stacks its objects at least h tall.
type minHeight struct{ h float32 }

func (m minHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (m minHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, m.h)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}
