package screens

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"

	"github.com/caravan-p2p/caravan/app"
)

// postTimeout bounds posting one wish.
const wishPostTimeout = 20 * time.Second

// wishForm is the "Post a wish" dialog: Explore's current filters and map
// view made into a wish, with what they do not say (a stay's dates and
// guests, a budget) asked here, and a confirmation.
type wishForm struct {
	sh *shell

	// UI goroutine only.
	stay     bool
	bbox     [4]float64 // a stay's area: the rooms map view
	ride     app.RideWish
	summary  *widget.Label
	from, to *widget.DateEntry
	guests   *widget.Entry
	maxPrice *widget.Entry
	currency *widget.Entry
	text     *widget.Entry
	status   *widget.Label
	activity *widget.Activity
	postBtn  *widget.Button
	dlg      dialog.Dialog
	posting  bool
}

// openWishForm builds the dialog for the mode Explore shows and opens it.
// A ride wish needs From and To picked in the rides form first; the user is
// told so instead.
func openWishForm(sh *shell, mode string) *wishForm {
	f := &wishForm{sh: sh, stay: mode != modeRides}
	f.summary = widget.NewLabel("")
	f.summary.Wrapping = fyne.TextWrapWord
	f.guests = widget.NewEntry()
	f.guests.SetText("2")
	f.maxPrice = widget.NewEntry()
	f.maxPrice.SetPlaceHolder(lang.L("Any price"))
	f.currency = widget.NewEntry()
	f.currency.SetText("EUR")
	f.text = widget.NewMultiLineEntry()
	f.text.SetPlaceHolder(lang.L("A word to the owners (optional)"))
	f.text.SetMinRowsVisible(2)
	f.activity, f.status = newProgress()
	f.postBtn = widget.NewButtonWithIcon(lang.L("Post wish"), theme.ConfirmIcon(), f.post)
	f.postBtn.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { f.dlg.Hide() })

	items := []*widget.FormItem{}
	title := lang.L("Post a wish for a stay")
	if f.stay {
		b := sh.rooms.mapv.Bounds()
		f.bbox = boundArray(b)
		f.summary.SetText(lang.L("Owners of rooms in the area of the map ({{.Area}}) will see your wish and can offer you their room.", tdata{"Area": describeBound(b)}))
		now := time.Now()
		f.from, f.to = widget.NewDateEntry(), widget.NewDateEntry()
		in := now.AddDate(0, 0, 7)
		out := in.AddDate(0, 0, 2)
		f.from.SetDate(&in)
		f.to.SetDate(&out)
		if t := strings.TrimSpace(sh.rooms.search.Text); t != "" {
			f.text.SetText(lang.L("Looking for: {{.Text}}", tdata{"Text": t}))
		}
		items = append(items, widget.NewFormItem(lang.L("Check-in"), f.from), widget.NewFormItem(lang.L("Check-out"), f.to),
			widget.NewFormItem(lang.L("Guests"), f.guests), widget.NewFormItem(lang.L("At most / night"), f.maxPrice))
	} else {
		title = lang.L("Post a wish for a ride")
		f.text.SetPlaceHolder(lang.L("A word to the drivers (optional)"))
		r := sh.rides
		if !r.from.picked || !r.to.picked {
			dialog.ShowInformation(lang.L("Post a wish"), lang.L("Pick where you start (From) and where you go (To) in the rides form first, then post your wish."), sh.win)
			return nil
		}
		q, bad := r.query()
		if bad {
			return nil // the rides form says what is wrong
		}
		if q.After.IsZero() {
			q.After = time.Now()
		}
		if q.Before.IsZero() {
			q.Before = q.After.Add(24 * time.Hour)
		}
		fromPt, toPt := r.from.point, r.to.point
		f.ride = app.RideWish{From: &fromPt, To: &toPt, DepartAfter: q.After.Truncate(time.Minute), DepartBefore: q.Before.Truncate(time.Minute), Seats: q.Seats}
		f.summary.SetText(lang.L("A ride from {{.From}} to {{.To}}, leaving between {{.After}} and {{.Before}}, {{.Seats}}. Drivers passing there will see it and can offer you a seat.", tdata{
			"From": shortPlace(r.from.text()), "To": shortPlace(r.to.text()), "After": formatDayTime(f.ride.DepartAfter),
			"Before": formatDayTime(f.ride.DepartBefore), "Seats": lang.N("{{.Count}} seats", q.Seats, countOf(q.Seats))}))
		items = append(items, widget.NewFormItem(lang.L("At most / seat"), f.maxPrice))
	}
	items = append(items, widget.NewFormItem(lang.L("Currency"), f.currency), widget.NewFormItem(lang.L("Note"), f.text))
	form := widget.NewForm(items...)
	content := container.NewVBox(f.summary, form, f.status,
		container.NewHBox(f.activity, layout.NewSpacer(), cancel, f.postBtn))
	width := canvas.NewRectangle(nil)
	width.SetMinSize(fyne.NewSize(520, 0))
	f.dlg = dialog.NewCustomWithoutButtons(title, container.NewStack(width, content), sh.win)
	f.dlg.Show()
	return f
}

