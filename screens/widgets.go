package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tint is content on a rounded, translucent background of a theme colour
// that follows theme changes (light/dark).
type tint struct {
	widget.BaseWidget
	colorName fyne.ThemeColorName
	alpha     uint8
	content   fyne.CanvasObject
}

func newTint(name fyne.ThemeColorName, alpha uint8, content fyne.CanvasObject) *tint {
	t := &tint{colorName: name, alpha: alpha, content: content}
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer is part of fyne.Widget.
func (t *tint) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	r := &tintRenderer{t: t, bg: bg}
	r.Refresh()
	return r
}

type tintRenderer struct {
	t  *tint
	bg *canvas.Rectangle
}

func (r *tintRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.t.content.Resize(size)
	r.t.content.Move(fyne.NewPos(0, 0))
}

func (r *tintRenderer) MinSize() fyne.Size { return r.t.content.MinSize() }

func (r *tintRenderer) Refresh() {
	th := r.t.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = withAlpha(th.Color(r.t.colorName, v), r.t.alpha)
	r.bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.bg.Refresh()
	r.t.content.Refresh()
}

func (r *tintRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.t.content} }

func (r *tintRenderer) Destroy() {}

// withAlpha is c with its opacity set to a.
func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// maxWidth is a layout that centres its objects horizontally, no wider than
// width, so that forms stay readable on wide windows.
type maxWidth struct{ width float32 }

func (m maxWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, max(m.width, m.MinSize(objs).Width))
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}

func (m maxWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// note is a line of text in a theme colour that wraps: hints under fields,
// their errors, and other secondary text. Placeholder colour reads as
// secondary but stays legible in both themes, unlike a disabled label.
type note struct {
	rt  *widget.RichText
	seg *widget.TextSegment
}

func newNote(size fyne.ThemeSizeName) *note {
	seg := &widget.TextSegment{Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: size}}
	rt := widget.NewRichText(seg)
	rt.Wrapping = fyne.TextWrapWord
	return &note{rt: rt, seg: seg}
}

// set shows text in the colour named; no text hides the note.
func (n *note) set(text string, color fyne.ThemeColorName) {
	n.seg.Text = text
	n.seg.Style.ColorName = color
	n.rt.Hidden = text == ""
	n.rt.Refresh()
}

// text is what the note says, "" when hidden.
func (n *note) text() string {
	if !n.rt.Visible() {
		return ""
	}
	return n.seg.Text
}

// clearDate empties a date entry without marking it wrong: Fyne's date
// entry takes empty text for a bad date once the user has picked one.
func clearDate(d *widget.DateEntry) {
	d.SetDate(nil)
	d.SetValidationError(nil)
}

// showStatus shows msg in a form's status line with the given importance.
func showStatus(status *widget.Label, msg string, imp widget.Importance) {
	status.Text = msg
	status.Importance = imp
	status.Show()
	status.Refresh()
}

// setDisabled disables each widget when on, and enables it when not.
func setDisabled(on bool, ws ...fyne.Disableable) {
	for _, w := range ws {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

// newProgress is a form's progress pair, both hidden until used: a spinner
// for showPosting and a wrapping status line for showStatus.
func newProgress() (*widget.Activity, *widget.Label) {
	activity := widget.NewActivity()
	activity.Hide()
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	status.Hide()
	return activity, status
}

// showPosting shows that a post is under way (the activity spinning and msg
// in the status line), or hides both when it is over.
func showPosting(activity *widget.Activity, status *widget.Label, on bool, msg string) {
	if on {
		activity.Show()
		activity.Start()
		showStatus(status, msg, widget.MediumImportance)
	} else {
		activity.Stop()
		activity.Hide()
		status.Hide()
	}
}
