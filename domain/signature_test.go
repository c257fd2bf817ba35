package domain

import (
	"math/big"
	"slices"
	"testing"
)

// TestSignatureMalleability checks that a valid signature re-encoded another
// way is refused, alone and in a batch, so no one but the signer can give a
// signed record a second hash.
func TestSignatureMalleability(t *testing.T) {
	id := mustIdentity(t)
	// ℓ, the order of the base point: S + ℓ verifies the same equation.
	order, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	addOrder := func(sig []byte) []byte {
		le := slices.Clone(sig[32:])
		slices.Reverse(le)
		s := new(big.Int).Add(new(big.Int).SetBytes(le), order).FillBytes(make([]byte, 32))
		slices.Reverse(s)
		return append(slices.Clone(sig[:32]), s...)
	}
	tests := []struct {
		name   string
		tamper func([]byte) []byte
	}{
		{"S plus the group order", addOrder},
		{"short", func(sig []byte) []byte { return sig[:63] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRoom(t, id)
			r.Sig = tc.tamper(r.Sig)
			if err := Validate(&r, testNow); ReasonOf(err) != ReasonBadSignature {
				t.Errorf("Validate = %v, want %s", err, ReasonBadSignature)
			}
			batch := ValidateBatch([]Record{mustRoom(t, id), r}, testNow)
			if batch[0].Err != nil || ReasonOf(batch[1].Err) != ReasonBadSignature {
				t.Errorf("ValidateBatch = %v, %v; want nil, %s", batch[0].Err, batch[1].Err, ReasonBadSignature)
			}
		})
	}
}

// TestValidateBatchDecodes checks that a batch returns each record's body, as
// ValidateDecode does.
func TestValidateBatchDecodes(t *testing.T) {
	id := mustIdentity(t)
	recs := []Record{mustRoom(t, id), mustRoom(t, id)}
	for i, v := range ValidateBatch(recs, testNow) {
		room, ok := v.Body.(*Room)
		if v.Err != nil || !ok || room.Title != testRoom().Title {
			t.Errorf("record %d: %#v, %v", i, v.Body, v.Err)
		}
	}
	if got := ValidateBatch(nil, testNow); len(got) != 0 {
		t.Errorf("empty batch: %v", got)
	}
}
