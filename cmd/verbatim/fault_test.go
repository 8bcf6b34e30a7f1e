package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// askWord asks the library in data the question of crash article i and
// reports whether its own source answers.
func askWord(t *testing.T, data string, i int) bool {
	t.Helper()
	_, word := crashArticle(i)
	code, out, _ := cli(t, data, "ask", "--json", "How many grants did the "+word+" committee approve?")
	return code == 0 && strings.Contains(out, fmt.Sprintf("report-%03d.txt", i))
}

// TestDamagedIndexSegmentIsRebuilt writes random bytes into the search
// index's segment: check names it (and does not crash), check --repair
// rebuilds it, and any command that opens the library finds the damage
// first and rebuilds the index from the store, so no answer goes missing.
func TestDamagedIndexSegmentIsRebuilt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	whole := t.TempDir()
	buildLibrary(t, whole, 60)
	damageSegments := func(data string) {
		segs, err := filepath.Glob(filepath.Join(data, "index.bleve", "store", "*.zap"))
		if err != nil || len(segs) == 0 {
			t.Fatalf("no segment to damage: %v", err)
		}
		rng := rand.New(rand.NewPCG(5, 5))
		for _, seg := range segs {
			b, err := os.ReadFile(seg)
			if err != nil {
				t.Fatal(err)
			}
			for i := len(b) / 3; i < len(b)/3+4096 && i < len(b); i++ {
				b[i] = byte(rng.Uint32())
			}
			if err := os.WriteFile(seg, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}

	data := t.TempDir()
	copyDir(t, whole, data)
	damageSegments(data)
	code, out, errs := runChild(t, data, "check")
	if code != 1 || !strings.Contains(out, "does not match its checksum") || !strings.Contains(errs, "check --repair") {
		t.Errorf("check of a damaged segment: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runChild(t, data, "check", "--repair")
	if code != 0 || strings.Contains(errs, "goroutine ") {
		t.Errorf("check --repair of a damaged segment: exit %d\n%s%.800s", code, out, errs)
	}
	for i := range 60 {
		if !askWord(t, data, i) {
			t.Errorf("after check --repair, article %d does not answer", i)
		}
	}

	data = t.TempDir()
	copyDir(t, whole, data)
	damageSegments(data)
	code, out, errs = runChild(t, data, "ask", "How many grants did the "+wordOf(7)+" committee approve?")
	if code != 0 || !strings.Contains(out, "Council Report 7") || !strings.Contains(errs, "does not match its checksum") {
		t.Errorf("ask with a damaged segment: exit %d\n%s%.800s", code, out, errs)
	}
	for i := range 60 {
		if !askWord(t, data, i) {
			t.Errorf("after the rebuild at open, article %d does not answer", i)
		}
	}
	if code, out, errs := cli(t, data, "check"); code != 0 {
		t.Errorf("check after the rebuild: exit %d\n%s%s", code, out, errs)
	}
}

// wordOf is the word of crash article i.
func wordOf(i int) string {
	_, w := crashArticle(i)
	return w
}

// TestCheckAfterAnInterruptedWrite: a write that reached the store but not
// the index (as a kill -9 between the two leaves it) is not damage. check
// says the index is behind and that the next start completes it, and exits
// 0; the next start does complete it.
func TestCheckAfterAnInterruptedWrite(t *testing.T) {
	data := t.TempDir()
	buildLibrary(t, data, 10)
	store, err := corpus.OpenStore(filepath.Join(data, "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := corpus.NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 110; i++ {
		text, _ := crashArticle(i)
		doc, err := corpus.ParseText([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		src, err := corpus.NewSource(doc, corpus.Meta{Origin: fmt.Sprintf("report-%03d.txt", i)}, c, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Put(context.Background(), src); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, data, "check")
	if code != 0 || strings.Contains(out, "problem ") || !strings.Contains(out, "behind the store after an interrupted write (100 sources") ||
		!strings.Contains(out, "the next start, or verbatim check --repair, completes it") {
		t.Errorf("check after an interrupted write: exit %d\n%s%s", code, out, errs)
	}
	if !askWord(t, data, 42) {
		t.Errorf("the next start did not complete the index")
	}
	if code, out, errs := cli(t, data, "check"); code != 0 || !strings.Contains(out, "ok: the store and the search index agree") {
		t.Errorf("check after the next start: exit %d\n%s%s", code, out, errs)
	}
}

// TestCheckAfterAnInterruptedCreation: a kill while the index was being
// laid out leaves a half-made index directory and its mark; check says the
// index is being created and that the next start builds it, and exits 0;
// the next start does build it.
func TestCheckAfterAnInterruptedCreation(t *testing.T) {
	data := t.TempDir()
	buildLibrary(t, data, 10)
	index := filepath.Join(data, "index.bleve")
	if err := os.RemoveAll(filepath.Join(index, "store")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(index, "index_meta.json"), []byte(`{"stor`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(index+".creating", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, data, "check")
	if code != 0 || !strings.Contains(out, "the search index was being created when verbatim stopped") || strings.Contains(out, "sources not yet brought up to date") {
		t.Errorf("check after an interrupted creation: exit %d\n%s%s", code, out, errs)
	}
	if !askWord(t, data, 4) {
		t.Errorf("the next start did not build the index")
	}
	if code, out, errs := cli(t, data, "check"); code != 0 || !strings.Contains(out, "ok: the store and the search index agree") {
		t.Errorf("check after the next start: exit %d\n%s%s", code, out, errs)
	}
}

// TestFullDiskAdd adds articles one `add` at a time to a library on a small
// tmpfs until the disk is full. Each add either succeeds and says "added",
// or fails fast with one line that says the disk is full and that nothing
// was added — never "added" for what the index could not save, never a
// two-minute wait. check --repair then says the store is intact and to free
// space (not to restore a backup); with space again, it completes the
// index and every article reported added answers.
func TestFullDiskAdd(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	data, files := t.TempDir(), t.TempDir()
	if err := syscall.Mount("tmpfs", data, "tmpfs", 0, "size=3m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(data, syscall.MNT_DETACH) })
	var added []int
	failed := false
	for i := 0; i < 200 && !failed; i++ {
		text, _ := crashArticle(i)
		text += strings.Repeat(fmt.Sprintf("Paragraph of filler for report %d, about the harbour, the roads and the schools of the district.\n\n", i), 250)
		path := filepath.Join(files, fmt.Sprintf("report-%03d.txt", i))
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, out, errs := cli(t, data, "add", path)
		if took := time.Since(start); took > 30*time.Second {
			t.Fatalf("add %d took %v", i, took)
		}
		switch {
		case code == 0 && strings.Contains(out, "added "):
			added = append(added, i)
		case code == 1 && !strings.Contains(out, "added ") && oneErrorLine(errs) &&
			strings.Contains(errs, "no space left on the disk") && strings.Contains(errs, "was not added"):
			failed = true
			t.Logf("add %d on a full disk: %s", i, errs)
		default:
			t.Fatalf("add %d: exit %d\nstdout: %s\nstderr: %s", i, code, out, errs)
		}
	}
	if !failed {
		t.Fatal("the disk never filled up")
	}
	// A source the store took but the index never saw (a crash between
	// the two) leaves the index behind: repairing it needs space. It is as
	// long as the article whose add failed: opening the index deletes what
	// that failed write left, and a short source's segment would fit there.
	long := "Lighthouse Log\n\n" + strings.Repeat("The keeper of the lighthouse counted nine gulls on the rail, then the boats in the bay.\n\n", 250)
	if storeOnly(t, data, long) {
		fill(t, filepath.Join(data, "filler"))
		code, out, errs := cli(t, data, "check", "--repair")
		t.Logf("check --repair on a full disk: exit %d\n%s%s", code, out, errs)
		switch {
		case code == 0 && strings.Contains(out, "ok: the store and the search index agree"):
			// Opening the index removed the files a failed merge left, and
			// that made room for the one source: repaired, rightly.
			t.Log("the repair found room after all (the index's leftovers were removed at open)")
		case code != 1 || !oneErrorLine(errs) || !strings.Contains(errs, "no space left on the disk") ||
			!strings.Contains(errs, "The store is intact") || strings.Contains(errs, "backup"):
			t.Errorf("check --repair on a full disk: exit %d\n%s%s", code, out, errs)
		}
	} else {
		t.Log("the store had no room for a source either; repairing on a full disk is not tried")
	}
	if err := syscall.Mount("tmpfs", data, "tmpfs", syscall.MS_REMOUNT, "size=64m"); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(data, "filler"))
	if code, out, errs := cli(t, data, "check", "--repair"); code != 0 {
		t.Errorf("check --repair with space again: exit %d\n%s%s", code, out, errs)
	}
	for _, i := range added {
		if !askWord(t, data, i) {
			t.Errorf("article %d was reported added but does not answer", i)
		}
	}
}

// oneErrorLine reports whether stderr holds one error line, after any
// lines of the operator's log.
func oneErrorLine(stderr string) bool {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "time=") || !strings.Contains(l, " level=") {
			return false
		}
	}
	return strings.HasPrefix(lines[len(lines)-1], "verbatim ")
}

// storeOnly puts a source made of text into the store of the library in
// data, and not into its index; it reports whether the store took it.
func storeOnly(t *testing.T, data, text string) bool {
	t.Helper()
	store, err := corpus.OpenStore(filepath.Join(data, "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c, err := corpus.NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := corpus.ParseText([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	src, err := corpus.NewSource(doc, corpus.Meta{Origin: "store-only.txt"}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return store.Put(context.Background(), src) == nil
}

// fill writes path until the disk that holds it is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return
		}
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			return
		}
	}
}
