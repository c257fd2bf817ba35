package screens

import (
	"context"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// The edit mode of the post forms: My listings opens a room or a ride in its
// form, filled in; saving publishes a new version of the same listing
// (UpdateRoom, UpdateRide) and goes back to My listings.

// Messages at the top of the window after saving an edit.
const (
	roomSavedMessage = "Room saved — the new version is on its way to your peers"
	rideSavedMessage = "Ride saved — the new version is on its way to your peers"
)

// startEdit fills the form with one of the user's rooms, to save a new
// version of it. The location shown is the room's public pin: saved as it
// is, the pin stays where it is.
func (p *postRoomScreen) startEdit(l app.MyListing) {
	if p.posting || l.Room == nil {
		return
	}
	p.reset()
	r := *l.Room
	p.editing = &l
	p.resetting = true
	p.title.entry.SetText(r.Title)
	p.desc.entry.SetText(r.Description)
	p.lat.entry.SetText(strconv.FormatFloat(r.Lat, 'f', -1, 64))
	p.lon.entry.SetText(strconv.FormatFloat(r.Lon, 'f', -1, 64))
	p.price.entry.SetText(strconv.FormatFloat(r.PricePerNight, 'f', -1, 64))
	p.currency.entry.SetText(r.Currency)
	p.guests.entry.SetText(strconv.Itoa(r.MaxGuests))
	var others []string
	for _, a := range r.Amenities {
		i := slices.IndexFunc(commonAmenities, func(c struct{ Tag, Label string }) bool { return c.Tag == a })
		if i >= 0 {
			p.checks[i].SetChecked(true)
		} else {
			others = append(others, a)
		}
	}
	p.amenities.entry.SetText(joinTags(others))
	p.resetting = false
	p.where.sync(true)
	p.photos.setHashes("", r.Photos) // the user's own photos are stored here
	p.showEditMode()

	p.calLoaded = false
	p.cal.setDisabled(true)
	id := l.ID
	p.sh.goUI(ownerTimeout, func(ctx context.Context) func() {
		cal, err := p.sh.b.BlockedDates(ctx, id)
		return func() {
			if p.editing == nil || p.editing.ID != id {
				return
			}
			if err != nil {
				p.cal.msg.set(lang.L("Couldn't read the calendar: {{.Err}}; the blocked days stay as they are", tdata{"Err": err}), theme.ColorNameError)
				return
			}
			p.cal.setDisabled(false)
			p.cal.set(cal)
			p.calLoaded = true
		}
	})
}

// joinTags writes tags for the "others" entry: "sauna, garden".
func joinTags(tags []string) string {
	out := ""
	for i, t := range tags {
		if i > 0 {
			out += ", "
		}
		out += t
	}
	return out
}

// showEditMode sets the heading, the button and Cancel for editing or posting.
func (p *postRoomScreen) showEditMode() {
	if p.editing != nil {
		p.heading.SetText(lang.L("Edit room"))
		p.submit.SetText(lang.L("Save changes"))
		p.cancelEdit.Show()
	} else {
		p.heading.SetText(lang.L(tabPostRoom))
		p.submit.SetText(lang.L("Post room"))
		p.cancelEdit.Hide()
	}
}

// stopEdit leaves the edit mode with an empty form, and goes back to My listings.
func (p *postRoomScreen) stopEdit() {
	if p.posting {
		return
	}
	p.reset()
	p.sh.show(tabMyListings)
}

// setHashes shows the photos a listing already has, by hash; author is
// asked for any not stored here.
func (pp *photoPicker) setHashes(author string, hashes []string) {
	pp.clear()
	for _, h := range hashes {
		it := &photoItem{hash: h, tile: container.NewStack()}
		setPhotoPlaceholder(it.tile, lang.L("Loading…"), true)
		pp.items = append(pp.items, it)
		hash := h
		pp.sh.goUI(addPhotoTimeout, func(ctx context.Context) func() {
			data, err := pp.sh.b.Photo(ctx, hash, author)
			if err != nil || pp.sh.ctx.Err() != nil {
				return nil // the tile stays blank; the hash is kept
			}
			return func() {
				if slices.Contains(pp.items, it) {
					pp.showThumb(it, data)
				}
			}
		})
	}
	pp.refresh()
}

// startEdit fills the form with one of the user's rides, to save a new
// version of it.
func (p *postRideScreen) startEdit(l app.MyListing) {
	if p.posting || l.Ride == nil {
		return
	}
	p.reset()
	r := *l.Ride
	p.editing = &l
	p.title.SetText(r.Title)
	dep := r.DepartAt.Local()
	day := time.Date(dep.Year(), dep.Month(), dep.Day(), 0, 0, 0, 0, time.Local)
	p.date.SetDate(&day)
	p.clock.SetText(dep.Format("15:04"))
	p.seats.SetText(strconv.Itoa(r.Seats))
	p.price.SetText(strconv.FormatFloat(r.PricePerSeat, 'f', -1, 64))
	p.currency.SetText(r.Currency)
	p.route = slices.Clone(r.Route)
	p.routeChanged()
	if len(p.route) >= 2 {
		p.mapv.Fit(lineOf(p.route).Bound(), 14)
	}
	p.showEditMode()
}

// showEditMode sets the heading, the button and Cancel for editing or posting.
func (p *postRideScreen) showEditMode() {
	if p.editing != nil {
		p.heading.SetText(lang.L("Edit ride"))
		p.submit.SetText(lang.L("Save changes"))
		p.cancelEdit.Show()
	} else {
		p.heading.SetText(lang.L(tabPostRide))
		p.submit.SetText(lang.L("Post ride"))
		p.cancelEdit.Hide()
	}
}

// stopEdit leaves the edit mode with an empty form, and goes back to My listings.
func (p *postRideScreen) stopEdit() {
	if p.posting {
		return
	}
	p.reset()
	p.sh.show(tabMyListings)
}

// editedRide is the ride the form describes, as a new version of the ride
// being edited: what the form does not show (policy, instant book, the
// stopovers of an unchanged route) is kept.
func (p *postRideScreen) editedRide() app.Ride {
	ride := p.ride()
	old := p.editing.Ride
	ride.Policy, ride.InstantBook = old.Policy, old.InstantBook
	if slices.Equal(ride.Route, old.Route) {
		ride.Stopovers = old.Stopovers
	}
	return ride
}

// newCancelEdit is the button that leaves an edit unsaved.
func newCancelEdit(stop func()) *widget.Button {
	b := widget.NewButtonWithIcon(lang.L("Cancel edit"), theme.CancelIcon(), stop)
	b.Hide()
	return b
}
