package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// A room's public pin is approximate (DESIGN §4): the exact place goes only
// to a renter whose booking was accepted, inside the sealed acceptance
// (BookingAccept.Address). The pin is moved from the exact point by a
// distance and a bearing drawn from a keyed hash of the point under the
// owner's private key: stable for a listing (the same point always gives the
// same pin, so averaging versions reveals nothing), and not computable by
// anyone else, so the exact point cannot be searched for from the pin.

// Bounds of the distance between a room's exact point and its public pin, in metres.
const (
	MinPinOffset = 150.0
	MaxPinOffset = 400.0
)

// pinDomain keys the pin's hash apart from every other use of the key.
const pinDomain = "caravan/approximate-pin/v1\x00"

// ApproximatePin returns the public pin of a room whose exact point is
// (lat, lon): MinPinOffset to MaxPinOffset metres away, in a direction and at
// a distance only this identity can compute.
func (id *Identity) ApproximatePin(lat, lon float64) (float64, float64, error) {
	if err := CheckCoordinate(lat, lon); err != nil {
		return 0, 0, err
	}
	mac := hmac.New(sha256.New, append([]byte(pinDomain), id.raw.Seed()...))
	fmt.Fprintf(mac, "%.5f,%.5f", lat, lon) // to about a metre: the same place typed twice gives one pin
	sum := mac.Sum(nil)
	u1 := float64(binary.BigEndian.Uint64(sum[0:8])) / math.MaxUint64
	u2 := float64(binary.BigEndian.Uint64(sum[8:16])) / math.MaxUint64
	p := geo.PointAtBearingAndDistance(orb.Point{lon, lat}, u1*360, MinPinOffset+u2*(MaxPinOffset-MinPinOffset))
	// Keep it on the map near the poles and the antimeridian.
	return math.Max(-90, math.Min(90, p.Lat())), math.Remainder(p.Lon(), 360), nil
}
