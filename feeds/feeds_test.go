package feeds

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

var day0 = time.Date(2026, 10, 30, 8, 0, 0, 0, time.UTC)

// TestFormats follows an RSS, an Atom and a JSON feed and a page that
// advertises its feed: each poll adds the items once, with provenance.
func TestFormats(t *testing.T) {
	for _, tc := range []struct{ name, format, path string }{
		{"rss", "rss", "/feed"}, {"atom", "atom", "/feed"}, {"json", "json", "/feed"}, {"page", "rss", "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, tc.format)
			s.add("bridge-tolls", "Council debates bridge tolls", day0)
			s.add("school-meals", "Schools expand free meals", day0.Add(time.Hour))
			fx := newFixture(t, Limits{})
			f := fx.follow(s.url(tc.path))
			if f.FeedURL != s.url("/feed") || f.Title != "The Daily Test" {
				t.Fatalf("followed %q (%q), want the feed at %s", f.FeedURL, f.Title, s.url("/feed"))
			}
			sum := fx.poll()
			if n := sum.Count(OutcomeAdded); n != 2 {
				t.Fatalf("first poll added %d, want 2: %+v", n, sum.Results)
			}
			srcs, err := fx.lib.Sources(context.Background(), "123456789")
			if err != nil {
				t.Fatal(err)
			}
			var feedSrcs int
			for _, src := range srcs {
				if src.Feed == nil {
					continue
				}
				feedSrcs++
				if src.Feed.FeedID != f.ID || !strings.HasPrefix(src.Feed.GUID, "urn:story:") || !strings.Contains(src.Feed.Link, "/news/") || src.Feed.Date == "" {
					t.Errorf("provenance %+v", src.Feed)
				}
				if src.AddedBy != "feed:"+f.ID || src.Scope != "123456789" {
					t.Errorf("added by %q in %q", src.AddedBy, src.Scope)
				}
			}
			if feedSrcs != 2 {
				t.Fatalf("%d sources from the feed, want 2", feedSrcs)
			}
			// Not due yet: nothing is read.
			if sum := fx.poll(); len(sum.Results) != 0 {
				t.Fatalf("a feed read before it was due: %+v", sum.Results)
			}
			fx.clock.advance(16 * time.Minute)
			s.add("park-plan", "Park plan approved", day0.Add(2*time.Hour))
			sum = fx.poll()
			if n := sum.Count(OutcomeAdded); n != 1 {
				t.Fatalf("second poll added %d, want 1 (the new item): %+v", n, sum.Results[0].Items)
			}
			if got := fx.feed(f.ID).Added; got != 3 {
				t.Fatalf("feed counts %d added, want 3", got)
			}
			if s.articleHits() != 3 {
				t.Fatalf("%d article fetches, want 3 (each article once)", s.articleHits())
			}
		})
	}
}

// TestRestartAndNotModified: state survives a restart; an unchanged feed
// answers 304 and no item is fetched.
func TestRestartAndNotModified(t *testing.T) {
	s := newSite(t, "rss")
	s.add("bridge-tolls", "Council debates bridge tolls", day0)
	fx := newFixture(t, Limits{})
	f := fx.follow(s.url("/feed"))
	if n := fx.poll().Count(OutcomeAdded); n != 1 {
		t.Fatalf("added %d, want 1", n)
	}
	fx.restart()
	fx.clock.advance(20 * time.Minute)
	sum := fx.poll()
	if len(sum.Results) != 1 || sum.Results[0].Outcome != PollNotModified {
		t.Fatalf("after restart: %+v, want one not_modified read", sum.Results)
	}
	if s.articleHits() != 1 {
		t.Fatalf("%d article fetches, want 1: a 304 fetches no items", s.articleHits())
	}
	// Without validators (the server stops sending ETags) the feed is
	// read in full, and its item, already added, is not fetched again.
	s.mu.Lock()
	s.etag = false
	s.mu.Unlock()
	fx.restart()
	fx.clock.advance(20 * time.Minute)
	sum = fx.poll()
	if sum.Count(OutcomeAdded) != 0 || s.articleHits() != 1 {
		t.Fatalf("re-read: %+v, %d article fetches", sum.Results[0].Items, s.articleHits())
	}
	if fx.seen["poll/not_modified"] != 1 || fx.feed(f.ID).LastOK.IsZero() {
		t.Fatalf("observed %v", fx.seen)
	}
}

