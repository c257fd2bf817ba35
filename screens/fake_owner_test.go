package screens

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/caravan-p2p/caravan/app"
)

// ownerState is the owner side of a fakeBackend: the user's own listings,
// their calendars and the owner actions asked for. It is kept beside the
// fake, whose struct every screen's tests share.
type ownerState struct {
	mu        sync.Mutex
	listings  []app.MyListing
	calendars map[string]app.ListingCalendar
	calls     []string // "pause ID", "update-room ID", …
	fail      error    // returned by the next action while set
}

var ownerStates sync.Map // *fakeBackend → *ownerState

func (f *fakeBackend) owner() *ownerState {
	v, _ := ownerStates.LoadOrStore(f, &ownerState{calendars: map[string]app.ListingCalendar{}})
	return v.(*ownerState)
}

// setListings replaces the user's own listings and says so.
func (f *fakeBackend) setListings(ls ...app.MyListing) {
	o := f.owner()
	o.mu.Lock()
	o.listings = ls
	o.mu.Unlock()
	f.emit(roomEvent())
}

// ownerCalls are the owner actions asked for so far.
func (f *fakeBackend) ownerCalls() []string {
	o := f.owner()
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.calls)
}

// calendarOf is what SetBlockedDates last stored for id.
func (f *fakeBackend) calendarOf(id string) app.ListingCalendar {
	o := f.owner()
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calendars[id]
}

// change applies an owner action to listing id, unless fail is set.
func (f *fakeBackend) change(call, id string, do func(l *app.MyListing)) error {
	o := f.owner()
	o.mu.Lock()
	o.calls = append(o.calls, call+" "+id)
	if err := o.fail; err != nil {
		o.fail = nil
		o.mu.Unlock()
		return err
	}
	i := slices.IndexFunc(o.listings, func(l app.MyListing) bool { return l.ID == id })
	if i < 0 {
		o.mu.Unlock()
		return &app.InputError{Field: "listing", Detail: "you have no room or ride " + id}
	}
	if do == nil {
		o.listings = slices.Delete(o.listings, i, i+1)
	} else {
		do(&o.listings[i])
		o.listings[i].Version++
	}
	o.mu.Unlock()
	f.emit(roomEvent())
	return nil
}

func (f *fakeBackend) MyListings(ctx context.Context) ([]app.MyListing, error) {
	o := f.owner()
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.listings), nil
}

func (f *fakeBackend) UpdateRoom(ctx context.Context, id string, r app.Room) error {
	return f.change("update-room", id, func(l *app.MyListing) { l.Room, l.Title = &r, r.Title })
}

func (f *fakeBackend) UpdateRide(ctx context.Context, id string, r app.Ride) error {
	return f.change("update-ride", id, func(l *app.MyListing) { l.Ride, l.Title = &r, r.Title })
}

func (f *fakeBackend) PauseListing(ctx context.Context, id string) error {
	return f.change("pause", id, func(l *app.MyListing) { l.State = app.StatePaused })
}

func (f *fakeBackend) ResumeListing(ctx context.Context, id string) error {
	return f.change("resume", id, func(l *app.MyListing) { l.State = app.StateActive })
}

func (f *fakeBackend) DeleteListing(ctx context.Context, id string) error {
	return f.change("delete", id, nil)
}

func (f *fakeBackend) RenewListing(ctx context.Context, id string) (time.Time, error) {
	exp := time.Now().Add(60 * 24 * time.Hour)
	return exp, f.change("renew", id, func(l *app.MyListing) { l.ExpiresAt = exp })
}

func (f *fakeBackend) BlockedDates(ctx context.Context, id string) (app.ListingCalendar, error) {
	o := f.owner()
	o.mu.Lock()
	defer o.mu.Unlock()
	c, ok := o.calendars[id]
	if !ok {
		c = app.ListingCalendar{ListingID: id}
	}
	return c, nil
}

func (f *fakeBackend) SetBlockedDates(ctx context.Context, id string, ranges []app.DateRange) (app.ListingCalendar, error) {
	o := f.owner()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, "calendar "+id)
	c := o.calendars[id]
	c.ListingID = id
	for _, b := range c.Booked {
		left := []app.DateRange{b}
		for _, r := range ranges {
			left = app.UnblockRange(left, r)
		}
		if len(left) > 0 {
			return c, &app.InputError{Field: "blocked", Detail: fmt.Sprintf("%s to %s is booked", b.From, b.To)}
		}
	}
	c.Blocked = slices.Clone(ranges)
	o.calendars[id] = c
	return c, nil
}
