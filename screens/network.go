package screens

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/caravan-p2p/caravan/app"
)

const (
	// networkPoll is how often the Network screen refreshes while it is in
	// front: connections and scores change without events.
	networkPoll = 3 * time.Second
	// networkTimeout bounds one load of the network state.
	networkTimeout = 10 * time.Second
	// fewAddrs is how many addresses show until the user asks for all.
	fewAddrs = 4
)

// networkScreen shows this peer on the network: its ID and addresses to give
// to a friend, the connected peers, the cells it follows and what its store
// holds, so that an empty market can be told from one that has not arrived.
//
// Loads run on a goroutine of the screen (run), as for the rooms: reload asks
// for one from any goroutine and requests made meanwhile fold into one.
type networkScreen struct {
	sh      *shell
	kick    chan struct{} // capacity 1: a pending load request
	visible atomic.Bool   // the Network tab is in front

	// The rest belongs to the UI goroutine.
	status  app.Status
	peers   []app.PeerInfo
	loaded  bool
	allAddr bool // show every address, not just the first fewAddrs
	loadErr error
	peerErr error // Peers failed: app.ErrNotRunning when no node runs

	content  fyne.CanvasObject
	summary  *widget.Label
	errLine  *widget.Label
	idLabel  *widget.Label
	idCopy   *widget.Button
	addrs    *fyne.Container // one addrRow per listen address shown
	moreAddr *widget.Button  // "Show all 9 addresses" / "Show fewer"
	moreRow  *fyne.Container // holds moreAddr at its natural width
	addrNote *note
	peersHdr *widget.Label
	list     *widget.List
	empty    *fyne.Container
	emptyMsg *widget.Label
	cellsHdr *widget.Label
	cells    *widget.Label
	records  *widget.Label
	outbox   *note
	rejHdr   *widget.Label
	rejected *widget.Label
}

func newNetworkScreen(sh *shell) *networkScreen {
	s := &networkScreen{sh: sh, kick: make(chan struct{}, 1)}

	title := widget.NewLabelWithStyle(lang.L("Network"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	s.summary = widget.NewLabel(lang.L("Looking at the network…"))
	s.summary.Wrapping = fyne.TextWrapWord
	s.errLine = widget.NewLabel("")
	s.errLine.Importance = widget.DangerImportance
	s.errLine.Wrapping = fyne.TextWrapWord
	s.errLine.Hide()

	s.idLabel = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.idLabel.Wrapping = fyne.TextWrapBreak
	s.idCopy = widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		s.copy(s.status.PeerID, lang.L("Your peer ID is on the clipboard."))
	})
	s.idCopy.Disable()
	idRow := container.NewBorder(nil, nil, bold(lang.L("Your peer ID")), s.idCopy, s.idLabel)

	s.addrs = container.NewVBox()
	s.moreAddr = widget.NewButton("", func() {
		s.allAddr = !s.allAddr
		s.setAddrs(s.status.Addrs)
	})
	s.moreAddr.Importance = widget.LowImportance
	s.moreRow = container.NewHBox(s.moreAddr)
	s.moreRow.Hide()
	s.addrNote = newNote(theme.SizeNameCaptionText)
	s.addrNote.set(lang.L("To connect with a friend elsewhere, give them an address they can reach; they "+
		"start Caravan, or caravan node, with --peer <address>."), theme.ColorNamePlaceHolder)
	top := container.NewVBox(
		container.NewBorder(nil, nil, title, nil, s.summary),
		s.errLine,
		idRow,
		bold(lang.L("Your addresses")),
		s.addrs,
		s.moreRow,
		s.addrNote.rt,
	)

	s.peersHdr = bold(lang.L("Connected peers"))
	s.list = widget.NewList(
		func() int { return len(s.peers) },
		func() fyne.CanvasObject { return newPeerRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(s.peers) {
				o.(*peerRow).set(s.peers[id])
			}
		},
	)
	s.list.OnSelected = func(widget.ListItemID) { s.list.UnselectAll() }
	s.emptyMsg = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	s.emptyMsg.Wrapping = fyne.TextWrapWord
	s.empty = container.NewVBox(layout.NewSpacer(), s.emptyMsg, layout.NewSpacer())
	peersPane := container.NewBorder(s.peersHdr, nil, nil, nil, container.NewStack(s.list, s.empty))

	s.cellsHdr = bold(lang.L("Cells followed"))
	s.cells = widget.NewLabel("")
	s.cells.Wrapping = fyne.TextWrapWord
	s.records = widget.NewLabel("")
	s.records.Wrapping = fyne.TextWrapWord
	s.outbox = newNote(theme.SizeNameText)
	s.rejHdr = bold(lang.L("Records refused"))
	s.rejected = widget.NewLabel("")
	s.rejected.Wrapping = fyne.TextWrapWord
	syncNote := newNote(theme.SizeNameCaptionText)
	syncNote.set(lang.L("Records of these cells are caught up with each peer that shares them when it "+
		"connects and every few minutes; a market that looks empty may still be arriving."),
		theme.ColorNamePlaceHolder)
	details := container.NewVBox(
		s.cellsHdr, s.cells, syncNote.rt,
		widget.NewSeparator(),
		bold(lang.L("Records stored")), s.records, s.outbox.rt,
		widget.NewSeparator(),
		s.rejHdr, s.rejected,
	)

	split := container.NewHSplit(container.NewPadded(peersPane), container.NewVScroll(container.NewPadded(details)))
	split.Offset = 0.6
	s.content = container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
	s.refresh()
	return s
}

