// Package resources embeds Caravan's assets: the app icon now; the basemap,
// the gazetteer and translations as the screens need them.
package resources

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon, 512x512, for the window and the packages.
func Icon() fyne.Resource { return fyne.NewStaticResource("icon.png", iconPNG) }
