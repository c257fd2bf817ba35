package screens

import (
	"cmp"
	"log/slog"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// conversation is the private messages about one booking with its other
// party: chats as bubbles with their delivery status (sent, delivered, read),
// booking steps as lines between them, and a box to write. It reloads when
// the app says messages with that person changed, and tells the other party
// when what they wrote has been shown (a read receipt).
type conversation struct {
	sh *shell

	// UI goroutine only.
	booking  string
	peer     string
	msgs     []app.Message
	gen      int
	sending  bool
	heading  *widget.Label
	box      *fyne.Container
	scroll   *container.Scroll
	entry    *widget.Entry
	send     *widget.Button
	activity *widget.Activity
	status   *widget.Label
	content  fyne.CanvasObject
}

func newConversation(sh *shell) *conversation {
	c := &conversation{sh: sh}
	c.heading = widget.NewLabelWithStyle(lang.L("Messages"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.box = container.NewVBox()
	c.scroll = container.NewVScroll(c.box)
	c.entry = widget.NewEntry()
	c.entry.SetPlaceHolder(lang.L("Write a message…"))
	c.entry.OnSubmitted = func(string) { c.submit() }
	c.send = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), c.submit)
	c.send.Importance = widget.HighImportance
	c.activity, c.status = newProgress()
	bottom := container.NewVBox(c.status, container.NewBorder(nil, nil, nil, container.NewHBox(c.activity, c.send), c.entry))
	c.content = container.NewPadded(container.NewBorder(c.heading, bottom, nil, nil, c.scroll))
	return c
}

// setBooking shows the conversation about a booking with its other party.
// UI goroutine only.
func (c *conversation) setBooking(b app.Booking) {
	c.show(b.ID, other(b))
}

// setPeer shows the messages with a person outside any booking: questions
// before booking. UI goroutine only.
func (c *conversation) setPeer(peer string) {
	c.show("", peer)
}

// show shows the conversation about booking ("" for none) with peer.
func (c *conversation) show(booking, peer string) {
	if booking == c.booking && peer == c.peer {
		c.load()
		return
	}
	c.booking, c.peer = booking, peer
	c.msgs = nil
	c.entry.SetText("")
	c.status.Hide()
	c.heading.SetText(lang.L("Messages with {{.Name}}", tdata{"Name": shortID(c.peer)}))
	c.render()
	c.load()
	c.sh.wg.Add(1)
	go func() {
		defer c.sh.wg.Done()
		if p, err := c.sh.b.Profile(c.sh.ctx, peer); err == nil && p.Found {
			c.sh.do(func() {
				if c.peer == peer {
					c.heading.SetText(lang.L("Messages with {{.Name}}", tdata{"Name": p.DisplayName()}))
				}
			})
		}
	}()
}

// changed reloads when messages with peer ("" when unknown) changed. UI
// goroutine only.
func (c *conversation) changed(peer string) {
	if c.peer != "" && (peer == "" || peer == c.peer) {
		c.load()
	}
}

// load fetches the messages off the UI goroutine, then marks those of the
// other party read, which sends them a read receipt.
func (c *conversation) load() {
	if c.peer == "" {
		return
	}
	c.gen++
	gen, booking, peer := c.gen, c.booking, c.peer
	c.sh.wg.Add(1)
	go func() {
		defer c.sh.wg.Done()
		ms, err := c.messages(booking, peer)
		c.sh.do(func() {
			if gen != c.gen || booking != c.booking || peer != c.peer {
				return
			}
			if err != nil {
				showStatus(c.status, lang.L("Messages could not be loaded: {{.Err}}", tdata{"Err": errorText(err)}), widget.DangerImportance)
				return
			}
			c.msgs = ms
			c.render()
		})
		if err == nil && slices.ContainsFunc(ms, unread) {
			if _, err := c.sh.b.MarkRead(c.sh.ctx, cmp.Or(booking, peer)); err != nil {
				slog.Warn("mark messages read", "booking", booking, "peer", peer, "err", err)
			}
		}
	}()
}

// messages are those about booking, or with peer outside any booking when
// booking is "".
func (c *conversation) messages(booking, peer string) ([]app.Message, error) {
	if booking != "" {
		return c.sh.b.MessagesFor(c.sh.ctx, booking)
	}
	ms, err := c.sh.b.Messages(c.sh.ctx, peer)
	return slices.DeleteFunc(ms, func(m app.Message) bool { return m.BookingID != "" }), err
}

// unread is an incoming message the user has not been shown yet.
func unread(m app.Message) bool { return !m.Outgoing && m.Status == "received" }

// render lays the messages out, newest at the bottom. UI goroutine only.
func (c *conversation) render() {
	c.box.RemoveAll()
	if len(c.msgs) == 0 {
		l := widget.NewLabelWithStyle(lang.L("No messages yet. What you write is sealed so that only they read it."), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
		l.Wrapping = fyne.TextWrapWord
		c.box.Add(l)
	}
	for _, m := range c.msgs {
		c.box.Add(messageRow(m))
	}
	c.box.Refresh()
	// The scroll learns the new height of the messages first, so that the
	// newest is in view even when the pane was just shown.
	c.scroll.Refresh()
	c.scroll.ScrollToBottom()
}

// messageRow is one message: a chat as a bubble on the sender's side, any
// other kind as a line of its own.
func messageRow(m app.Message) fyne.CanvasObject {
	meta := formatDateTime(m.SentAt.Local())
	if s := messageStatus(m); s != "" {
		meta += " · " + s
	}
	if m.Kind != app.MessageChat {
		l := widget.NewLabelWithStyle(kindText(m)+" · "+meta, fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
		l.SizeName = theme.SizeNameCaptionText
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	text := widget.NewLabel(m.Text)
	text.Wrapping = fyne.TextWrapWord
	caption := widget.NewLabel(meta)
	caption.SizeName = theme.SizeNameCaptionText
	gap := canvas.NewRectangle(nil)
	gap.SetMinSize(fyne.NewSize(80, 0))
	if m.Outgoing {
		caption.Alignment = fyne.TextAlignTrailing
		bubble := newTint(theme.ColorNamePrimary, 0x38, container.NewPadded(text))
		return container.NewBorder(nil, nil, gap, nil, container.NewVBox(bubble, caption))
	}
	bubble := newTint(theme.ColorNameInputBackground, 0xff, container.NewPadded(text))
	return container.NewBorder(nil, nil, nil, gap, container.NewVBox(bubble, caption))
}

// messageStatus words an outgoing message's delivery status; "" for an
// incoming one.
func messageStatus(m app.Message) string {
	if !m.Outgoing {
		return ""
	}
	switch m.Status {
	case "queued":
		return lang.L("waiting to send")
	case "sent":
		return lang.L("sent, held for them")
	case "delivered":
		return lang.L("delivered")
	case "read":
		return lang.L("read")
	case "failed":
		return lang.L("refused")
	case "expired":
		return lang.L("not delivered")
	}
	return m.Status
}

// kindText names a message that is not a chat.
func kindText(m app.Message) string {
	step := map[string]string{
		"booking/request":  lang.L("Booking request"),
		"booking/accept":   lang.L("Booking accepted"),
		"booking/decline":  lang.L("Booking declined"),
		"booking/cancel":   lang.L("Booking cancelled"),
		"booking/complete": lang.L("Booking completed"),
		"booking/paid":     lang.L("Marked paid"),
		"booking/received": lang.L("Payment received"),
		"review/note":      lang.L("A note with the review"),
	}[m.Kind]
	if step == "" {
		step = sentence(strings.ReplaceAll(m.Kind, "/", " "))
	}
	if m.Outgoing {
		return lang.L("{{.Step}} (you)", tdata{"Step": step})
	}
	return step
}

// submit sends what is written, off the UI goroutine.
func (c *conversation) submit() {
	text := strings.TrimSpace(c.entry.Text)
	if text == "" || c.peer == "" || c.sending {
		return
	}
	c.sending = true
	c.send.Disable()
	showPosting(c.activity, c.status, true, lang.L("Sending…"))
	booking, peer := c.booking, c.peer
	c.sh.wg.Add(1)
	go func() {
		defer c.sh.wg.Done()
		var err error
		if booking != "" {
			_, err = c.sh.b.SendBookingMessage(c.sh.ctx, booking, text)
		} else {
			_, err = c.sh.b.SendChat(c.sh.ctx, peer, text)
		}
		c.sh.do(func() {
			c.sending = false
			c.send.Enable()
			showPosting(c.activity, c.status, false, "")
			if booking != c.booking || peer != c.peer {
				return
			}
			if err != nil {
				showStatus(c.status, lang.L("Not sent: {{.Err}}", tdata{"Err": errorText(err)}), widget.DangerImportance)
				return
			}
			if strings.TrimSpace(c.entry.Text) == text {
				c.entry.SetText("")
			}
			c.load()
		})
	}()
}
