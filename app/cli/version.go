package cli

// version is what `caravan --version` prints. The packaging rules
// (packaging/package.mk) set it at link time from FyneApp.toml's Version with
//
//	-ldflags -X=github.com/caravan-p2p/caravan/app/cli.version=X.Y.Z
//
// and a plain `go build` keeps this default, which is FyneApp.toml's Version
// too (`make package-check` fails when the two differ).
var version = "0.1.0"
