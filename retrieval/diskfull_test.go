package retrieval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// mountFull mounts a full 4 KiB tmpfs over dir, so that every new file
// written there fails with ENOSPC (as on a full disk), and returns what
// frees the space again: taking the mount away. It skips the test where
// mounting is not allowed (not root).
func mountFull(t *testing.T, dir string) (free func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4k"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "filler"), make([]byte, 4096), 0o600); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	mounted := true
	free = func() {
		if mounted {
			mounted = false
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmounting %s: %v", dir, err)
			}
		}
	}
	t.Cleanup(free)
	return free
}

// TestFullDiskWhileIndexing: the disk under the search index fills up while
// the library is open (a full tmpfs is mounted over the directory where the
// index writes its segments). An add is then reported as failed, fast and
// as a full disk, and is taken out of the store again; Health says the
// index cannot save its changes; Close does not wait for a save that
// cannot happen. Once there is space, the index saves its changes by
// itself, Health is nil again, and adds work.
func TestFullDiskWhileIndexing(t *testing.T) {
	ctx := context.Background()
	l, dir := openSeeded(t)
	if err := l.index.sync(ctx); err != nil {
		t.Fatal(err)
	}
	free := mountFull(t, filepath.Join(dir, "index.bleve", "store"))

	doc, err := corpus.ParseText([]byte("Quarry Story\n\nThe quarry foreman counted thirteen lorries leaving the pit before noon."))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	src, err := l.Add(ctx, corpus.Draft{Doc: doc})
	took := time.Since(start)
	if err == nil || !errors.Is(err, corpus.ErrDiskFull) || !strings.Contains(err.Error(), "no space left") || !strings.Contains(err.Error(), "was not added") {
		t.Fatalf("Add on a full disk = %v, %v; want a full-disk error that says it was not added", src.ID, err)
	}
	if took > 10*time.Second {
		t.Errorf("Add on a full disk took %v to fail", took)
	}
	t.Logf("Add on a full disk: %v", err)
	id := corpus.SourceID(corpus.GlobalScope, "The quarry foreman counted thirteen lorries leaving the pit before noon.")
	if _, err := l.store.Get(ctx, id); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("the source whose index write failed is still in the store: %v", err)
	}
	if h := l.Health(); !errors.Is(h, corpus.ErrDiskFull) {
		t.Errorf("Health on a full disk = %v, want a full disk", h)
	}
	if _, err := l.Add(ctx, corpus.Draft{Doc: doc}); !errors.Is(err, corpus.ErrDiskFull) {
		t.Errorf("a second Add on a full disk = %v, want refused as a full disk", err)
	}

	free()
	deadline := time.Now().Add(20 * time.Second)
	for l.Health() != nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if h := l.Health(); h != nil {
		t.Fatalf("with space again, Health stays %v", h)
	}
	if _, err := l.Add(ctx, corpus.Draft{Doc: doc}); err != nil {
		t.Fatalf("Add with space again: %v", err)
	}
	if res := ask(t, l, Question{Text: "How many lorries did the quarry foreman count?"}); res.NoAnswer {
		t.Errorf("the source added with space again does not answer")
	}
}

// TestCloseOnAFullDiskIsQuick: a library whose index cannot save its last
// changes closes at once instead of waiting minutes for a save that keeps
// failing, so a shutdown keeps its grace period; the next start finds the
// index behind and completes it from the store.
func TestCloseOnAFullDiskIsQuick(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.index.sync(ctx); err != nil {
		t.Fatal(err)
	}
	mountFull(t, filepath.Join(dir, "index.bleve", "store"))
	// A batch that close has to wait for (as the last of a rebuild is).
	doc, _ := corpus.ParseText([]byte("Ferry Story\n\nThe ferry captain logged seven crossings in the fog."))
	src, err := l.newSource(corpus.Draft{Doc: doc})
	if err != nil {
		t.Fatal(err)
	}
	b := l.index.newBatch()
	if err := addToBatch(b, &src); err != nil {
		t.Fatal(err)
	}
	if err := l.commit(b); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.Health() == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l.Health() == nil {
		t.Fatal("the index could not save a remove, but Health says nothing")
	}
	start := time.Now()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close on a full disk took %v", took)
	}
}
