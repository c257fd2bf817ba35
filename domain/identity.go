package domain

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Identity is a user's Ed25519 key pair. Its libp2p peer ID is the user ID that
// appears as the author of every record the user signs.
type Identity struct {
	priv crypto.PrivKey
	raw  ed25519.PrivateKey
	id   peer.ID
}

// NewIdentity creates a fresh random identity.
func NewIdentity() (*Identity, error) {
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return identityFromKey(priv)
}

// UnmarshalIdentity restores an identity from the bytes MarshalIdentity produced.
func UnmarshalIdentity(b []byte) (*Identity, error) {
	priv, err := crypto.UnmarshalPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("decode key: %w", err)
	}
	return identityFromKey(priv)
}

func identityFromKey(priv crypto.PrivKey) (*Identity, error) {
	if priv.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("key type %v: only Ed25519 keys are supported", priv.Type())
	}
	raw, err := priv.Raw()
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("derive peer ID: %w", err)
	}
	return &Identity{priv: priv, raw: ed25519.PrivateKey(raw), id: id}, nil
}

// MarshalIdentity encodes the private key in libp2p's protobuf form, the form the
// key file holds.
func MarshalIdentity(id *Identity) ([]byte, error) {
	b, err := crypto.MarshalPrivateKey(id.priv)
	if err != nil {
		return nil, fmt.Errorf("encode key: %w", err)
	}
	return b, nil
}

// PeerID is the identity's libp2p peer ID.
func (id *Identity) PeerID() peer.ID { return id.id }

// Author is the peer ID as it appears in a record's author field.
func (id *Identity) Author() string { return id.id.String() }

// PrivKey is the libp2p private key, for the host that runs as this identity.
func (id *Identity) PrivKey() crypto.PrivKey { return id.priv }

// Sign signs the record's canonical bytes and sets its author and signature.
func (id *Identity) Sign(r *Record) {
	r.Author = id.Author()
	r.Sig = ed25519.Sign(id.raw, r.SigningBytes())
}

// AuthorKey extracts the Ed25519 public key embedded in an author's peer ID.
// Ed25519 peer IDs inline the key, so no key lookup is ever needed.
func AuthorKey(author string) (ed25519.PublicKey, error) {
	pid, err := peer.Decode(author)
	if err != nil {
		return nil, fmt.Errorf("author %q is not a peer ID: %w", author, err)
	}
	pub, err := pid.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("author %q carries no public key: %w", author, err)
	}
	if pub.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("author %q: key type %v, want Ed25519", author, pub.Type())
	}
	raw, err := pub.Raw()
	if err != nil {
		return nil, fmt.Errorf("author %q: %w", author, err)
	}
	return ed25519.PublicKey(raw), nil
}
