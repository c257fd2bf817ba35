package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// stateKey is where a running node keeps its runtime state in the store, for
// scripting commands run beside it.
const stateKey = "node"

// runtimeState is what a running node tells commands run in other processes.
type runtimeState struct {
	Running    bool       `json:"-"`
	PID        int        `json:"pid"`
	Addrs      []string   `json:"addrs"`
	Peers      []PeerInfo `json:"peers"`
	Cells      []string   `json:"cells"`
	NAT        string     `json:"nat"`       // reachability: Unknown, Public or Private
	DHTPeers   int        `json:"dht_peers"` // size of the DHT routing table
	Traffic    Traffic    `json:"traffic"`
	Sync       []CellSync `json:"sync"`
	Rejections Rejections `json:"rejections"`
}

// Traffic counts the bytes the running node exchanged since it started.
type Traffic struct {
	In      int64 `json:"bytes_in"`
	Out     int64 `json:"bytes_out"`
	SyncIn  int64 `json:"sync_bytes_in"` // catch-up sync, part of In
	SyncOut int64 `json:"sync_bytes_out"`
}

func (n *Node) writeRuntimeState(ctx context.Context) {
	st := n.liveState()
	b, err := json.Marshal(st)
	if err == nil {
		err = n.store.PutState(ctx, stateKey, b)
	}
	if err != nil && ctx.Err() == nil {
		n.log.Warn("write runtime state", "err", err)
	}
}

// liveState is the state of the peer running in this process.
func (n *Node) liveState() runtimeState {
	st := runtimeState{Running: true, PID: os.Getpid(), Addrs: []string{}, Peers: []PeerInfo{}, Cells: []string{}, Sync: []CellSync{}, Rejections: n.stats.snapshot()}
	p := n.running()
	if p == nil {
		st.Running = false
		return st
	}
	st.Addrs = p.Addrs()
	st.Cells = p.Cells()
	st.NAT = p.Reachability().String()
	st.DHTPeers = p.DHTPeers()
	st.Traffic = Traffic(p.Traffic())
	st.Sync = n.cover.snapshot()
	for _, pi := range p.Peers() {
		st.Peers = append(st.Peers, PeerInfo{PeerID: pi.ID, Addrs: pi.Addrs, Agent: pi.Agent, Score: pi.Score})
	}
	return st
}

// runtimeState is the live state when the peer runs in this process, else the
// state a node running on the same data dir last wrote, if it is fresh.
func (n *Node) runtimeState(ctx context.Context) (runtimeState, error) {
	if n.running() != nil {
		return n.liveState(), nil
	}
	var st runtimeState
	b, at, err := n.store.State(ctx, stateKey)
	if err != nil || len(b) == 0 || time.Since(at) > stateFresh {
		return runtimeState{Addrs: []string{}, Peers: []PeerInfo{}, Cells: []string{}, Sync: []CellSync{}}, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("read runtime state: %w", err)
	}
	st.Running = true
	return st, nil
}

// Status describes this peer for `caravan status`.
type Status struct {
	PeerID     string         `json:"peer_id"`
	DataDir    string         `json:"data_dir"`
	Running    bool           `json:"running"`
	Addrs      []string       `json:"addrs"`
	Peers      int            `json:"peers"`
	Cells      []string       `json:"cells"`
	NAT        string         `json:"nat,omitempty"`
	DHTPeers   int            `json:"dht_peers"`
	Traffic    Traffic        `json:"traffic"`
	Sync       []CellSync     `json:"sync"` // catch-up per cell
	Records    int            `json:"records"`
	ByKind     map[string]int `json:"records_by_kind"`
	Outbox     int            `json:"outbox"`
	Rejections Rejections     `json:"rejections"`
}

// Status reports identity, network and store figures. The network figures
// come from the node running on this data dir, in this process or another.
func (n *Node) Status(ctx context.Context) (Status, error) {
	st, err := n.runtimeState(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		n.log.Warn("runtime state", "err", err)
	}
	byKind, err := n.store.CountByKind(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("count records: %w", err)
	}
	total := 0
	for _, v := range byKind {
		total += v
	}
	outbox, err := n.store.Outbox(ctx, 0)
	if err != nil {
		return Status{}, fmt.Errorf("read outbox: %w", err)
	}
	return Status{
		PeerID: n.Self(), DataDir: n.opts.DataDir, Running: st.Running,
		Addrs: st.Addrs, Peers: len(st.Peers), Cells: st.Cells, NAT: st.NAT, DHTPeers: st.DHTPeers, Traffic: st.Traffic, Sync: st.Sync,
		Records: total, ByKind: kindNames(byKind), Outbox: len(outbox), Rejections: st.Rejections,
	}, nil
}

// Peers lists the peers connected to the node running on this data dir. It
// reports ErrNotRunning when no node runs there.
func (n *Node) Peers(ctx context.Context) ([]PeerInfo, error) {
	st, err := n.runtimeState(ctx)
	if err != nil {
		return nil, err
	}
	if !st.Running {
		return []PeerInfo{}, ErrNotRunning
	}
	return st.Peers, nil
}

// ErrNotRunning says no node runs on the data dir, so there is no network.
var ErrNotRunning = errors.New("no node is running on this data dir (start one with `caravan node` or the desktop app)")

// kindNames keys counts by kind name, for JSON.
func kindNames(m map[domain.Kind]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}
