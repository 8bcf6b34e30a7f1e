package bot

import (
	"crypto/rand"
	"encoding/base32"
	"sync"
	"time"

	"github.com/verbatim-bot/verbatim/retrieval"
)

// questionCache remembers questions behind "More results" and "Closest
// passages" buttons, under a short random token (a custom_id holds at most 100 characters; a question
// may be longer). Entries expire, and the oldest go when it is full.
type questionCache struct {
	mu    sync.Mutex
	items map[string]pendingQuestion
	order []string
	size  int
	ttl   time.Duration
	now   func() time.Time
}

type pendingQuestion struct {
	q       retrieval.Question
	expires time.Time
}

func newQuestionCache(size int, ttl time.Duration) *questionCache {
	return &questionCache{items: map[string]pendingQuestion{}, size: size, ttl: ttl, now: time.Now}
}

// put stores a question and returns its token.
func (c *questionCache) put(q retrieval.Question) string {
	var raw [10]byte
	_, _ = rand.Read(raw[:])
	tok := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.order) >= c.size {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
	c.items[tok] = pendingQuestion{q: q, expires: c.now().Add(c.ttl)}
	c.order = append(c.order, tok)
	return tok
}

// get returns the question of a token that has not expired.
func (c *questionCache) get(tok string) (retrieval.Question, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.items[tok]
	if !ok || c.now().After(p.expires) {
		return retrieval.Question{}, false
	}
	return p.q, true
}
