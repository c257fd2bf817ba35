package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/caravan-p2p/caravan/domain"
)

// Person topics in the sync index (DESIGN §7). A record's person topics
// beyond its cells (domain.PersonTopics) are kept in record_persons, whose
// trigger files the record's sync item under each person key in
// record_cells: SyncItems("person/<hh>") then lists everything about the
// people of that topic, and catch-up reconciles it like a cell.

// sqlPerson files a stored record under a person topic.
const sqlPerson = `INSERT OR IGNORE INTO record_persons(rid, person) VALUES (?, ?)`

// personsOf are the person topics of a valid record beyond its cells, from
// its decoded body: its author's for a profile, its subject's for a review.
func personsOf(r *domain.Record, body any) []string {
	switch b := body.(type) {
	case *domain.Profile:
		return []string{domain.PersonTopic(r.Author)}
	case *domain.CheckedReview:
		if s := b.Terms.Party(r.Author); s != "" {
			return []string{domain.PersonTopic(s)}
		}
	}
	return nil
}

// addPersons files the record stored under rid under its person topics.
func (d *deriver) addPersons(rid int64, persons []string) error {
	for _, p := range persons {
		if _, err := d.person.exec(rid, p); err != nil {
			return fmt.Errorf("file record %d under %s: %w", rid, p, err)
		}
	}
	return nil
}

// backfillKey is the state row migration 0008 leaves when profiles or
// reviews were stored before person topics existed.
const backfillKey = "persons_backfill"

// IndexPersons files under their person topics the stored profiles and
// reviews that are not yet (those stored before person topics existed), and
// returns how many it filed. It does the work once, when migration 0008
// asked for it; otherwise it costs one lookup.
func (s *Store) IndexPersons(ctx context.Context) (int, error) {
	if _, _, err := s.State(ctx, backfillKey); errors.Is(err, ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("index person topics: %w", err)
	}
	total := 0
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM state WHERE key = ?`, backfillKey); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT rid, raw FROM records WHERE kind IN ('profile', 'review')
			AND NOT EXISTS (SELECT 1 FROM record_persons p WHERE p.rid = records.rid)`)
		if err != nil {
			return err
		}
		type todo struct {
			rid     int64
			persons []string
		}
		var list []todo
		for rows.Next() {
			var rid int64
			var raw []byte
			if err := rows.Scan(&rid, &raw); err != nil {
				rows.Close()
				return err
			}
			rec, err := decodeRaw(raw)
			if err != nil {
				rows.Close()
				return err
			}
			list = append(list, todo{rid, domain.PersonTopics(&rec)})
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, x := range list {
			for _, p := range x.persons {
				if _, err := tx.ExecContext(ctx, sqlPerson, x.rid, p); err != nil {
					return err
				}
				total++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("index person topics: %w", err)
	}
	return total, nil
}

// PersonTopicKeys returns the distinct person topics of the stored records,
// sorted: those an always-on node keeps for the peers that judge a stranger.
func (s *Store) PersonTopicKeys(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT cell FROM record_cells
		WHERE cell >= 'person/' AND cell < 'person0' ORDER BY cell`)
	if err != nil {
		return nil, fmt.Errorf("person topics: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("person topics: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("person topics: %w", err)
	}
	return out, nil
}

// rebuildPersons is Rebuild's part for person topics and vouches: the sync
// items of the person topics again (record_persons is kept: a tombstone's
// rows come from the record it deleted, which is gone), and the vouches
// derived again from their records.
func rebuildPersons(ctx context.Context, tx *sql.Tx, d *deriver) error {
	for _, q := range []string{
		`INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, rid, expires_at)
			SELECT p.person, r.issued_at, r.hash, r.rid, r.expires_at FROM record_persons p JOIN records r ON r.rid = p.rid`,
		`DELETE FROM vouches`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT rid, raw FROM records WHERE kind = 'vouch'`)
	if err != nil {
		return fmt.Errorf("read vouches: %w", err)
	}
	type vouch struct {
		rid int64
		rec domain.Record
	}
	var vs []vouch
	for rows.Next() {
		var x vouch
		var raw []byte
		if err := rows.Scan(&x.rid, &raw); err != nil {
			rows.Close()
			return fmt.Errorf("read vouches: %w", err)
		}
		if x.rec, err = decodeRaw(raw); err != nil {
			rows.Close()
			return fmt.Errorf("vouch rid %d: %w", x.rid, err)
		}
		vs = append(vs, x)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("read vouches: %w", err)
	}
	for _, x := range vs {
		v, err := domain.DecodeVouch(x.rec.Body)
		if err != nil {
			return fmt.Errorf("vouch %s: %w", x.rec.ID, err)
		}
		if err := d.add(x.rid, &x.rec, vouchRow{&v}); err != nil {
			return err
		}
	}
	return nil
}
