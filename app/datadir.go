package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/caravan-p2p/caravan/domain"
)

// File names inside a data dir.
const (
	keyFile   = "identity.key"
	storeFile = "caravan.db"
)

// DefaultDataDir is where Caravan keeps its data for this user (identity.key,
// the store caravan.db), when no --data dir is given:
//
//   - Linux and the BSDs: $XDG_DATA_HOME/caravan, by default ~/.local/share/caravan
//     (a relative $XDG_DATA_HOME is ignored, as the XDG Base Directory spec says);
//   - macOS: ~/Library/Application Support/Caravan;
//   - Windows: %AppData%\Caravan, that is C:\Users\NAME\AppData\Roaming\Caravan.
func DefaultDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin":
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find the user's data dir: %w", err)
		}
		return filepath.Join(dir, "Caravan"), nil
	}
	if dir := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "caravan"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the user's home dir: %w", err)
	}
	return filepath.Join(home, ".local", "share", "caravan"), nil
}

// loadOrCreateIdentity reads the key file of a data dir, creating a new
// identity silently on first start. The file is readable by its owner only.
func loadOrCreateIdentity(dir string) (*domain.Identity, bool, error) {
	path := filepath.Join(dir, keyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		id, err := domain.UnmarshalIdentity(b)
		if err != nil {
			return nil, false, fmt.Errorf("read identity %s: %w", path, err)
		}
		return id, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read identity: %w", err)
	}
	id, err := domain.NewIdentity()
	if err != nil {
		return nil, false, err
	}
	b, err = domain.MarshalIdentity(id)
	if err != nil {
		return nil, false, err
	}
	// Write to a temporary file and rename, so a crash never leaves half a key.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, false, fmt.Errorf("write identity: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, false, fmt.Errorf("write identity: %w", err)
	}
	return id, true, nil
}
