package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/feeds"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// feedsNow is the feeds' clock; tests replace it.
var feedsNow = time.Now

func runFeeds(ctx context.Context, e *env, args []string) error {
	subs := map[string]func(context.Context, *env, []string) error{
		"add": runFeedsAdd, "list": runFeedsList, "remove": runFeedsRemove, "poll": runFeedsPoll,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			printFeedsUsage(e)
			return nil
		}
		return usageError{"say add URL, list, remove ID or poll"}
	}
	return subs[args[0]](ctx, e, args[1:])
}

func printFeedsUsage(e *env) {
	fmt.Fprint(e.stderr, `Usage: verbatim feeds add URL [--scope S] [--every D] [--allow-host H]
       verbatim feeds list [--json] [--scope S]
       verbatim feeds remove ID
       verbatim feeds poll [--all]

Follow outlets' feeds (RSS, Atom, JSON Feed, or a page that advertises one):
their new articles are added to the library by serve, or by feeds poll.
Each subcommand takes -h.
`)
}

// feedFlags are the flags every feeds subcommand shares.
type feedFlags struct {
	lib libFlags
	cfg string
}

func (ff *feedFlags) register(f *cmdFlags) {
	ff.lib.register(f)
	f.StringVar(&ff.cfg, "config", "", "config file (its fetch and feeds settings); default: built-in defaults")
}

// open opens the library and the feeds service the flags name.
func (ff *feedFlags) open(ctx context.Context, e *env) (*retrieval.Library, *feeds.Service, error) {
	cfg, err := loadConfig(ff.cfg)
	if err != nil {
		return nil, nil, err
	}
	if ff.lib.data == "" {
		ff.lib.data = cfg.DataDir
	}
	lib, err := ff.lib.open(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	svc, err := newFeeds(cfg, lib, ff.lib.logger(e), nil)
	if err != nil {
		lib.Close()
		return nil, nil, err
	}
	return lib, svc, nil
}

// newFeeds makes the feeds service of a config over a library.
func newFeeds(cfg fileConfig, lib *retrieval.Library, log *slog.Logger, observe func(what, outcome string)) (*feeds.Service, error) {
	c := cfg.Feeds
	return feeds.New(feeds.Options{
		Lib:   lib,
		Fetch: corpus.FetchOptions{AllowHosts: cfg.Fetch.AllowHosts, MaxBytes: cfg.Fetch.MaxBytes, Timeout: cfg.Fetch.Timeout},
		Limits: feeds.Limits{Every: c.Every, MaxFeedsPerScope: c.MaxFeeds, MaxArticlesPerDay: c.MaxArticlesPerDay,
			MaxFeedBytes: c.MaxFeedBytes, MaxItemsPerPoll: c.MaxItemsPerPoll},
		Log: log, Now: feedsNow, Observe: observe,
	})
}

func runFeedsAdd(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "feeds add", "URL [--scope S] [--every D] [--allow-host H]",
		"Follow a feed (RSS, Atom, JSON Feed, or a page that advertises one): its new articles are added when it is polled")
	var ff feedFlags
	ff.register(f)
	scope := f.String("scope", corpus.GlobalScope, `"global" or the id of the Discord server whose library it feeds`)
	every := f.Duration("every", 0, "how often to read it (at least 5m; default the config's feeds.every, else 15m)")
	var allow stringList
	f.Var(&allow, "allow-host", "a host that may be fetched even though it is private or loopback (repeatable; kept with the feed)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !isURL(pos[0]) {
		return usageError{"give one feed or page address (http:// or https://)"}
	}
	if !corpus.ValidScope(*scope) {
		return usageError{fmt.Sprintf("--scope must be %q or a server id, not %q", corpus.GlobalScope, *scope)}
	}
	if *every != 0 && *every < feeds.MinEvery {
		return usageError{fmt.Sprintf("--every must be at least %s", feeds.MinEvery)}
	}
	lib, svc, err := ff.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	feed, err := svc.Follow(ctx, feeds.FollowRequest{URL: pos[0], Scope: *scope, Every: *every, AllowHosts: allow, AddedBy: "cli:" + e.getenv("USER")})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "following  %s  %q  %s (every %s, scope %s)\n", feed.ID, feed.Title, feed.FeedURL, feed.Every, feed.Scope)
	return nil
}

