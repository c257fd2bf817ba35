package mapview

import (
	"container/list"
	"image"
	"sync"
)

// lru is a bounded in-memory cache of decoded tile images, safe for
// concurrent use. When full, adding evicts the least recently used entry.
type lru struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // front is the most recently used
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	img *image.RGBA
}

func newLRU(max int) *lru {
	if max < 1 {
		max = 1
	}
	return &lru{max: max, ll: list.New(), items: make(map[string]*list.Element)}
}

// get returns the image under key and marks it recently used.
func (c *lru) get(key string) (*image.RGBA, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*lruEntry).img, true
	}
	return nil, false
}

// add stores img under key, evicting the oldest entries beyond the bound.
func (c *lru) add(key string, img *image.RGBA) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*lruEntry).img = img
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&lruEntry{key: key, img: img})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*lruEntry).key)
	}
}

// len is the number of entries held.
func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// clear removes every entry.
func (c *lru) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
}
