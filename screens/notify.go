package screens

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/caravan-p2p/caravan/app"
)

// notifyNameTimeout bounds looking up the sender's name for a notification.
const notifyNameTimeout = 2 * time.Second

// notifier raises a desktop notification for an incoming booking request or
// message when the window is not in front or the user is on another screen.
type notifier struct {
	sh *shell
	// send shows a notification: the app's SendNotification, or a test's.
	send func(*fyne.Notification)

	mu         sync.Mutex
	background bool // the app lost the focus

	decided int // UI goroutine only: events decided on, sent or not
}

func newNotifier(sh *shell) *notifier {
	nt := &notifier{sh: sh, send: sh.app.SendNotification}
	lc := sh.app.Lifecycle()
	lc.SetOnEnteredForeground(func() { nt.setBackground(false) })
	lc.SetOnExitedForeground(func() { nt.setBackground(true) })
	return nt
}

func (nt *notifier) setBackground(on bool) {
	nt.mu.Lock()
	nt.background = on
	nt.mu.Unlock()
}

// notification is what an event is worth telling, nil if nothing: a
// booking request or a chat message that arrived from a peer, or a new
// listing that fits one of the user's wishes (a wish is a saved search).
func notification(ev app.Event, name string) *fyne.Notification {
	switch {
	case ev.Kind == app.BookingsChanged && ev.Received == app.MessageBookingRequest:
		return fyne.NewNotification(lang.L("Booking request"), lang.L("{{.Name}} asks to book one of your listings. Open Caravan to answer.", tdata{"Name": name}))
	case ev.Kind == app.MessagesChanged && ev.Received == app.MessageChat:
		return fyne.NewNotification(lang.L("New message"), lang.L("From {{.Name}}. Open Caravan to read it.", tdata{"Name": name}))
	case ev.Kind == app.WishFits:
		return fyne.NewNotification(lang.L("It fits your wish"), lang.L("\"{{.Title}}\" by {{.Name}} is new and fits one of your wishes. Find it in Explore.", tdata{"Title": ev.Title, "Name": name}))
	}
	return nil
}

// handle raises the notification an event is worth, unless the user looks
// at the Trips screen of the window in front. It looks up the sender's name
// on a goroutine of its own, and decides and sends on the UI goroutine.
func (nt *notifier) handle(ev app.Event) {
	if notification(ev, "") == nil {
		return
	}
	nt.sh.wg.Add(1)
	go func() {
		defer nt.sh.wg.Done()
		name := app.ShortPeer(ev.Peer)
		ctx, cancel := context.WithTimeout(nt.sh.ctx, notifyNameTimeout)
		defer cancel()
		if p, err := nt.sh.b.Profile(ctx, ev.Peer); err == nil {
			name = p.DisplayName()
		}
		if nt.sh.ctx.Err() != nil {
			return
		}
		nt.sh.do(func() {
			nt.decided++
			nt.mu.Lock()
			away := nt.background
			nt.mu.Unlock()
			if !away && nt.sh.current() == tabTrips {
				return
			}
			nt.send(notification(ev, name))
		})
	}()
}

// personal passes an event to what concerns the user personally: the
// notifications, and the reputation on the Profile screen while it is in
// front. It runs on the listening goroutine.
func (sh *shell) personal(ev app.Event) {
	sh.notify.handle(ev)
	if ev.Kind == app.RecordsChanged {
		sh.do(func() {
			if sh.current() == tabProfile {
				sh.profile.load(false)
			}
		})
	}
}
