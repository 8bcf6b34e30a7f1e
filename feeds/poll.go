package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Result is what one read of one feed did.
type Result struct {
	Feed *Feed
	// Outcome is PollOK, PollNotModified or PollError (Err says why).
	Outcome string
	Err     error
	// Items counts the items of this read by outcome (Outcome* constants).
	Items map[string]int
}

// Summary is what a poll did, feed by feed.
type Summary struct {
	Results []Result
}

// Count sums the items of every result with the outcome.
func (s Summary) Count(outcome string) int {
	n := 0
	for _, r := range s.Results {
		n += r.Items[outcome]
	}
	return n
}

// Polls counts the results with a poll outcome.
func (s Summary) Polls(outcome string) int {
	n := 0
	for _, r := range s.Results {
		if r.Outcome == outcome {
			n++
		}
	}
	return n
}

// pollState is what one poll knows across feeds: the items each scope
// already has by key, and what each scope was given today.
type pollState struct {
	today  string
	keys   map[string]map[string]string // scope → item key → source id
	added  map[string]int               // scope → articles added today
	byFeed map[string]*Feed
}

// errGone says a feed was unfollowed while it was being read.
var errGone = errors.New("the feed was unfollowed while it was read")

// PollDue reads every feed that is due (its NextPoll has come) once, adds
// its new items, and returns what happened. Only the library failing (or
// ctx ending) is an error: a feed that cannot be read is a Result with its
// reason, recorded in the feed, and read again after a backoff.
func (s *Service) PollDue(ctx context.Context) (Summary, error) {
	return s.poll(ctx, func(f *Feed, now time.Time) bool { return !f.NextPoll.After(now) })
}

// PollAll reads every feed once now, due or not.
func (s *Service) PollAll(ctx context.Context) (Summary, error) {
	return s.poll(ctx, func(*Feed, time.Time) bool { return true })
}

