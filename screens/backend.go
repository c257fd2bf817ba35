package screens

import (
	"context"

	"github.com/caravan-p2p/caravan/app"
)

// Backend is what the screens need from the app; *app.Node implements it.
// Tests use a fake. Its methods are called from goroutines other than the UI
// goroutine and may block.
type Backend interface {
	ProfileBackend
	BookingBackend
	OwnerBackend
	// Rooms lists the rooms this peer knows that match q. The zero query
	// lists every room, newest first.
	Rooms(ctx context.Context, q app.RoomQuery) ([]app.RoomListing, error)
	// PostRoom validates, signs, stores and publishes a room and returns its
	// id. Bad input is reported as an *app.InputError (use errors.As) whose
	// Field names the room field at fault.
	PostRoom(ctx context.Context, r app.Room) (id string, err error)
	// Status describes this peer: its ID and listen addresses, the cells it
	// follows, reachability, and what its store holds.
	Status(ctx context.Context) (app.Status, error)
	// Coverage says whether a node runs and how far it has caught up with
	// its peers per cell; unlike Status it is cheap enough to poll.
	Coverage(ctx context.Context) (app.Coverage, error)
	// Peers lists the connected peers. It reports app.ErrNotRunning when no
	// node runs, so there is no network.
	Peers(ctx context.Context) ([]app.PeerInfo, error)
	// Rides finds the rides whose route passes near q.Pickup and then near
	// q.Dropoff, best first.
	Rides(ctx context.Context, q app.RideQuery) ([]app.RideMatch, error)
	// PostRide validates, signs, stores and publishes a ride, like PostRoom.
	PostRide(ctx context.Context, r app.Ride) (id string, err error)
	// Places suggests at most limit towns whose name starts with prefix,
	// from the embedded gazetteer, most populous first.
	Places(prefix string, limit int) ([]app.Place, error)
	// ResolvePlace turns a town name or "LAT,LON" into a [lon, lat] point.
	ResolvePlace(s string) ([2]float64, app.Place, error)
	// CountryPlace is the largest town of a country (an ISO code, "FR"),
	// false if the gazetteer has none.
	CountryPlace(code string) (app.Place, bool)
	// AddPhoto scales an image file down, stores it by content hash and
	// returns the hash for Room.Photos.
	AddPhoto(ctx context.Context, path string) (hash string, err error)
	// Photo returns a stored photo by hash, fetching it from author (or any
	// peer) when it is not stored here.
	Photo(ctx context.Context, hash, author string) ([]byte, error)
	// Watch tells the node the area the user looks at, [minLon, minLat,
	// maxLon, maxLat], so that it follows that area's cells. It does not
	// block.
	Watch(bound [4]float64)
	// Subscribe returns a channel of RecordsChanged and PeersChanged events,
	// sent from other goroutines, and a function that ends the subscription.
	Subscribe() (events <-chan app.Event, cancel func())
	WishBackend // backend_wishes.go
}

// The node is the backend of the desktop app.
var _ Backend = (*app.Node)(nil)