// bold is a label for a section.
func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// setVisible tells the screen whether its tab is in front; it loads at once
// when it comes to the front. UI goroutine.
func (s *networkScreen) setVisible(v bool) {
	if v && !s.visible.Load() {
		s.reload()
	}
	s.visible.Store(v)
}

// reload asks for the network state to be loaded again. Any goroutine may
// call it; calls made while a load is pending or running coalesce.
func (s *networkScreen) reload() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// changed is called by the shell on PeersChanged and RecordsChanged events:
// the screen reloads when it is in front, and anyway when it comes to it.
func (s *networkScreen) changed() {
	if s.visible.Load() {
		s.reload()
	}
}

// run loads the network state whenever reload asks, and every networkPoll
// while the screen is in front, until ctx ends.
func (s *networkScreen) run(ctx context.Context) {
	tick := time.NewTicker(networkPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-tick.C:
			if !s.visible.Load() {
				continue
			}
		}
		lctx, cancel := context.WithTimeout(ctx, networkTimeout)
		st, err := s.sh.b.Status(lctx)
		var peers []app.PeerInfo
		var perr error
		if err == nil {
			peers, perr = s.sh.b.Peers(lctx)
		}
		cancel()
		if ctx.Err() != nil {
			return
		}
		peers = slices.Clone(peers)
		slices.SortFunc(peers, func(a, b app.PeerInfo) int { return strings.Compare(a.PeerID, b.PeerID) })
		s.sh.do(func() { s.apply(st, peers, err, perr) })

		select {
		case <-ctx.Done():
			return
		case <-time.After(reloadGap):
		}
	}
}

// apply shows the outcome of a load.
func (s *networkScreen) apply(st app.Status, peers []app.PeerInfo, err, perr error) {
	if err != nil {
		s.loadErr = err
	} else {
		s.loadErr, s.loaded = nil, true
		s.status, s.peers, s.peerErr = st, peers, perr
	}
	s.refresh()
}

