package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
)

// TestServeAgainstFakeDiscord runs `verbatim serve` as an operator would,
// pointed at the local fake Discord by discord.api_url.
func TestServeAgainstFakeDiscord(t *testing.T) {
	fake := discordtest.New(t, discordtest.WithHeartbeatInterval(200*time.Millisecond))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	conf := "discord:\n  api_url: " + fake.URL() + "\n  guild_ids: [\"100000000000000001\"]\nhttp:\n  listen: \"127.0.0.1:0\"\nshutdown_grace: 2s\n"
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
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, e) }()

	wctx, wcancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer wcancel()
	if err := fake.Wait(wctx, func() bool { return len(fake.Commands("100000000000000001")) == 4 }); err != nil {
		cancel()
		t.Fatalf("commands not registered: %v", err)
	}
	inv := discordtest.InGuild("100000000000000001", "200000000000000001", discordtest.NewUser("3", "member"), discordgo.PermissionViewChannel)
	i := discordtest.SlashCommand(inv, "ask", discordtest.StringOption("question", "When was Robert Mueller appointed special counsel?"))
	if err := fake.DispatchInteraction(i); err != nil {
		t.Fatal(err)
	}
	m, err := fake.WaitMessage(wctx, func(m discordtest.Message) bool {
		return m.InteractionID == i.ID && m.Kind == discordtest.KindEditOriginal
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Description, "May 2017") {
		t.Errorf("answer: %+v", m.Embeds)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after the signal")
	}
}

func TestServeNeedsAToken(t *testing.T) {
	code, _, errs := cli(t, t.TempDir(), "serve")
	if code != 1 || !strings.Contains(errs, "DISCORD_TOKEN") {
		t.Errorf("exit %d: %q", code, errs)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ yaml, want string }{
		{"discrod:\n  guild_ids: []\n", `line 1: unknown key "discrod"; known keys: data_dir, store, discord, limits, answers, fetch, feeds, http, shutdown_grace`},
		{"limits:\n  member_burst: 3\n  member_per_minut: 5\n", `c.yaml line 3: unknown key "member_per_minut" under "limits"; known keys: member_per_minute, member_burst, guild_per_minute, guild_burst`},
		{"shutdown_grace: 10\n", `line 1: shutdown_grace: "10" is not a duration; write e.g. 10s or 2m`},
		{"fetch:\n  timeout: 1 minute\n", `line 2: fetch.timeout: "1 minute" is not a duration; write e.g. 10s or 2m`},
		{"limits:\n  member_burst: lots\n", `line 2: limits.member_burst: "lots" is not a whole number`},
		{"limits:\n  member_per_minute: [1]\n", `line 2: limits.member_per_minute must be a number, not a list`},
		{"discord:\n  guild_ids: 123\n", `line 2: discord.guild_ids must be a list, like [a, b], not a single value`},
		{"discord: yes\n", `line 1: discord must be a section of keys (api_url, guild_ids, moderator_roles, shards), not a single value`},
		{"answers:\n  min_coverage: 0.5\n", "answers.min_coverage is no longer read: answers.min_confidence"},
		{"answers:\n  min_confidence: 2\n", "min_confidence must be between 0 and 1"},
		{"answers:\n  max_quotes: 50\n", "max_quotes must be 1 to 10"},
		{"shutdown_grace: soon\n", `line 1: shutdown_grace: "soon" is not a duration`},
		{"discord:\n  shards:\n    count: 4\n    ids: [4]\n", "discord.shards: id 4 is not one of the 4 shards (0 to 3)"},
		{"discord:\n  shards:\n    count: 4\n    ids: [1, 1]\n", "discord.shards: id 1 is listed twice"},
		{"discord:\n  api_url: 127.0.0.1:8080\n", `discord.api_url must be an http(s) URL such as http://127.0.0.1:8080, not "127.0.0.1:8080"`},
		{"discord:\n  api_url: ws://127.0.0.1:8080\n", `discord.api_url must be an http(s) URL`},
		{"discord:\n  api_url: \"http://127.0.0.1:8080/?v=9\"\n", `discord.api_url must be an http(s) URL`},
	} {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfig(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.yaml, err, tc.want)
			continue
		}
		for _, internal := range []string{"struct", "!!", "unmarshal", "time.Duration", "float64"} {
			if strings.Contains(err.Error(), internal) {
				t.Errorf("%q: %v: names Go's insides (%s)", tc.yaml, err, internal)
			}
		}
	}
	// The example config is valid as committed.
	if _, err := loadConfig(filepath.Join("..", "..", "config.example.yaml")); err != nil {
		t.Errorf("config.example.yaml: %v", err)
	}
}

// syncWriter serialises writes from the serving goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// A token Discord refuses is said as such, with where to get a good one.
func TestServeBadToken(t *testing.T) {
	fake := discordtest.New(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	conf := "discord:\n  api_url: " + fake.URL() + "\nhttp:\n  listen: \"\"\nshutdown_grace: 2s\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &syncWriter{w: &errb}, stdin: strings.NewReader(""), getenv: func(k string) string {
		switch k {
		case "DISCORD_TOKEN":
			return "not-the-token"
		case "VERBATIM_DATA":
			return filepath.Join(dir, "data")
		}
		return ""
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, []string{"serve", "--config", cfg}, e)
	errs := errb.String()
	last := errs[strings.LastIndex(strings.TrimSuffix(errs, "\n"), "\n")+1:]
	t.Logf("seen: exit %d, %s", code, last)
	if code != 1 || !strings.Contains(last, "was refused by Discord") || !strings.Contains(last, "DISCORD_TOKEN") ||
		!strings.Contains(last, "Reset Token") || strings.Contains(last, `"code"`) {
		t.Errorf("exit %d, last line %q", code, last)
	}
}

// A process that runs some of the shards needs the shared store.
func TestServeShardsNeedASharedStore(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("discord:\n  shards: {count: 4, ids: [0, 1]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DISCORD_TOKEN": "t", "VERBATIM_DATA": dir}
	e := &env{getenv: func(k string) string { return vars[k] }}
	_, err := serveSettings(e, []string{"--config", p})
	if err == nil || !strings.Contains(err.Error(), "runs shards 0,1 of 4, which needs the store shared by every process") {
		t.Errorf("shards 0,1 of 4 on library.db: %v", err)
	}
	vars["VERBATIM_STORE"] = "postgres://verbatim@127.0.0.1/verbatim"
	s, err := serveSettings(e, []string{"--config", p})
	if err != nil {
		t.Fatal(err)
	}
	if pt := s.cfg.shards().Partition(); pt == nil || pt.Name != "shards 0,1 of 4" {
		t.Errorf("partition %+v", pt)
	}
	// --shards gives the ids instead of the config (one config for all).
	if s, err = serveSettings(e, []string{"--config", p, "--shards", "3, 1"}); err != nil {
		t.Fatal(err)
	}
	if pt := s.cfg.shards().Partition(); pt == nil || pt.Name != "shards 1,3 of 4" {
		t.Errorf("--shards 3,1: partition %+v", pt)
	}
	for _, bad := range []string{"x", "4", "1,1"} {
		if _, err := serveSettings(e, []string{"--config", p, "--shards", bad}); err == nil || !strings.Contains(err.Error(), "--shards") {
			t.Errorf("--shards %s: %v", bad, err)
		}
	}
}
