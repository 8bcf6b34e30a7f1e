package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// Limits are the operator's bounds on feeds (config: the feeds section).
// Zero values mean the defaults.
type Limits struct {
	// Every is the interval of a feed followed without one; at least
	// MinEvery. Default 15 minutes.
	Every time.Duration
	// MaxFeedsPerScope caps the feeds one server (or the global library)
	// follows. Default 20.
	MaxFeedsPerScope int
	// MaxArticlesPerDay caps the articles feeds add to one scope in a UTC
	// day; what is over waits for the next day. Default 200.
	MaxArticlesPerDay int
	// MaxFeedBytes caps a feed document. Default corpus.DefaultFeedMaxBytes.
	MaxFeedBytes int64
	// MaxItemsPerPoll is how many of a feed's newest items one read
	// considers. Default 50.
	MaxItemsPerPoll int
}

// Options configure a Service.
type Options struct {
	Lib *retrieval.Library
	// Fetch are the fetcher's options (its AllowHosts apply to every
	// feed; a feed's own AllowHosts add to them).
	Fetch  corpus.FetchOptions
	Limits Limits
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Jitter returns a random duration in [0, max); nil means uniform.
	Jitter func(max time.Duration) time.Duration
	// Observe, when set, is told each outcome: what is "poll" or "item",
	// outcome one of the Poll* or Outcome* constants.
	Observe func(what, outcome string)
}

// Service follows feeds and polls them. It is safe for concurrent use;
// polls are serialized.
type Service struct {
	lib     *retrieval.Library
	fetch   corpus.FetchOptions
	limits  Limits
	log     *slog.Logger
	now     func() time.Time
	jitter  func(time.Duration) time.Duration
	observe func(what, outcome string)

	pollMu   sync.Mutex
	mu       sync.Mutex
	fetchers map[string]*corpus.Fetcher // by the feed's allowed hosts
}

