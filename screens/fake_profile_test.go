package screens

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/caravan-p2p/caravan/app"
)

// fakeSelf is the fake user's ID.
const fakeSelf = "12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf"

// fakeProfiles holds the fake's profiles and identity backups; the methods
// below are the fake's ProfileBackend.
type fakeProfiles struct {
	profiles   map[string]app.PersonProfile // by peer
	reputation app.Reputation               // the user's
	saved      []app.Profile
	saveErr    error
	avatarErr  error
	exported   []string // passphrases of the exports
	backupPass string   // the passphrase ImportIdentityFile accepts
	imported   []string // paths imported
	followed   []string // peers FollowPerson was asked about
}

// prof is the fake's profile state, made on first use (under f.mu).
func (f *fakeBackend) prof() *fakeProfiles {
	if f.profileState == nil {
		f.profileState = &fakeProfiles{profiles: map[string]app.PersonProfile{}}
	}
	return f.profileState
}

func (f *fakeBackend) Profile(ctx context.Context, peerID string) (app.PersonProfile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.prof().profiles[peerID]; ok {
		return p, nil
	}
	return app.PersonProfile{Peer: peerID}, nil
}

func (f *fakeBackend) FollowPerson(peer string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prof().followed = append(f.prof().followed, peer)
	return nil
}

func (f *fakeBackend) OwnProfile(ctx context.Context) (app.PersonProfile, app.Reputation, error) {
	p, _ := f.Profile(ctx, fakeSelf)
	f.mu.Lock()
	defer f.mu.Unlock()
	return p, f.prof().reputation, nil
}

func (f *fakeBackend) SaveProfile(ctx context.Context, p app.Profile) (app.PersonProfile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.prof()
	st.saved = append(st.saved, p)
	if st.saveErr != nil {
		return app.PersonProfile{}, st.saveErr
	}
	prev := st.profiles[fakeSelf]
	pp := app.PersonProfile{Peer: fakeSelf, Found: true, Profile: p, Version: prev.Version + 1, IssuedAt: time.Now(), Cells: []string{"6/32/22"}}
	st.profiles[fakeSelf] = pp
	return pp, nil
}

func (f *fakeBackend) AddAvatar(ctx context.Context, path string) (string, error) {
	f.mu.Lock()
	err := f.prof().avatarErr
	f.mu.Unlock()
	if err != nil {
		return "", err
	}
	return f.AddPhoto(ctx, path)
}

func (f *fakeBackend) ExportIdentity(w io.Writer, pass string, workFactor int) error {
	if err := app.CheckPassphrase(pass); err != nil {
		return err
	}
	f.mu.Lock()
	f.prof().exported = append(f.prof().exported, pass)
	f.mu.Unlock()
	_, err := io.WriteString(w, "-----BEGIN AGE ENCRYPTED FILE-----\nfake\n-----END AGE ENCRYPTED FILE-----\n")
	return err
}

func (f *fakeBackend) ImportIdentityFile(path, pass string) (app.IdentityImport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.prof()
	if pass != st.backupPass {
		return app.IdentityImport{}, app.ErrWrongPassphrase
	}
	st.imported = append(st.imported, path)
	other := "12D3KooWOtherOtherOtherOtherOtherOtherOtherOther"
	return app.IdentityImport{PeerID: other, Previous: fakeSelf, Backup: strings.TrimSuffix(path, ".age") + ".key.bak", RestartNeeded: true}, nil
}

// setProfiles changes the fake's profile state under its lock.
func (f *fakeBackend) setProfiles(fn func(p *fakeProfiles)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.prof())
}

// savedProfiles are the profiles given to SaveProfile.
func (f *fakeBackend) savedProfiles() []app.Profile {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]app.Profile(nil), f.prof().saved...)
}
