package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Explore modes; their buttons show lang.L(mode).
const (
	modeRooms = "Rooms"
	modeRides = "Rides"
)

// exploreScreen is the map-first Explore tab: a Rooms / Rides switch over
// the rooms screen or the rides screen, and the listing page a room opens.
type exploreScreen struct {
	sh *shell

	// UI goroutine only.
	mode     string
	roomsBtn *widget.Button
	ridesBtn *widget.Button
	main     fyne.CanvasObject // the switch and the screen of the mode
	page     *listingPage
	content  fyne.CanvasObject
	// wishes is "My wishes" over Explore; wishForm the last "Post a wish"
	// dialog opened (wishes.go, wish_post.go).
	wishes      *wishesView
	wishForm    *wishForm
	wishBtn     *widget.Button
	myWishesBtn *widget.Button
}

func newExploreScreen(sh *shell) *exploreScreen {
	e := &exploreScreen{sh: sh, mode: modeRooms}
	e.roomsBtn = widget.NewButtonWithIcon(lang.L(modeRooms), theme.HomeIcon(), func() { e.setMode(modeRooms) })
	e.ridesBtn = widget.NewButtonWithIcon(lang.L(modeRides), theme.NavigateNextIcon(), func() { e.setMode(modeRides) })
	e.wishBtn = widget.NewButtonWithIcon(lang.L("Post a wish"), theme.MailSendIcon(), func() { e.wishForm = openWishForm(sh, e.mode) })
	e.myWishesBtn = widget.NewButtonWithIcon(lang.L("My wishes"), theme.ListIcon(), e.openWishes)
	bar := container.NewHBox(e.roomsBtn, e.ridesBtn, layout.NewSpacer(), e.wishBtn, e.myWishesBtn)
	e.main = container.NewBorder(container.NewPadded(bar), nil, nil, nil,
		container.NewStack(sh.rooms.content, sh.rides.content))
	e.page = newListingPage(sh, e.closePage)
	e.page.content.Hide()
	e.wishes = newWishesView(sh, e.closeWishes)
	e.wishes.content.Hide()
	e.content = container.NewStack(e.main, e.page.content, e.wishes.content)
	e.setMode(modeRooms)
	return e
}

// setMode shows rooms or rides. The map of the mode shown starts where the
// other one was, until it has a place of its own.
func (e *exploreScreen) setMode(mode string) {
	prev := e.mode
	e.mode = mode
	rooms := mode == modeRooms
	e.roomsBtn.Importance, e.ridesBtn.Importance = widget.MediumImportance, widget.MediumImportance
	if rooms {
		e.roomsBtn.Importance = widget.HighImportance
	} else {
		e.ridesBtn.Importance = widget.HighImportance
	}
	e.roomsBtn.Refresh()
	e.ridesBtn.Refresh()
	if rooms {
		e.sh.rides.content.Hide()
		e.sh.rooms.content.Show()
	} else {
		e.sh.rooms.content.Hide()
		e.sh.rides.content.Show()
	}
	if prev != mode && !rooms && e.sh.rides.last == nil {
		lat, lon, z := e.sh.rooms.mapv.Center()
		e.sh.rides.mapv.SetCenter(lat, lon, z)
	}
	if rooms {
		e.sh.b.Watch(boundArray(e.sh.rooms.mapv.Bounds()))
		e.sh.rooms.refreshCoverage()
	} else {
		e.sh.b.Watch(boundArray(e.sh.rides.mapv.Bounds()))
		e.sh.rides.refreshCoverage()
	}
	e.main.Refresh()
}

// openRoom shows a room's listing page over Explore.
func (e *exploreScreen) openRoom(id string) {
	for _, r := range e.sh.rooms.rooms {
		if r.ID == id {
			e.page.show(r)
			e.page.book.prefill(e.sh.rooms.shownFilter)
			e.main.Hide()
			e.page.content.Show()
			return
		}
	}
}

// closePage goes back from a listing page to the results.
func (e *exploreScreen) closePage() {
	e.page.close()
	e.page.content.Hide()
	e.main.Show()
}

// openWishes shows "My wishes" over Explore.
func (e *exploreScreen) openWishes() {
	e.main.Hide()
	e.page.content.Hide()
	e.wishes.content.Show()
	e.wishes.show()
}

// closeWishes goes back from "My wishes" to the results.
func (e *exploreScreen) closeWishes() {
	e.wishes.hide()
	e.wishes.content.Hide()
	e.main.Show()
}