// New returns a Service over the library.
func New(opts Options) (*Service, error) {
	if opts.Lib == nil {
		return nil, errors.New("feeds: no library")
	}
	l := opts.Limits
	if l.Every == 0 {
		l.Every = DefaultEvery
	}
	if l.Every < MinEvery {
		return nil, fmt.Errorf("feeds: an interval of %s is under the minimum of %s", l.Every, MinEvery)
	}
	if l.MaxFeedsPerScope <= 0 {
		l.MaxFeedsPerScope = DefaultMaxFeedsPerScope
	}
	if l.MaxArticlesPerDay <= 0 {
		l.MaxArticlesPerDay = DefaultMaxArticlesPerDay
	}
	if l.MaxFeedBytes <= 0 {
		l.MaxFeedBytes = corpus.DefaultFeedMaxBytes
	}
	if l.MaxItemsPerPoll <= 0 {
		l.MaxItemsPerPoll = DefaultMaxItemsPerPoll
	}
	s := &Service{lib: opts.Lib, fetch: opts.Fetch, limits: l, log: opts.Log, now: opts.Now, jitter: opts.Jitter,
		observe: opts.Observe, fetchers: map[string]*corpus.Fetcher{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.jitter == nil {
		s.jitter = func(max time.Duration) time.Duration {
			if max <= 0 {
				return 0
			}
			return rand.N(max)
		}
	}
	if s.observe == nil {
		s.observe = func(string, string) {}
	}
	return s, nil
}

// Limits returns the limits in force, defaults filled in.
func (s *Service) Limits() Limits { return s.limits }

// fetcher returns the fetcher for a feed: the service's options with the
// feed's allowed hosts added.
func (s *Service) fetcher(f *Feed) *corpus.Fetcher {
	hosts := append(slices.Clone(s.fetch.AllowHosts), f.AllowHosts...)
	sort.Strings(hosts)
	key := strings.Join(hosts, " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if fe := s.fetchers[key]; fe != nil {
		return fe
	}
	opts := s.fetch
	opts.AllowHosts = hosts
	fe := corpus.NewFetcher(opts)
	s.fetchers[key] = fe
	return fe
}

// FollowRequest is what a moderator or operator asks to follow.
type FollowRequest struct {
	URL        string
	Scope      string
	Every      time.Duration // 0: the default
	AllowHosts []string
	AddedBy    string
}

// Follow checks that req.URL is a feed, or a page that advertises one, by
// reading it once, and follows it in req.Scope: it is due at once. A feed
// the scope already follows is refused with ErrAlreadyFollowed, one over
// the scope's cap with ErrTooManyFeeds, an address that is no feed with
// ErrNoFeed; fetch errors wrap corpus's sentinels.
func (s *Service) Follow(ctx context.Context, req FollowRequest) (*Feed, error) {
	if req.Scope == "" {
		req.Scope = corpus.GlobalScope
	}
	if !corpus.ValidScope(req.Scope) {
		return nil, fmt.Errorf("%w: scope %q", corpus.ErrInvalid, req.Scope)
	}
	if req.Every == 0 {
		req.Every = s.limits.Every
	}
	if req.Every < MinEvery {
		return nil, fmt.Errorf("%w: an interval of %s is under the minimum of %s", corpus.ErrInvalid, req.Every, MinEvery)
	}
	u := strings.TrimSpace(req.URL)
	f := &Feed{ID: feedID(req.Scope, u), Scope: req.Scope, URL: u, FeedURL: u, Every: req.Every,
		AllowHosts: req.AllowHosts, AddedBy: req.AddedBy, AddedAt: s.now().UTC().Truncate(time.Second), Items: map[string]*Item{}}
	if err := s.checkRoom(ctx, f); err != nil {
		return nil, err
	}
	doc, err := s.readFeed(ctx, f)
	if err != nil {
		return nil, err
	}
	f.Title = strings.TrimSpace(doc.Title)
	// The first poll reads the feed in full: it has added nothing yet.
	f.Validators = corpus.Validators{}
	f.NextPoll = f.AddedAt
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	err = s.lib.UpdateRecord(ctx, RecordKind, f.ID, func(old []byte) ([]byte, error) {
		if old != nil {
			return nil, fmt.Errorf("%s: %w as feed %s", u, ErrAlreadyFollowed, f.ID)
		}
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("following a feed", "feed", f.ID, "scope", f.Scope, "url", f.FeedURL, "title", f.Title)
	return f, nil
}

// checkRoom refuses a feed the scope already follows or one over its cap.
func (s *Service) checkRoom(ctx context.Context, f *Feed) error {
	all, err := s.List(ctx, f.Scope)
	if err != nil {
		return err
	}
	for _, g := range all {
		if g.ID == f.ID || corpus.CanonicalURL(g.FeedURL) == corpus.CanonicalURL(f.URL) {
			return fmt.Errorf("%s: %w as feed %s", f.URL, ErrAlreadyFollowed, g.ID)
		}
	}
	if len(all) >= s.limits.MaxFeedsPerScope {
		return fmt.Errorf("%w: this library follows %d feeds, the most allowed", ErrTooManyFeeds, len(all))
	}
	return nil
}

// List returns the feeds a scope follows ("" for every scope), by id.
func (s *Service) List(ctx context.Context, scope string) ([]*Feed, error) {
	recs, err := s.lib.Records(ctx, RecordKind)
	if err != nil {
		return nil, err
	}
	var out []*Feed
	for _, r := range recs {
		f, err := decodeFeed(r.Value)
		if err != nil {
			s.log.Error("skipping a feed record", "key", r.Key, "err", err)
			continue
		}
		if scope == "" || f.Scope == scope {
			out = append(out, f)
		}
	}
	return out, nil
}

// Get returns one feed of a scope ("" for any scope).
func (s *Service) Get(ctx context.Context, scope, id string) (*Feed, error) {
	b, err := s.lib.Record(ctx, RecordKind, id)
	if errors.Is(err, corpus.ErrNotFound) {
		return nil, fmt.Errorf("feed %q: %w", id, ErrNotFollowed)
	} else if err != nil {
		return nil, err
	}
	f, err := decodeFeed(b)
	if err != nil {
		return nil, err
	}
	if scope != "" && f.Scope != scope {
		return nil, fmt.Errorf("feed %q: %w", id, ErrNotFollowed)
	}
	return f, nil
}

// Unfollow stops following a feed of a scope ("" for any scope). The
// articles it added stay in the library.
func (s *Service) Unfollow(ctx context.Context, scope, id string) (*Feed, error) {
	var gone *Feed
	err := s.lib.UpdateRecord(ctx, RecordKind, id, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, fmt.Errorf("feed %q: %w", id, ErrNotFollowed)
		}
		f, err := decodeFeed(old)
		if err != nil {
			return nil, err
		}
		if scope != "" && f.Scope != scope {
			return nil, fmt.Errorf("feed %q: %w", id, ErrNotFollowed)
		}
		gone = f
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("unfollowed a feed", "feed", id, "scope", gone.Scope, "url", gone.FeedURL)
	return gone, nil
}
