package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Room is the body of a room record: a place to stay, priced per night.
// Lat and Lon are the public, approximate location of the room.
type Room struct {
	Title         string   `json:"title"`
	Description   string   `json:"description"`
	Lat           float64  `json:"lat"`
	Lon           float64  `json:"lon"`
	PricePerNight float64  `json:"price_per_night"`
	Currency      string   `json:"currency"`
	MaxGuests     int      `json:"max_guests"`
	Amenities     []string `json:"amenities"`
	Photos        []string `json:"photos,omitempty"` // sha256 hex of each photo blob
	// Policy is the cancellation policy (booking.go); empty means flexible.
	Policy CancellationPolicy `json:"cancellation_policy,omitempty"`
	// InstantBook lets the owner's app accept fitting requests by itself.
	InstantBook bool `json:"instant_book,omitempty"`
	// Paused keeps the room out of searches and bookings without deleting
	// it (listing_state.go).
	Paused bool `json:"paused,omitempty"`
}

// Point is the room's location as an orb point (lon, lat).
func (r *Room) Point() orb.Point { return orb.Point{r.Lon, r.Lat} }

// Ride is the body of a ride record: seats in a car along a route.
type Ride struct {
	Title        string       `json:"title"`
	Route        [][2]float64 `json:"route"` // [lon, lat] points, origin first
	Stopovers    []string     `json:"stopovers,omitempty"`
	DepartAt     time.Time    `json:"depart_at"`
	Seats        int          `json:"seats"`
	SeatsLeft    int          `json:"seats_left"`
	PricePerSeat float64      `json:"price_per_seat"`
	Currency     string       `json:"currency"`
	// Policy is the cancellation policy (booking.go); empty means flexible.
	Policy CancellationPolicy `json:"cancellation_policy,omitempty"`
	// InstantBook lets the driver's app accept fitting requests by itself.
	InstantBook bool `json:"instant_book,omitempty"`
	// Paused keeps the ride out of searches and bookings without deleting
	// it (listing_state.go).
	Paused bool `json:"paused,omitempty"`
}

// LineString is the route as an orb line.
func (r *Ride) LineString() orb.LineString {
	ls := make(orb.LineString, len(r.Route))
	for i, p := range r.Route {
		ls[i] = orb.Point(p)
	}
	return ls
}

// DateRange is a half-open range of days [From, To), both YYYY-MM-DD.
type DateRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Calendar is the body of a calendar record: the days of one room that can no
// longer be booked. It names no renters.
type Calendar struct {
	RoomID  string      `json:"room_id"`
	Blocked []DateRange `json:"blocked"`
}

// Profile is the body of a profile record: how a person presents themselves.
type Profile struct {
	Name      string   `json:"name"`
	About     string   `json:"about,omitempty"`
	Languages []string `json:"languages,omitempty"`
	Avatar    string   `json:"avatar,omitempty"` // sha256 hex of the avatar blob
}

// Body limits.
const (
	MaxTitle       = 120
	MaxDescription = 5000
	MaxGuests      = 50
	MaxAmenities   = 40
	MaxTag         = 40
	MaxPhotos      = 20
	MaxPrice       = 1_000_000
	MaxRoutePoints = 2000
	MaxSeats       = 8
	MaxStopovers   = 10
	MaxBlocked     = 366
)

