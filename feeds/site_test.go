package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// site is an outlet on an httptest server: a feed (RSS, Atom or JSON
// Feed) of its articles, the articles' pages, and a home page that
// advertises the feed. It counts what is fetched.
type site struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	format string // "rss", "atom", "json"
	items  []siteItem
	// feedBody, when set, is served as the feed instead.
	feedBody []byte
	// redirect, when set, is where the feed redirects.
	redirect string
	etag     bool
	hits     map[string]int
}

type siteItem struct {
	slug, title, guid string
	date              time.Time
	status            int // of the article page; 0 means 200
}

func newSite(t *testing.T, format string) *site {
	s := &site{t: t, format: format, etag: true, hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) url(p string) string { return s.srv.URL + p }

func (s *site) add(slug, title string, date time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, siteItem{slug: slug, title: title, guid: "urn:story:" + slug, date: date})
}

func (s *site) hit(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[p]
}

func (s *site) articleHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		if strings.HasPrefix(p, "/news/") {
			n += c
		}
	}
	return n
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	switch {
	case r.URL.Path == "/":
		fmt.Fprintf(w, `<!doctype html><html><head><title>The Daily Test</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed">
</head><body><p>Welcome.</p></body></html>`)
	case r.URL.Path == "/feed":
		if s.redirect != "" {
			http.Redirect(w, r, s.redirect, http.StatusFound)
			return
		}
		body, ctype := s.feed()
		if s.feedBody != nil {
			body = s.feedBody
		}
		tag := fmt.Sprintf(`"%x"`, len(body)*31+len(s.items))
		if s.etag {
			if r.Header.Get("If-None-Match") == tag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", tag)
		}
		w.Header().Set("Content-Type", ctype)
		w.Write(body)
	case strings.HasPrefix(r.URL.Path, "/news/"):
		slug := strings.TrimPrefix(r.URL.Path, "/news/")
		for _, it := range s.items {
			if it.slug != slug {
				continue
			}
			if it.status != 0 {
				http.Error(w, "gone", it.status)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, article(it))
			return
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}

// article is an item's page: a headline and three paragraphs of its own.
func article(it siteItem) string {
	w := strings.ReplaceAll(it.slug, "-", " ")
	return fmt.Sprintf(`<!doctype html><html><head><title>%s</title>
<meta property="og:site_name" content="The Daily Test"></head><body><article><h1>%s</h1>
<p>The council met on Tuesday to discuss %s, and members said the plan would change how the city pays for its roads and bridges over the next decade.</p>
<p>Officials told reporters that the %s proposal had been debated for months before a final draft was shared with the public last week.</p>
<p>Critics of the %s plan said it leaves too many questions unanswered, while supporters called it the most careful budget in years.</p>
</article></body></html>`, it.title, it.title, w, w, w)
}

func (s *site) feed() ([]byte, string) {
	switch s.format {
	case "atom":
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>The Daily Test</title><id>urn:daily</id><updated>2026-11-01T00:00:00Z</updated>`)
		for _, it := range s.items {
			fmt.Fprintf(&b, `<entry><title>%s</title><id>%s</id><link href="/news/%s"/><updated>%s</updated></entry>`, it.title, it.guid, it.slug, it.date.Format(time.RFC3339))
		}
		b.WriteString(`</feed>`)
		return []byte(b.String()), "application/atom+xml"
	case "json":
		type jitem struct {
			ID    string `json:"id"`
			URL   string `json:"url"`
			Title string `json:"title"`
			Date  string `json:"date_published"`
		}
		var items []jitem
		for _, it := range s.items {
			items = append(items, jitem{it.guid, s.srv.URL + "/news/" + it.slug, it.title, it.date.Format(time.RFC3339)})
		}
		b, _ := json.Marshal(map[string]any{"version": "https://jsonfeed.org/version/1.1", "title": "The Daily Test", "items": items})
		return b, "application/feed+json"
	default:
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>The Daily Test</title><link>` + s.srv.URL + `/</link><description>news</description>`)
		for i := len(s.items) - 1; i >= 0; i-- {
			it := s.items[i]
			fmt.Fprintf(&b, `<item><title>%s</title><guid isPermaLink="false">%s</guid><link>%s/news/%s</link><pubDate>%s</pubDate></item>`, it.title, it.guid, s.srv.URL, it.slug, it.date.Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
		return []byte(b.String()), "application/rss+xml; charset=utf-8"
	}
}

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a library in a temp dir with a feeds service on a test clock.
type fixture struct {
	t      *testing.T
	dir    string
	lib    *retrieval.Library
	svc    *Service
	clock  *clock
	limits Limits
	seen   map[string]int // observed outcomes, "poll/ok" …
	mu     sync.Mutex
}

func newFixture(t *testing.T, limits Limits) *fixture {
	fx := &fixture{t: t, dir: t.TempDir(), clock: &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, limits: limits, seen: map[string]int{}}
	fx.open()
	return fx
}

func (fx *fixture) open() {
	t := fx.t
	lib, err := retrieval.Open(context.Background(), retrieval.Options{Dir: fx.dir, NoSeed: true, Now: fx.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Options{Lib: lib, Fetch: corpus.FetchOptions{AllowHosts: []string{"127.0.0.1"}, Timeout: 5 * time.Second},
		Limits: fx.limits, Now: fx.clock.now, Jitter: func(time.Duration) time.Duration { return 0 },
		Observe: func(what, outcome string) { fx.mu.Lock(); fx.seen[what+"/"+outcome]++; fx.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	fx.lib, fx.svc = lib, svc
	t.Cleanup(func() { lib.Close() })
}

// restart closes the library and opens it again, with a new service.
func (fx *fixture) restart() {
	if err := fx.lib.Close(); err != nil {
		fx.t.Fatal(err)
	}
	fx.open()
}

func (fx *fixture) follow(u string) *Feed {
	fx.t.Helper()
	f, err := fx.svc.Follow(context.Background(), FollowRequest{URL: u, Scope: "123456789", AddedBy: "test"})
	if err != nil {
		fx.t.Fatalf("follow %s: %v", u, err)
	}
	return f
}

func (fx *fixture) poll() Summary {
	fx.t.Helper()
	sum, err := fx.svc.PollDue(context.Background())
	if err != nil {
		fx.t.Fatalf("poll: %v", err)
	}
	return sum
}

func (fx *fixture) feed(id string) *Feed {
	fx.t.Helper()
	f, err := fx.svc.Get(context.Background(), "", id)
	if err != nil {
		fx.t.Fatal(err)
	}
	return f
}
