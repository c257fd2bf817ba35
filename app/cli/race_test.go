//go:build race

package cli

// raceEnabled: the race detector slows signing and verification down
// several times, so tests that handle thousands of records use fewer.
const raceEnabled = true