// DateLayout is how days are written everywhere: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// bodyError reports an invalid body field.
func bodyError(field, format string, args ...any) *RejectError {
	return &RejectError{Reason: ReasonBadBody, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// decodeBody parses a body strictly enough that a typo or a wrong type is
// reported by field name.
func decodeBody(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return Reject(ReasonBadBody, "%s", describeJSONError(b, err))
	}
	if dec.More() {
		return Reject(ReasonBadBody, "trailing data after the body")
	}
	return nil
}

// DecodeRoom parses and validates a room body.
func DecodeRoom(b []byte) (Room, error) {
	var r Room
	if err := decodeBody(b, &r); err != nil {
		return r, err
	}
	return r, r.Validate()
}

// DecodeRide parses and validates a ride body.
func DecodeRide(b []byte) (Ride, error) {
	var r Ride
	if err := decodeBody(b, &r); err != nil {
		return r, err
	}
	return r, r.Validate()
}

// DecodeCalendar parses and validates a calendar body.
func DecodeCalendar(b []byte) (Calendar, error) {
	var c Calendar
	if err := decodeBody(b, &c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// DecodeProfile parses and validates a profile body.
func DecodeProfile(b []byte) (Profile, error) {
	var p Profile
	if err := decodeBody(b, &p); err != nil {
		return p, err
	}
	return p, p.Validate()
}

// Validate checks every field of a room.
func (r *Room) Validate() error {
	if err := checkText("title", r.Title, 1, MaxTitle); err != nil {
		return err
	}
	if err := checkText("description", r.Description, 0, MaxDescription); err != nil {
		return err
	}
	if err := CheckCoordinate(r.Lat, r.Lon); err != nil {
		return err
	}
	if err := checkPrice("price_per_night", r.PricePerNight); err != nil {
		return err
	}
	if err := CheckCurrency(r.Currency); err != nil {
		return err
	}
	if r.MaxGuests < 1 || r.MaxGuests > MaxGuests {
		return bodyError("max_guests", "%d is not between 1 and %d", r.MaxGuests, MaxGuests)
	}
	if err := checkTags("amenities", r.Amenities, MaxAmenities); err != nil {
		return err
	}
	if err := CheckPolicy(r.Policy); err != nil {
		return err
	}
	return checkHashes("photos", r.Photos, MaxPhotos)
}

// Validate checks every field of a ride.
func (r *Ride) Validate() error {
	if err := checkText("title", r.Title, 1, MaxTitle); err != nil {
		return err
	}
	if len(r.Route) < 2 || len(r.Route) > MaxRoutePoints {
		return bodyError("route", "%d points; a route has an origin, a destination and at most %d points", len(r.Route), MaxRoutePoints)
	}
	for i, p := range r.Route {
		if err := CheckCoordinate(p[1], p[0]); err != nil {
			re := err.(*RejectError)
			return &RejectError{Reason: ReasonBadCoordinate, Field: fmt.Sprintf("route[%d]", i), Detail: re.Detail}
		}
	}
	if len(r.Stopovers) > MaxStopovers {
		return bodyError("stopovers", "%d stopovers, at most %d", len(r.Stopovers), MaxStopovers)
	}
	for i, s := range r.Stopovers {
		if err := checkText(fmt.Sprintf("stopovers[%d]", i), s, 1, MaxTitle); err != nil {
			return err
		}
	}
	if r.DepartAt.IsZero() {
		return bodyError("depart_at", "missing; give the departure time in RFC 3339, like 2026-12-01T08:00:00+01:00")
	}
	if r.Seats < 1 || r.Seats > MaxSeats {
		return bodyError("seats", "%d is not between 1 and %d", r.Seats, MaxSeats)
	}
	if r.SeatsLeft < 0 || r.SeatsLeft > r.Seats {
		return bodyError("seats_left", "%d is not between 0 and seats (%d)", r.SeatsLeft, r.Seats)
	}
	if err := checkPrice("price_per_seat", r.PricePerSeat); err != nil {
		return err
	}
	if err := CheckPolicy(r.Policy); err != nil {
		return err
	}
	return CheckCurrency(r.Currency)
}

// Validate checks a calendar's room reference and its ranges.
func (c *Calendar) Validate() error {
	if err := checkUUIDv7(c.RoomID); err != nil {
		return bodyError("room_id", "%v", err)
	}
	if len(c.Blocked) > MaxBlocked {
		return bodyError("blocked", "%d ranges, at most %d", len(c.Blocked), MaxBlocked)
	}
	for i, d := range c.Blocked {
		from, to, err := d.Days()
		if err != nil {
			return bodyError(fmt.Sprintf("blocked[%d]", i), "%v", err)
		}
		if !to.After(from) {
			return bodyError(fmt.Sprintf("blocked[%d]", i), "to %s is not after from %s", d.To, d.From)
		}
	}
	return nil
}

// Days parses the range's two days.
func (d DateRange) Days() (from, to time.Time, err error) {
	if from, err = time.Parse(DateLayout, d.From); err != nil {
		return from, to, fmt.Errorf("from %q is not a YYYY-MM-DD date", d.From)
	}
	if to, err = time.Parse(DateLayout, d.To); err != nil {
		return from, to, fmt.Errorf("to %q is not a YYYY-MM-DD date", d.To)
	}
	return from, to, nil
}

// Validate checks a profile.
func (p *Profile) Validate() error {
	if err := checkText("name", p.Name, 1, 80); err != nil {
		return err
	}
	if err := checkText("about", p.About, 0, MaxDescription); err != nil {
		return err
	}
	if err := checkTags("languages", p.Languages, 20); err != nil {
		return err
	}
	if p.Avatar != "" {
		return checkHashes("avatar", []string{p.Avatar}, 1)
	}
	return nil
}

// CheckCoordinate reports a latitude or longitude that is not finite or out of range.
func CheckCoordinate(lat, lon float64) error {
	if math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
		return &RejectError{Reason: ReasonBadCoordinate, Field: "lat", Detail: fmt.Sprintf("latitude %v is not between -90 and 90", lat)}
	}
	if math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180 {
		return &RejectError{Reason: ReasonBadCoordinate, Field: "lon", Detail: fmt.Sprintf("longitude %v is not between -180 and 180", lon)}
	}
	return nil
}

func checkText(field, s string, min, max int) error {
	if !utf8.ValidString(s) {
		return bodyError(field, "not valid UTF-8")
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if min > 0 && n < min {
		return bodyError(field, "required")
	}
	if utf8.RuneCountInString(s) > max {
		return bodyError(field, "%d characters, at most %d", utf8.RuneCountInString(s), max)
	}
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' {
			return bodyError(field, "contains a control character")
		}
	}
	return nil
}

func checkPrice(field string, p float64) error {
	if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 || p > MaxPrice {
		return bodyError(field, "%v is not between 0 and %d", p, MaxPrice)
	}
	return nil
}

func checkTags(field string, tags []string, max int) error {
	if len(tags) > max {
		return bodyError(field, "%d entries, at most %d", len(tags), max)
	}
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), t, 1, MaxTag); err != nil {
			return err
		}
		if seen[t] {
			return bodyError(field, "%q listed twice", t)
		}
		seen[t] = true
	}
	return nil
}

func checkHashes(field string, hashes []string, max int) error {
	if len(hashes) > max {
		return bodyError(field, "%d entries, at most %d", len(hashes), max)
	}
	for i, h := range hashes {
		if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			return bodyError(fmt.Sprintf("%s[%d]", field, i), "not a lowercase hex SHA-256")
		}
	}
	return nil
}
