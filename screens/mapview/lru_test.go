package mapview

import (
	"fmt"
	"image"
	"sync"
	"testing"
)

func TestLRUBound(t *testing.T) {
	c := newLRU(3)
	imgs := make([]*image.RGBA, 5)
	for i := range imgs {
		imgs[i] = image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	c.add("a", imgs[0])
	c.add("b", imgs[1])
	c.add("c", imgs[2])
	c.get("a") // a is now the most recent; b the least
	c.add("d", imgs[3])
	if c.len() != 3 {
		t.Fatalf("len = %d, want 3", c.len())
	}
	if _, ok := c.get("b"); ok {
		t.Error("b should have been evicted")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s missing", k)
		}
	}
	c.add("a", imgs[4])
	if img, _ := c.get("a"); img != imgs[4] {
		t.Error("re-adding a key should replace its image")
	}
}

func TestLRUConcurrent(t *testing.T) {
	c := newLRU(16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := fmt.Sprint(g, i%40)
				c.add(k, image.NewRGBA(image.Rect(0, 0, 1, 1)))
				c.get(k)
			}
		})
	}
	wg.Wait()
	if c.len() > 16 {
		t.Fatalf("len = %d, over the bound 16", c.len())
	}
}
