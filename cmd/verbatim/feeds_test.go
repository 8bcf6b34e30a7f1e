package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
)

// outlet is a local news site with an RSS feed of its stories.
type outlet struct {
	srv     *httptest.Server
	mu      sync.Mutex
	stories []string // slugs, oldest first
	fetches atomic.Int32
}

func newOutlet(t *testing.T, slugs ...string) *outlet {
	o := &outlet{stories: slugs}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		defer o.mu.Unlock()
		if r.URL.Path == "/rss" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Herald</title><link>`+o.srv.URL+`</link><description>d</description>`)
			for _, s := range o.stories {
				fmt.Fprintf(w, `<item><title>%s</title><guid>%s</guid><link>%s/story/%s</link><pubDate>Mon, 02 Nov 2026 09:00:00 +0000</pubDate></item>`, s, s, o.srv.URL, s)
			}
			fmt.Fprint(w, `</channel></rss>`)
			return
		}
		slug := strings.TrimPrefix(r.URL.Path, "/story/")
		for _, s := range o.stories {
			if s == slug {
				o.fetches.Add(1)
				w.Header().Set("Content-Type", "text/html")
				words := strings.ReplaceAll(s, "-", " ")
				fmt.Fprintf(w, `<html><head><title>%s</title><meta property="og:site_name" content="Harbour Herald"></head><body><article><h1>%s</h1>
<p>The harbour board voted on Monday to approve the %s, after a year of hearings in which fishermen and ferry operators argued over the cost.</p>
<p>Board members said the %s would be paid for by a levy on cruise ships that dock in the summer months.</p></article></body></html>`, words, words, words, words)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *outlet) publish(slug string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.stories = append(o.stories, slug)
}

// shiftFeedsClock moves the feeds' clock by d for the rest of the test.
func shiftFeedsClock(t *testing.T) func(time.Duration) {
	var offset atomic.Int64
	old := feedsNow
	feedsNow = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	t.Cleanup(func() { feedsNow = old })
	return func(d time.Duration) { offset.Add(int64(d)) }
}

// TestFeedsPoll: feeds poll over a local feed adds its items once; a new
// item is added by the next poll; list, remove.
func TestFeedsPoll(t *testing.T) {
	advance := shiftFeedsClock(t)
	o := newOutlet(t, "dredging-contract", "ferry-timetable")
	data := t.TempDir()
	code, out, errs := cli(t, data, "feeds", "add", "--allow-host", "127.0.0.1", "--every", "10m", o.srv.URL+"/rss")
	if code != 0 || !strings.Contains(out, `"Harbour Herald"`) {
		t.Fatalf("feeds add: %d\n%s%s", code, out, errs)
	}
	code, out, errs = cli(t, data, "feeds", "poll")
	if code != 0 || !strings.Contains(out, "2 articles added") {
		t.Fatalf("first poll: %d\n%s%s", code, out, errs)
	}
	// Not due: nothing read. Read anyway (--all): nothing new, nothing fetched.
	if _, out, _ = cli(t, data, "feeds", "poll"); !strings.Contains(out, "0 feeds read, 0 articles added") {
		t.Fatalf("second poll: %s", out)
	}
	if _, out, _ = cli(t, data, "feeds", "poll", "--all"); !strings.Contains(out, "1 feeds read, 0 articles added") || o.fetches.Load() != 2 {
		t.Fatalf("poll --all: %s (%d fetches)", out, o.fetches.Load())
	}
	o.publish("lighthouse-repairs")
	advance(12 * time.Minute)
	if _, out, _ = cli(t, data, "feeds", "poll"); !strings.Contains(out, "1 feeds read, 1 articles added") {
		t.Fatalf("poll after a new story: %s", out)
	}
	_, out, _ = cli(t, data, "ask", "--json", "what will the lighthouse repairs be paid for by?")
	if !strings.Contains(out, "lighthouse repairs would be paid for by a levy") {
		t.Fatalf("ask: %s", out)
	}
	var res jsonResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Answers) == 0 {
		t.Fatalf("ask --json: %v %s", err, out)
	}
	if a := res.Answers[0]; !strings.HasPrefix(a.Link, a.Source.URL+"#:~:text=") {
		t.Fatalf("link %q for %s", a.Link, a.Source.URL)
	}
	_, out, _ = cli(t, data, "feeds", "list", "--json")
	var list []feedView
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0].Added != 3 || list[0].Scope != "global" {
		t.Fatalf("list: %v %s", err, out)
	}
	if code, out, _ = cli(t, data, "feeds", "remove", list[0].ID); code != 0 || !strings.Contains(out, "3 articles it added stay") {
		t.Fatalf("remove: %d %s", code, out)
	}
	if _, out, _ = cli(t, data, "feeds", "list"); !strings.Contains(out, "No feeds are followed") {
		t.Fatalf("list after remove: %s", out)
	}
	if code, _, errs = cli(t, data, "feeds", "add", "--every", "1m", o.srv.URL+"/rss"); code != 2 || !strings.Contains(errs, "at least 5m") {
		t.Fatalf("--every 1m: %d %s", code, errs)
	}
}

// TestServeFollowsFeeds: a moderator follows a feed through /library
// follow; serve reads it by itself, adds a story published later within one
// (short, injected) interval, and answers a question from it.
func TestServeFollowsFeeds(t *testing.T) {
	advance := shiftFeedsClock(t)
	o := newOutlet(t, "dredging-contract")
	const guild = "100000000000000001"
	fake := discordtest.New(t, discordtest.WithHeartbeatInterval(200*time.Millisecond))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	conf := "discord:\n  api_url: " + fake.URL() + "\n  guild_ids: [\"" + guild + "\"]\nhttp:\n  listen: \"\"\nshutdown_grace: 2s\n" +
		"fetch:\n  allow_hosts: [\"127.0.0.1\"]\nfeeds:\n  check_every: 20ms\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &syncWriter{w: &errb}, stdin: strings.NewReader(""), getenv: func(k string) string {
		switch k {
		case "DISCORD_TOKEN":
			return fake.Token()
		case "VERBATIM_DATA":
			return filepath.Join(dir, "data")
		}
		return ""
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, e) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	if err := fake.Wait(wctx, func() bool { return len(fake.Commands(guild)) == 4 }); err != nil {
		t.Fatalf("commands not registered: %v", err)
	}
	mod := discordtest.InGuild(guild, "200000000000000001", discordtest.NewUser("7", "mod"), discordgo.PermissionManageMessages)
	reply := func(i *discordgo.Interaction) discordtest.Message {
		t.Helper()
		if err := fake.DispatchInteraction(i); err != nil {
			t.Fatal(err)
		}
		m, err := fake.WaitMessage(wctx, func(m discordtest.Message) bool {
			return m.InteractionID == i.ID && m.Kind == discordtest.KindEditOriginal
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := reply(discordtest.SlashCommand(mod, "library", discordtest.SubCommand("follow", discordtest.StringOption("url", o.srv.URL+"/rss"))))
	if !strings.Contains(m.Content, "Following **Harbour Herald**") {
		t.Fatalf("follow: %q %+v", m.Content, m.Embeds)
	}
	member := discordtest.InGuild(guild, "200000000000000001", discordtest.NewUser("3", "member"), discordgo.PermissionViewChannel)
	// added waits until serve logged n articles added from feeds.
	added := func(n int) {
		t.Helper()
		err := fake.Wait(wctx, func() bool {
			sw := e.stderr.(*syncWriter)
			sw.mu.Lock()
			defer sw.mu.Unlock()
			return strings.Count(sw.w.String(), "added an article from a feed") >= n
		})
		if err != nil {
			t.Fatalf("%d articles not added: %v\n%s", n, err, errb.String())
		}
	}
	ask := func(q, want string) {
		t.Helper()
		m := reply(discordtest.SlashCommand(member, "ask", discordtest.StringOption("question", q)))
		if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Description, want) {
			var got []string
			for _, e := range m.Embeds {
				got = append(got, e.Description)
			}
			t.Fatalf("no answer with %q: %q", want, got)
		}
		if u := m.Embeds[0].URL; !strings.HasPrefix(u, o.srv.URL+"/story/") || !strings.Contains(u, "#:~:text=") || len(u) > 512 {
			t.Fatalf("the title links to %q, not to the quote", u)
		}
	}
	added(1)
	ask("what will the dredging contract be paid for by?", "**dredging** **contract** would")
	o.publish("lighthouse-repairs")
	advance(17 * time.Minute) // the interval and at most a tenth of it in jitter
	added(2)
	ask("what will the lighthouse repairs be paid for by?", "**lighthouse** **repairs** would")
	m = reply(discordtest.SlashCommand(mod, "library", discordtest.SubCommand("feeds")))
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, "2 articles") {
		t.Fatalf("/library feeds: %+v", m.Embeds)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestExportImportKeepsFeeds: a library moved by export | import keeps
// following its feeds with their state: the feed is listed as it was, and
// polling it again adds nothing it had already added. Importing the same
// backup again keeps the feed the library already follows.
func TestExportImportKeepsFeeds(t *testing.T) {
	shiftFeedsClock(t)
	o := newOutlet(t, "dredging-contract", "ferry-timetable")
	data := t.TempDir()
	if code, out, errs := cli(t, data, "feeds", "add", "--allow-host", "127.0.0.1", "--every", "10m", o.srv.URL+"/rss"); code != 0 {
		t.Fatalf("feeds add: %d\n%s%s", code, out, errs)
	}
	if code, out, errs := cli(t, data, "feeds", "poll"); code != 0 || !strings.Contains(out, "2 articles added") {
		t.Fatalf("poll: %d\n%s%s", code, out, errs)
	}
	_, listed, _ := cli(t, data, "feeds", "list", "--json")
	code, exported, errs := cli(t, data, "export")
	if code != 0 || !strings.Contains(exported, `{"record":{"kind":"feed"`) {
		t.Fatalf("export: exit %d %s; want a feed record in:\n%s", code, errs, exported)
	}
	moved := t.TempDir()
	code, out, errs := cliStdin(t, moved, exported, "import", "-")
	if code != 0 || !strings.Contains(out, "imported 1 followed feeds") {
		t.Fatalf("import: exit %d %s%s", code, out, errs)
	}
	if _, again, _ := cli(t, moved, "feeds", "list", "--json"); again != listed {
		t.Errorf("feeds after the move:\n%s\nwant:\n%s", again, listed)
	}
	if _, again, _ := cli(t, moved, "export"); again != exported {
		t.Errorf("export of the moved library differs from the one it was moved with")
	}
	if _, out, _ := cli(t, moved, "feeds", "poll", "--all"); !strings.Contains(out, "1 feeds read, 0 articles added") {
		t.Errorf("poll after the move: %s", out)
	}
	if code, out, errs := cliStdin(t, moved, exported, "import", "-"); code != 0 || !strings.Contains(out, "kept 1 the library already followed") {
		t.Errorf("import again: exit %d %s%s", code, out, errs)
	}
}
