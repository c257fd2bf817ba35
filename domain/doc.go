// Package domain holds Caravan's records and the rules every peer enforces on them:
// the signed record format, canonical bytes and signatures, the bodies of each kind,
// validation with named rejection reasons, and geo cells.
//
// It does no I/O, so everything that decides "is this valid" is tested without a
// network or a disk. Storage and the peer-to-peer layer both call into it.
package domain