func (s *Service) poll(ctx context.Context, due func(*Feed, time.Time) bool) (Summary, error) {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	var sum Summary
	all, err := s.List(ctx, "")
	if err != nil {
		return sum, err
	}
	now := s.now()
	st := &pollState{today: now.UTC().Format(time.DateOnly), keys: map[string]map[string]string{}, added: map[string]int{}, byFeed: map[string]*Feed{}}
	for _, f := range all {
		st.byFeed[f.ID] = f
		if st.keys[f.Scope] == nil {
			st.keys[f.Scope] = map[string]string{}
		}
		for k, it := range f.Items {
			if it.Outcome == OutcomeAdded || it.Outcome == OutcomeDuplicate {
				st.keys[f.Scope][k] = it.Source
			}
		}
		if f.Day == st.today {
			st.added[f.Scope] += f.AddedToday
		}
	}
	for _, f := range all {
		if !due(f, now) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		r, err := s.pollFeed(ctx, f, st)
		if errors.Is(err, errGone) {
			continue
		}
		sum.Results = append(sum.Results, r)
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// pollFeed reads one feed and adds its new items. The error is the
// library's or ctx's; the feed's own failure is in the Result.
func (s *Service) pollFeed(ctx context.Context, f *Feed, st *pollState) (Result, error) {
	r := Result{Feed: f, Items: map[string]int{}}
	start := s.now()
	f.LastPolled = start.UTC()
	if f.Day != st.today {
		f.Day, f.AddedToday = st.today, 0
	}
	doc, err := s.readFeed(ctx, f)
	switch {
	case errors.Is(err, errNotModified):
		r.Outcome = PollNotModified
	case err != nil:
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		r.Outcome, r.Err = PollError, err
	default:
		r.Outcome = PollOK
		if t := strings.TrimSpace(doc.Title); t != "" {
			f.Title = t
		}
		if err := s.pollItems(ctx, f, doc, st, &r); err != nil {
			return r, err
		}
	}
	s.observe("poll", r.Outcome)
	now := s.now().UTC()
	if r.Err != nil {
		f.Failures++
		f.LastError = r.Err.Error()
		f.NextPoll = now.Add(backoff(f.Every, f.Failures) + s.jitter(f.Every/10))
		s.log.Warn("reading a feed failed", "feed", f.ID, "scope", f.Scope, "url", f.FeedURL, "failures", f.Failures, "next", f.NextPoll, "err", r.Err)
	} else {
		f.Failures, f.LastError, f.LastOK = 0, "", now
		f.NextPoll = now.Add(f.Every + s.jitter(f.Every/10))
		if r.Items[OutcomeCapped] > 0 {
			f.LastError = fmt.Sprintf("%d items wait: this library was given its %d articles for today", r.Items[OutcomeCapped], s.limits.MaxArticlesPerDay)
		}
	}
	f.forget(maxItemMemory)
	return r, s.save(ctx, f)
}

// backoff is the wait after n consecutive failures: every doubled n times,
// at most MaxBackoff.
func backoff(every time.Duration, n int) time.Duration {
	d := every
	for i := 0; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// save writes a feed's record whole, unless it was unfollowed meanwhile.
func (s *Service) save(ctx context.Context, f *Feed) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	gone := false
	err = s.lib.UpdateRecord(ctx, RecordKind, f.ID, func(old []byte) ([]byte, error) {
		if old == nil {
			gone = true
			return nil, corpus.ErrKeepRecord
		}
		return b, nil
	})
	if err != nil {
		return fmt.Errorf("saving the state of feed %s: %w", f.ID, err)
	}
	if gone {
		return errGone
	}
	return nil
}

// feedItem is one item of a read, with its key, link and date.
type feedItem struct {
	key, link, guid, title string
	date                   *time.Time
}

// items returns the newest MaxItemsPerPoll items of doc, oldest first.
func (s *Service) items(f *Feed, doc *gofeed.Feed) []feedItem {
	base, _ := url.Parse(f.FeedURL)
	var out []feedItem
	for _, it := range doc.Items {
		if it == nil {
			continue
		}
		fi := feedItem{guid: strings.TrimSpace(it.GUID), title: strings.TrimSpace(it.Title), date: it.PublishedParsed}
		if fi.date == nil {
			fi.date = it.UpdatedParsed
		}
		link := strings.TrimSpace(it.Link)
		if link == "" && len(it.Links) > 0 {
			link = strings.TrimSpace(it.Links[0])
		}
		if link != "" && base != nil {
			if u, err := base.Parse(link); err == nil {
				link = u.String()
			}
		}
		fi.link = link
		fi.key = fi.guid
		if fi.key == "" {
			fi.key = link
		}
		if fi.key == "" {
			continue
		}
		out = append(out, fi)
	}
	// Feeds list newest first, as a rule; keep the newest and add oldest first.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].date, out[j].date
		return a != nil && b != nil && a.After(*b)
	})
	if len(out) > s.limits.MaxItemsPerPoll {
		out = out[:s.limits.MaxItemsPerPoll]
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// pollItems adds the new items of a read feed, saving the feed's record
// after each, and counts them in r.
func (s *Service) pollItems(ctx context.Context, f *Feed, doc *gofeed.Feed, st *pollState, r *Result) error {
	for _, fi := range s.items(f, doc) {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := s.now().UTC()
		it := f.Items[fi.key]
		if it != nil {
			it.Seen = now
			if it.Outcome != OutcomeRetry {
				continue
			}
		} else {
			it = &Item{Link: fi.link, Seen: now}
		}
		outcome, err := s.addItem(ctx, f, fi, it, st)
		if err != nil {
			return err
		}
		r.Items[outcome]++
		s.observe("item", outcome)
		if outcome == OutcomeCapped {
			continue
		}
		f.Items[fi.key] = it
		if outcome == OutcomeAdded || outcome == OutcomeDuplicate {
			st.keys[f.Scope][fi.key] = it.Source
		}
		if outcome == OutcomeAdded {
			f.Added++
			f.AddedToday++
			st.added[f.Scope]++
		}
		if err := s.save(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// addItem fetches one item's page and adds it, recording in it what
// became of it, and returns the outcome. The error is the library's or
// ctx's: what is wrong with the item is its outcome.
func (s *Service) addItem(ctx context.Context, f *Feed, fi feedItem, it *Item, st *pollState) (string, error) {
	if id, ok := st.keys[f.Scope][fi.key]; ok {
		it.Outcome, it.Source = OutcomeDuplicate, id
		return it.Outcome, nil
	}
	if fi.link == "" {
		it.Outcome, it.Reason = OutcomeFailed, "the item has no link to an article"
		return it.Outcome, nil
	}
	if id, err := s.lib.HasURL(ctx, f.Scope, fi.link); err != nil {
		return "", err
	} else if id != "" {
		it.Outcome, it.Source = OutcomeDuplicate, id
		return it.Outcome, nil
	}
	if st.added[f.Scope] >= s.limits.MaxArticlesPerDay {
		return OutcomeCapped, nil
	}
	it.Attempts++
	got, err := s.fetcher(f).Fetch(ctx, fi.link)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return s.itemFailed(f, fi, it, err), nil
	}
	prov := &corpus.FeedItem{FeedID: f.ID, FeedURL: f.FeedURL, GUID: fi.guid, Link: fi.link}
	if fi.date != nil {
		prov.Date = fi.date.UTC().Format(time.RFC3339)
	}
	d, err := corpus.FetchedDraft(ctx, got, corpus.Meta{Scope: f.Scope, AddedBy: "feed:" + f.ID, Feed: prov})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		it.Outcome, it.Reason = OutcomeFailed, err.Error()
		s.log.Info("a feed item could not be read", "feed", f.ID, "link", fi.link, "err", err)
		return it.Outcome, nil
	}
	if d.Doc.Published == "" && fi.date != nil {
		d.Meta.Published = fi.date.UTC().Format(time.DateOnly)
	}
	if d.Doc.Title == "" && fi.title != "" {
		d.Meta.Title = fi.title
	}
	src, err := s.lib.Add(ctx, d)
	var exists *corpus.ExistsError
	switch {
	case errors.As(err, &exists):
		it.Outcome, it.Source, it.Reason = OutcomeDuplicate, exists.ID, ""
	case errors.Is(err, corpus.ErrInvalid):
		it.Outcome, it.Reason = OutcomeFailed, err.Error()
	case err != nil:
		return "", fmt.Errorf("adding %s from feed %s: %w", fi.link, f.ID, err)
	default:
		it.Outcome, it.Source, it.Reason = OutcomeAdded, src.ID, ""
		s.log.Info("added an article from a feed", "feed", f.ID, "scope", f.Scope, "source", src.ID, "title", src.Title)
	}
	return it.Outcome, nil
}

// itemFailed records a failed fetch of an item: a transient failure (a
// timeout, a connection that failed) is tried again by the next reads, up
// to MaxItemAttempts; any other is given up at once.
func (s *Service) itemFailed(f *Feed, fi feedItem, it *Item, err error) string {
	it.Reason = err.Error()
	transient := errors.Is(err, corpus.ErrFetch) || errors.Is(err, corpus.ErrTimeout) ||
		(errors.Is(err, corpus.ErrHTTPStatus) && (strings.Contains(err.Error(), ": 5") || strings.Contains(err.Error(), ": 429")))
	if transient && it.Attempts < MaxItemAttempts {
		it.Outcome = OutcomeRetry
	} else {
		it.Outcome = OutcomeFailed
		if transient {
			it.Reason = fmt.Sprintf("gave up after %d attempts: %s", it.Attempts, it.Reason)
		}
	}
	s.log.Info("a feed item could not be fetched", "feed", f.ID, "link", fi.link, "outcome", it.Outcome, "err", err)
	return it.Outcome
}
