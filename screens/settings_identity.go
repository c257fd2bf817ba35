package screens

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// identityBackup is the Identity row of Settings: export the identity key
// to a file encrypted with a passphrase, and import one back (DESIGN §2).
type identityBackup struct {
	sh *shell

	// UI goroutine only.
	exportBtn *widget.Button
	importBtn *widget.Button
	msg       *note
	busy      bool
}

func newIdentityBackup(sh *shell) *identityBackup {
	ib := &identityBackup{sh: sh}
	ib.exportBtn = widget.NewButtonWithIcon(lang.L("Export identity…"), theme.DocumentSaveIcon(), ib.startExport)
	ib.importBtn = widget.NewButtonWithIcon(lang.L("Import identity…"), theme.FolderOpenIcon(), ib.startImport)
	ib.msg = newNote(theme.SizeNameCaptionText)
	ib.msg.set(lang.L(identityHint), theme.ColorNamePlaceHolder)
	return ib
}

const identityHint = "Your identity is a key in the data folder. Export it to a file protected by a passphrase, and keep both apart, to restore it on another computer or after a loss."

// passphraseForm is the dialog that asks for a passphrase: a new one twice
// (checked for strength) for an export, the backup's once for an import.
type passphraseForm struct {
	pass, again *widget.Entry
	dlg         *dialog.FormDialog
}

func newPassphraseForm(title, confirm string, isNew bool, win fyne.Window, done func(pass string)) *passphraseForm {
	f := &passphraseForm{pass: widget.NewPasswordEntry()}
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Passphrase"), f.pass)}
	if isNew {
		f.pass.Validator = func(s string) error {
			if err := app.CheckPassphrase(s); err != nil {
				return errors.New(sentence(err.Error()))
			}
			return nil
		}
		f.again = widget.NewPasswordEntry()
		f.again.Validator = func(s string) error {
			if s != f.pass.Text {
				return errors.New(lang.L("the two passphrases differ"))
			}
			return nil
		}
		f.pass.OnChanged = func(string) { _ = f.again.Validate() }
		items[0].HintText = lang.L("At least {{.Min}} characters and hard to guess, e.g. four unrelated words.", tdata{"Min": app.MinPassphraseLen})
		items = append(items, widget.NewFormItem(lang.L("Same again"), f.again))
	} else {
		f.pass.Validator = func(s string) error {
			if s == "" {
				return errors.New(lang.L("required"))
			}
			return nil
		}
	}
	f.dlg = dialog.NewForm(title, confirm, lang.L("Cancel"), items, func(ok bool) {
		if ok {
			done(f.pass.Text)
		}
	}, win)
	f.dlg.Resize(fyne.NewSize(520, f.dlg.MinSize().Height))
	return f
}

// startExport asks for a new passphrase, then for the file.
func (ib *identityBackup) startExport() {
	if ib.busy {
		return
	}
	newPassphraseForm(lang.L("Export identity"), lang.L("Choose file…"), true, ib.sh.win, func(pass string) {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil {
				ib.fail(fmt.Errorf("%s: %w", lang.L("couldn't open the file"), err))
				return
			}
			if w == nil {
				return // cancelled
			}
			ib.export(w, w.URI().Path(), pass)
		}, ib.sh.win)
		d.SetFileName("caravan-identity.age")
		d.Resize(fyne.NewSize(760, 520))
		d.Show()
	}).dlg.Show()
}

