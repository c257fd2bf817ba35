package screens

import (
	"fmt"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// personView shows a person: who they are, their reputation from the
// reviews known here, and those reviews, newest first. It opens as a
// dialog over the window, from a listing's host or a booking's other party.
type personView struct {
	sh   *shell
	peer string

	// UI goroutine only.
	name     *widget.Label
	id       *note
	about    *note
	rep      *note
	reviews  *fyne.Container
	activity *widget.Activity
	content  fyne.CanvasObject
	dlg      dialog.Dialog
}

// showPerson opens a person's view and loads what is known of them.
func showPerson(sh *shell, peer string) *personView {
	p := &personView{sh: sh, peer: peer}
	p.name = widget.NewLabelWithStyle(shortID(peer), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.name.SizeName = theme.SizeNameSubHeadingText
	p.id = newNote(theme.SizeNameCaptionText)
	p.id.set(lang.L("Peer ID {{.ID}}", tdata{"ID": peer}), theme.ColorNamePlaceHolder)
	p.about = newNote(theme.SizeNameText)
	p.rep = newNote(theme.SizeNameText)
	p.rep.set(lang.L("Loading reviews…"), theme.ColorNamePlaceHolder)
	p.activity = widget.NewActivity()
	p.activity.Start()
	p.reviews = container.NewVBox()
	copyID := widget.NewButtonWithIcon(lang.L("Copy ID"), theme.ContentCopyIcon(), func() {
		sh.app.Clipboard().SetContent(peer)
		sh.banner.show(lang.L("Peer ID copied"))
	})
	copyID.Importance = widget.LowImportance
	heading := widget.NewLabelWithStyle(lang.L("Reviews of them"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(container.NewHBox(widget.NewIcon(theme.AccountIcon()), p.name, copyID, p.activity), p.id.rt, p.about.rt, p.rep.rt, widget.NewSeparator(), heading)
	p.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(p.reviews))
	p.dlg = dialog.NewCustom(lang.L("Person"), lang.L("Close"), container.New(minHeight{420}, container.New(maxWidth{560}, p.content)), sh.win)
	p.dlg.Resize(fyne.NewSize(600, 520))
	p.dlg.Show()
	sh.person = p
	p.load()
	return p
}

// load fetches the profile, the reputation and the reviews off the UI
// goroutine, and has the node catch up what others know of the person.
func (p *personView) load() {
	p.sh.wg.Add(1)
	go func() {
		defer p.sh.wg.Done()
		if err := p.sh.b.FollowPerson(p.peer); err != nil {
			slog.Warn("follow a person", "peer", p.peer, "err", err)
		}
		if prof, err := p.sh.b.Profile(p.sh.ctx, p.peer); err == nil && prof.Found {
			p.sh.do(func() { p.showProfile(prof) })
		}
		rep, err := p.sh.b.Reputation(p.sh.ctx, p.peer)
		var rs []app.Review
		if err == nil {
			rs, err = p.sh.b.Reviews(p.sh.ctx, p.peer, "", "")
		}
		p.sh.do(func() {
			p.activity.Stop()
			p.activity.Hide()
			if err != nil {
				p.rep.set(lang.L("Reviews not available: {{.Err}}", tdata{"Err": errorText(err)}), theme.ColorNameError)
				return
			}
			p.apply(rep, rs)
		})
	}()
}

// showProfile shows the name, languages and words the person signed.
// UI goroutine only.
func (p *personView) showProfile(prof app.PersonProfile) {
	p.name.SetText(prof.DisplayName())
	var lines []string
	if len(prof.Languages) > 0 {
		lines = append(lines, lang.L("Speaks {{.Languages}}", tdata{"Languages": strings.Join(prof.Languages, ", ")}))
	}
	if prof.About != "" {
		lines = append(lines, prof.About)
	}
	p.about.set(strings.Join(lines, "\n"), theme.ColorNameForeground)
}

// apply shows the reputation and reviews. UI goroutine only.
func (p *personView) apply(rep app.Reputation, rs []app.Review) {
	line := formatReputation(rep)
	if rep.AsOwner > 0 || rep.AsRenter > 0 {
		line += "\n" + lang.L("{{.Owner}} as host or driver · {{.Renter}} as guest or rider", tdata{"Owner": rep.AsOwner, "Renter": rep.AsRenter})
	}
	p.rep.set(line, theme.ColorNameForeground)
	p.reviews.RemoveAll()
	if len(rs) == 0 {
		l := widget.NewLabelWithStyle(lang.L("No one has reviewed them yet, as far as this device knows."), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		l.Wrapping = fyne.TextWrapWord
		p.reviews.Add(l)
	}
	for _, r := range rs {
		p.reviews.Add(reviewCard(r))
	}
	p.reviews.Refresh()
}

// reviewCard is one review: stars, who wrote it in which role, when, the
// category stars and the text.
func reviewCard(r app.Review) fyne.CanvasObject {
	data := tdata{"ID": shortID(r.Author)}
	by := lang.L("by a guest {{.ID}}", data)
	switch {
	case r.AuthorRole == app.RoleRenter && r.ListingKind == app.KindRide:
		by = lang.L("by a rider {{.ID}}", data)
	case r.AuthorRole == app.RoleOwner && r.ListingKind == app.KindRide:
		by = lang.L("by their driver {{.ID}}", data)
	case r.AuthorRole == app.RoleOwner:
		by = lang.L("by their host {{.ID}}", data)
	}
	head := widget.NewLabelWithStyle(fmt.Sprintf("%s  %s · %s", starText(r.Stars), by, formatMonth(r.IssuedAt.Local())),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	objs := []fyne.CanvasObject{head}
	if len(r.Categories) > 0 {
		var parts []string
		for _, c := range app.ReviewCategories(r.ListingKind) {
			if v, ok := r.Categories[c]; ok {
				parts = append(parts, fmt.Sprintf("%s %d", categoryLabel(c), v))
			}
		}
		cats := newNote(theme.SizeNameCaptionText)
		cats.set(strings.Join(parts, " · "), theme.ColorNamePlaceHolder)
		objs = append(objs, cats.rt)
	}
	if strings.TrimSpace(r.Text) != "" {
		t := widget.NewLabel(r.Text)
		t.Wrapping = fyne.TextWrapWord
		objs = append(objs, t)
	}
	objs = append(objs, widget.NewSeparator())
	return container.NewVBox(objs...)
}

// starText is a rating as stars: "★★★★☆".
func starText(n int) string {
	n = max(0, min(5, n))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}
