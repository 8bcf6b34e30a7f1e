package corpus

import (
	"container/list"
	"sync"
)

// sourceCacheBytes bounds the text the store keeps decoded (sourceCache).
const sourceCacheBytes = 16 << 20

// sourceCache keeps the sources Get decoded last, so that quoting a passage
// of a source asked about again does not read and decode it again. Any
// write to the store empties it (invalidate), and a Get that read the store
// before a write finished does not fill it (epoch), so it never gives what
// the store no longer holds. The Sources it hands out share their slices
// (Passages, Sentences) and Feed: callers must not modify them, as no
// caller of Get does.
type sourceCache struct {
	mu    sync.Mutex
	epoch uint64
	bytes int
	byID  map[string]*list.Element
	lru   list.List // of *Source, most recent first
}

// get returns the cached source id.
func (c *sourceCache) get(id string) (Source, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok {
		return Source{}, false
	}
	c.lru.MoveToFront(e)
	return *e.Value.(*Source), true
}

// now returns the epoch to give put for a source about to be read.
func (c *sourceCache) now() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// put caches src, read at epoch, unless the store was written since.
func (c *sourceCache) put(epoch uint64, src Source) {
	size := len(src.Text) + 32*len(src.Passages) + 16*len(src.Sentences)
	if size > sourceCacheBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if c.byID == nil {
		c.byID = map[string]*list.Element{}
	}
	if _, ok := c.byID[src.ID]; ok {
		return
	}
	c.byID[src.ID] = c.lru.PushFront(&src)
	c.bytes += size
	for c.bytes > sourceCacheBytes {
		old := c.lru.Remove(c.lru.Back()).(*Source)
		delete(c.byID, old.ID)
		c.bytes -= len(old.Text) + 32*len(old.Passages) + 16*len(old.Sentences)
	}
}

// invalidate empties the cache: the store is being written.
func (c *sourceCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if len(c.byID) > 0 {
		c.byID = nil
		c.lru.Init()
		c.bytes = 0
	}
}