// refresh brings every widget of the screen in line with its state.
func (s *networkScreen) refresh() {
	if s.loadErr != nil {
		s.errLine.SetText(lang.L("Couldn't read the network state: {{.Err}}", tdata{"Err": s.loadErr}))
		s.errLine.Show()
	} else {
		s.errLine.Hide()
	}
	if !s.loaded {
		s.empty.Hide()
		return
	}
	st := s.status
	s.summary.SetText(networkSummary(st, len(s.peers), s.peerErr))

	s.idLabel.SetText(st.PeerID)
	if st.PeerID != "" {
		s.idCopy.Enable()
	}
	s.setAddrs(st.Addrs)

	if len(s.peers) == 0 {
		s.peersHdr.SetText(lang.L("Connected peers"))
		if errors.Is(s.peerErr, app.ErrNotRunning) || (s.peerErr == nil && !st.Running) {
			s.emptyMsg.SetText(lang.L("Not connected: Caravan's network part is not running."))
		} else if s.peerErr != nil {
			s.emptyMsg.SetText(lang.L("Couldn't list the peers: {{.Err}}", tdata{"Err": s.peerErr}))
		} else {
			s.emptyMsg.SetText(lang.L("No peers yet. Peers on your local network are found automatically; " +
				"to reach a friend elsewhere, give them your address above."))
		}
		s.list.Hide()
		s.empty.Show()
	} else {
		s.peersHdr.SetText(lang.L("Connected peers ({{.Count}})", countOf(len(s.peers))))
		s.empty.Hide()
		s.list.Show()
	}
	s.list.Refresh()

	s.cellsHdr.SetText(lang.L("Cells followed ({{.Count}})", countOf(len(st.Cells))))
	if len(st.Cells) == 0 {
		s.cells.SetText(lang.L("None yet. Caravan follows the areas you look at on the map, those of your " +
			"own listings, and their neighbours."))
	} else {
		lines := make([]string, len(st.Cells))
		now := time.Now()
		for i, c := range st.Cells {
			lines[i] = formatCell(c) + "\n    " + formatCellSync(c, st.Sync, now)
		}
		s.cells.SetText(strings.Join(lines, "\n"))
	}

	s.records.SetText(formatRecordCounts(st.Records, st.ByKind))
	if st.Outbox > 0 {
		s.outbox.set(lang.N("{{.Count}} of your posts are waiting to be published; they go out when a peer that follows their area is connected.", st.Outbox, countOf(st.Outbox)),
			theme.ColorNameWarning)
	} else {
		s.outbox.set("", theme.ColorNamePlaceHolder)
	}

	rej := formatRejections(st.Rejections.ByReason)
	s.rejHdr.Hidden = rej == ""
	s.rejHdr.Refresh()
	s.rejected.SetText(rej)
	s.rejected.Hidden = rej == ""
	s.rejected.Refresh()
}

// setAddrs shows the listen addresses, each with a Copy button, the most
// useful to a friend first; a few unless the user asked for all. Unchanged
// addresses keep their rows.
func (s *networkScreen) setAddrs(addrs []string) {
	addrs = slices.Clone(addrs)
	sort.SliceStable(addrs, func(i, j int) bool { return addrRank(addrs[i]) < addrRank(addrs[j]) })
	switch {
	case len(addrs) <= fewAddrs:
		s.moreRow.Hide()
	case s.allAddr:
		s.moreAddr.SetText(lang.L("Show fewer addresses"))
		s.moreRow.Show()
	default:
		s.moreAddr.SetText(lang.L("Show all {{.Count}} addresses", countOf(len(addrs))))
		s.moreRow.Show()
		addrs = addrs[:fewAddrs]
	}
	var have []string
	for _, o := range s.addrs.Objects {
		if r, ok := o.(*addrRow); ok {
			have = append(have, r.addr)
		}
	}
	if slices.Equal(have, addrs) && len(s.addrs.Objects) > 0 {
		return
	}
	s.addrs.RemoveAll()
	if len(addrs) == 0 {
		l := widget.NewLabel(lang.L("No listen addresses: this peer is not on the network."))
		l.Importance = widget.WarningImportance
		s.addrs.Add(l)
		return
	}
	for _, a := range addrs {
		s.addrs.Add(newAddrRow(a, func() { s.copy(a, lang.L("Your address is on the clipboard.")) }))
	}
}

