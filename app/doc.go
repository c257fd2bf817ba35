// Package app wires Caravan together: one Node owns the identity, the store and
// the peer, and offers the operations the desktop screens, the headless node and
// the scripting commands share.
package app
