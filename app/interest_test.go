package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/paulmach/orb"
)

func TestInterestPlan(t *testing.T) {
	amsterdam := domain.CellAt(orb.Point{4.89, 52.37})
	tokyo := domain.CellAt(orb.Point{139.69, 35.69})
	paris := domain.CellAt(orb.Point{2.35, 48.85})
	rome := domain.CellAt(orb.Point{12.5, 41.9})
	aroundAmsterdam := orb.Bound{Min: orb.Point{4.7, 52.2}, Max: orb.Point{5.1, 52.5}}
	europe := orb.Bound{Min: orb.Point{-25, 20}, Max: orb.Point{60, 72}} // about 200 cells
	withNeighbours := func(c string) []string {
		nb, _ := domain.Neighbours(c)
		return append(nb, c)
	}
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

	tests := []struct {
		name      string
		followAll bool
		view      *orb.Bound
		own       []string
		want      []string // joined at once
		notWanted []string
	}{
		{name: "no view yet: what peers follow", want: []string{amsterdam, tokyo}},
		{name: "always-on ignores the view", followAll: true, view: &aroundAmsterdam, want: []string{amsterdam, tokyo}},
		{name: "a small view: its cells and neighbours", view: &aroundAmsterdam, want: withNeighbours(amsterdam), notWanted: []string{tokyo}},
		{name: "a continent: the cells peers follow in it", view: &europe, want: []string{amsterdam}, notWanted: []string{tokyo, rome}},
		{name: "own listings and their neighbours", view: &aroundAmsterdam, own: []string{paris}, want: append(withNeighbours(paris), amsterdam), notWanted: []string{tokyo}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := newInterest(tc.followAll)
			in.setAnnounced("peer-a", []string{amsterdam})
			in.setAnnounced("peer-b", []string{tokyo})
			if tc.view != nil {
				in.setView(*tc.view)
			}
			in.addOwn(tc.own...)
			join, leave := in.plan(nil, t0)
			for _, c := range tc.want {
				if !slices.Contains(join, c) {
					t.Errorf("%s not joined; joined %v", c, join)
				}
			}
			for _, c := range tc.notWanted {
				if slices.Contains(join, c) {
					t.Errorf("%s joined, should not be", c)
				}
			}
			if len(leave) != 0 {
				t.Errorf("left %v with nothing joined", leave)
			}
		})
	}

	t.Run("leaves a cell only after the grace", func(t *testing.T) {
		in := newInterest(false)
		in.setView(aroundAmsterdam)
		joined, _ := in.plan(nil, t0)
		in.setView(orb.Bound{Min: orb.Point{139.6, 35.6}, Max: orb.Point{139.8, 35.8}}) // to Tokyo
		join, leave := in.plan(joined, t0.Add(time.Minute))
		if !slices.Contains(join, tokyo) || len(leave) != 0 {
			t.Fatalf("a minute after moving: join %v, leave %v; want Tokyo joined, nothing left", join, leave)
		}
		joined = append(joined, join...)
		_, leave = in.plan(joined, t0.Add(leaveAfter+time.Minute))
		if !slices.Contains(leave, amsterdam) || slices.Contains(leave, tokyo) {
			t.Errorf("after the grace: leave %v, want Amsterdam's cells and not Tokyo", leave)
		}
	})
	t.Run("a peer that goes is forgotten", func(t *testing.T) {
		in := newInterest(true)
		in.setAnnounced("peer-a", []string{amsterdam})
		in.setAnnounced("peer-a", nil)
		if got := in.want(); len(got) != 0 {
			t.Errorf("want %v after the only peer left", got)
		}
	})
}

// TestWatchFollowsTheView runs two nodes: B looks at Amsterdam and gets A's
// room there but not A's room in Tokyo, until it looks at Tokyo.
func TestWatchFollowsTheView(t *testing.T) {
	ctx := context.Background()
	a := startNode(t, Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true, NoPortMap: true, AlwaysOn: true})
	inAmsterdam, inTokyo := testRoom(), testRoom()
	inAmsterdam.Lat, inAmsterdam.Lon = 52.37, 4.89
	inTokyo.Lat, inTokyo.Lon = 35.69, 139.69
	amsID, err := a.PostRoom(ctx, inAmsterdam)
	if err != nil {
		t.Fatal(err)
	}
	tokyoID, err := a.PostRoom(ctx, inTokyo)
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := openNode(t, Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: st.Addrs[:1], NoDHT: true, NoPortMap: true})
	b.Watch([4]float64{4.7, 52.2, 5.1, 52.5})
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	has := func(id string) bool {
		_, err := b.store.Record(ctx, id)
		return err == nil
	}
	waitFor(t, b, "the Amsterdam room at B", func() bool { return has(amsID) })
	if has(tokyoID) {
		t.Error("B got the Tokyo room while looking at Amsterdam")
	}
	if cells := b.running().Cells(); slices.Contains(cells, domain.CellAt(inTokyo.Point())) {
		t.Errorf("B follows Tokyo's cell while looking at Amsterdam: %v", cells)
	}
	b.Watch([4]float64{139.6, 35.6, 139.8, 35.8})
	waitFor(t, b, "the Tokyo room at B once it looks there", func() bool { return has(tokyoID) })
}
