package screens

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // listing photos are JPEG
	_ "image/png"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/screens/mapview"
)

const (
	// photoTimeout bounds the fetch of one photo from the network.
	photoTimeout = 45 * time.Second
	// listingZoom is the zoom of a listing page's map.
	listingZoom = 14
)

// photoSize is the size a photo is shown at on a listing page.
var photoSize = fyne.NewSize(280, 210)

// listingPage is a room's page: its photos (fetched off the UI goroutine,
// with a placeholder until they come), price, capacity, amenities,
// description, host and a map of where it is.
type listingPage struct {
	sh     *shell
	onBack func()

	// UI goroutine only.
	room      app.RoomListing
	cancel    context.CancelFunc // ends the photo loads of the room shown
	content   fyne.CanvasObject
	scroll    *container.Scroll
	title     *widget.Label
	mine      *widget.Label
	photos    *fyne.Container
	photoNote *note
	price     *widget.Label
	facts     *widget.Label
	amenities *widget.Label
	desc      *widget.Label
	host      *widget.Label
	hostNote  *note
	where     *note
	mapv      *mapview.Map
}

func newListingPage(sh *shell, onBack func()) *listingPage {
	lp := &listingPage{sh: sh, onBack: onBack}
	back := widget.NewButtonWithIcon("Back to results", theme.NavigateBackIcon(), func() { lp.onBack() })
	lp.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lp.title.SizeName = theme.SizeNameHeadingText
	lp.title.Wrapping = fyne.TextWrapWord
	lp.mine = widget.NewLabelWithStyle("You posted this room.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lp.mine.Importance = widget.HighImportance
	lp.photos = container.NewGridWrap(photoSize)
	lp.photoNote = newNote(theme.SizeNameText)
	lp.price = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lp.price.SizeName = theme.SizeNameSubHeadingText
	lp.facts = widget.NewLabel("")
	lp.amenities = widget.NewLabel("")
	lp.amenities.Wrapping = fyne.TextWrapWord
	lp.desc = widget.NewLabel("")
	lp.desc.Wrapping = fyne.TextWrapWord
	lp.host = widget.NewLabel("")
	copyHost := widget.NewButtonWithIcon("Copy host ID", theme.ContentCopyIcon(), func() {
		sh.app.Clipboard().SetContent(lp.room.Author)
		sh.banner.show("Host ID copied")
	})
	copyHost.Importance = widget.LowImportance
	lp.hostNote = newNote(theme.SizeNameCaptionText)
	lp.where = newNote(theme.SizeNameCaptionText)
	lp.mapv = mapview.New(sh.mapOpts)

	heading := func(t string) *widget.Label {
		l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.SizeName = theme.SizeNameSubHeadingText
		return l
	}
	body := container.NewVBox(
		lp.title, lp.mine, lp.photos, lp.photoNote.rt,
		lp.price, lp.facts,
		widget.NewSeparator(), heading("Amenities"), lp.amenities,
		widget.NewSeparator(), heading("About this room"), lp.desc,
		widget.NewSeparator(), heading("Host"), container.NewHBox(lp.host, copyHost), lp.hostNote.rt,
		widget.NewSeparator(), heading("Where"), container.New(minHeight{260}, lp.mapv), lp.where.rt,
		layout.NewSpacer(),
	)
	lp.scroll = container.NewVScroll(container.New(maxWidth{860}, container.NewPadded(body)))
	lp.content = container.NewBorder(container.NewPadded(container.NewHBox(back)), nil, nil, nil, lp.scroll)
	return lp
}

// show fills the page with a room and starts loading its photos.
func (lp *listingPage) show(r app.RoomListing) {
	lp.close()
	lp.room = r
	lp.title.SetText(r.Title)
	lp.mine.Hidden = !r.Mine
	lp.price.SetText(formatNightly(r.PricePerNight, r.Currency))
	lp.facts.SetText(sentence(formatGuests(r.MaxGuests)))
	if len(r.Amenities) == 0 {
		lp.amenities.SetText("No amenities listed.")
	} else {
		lp.amenities.SetText(formatAmenities(r.Amenities))
	}
	if strings.TrimSpace(r.Description) == "" {
		lp.desc.SetText("The host wrote no description.")
	} else {
		lp.desc.SetText(r.Description)
	}
	if r.Mine {
		lp.host.SetText("You (" + shortID(r.Author) + ")")
	} else {
		lp.host.SetText("Hosted by " + shortID(r.Author))
	}
	meta := "Peer ID " + r.Author
	if age := formatAge(r.IssuedAt, time.Now()); age != "" {
		meta += " · posted " + age
	}
	if r.Version > 1 {
		meta += fmt.Sprintf(" · version %d", r.Version)
	}
	lp.hostNote.set(meta, theme.ColorNamePlaceHolder)
	lp.where.set(formatCoords(r.Lat, r.Lon)+" · the point the host gave; it may be approximate.", theme.ColorNamePlaceHolder)
	lp.mapv.SetPins([]mapview.Pin{{ID: r.ID, Lat: r.Lat, Lon: r.Lon, Label: formatMoney(r.PricePerNight, r.Currency)}})
	lp.mapv.SetSelected(r.ID)
	lp.mapv.SetCenter(r.Lat, r.Lon, listingZoom)
	lp.showPhotos()
	lp.scroll.ScrollToTop()
	lp.content.Refresh()
}

// showPhotos puts a placeholder for each photo of the room and loads the
// photos off the UI goroutine, each replacing its placeholder as it comes.
func (lp *listingPage) showPhotos() {
	lp.photos.RemoveAll()
	r := lp.room
	if len(r.Photos) == 0 {
		lp.photos.Hide()
		lp.photoNote.set("No photos of this room.", theme.ColorNamePlaceHolder)
		return
	}
	lp.photos.Show()
	lp.photoNote.set("", theme.ColorNamePlaceHolder)
	ctx, cancel := context.WithCancel(lp.sh.ctx)
	lp.cancel = cancel
	for _, hash := range r.Photos {
		slot := container.NewStack()
		setPhotoPlaceholder(slot, "Loading photo…", true)
		lp.photos.Add(slot)
		lp.sh.wg.Add(1)
		go func() {
			defer lp.sh.wg.Done()
			img, err := loadPhoto(ctx, lp.sh.b, hash, r.Author)
			if ctx.Err() != nil {
				return
			}
			lp.sh.do(func() {
				if ctx.Err() != nil {
					return // the page shows another room now
				}
				if err != nil {
					setPhotoPlaceholder(slot, "Photo not available", false, "Its host may be offline; try later.")
					return
				}
				ci := canvas.NewImageFromImage(img)
				ci.FillMode = canvas.ImageFillContain
				ci.ScaleMode = canvas.ImageScaleSmooth
				slot.Objects = []fyne.CanvasObject{photoBackground(), ci}
				slot.Refresh()
			})
		}()
	}
}

// loadPhoto fetches and decodes a photo; it may block.
func loadPhoto(ctx context.Context, b Backend, hash, author string) (image.Image, error) {
	ctx, cancel := context.WithTimeout(ctx, photoTimeout)
	defer cancel()
	data, err := b.Photo(ctx, hash, author)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode photo %s: %w", hash, err)
	}
	return img, nil
}

