package app

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/trustelem/zxcvbn"

	"github.com/caravan-p2p/caravan/domain"
)

// Identity backup (DESIGN §2): the user's Ed25519 key exported to a file
// encrypted with a passphrase (age's scrypt recipient, ASCII-armoured), and
// imported back into a data dir. An import keeps the key it replaces beside
// it; the node uses the imported key from its next start.

// Passphrase rules for an export.
const (
	// MinPassphraseLen is the fewest characters an export passphrase may have.
	MinPassphraseLen = 10
	// minPassphraseScore is the least zxcvbn score (0 to 4) accepted: 3
	// resists an offline attack for a long time even with scrypt's cost aside.
	minPassphraseScore = 3
	// MinWorkFactor is the least scrypt work factor (log2 N) an export may
	// be asked for.
	MinWorkFactor = 10
	// maxBackupFile bounds what ImportIdentity reads: an armoured key is
	// well under 1 KiB.
	maxBackupFile = 64 << 10
)

// ErrWrongPassphrase is returned by ImportIdentity when the passphrase does
// not open the backup.
var ErrWrongPassphrase = errors.New("wrong passphrase: this backup was exported with another one")

// CheckPassphrase reports why a passphrase is too weak to protect an
// exported key, nil if it is strong enough.
func CheckPassphrase(pass string) error {
	if !utf8.ValidString(pass) {
		return errors.New("the passphrase is not valid text")
	}
	if n := utf8.RuneCountInString(pass); n < MinPassphraseLen {
		return fmt.Errorf("the passphrase has %d characters; use at least %d, for example a few unrelated words", n, MinPassphraseLen)
	}
	if zxcvbn.PasswordStrength(pass, []string{"caravan"}).Score < minPassphraseScore {
		return errors.New("the passphrase is too easy to guess; add unrelated words, or avoid common words and patterns")
	}
	return nil
}

// ExportIdentity writes the user's key to w encrypted with pass, which must
// pass CheckPassphrase. workFactor is scrypt's log2 N: 0 means age's default
// (18: about a second and 256 MiB to try one passphrase); tests use less.
func (n *Node) ExportIdentity(w io.Writer, pass string, workFactor int) error {
	return exportIdentity(w, n.id, pass, workFactor)
}

func exportIdentity(w io.Writer, id *domain.Identity, pass string, logN int) error {
	if err := CheckPassphrase(pass); err != nil {
		return err
	}
	if logN != 0 && (logN < MinWorkFactor || logN > 30) {
		return fmt.Errorf("scrypt work factor %d: use %d to 30, or 0 for the default", logN, MinWorkFactor)
	}
	key, err := domain.MarshalIdentity(id)
	if err != nil {
		return err
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return fmt.Errorf("export identity: %w", err)
	}
	if logN > 0 {
		r.SetWorkFactor(logN)
	}
	aw := armor.NewWriter(w)
	ew, err := age.Encrypt(aw, r)
	if err != nil {
		return fmt.Errorf("export identity: %w", err)
	}
	if _, err := ew.Write(key); err != nil {
		return fmt.Errorf("export identity: %w", err)
	}
	if err := ew.Close(); err != nil {
		return fmt.Errorf("export identity: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("export identity: %w", err)
	}
	return nil
}

// ExportIdentityFile writes the encrypted key to path, readable by its
// owner only, like ExportIdentity. It refuses to overwrite an existing file.
func (n *Node) ExportIdentityFile(path, pass string, workFactor int) error {
	var buf bytes.Buffer
	if err := n.ExportIdentity(&buf, pass, workFactor); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists already; choose another file name", path)
	}
	if err != nil {
		return fmt.Errorf("export identity: %w", err)
	}
	_, werr := f.Write(buf.Bytes())
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(path)
		return fmt.Errorf("export identity to %s: %w", path, err)
	}
	n.log.Info("exported identity", "file", path)
	return nil
}

