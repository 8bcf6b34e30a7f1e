package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/bot"
	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/pgstore"
	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// TestShardedAddSurvivesSIGKILL: on one PostgreSQL store, the process of
// shard 2 of 4 is killed with SIGKILL in the middle of adding articles to
// a server of its shard. Each article is then absent or whole; another
// process of the same shard, following the store all along, answers every
// stored one within seconds; the killed process, restarted, answers every
// one too, and `verbatim check --config` of its index is clean; the add
// run again completes the library.
func TestShardedAddSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx := context.Background()
	url := pgtest.Database(t)
	shards := bot.Shards{Count: 4, IDs: []int{2}}
	guild := fmt.Sprint(uint64(4002)<<22 | 99)
	if bot.ShardOf(guild, 4) != 2 {
		t.Fatalf("guild %s is not on shard 2", guild)
	}
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, "store: %q\ndiscord:\n  shards: {count: 4, ids: [2]}\n", url), 0o600); err != nil {
		t.Fatal(err)
	}
	const articles = 240
	articlesDir := t.TempDir()
	words := map[string]string{}
	for i := range articles {
		text, word := crashArticle(i)
		name := fmt.Sprintf("report-%03d.txt", i)
		if err := os.WriteFile(filepath.Join(articlesDir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		words[name] = word
	}
	child := func(store, data string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		argv, err := json.Marshal([]string{"add", "--store", store, "--data", data, "--scope", guild, articlesDir})
		if err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(os.Environ(), childArgs+"="+string(argv))
		return cmd
	}
	openShard := func(dir string) *retrieval.Library {
		t.Helper()
		st, err := pgstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		lib, err := retrieval.Open(ctx, retrieval.Options{Dir: dir, Store: st, Partition: shards.Partition()})
		if err != nil {
			t.Fatal(err)
		}
		return lib
	}
	// answersAll reports which stored articles of the server lib does not
	// answer with (their file names), checking each stored one is whole.
	answersAll := func(lib *retrieval.Library) (stored int, missing []string) {
		t.Helper()
		infos, err := lib.Sources(ctx, guild)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			word, ok := words[info.Origin]
			if !ok || info.Scope != guild {
				continue
			}
			stored++
			src, err := lib.Get(ctx, info.ID, guild)
			if err != nil {
				t.Fatalf("%s is listed but cannot be read: %v", info.Origin, err)
			}
			if err := src.Validate(); err != nil {
				t.Errorf("%s is stored in part: %v", info.Origin, err)
			}
			res, err := lib.Ask(ctx, retrieval.Question{Text: "How many grants did the " + word + " committee approve?", Scope: guild})
			if err != nil {
				t.Fatal(err)
			}
			if res.NoAnswer || res.Answers[0].Source.ID != info.ID {
				missing = append(missing, info.Origin)
			}
		}
		return stored, missing
	}

	// How long an uninterrupted add takes here, on a database of its own.
	start := time.Now()
	if out, err := child(pgtest.Database(t), t.TempDir()).CombinedOutput(); err != nil {
		t.Fatalf("an uninterrupted add failed: %v\n%s", err, out)
	}
	whole := time.Since(start)
	t.Logf("an uninterrupted add of %d articles takes %v", articles, whole)

	// The other process of the shard follows the store all along.
	otherDir := t.TempDir()
	other := openShard(otherDir)
	fctx, cancel := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() { other.Follow(fctx); close(followed) }()

	killedDir := t.TempDir()
	cmd := child(url, killedDir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed once some articles are stored (the add is under way), at a
	// random moment after that.
	watch, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	begun := time.Now()
	for {
		infos, err := watch.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) > len(corpusSeeds(t)) || time.Since(begun) > 30*time.Second {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 16))
	after := time.Duration(rng.Int64N(int64(whole) / 4))
	time.Sleep(after)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()

	var stored int
	var missing []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		stored, missing = answersAll(other)
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("killed %v after the first articles were stored (%v): %d of %d articles stored", after.Round(time.Millisecond), werr, stored, articles)
	if len(missing) > 0 {
		t.Errorf("the following process does not answer with %d stored articles within 5 s: %v", len(missing), missing)
	}
	cancel()
	<-followed
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}

	// The killed process restarts (as serve would, with its shards) and
	// answers with every stored article; check of its index is clean.
	restarted := openShard(killedDir)
	if again, missing := answersAll(restarted); again != stored || len(missing) > 0 {
		t.Errorf("restarted: %d stored (want %d), not answering: %v", again, stored, missing)
	}
	if err := restarted.Close(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{killedDir, otherDir} {
		if code, out, errs := cliEnv(t, nil, "", "check", "--config", cfgPath, "--data", dir); code != 0 {
			t.Errorf("check --config of %s: exit %d\n%s%s", dir, code, out, errs)
		}
	}

	// The add, run again to the end, completes the server's library.
	if out, err := child(url, killedDir).CombinedOutput(); err != nil {
		t.Fatalf("add after the kill failed: %v\n%s", err, out)
	}
	final := openShard(killedDir)
	defer final.Close()
	if n, missing := answersAll(final); n != articles || len(missing) > 0 {
		t.Errorf("after a complete add: %d of %d stored, not answering: %v", n, articles, missing)
	}
	if st, err := final.Stats(ctx); err != nil || st.Sources != len(corpusSeeds(t))+articles {
		t.Errorf("stats %+v, %v", st, err)
	}
}

// corpusSeeds are the seed articles.
func corpusSeeds(t *testing.T) []corpus.Source {
	t.Helper()
	ch, err := corpus.NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := corpus.SeedSources(ch, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}
