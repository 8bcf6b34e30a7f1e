package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/verbatim-bot/verbatim/bot"
	"github.com/verbatim-bot/verbatim/feeds"
	"github.com/verbatim-bot/verbatim/pgstore"
)

// fileConfig is config.yaml: every setting of the operator's one file. See
// config.example.yaml for what each one does. Secrets are not here: the
// Discord token comes from DISCORD_TOKEN.
type fileConfig struct {
	DataDir string `yaml:"data_dir"`
	// Store is the store of record: a postgres:// URL, or "" for
	// library.db in the data directory.
	Store   string `yaml:"store"`
	Discord struct {
		APIURL         string   `yaml:"api_url"`
		GuildIDs       []string `yaml:"guild_ids"`
		ModeratorRoles []string `yaml:"moderator_roles"`
		// Shards are the gateway shards of the bot and those this
		// process runs (ids; empty: all of them).
		Shards struct {
			Count int   `yaml:"count"`
			IDs   []int `yaml:"ids"`
		} `yaml:"shards"`
	} `yaml:"discord"`
	Limits struct {
		MemberPerMinute float64 `yaml:"member_per_minute"`
		MemberBurst     int     `yaml:"member_burst"`
		GuildPerMinute  float64 `yaml:"guild_per_minute"`
		GuildBurst      int     `yaml:"guild_burst"`
	} `yaml:"limits"`
	Answers struct {
		MaxQuotes     int      `yaml:"max_quotes"`
		MinConfidence *float64 `yaml:"min_confidence"`
		// MinCoverage is the key min_confidence replaced; it is kept only
		// to say so.
		MinCoverage   *float64 `yaml:"min_coverage"`
		MaxQuoteChars int      `yaml:"max_quote_chars"`
	} `yaml:"answers"`
	Fetch struct {
		AllowHosts []string      `yaml:"allow_hosts"`
		MaxBytes   int64         `yaml:"max_bytes"`
		Timeout    time.Duration `yaml:"timeout"`
	} `yaml:"fetch"`
	Feeds struct {
		// Poll off stops serve from reading followed feeds (feeds poll
		// from cron still can).
		Poll              *bool         `yaml:"poll"`
		Every             time.Duration `yaml:"every"`
		CheckEvery        time.Duration `yaml:"check_every"`
		MaxFeeds          int           `yaml:"max_feeds"`
		MaxArticlesPerDay int           `yaml:"max_articles_per_day"`
		MaxFeedBytes      int64         `yaml:"max_feed_bytes"`
		MaxItemsPerPoll   int           `yaml:"max_items_per_poll"`
	} `yaml:"feeds"`
	HTTP struct {
		Listen string `yaml:"listen"`
	} `yaml:"http"`
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
}

// defaultConfig is what an absent file or setting means.
func defaultConfig() fileConfig {
	var c fileConfig
	c.HTTP.Listen = "127.0.0.1:9464"
	c.ShutdownGrace = 10 * time.Second
	return c
}

// loadConfig reads a config file over the defaults. Unknown keys are errors,
// so a typo is reported instead of silently ignored. path "" means defaults.
func loadConfig(path string) (fileConfig, error) {
	c := defaultConfig()
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("reading config: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return c, fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := checkConfigNode(&root); err != nil {
		return c, fmt.Errorf("config %s %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.validate(); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

func (c fileConfig) validate() error {
	switch {
	case c.Answers.MaxQuotes < 0 || c.Answers.MaxQuotes > 10:
		return fmt.Errorf("answers.max_quotes must be 1 to 10, not %d", c.Answers.MaxQuotes)
	case c.Answers.MinCoverage != nil:
		return errors.New("answers.min_coverage is no longer read: answers.min_confidence (between 0 and 1, default 0.42) replaced it; see config.example.yaml")
	case c.Answers.MinConfidence != nil && (*c.Answers.MinConfidence < 0 || *c.Answers.MinConfidence > 1):
		return fmt.Errorf("answers.min_confidence must be between 0 and 1, not %v", *c.Answers.MinConfidence)
	case c.Answers.MaxQuoteChars < 0 || (c.Answers.MaxQuoteChars > 0 && c.Answers.MaxQuoteChars < 80):
		return fmt.Errorf("answers.max_quote_chars must be at least 80, not %d", c.Answers.MaxQuoteChars)
	case c.Limits.MemberPerMinute < 0 || c.Limits.GuildPerMinute < 0 || c.Limits.MemberBurst < 0 || c.Limits.GuildBurst < 0:
		return errors.New("limits must not be negative")
	case c.Feeds.Every != 0 && c.Feeds.Every < feeds.MinEvery:
		return fmt.Errorf("feeds.every must be at least %s, not %s", feeds.MinEvery, c.Feeds.Every)
	case c.Feeds.CheckEvery < 0 || c.Feeds.MaxFeeds < 0 || c.Feeds.MaxArticlesPerDay < 0 || c.Feeds.MaxFeedBytes < 0 || c.Feeds.MaxItemsPerPoll < 0:
		return errors.New("feeds settings must not be negative")
	case c.Store != "" && !pgstore.IsURL(c.Store):
		return fmt.Errorf("store must be a postgres:// URL, not %q (leave it out for library.db in data_dir)", c.Store)
	case c.ShutdownGrace < 0:
		return errors.New("shutdown_grace must not be negative")
	}
	if err := c.shards().Validate(); err != nil {
		return fmt.Errorf("discord.%w", err)
	}
	if c.Discord.APIURL != "" {
		if _, err := bot.ParseAPIURL(c.Discord.APIURL); err != nil {
			return err
		}
	}
	return nil
}

// setShardIDs sets discord.shards.ids from --shards ("2", "0,1"; "":
// leave them).
func (c *fileConfig) setShardIDs(list string) error {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	var ids []int
	for part := range strings.SplitSeq(list, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return usageError{fmt.Sprintf("--shards %q: give shard numbers separated by commas, like 0,1", list)}
		}
		ids = append(ids, id)
	}
	c.Discord.Shards.IDs = ids
	if err := c.shards().Validate(); err != nil {
		return usageError{fmt.Sprintf("--shards %s: %v (discord.shards.count is %d)", list, err, c.shards().Count)}
	}
	return nil
}

// shards is the discord.shards setting.
func (c fileConfig) shards() bot.Shards {
	return bot.Shards{Count: c.Discord.Shards.Count, IDs: c.Discord.Shards.IDs}
}
