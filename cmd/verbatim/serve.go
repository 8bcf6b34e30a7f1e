package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/verbatim-bot/verbatim/bot"
	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// runServe runs the Discord bot: read the settings, open the library, make
// the bot, serve /healthz and /metrics, and run until ctx is done.
func runServe(ctx context.Context, e *env, args []string) error {
	s, err := serveSettings(e, args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	lib, st, err := openServeLibrary(ctx, s, log)
	if err != nil {
		return err
	}
	serveGC(e.getenv)
	defer func() {
		if err := lib.Close(); err != nil {
			log.Error("closing the library", "err", err)
		}
	}()
	b, metrics, err := newBot(s, lib, log)
	if err != nil {
		return err
	}
	svc, err := newFeeds(s.cfg, lib, log, metrics.ObserveFeed)
	if err != nil {
		return err
	}
	b.SetFeeds(svc)
	if s.cfg.HTTP.Listen != "" {
		stop, err := serveHealth(s.cfg.HTTP.Listen, metrics.Handler(b.Health), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	{
		// With a shared store (PostgreSQL), what other processes commit
		// reaches this one's index; with library.db, Follow returns at once.
		fctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); lib.Follow(fctx) }()
		defer func() { cancel(); <-done }()
	}
	if p, ok := st.(changeLogPruner); ok {
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); pruneChangeLog(pctx, p, changeLogKeep, changeLogPruneEvery, log) }()
		defer func() { cancel(); <-done }()
	}
	if s.cfg.Feeds.Poll == nil || *s.cfg.Feeds.Poll {
		// Polling stops with ctx, before the library is closed.
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); svc.Run(pctx, s.cfg.Feeds.CheckEvery) }()
		defer func() { cancel(); <-done }()
	}
	return tokenRefused(b.Run(ctx, s.cfg.ShutdownGrace))
}

// tokenRefused says plainly that Discord refused the token, and where to
// get one, when err is Discord's answer to a bad token: HTTP 401 from its
// API, or the gateway closing with 4004 (authentication failed). The bot
// package owns discordgo, so its errors are recognised here by their text.
func tokenRefused(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); !strings.Contains(msg, "HTTP 401 ") && !strings.Contains(msg, "close 4004") {
		return err
	}
	return errors.New("the token in the environment variable DISCORD_TOKEN was refused by Discord (401 Unauthorized); " +
		"get the bot's token in the Discord Developer Portal (discord.com/developers/applications → your application → Bot → Reset Token) " +
		"and set DISCORD_TOKEN to it, without \"Bot \" in front")
}

// serving is what `verbatim serve` was told: the config file, the token and
// the library's directory.
type serving struct {
	cfg   fileConfig
	token string
	dir   string
	lf    libFlags
	env   *env
}

// serveSettings reads serve's flags, its config file and DISCORD_TOKEN.
func serveSettings(e *env, args []string) (serving, error) {
	f := newFlagSet(e, "serve", "[--config FILE] [--data DIR]",
		"Run the Discord bot (the token comes from the environment variable DISCORD_TOKEN)")
	var lf libFlags
	lf.register(f)
	cfgPath := f.String("config", "", "config file (see config.example.yaml); default: built-in defaults")
	shardIDs := f.String("shards", "", "the shards this process runs, e.g. 2 or 0,1 (instead of discord.shards.ids; for one config shared by every process)")
	if _, err := f.parse(args); err != nil {
		return serving{}, err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return serving{}, err
	}
	if err := cfg.setShardIDs(*shardIDs); err != nil {
		return serving{}, err
	}
	token := e.getenv("DISCORD_TOKEN")
	if token == "" {
		return serving{}, errors.New("no Discord token: set the environment variable DISCORD_TOKEN (see README, \"Run it in your server\")")
	}
	if lf.data == "" {
		lf.data = cfg.DataDir
	}
	if lf.store == "" {
		lf.store = cfg.Store
	}
	dir, err := lf.dataDir(e)
	if err != nil {
		return serving{}, err
	}
	if sh := cfg.shards(); sh.Partition() != nil && lf.storeURL(e) == "" {
		return serving{}, fmt.Errorf("discord.shards: this process runs %s, which needs the store shared by every process: set store: postgres://… (or --store, $VERBATIM_STORE); see docs/scale.md", sh)
	}
	return serving{cfg: cfg, token: token, dir: dir, lf: lf, env: e}, nil
}

