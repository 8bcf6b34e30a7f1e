package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/verbatim-bot/verbatim/bot"
	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func runServe(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "serve", "[--config FILE] [--data DIR]",
		"Run the Discord bot (the token comes from the environment variable DISCORD_TOKEN)")
	var lf libFlags
	lf.register(f)
	cfgPath := f.String("config", "", "config file (see config.example.yaml); default: built-in defaults")
	if _, err := f.parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	token := e.getenv("DISCORD_TOKEN")
	if token == "" {
		return errors.New("no Discord token: set the environment variable DISCORD_TOKEN (see README, \"Run it in your server\")")
	}
	if lf.data == "" {
		lf.data = cfg.DataDir
	}
	lf.verbose = true
	dir, err := lf.dataDir(e)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	tuning := retrieval.DefaultTuning()
	if cfg.Answers.MinCoverage > 0 {
		tuning.MinCoverage = cfg.Answers.MinCoverage
	}
	if cfg.Answers.MaxQuoteChars > 0 {
		tuning.MaxQuoteRunes = cfg.Answers.MaxQuoteChars
	}
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: dir, Logger: log, Tuning: &tuning})
	if err != nil {
		return fmt.Errorf("opening the library in %s: %w", dir, err)
	}
	defer func() {
		if err := lib.Close(); err != nil {
			log.Error("closing the library", "err", err)
		}
	}()

	bcfg := bot.Config{
		Token: token, GuildIDs: cfg.Discord.GuildIDs, ModeratorRoles: cfg.Discord.ModeratorRoles,
		MemberPerMinute: cfg.Limits.MemberPerMinute, MemberBurst: cfg.Limits.MemberBurst,
		GuildPerMinute: cfg.Limits.GuildPerMinute, GuildBurst: cfg.Limits.GuildBurst,
		MaxQuotes: cfg.Answers.MaxQuotes,
		Fetch:     corpus.FetchOptions{AllowHosts: cfg.Fetch.AllowHosts, MaxBytes: cfg.Fetch.MaxBytes, Timeout: cfg.Fetch.Timeout},
	}
	if cfg.Discord.APIURL != "" {
		if bcfg.HTTPClient, err = bot.APIClient(cfg.Discord.APIURL); err != nil {
			return err
		}
	}
	metrics := bot.NewMetrics()
	metrics.WatchSources(func() float64 {
		st, err := lib.Stats(context.Background())
		if err != nil {
			return -1
		}
		return float64(st.Sources)
	})
	b, err := bot.New(bcfg, lib, log, metrics)
	if err != nil {
		return err
	}
	if cfg.HTTP.Listen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
		}
		srv := &http.Server{Handler: metrics.Handler(b.Ready), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("health and metrics listener stopped", "err", err)
			}
		}()
		defer srv.Close()
		log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	}
	return b.Run(ctx, cfg.ShutdownGrace)
}
