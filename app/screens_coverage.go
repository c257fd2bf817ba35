package app

import (
	"context"
	"errors"
)

// Coverage is the part of Status the screens poll often: whether a node
// runs on the data dir and its catch-up state per cell. Unlike Status it
// does not count the store's records, so it stays cheap on a large store.
type Coverage struct {
	Running bool       `json:"running"`
	Sync    []CellSync `json:"sync"`
}

// Coverage reports whether a node runs on this data dir and how far it has
// caught up with its peers, per cell.
func (n *Node) Coverage(ctx context.Context) (Coverage, error) {
	if err := ctx.Err(); err != nil {
		return Coverage{}, err
	}
	// As for Status, no state written (no node has run here yet) or a
	// state that can't be read means no node runs: there is no coverage.
	st, err := n.runtimeState(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		n.log.Debug("runtime state", "err", err)
	}
	if st.Sync == nil {
		st.Sync = []CellSync{}
	}
	return Coverage{Running: st.Running, Sync: st.Sync}, nil
}
