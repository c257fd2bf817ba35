package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/caravan-p2p/caravan/domain"
	"github.com/caravan-p2p/caravan/p2p/blob"
)

// The user's profile (DESIGN §2): a signed record with a display name, an
// about text, languages and a small avatar stored by content hash like room
// photos. A profile has no place of its own, so it travels in the cells where
// people meet the user: those of the user's listings and bookings, else the
// cell the user looks at on the map.

// Profile is how a person presents themselves.
type Profile = domain.Profile

// Limits on a profile, for forms to check as the user types.
const (
	MaxProfileName      = 80
	MaxProfileAbout     = domain.MaxDescription
	MaxProfileLanguages = 20
	// AvatarEdge is the longest side of an avatar as stored and shared.
	AvatarEdge = 256
	// avatarFile keeps a copy of the user's avatar in the data dir, put back
	// in the blob store if the cache ever evicted it.
	avatarFile = "avatar.jpg"
)

// PersonProfile is a person's profile as the screens and the CLI show it.
type PersonProfile struct {
	Peer string `json:"peer_id"`
	// Found is false when no profile of the person is known here; Profile
	// is then empty.
	Found bool `json:"found"`
	Profile
	Version  uint64    `json:"version,omitempty"`
	IssuedAt time.Time `json:"issued_at,omitzero"`
	// Cells are where the profile travels; none means it is kept on this
	// device only until the user has a listing or a booking.
	Cells []string `json:"cells,omitempty"`
}

// DisplayName is the profile's name, or else a short form of the peer ID.
func (p PersonProfile) DisplayName() string {
	if p.Found && p.Name != "" {
		return p.Name
	}
	return ShortPeer(p.Peer)
}

// ShortPeer shortens a peer ID for display: its last 8 characters, the part
// that differs between Ed25519 peer IDs (they all start 12D3KooW).
func ShortPeer(id string) string {
	if len(id) <= 8 {
		return id
	}
	return "…" + id[len(id)-8:]
}

// Profile returns the newest profile of peerID known here; Found is false
// when there is none.
func (n *Node) Profile(ctx context.Context, peerID string) (PersonProfile, error) {
	if _, err := peer.Decode(peerID); err != nil {
		return PersonProfile{}, &InputError{Reason: domain.ReasonBadAuthor, Field: "peer", Detail: fmt.Sprintf("%q is not a user ID (a peer ID such as 12D3KooW...)", peerID)}
	}
	rec, err := n.profileRecord(ctx, peerID)
	if err != nil || rec == nil {
		return PersonProfile{Peer: peerID}, err
	}
	p, err := domain.DecodeProfile(rec.Body)
	if err != nil {
		return PersonProfile{}, fmt.Errorf("profile of %s: %w", peerID, err)
	}
	if peerID == n.Self() && p.Avatar != "" {
		n.keepAvatar(ctx, p.Avatar)
	}
	return PersonProfile{Peer: peerID, Found: true, Profile: p, Version: rec.Version, IssuedAt: rec.Issued(), Cells: rec.Cells}, nil
}

// profileRecord is the newest live profile record of author, nil if none.
func (n *Node) profileRecord(ctx context.Context, author string) (*domain.Record, error) {
	return n.store.LatestProfile(ctx, author, n.now())
}

// SaveProfile validates, signs and stores the user's profile as a new
// version of the previous one, and queues it for publishing in the cells of
// the user's listings and bookings (else the cell the map shows). With no
// such cell it is kept here only: save it again after posting or booking.
// Bad input comes back as an *InputError naming the field.
func (n *Node) SaveProfile(ctx context.Context, p Profile) (PersonProfile, error) {
	prev, err := n.profileRecord(ctx, n.Self())
	if err != nil {
		return PersonProfile{}, err
	}
	if p.Avatar != "" {
		if _, err := blob.ParseHash(p.Avatar); err != nil {
			return PersonProfile{}, &InputError{Reason: domain.ReasonBadBody, Field: "avatar", Detail: err.Error()}
		}
		if ok, err := n.blobs().Has(ctx, p.Avatar); err != nil {
			return PersonProfile{}, err
		} else if !ok {
			return PersonProfile{}, &InputError{Reason: domain.ReasonBadBody, Field: "avatar", Detail: "the avatar is not stored here; choose the image again"}
		}
	}
	now := time.Now()
	rec, err := n.id.NewProfileRecord(p, prev, now)
	if err != nil {
		return PersonProfile{}, err
	}
	cells, err := n.profileCells(ctx)
	if err != nil {
		return PersonProfile{}, err
	}
	rec.Cells = cells
	n.id.Sign(&rec) // again, over the cells
	// Published even with no cells: it always goes to the user's person
	// topic, which anyone judging the user catches up (domain.PersonTopics).
	if err := n.postOwn(ctx, rec); err != nil {
		return PersonProfile{}, err
	}
	n.log.Info("saved profile", "version", rec.Version, "cells", cells)
	return PersonProfile{Peer: n.Self(), Found: true, Profile: p, Version: rec.Version, IssuedAt: rec.Issued(), Cells: cells}, nil
}

