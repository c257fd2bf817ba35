package storage

import (
	"testing"
	"time"
)

func TestBlockAndReport(t *testing.T) {
	s := openTest(t)
	p, q := newIdentity(t).Author(), newIdentity(t).Author()
	if err := s.Block(ctx, p, "spam", testNow); err != nil {
		t.Fatal(err)
	}
	if err := s.Block(ctx, p, "rude", testNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	bs, err := s.BlockedPeers(ctx)
	if err != nil || len(bs) != 1 || bs[0].Peer != p || bs[0].Reason != "rude" || !bs[0].BlockedAt.Equal(testNow) {
		t.Fatalf("blocked %+v, %v", bs, err)
	}
	if ok, err := s.IsBlocked(ctx, q); err != nil || ok {
		t.Fatalf("q blocked: %v %v", ok, err)
	}
	if ok, err := s.Unblock(ctx, p); err != nil || !ok {
		t.Fatalf("unblock: %v %v", ok, err)
	}
	if ok, err := s.IsBlocked(ctx, p); err != nil || ok {
		t.Fatalf("p still blocked: %v %v", ok, err)
	}
	for i, note := range []string{"asked to pay outside", "no-show"} {
		if err := s.AddReport(ctx, Report{Peer: q, Note: note, CreatedAt: testNow.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := s.Reports(ctx, q)
	if err != nil || len(rs) != 2 || rs[0].Note != "no-show" {
		t.Fatalf("reports %+v, %v", rs, err)
	}
	if rs, err := s.Reports(ctx, p); err != nil || len(rs) != 0 {
		t.Fatalf("reports of p %+v, %v", rs, err)
	}
}
