package storage

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

func TestLatestProfile(t *testing.T) {
	s := openTest(t)
	ana, bea := newIdentity(t), newIdentity(t)
	v1, err := ana.NewProfileRecord(domain.Profile{Name: "Ana"}, nil, testNow.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := ana.NewProfileRecord(domain.Profile{Name: "Ana B."}, &v1, testNow.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, v1, v2)
	tests := []struct {
		name   string
		author string
		now    time.Time
		want   string // the profile's name, "" for none
	}{
		{"newest version", ana.Author(), time.Time{}, "Ana B."},
		{"no profile", bea.Author(), time.Time{}, ""},
		{"expired", ana.Author(), testNow.Add(domain.ProfileLifetime), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := s.LatestProfile(ctx, tt.author, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if rec != nil {
				p, err := domain.DecodeProfile(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				got = p.Name
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOwnQueriesUseIndexes guards the queries of a user's own records
// against scanning every record.
func TestOwnQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name, stmt string
		args       []any
		want       []string
	}{
		{"latest profile", latestProfileSQL, []any{"x", 0}, []string{"records_profile_author"}},
		{"own cells", ownCellsSQL, []any{sql.Named("author", "x")}, []string{"rooms_author", "rides_author", "wishes_author"}},
		{"own listings", ownListingsSQL, []any{sql.Named("author", "x"), sql.Named("now", 0)}, []string{"rooms_author", "rides_author"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := explain(t, s, tt.stmt, tt.args)
			for _, want := range tt.want {
				if !strings.Contains(plan, want) {
					t.Errorf("plan lacks %s:\n%s", want, plan)
				}
			}
			if strings.Contains(plan, "SCAN r\n") || strings.Contains(plan, "SCAN records") {
				t.Errorf("plan scans records:\n%s", plan)
			}
		})
	}
}