// describeBound writes a map view's extent: "52.30–52.45° N, 4.75–5.05° E".
func describeBound(b orb.Bound) string {
	return lang.L("{{.LatMin}} to {{.LatMax}}° lat, {{.LonMin}} to {{.LonMax}}° lon", tdata{
		"LatMin": fmt.Sprintf("%.2f", b.Min.Lat()), "LatMax": fmt.Sprintf("%.2f", b.Max.Lat()),
		"LonMin": fmt.Sprintf("%.2f", b.Min.Lon()), "LonMax": fmt.Sprintf("%.2f", b.Max.Lon())})
}

// wish reads the form into a wish, or says what is wrong.
func (f *wishForm) wish() (app.Wish, error) {
	price := 0.0
	if s := strings.TrimSpace(f.maxPrice.Text); s != "" {
		v, err := parseDecimal(s)
		if err != nil || v <= 0 {
			return app.Wish{}, errors.New(lang.L("the budget is a number above 0, like 60 or 59.50, or empty for any price"))
		}
		price = v
	}
	currency := ""
	if price > 0 {
		if err := validateCurrency(f.currency.Text); err != nil {
			return app.Wish{}, errors.New(lang.L("currency: {{.Err}}", tdata{"Err": err}))
		}
		currency = cleanCurrency(f.currency.Text)
	}
	text := strings.TrimSpace(f.text.Text)
	if !f.stay {
		w := f.ride
		w.MaxPricePerSeat, w.Currency, w.Text = price, currency, text
		return app.Wish{Ride: &w}, nil
	}
	if f.from.Date == nil || f.to.Date == nil {
		return app.Wish{}, errors.New(lang.L("pick the check-in and check-out days"))
	}
	guests, ok := guestCount(f.guests.Text)
	if !ok {
		return app.Wish{}, errors.New(lang.L("guests: a whole number from 1 to {{.Max}}", tdata{"Max": app.MaxGuests}))
	}
	bb := f.bbox
	return app.Wish{Stay: &app.StayWish{BBox: &bb, From: f.from.Date.Format(time.DateOnly), To: f.to.Date.Format(time.DateOnly),
		Guests: guests, MaxPricePerNight: price, Currency: currency, Text: text}}, nil
}

// post publishes the wish off the UI goroutine; the dialog closes on
// success and says what is wrong otherwise.
func (f *wishForm) post() {
	if f.posting {
		return
	}
	w, err := f.wish()
	if err != nil {
		f.fail(err)
		return
	}
	f.posting = true
	f.postBtn.Disable()
	f.activity.Show()
	f.activity.Start()
	f.sh.goUI(wishPostTimeout, func(ctx context.Context) func() {
		_, err := f.sh.b.PostWish(ctx, w)
		return func() {
			f.posting = false
			f.activity.Stop()
			f.activity.Hide()
			f.postBtn.Enable()
			if err != nil {
				f.fail(err)
				return
			}
			f.dlg.Hide()
			f.sh.banner.show(lang.L("Wish posted: owners who fit it can now send you offers (My wishes)"))
		}
	})
}

func (f *wishForm) fail(err error) {
	var ie *app.InputError
	msg := err.Error()
	if errors.As(err, &ie) {
		msg = ie.Detail
		if ie.Field != "" {
			msg = wishFieldLabel(ie.Field) + ": " + ie.Detail
		}
	}
	showStatus(f.status, sentence(msg), widget.DangerImportance)
}

// wishFieldLabel names a wish field as the form does.
func wishFieldLabel(field string) string {
	switch {
	case strings.HasSuffix(field, ".from"), strings.HasSuffix(field, ".to"):
		if strings.HasPrefix(field, "stay.") {
			return lang.L("Dates")
		}
		return lang.L("Places")
	case field == "" || field == "cells":
		return lang.L("Area")
	}
	return field[strings.LastIndex(field, ".")+1:]
}
