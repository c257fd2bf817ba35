package screens

import (
	"context"
	"io"

	"github.com/caravan-p2p/caravan/app"
)

// ProfileBackend is what the Profile screen, the identity backup in
// Settings and the screens that show a person need from the app.
type ProfileBackend interface {
	// Profile returns the newest profile of a peer known here; Found is
	// false when there is none (show app.ShortPeer then).
	Profile(ctx context.Context, peerID string) (app.PersonProfile, error)
	// OwnProfile returns the user's profile and the reputation the reviews
	// known here give the user.
	OwnProfile(ctx context.Context) (app.PersonProfile, app.Reputation, error)
	// SaveProfile signs, stores and publishes the user's profile. Bad input
	// is an *app.InputError naming the field.
	SaveProfile(ctx context.Context, p app.Profile) (app.PersonProfile, error)
	// AddAvatar scales an image file down to an avatar, stores it and
	// returns its hash for Profile.Avatar.
	AddAvatar(ctx context.Context, path string) (hash string, err error)
	// ExportIdentity writes the identity key to w encrypted with pass
	// (workFactor 0: the default cost, about a second).
	ExportIdentity(w io.Writer, pass string, workFactor int) error
	// ImportIdentityFile makes the key in a backup the identity from the
	// next start, keeping the current one; app.ErrWrongPassphrase when pass
	// does not open it.
	ImportIdentityFile(path, pass string) (app.IdentityImport, error)
}