// copy puts text on the clipboard and says so.
func (s *networkScreen) copy(text, msg string) {
	if text == "" {
		return
	}
	s.sh.app.Clipboard().SetContent(text)
	s.sh.banner.show(msg)
}

// addrRow is a listen address with what it is good for and a Copy button.
type addrRow struct {
	widget.BaseWidget
	addr string
	copy *widget.Button
	row  fyne.CanvasObject
}

func newAddrRow(addr string, onCopy func()) *addrRow {
	l := widget.NewLabelWithStyle(addr, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Wrapping = fyne.TextWrapBreak
	kind := widget.NewLabel(addrScope(addr))
	kind.SizeName = theme.SizeNameCaptionText
	btn := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), onCopy)
	r := &addrRow{addr: addr, copy: btn, row: container.NewBorder(nil, nil, nil, container.NewHBox(kind, btn), l)}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer is part of fyne.Widget.
func (r *addrRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.row) }

// addrScope says who can reach an address.
func addrScope(a string) string {
	switch addrRank(a) {
	case 2:
		return lang.L("this computer only")
	case 1:
		return lang.L("local network")
	}
	return lang.L("public address")
}

// addrRank orders addresses by reach: 0 public, 1 local network, 2 this
// computer only.
func addrRank(a string) int {
	parts := strings.Split(a, "/")
	if len(parts) < 3 {
		return 0
	}
	host := parts[2]
	switch parts[1] {
	case "ip4":
		if strings.HasPrefix(host, "127.") {
			return 2
		}
		if strings.HasPrefix(host, "10.") || strings.HasPrefix(host, "192.168.") || strings.HasPrefix(host, "169.254.") {
			return 1
		}
		if strings.HasPrefix(host, "172.") {
			if oct := strings.Split(host, "."); len(oct) > 1 {
				if n, err := strconv.Atoi(oct[1]); err == nil && n >= 16 && n <= 31 {
					return 1
				}
			}
		}
		if strings.HasPrefix(host, "100.") { // carrier-grade NAT
			if oct := strings.Split(host, "."); len(oct) > 1 {
				if n, err := strconv.Atoi(oct[1]); err == nil && n >= 64 && n <= 127 {
					return 1
				}
			}
		}
	case "ip6":
		h := strings.ToLower(host)
		if h == "::1" {
			return 2
		}
		if strings.HasPrefix(h, "fe80:") || strings.HasPrefix(h, "fc") || strings.HasPrefix(h, "fd") {
			return 1
		}
	}
	return 0
}

// networkSummary is the one-line plain-language state of the network:
// "Connected to 3 peers · reachable: Private (behind a router) · 12 peers in
// the DHT".
func networkSummary(st app.Status, peers int, perr error) string {
	if !st.Running || errors.Is(perr, app.ErrNotRunning) {
		return lang.L("Not connected to the network.")
	}
	var parts []string
	if peers == 0 {
		parts = append(parts, lang.L("Not connected to any peer yet"))
	} else {
		parts = append(parts, lang.N("Connected to {{.Count}} peers", peers, countOf(peers)))
	}
	switch st.NAT {
	case "Public":
		parts = append(parts, lang.L("reachable: Public (others can connect to you)"))
	case "Private":
		parts = append(parts, lang.L("reachable: Private (behind a router)"))
	default:
		parts = append(parts, lang.L("reachable: not known yet"))
	}
	if st.DHTPeers == 0 {
		parts = append(parts, lang.L("no peers in the DHT yet"))
	} else {
		parts = append(parts, lang.N("{{.Count}} peers in the DHT", st.DHTPeers, countOf(st.DHTPeers)))
	}
	return strings.Join(parts, " · ")
}

