package storage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// TestVouchesAndPersonIndex: a vouch is filed under its subject's person
// topic, replaced by its new version and withdrawn by a tombstone, which
// stays on the topic; a profile is filed under its author's topic, and a
// rebuild keeps all of it.
func TestVouchesAndPersonIndex(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a, b := newIdentity(t), newIdentity(t)
	now := testNow.Add(-time.Minute)
	topicB := domain.PersonTopic(b.Author())
	items := func(key string) []domain.SyncItem {
		t.Helper()
		it, err := s.SyncItems(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	live := func() []StoredVouch {
		t.Helper()
		vs, err := s.Vouches(ctx, b.Author(), "")
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}

	v1, err := a.NewVouchRecord(domain.Vouch{Subject: b.Author(), Text: "We sailed together."}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, v1)
	if vs := live(); len(vs) != 1 || vs[0].Author != a.Author() || vs[0].Text != "We sailed together." {
		t.Fatalf("vouches for B: %+v", vs)
	}
	if it := items(topicB); len(it) != 1 || it[0] != v1.Item() {
		t.Fatalf("B's topic holds %v", it)
	}
	v2, err := a.NewVouchRecord(domain.Vouch{Subject: b.Author(), Text: "And climbed."}, &v1, now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	profile, err := b.NewProfileRecord(domain.Profile{Name: "Bea"}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, v2, profile)
	if vs := live(); len(vs) != 1 || vs[0].Text != "And climbed." {
		t.Fatalf("after the new version: %+v", vs)
	}
	if it := items(topicB); len(it) != 2 || !slices.Contains(it, v2.Item()) || !slices.Contains(it, profile.Item()) {
		t.Fatalf("B's topic after the new version and B's profile: %v", it)
	}
	if got, err := s.LiveVouch(ctx, a.Author(), b.Author()); err != nil || got.Version != 2 {
		t.Fatalf("live vouch %+v, %v", got, err)
	}
	if names, err := s.ProfileNames(ctx, []string{a.Author(), b.Author()}); err != nil || len(names) != 1 || names[b.Author()] != "Bea" {
		t.Fatalf("names %v, %v", names, err)
	}
	if err := s.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if vs := live(); len(vs) != 1 || vs[0].Text != "And climbed." {
		t.Fatalf("after a rebuild: %+v", vs)
	}
	tomb := newTombstone(t, a, v2)
	mustStore(t, s, tomb)
	if vs := live(); len(vs) != 0 {
		t.Fatalf("after the withdrawal: %+v", vs)
	}
	if _, err := s.LiveVouch(ctx, a.Author(), b.Author()); err == nil {
		t.Fatal("a withdrawn vouch is live")
	}
	want := []domain.SyncItem{tomb.Item(), profile.Item()}
	slices.SortFunc(want, domain.SyncItem.Compare)
	if it := items(topicB); !slices.Equal(it, want) {
		t.Fatalf("B's topic after the withdrawal %v, want %v", it, want)
	}
	if err := s.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if it := items(topicB); !slices.Equal(it, want) {
		t.Fatalf("B's topic after a rebuild %v, want %v", it, want)
	}
	if cells, err := s.Cells(ctx); err != nil || len(cells) != 0 {
		t.Fatalf("geo cells %v, %v", cells, err)
	}
	if keys, err := s.PersonTopicKeys(ctx); err != nil || !slices.Equal(keys, []string{topicB}) {
		t.Fatalf("person topics %v, %v", keys, err)
	}
}

// TestIndexPersonsBackfill: a profile stored before person topics existed
// is filed under its author's topic once, when the migration asked for it.
func TestIndexPersonsBackfill(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newIdentity(t)
	profile, err := a.NewProfileRecord(domain.Profile{Name: "Ana"}, nil, testNow.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, profile)
	key := domain.PersonTopic(a.Author())
	// As an older version stored it: no person rows.
	for _, q := range []string{`DELETE FROM record_cells WHERE cell = '` + key + `'`, `DELETE FROM record_persons`} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.IndexPersons(ctx); err != nil || n != 0 {
		t.Fatalf("without the migration's request: %d, %v", n, err)
	}
	if err := s.PutState(ctx, backfillKey, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := s.IndexPersons(ctx); err != nil || n != 1 {
		t.Fatalf("backfill: %d, %v", n, err)
	}
	if it, err := s.SyncItems(ctx, key); err != nil || len(it) != 1 || it[0] != profile.Item() {
		t.Fatalf("the author's topic after the backfill: %v, %v", it, err)
	}
	if n, err := s.IndexPersons(ctx); err != nil || n != 0 {
		t.Fatalf("a second backfill: %d, %v", n, err)
	}
}
