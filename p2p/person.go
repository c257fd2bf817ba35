package p2p

import "github.com/caravan-p2p/caravan/domain"

// Person topics (DESIGN §7): records about a person travel on
// caravan/1/person/<hh> besides their cells. The peer handles a person topic
// by its key, domain.PersonTopic(peer ID) = "person/<hh>", wherever it takes
// a cell: JoinCell, LeaveCell, Cells, SyncCell and the cells announcement, so
// catch-up reconciles the records about a person exactly like those of a cell.

// PersonTopicPrefix is prepended to the hex of a person topic to name its
// GossipSub topic.
const PersonTopicPrefix = "caravan/1/person/"

// JoinPerson subscribes to the topic of the records about a peer ID and
// catches it up with the peers that follow it too, like JoinCell.
func (p *Peer) JoinPerson(peerID string) error { return p.JoinCell(domain.PersonTopic(peerID)) }
