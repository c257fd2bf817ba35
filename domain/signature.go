package domain

import (
	"crypto/ed25519"

	"github.com/hdevalence/ed25519consensus"
)

// Signatures are checked under the ZIP-215 rules (ed25519consensus), which
// make one signature and a batch of them agree exactly: a peer that verifies a
// batch at once (about half the cost per signature) accepts precisely what a
// peer verifying one at a time accepts. crypto/ed25519 signatures, which is
// what Identity.Sign makes, always pass; S must be canonical, so no one but
// the signer can make a second valid signature of the same record.

// signed is what checking one record's signature needs.
type signed struct {
	pub      ed25519.PublicKey
	msg, sig []byte
}

// valid reports whether the signature is good on its own.
func (s signed) valid() bool {
	return ed25519consensus.Verify(s.pub, s.msg, s.sig)
}

// verifyBatch reports, for each of sigs, whether its signature is good. The
// whole batch is verified at once; only when that fails is each one checked on
// its own, to find the bad ones.
func verifyBatch(sigs []signed) []bool {
	ok := make([]bool, len(sigs))
	if len(sigs) > 1 {
		bv := ed25519consensus.NewPreallocatedBatchVerifier(len(sigs))
		for _, s := range sigs {
			bv.Add(s.pub, s.msg, s.sig)
		}
		if bv.Verify() {
			for i := range ok {
				ok[i] = true
			}
			return ok
		}
	}
	for i, s := range sigs {
		ok[i] = s.valid()
	}
	return ok
}
