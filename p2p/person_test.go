package p2p

import (
	"strings"
	"testing"

	"github.com/caravan-p2p/caravan/domain"
)

func TestPersonTopicNames(t *testing.T) {
	id, err := domain.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	key := domain.PersonTopic(id.Author())
	tests := []struct {
		key, topic string
		ok         bool
	}{
		{key, "caravan/1/person/" + strings.TrimPrefix(key, "person/"), true},
		{"6/32/22", "caravan/1/cell/6/32/22", true},
		{"person/xyz", "", false},
		{"12/1/1", "", false},
	}
	for _, tc := range tests {
		if err := checkCell(tc.key); (err == nil) != tc.ok {
			t.Errorf("checkCell(%q) = %v, want ok %v", tc.key, err, tc.ok)
		}
		if tc.ok && TopicName(tc.key) != tc.topic {
			t.Errorf("TopicName(%q) = %q, want %q", tc.key, TopicName(tc.key), tc.topic)
		}
	}
	if _, _, err := parseAnnouncement([]byte(`{"seq":1,"cells":["` + key + `","6/32/22"]}`)); err != nil {
		t.Errorf("an announcement with a person topic refused: %v", err)
	}
}