// TestSameArticleTwoFeeds: an item another feed of the scope added, or whose
// text the library holds, is a duplicate, never a second source.
func TestSameArticleTwoFeeds(t *testing.T) {
	a := newSite(t, "rss")
	a.add("bridge-tolls", "Council debates bridge tolls", day0)
	b := newSite(t, "atom")
	b.add("bridge-tolls", "Council debates bridge tolls", day0) // same guid, same text, another host
	fx := newFixture(t, Limits{})
	fx.follow(a.url("/feed"))
	fx.follow(b.url("/feed"))
	sum := fx.poll()
	if sum.Count(OutcomeAdded) != 1 || sum.Count(OutcomeDuplicate) != 1 {
		t.Fatalf("%+v %+v, want one added and one duplicate", sum.Results[0].Items, sum.Results[1].Items)
	}
	if b.articleHits()+a.articleHits() != 1 {
		t.Fatalf("the duplicate guid was fetched (%d fetches)", b.articleHits()+a.articleHits())
	}
}

// TestFailuresRecorded: a malformed feed, a huge feed, a feed that
// redirects to a private address and an item that 404s are each recorded
// with their reason, and nothing else is lost.
func TestFailuresRecorded(t *testing.T) {
	fx := newFixture(t, Limits{MaxFeedBytes: 64 << 10})
	ctx := context.Background()

	bad := newSite(t, "rss")
	bad.add("bridge-tolls", "Council debates bridge tolls", day0)
	badFeed := fx.follow(bad.url("/feed"))

	huge := newSite(t, "rss")
	huge.add("school-meals", "Schools expand free meals", day0)
	hugeFeed := fx.follow(huge.url("/feed"))

	redir := newSite(t, "rss")
	redir.add("park-plan", "Park plan approved", day0)
	redirFeed := fx.follow(redir.url("/feed"))

	gone := newSite(t, "json")
	gone.add("library-hours", "Library extends hours", day0)
	gone.add("missing-story", "A story that was taken down", day0.Add(time.Hour))
	gone.items[1].status = 404
	goneFeed := fx.follow(gone.url("/feed"))

	bad.feedBody = []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>unclosed`)
	huge.feedBody = []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>` + strings.Repeat("<item><title>filler</title></item>", 5000) + `</channel></rss>`)
	redir.redirect = "http://127.0.0.2/feed"

	sum := fx.poll()
	if sum.Polls(PollError) != 3 {
		t.Fatalf("%d reads failed, want 3: %+v", sum.Polls(PollError), sum.Results)
	}
	for _, tc := range []struct {
		id   string
		want error
	}{{badFeed.ID, ErrNoFeed}, {hugeFeed.ID, corpus.ErrTooLarge}, {redirFeed.ID, corpus.ErrBlockedAddress}} {
		var r *Result
		for i := range sum.Results {
			if sum.Results[i].Feed.ID == tc.id {
				r = &sum.Results[i]
			}
		}
		if r == nil || !errors.Is(r.Err, tc.want) {
			t.Errorf("feed %s: %+v, want an error wrapping %v", tc.id, r, tc.want)
			continue
		}
		f := fx.feed(tc.id)
		if f.LastError == "" || f.Failures != 1 || !f.NextPoll.Equal(fx.clock.now().Add(2*DefaultEvery)) {
			t.Errorf("feed %s recorded error %q, failures %d, next %v", tc.id, f.LastError, f.Failures, f.NextPoll)
		}
	}
	g := fx.feed(goneFeed.ID)
	if g.LastError != "" || g.Added != 1 {
		t.Fatalf("404 feed: error %q, added %d", g.LastError, g.Added)
	}
	failed := g.Failed()
	if len(failed) != 1 || failed[0] != "urn:story:missing-story" || !strings.Contains(g.Items[failed[0]].Reason, "404") {
		t.Fatalf("failed items %v (%+v)", failed, g.Items)
	}
	// The 404 is not tried again, and a feed that failed backs off further.
	fx.clock.advance(31 * time.Minute)
	before := gone.hit("/news/missing-story")
	sum = fx.poll()
	if gone.hit("/news/missing-story") != before {
		t.Fatal("an item given up on was fetched again")
	}
	if f := fx.feed(badFeed.ID); f.Failures != 2 || !f.NextPoll.Equal(fx.clock.now().Add(4*DefaultEvery)) {
		t.Fatalf("after a second failure: failures %d, next %v", f.Failures, f.NextPoll)
	}
	// Once the feed is whole again, its items come in and the error clears.
	bad.feedBody = nil
	fx.clock.advance(time.Hour)
	sum = fx.poll()
	if f := fx.feed(badFeed.ID); f.Failures != 0 || f.LastError != "" || f.Added != 1 {
		t.Fatalf("after recovery: %+v", f)
	}
	if fx.seen["poll/error"] < 4 || fx.seen["item/failed"] != 1 {
		t.Fatalf("observed %v", fx.seen)
	}
	_ = ctx
}