// openServeLibrary opens the library with the answers' tuning of the config,
// and returns the shared store it is on (nil: library.db), which the
// library owns.
func openServeLibrary(ctx context.Context, s serving, log *slog.Logger) (*retrieval.Library, corpus.Store, error) {
	tuning := retrieval.DefaultTuning()
	if s.cfg.Answers.MinConfidence != nil {
		tuning.MinConfidence = *s.cfg.Answers.MinConfidence
	}
	if s.cfg.Answers.MaxQuoteChars > 0 {
		tuning.MaxQuoteRunes = s.cfg.Answers.MaxQuoteChars
	}
	// A process running some of the shards indexes their servers and the
	// global library only.
	opts := retrieval.Options{Dir: s.dir, Logger: log, Tuning: &tuning, Partition: s.cfg.shards().Partition()}
	var st corpus.Store
	if s.env != nil {
		var err error
		if st, err = s.lf.openStore(ctx, s.env); err != nil {
			return nil, nil, err
		}
		if st != nil {
			opts.Store = st
		}
	}
	lib, err := retrieval.Open(ctx, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the library in %s: %w", s.dir, err)
	}
	return lib, st, nil
}

// The change log of a shared store is kept for changeLogKeep, far longer
// than a following process is behind it (seconds); every serve process
// prunes it every changeLogPruneEvery (pruning is idempotent).
const (
	changeLogKeep       = time.Hour
	changeLogPruneEvery = 10 * time.Minute
)

// changeLogPruner is a shared store whose change log can be pruned
// (pgstore.Store).
type changeLogPruner interface {
	PruneChangeLog(ctx context.Context, keep time.Duration) (uint64, error)
}

// pruneChangeLog prunes st's change log of what is older than keep, at
// once and then every every, until ctx ends.
func pruneChangeLog(ctx context.Context, st changeLogPruner, keep, every time.Duration, log *slog.Logger) {
	last := uint64(0)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		through, err := st.PruneChangeLog(ctx, keep)
		// A prune that was made is said even when serve is stopping
		// meanwhile; an error then is the stopping's, not the store's.
		switch {
		case err == nil && through > last:
			log.Info("pruned the store's change log", "through_generation", through, "kept", keep)
			last = through
		case err != nil && ctx.Err() == nil:
			log.Warn("pruning the store's change log", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// newBot makes the bot, its fetcher and its metrics (which watch the
// library's size).
func newBot(s serving, lib *retrieval.Library, log *slog.Logger) (*bot.Bot, *bot.Metrics, error) {
	c := s.cfg
	bcfg := bot.Config{
		Token: s.token, GuildIDs: c.Discord.GuildIDs, ModeratorRoles: c.Discord.ModeratorRoles,
		MemberPerMinute: c.Limits.MemberPerMinute, MemberBurst: c.Limits.MemberBurst,
		GuildPerMinute: c.Limits.GuildPerMinute, GuildBurst: c.Limits.GuildBurst,
		MaxQuotes:          c.Answers.MaxQuotes,
		MaxAttachmentBytes: c.Fetch.MaxBytes,
		Shards:             c.shards(),
	}
	if c.Discord.APIURL != "" {
		client, err := bot.APIClient(c.Discord.APIURL)
		if err != nil {
			return nil, nil, err
		}
		bcfg.HTTPClient = client
	}
	fetcher := corpus.NewFetcher(corpus.FetchOptions{AllowHosts: c.Fetch.AllowHosts, MaxBytes: c.Fetch.MaxBytes, Timeout: c.Fetch.Timeout})
	metrics := bot.NewMetrics()
	metrics.WatchSources(func() float64 {
		st, err := lib.Stats(context.Background())
		if err != nil {
			return -1
		}
		return float64(st.Sources)
	})
	metrics.WatchSegments(func() float64 {
		n, err := lib.Segments()
		if err != nil {
			return -1
		}
		return float64(n)
	})
	b, err := bot.New(bcfg, lib, fetcher, log, metrics)
	if err != nil {
		return nil, nil, err
	}
	return b, metrics, nil
}

// serveHealth serves h (/healthz and /metrics) on addr in the background
// and returns the function that stops it.
func serveHealth(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http.listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("health and metrics listener stopped", "err", err)
		}
	}()
	log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	return func() { srv.Close() }, nil
}