// feedView is a feed as feeds list --json prints it.
type feedView struct {
	ID         string            `json:"id"`
	Scope      string            `json:"scope"`
	URL        string            `json:"url"`
	FeedURL    string            `json:"feed_url"`
	Title      string            `json:"title,omitempty"`
	Every      string            `json:"every"`
	AddedBy    string            `json:"added_by"`
	AddedAt    time.Time         `json:"added_at"`
	LastPolled time.Time         `json:"last_polled,omitzero"`
	LastOK     time.Time         `json:"last_ok,omitzero"`
	NextPoll   time.Time         `json:"next_poll"`
	LastError  string            `json:"last_error,omitempty"`
	Failures   int               `json:"failures"`
	Added      int               `json:"added"`
	Failed     map[string]string `json:"failed_items,omitempty"` // item → reason
}

func viewFeed(f *feeds.Feed) feedView {
	v := feedView{ID: f.ID, Scope: f.Scope, URL: f.URL, FeedURL: f.FeedURL, Title: f.Title, Every: f.Every.String(),
		AddedBy: f.AddedBy, AddedAt: f.AddedAt, LastPolled: f.LastPolled, LastOK: f.LastOK, NextPoll: f.NextPoll,
		LastError: f.LastError, Failures: f.Failures, Added: f.Added}
	for _, k := range f.Failed() {
		if v.Failed == nil {
			v.Failed = map[string]string{}
		}
		v.Failed[k] = f.Items[k].Reason
	}
	return v
}

func runFeedsList(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "feeds list", "[--json] [--scope S]", "List the followed feeds: when each was read, what it added, its last error")
	var ff feedFlags
	ff.register(f)
	asJSON := f.Bool("json", false, "print a JSON array, with the items given up on and why")
	scope := f.String("scope", "", `only this scope's feeds ("global" or a server id); default every feed`)
	if _, err := f.parse(args); err != nil {
		return err
	}
	lib, svc, err := ff.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	all, err := svc.List(ctx, *scope)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []feedView{}
		for _, f := range all {
			out = append(out, viewFeed(f))
		}
		return printJSON(e.stdout, out)
	}
	if len(all) == 0 {
		fmt.Fprintln(e.stdout, "No feeds are followed. Follow one with 'verbatim feeds add URL'.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPE\tEVERY\tADDED\tFAILED\tLAST READ\tLAST ERROR\tTITLE\tURL")
	for _, f := range all {
		last := "never"
		if !f.LastPolled.IsZero() {
			last = f.LastPolled.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", f.ID, f.Scope, f.Every, f.Added, len(f.Failed()), last,
			orDash(truncateRunes(f.LastError, 60)), orDash(f.Title), f.FeedURL)
	}
	return tw.Flush()
}

// truncateRunes cuts s to n runes, marking a cut with "…".
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func runFeedsRemove(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "feeds remove", "ID...", "Stop following feeds; the articles they added stay in the library")
	var ff feedFlags
	ff.register(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"give the id of a feed (see 'verbatim feeds list')"}
	}
	lib, svc, err := ff.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	var errs []error
	for _, id := range pos {
		feed, err := svc.Unfollow(ctx, "", id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(e.stdout, "unfollowed  %s  %s (%d articles it added stay)\n", feed.ID, feed.FeedURL, feed.Added)
	}
	return errors.Join(errs...)
}

func runFeedsPoll(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "feeds poll", "[--all]", "Read every due feed once now, add what is new, and exit (for cron)")
	var ff feedFlags
	ff.register(f)
	all := f.Bool("all", false, "read every feed, due or not")
	if _, err := f.parse(args); err != nil {
		return err
	}
	lib, svc, err := ff.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	poll := svc.PollDue
	if *all {
		poll = svc.PollAll
	}
	sum, err := poll(ctx)
	for _, r := range sum.Results {
		var counts []string
		for _, o := range []string{feeds.OutcomeAdded, feeds.OutcomeDuplicate, feeds.OutcomeFailed, feeds.OutcomeRetry, feeds.OutcomeCapped} {
			if n := r.Items[o]; n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n, o))
			}
		}
		line := strings.Join(counts, ", ")
		switch {
		case r.Err != nil:
			line = "error: " + r.Err.Error()
		case r.Outcome == feeds.PollNotModified:
			line = "not modified"
		case line == "":
			line = "nothing new"
		}
		fmt.Fprintf(e.stdout, "%-12s %s  %s\n", r.Outcome, r.Feed.ID, line)
	}
	fmt.Fprintf(e.stdout, "%d feeds read, %d articles added, %d failed reads\n", len(sum.Results), sum.Count(feeds.OutcomeAdded), sum.Polls(feeds.PollError))
	return err
}
