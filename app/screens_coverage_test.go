package app

import (
	"context"
	"testing"
)

func TestCoverage(t *testing.T) {
	ctx := context.Background()
	n := openNode(t, Options{})
	c, err := n.Coverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Running || len(c.Sync) != 0 {
		t.Errorf("coverage with no node running: %+v", c)
	}

	started := startNode(t, Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true, NoPortMap: true})
	c, err = started.Coverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Running || c.Sync == nil {
		t.Errorf("coverage of a running node: %+v", c)
	}
}
