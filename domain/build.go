package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// NewRoomRecord signs a new room, or a new version of one when prev is given.
func (id *Identity) NewRoomRecord(room Room, prev *Record, now time.Time) (Record, error) {
	if err := room.Validate(); err != nil {
		return Record{}, err
	}
	return id.newRecord(KindRoom, room, []string{CellAt(room.Point())}, prev, now, now.Add(RoomLifetime))
}

// NewRideRecord signs a new ride, or a new version of one when prev is given.
// A new ride starts with all its seats left.
func (id *Identity) NewRideRecord(ride Ride, prev *Record, now time.Time) (Record, error) {
	if prev == nil {
		ride.SeatsLeft = ride.Seats
	}
	if err := ride.Validate(); err != nil {
		return Record{}, err
	}
	if !ride.DepartAt.After(now) {
		return Record{}, bodyError("depart_at", "%s is in the past", ride.DepartAt.Format(time.RFC3339))
	}
	cells := RouteCells(ride.LineString())
	if len(cells) > MaxCells {
		return Record{}, Reject(ReasonBadCells, "route crosses %d cells, at most %d", len(cells), MaxCells)
	}
	return id.newRecord(KindRide, ride, cells, prev, now, ride.DepartAt.Add(time.Hour))
}

// NewCalendarRecord signs the blocked days of a room; cell is the room's cell.
func (id *Identity) NewCalendarRecord(cal Calendar, cell string, prev *Record, now time.Time) (Record, error) {
	if err := cal.Validate(); err != nil {
		return Record{}, err
	}
	return id.newRecord(KindCalendar, cal, []string{cell}, prev, now, now.Add(RoomLifetime))
}

// NewProfileRecord signs the user's profile.
func (id *Identity) NewProfileRecord(p Profile, prev *Record, now time.Time) (Record, error) {
	if err := p.Validate(); err != nil {
		return Record{}, err
	}
	return id.newRecord(KindProfile, p, nil, prev, now, now.Add(ProfileLifetime))
}

// NewTombstone signs the deletion of prev. It keeps prev's cells, so it travels
// where the record did, and lives until prev would have expired.
func (id *Identity) NewTombstone(prev Record, now time.Time) (Record, error) {
	if prev.Author != id.Author() {
		return Record{}, Reject(ReasonNotOwner, "record %s belongs to %s", prev.ID, prev.Author)
	}
	r := Record{
		Kind: KindTombstone, ID: prev.ID, Version: prev.Version + 1,
		IssuedAt: now.UnixMilli(), ExpiresAt: max(prev.ExpiresAt, now.UnixMilli()+1),
		Cells: prev.Cells,
	}
	id.Sign(&r)
	return r, nil
}

func (id *Identity) newRecord(kind Kind, body any, cells []string, prev *Record, now, expires time.Time) (Record, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Record{}, fmt.Errorf("encode %s: %w", kind, err)
	}
	r := Record{Kind: kind, ID: NewID(), Version: 1, IssuedAt: now.UnixMilli(), ExpiresAt: expires.UnixMilli(), Cells: cells, Body: b}
	if prev != nil {
		if prev.Author != id.Author() {
			return Record{}, Reject(ReasonNotOwner, "record %s belongs to %s", prev.ID, prev.Author)
		}
		r.ID, r.Version = prev.ID, prev.Version+1
		// Keep issued_at strictly increasing per id, even on a clock that stepped back.
		r.IssuedAt = max(r.IssuedAt, prev.IssuedAt+1)
	}
	id.Sign(&r)
	return r, nil
}

// Renew signs a new version of one of the identity's own records with the
// same body and a full new lifetime, so a listing stays up while its owner's
// app runs. Rides are not renewed: they end at departure.
func (id *Identity) Renew(prev Record, now time.Time) (Record, error) {
	if prev.Author != id.Author() {
		return Record{}, Reject(ReasonNotOwner, "record %s belongs to %s", prev.ID, prev.Author)
	}
	life, ok := lifetime(prev.Kind)
	if !ok || prev.Kind == KindRide || prev.Kind == KindTombstone {
		return Record{}, Reject(ReasonBadKind, "a %s is not renewed", prev.Kind)
	}
	r := prev
	r.Version = prev.Version + 1
	r.IssuedAt = max(now.UnixMilli(), prev.IssuedAt+1)
	r.ExpiresAt = r.IssuedAt + life.Milliseconds()
	id.Sign(&r)
	return r, nil
}
