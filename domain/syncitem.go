package domain

import "bytes"

// SyncItem is one record version as catch-up sync sees it: ordered by issued_at,
// then by hash. A new version of a record is a new item.
type SyncItem struct {
	IssuedAt int64
	Hash     [32]byte
}

// Item is the record's sync item.
func (r *Record) Item() SyncItem { return SyncItem{IssuedAt: r.IssuedAt, Hash: r.Hash()} }

// Less orders sync items by (IssuedAt, Hash).
func (a SyncItem) Less(b SyncItem) bool {
	if a.IssuedAt != b.IssuedAt {
		return a.IssuedAt < b.IssuedAt
	}
	return bytes.Compare(a.Hash[:], b.Hash[:]) < 0
}

// Compare orders sync items like Less, for slices.SortFunc.
func (a SyncItem) Compare(b SyncItem) int {
	switch {
	case a.IssuedAt < b.IssuedAt:
		return -1
	case a.IssuedAt > b.IssuedAt:
		return 1
	}
	return bytes.Compare(a.Hash[:], b.Hash[:])
}
