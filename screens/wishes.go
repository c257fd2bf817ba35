package screens

import (
	"context"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// wishTimeout bounds one load or action of the wish screens.
const wishTimeout = 20 * time.Second

// wishesView is "My wishes", opened from Explore: the user's wishes, each
// with the offers owners sent, an Accept button on each offer (it sends the
// owner a booking request) and a Withdraw button on each wish. It reloads
// while open whenever offers or records change.
type wishesView struct {
	sh     *shell
	onBack func()

	// UI goroutine only.
	content  fyne.CanvasObject
	list     *fyne.Container
	status   *widget.Label
	activity *widget.Activity
	wishes   []app.MyWish
	loaded   bool
	gen      int
	unsub    func() // ends the subscription while open
	open     bool
}

func newWishesView(sh *shell, onBack func()) *wishesView {
	v := &wishesView{sh: sh, onBack: onBack}
	back := widget.NewButtonWithIcon(lang.L("Explore"), theme.NavigateBackIcon(), func() { v.onBack() })
	title := widget.NewLabelWithStyle(lang.L("My wishes"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	v.activity, v.status = newProgress()
	v.list = container.NewVBox()
	header := container.NewBorder(nil, v.status, back, v.activity, title)
	v.content = container.NewBorder(container.NewPadded(header), nil, nil, nil,
		container.NewVScroll(container.New(maxWidth{760}, container.NewPadded(v.list))))
	return v
}

// show loads the wishes and follows changes until hide.
func (v *wishesView) show() {
	if v.open {
		return
	}
	v.open = true
	events, cancel := v.sh.b.Subscribe()
	v.unsub = cancel
	v.sh.wg.Add(1)
	go func() {
		defer v.sh.wg.Done()
		for {
			select {
			case <-v.sh.ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.Kind == app.OffersChanged || ev.Kind == app.BookingsChanged ||
					(ev.Kind == app.RecordsChanged && ev.Touches(app.KindWish)) {
					v.sh.do(v.load)
				}
			}
		}
	}()
	v.load()
}

// hide stops following changes.
func (v *wishesView) hide() {
	if !v.open {
		return
	}
	v.open = false
	v.gen++ // a load under way is dropped
	v.unsub()
}

// load reads the wishes off the UI goroutine.
func (v *wishesView) load() {
	if !v.open {
		return
	}
	v.gen++
	gen := v.gen
	v.activity.Show()
	v.activity.Start()
	v.sh.goUI(wishTimeout, func(ctx context.Context) func() {
		ws, err := v.sh.b.MyWishes(ctx)
		return func() {
			if gen != v.gen {
				return
			}
			v.activity.Stop()
			v.activity.Hide()
			if err != nil {
				showStatus(v.status, lang.L("Your wishes could not be read: {{.Err}}", tdata{"Err": err}), widget.DangerImportance)
				return
			}
			v.wishes, v.loaded = ws, true
			v.render()
		}
	})
}

// render rebuilds the list from v.wishes.
func (v *wishesView) render() {
	v.list.RemoveAll()
	if len(v.wishes) == 0 {
		empty := widget.NewLabel(lang.L("You have no wishes yet. In Explore, set the map and filters to what you look for and press “Post a wish”: owners whose room or ride fits will send you offers."))
		empty.Wrapping = fyne.TextWrapWord
		v.list.Add(empty)
		v.list.Refresh()
		return
	}
	for _, w := range v.wishes {
		v.list.Add(v.wishCard(w))
	}
	v.list.Refresh()
}

func (v *wishesView) wishCard(w app.MyWish) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(describeWish(w.Wish), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	meta := newNote(theme.SizeNameCaptionText)
	meta.set(lang.L("Posted {{.Age}} · ends {{.Date}}", tdata{"Age": formatAge(w.IssuedAt, time.Now()), "Date": formatDay(w.ExpiresAt.Local())})+
		" · "+lang.N("{{.Count}} offers", len(w.Offers), countOf(len(w.Offers))), theme.ColorNamePlaceHolder)
	id := w.ID
	withdraw := widget.NewButtonWithIcon(lang.L("Withdraw"), theme.DeleteIcon(), func() { v.withdraw(id) })
	withdraw.Importance = widget.LowImportance
	box := container.NewVBox(container.NewBorder(nil, nil, nil, withdraw, head), meta.rt)
	if t := wishText(w.Wish); t != "" {
		box.Add(widget.NewLabel("“" + t + "”"))
	}
	if len(w.Offers) == 0 {
		n := newNote(theme.SizeNameText)
		n.set(lang.L("No offer yet. Owners whose listing fits see your wish and can answer it."), theme.ColorNamePlaceHolder)
		box.Add(n.rt)
	}
	for _, o := range w.Offers {
		box.Add(v.offerRow(o))
	}
	return container.NewPadded(newTint(theme.ColorNameInputBackground, 0xff, container.NewPadded(box)))
}

func (v *wishesView) offerRow(o app.OfferView) fyne.CanvasObject {
	data := tdata{"Title": o.Title, "Price": formatMoney(o.TotalPrice, o.Currency), "ID": shortID(o.Owner)}
	text := lang.L("Room offered: {{.Title}} — {{.Price}} in all — from {{.ID}}", data)
	if o.ListingKind == app.KindRide {
		text = lang.L("Ride offered: {{.Title}} — {{.Price}} in all — from {{.ID}}", data)
	}
	line := widget.NewLabel(text)
	line.Wrapping = fyne.TextWrapWord
	var action fyne.CanvasObject
	if o.BookingID != "" {
		done := widget.NewLabelWithStyle(lang.L("Accepted: request sent"), fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})
		action = done
	} else {
		id := o.ID
		btn := widget.NewButtonWithIcon(lang.L("Accept"), theme.ConfirmIcon(), func() { v.accept(id) })
		btn.Importance = widget.HighImportance
		action = btn
	}
	row := container.NewBorder(nil, nil, widget.NewIcon(theme.MailComposeIcon()), action, line)
	if o.Note == "" {
		return row
	}
	note := newNote(theme.SizeNameCaptionText)
	note.set("“"+o.Note+"”", theme.ColorNamePlaceHolder)
	bar := canvas.NewRectangle(color.Transparent)
	bar.SetMinSize(fyne.NewSize(theme.IconInlineSize()+theme.Padding(), 0))
	return container.NewVBox(row, container.NewBorder(nil, nil, bar, nil, note.rt))
}

// accept turns an offer into a booking request.
func (v *wishesView) accept(offerID string) {
	v.act(func(ctx context.Context) (string, error) {
		b, err := v.sh.b.AcceptOffer(ctx, offerID)
		if err != nil {
			return "", err
		}
		return lang.L("Booking request sent for {{.Date}}: the owner answers within a day", tdata{"Date": b.From}), nil
	})
}

// withdraw deletes a wish.
func (v *wishesView) withdraw(wishID string) {
	v.act(func(ctx context.Context) (string, error) {
		return lang.L("Wish withdrawn"), v.sh.b.DeleteWish(ctx, wishID)
	})
}

// act runs an action off the UI goroutine, then says how it went and reloads.
func (v *wishesView) act(do func(context.Context) (string, error)) {
	v.activity.Show()
	v.activity.Start()
	v.sh.goUI(wishTimeout, func(ctx context.Context) func() {
		msg, err := do(ctx)
		return func() {
			v.activity.Stop()
			v.activity.Hide()
			if err != nil {
				showStatus(v.status, sentence(inputDetail(err)), widget.DangerImportance)
				return
			}
			v.status.Hide()
			v.sh.banner.show(msg)
			v.load()
		}
	})
}

// inputDetail is what a person needs to read of an error.
func inputDetail(err error) string {
	if ie, ok := err.(*app.InputError); ok {
		return ie.Detail
	}
	return err.Error()
}

// describeWish says what a wish asks for in one line.
func describeWish(w app.Wish) string {
	if s := w.Stay; s != nil {
		from, _ := time.Parse(time.DateOnly, s.From)
		to, _ := time.Parse(time.DateOnly, s.To)
		data := tdata{"From": formatDay(from), "To": formatDay(to), "Guests": lang.N("{{.Count}} guests", s.Guests, countOf(s.Guests))}
		out := lang.L("A stay, {{.From}} to {{.To}}, {{.Guests}}", data)
		if s.Centre != nil {
			data["Km"], data["Place"] = fmt.Sprintf("%g", s.RadiusKm), formatCoords(s.Centre[1], s.Centre[0])
			out = lang.L("A stay within {{.Km}} km of {{.Place}}, {{.From}} to {{.To}}, {{.Guests}}", data)
		} else if s.BBox != nil {
			data["Place"] = formatCoords((s.BBox[1]+s.BBox[3])/2, (s.BBox[0]+s.BBox[2])/2)
			out = lang.L("A stay around {{.Place}}, {{.From}} to {{.To}}, {{.Guests}}", data)
		}
		if len(s.Amenities) > 0 {
			out += lang.L(", with {{.Amenities}}", tdata{"Amenities": formatAmenities(s.Amenities)})
		}
		if s.MaxPricePerNight > 0 {
			out += lang.L(", at most {{.Price}}", tdata{"Price": formatNightly(s.MaxPricePerNight, s.Currency)})
		}
		return out
	}
	r := w.Ride
	out := lang.L("A ride from {{.From}} to {{.To}}, leaving {{.After}} to {{.Before}}, {{.Seats}}", tdata{
		"From": formatCoords(r.From[1], r.From[0]), "To": formatCoords(r.To[1], r.To[0]),
		"After": formatDayTime(r.DepartAfter), "Before": r.DepartBefore.Local().Format("15:04"),
		"Seats": lang.N("{{.Count}} seats", r.Seats, countOf(r.Seats))})
	if r.MaxPricePerSeat > 0 {
		out += lang.L(", at most {{.Price}} / seat", tdata{"Price": formatMoney(r.MaxPricePerSeat, r.Currency)})
	}
	return out
}

// wishText is the wish's word to owners.
func wishText(w app.Wish) string {
	if w.Stay != nil {
		return w.Stay.Text
	}
	return w.Ride.Text
}
