package app

import (
	"time"

	"github.com/caravan-p2p/caravan/domain"
)

// Room is what an owner fills in to post a room (DESIGN §10 room JSON).
type Room = domain.Room

// Ride is what a driver fills in to post a ride (DESIGN §10 ride JSON).
type Ride = domain.Ride

// InputError is a refusal of bad input or a bad record. Field names the input
// field at fault when there is one; Detail says what to do.
type InputError = domain.RejectError

// RoomListing is a room as the screens and the CLI show it.
type RoomListing struct {
	ID       string    `json:"id"`
	Author   string    `json:"author"`
	Version  uint64    `json:"version"`
	IssuedAt time.Time `json:"issued_at"`
	Mine     bool      `json:"-"` // posted by this user
	Room
	// Rating and ReviewCount summarise the reviews by the room's renters,
	// when it has any.
	Rating      float64 `json:"rating,omitempty"`
	ReviewCount int     `json:"review_count,omitempty"`
}

// RideListing is a ride as the screens and the CLI show it.
type RideListing struct {
	ID       string    `json:"id"`
	Author   string    `json:"author"`
	Version  uint64    `json:"version"`
	IssuedAt time.Time `json:"issued_at"`
	Mine     bool      `json:"-"`
	Ride
	// Rating and ReviewCount summarise the reviews the driver's riders
	// gave it, when there are any.
	Rating      float64 `json:"rating,omitempty"`
	ReviewCount int     `json:"review_count,omitempty"`
}

// RoomQuery filters rooms. The zero value lists every room, newest first.
type RoomQuery struct {
	// Bound is [minLon, minLat, maxLon, maxLat]; nil means everywhere.
	Bound     *[4]float64
	From, To  string // YYYY-MM-DD; both empty means any dates
	Guests    int
	MaxPrice  float64
	Amenities []string
	Text      string
	Limit     int
}

// PeerInfo is a connected peer.
type PeerInfo struct {
	PeerID string   `json:"peer_id"`
	Addrs  []string `json:"addrs"`
	Agent  string   `json:"agent,omitempty"` // the peer's software, e.g. caravan/1
	Score  float64  `json:"score"`           // its GossipSub score; below zero means misbehaving
}

// EventKind says what changed.
type EventKind int

// The event kinds.
const (
	// RecordsChanged: records were stored; Kinds says of which kinds.
	RecordsChanged EventKind = iota
	// PeersChanged: a peer connected or disconnected.
	PeersChanged
	// SyncChanged: a catch-up session started, moved on or ended.
	SyncChanged
	// MessagesChanged: a private message arrived, was queued or changed
	// status; Peer names the other party when known.
	MessagesChanged
	// BookingsChanged: a booking was made or moved on; Peer names the other
	// party.
	BookingsChanged
	// OffersChanged: an offer answering a wish was sent, received or
	// accepted; Peer names the other party (wish.go).
	OffersChanged
	// WishFits: a new room or ride from Peer fits one of the user's
	// wishes; Listing and Title name it (wish_alert.go).
	WishFits
)

// Event tells the screens that something they show may have changed.
type Event struct {
	Kind  EventKind
	Kinds []domain.Kind // for RecordsChanged
	Peer  string        // for MessagesChanged
	// Received is the kind of the private message from Peer that caused a
	// MessagesChanged or BookingsChanged event (domain.MessageChat,
	// domain.MessageBookingRequest...); "" for changes made here.
	Received string
	// Listing and Title name the listing of a WishFits event.
	Listing, Title string
}

// Touches reports whether a RecordsChanged event concerns records of kind k.
// A deletion may concern any kind.
func (e Event) Touches(k domain.Kind) bool {
	for _, x := range e.Kinds {
		if x == k || x == domain.KindTombstone {
			return true
		}
	}
	return false
}

// Record kinds the screens filter events by.
const (
	KindRoom = domain.KindRoom
	KindRide = domain.KindRide
)

// Kind is a record kind, as events name it.
type Kind = domain.Kind

// Limits on what a room may hold, for forms to check as the user types.
const (
	MaxTitle       = domain.MaxTitle
	MaxDescription = domain.MaxDescription
	MaxGuests      = domain.MaxGuests
	MaxPrice       = domain.MaxPrice
	MaxAmenities   = domain.MaxAmenities
	MaxTag         = domain.MaxTag
)

// CheckCurrency reports a currency that is not an ISO 4217 code.
func CheckCurrency(code string) error { return domain.CheckCurrency(code) }
