package screens

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// tabProfile is the Profile screen's tab title.
const tabProfile = "Profile"

// profileTimeout bounds loading or saving the profile.
const profileTimeout = 30 * time.Second

// avatarSize is the size the avatar is shown at.
var avatarSize = fyne.NewSquareSize(112)

// profileScreen shows and edits the user's profile (name, about, languages,
// avatar), signed and published as the profile record, with the user's own
// reputation beside it.
type profileScreen struct {
	sh *shell

	// UI goroutine only.
	avatar     *fyne.Container // the image or a placeholder
	avatarHash string
	pickBtn    *widget.Button
	removeBtn  *widget.Button
	avatarMsg  *note
	name       *widget.Entry
	nameMsg    *note
	about      *widget.Entry
	aboutMsg   *note
	langs      *widget.Entry
	langsMsg   *note
	save       *widget.Button
	activity   *widget.Activity
	status     *widget.Label
	shared     *note
	userID     *widget.Label
	reputation *widget.Label
	repDetail  *note
	busy       bool // saving, or importing an avatar
	edited     bool // the user changed the form since it was last filled
	loadGen    int  // which load's answer is wanted
	content    fyne.CanvasObject
}

func newProfileScreen(sh *shell) *profileScreen {
	p := &profileScreen{sh: sh}
	p.avatar = container.NewStack()
	p.pickBtn = widget.NewButtonWithIcon(lang.L("Choose picture…"), theme.FileImageIcon(), p.openPicker)
	p.removeBtn = widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), func() { p.setAvatar("", nil); p.edited = true })
	p.removeBtn.Importance = widget.LowImportance
	p.avatarMsg = newNote(theme.SizeNameCaptionText)
	p.setAvatar("", nil)

	p.name = widget.NewEntry()
	p.name.SetPlaceHolder(lang.L("The name people see, e.g. Ada L."))
	p.nameMsg = newNote(theme.SizeNameCaptionText)
	p.name.OnChanged = func(string) { p.edited = true; p.checkName() }
	p.about = widget.NewMultiLineEntry()
	p.about.SetPlaceHolder(lang.L("A few words about you: what you do, how you travel, what you like in a host or a guest"))
	p.about.Wrapping = fyne.TextWrapWord
	p.about.SetMinRowsVisible(4)
	p.aboutMsg = newNote(theme.SizeNameCaptionText)
	p.about.OnChanged = func(string) { p.edited = true; p.checkAbout() }
	p.langs = widget.NewEntry()
	p.langs.SetPlaceHolder(lang.L("e.g. English, Français"))
	p.langsMsg = newNote(theme.SizeNameCaptionText)
	p.langs.OnChanged = func(string) { p.edited = true; p.checkLangs() }
	p.checkName()
	p.checkAbout()
	p.checkLangs()

	p.save = widget.NewButtonWithIcon(lang.L("Save profile"), theme.DocumentSaveIcon(), p.submit)
	p.save.Importance = widget.HighImportance
	p.activity, p.status = newProgress()
	p.shared = newNote(theme.SizeNameCaptionText)

	p.userID = widget.NewLabel("")
	p.userID.Truncation = fyne.TextTruncateEllipsis
	copyID := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		sh.app.Clipboard().SetContent(p.userID.Text)
		sh.banner.show(lang.L("User ID copied"))
	})
	copyID.Importance = widget.LowImportance
	p.reputation = widget.NewLabel("")
	p.reputation.Wrapping = fyne.TextWrapWord
	p.repDetail = newNote(theme.SizeNameCaptionText)
	idNote := newNote(theme.SizeNameCaptionText)
	idNote.set(lang.L("Your identity is a key kept in the data folder. Back it up from Settings → Export identity…, or you lose it with this computer."), theme.ColorNamePlaceHolder)

	heading := widget.NewLabelWithStyle(lang.L("Profile"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel(lang.L("How hosts, guests, drivers and riders see you. It is signed with your key and shared with the peers of the areas of your listings and trips."))
	intro.Wrapping = fyne.TextWrapWord
	tight := func(objs ...fyne.CanvasObject) *fyne.Container {
		return container.New(layout.NewCustomPaddedVBoxLayout(0), objs...)
	}
	label := func(t string) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabelWithStyle(t, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
	}
	avatarRow := container.NewHBox(container.New(layout.NewGridWrapLayout(avatarSize), p.avatar),
		container.NewVBox(p.pickBtn, p.removeBtn))
	form := container.New(layout.NewFormLayout(),
		label(lang.L("Picture")), tight(avatarRow, p.avatarMsg.rt),
		label(lang.L("Name")), tight(p.name, p.nameMsg.rt),
		label(lang.L("About")), tight(p.about, p.aboutMsg.rt),
		label(lang.L("Languages")), tight(p.langs, p.langsMsg.rt),
	)
	buttons := container.NewBorder(nil, nil, nil, container.NewHBox(p.activity, p.save), p.status)
	sub := func(t string) *widget.Label {
		l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.SizeName = theme.SizeNameSubHeadingText
		return l
	}
	page := container.NewVBox(heading, intro, form, buttons, p.shared.rt,
		widget.NewSeparator(), sub(lang.L("Reputation")), p.reputation, p.repDetail.rt,
		widget.NewSeparator(), sub(lang.L("Identity")),
		container.NewBorder(nil, nil, widget.NewLabelWithStyle(lang.L("User ID"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), copyID, p.userID),
		idNote.rt,
	)
	p.content = container.NewVScroll(container.New(maxWidth{760}, container.NewPadded(page)))
	return p
}

// load reads the profile and reputation and fills the screen; the form is
// filled only the first time and after a save, so typing is never lost.
func (p *profileScreen) load(fillForm bool) {
	p.loadGen++
	gen := p.loadGen
	p.sh.goUI(profileTimeout, func(ctx context.Context) func() {
		prof, rep, err := p.sh.b.OwnProfile(ctx)
		var avatar []byte
		if err == nil && fillForm && prof.Avatar != "" {
			avatar, _ = p.sh.b.Photo(ctx, prof.Avatar, prof.Peer) // a missing avatar shows as none
		}
		if p.sh.ctx.Err() != nil {
			return nil
		}
		return func() {
			if gen != p.loadGen {
				return
			}
			if err != nil {
				showStatus(p.status, lang.L("Couldn't read your profile: {{.Err}}", tdata{"Err": err}), widget.DangerImportance)
				return
			}
			p.show(prof, rep)
			if fillForm && !p.busy && !p.edited { // never over what the user typed meanwhile
				p.fill(prof, avatar)
			}
		}
	})
}

// fill puts a profile in the form.
func (p *profileScreen) fill(prof app.PersonProfile, avatar []byte) {
	p.name.SetText(prof.Name)
	p.about.SetText(prof.About)
	p.langs.SetText(strings.Join(prof.Languages, ", "))
	if prof.Avatar != "" && avatar != nil {
		p.setAvatar(prof.Avatar, avatar)
	} else {
		p.setAvatar("", nil)
	}
	p.edited = false
}

// show shows what does not belong to the form: ID, where the profile
// travels, reputation.
func (p *profileScreen) show(prof app.PersonProfile, rep app.Reputation) {
	p.userID.SetText(prof.Peer)
	switch {
	case !prof.Found:
		p.shared.set(lang.L("No profile yet: people see your user ID only."), theme.ColorNamePlaceHolder)
	case len(prof.Cells) == 0:
		p.shared.set(lang.L("Version {{.Version}}, shared with the people who look you up.", tdata{"Version": prof.Version}), theme.ColorNamePlaceHolder)
	default:
		p.shared.set(lang.N("Version {{.Version}}, shared with the peers of {{.Count}} areas.", len(prof.Cells), tdata{"Version": prof.Version, "Count": countOf(len(prof.Cells))["Count"]}), theme.ColorNamePlaceHolder)
	}
	p.reputation.SetText(formatReputation(rep))
	p.repDetail.set(reputationDetail(rep), theme.ColorNamePlaceHolder)
}

// reputationDetail says where the reviews come from.
func reputationDetail(r app.Reputation) string {
	if r.Count == 0 {
		return lang.L("Reviews appear here after your first stays and rides, once both sides have written theirs.")
	}
	parts := []string{
		lang.L("{{.Owner}} as host or driver, {{.Renter}} as guest or rider", tdata{"Owner": r.AsOwner, "Renter": r.AsRenter}),
		lang.L("{{.Percent}}% with a signed booking as proof", tdata{"Percent": fmt.Sprintf("%.0f", r.WithProof*100)}),
		lang.L("{{.Count}} in the last year", countOf(r.LastYear)),
	}
	return strings.Join(parts, " · ")
}

// parseLanguages splits what was typed at commas, without blanks or
// repeats.
func parseLanguages(s string) []string {
	var out []string
	for _, l := range strings.Split(s, ",") {
		l = strings.TrimSpace(l)
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func (p *profileScreen) checkName() bool {
	n := utf8.RuneCountInString(strings.TrimSpace(p.name.Text))
	switch {
	case n == 0:
		p.nameMsg.set(lang.L("Required; up to {{.Max}} characters.", tdata{"Max": app.MaxProfileName}), theme.ColorNamePlaceHolder)
		return false
	case utf8.RuneCountInString(p.name.Text) > app.MaxProfileName:
		p.nameMsg.set(lang.L("At most {{.Max}} characters.", tdata{"Max": app.MaxProfileName}), theme.ColorNameError)
		return false
	}
	p.nameMsg.set("", theme.ColorNamePlaceHolder)
	return true
}

func (p *profileScreen) checkAbout() bool {
	if n := utf8.RuneCountInString(p.about.Text); n > app.MaxProfileAbout {
		p.aboutMsg.set(lang.L("{{.Count}} characters; at most {{.Max}}", tdata{"Count": n, "Max": app.MaxProfileAbout})+".", theme.ColorNameError)
		return false
	}
	p.aboutMsg.set(lang.L("Optional."), theme.ColorNamePlaceHolder)
	return true
}

func (p *profileScreen) checkLangs() bool {
	ls := parseLanguages(p.langs.Text)
	if len(ls) > app.MaxProfileLanguages {
		p.langsMsg.set(lang.L("At most {{.Max}} languages.", tdata{"Max": app.MaxProfileLanguages}), theme.ColorNameError)
		return false
	}
	for _, l := range ls {
		if utf8.RuneCountInString(l) > app.MaxTag {
			p.langsMsg.set(lang.L("{{.Text}} is longer than {{.Max}} characters.", tdata{"Text": quoteShort(l), "Max": app.MaxTag}), theme.ColorNameError)
			return false
		}
	}
	p.langsMsg.set(lang.L("Optional; separate them with commas."), theme.ColorNamePlaceHolder)
	return true
}

// submit saves the profile.
func (p *profileScreen) submit() {
	if p.busy {
		return
	}
	ok := p.checkName()
	ok = p.checkAbout() && ok
	ok = p.checkLangs() && ok
	if !ok {
		if strings.TrimSpace(p.name.Text) == "" {
			p.nameMsg.set(lang.L("Required: the name people see."), theme.ColorNameError)
		}
		showStatus(p.status, lang.L("Fix the fields marked in red first."), widget.DangerImportance)
		return
	}
	prof := app.Profile{Name: strings.TrimSpace(p.name.Text), About: strings.TrimSpace(p.about.Text), Languages: parseLanguages(p.langs.Text), Avatar: p.avatarHash}
	p.setBusy(true)
	p.status.Hide()
	p.sh.goUI(profileTimeout, func(ctx context.Context) func() {
		_, err := p.sh.b.SaveProfile(ctx, prof)
		if p.sh.ctx.Err() != nil {
			return nil
		}
		return func() {
			p.setBusy(false)
			if err != nil {
				var ie *app.InputError
				if errors.As(err, &ie) && p.fieldError(ie) {
					showStatus(p.status, lang.L("Couldn't save the profile: fix the field marked in red."), widget.DangerImportance)
					return
				}
				showStatus(p.status, lang.L("Couldn't save the profile: {{.Err}}", tdata{"Err": err}), widget.DangerImportance)
				return
			}
			p.status.Hide()
			p.sh.banner.show(lang.L("Profile saved"))
			p.load(false)
		}
	})
}

// fieldError shows an input error under its field; false if it names none
// of the form's.
func (p *profileScreen) fieldError(ie *app.InputError) bool {
	msg := sentence(ie.Detail)
	switch ie.Field {
	case "name":
		p.nameMsg.set(msg, theme.ColorNameError)
	case "about":
		p.aboutMsg.set(msg, theme.ColorNameError)
	case "languages":
		p.langsMsg.set(msg, theme.ColorNameError)
	case "avatar":
		p.avatarMsg.set(msg, theme.ColorNameError)
	default:
		return false
	}
	return true
}

// setBusy locks the form while saving or importing a picture.
func (p *profileScreen) setBusy(on bool) {
	p.busy = on
	setDisabled(on, p.save, p.pickBtn, p.removeBtn, p.name, p.about, p.langs)
	if on {
		p.activity.Show()
		p.activity.Start()
	} else {
		p.activity.Stop()
		p.activity.Hide()
		if p.avatarHash == "" {
			p.removeBtn.Disable()
		}
	}
}

// openPicker shows the file dialog for a picture.
func (p *profileScreen) openPicker() {
	showImagePicker(p.sh.win, p.addAvatar, func(err error) {
		p.avatarMsg.set(lang.L("Couldn't open the file: {{.Err}}", tdata{"Err": err}), theme.ColorNameError)
	})
}

// addAvatar imports a picture off the UI goroutine and shows it.
func (p *profileScreen) addAvatar(path string) {
	p.setBusy(true)
	p.avatarMsg.set(lang.L("Adding {{.Name}}…", tdata{"Name": filepath.Base(path)}), theme.ColorNamePlaceHolder)
	p.sh.goUI(addPhotoTimeout, func(ctx context.Context) func() {
		hash, err := p.sh.b.AddAvatar(ctx, path)
		var data []byte
		if err == nil {
			data, err = p.sh.b.Photo(ctx, hash, "")
		}
		if p.sh.ctx.Err() != nil {
			return nil
		}
		return func() {
			p.setBusy(false)
			if err != nil {
				p.avatarMsg.set(lang.L("Couldn't add {{.Name}}: {{.Err}}", tdata{"Name": filepath.Base(path), "Err": err}), theme.ColorNameError)
				return
			}
			p.setAvatar(hash, data)
			p.edited = true
		}
	})
}

// setAvatar shows the picture with the given hash, or a placeholder for
// none. Saving the profile publishes the change.
func (p *profileScreen) setAvatar(hash string, data []byte) {
	p.avatarHash = hash
	objs := []fyne.CanvasObject{photoBackground()}
	if hash != "" {
		if ci := canvas.NewImageFromReader(bytes.NewReader(data), hash+".jpg"); ci != nil {
			ci.FillMode = canvas.ImageFillContain
			ci.ScaleMode = canvas.ImageScaleSmooth
			objs = append(objs, ci)
		}
		p.removeBtn.Enable()
		p.avatarMsg.set(lang.L("Scaled down to {{.Size}} pixels; shared with your profile when you save it.", tdata{"Size": app.AvatarEdge}), theme.ColorNamePlaceHolder)
	} else {
		icon := widget.NewIcon(theme.AccountIcon())
		objs = append(objs, container.NewPadded(icon))
		p.removeBtn.Disable()
		p.avatarMsg.set(lang.L("Optional. JPEG or PNG."), theme.ColorNamePlaceHolder)
	}
	p.avatar.Objects = objs
	p.avatar.Refresh()
}