// formatCell writes a gossip cell "z/x/y" with the place at its centre:
// "6/32/21 · around 48.9° N, 2.8° E".
func formatCell(cell string) string {
	var z, x, y int
	if n, _ := fmt.Sscanf(cell, "%d/%d/%d", &z, &x, &y); n != 3 || z < 0 || z > 30 {
		return cell
	}
	n := math.Exp2(float64(z))
	lon := (float64(x)+0.5)/n*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*(float64(y)+0.5)/n))) * 180 / math.Pi
	hemi := func(v float64, pos, neg string) string {
		if math.Round(v*10) < 0 {
			return fmt.Sprintf("%.1f° %s", -v, neg)
		}
		return fmt.Sprintf("%.1f° %s", math.Abs(v), pos)
	}
	return cell + " · " + lang.L("around {{.Place}}", tdata{"Place": hemi(lat, "N", "S") + ", " + hemi(lon, "E", "W")})
}

// formatCellSync says how far catch-up of a cell has got, from the node's
// sync state: "catching up with 1 peer · 512 records so far", "caught up with
// 2 peers · 3 min ago", or "not caught up with any peer yet".
func formatCellSync(cell string, sync []app.CellSync, now time.Time) string {
	i := slices.IndexFunc(sync, func(c app.CellSync) bool { return c.Cell == cell })
	if i < 0 {
		return lang.L("not caught up with any peer yet")
	}
	c := sync[i]
	var parts []string
	switch {
	case c.Running > 0:
		parts = append(parts, lang.N("catching up with {{.Count}} peers", c.Running, countOf(c.Running)),
			lang.N("{{.Count}} records so far", c.Received, countOf(c.Received)))
	case c.Peers > 0:
		parts = append(parts, lang.N("caught up with {{.Count}} peers", c.Peers, countOf(c.Peers)), formatAge(c.Last, now))
	default:
		parts = append(parts, lang.L("not caught up with any peer yet"))
	}
	if c.Failed != "" {
		parts = append(parts, lang.L("last attempt failed: {{.Err}}", tdata{"Err": c.Failed}))
	}
	return strings.Join(parts, " · ")
}

// kindCount writes a number of records of a kind for people: "3 rooms".
func kindCount(kind string, n int) string {
	d := countOf(n)
	switch kind {
	case "room":
		return lang.N("{{.Count}} rooms", n, d)
	case "ride":
		return lang.N("{{.Count}} rides", n, d)
	case "profile":
		return lang.N("{{.Count}} profiles", n, d)
	case "calendar":
		return lang.N("{{.Count}} calendars", n, d)
	case "tombstone":
		return lang.N("{{.Count}} deletions", n, d)
	case "review":
		return lang.N("{{.Count}} reviews", n, d)
	case "vouch":
		return lang.N("{{.Count}} vouches", n, d)
	}
	return d["Count"].(string) + " " + kind
}