// profileCells are where the user's profile goes: the cells of the user's
// listings, then of the bookings, at most domain.MaxCells, sorted; else the
// cell at the middle of the area the user looks at; else none.
func (n *Node) profileCells(ctx context.Context) ([]string, error) {
	own, err := n.store.OwnCells(ctx, n.Self())
	if err != nil {
		return nil, err
	}
	booked, err := n.bookingCells(ctx)
	if err != nil {
		return nil, fmt.Errorf("cells of bookings: %w", err)
	}
	cells := slices.Compact(slices.Sorted(slices.Values(booked)))
	cells = append(own, slices.DeleteFunc(cells, func(c string) bool { return slices.Contains(own, c) })...)
	if len(cells) == 0 {
		n.interest.mu.Lock()
		view := n.interest.view
		n.interest.mu.Unlock()
		if view != nil {
			cells = []string{domain.CellAt(view.Center())}
		}
	}
	cells = cells[:min(len(cells), domain.MaxCells)]
	slices.Sort(cells)
	return cells, nil
}

// AddAvatar imports a JPEG or PNG file as the user's avatar: scaled down to
// at most AvatarEdge pixels on the long side, stored by content hash, which
// it returns for Profile.Avatar. A copy is kept in the data dir.
func (n *Node) AddAvatar(ctx context.Context, path string) (string, error) {
	photo, err := preparePhoto(path)
	if err != nil {
		return "", fmt.Errorf("avatar: %w", err)
	}
	img, err := jpeg.Decode(bytes.NewReader(photo))
	if err != nil {
		return "", fmt.Errorf("avatar %s: %w", path, err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, scaleDown(img, AvatarEdge), &jpeg.Options{Quality: photoQuality}); err != nil {
		return "", fmt.Errorf("encode avatar %s: %w", path, err)
	}
	data := buf.Bytes()
	hash := blob.Hash(data)
	if err := n.blobs().Put(ctx, hash, data); err != nil {
		return "", fmt.Errorf("store avatar %s: %w", path, err)
	}
	if err := writeFileAtomic(filepath.Join(n.DataDir(), avatarFile), data, 0o600); err != nil {
		return "", fmt.Errorf("keep avatar: %w", err)
	}
	n.log.Info("added avatar", "path", path, "hash", hash, "bytes", len(data))
	return hash, nil
}

// keepAvatar puts the user's avatar back in the blob store from the copy in
// the data dir when the cache evicted it, so peers can still fetch it.
func (n *Node) keepAvatar(ctx context.Context, hash string) {
	b := n.blobs()
	if ok, err := b.Has(ctx, hash); err != nil || ok {
		return
	}
	data, err := os.ReadFile(filepath.Join(n.DataDir(), avatarFile))
	if err != nil || blob.Hash(data) != hash {
		return
	}
	if err := b.Put(ctx, hash, data); err != nil {
		n.log.Warn("put the avatar back", "err", err)
	}
}

// writeFileAtomic writes a file through a temporary one and a rename, so a
// crash never leaves half of it.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), mode)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// OwnProfile is the user's own profile with the reputation the reviews
// known here give the user, for the Profile screen.
func (n *Node) OwnProfile(ctx context.Context) (PersonProfile, Reputation, error) {
	p, err := n.Profile(ctx, n.Self())
	if err != nil {
		return PersonProfile{}, Reputation{}, err
	}
	rep, err := n.Reputation(ctx, n.Self())
	if err != nil {
		return PersonProfile{}, Reputation{}, fmt.Errorf("own reputation: %w", err)
	}
	return p, rep, nil
}

// MessageBookingRequest is the kind of a booking request, as
// Event.Received names it.
const MessageBookingRequest = domain.MessageBookingRequest
