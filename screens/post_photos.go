package screens

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// addPhotoTimeout bounds importing one photo (decoding, scaling, storing).
const addPhotoTimeout = time.Minute

// thumbSize is the size of a photo's thumbnail in the form.
var thumbSize = fyne.NewSize(150, 112)

// photoPicker is the Photos row of the Post a room form: a file picker for
// JPEG and PNG files, each imported off the UI goroutine (scaled down and
// stored by hash) and shown as a thumbnail that can be removed.
type photoPicker struct {
	sh *shell
	// changed is called on the UI goroutine when photos are added or
	// removed, or finish importing.
	changed func()

	// UI goroutine only.
	items    []*photoItem
	grid     *fyne.Container
	add      *widget.Button
	msg      *note
	errMsg   string // the last failure, until the photos change
	disabled bool
	content  fyne.CanvasObject
}

// photoItem is one photo of the form: importing (hash "") or imported.
type photoItem struct {
	path string
	hash string
	tile *fyne.Container
}

func newPhotoPicker(sh *shell, changed func()) *photoPicker {
	pp := &photoPicker{sh: sh, changed: changed}
	pp.grid = container.NewGridWrap(thumbSize)
	pp.add = widget.NewButtonWithIcon(lang.L("Add photos…"), theme.FileImageIcon(), pp.openPicker)
	pp.msg = newNote(theme.SizeNameCaptionText)
	pp.content = container.NewVBox(pp.grid, container.NewHBox(pp.add))
	pp.refresh()
	return pp
}

// openPicker shows the file dialog for an image.
func (pp *photoPicker) openPicker() {
	showImagePicker(pp.sh.win, pp.addPath, func(err error) {
		pp.errMsg = sentence(lang.L("couldn't open the file: {{.Err}}", tdata{"Err": err}))
		pp.refresh()
	})
}

// showImagePicker shows the file dialog for a JPEG or PNG image over win and
// hands the chosen file's path to onPath, or a failure to open it to onErr;
// cancelling calls neither.
func showImagePicker(win fyne.Window, onPath func(string), onErr func(error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			onErr(err)
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		_ = r.Close()
		onPath(path)
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG"}))
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// addPath imports an image file as a photo of the room.
func (pp *photoPicker) addPath(path string) {
	if len(pp.items) >= app.MaxPhotos {
		pp.errMsg = lang.L("A room may have at most {{.Max}} photos; remove one first.", tdata{"Max": app.MaxPhotos})
		pp.refresh()
		return
	}
	pp.errMsg = ""
	it := &photoItem{path: path, tile: container.NewStack()}
	setPhotoPlaceholder(it.tile, lang.L("Adding…"), true)
	pp.items = append(pp.items, it)
	pp.refresh()
	pp.sh.goUI(addPhotoTimeout, func(ctx context.Context) func() {
		hash, err := pp.sh.b.AddPhoto(ctx, path)
		var data []byte
		if err == nil {
			data, err = pp.sh.b.Photo(ctx, hash, "")
		}
		if pp.sh.ctx.Err() != nil {
			return nil
		}
		return func() {
			if !slices.Contains(pp.items, it) {
				return // removed meanwhile
			}
			if err != nil {
				pp.remove(it)
				pp.errMsg = sentence(lang.L("couldn't add {{.File}}: {{.Err}}", tdata{"File": filepath.Base(path), "Err": err}))
				pp.refresh()
				return
			}
			it.hash = hash
			pp.showThumb(it, data)
			pp.refresh()
		}
	})
}

// showThumb puts a photo's thumbnail and its Remove button in its tile.
func (pp *photoPicker) showThumb(it *photoItem, data []byte) {
	var img fyne.CanvasObject
	if ci := canvas.NewImageFromReader(bytes.NewReader(data), it.hash+".jpg"); ci != nil {
		ci.FillMode = canvas.ImageFillContain
		ci.ScaleMode = canvas.ImageScaleSmooth
		img = ci
	}
	rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		pp.errMsg = ""
		pp.remove(it)
	})
	rm.Importance = widget.DangerImportance
	objs := []fyne.CanvasObject{photoBackground()}
	if img != nil {
		objs = append(objs, img)
	}
	objs = append(objs, container.NewBorder(container.NewHBox(layout.NewSpacer(), rm), nil, nil, nil))
	it.tile.Objects = objs
	it.tile.Refresh()
}

// remove takes a photo out of the room.
func (pp *photoPicker) remove(it *photoItem) {
	if pp.disabled {
		return
	}
	stopActivities(it.tile)
	pp.items = slices.DeleteFunc(pp.items, func(x *photoItem) bool { return x == it })
	pp.refresh()
}

// pending is how many photos are still being imported.
func (pp *photoPicker) pending() int {
	n := 0
	for _, it := range pp.items {
		if it.hash == "" {
			n++
		}
	}
	return n
}

// hashes are the photos imported, in order.
func (pp *photoPicker) hashes() []string {
	var out []string
	for _, it := range pp.items {
		if it.hash != "" {
			out = append(out, it.hash)
		}
	}
	return out
}

// refresh redraws the thumbnails and the hint.
func (pp *photoPicker) refresh() {
	objs := make([]fyne.CanvasObject, len(pp.items))
	for i, it := range pp.items {
		objs[i] = it.tile
	}
	pp.grid.Objects = objs
	pp.grid.Hidden = len(objs) == 0
	pp.grid.Refresh()
	if pp.errMsg != "" {
		pp.msg.set(pp.errMsg, theme.ColorNameError)
	} else {
		switch n := pp.pending(); {
		case n > 0:
			pp.msg.set(lang.N("Adding {{.Count}} photos…", n, countOf(n)), theme.ColorNamePlaceHolder)
		case len(pp.items) == 0:
			pp.msg.set(lang.L("Optional. JPEG or PNG; each is scaled down to 1600 pixels and shared with the room."), theme.ColorNamePlaceHolder)
		default:
			pp.msg.set(lang.N("{{.Count}} photos; the first is the one people see first.", len(pp.items), countOf(len(pp.items))), theme.ColorNamePlaceHolder)
		}
	}
	if pp.disabled || len(pp.items) >= app.MaxPhotos {
		pp.add.Disable()
	} else {
		pp.add.Enable()
	}
	if pp.changed != nil {
		pp.changed()
	}
}

// setDisabled locks the picker while the room is being posted.
func (pp *photoPicker) setDisabled(on bool) {
	pp.disabled = on
	pp.refresh()
}

// clear removes every photo, for the next room.
func (pp *photoPicker) clear() {
	for _, it := range pp.items {
		stopActivities(it.tile)
	}
	pp.items, pp.errMsg = nil, ""
	pp.refresh()
}
