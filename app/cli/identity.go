package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/caravan-p2p/caravan/app"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// identityCommand is `caravan identity export|import FILE`: the key backup
// of DESIGN §2, encrypted with a passphrase.
func (e *env) identityCommand() *cobra.Command {
	id := &cobra.Command{Use: "identity", Short: "Back up the identity key to a passphrase-protected file, or restore it"}
	var passFile string
	var workFactor int
	export := &cobra.Command{
		Use:   "export FILE",
		Short: "Write the identity key to FILE, encrypted with a passphrase (asked twice, or --passphrase-file)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pass, err := e.passphrase(cmd, passFile, true)
			if err != nil {
				return err
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				if err := n.ExportIdentityFile(args[0], pass, workFactor); err != nil {
					return err
				}
				res := map[string]any{"peer_id": n.Self(), "file": args[0]}
				return e.print(res, func(w io.Writer) {
					fmt.Fprintf(w, "exported identity %s to %s\nKeep the file and its passphrase apart: together they are your identity.\n", n.Self(), args[0])
				})
			})
		},
	}
	export.Flags().IntVar(&workFactor, "work-factor", 0, "scrypt work factor (log2 N); 0 is age's default")
	_ = export.Flags().MarkHidden("work-factor") // for tests, which cannot wait a second per export

	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Make the identity in FILE this data dir's identity from the next start; the current key is kept beside it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pass, err := e.passphrase(cmd, passFile, false)
			if err != nil {
				return err
			}
			return e.withNode(cmd.Context(), func(n *app.Node) error {
				res, err := n.ImportIdentityFile(args[0], pass)
				if err != nil {
					return err
				}
				return e.print(res, func(w io.Writer) {
					if res.Unchanged {
						fmt.Fprintf(w, "%s is already this data dir's identity; nothing changed\n", res.PeerID)
						return
					}
					fmt.Fprintf(w, "imported identity %s\nthe previous key (%s) is kept in %s\n", res.PeerID, res.Previous, res.Backup)
					fmt.Fprintln(w, "Restart Caravan (and any `caravan node` on this data dir) to use it.")
				})
			})
		},
	}
	for _, c := range []*cobra.Command{export, imp} {
		c.Flags().StringVar(&passFile, "passphrase-file", "", "read the passphrase from the first line of this file instead of asking")
	}
	id.AddCommand(export, imp)
	return id
}

// passphrase reads the passphrase from a file's first line, else from the
// terminal without echo (twice when confirm), else from stdin's first line.
func (e *env) passphrase(cmd *cobra.Command, file string, confirm bool) (string, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("passphrase file: %w", err)
		}
		defer f.Close()
		return firstLine(f, "passphrase file "+file)
	}
	in := cmd.InOrStdin()
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return firstLine(in, "stdin")
	}
	fmt.Fprint(e.stderr, "Passphrase: ")
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	if confirm {
		if err := app.CheckPassphrase(string(p)); err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Same passphrase again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read passphrase: %w", err)
		}
		if string(again) != string(p) {
			return "", errors.New("the two passphrases differ; nothing was written")
		}
	}
	return string(p), nil
}

// firstLine is the first line of r without its line ending.
func firstLine(r io.Reader, what string) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read passphrase from %s: %w", what, err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no passphrase in %s", what)
	}
	return line, nil
}