// export writes the encrypted key to w, off the UI goroutine: scrypt takes
// about a second on purpose.
func (ib *identityBackup) export(w io.WriteCloser, path, pass string) {
	ib.setBusy(true, lang.L("Encrypting your key…"))
	ib.sh.wg.Add(1)
	go func() {
		defer ib.sh.wg.Done()
		err := ib.sh.b.ExportIdentity(w, pass, 0)
		if cerr := w.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", path, cerr)
		}
		if err == nil && path != "" {
			err = os.Chmod(path, 0o600) // it is a key, however well locked
		}
		if ib.sh.ctx.Err() != nil {
			return
		}
		ib.sh.do(func() {
			ib.setBusy(false, "")
			if err != nil {
				ib.fail(fmt.Errorf("%s: %w", lang.L("couldn't export your identity"), err))
				return
			}
			ib.msg.set(lang.L("Exported to {{.Name}}. Keep the file and its passphrase apart: together they are your identity.", tdata{"Name": filepath.Base(path)}), theme.ColorNameSuccess)
			ib.sh.banner.show(lang.L("Identity exported"))
		})
	}()
}

// startImport warns, then asks for the file and the passphrase.
func (ib *identityBackup) startImport() {
	if ib.busy {
		return
	}
	dialog.NewConfirm(lang.L("Import identity"),
		lang.L("The identity in the backup replaces this one when Caravan next starts. This computer's current key is kept beside it in the data folder, so nothing is lost. Listings and bookings made as the current identity stay its own."),
		func(ok bool) {
			if !ok {
				return
			}
			d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
				if err != nil {
					ib.fail(fmt.Errorf("%s: %w", lang.L("couldn't open the file"), err))
					return
				}
				if r == nil {
					return // cancelled
				}
				path := r.URI().Path()
				_ = r.Close()
				ib.askImportPassphrase(path)
			}, ib.sh.win)
			d.Resize(fyne.NewSize(760, 520))
			d.Show()
		}, ib.sh.win).Show()
}

func (ib *identityBackup) askImportPassphrase(path string) {
	newPassphraseForm(lang.L("Passphrase of {{.Name}}", tdata{"Name": filepath.Base(path)}), lang.L("Import"), false, ib.sh.win, func(pass string) {
		ib.importFrom(path, pass)
	}).dlg.Show()
}

// importFrom imports the backup at path, off the UI goroutine. A wrong
// passphrase asks again.
func (ib *identityBackup) importFrom(path, pass string) {
	ib.setBusy(true, lang.L("Opening the backup…"))
	ib.sh.wg.Add(1)
	go func() {
		defer ib.sh.wg.Done()
		res, err := ib.sh.b.ImportIdentityFile(path, pass)
		if ib.sh.ctx.Err() != nil {
			return
		}
		ib.sh.do(func() {
			ib.setBusy(false, "")
			switch {
			case errors.Is(err, app.ErrWrongPassphrase):
				ib.fail(errors.New(lang.L("wrong passphrase for this backup; nothing was changed. Try again")))
				ib.askImportPassphrase(path)
			case err != nil:
				ib.fail(fmt.Errorf("%s: %w", lang.L("couldn't import the identity"), err))
			case res.Unchanged:
				ib.msg.set(lang.L("That backup holds the identity already in use; nothing changed."), theme.ColorNameSuccess)
			default:
				ib.msg.set(lang.L("Imported {{.ID}}. Restart Caravan to use it; until then you are still {{.Previous}}.", tdata{"ID": app.ShortPeer(res.PeerID), "Previous": app.ShortPeer(res.Previous)}), theme.ColorNameWarning)
				dialog.NewInformation(lang.L("Restart Caravan"),
					lang.L("The identity {{.ID}} is imported and takes over when Caravan next starts: quit Caravan and open it again (and restart any caravan node on this data folder).\n\nThe previous key is kept in {{.Path}}.", tdata{"ID": res.PeerID, "Path": res.Backup}),
					ib.sh.win).Show()
			}
		})
	}()
}

// setBusy locks the buttons while a backup is written or read.
func (ib *identityBackup) setBusy(on bool, msg string) {
	ib.busy = on
	setDisabled(on, ib.exportBtn, ib.importBtn)
	if msg != "" {
		ib.msg.set(msg, theme.ColorNamePlaceHolder)
	}
}

// fail shows an error under the buttons.
func (ib *identityBackup) fail(err error) {
	ib.msg.set(sentence(err.Error()), theme.ColorNameError)
}