// IdentityImport says what an identity import did.
type IdentityImport struct {
	// PeerID is the imported identity: the user's ID from the next start.
	PeerID string `json:"peer_id"`
	// Previous is the identity it replaced.
	Previous string `json:"previous"`
	// Backup is where the replaced key was kept, "" when nothing changed.
	Backup string `json:"backup,omitempty"`
	// Unchanged: the backup holds the identity already in use.
	Unchanged bool `json:"unchanged,omitempty"`
	// RestartNeeded: the node goes on as Previous until it is restarted.
	RestartNeeded bool `json:"restart_needed"`
}

// ImportIdentity reads a backup made by ExportIdentity and makes its key the
// data dir's identity from the node's next start. The current key is kept
// beside it as identity.key.bak-TIME first; a wrong passphrase is
// ErrWrongPassphrase and changes nothing.
func (n *Node) ImportIdentity(r io.Reader, pass string) (IdentityImport, error) {
	id, err := decryptIdentity(r, pass)
	if err != nil {
		return IdentityImport{}, err
	}
	res := IdentityImport{PeerID: id.Author(), Previous: n.Self()}
	if id.Author() == n.Self() {
		res.Unchanged = true
		return res, nil
	}
	res.Backup, err = replaceKey(n.DataDir(), id, time.Now())
	if err != nil {
		return IdentityImport{}, err
	}
	res.RestartNeeded = true
	n.log.Info("imported identity; restart to use it", "peer_id", res.PeerID, "previous", res.Previous, "backup", res.Backup)
	return res, nil
}

// ImportIdentityFile is ImportIdentity from a file.
func (n *Node) ImportIdentityFile(path, pass string) (IdentityImport, error) {
	f, err := os.Open(path)
	if err != nil {
		return IdentityImport{}, fmt.Errorf("import identity: %w", err)
	}
	defer f.Close()
	return n.ImportIdentity(f, pass)
}

// decryptIdentity opens a backup, armoured or not.
func decryptIdentity(r io.Reader, pass string) (*domain.Identity, error) {
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, fmt.Errorf("import identity: %w", err)
	}
	br := bufio.NewReader(io.LimitReader(r, maxBackupFile))
	var in io.Reader = br
	if head, _ := br.Peek(len(armor.Header)); string(head) == armor.Header {
		in = armor.NewReader(br)
	}
	dr, err := age.Decrypt(in, id)
	var nomatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &nomatch) && strings.Contains(err.Error(), "not passphrase-encrypted"):
		return nil, errors.New("this file is not a passphrase-protected identity backup")
	case errors.As(err, &nomatch):
		return nil, ErrWrongPassphrase
	case err != nil:
		return nil, fmt.Errorf("this file is not a Caravan identity backup (%w)", err)
	}
	key, err := io.ReadAll(dr)
	if err != nil {
		return nil, fmt.Errorf("this identity backup is damaged (%w)", err)
	}
	out, err := domain.UnmarshalIdentity(key)
	if err != nil {
		return nil, fmt.Errorf("this backup holds no Caravan identity: %w", err)
	}
	return out, nil
}

// replaceKey copies the data dir's key file to a backup beside it, then
// writes id's key in its place, and returns the backup's path.
func replaceKey(dir string, id *domain.Identity, now time.Time) (string, error) {
	path := filepath.Join(dir, keyFile)
	old, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the current identity: %w", err)
	}
	backup := path + ".bak-" + now.UTC().Format("20060102T150405Z")
	f, err := os.OpenFile(backup, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("keep the current identity: %w", err)
	}
	_, werr := f.Write(old)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(backup)
		return "", fmt.Errorf("keep the current identity: %w", err)
	}
	key, err := domain.MarshalIdentity(id)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(path, key, 0o600); err != nil {
		return "", fmt.Errorf("write the imported identity: %w", err)
	}
	return backup, nil
}