// TestCapsAndIntervals: the daily cap leaves items for the next day; the
// feed cap and the minimum interval refuse.
func TestCapsAndIntervals(t *testing.T) {
	s := newSite(t, "rss")
	s.add("bridge-tolls", "Council debates bridge tolls", day0)
	s.add("school-meals", "Schools expand free meals", day0.Add(time.Hour))
	s.add("park-plan", "Park plan approved", day0.Add(2*time.Hour))
	fx := newFixture(t, Limits{MaxArticlesPerDay: 2, MaxFeedsPerScope: 1})
	ctx := context.Background()
	f := fx.follow(s.url("/feed"))
	sum := fx.poll()
	if sum.Count(OutcomeAdded) != 2 || sum.Count(OutcomeCapped) != 1 {
		t.Fatalf("%+v, want 2 added and 1 capped", sum.Results[0].Items)
	}
	if g := fx.feed(f.ID); !strings.Contains(g.LastError, "for today") {
		t.Fatalf("the cap is not shown: %q", g.LastError)
	}
	fx.clock.advance(24 * time.Hour)
	s.mu.Lock()
	s.etag = false
	s.mu.Unlock()
	if sum := fx.poll(); sum.Count(OutcomeAdded) != 1 {
		t.Fatalf("next day: %+v, want the capped item added", sum.Results[0].Items)
	}
	if _, err := fx.svc.Follow(ctx, FollowRequest{URL: s.url("/"), Scope: "123456789"}); !errors.Is(err, ErrAlreadyFollowed) && !errors.Is(err, ErrTooManyFeeds) {
		t.Fatalf("a second feed: %v", err)
	}
	if _, err := fx.svc.Follow(ctx, FollowRequest{URL: s.url("/feed"), Scope: "42", Every: time.Minute}); !errors.Is(err, corpus.ErrInvalid) {
		t.Fatalf("every 1m: %v", err)
	}
	other := newSite(t, "rss")
	other.add("x", "X", day0)
	if _, err := fx.svc.Follow(ctx, FollowRequest{URL: other.url("/feed"), Scope: "123456789"}); !errors.Is(err, ErrTooManyFeeds) {
		t.Fatalf("over the feed cap: %v", err)
	}
	if _, err := fx.svc.Unfollow(ctx, "42", f.ID); !errors.Is(err, ErrNotFollowed) {
		t.Fatalf("unfollowing another server's feed: %v", err)
	}
	if _, err := fx.svc.Unfollow(ctx, "123456789", f.ID); err != nil {
		t.Fatal(err)
	}
	if all, _ := fx.svc.List(ctx, ""); len(all) != 0 {
		t.Fatalf("%d feeds after unfollow", len(all))
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{0: 15 * time.Minute, 1: 30 * time.Minute, 3: 2 * time.Hour, 10: MaxBackoff} {
		if got := backoff(15*time.Minute, n); got != want {
			t.Errorf("backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestDiscover(t *testing.T) {
	page := []byte(`<html><head><base href="https://example.com/news/">
<link rel="alternate stylesheet" type="text/css" href="x.css">
<link rel="Alternate" type="application/atom+xml" href="atom.xml">
<link rel="alternate" type="application/rss+xml; charset=utf-8" href="/rss">
</head><body><link rel="alternate" type="application/rss+xml" href="/late"></body></html>`)
	if got := Discover(page, "https://example.com/"); got != "https://example.com/rss" {
		t.Fatalf("Discover = %q", got)
	}
	if got := Discover([]byte(`<link rel="alternate" type="application/feed+json" href="javascript:alert(1)">`), "https://example.com/"); got != "" {
		t.Fatalf("Discover took %q", got)
	}
}
