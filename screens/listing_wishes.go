package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// showWishesFor shows, over the window, the wishes one of the user's rooms
// or rides fits, each with a "Send offer" action that answers the wish's
// author privately with the listing. The My listings screen calls it.
func showWishesFor(sh *shell, listingID string) {
	newListingWishes(sh, listingID).dlg.Show()
}

// listingWishes is the dialog of showWishesFor.
type listingWishes struct {
	sh        *shell
	listingID string

	// UI goroutine only.
	list     *fyne.Container
	status   *widget.Label
	activity *widget.Activity
	wishes   []app.WishFit
	note     *widget.Entry // the note of the offer being written
	dlg      dialog.Dialog
	gen      int
}

func newListingWishes(sh *shell, listingID string) *listingWishes {
	l := &listingWishes{sh: sh, listingID: listingID}
	l.list = container.NewVBox()
	l.activity, l.status = newProgress()
	intro := widget.NewLabel(lang.L("Renters whose wish your listing fits: its place, dates or time, guests or seats, and budget. Send one an offer; if they accept it, you get their booking request."))
	intro.Wrapping = fyne.TextWrapWord
	size := canvas.NewRectangle(nil)
	size.SetMinSize(fyne.NewSize(620, 380))
	body := container.NewBorder(container.NewVBox(intro, l.status), nil, nil, nil,
		container.NewStack(size, container.NewVScroll(container.NewVBox(l.activity, l.list))))
	l.dlg = dialog.NewCustom(lang.L("Wishes your listing fits"), lang.L("Close"), body, sh.win)
	l.follow()
	l.load()
	return l
}

// follow reloads the wishes when wishes or offers change, until the dialog
// closes.
func (l *listingWishes) follow() {
	events, cancel := l.sh.b.Subscribe()
	l.dlg.SetOnClosed(cancel)
	l.sh.wg.Add(1)
	go func() {
		defer l.sh.wg.Done()
		for {
			select {
			case <-l.sh.ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return // the dialog closed
				}
				if ev.Kind == app.OffersChanged || (ev.Kind == app.RecordsChanged && ev.Touches(app.KindWish)) {
					l.sh.do(l.load)
				}
			}
		}
	}()
}

// load reads the wishes off the UI goroutine.
func (l *listingWishes) load() {
	l.gen++
	gen := l.gen
	l.activity.Show()
	l.activity.Start()
	l.sh.goUI(wishTimeout, func(ctx context.Context) func() {
		ws, err := l.sh.b.Wishes(ctx, l.listingID)
		return func() {
			if gen != l.gen {
				return
			}
			l.activity.Stop()
			l.activity.Hide()
			if err != nil {
				showStatus(l.status, sentence(inputDetail(err)), widget.DangerImportance)
				return
			}
			l.wishes = ws
			l.render()
		}
	})
}

func (l *listingWishes) render() {
	l.list.RemoveAll()
	if len(l.wishes) == 0 {
		n := newNote(theme.SizeNameText)
		n.set(lang.L("No wish fits this listing yet. Wishes arrive from the network as renters post them."), theme.ColorNamePlaceHolder)
		l.list.Add(n.rt)
	}
	for _, w := range l.wishes {
		l.list.Add(l.row(w))
	}
	l.list.Refresh()
}

func (l *listingWishes) row(w app.WishFit) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(describeWish(w.Wish), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	meta := lang.L("By {{.ID}} · ends {{.Date}}", tdata{"ID": shortID(w.Author), "Date": formatDay(w.ExpiresAt.Local())})
	if w.DetourKm != nil {
		meta += " · " + lang.L("detour {{.Km}}, pickup about {{.Time}}", tdata{"Km": formatKm(*w.DetourKm), "Time": w.PickupAt.Local().Format("15:04")})
	}
	m := newNote(theme.SizeNameCaptionText)
	m.set(meta, theme.ColorNamePlaceHolder)
	var action fyne.CanvasObject
	if w.Offered {
		action = widget.NewLabelWithStyle(lang.L("Offer sent"), fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})
	} else {
		wishID := w.ID
		btn := widget.NewButtonWithIcon(lang.L("Send offer"), theme.MailSendIcon(), func() { l.askOffer(wishID) })
		btn.Importance = widget.HighImportance
		action = btn
	}
	box := container.NewVBox(container.NewBorder(nil, nil, nil, action, head), m.rt)
	if t := wishText(w.Wish); t != "" {
		box.Add(widget.NewLabel("“" + t + "”"))
	}
	return container.NewPadded(newTint(theme.ColorNameInputBackground, 0xff, container.NewPadded(box)))
}

// askOffer asks for a note to the renter, then sends the offer.
func (l *listingWishes) askOffer(wishID string) {
	l.note = widget.NewMultiLineEntry()
	l.note.SetPlaceHolder(lang.L("A word to the renter (optional)"))
	l.note.SetMinRowsVisible(3)
	width := canvas.NewRectangle(nil)
	width.SetMinSize(fyne.NewSize(380, 0))
	dialog.ShowForm(lang.L("Send an offer"), lang.L("Send"), lang.L("Cancel"), []*widget.FormItem{widget.NewFormItem(lang.L("Note"), container.NewStack(width, l.note))}, func(ok bool) {
		if ok {
			l.sendOffer(wishID, l.note.Text)
		}
	}, l.sh.win)
}

// sendOffer answers a wish off the UI goroutine, then reloads.
func (l *listingWishes) sendOffer(wishID, note string) {
	l.activity.Show()
	l.activity.Start()
	l.sh.goUI(wishTimeout, func(ctx context.Context) func() {
		_, err := l.sh.b.Offer(ctx, app.OfferInput{WishID: wishID, ListingID: l.listingID, Note: note})
		return func() {
			l.activity.Stop()
			l.activity.Hide()
			if err != nil {
				showStatus(l.status, lang.L("The offer was not sent: {{.Err}}", tdata{"Err": inputDetail(err)}), widget.DangerImportance)
				return
			}
			l.status.Hide()
			l.sh.banner.show(lang.L("Offer sent: the renter gets it privately, even if offline now"))
			l.load()
		}
	})
}
