package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// RecordKind is the kind of the store records that hold feeds (one per
// followed feed, with its polling state); an export carries them.
const RecordKind = "feed"

// Defaults and bounds of Limits.
const (
	DefaultEvery             = 15 * time.Minute
	MinEvery                 = 5 * time.Minute
	MaxBackoff               = 24 * time.Hour
	DefaultMaxFeedsPerScope  = 20
	DefaultMaxArticlesPerDay = 200
	DefaultMaxItemsPerPoll   = 50
	// MaxItemAttempts is how often an item whose fetch failed for a
	// transient reason (a timeout, a refused connection) is tried.
	MaxItemAttempts = 3
	// maxItemMemory is how many items a feed remembers; the oldest seen are
	// forgotten first (a forgotten item that comes back is found in the
	// library by its URL or text, at the cost of a fetch).
	maxItemMemory = 1000
)

// Item outcomes, as recorded and as counted in metrics.
const (
	OutcomeAdded     = "added"
	OutcomeDuplicate = "duplicate"
	OutcomeFailed    = "failed"  // given up: the reason is recorded
	OutcomeRetry     = "retry"   // failed for a transient reason; tried again later
	OutcomeCapped    = "capped"  // left for another day: the scope's daily cap was reached
	OutcomeSkipped   = "skipped" // not an article: no link
)

// Poll outcomes, as counted in metrics.
const (
	PollOK          = "ok"
	PollNotModified = "not_modified"
	PollError       = "error"
)

// Feed is a followed feed and everything known of it: one store record.
type Feed struct {
	ID    string `json:"id"`
	Scope string `json:"scope"`
	// URL is the address given; FeedURL the feed document's (the same, or
	// the feed a page at URL advertises).
	URL        string        `json:"url"`
	FeedURL    string        `json:"feed_url"`
	Title      string        `json:"title,omitempty"`
	Every      time.Duration `json:"every"`
	AllowHosts []string      `json:"allow_hosts,omitempty"`
	AddedBy    string        `json:"added_by"`
	AddedAt    time.Time     `json:"added_at"`

	Validators corpus.Validators `json:"validators,omitzero"`
	LastPolled time.Time         `json:"last_polled,omitzero"` // last attempt
	LastOK     time.Time         `json:"last_ok,omitzero"`     // last read without error
	NextPoll   time.Time         `json:"next_poll"`
	LastError  string            `json:"last_error,omitempty"`
	Failures   int               `json:"failures,omitempty"` // consecutive failed reads
	Added      int               `json:"added"`              // articles added, ever
	Day        string            `json:"day,omitempty"`      // the UTC day AddedToday counts
	AddedToday int               `json:"added_today,omitempty"`
	// Items is what became of each item seen, by its key (guid, else link).
	Items map[string]*Item `json:"items,omitempty"`
}

// Item is what became of one item of a feed.
type Item struct {
	Link     string    `json:"link,omitempty"`
	Outcome  string    `json:"outcome"`
	Source   string    `json:"source,omitempty"` // the source added, or already held
	Reason   string    `json:"reason,omitempty"` // why it failed
	Attempts int       `json:"attempts,omitempty"`
	Seen     time.Time `json:"seen"` // last seen in the feed
}

// Failed lists the items given up on, by key, in key order.
func (f *Feed) Failed() []string {
	var out []string
	for k, it := range f.Items {
		if it.Outcome == OutcomeFailed {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// feedID is the id of the feed at rawURL in scope: short and stable.
func feedID(scope, rawURL string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + corpus.CanonicalURL(rawURL)))
	return hex.EncodeToString(sum[:4])
}

// decodeFeed reads a feed record.
func decodeFeed(b []byte) (*Feed, error) {
	var f Feed
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("a feed record cannot be decoded: %w", err)
	}
	if f.Items == nil {
		f.Items = map[string]*Item{}
	}
	return &f, nil
}

// forget drops the items seen longest ago while there are more than max.
func (f *Feed) forget(max int) {
	if len(f.Items) <= max {
		return
	}
	keys := make([]string, 0, len(f.Items))
	for k := range f.Items {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return f.Items[keys[i]].Seen.Before(f.Items[keys[j]].Seen) })
	for _, k := range keys[:len(keys)-max] {
		delete(f.Items, k)
	}
}

// ErrNotFollowed is returned for a feed id the scope does not follow.
var ErrNotFollowed = errors.New("no such feed")

// ErrAlreadyFollowed is returned when the scope already follows the feed.
var ErrAlreadyFollowed = errors.New("already followed")

// ErrTooManyFeeds is returned when the scope follows as many feeds as allowed.
var ErrTooManyFeeds = errors.New("too many feeds")

// ErrNoFeed is returned for a page that is not a feed and advertises none,
// or a document that cannot be read as a feed.
var ErrNoFeed = errors.New("not a feed")