// formatRecordCounts writes "1,204 records: 1,000 rooms · 200 rides · 4
// profiles", largest first.
func formatRecordCounts(total int, byKind map[string]int) string {
	if total == 0 {
		return lang.L("No records yet.")
	}
	kinds := make([]string, 0, len(byKind))
	for k, v := range byKind {
		if v > 0 {
			kinds = append(kinds, k)
		}
	}
	sort.Slice(kinds, func(i, j int) bool {
		if byKind[kinds[i]] != byKind[kinds[j]] {
			return byKind[kinds[i]] > byKind[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	var parts []string
	for _, k := range kinds {
		parts = append(parts, kindCount(k, byKind[k]))
	}
	head := lang.N("{{.Count}} records", total, countOf(total))
	if len(parts) == 0 {
		return head
	}
	return lang.L("{{.Records}}: {{.Kinds}}", tdata{"Records": head, "Kinds": strings.Join(parts, " · ")})
}

// reasonLabel says why records were refused, for people; ok is false for
// a reason it does not know.
func reasonLabel(reason string) (label string, ok bool) {
	switch reason {
	case "malformed":
		return lang.L("not a record"), true
	case "too_large":
		return lang.L("too large"), true
	case "bad_kind":
		return lang.L("unknown kind"), true
	case "bad_id":
		return lang.L("bad id"), true
	case "bad_author":
		return lang.L("bad author"), true
	case "bad_signature":
		return lang.L("bad signature"), true
	case "future":
		return lang.L("dated in the future"), true
	case "expired":
		return lang.L("expired"), true
	case "bad_expiry":
		return lang.L("bad expiry"), true
	case "bad_version":
		return lang.L("bad version"), true
	case "bad_cells":
		return lang.L("wrong cells for its place"), true
	case "bad_body":
		return lang.L("missing or invalid fields"), true
	case "bad_coordinate":
		return lang.L("bad coordinates"), true
	case "not_owner":
		return lang.L("changed by someone not its author"), true
	case "stale":
		return lang.L("older than the copy held"), true
	}
	return "", false
}

// formatRejections writes the refused records by reason, most first, one a
// line: "3 bad signature". "" when none.
func formatRejections(byReason map[string]int) string {
	var reasons []string
	for r, n := range byReason {
		if n > 0 {
			reasons = append(reasons, r)
		}
	}
	if len(reasons) == 0 {
		return ""
	}
	sort.Slice(reasons, func(i, j int) bool {
		if byReason[reasons[i]] != byReason[reasons[j]] {
			return byReason[reasons[i]] > byReason[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	lines := make([]string, len(reasons))
	for i, r := range reasons {
		label, ok := reasonLabel(r)
		if !ok {
			label = strings.ReplaceAll(r, "_", " ")
		}
		lines[i] = groupThousands(strconv.Itoa(byReason[r])) + " " + label
	}
	return strings.Join(lines, "\n")
}

// peerRow is one connected peer: short ID, software, address and score, with
// a warning when the score is negative.
type peerRow struct {
	widget.BaseWidget
	id, agent, addr, score *widget.Label
	warn                   *widget.Icon
	right                  *fyne.Container
}

func newPeerRow() *peerRow {
	r := &peerRow{
		id:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		agent: widget.NewLabel(""),
		addr:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		score: widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{}),
		warn:  widget.NewIcon(theme.WarningIcon()),
	}
	r.agent.Truncation = fyne.TextTruncateEllipsis
	r.addr.Truncation = fyne.TextTruncateEllipsis
	r.addr.SizeName = theme.SizeNameCaptionText
	r.warn.Hide()
	r.right = container.NewHBox(r.warn, r.score)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer is part of fyne.Widget.
func (r *peerRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, r.id, r.right, r.agent)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), top, r.addr))
}

func (r *peerRow) set(p app.PeerInfo) {
	r.id.SetText(shortID(p.PeerID))
	if p.Agent == "" {
		r.agent.SetText(lang.L("unknown software"))
	} else {
		r.agent.SetText(p.Agent)
	}
	if len(p.Addrs) == 0 {
		r.addr.SetText(lang.L("no address known"))
	} else {
		r.addr.SetText(p.Addrs[0])
	}
	bad := p.Score < 0
	if bad {
		r.score.SetText(lang.L("score {{.Score}} · misbehaving", tdata{"Score": formatScore(p.Score)}))
		r.score.Importance = widget.DangerImportance
	} else {
		r.score.SetText(lang.L("score {{.Score}}", tdata{"Score": formatScore(p.Score)}))
		r.score.Importance = widget.MediumImportance
	}
	r.score.Refresh()
	if r.warn.Hidden == bad {
		r.warn.Hidden = !bad
		r.right.Refresh()
	}
}

// formatScore writes a peer score with one decimal: "1.5", in French "1,5".
func formatScore(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", lang.X("number.decimal", "."), 1)
}
