package domain

// A listing's owner can pause it: a new version of the room or ride with
// Paused set. Every peer keeps a paused listing out of searches (the store
// lists it until 0, see storage's derived rows) and refuses to book it, yet
// keeps the record, so resuming is one more version and nothing is lost.
// Deleting is a tombstone instead (NewTombstone).

// IsPaused reports whether a decoded room or ride body (as DecodeBody
// returns it) is paused. Other bodies are never paused.
func IsPaused(body any) bool {
	switch b := body.(type) {
	case *Room:
		return b.Paused
	case *Ride:
		return b.Paused
	}
	return false
}
