package screens

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

// question is a conversation outside any booking: what someone asked before
// booking, or what the user asked an owner.
type question struct {
	Peer   string
	Last   app.Message // the newest message
	Unread int         // received and not shown yet
}

// questionsOf groups the chats outside bookings by the other party, the
// most recent conversation first.
func questionsOf(ms []app.Message) []question {
	byPeer := map[string]*question{}
	var out []*question
	for _, m := range ms {
		if m.BookingID != "" || m.Kind != app.MessageChat {
			continue
		}
		peer := m.From
		if m.Outgoing {
			peer = m.To
		}
		q := byPeer[peer]
		if q == nil {
			q = &question{Peer: peer}
			byPeer[peer] = q
			out = append(out, q)
		}
		if !m.SentAt.Before(q.Last.SentAt) {
			q.Last = m
		}
		if unread(m) {
			q.Unread++
		}
	}
	slices.SortFunc(out, func(a, b *question) int { return b.Last.SentAt.Compare(a.Last.SentAt) })
	res := make([]question, len(out))
	for i, q := range out {
		res[i] = *q
	}
	return res
}

// questionRow is one conversation in the list: who, the last words, when.
type questionRow struct {
	widget.BaseWidget
	who, last *widget.Label
}

func newQuestionRow() *questionRow {
	r := &questionRow{who: widget.NewLabel(""), last: widget.NewLabel("")}
	r.who.TextStyle = fyne.TextStyle{Bold: true}
	r.last.SizeName = theme.SizeNameCaptionText
	r.last.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *questionRow) set(q question, name string) {
	who := name
	if q.Unread > 0 {
		who = lang.N("{{.Name}} · {{.Count}} new", q.Unread, tdata{"Name": name, "Count": q.Unread})
	}
	r.who.SetText(who)
	line := lang.L("{{.Text}} · {{.When}}", tdata{"Text": q.Last.Text, "When": formatDateTime(q.Last.SentAt)})
	if q.Last.Outgoing {
		line = lang.L("You: {{.Text}} · {{.When}}", tdata{"Text": q.Last.Text, "When": formatDateTime(q.Last.SentAt)})
	}
	r.last.SetText(line)
}

func (r *questionRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewVBox(r.who, r.last))
}

// loadQuestions fetches the conversations outside bookings off the UI
// goroutine and shows them. UI goroutine only.
func (s *tripsScreen) loadQuestions() {
	s.qgen++
	gen := s.qgen
	s.sh.wg.Add(1)
	go func() {
		defer s.sh.wg.Done()
		ms, err := s.sh.b.Messages(s.sh.ctx, "")
		qs := questionsOf(ms)
		names := map[string]string{}
		for _, q := range qs {
			names[q.Peer] = shortID(q.Peer)
			if p, err := s.sh.b.Profile(s.sh.ctx, q.Peer); err == nil && p.Found {
				names[q.Peer] = p.DisplayName()
			}
		}
		s.sh.do(func() {
			if gen != s.qgen || err != nil {
				return
			}
			s.questions, s.qnames = qs, names
			s.questionList.Refresh()
			if len(qs) == 0 {
				s.questionNote.SetText(lang.L("No questions. Ask a host from a listing's page, before you book."))
			} else {
				s.questionNote.SetText(lang.N("{{.Count}} conversations outside bookings", len(qs), tdata{"Count": len(qs)}))
			}
		})
	}()
}

// openQuestion shows the conversation with peer outside bookings. UI
// goroutine only.
func (s *tripsScreen) openQuestion(peer string) {
	s.selected = ""
	s.renterList.UnselectAll()
	s.ownerList.UnselectAll()
	s.placeholder.Hide()
	s.right.Hide()
	s.qconv.setPeer(peer)
	s.qconv.content.Show()
}

// askHost brings Trips to the front with the conversation with a listing's
// owner, ready to write a question before booking. UI goroutine only.
func (s *tripsScreen) askHost(owner string) {
	s.sh.show(tabTrips)
	s.openQuestion(owner)
	s.sh.win.Canvas().Focus(s.qconv.entry)
}
