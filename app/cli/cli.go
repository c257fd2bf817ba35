// Package cli is Caravan's command line: the desktop app, the headless node
// and the scripting commands of DESIGN §10, over one app.Node.
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
)

// env is what every command shares: where it writes and the global flags.
type env struct {
	stdout, stderr io.Writer
	dataDir        string
	jsonOut        bool
	verbose        bool
	desktop        func(ctx context.Context, n *app.Node) error
}

// Execute runs the command line with args (without the program name) and
// returns the process exit status. desktop opens the window; main passes it so
// this package needs no GUI toolkit and the headless node needs no display.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer, desktop func(context.Context, *app.Node) error) int {
	e := &env{stdout: stdout, stderr: stderr, desktop: desktop}
	root := e.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "caravan: %v\n", err)
		return 1
	}
	return 0
}

func (e *env) rootCommand() *cobra.Command {
	var net netFlags
	root := &cobra.Command{
		Use:   "caravan",
		Short: "Share homes and rides directly, peer to peer",
		Long: "Caravan opens the desktop app. Its subcommands run a headless peer and script a data dir,\n" +
			"whether or not a node runs on it.",
		Version:       version,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := e.open(net.options(), true)
			if err != nil {
				return err
			}
			defer n.Close()
			// The window opens at once; the network comes up behind it.
			go func() {
				if err := n.Start(cmd.Context()); err != nil {
					e.logger(true).Error("the network did not start; working offline", "err", err)
				}
			}()
			return e.desktop(cmd.Context(), n)
		},
	}
	net.register(root)
	root.PersistentFlags().StringVar(&e.dataDir, "data", "", "data dir (default: the user's data dir)")
	root.PersistentFlags().BoolVar(&e.jsonOut, "json", false, "print exactly one JSON value on stdout")
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "log more on stderr")
	root.AddCommand(e.nodeCommand(), e.statusCommand(), e.postCommand(), e.searchCommand(), e.peersCommand(), e.recordsCommand())
	root.AddCommand(e.placesCommand(), e.priceCommand(), e.photoCommand())
	root.AddCommand(e.messageCommand())
	root.AddCommand(e.messagesCommand())
	root.AddCommand(e.bookCommand(), e.bookingsCommand(), e.reviewCommand(), e.reputationCommand())
	root.AddCommand(e.bookingStepCommands()...)
	root.AddCommand(e.blockCommands()...)
	root.AddCommand(e.vouchCommands()...)
	root.AddCommand(e.identityCommand())
	e.addWishCommands(root) // wish.go
	root.AddCommand(e.listingCommands()...)
	return root
}

// open opens the node of the data dir. Logs go to stderr, quietly unless a
// node runs (or --verbose), so stdout holds only the command's answer.
func (e *env) open(opts app.Options, running bool) (*app.Node, error) {
	opts.DataDir = e.dataDir
	opts.Logger = e.logger(running)
	return app.Open(opts)
}

// logger logs to stderr: info and up for a running node, warnings otherwise,
// everything with --verbose.
func (e *env) logger(running bool) *slog.Logger {
	level := slog.LevelWarn
	if running {
		level = slog.LevelInfo
	}
	if e.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// print writes v as JSON with --json, else as text through human.
func (e *env) print(v any, human func(w io.Writer)) error {
	if e.jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	human(e.stdout)
	return nil
}
