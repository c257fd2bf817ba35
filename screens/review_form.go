package screens

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// starChoices are the choices of a star rating.
var starChoices = []string{"1", "2", "3", "4", "5"}

// reviewForm reviews the other party of an ended booking: overall stars,
// the category stars a renter gives (rooms: accuracy, cleanliness,
// communication, location, value; rides: punctuality, safety, comfort,
// communication), a text and a private note. Once sent it shows the
// double-blind state: sealed and waiting for the other party, or revealed.
type reviewForm struct {
	sh     *shell
	b      trip
	onDone func(app.ReviewState)

	// UI goroutine only.
	stars    *widget.RadioGroup
	cats     map[string]*widget.RadioGroup
	text     *widget.Entry
	note     *widget.Entry
	submit   *widget.Button
	activity *widget.Activity
	status   *widget.Label
	state    *widget.Label
	sending  bool
	dlg      dialog.Dialog
}

// showReviewForm opens the review form of a booking in a dialog; onDone
// gets the review's state once it is sealed.
func showReviewForm(sh *shell, b trip, onDone func(app.ReviewState)) *reviewForm {
	f := &reviewForm{sh: sh, b: b, onDone: onDone, cats: map[string]*widget.RadioGroup{}}
	stars := func() *widget.RadioGroup {
		r := widget.NewRadioGroup(starChoices, func(string) { f.status.Hide() })
		r.Horizontal = true
		return r
	}
	f.stars = stars()
	bold := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	form := container.New(layout.NewFormLayout(), bold(lang.L("Overall")), f.stars)
	// Category stars are what a renter says of a listing; an owner gives
	// stars and text only.
	if b.Role == app.RoleRenter {
		for _, c := range app.ReviewCategories(b.ListingKind) {
			r := stars()
			f.cats[c] = r
			form.Add(widget.NewLabelWithStyle(categoryLabel(c), fyne.TextAlignTrailing, fyne.TextStyle{}))
			form.Add(r)
		}
	}
	f.text = widget.NewMultiLineEntry()
	f.text.Wrapping = fyne.TextWrapWord
	f.text.SetMinRowsVisible(4)
	f.text.SetPlaceHolder(lang.L("What you say, published with your stars"))
	f.note = widget.NewEntry()
	f.note.SetPlaceHolder(lang.L("A private word to them, sent when the review is published (optional)"))
	form.Add(bold(lang.L("Review")))
	form.Add(f.text)
	form.Add(bold(lang.L("Private note")))
	form.Add(f.note)
	f.submit = widget.NewButtonWithIcon(lang.L("Seal and send"), theme.ConfirmIcon(), f.send)
	f.submit.Importance = widget.HighImportance
	f.activity, f.status = newProgress()
	f.state = widget.NewLabel(lang.L("Double-blind: your review is sealed first and published only when {{.ID}} has reviewed you too, or 14 days after the end. Neither of you reads the other's first.",
		tdata{"ID": shortID(other(b.Booking))}))
	f.state.Wrapping = fyne.TextWrapWord
	head := widget.NewLabelWithStyle(lang.L("Review {{.ID}} · {{.Title}}", tdata{"ID": shortID(other(b.Booking)), "Title": b.Title}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(head, f.state, form, container.NewHBox(f.submit, f.activity), f.status)
	f.dlg = dialog.NewCustom(lang.L("Write a review"), lang.L("Close"), container.New(maxWidth{620}, container.NewVScroll(body)), sh.win)
	f.dlg.Resize(fyne.NewSize(680, 600))
	f.dlg.Show()
	sh.reviewForm = f
	return f
}

// input reads the form; a message says what is missing.
func (f *reviewForm) input() (app.ReviewInput, string) {
	in := app.ReviewInput{Text: strings.TrimSpace(f.text.Text), Note: strings.TrimSpace(f.note.Text)}
	n, err := strconv.Atoi(f.stars.Selected)
	if err != nil {
		return in, lang.L("Give overall stars, 1 to 5.")
	}
	in.Stars = n
	for c, r := range f.cats {
		if v, err := strconv.Atoi(r.Selected); err == nil {
			if in.Categories == nil {
				in.Categories = map[string]int{}
			}
			in.Categories[c] = v
		}
	}
	if len([]rune(in.Note)) > app.MaxReason {
		return in, lang.L("The private note is too long: at most {{.Max}} characters.", tdata{"Max": app.MaxReason})
	}
	return in, ""
}

// send seals the review off the UI goroutine.
func (f *reviewForm) send() {
	if f.sending {
		return
	}
	in, bad := f.input()
	if bad != "" {
		showStatus(f.status, bad, widget.DangerImportance)
		return
	}
	f.sending = true
	f.submit.Disable()
	showPosting(f.activity, f.status, true, lang.L("Sealing your review…"))
	id := f.b.ID
	f.sh.wg.Add(1)
	go func() {
		defer f.sh.wg.Done()
		st, err := f.sh.b.WriteReview(f.sh.ctx, id, in)
		f.sh.do(func() {
			f.sending = false
			showPosting(f.activity, f.status, false, "")
			if err != nil {
				f.submit.Enable()
				showStatus(f.status, lang.L("Not sent: {{.Err}}", tdata{"Err": errorText(err)}), widget.DangerImportance)
				return
			}
			f.state.SetText(reviewStateText(st, f.b.Booking))
			f.state.Importance = widget.SuccessImportance
			f.state.Refresh()
			if f.onDone != nil {
				f.onDone(st)
			}
		})
	}()
}

// reviewStateText says where the user's review of a booking stands.
func reviewStateText(st app.ReviewState, b app.Booking) string {
	if st.Revealed {
		return lang.L("Your review is published.")
	}
	return lang.L("Your review is sealed, waiting for {{.ID}} to review you; it is published then, or on {{.Date}} at the latest.",
		tdata{"ID": shortID(other(b)), "Date": formatDate(st.RevealBy.Local())})
}

// categoryLabel names a review category ("cleanliness") on the form.
func categoryLabel(c string) string {
	switch c {
	case "accuracy":
		return lang.L("Accuracy")
	case "cleanliness":
		return lang.L("Cleanliness")
	case "communication":
		return lang.L("Communication")
	case "location":
		return lang.L("Location")
	case "value":
		return lang.L("Value")
	case "punctuality":
		return lang.L("Punctuality")
	case "safety":
		return lang.L("Safety")
	case "comfort":
		return lang.L("Comfort")
	}
	return sentence(c)
}