// setPhotoPlaceholder fills a photo slot with a message (and a line of
// detail), and a spinner while loading.
func setPhotoPlaceholder(slot *fyne.Container, msg string, loading bool, detail ...string) {
	objs := []fyne.CanvasObject{widget.NewLabelWithStyle(msg, fyne.TextAlignCenter, fyne.TextStyle{Italic: true})}
	for _, d := range detail {
		l := widget.NewLabelWithStyle(d, fyne.TextAlignCenter, fyne.TextStyle{})
		l.SizeName = theme.SizeNameCaptionText
		objs = append(objs, l)
	}
	if loading {
		a := widget.NewActivity()
		a.Start()
		objs = append([]fyne.CanvasObject{a}, objs...)
	}
	slot.Objects = []fyne.CanvasObject{photoBackground(), container.NewCenter(container.NewVBox(objs...))}
	slot.Refresh()
}

// photoBackground is the frame behind a photo or its placeholder.
func photoBackground() fyne.CanvasObject {
	return newTint(theme.ColorNameInputBackground, 0xff, layout.NewSpacer())
}

// close stops loading the photos of the room shown.
func (lp *listingPage) close() {
	if lp.cancel != nil {
		lp.cancel()
		lp.cancel = nil
	}
	for _, o := range lp.photos.Objects {
		stopActivities(o)
	}
}

// stopActivities stops the spinners in o, so that none runs hidden.
func stopActivities(o fyne.CanvasObject) {
	switch x := o.(type) {
	case *widget.Activity:
		x.Stop()
	case *fyne.Container:
		for _, c := range x.Objects {
			stopActivities(c)
		}
	}
}

// stop closes the page's map when the window closes.
func (lp *listingPage) stop() {
	lp.close()
	lp.mapv.Close()
}
