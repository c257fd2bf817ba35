package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caravan-p2p/caravan/app"
	"github.com/caravan-p2p/caravan/p2p/blob"
	"github.com/spf13/cobra"
)

// postRoomWithPhotos posts a room whose photos may be image files as well as
// hashes: each file (relative to the room file's directory) is imported with
// AddPhoto and replaced by its hash before the room is signed.
func postRoomWithPhotos(ctx context.Context, n *app.Node, file string, room app.Room) (string, error) {
	photos := make([]string, len(room.Photos))
	for i, p := range room.Photos {
		if _, err := blob.ParseHash(p); err == nil {
			photos[i] = p
			continue
		}
		if strings.TrimSpace(p) == "" {
			return "", fmt.Errorf("field photos[%d]: empty; give an image file or a photo hash", i)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(file), p)
		}
		hash, err := n.AddPhoto(ctx, p)
		if err != nil {
			return "", fmt.Errorf("field photos[%d]: %w", i, err)
		}
		photos[i] = hash
	}
	room.Photos = photos
	return n.PostRoom(ctx, room)
}

func (e *env) photoCommand() *cobra.Command {
	photo := &cobra.Command{Use: "photo", Short: "Get listing photos and avatars by hash"}
	var from string
	var timeout time.Duration
	get := &cobra.Command{
		Use:   "get HASH OUT.jpg",
		Short: "Write a photo to a file: from the data dir, else from the network through the running node",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			hash, out := args[0], args[1]
			if _, err := blob.ParseHash(hash); err != nil {
				return err
			}
			n, err := e.open(app.Options{}, false)
			if err != nil {
				return err
			}
			defer n.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			data, err := n.Photo(ctx, hash, from)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return fmt.Errorf("write photo: %w", err)
			}
			res := map[string]any{"hash": hash, "file": out, "bytes": len(data)}
			return e.print(res, func(w io.Writer) { fmt.Fprintf(w, "wrote %s (%d bytes) to %s\n", hash, len(data), out) })
		},
	}
	get.Flags().StringVar(&from, "from", "", "peer ID of the listing's author, asked first")
	get.Flags().DurationVar(&timeout, "timeout", time.Minute, "how long to look for the photo on the network")
	photo.AddCommand(get)
	return photo
}
