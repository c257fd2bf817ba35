package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Person topics (DESIGN §7). Besides the geo cells of where it is, a record
// about a person travels on that person's topic, caravan/1/person/<hh>, hh
// the hex of the first byte of sha256 of the person's peer ID: a profile on
// its author's, a review on its subject's, a vouch on its subject's. Anyone
// judging a stranger follows the stranger's topic and catches up all of it,
// so no one can show only the good reviews. 256 topics: a topic holds the
// records of many people, which hides whom a peer is looking at.
//
// A person topic is named by a key, "person/<hh>", that the network and the
// sync index use wherever they use a cell ("z/x/y"). Vouches, and the
// tombstones that withdraw them, carry their key in Cells; profiles and
// reviews, whose cells were fixed before person topics, get theirs from
// PersonTopics.

// PersonTopicPrefix starts every person topic key.
const PersonTopicPrefix = "person/"

// PersonTopic is the key of the topic of records about a peer ID.
func PersonTopic(peerID string) string {
	h := sha256.Sum256([]byte(peerID))
	return PersonTopicPrefix + hex.EncodeToString(h[:1])
}

// IsPersonTopic reports whether key is a well-formed person topic key.
func IsPersonTopic(key string) bool {
	hh, ok := strings.CutPrefix(key, PersonTopicPrefix)
	return ok && len(hh) == 2 && strings.Trim(hh, "0123456789abcdef") == ""
}

// CheckTopic accepts the key of a topic: a topic-zoom cell "z/x/y" or a
// person topic "person/<hh>".
func CheckTopic(key string) error {
	if IsPersonTopic(key) {
		return nil
	}
	t, err := ParseCell(key)
	if err != nil {
		return fmt.Errorf("topic %q: neither a cell (z/x/y) nor a person topic (person/hh)", key)
	}
	if t.Z != TopicZoom {
		return fmt.Errorf("cell %q: topics are zoom-%d cells", key, TopicZoom)
	}
	return nil
}

// PersonTopics returns the person topics a record travels on beyond its
// cells: its author's for a profile, its subject's for a review. It reads
// only what routing needs, without verifying anything: Validate judges the
// record. A record it cannot read has none.
func PersonTopics(r *Record) []string {
	switch r.Kind {
	case KindProfile:
		return []string{PersonTopic(r.Author)}
	case KindReview:
		if s := reviewSubject(r); s != "" {
			return []string{PersonTopic(s)}
		}
	}
	return nil
}

// reviewSubject reads whom a review is about from its first seal's terms.
func reviewSubject(r *Record) string {
	var rv struct {
		Seals []struct {
			Body []byte `json:"body"`
		} `json:"seals"`
	}
	if json.Unmarshal(r.Body, &rv) != nil || len(rv.Seals) == 0 {
		return ""
	}
	var seal struct {
		Acceptance Acceptance `json:"acceptance"`
	}
	if json.Unmarshal(rv.Seals[0].Body, &seal) != nil {
		return ""
	}
	var t BookingTerms
	if json.Unmarshal(seal.Acceptance.Terms, &t) != nil {
		return ""
	}
	return t.Party(r.Author)
}

// Topics are all the topic keys a record travels on: its cells and its
// person topics, sorted and distinct.
func Topics(r *Record) []string {
	out := slices.Concat(r.Cells, PersonTopics(r))
	slices.Sort(out)
	return slices.Compact(out)
}

// InTopic reports whether a record belongs on the topic key: one of its
// Topics, or, on a person topic, any tombstone, since a tombstone of a
// profile or a review keeps only its record's cells and the store, which
// knows the record it deletes, files it under that record's person topic.
func InTopic(r *Record, key string) bool {
	if slices.Contains(r.Cells, key) {
		return true
	}
	if !IsPersonTopic(key) {
		return false
	}
	return r.Kind == KindTombstone || slices.Contains(PersonTopics(r), key)
}

// checkTopicList is checkCellList that also accepts person topic keys,
// after the cells: the topics of a deleted vouch.
func checkTopicList(keys []string, min, max int) error {
	cells := slices.DeleteFunc(slices.Clone(keys), IsPersonTopic)
	if err := checkCellList(cells, 0, max); err != nil {
		return err
	}
	if len(keys) < min || len(keys) > max {
		return Reject(ReasonBadCells, "%d cells, want %d to %d", len(keys), min, max)
	}
	for i := 1; i < len(keys); i++ {
		if keys[i] <= keys[i-1] {
			return Reject(ReasonBadCells, "cells must be sorted and distinct; %q follows %q", keys[i], keys[i-1])
		}
	}
	return nil
}
