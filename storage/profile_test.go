package storage

import (
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

// TestLatestProfileUsesIndex guards the query against scanning every record,
// which a bound kind parameter would make it do.
func TestLatestProfileUsesIndex(t *testing.T) {
	s := openTest(t)
	rows, err := s.r.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT raw FROM records WHERE kind = 'profile' AND author = ? AND expires_at > ? ORDER BY issued_at DESC LIMIT 1`, "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "records_profile_author") {
		t.Errorf("plan %q does not use records_profile_author", p)
	}
}
