package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/retrieval"
)

// childArgs is the environment variable that makes TestCrashChild run
// verbatim with the arguments it holds (JSON), as a child process the
// crash test can kill.
const childArgs = "VERBATIM_TEST_CHILD_ARGS"

// TestCrashChild is not a test: it is the verbatim child process of
// TestAddSurvivesSIGKILL and the other tests that run verbatim as a
// process of its own, and is skipped otherwise.
func TestCrashChild(t *testing.T) {
	args := os.Getenv(childArgs)
	if args == "" {
		t.Skip("runs only as the child of TestAddSurvivesSIGKILL")
	}
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil {
		t.Fatalf("%s: %v", childArgs, err)
	}
	// As main does: SIGINT and SIGTERM stop the command (serve stops
	// gracefully), SIGKILL kills it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, argv, &env{
		stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}

// crashArticle is the text of article i of the crash test: each has a
// made-up word of its own, so that one question finds it and no other.
func crashArticle(i int) (text, word string) {
	word = "vorth" + string(rune('a'+i/26%26)) + string(rune('a'+i%26)) + "ix"
	var b strings.Builder
	fmt.Fprintf(&b, "Council Report %d\n\nBy Staff Writer\n\n", i)
	fmt.Fprintf(&b, "The %s committee approved %d grants for the river district on Tuesday, officials said.\n\n", word, 10+i)
	for p := range 6 {
		fmt.Fprintf(&b, "Paragraph %d of report %d describes the budget hearing, where residents asked about roads, schools and the harbour. ", p, i)
		b.WriteString("The mayor said the council would publish its figures next month, and several members asked for an independent audit.\n\n")
	}
	return b.String(), word
}

// TestAddSurvivesSIGKILL runs `verbatim add DIR` in a child process and
// kills it with SIGKILL at random moments. After every kill, opening the
// library must find each article either absent or whole — stored, indexed
// and answering its own question — and `check` must find nothing wrong.
// Kills: VERBATIM_CRASH_KILLS (default 4).
func TestAddSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	kills := 4
	if n, err := strconv.Atoi(os.Getenv("VERBATIM_CRASH_KILLS")); err == nil && n > 0 {
		kills = n
	}
	const articles = 240 // three AddMany batches of the add command
	articlesDir := t.TempDir()
	words := map[string]string{} // file name → its word
	for i := range articles {
		text, word := crashArticle(i)
		name := fmt.Sprintf("report-%03d.txt", i)
		if err := os.WriteFile(filepath.Join(articlesDir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		words[name] = word
	}
	child := func(data string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		argv, err := json.Marshal([]string{"add", "--data", data, articlesDir})
		if err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(os.Environ(), childArgs+"="+string(argv))
		return cmd
	}

	// One uninterrupted run tells how long an add takes here, so that the
	// kills fall across all of it (opening, parsing, each batch, closing).
	start := time.Now()
	if out, err := child(t.TempDir()).CombinedOutput(); err != nil {
		t.Fatalf("an uninterrupted add failed: %v\n%s", err, out)
	}
	whole := time.Since(start)
	t.Logf("an uninterrupted add of %d articles takes %v", articles, whole)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var data string
	var stored int
	for k := range kills {
		// A kill hits a library that an earlier kill left incomplete, or a
		// new one.
		if data == "" || stored == articles {
			data = t.TempDir()
		}
		cmd := child(data)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		after := time.Duration(rng.Int64N(int64(whole) * 9 / 10))
		time.Sleep(after)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		stored = checkAfterKill(t, data, words)
		t.Logf("kill %d after %v (%v): %d of %d articles stored", k+1, after.Round(time.Millisecond), err, stored, articles)
	}
	// And the add, run to the end, completes the library.
	if out, err := child(data).CombinedOutput(); err != nil {
		t.Fatalf("add after the kills failed: %v\n%s", err, out)
	}
	if stored = checkAfterKill(t, data, words); stored != articles {
		t.Errorf("after a complete add, %d of %d articles are stored", stored, articles)
	}
}

// checkAfterKill opens the library in data as the next start would, checks
// that each article is absent or whole and answering, closes it, and runs
// check. It returns how many articles are stored.
func checkAfterKill(t *testing.T, data string, words map[string]string) int {
	t.Helper()
	ctx := context.Background()
	// Before any start completes the index, check finds nothing lost: what
	// the kill interrupted is pending, not damage (or, killed before the
	// first start made it, there is no index yet).
	rep, err := retrieval.Check(ctx, data)
	if err != nil {
		t.Fatalf("check right after a kill: %v", err)
	}
	if !rep.Clean() && (len(rep.Problems) != 1 || rep.Problems[0].What != "there is no search index") {
		t.Errorf("check right after a kill: %+v", rep.Problems)
	}
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: data})
	if err != nil {
		t.Fatalf("opening the library after a kill: %v", err)
	}
	infos, err := lib.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, info := range infos {
		word, ok := words[info.Origin]
		if !ok {
			continue // a seed article
		}
		stored++
		src, err := lib.Get(ctx, info.ID, "")
		if err != nil {
			t.Errorf("%s is listed but cannot be read: %v", info.Origin, err)
			continue
		}
		if err := src.Validate(); err != nil {
			t.Errorf("%s is stored in part: %v", info.Origin, err)
		}
		res, err := lib.Ask(ctx, retrieval.Question{Text: "How many grants did the " + word + " committee approve?"})
		if err != nil {
			t.Fatal(err)
		}
		if res.NoAnswer || res.Answers[0].Source.ID != info.ID {
			t.Errorf("%s is stored but does not answer its question: %+v", info.Origin, res.Answers)
		}
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err = retrieval.Check(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() {
		t.Errorf("check after a kill and a reopen: %+v", rep.Problems)
	}
	return stored
}
