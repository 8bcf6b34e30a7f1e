package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
	bolt "go.etcd.io/bbolt"
)

// runChild runs verbatim with args as a child process (TestCrashChild), so
// that a crash — a panic, or a fault in memory-mapped file reading — is
// seen as the user sees it instead of ending the test binary. It returns
// the exit status, stdout and stderr.
func runChild(t *testing.T, data string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	argv, err := json.Marshal(append(args, "--data", data))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), childArgs+"="+string(argv))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errb.String()
	default:
		t.Fatalf("running %v: %v", args, err)
		return 0, "", ""
	}
}

// buildLibrary makes a library of n crash-test articles plus the seeds in
// dir, big enough that its store spans many pages.
func buildLibrary(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var drafts []corpus.Draft
	for i := range n {
		text, _ := crashArticle(i)
		doc, err := corpus.ParseText([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		drafts = append(drafts, corpus.Draft{Doc: doc, Meta: corpus.Meta{Origin: fmt.Sprintf("report-%03d.txt", i), Snapshot: []byte(text), SnapshotType: "text/plain"}})
	}
	for len(drafts) > 0 {
		k := min(len(drafts), 50)
		if _, err := lib.AddMany(ctx, drafts[:k]); err != nil {
			t.Fatal(err)
		}
		drafts = drafts[k:]
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies a library directory (files and subdirectories).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// damage is one way a store file gets damaged.
type damage struct {
	name string
	do   func(t *testing.T, path string)
}

var storeDamages = []damage{
	{"cut to half its size", func(t *testing.T, path string) {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, st.Size()/2); err != nil {
			t.Fatal(err)
		}
	}},
	{"random bytes in the middle", func(t *testing.T, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(13, 13))
		// Pages in use: a fixed stretch of bytes may fall on free pages only.
		offsets, size := leafPages(t, path, len(b)/2, 16)
		for _, off := range offsets {
			for i := off; i < off+size; i++ {
				b[i] = byte(rng.Uint32())
			}
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}},
}

// leafPages returns the byte offsets of up to n leaf pages in use of the
// bbolt file at path, the first at or after byte from, and the page size.
func leafPages(t *testing.T, path string, from, n int) ([]int, int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := db.Info().PageSize
	var out []int
	err = db.View(func(tx *bolt.Tx) error {
		for id := from / size; len(out) < n; id++ {
			p, err := tx.Page(id)
			if p == nil || err != nil {
				return err
			}
			if p.Type == "leaf" {
				out = append(out, id*size)
			}
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("finding pages in use of %s: %d found, %v", path, len(out), err)
	}
	return out, size
}

// TestDamagedStoreNeverCrashes damages library.db of a library of 300
// articles (cut short, random bytes) and runs each command on it as the
// user would: none may crash or print a stack trace; each says in one line
// which file is damaged and what to do, and `export --salvage` writes every
// source it can still read whole as a backup that import takes.
func TestDamagedStoreNeverCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	whole := t.TempDir()
	buildLibrary(t, whole, 300)
	for _, dmg := range storeDamages {
		t.Run(dmg.name, func(t *testing.T) {
			data := t.TempDir()
			copyDir(t, whole, data)
			dmg.do(t, filepath.Join(data, "library.db"))
			for _, args := range [][]string{{"ask", "what", "did", "the", "council", "approve"}, {"sources"}, {"check"}, {"check", "--repair"}, {"export"}} {
				start := time.Now()
				code, _, errs := runChild(t, data, args...)
				t.Logf("%v: exit %d in %v", args, code, time.Since(start))
				crashed := code == 2 || strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic")
				if crashed {
					t.Errorf("%v crashed: exit %d\n%.600s", args, code, errs)
					continue
				}
				if code == 0 && args[0] != "ask" && args[0] != "sources" {
					t.Errorf("%v: exit 0 on a damaged store", args)
				}
				if code == 1 && (strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "library.db is damaged") || !strings.Contains(errs, "export --salvage")) {
					t.Errorf("%v: exit %d, want one line naming library.db and what to do:\n%s", args, code, errs)
				}
			}
			checkSalvage(t, data)
		})
	}
}

// checkSalvage runs `export --salvage` on the damaged library in data and
// checks that what it wrote imports into a new library whole.
func checkSalvage(t *testing.T, data string) {
	t.Helper()
	code, backup, errs := runChild(t, data, "export", "--salvage")
	if code == 2 || strings.Contains(errs, "goroutine ") || !strings.Contains(errs, "salvaged") {
		t.Fatalf("export --salvage: exit %d\n%.2000s", code, errs)
	}
	var salvaged, lost int
	if _, err := fmt.Sscanf(errs[strings.LastIndex(errs, "salvaged"):], "salvaged %d sources", &salvaged); err != nil {
		t.Fatalf("export --salvage does not say how many it saved: %v\n%s", err, errs)
	}
	lost = strings.Count(errs, "\nlost ") + map[bool]int{true: 1}[strings.HasPrefix(errs, "lost ")]
	t.Logf("salvaged %d sources, %d named as lost", salvaged, lost)
	if salvaged == 0 {
		t.Errorf("nothing salvaged from a half-damaged store:\n%s", errs)
	}
	restored := t.TempDir()
	if code, out, errs := cliStdin(t, restored, backup, "import", "-"); code != 0 || !strings.Contains(out, fmt.Sprintf("imported %d sources", salvaged)) {
		t.Fatalf("importing the salvage: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := cli(t, restored, "check"); code != 0 {
		t.Errorf("check of the restored salvage: exit %d\n%s%s", code, out, errs)
	}
}

// TestSalvageOfAWholeLibraryIsItsExport: on a library that is not damaged,
// `export --salvage` writes exactly what `export` writes.
func TestSalvageOfAWholeLibraryIsItsExport(t *testing.T) {
	data := t.TempDir()
	buildLibrary(t, data, 20)
	code, want, errs := cli(t, data, "export")
	if code != 0 {
		t.Fatalf("export: %s", errs)
	}
	code, got, errs := cli(t, data, "export", "--salvage")
	if code != 0 || got != want {
		t.Errorf("export --salvage of a whole library: exit %d, same bytes as export: %v\n%s", code, got == want, errs)
	}
}

// TestEmptyStoreIsDamageNotANewLibrary: a library.db emptied to 0 bytes
// (or gone) next to an index of 25 sources is damage: no command seeds it
// or cuts the index down to the seeds, and each says how to restore.
func TestEmptyStoreIsDamageNotANewLibrary(t *testing.T) {
	whole := t.TempDir()
	buildLibrary(t, whole, 20)
	for _, how := range []string{"emptied", "removed"} {
		t.Run(how, func(t *testing.T) {
			data := t.TempDir()
			copyDir(t, whole, data)
			db := filepath.Join(data, "library.db")
			var err error
			if how == "emptied" {
				err = os.Truncate(db, 0)
			} else {
				err = os.Remove(db)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"ask", "council"}, {"sources"}, {"check"}, {"check", "--repair"}, {"export"}} {
				code, out, errs := cli(t, data, args...)
				if code != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "verbatim import") ||
					!strings.Contains(errs, "move library.db and index.bleve away") {
					t.Errorf("%v: exit %d, want one line that says how to restore\nstdout: %s\nstderr: %s", args, code, out, errs)
				}
			}
			// The index was left as it was: with the store back, nothing is missing.
			b, err := os.ReadFile(filepath.Join(whole, "library.db"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(db, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out, errs := cli(t, data, "check"); code != 0 || !strings.Contains(out, "25 sources in the search index") {
				t.Errorf("check with the store put back: exit %d\n%s%s", code, out, errs)
			}
		})
	}
}
