package retrieval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Batches are "unsafe" (see runtimeConfig): Batch returns once a batch is
// searchable, and scorch writes it to disk afterwards, in its persister.
// When that write fails (a full disk), scorch does not tell the batch: it
// calls an "async error" callback and tries again, at once and forever.
// This file listens to that callback, so that the library can say that its
// index cannot be saved (Health), refuse writes that would not last, stop
// waiting at close, and slow the retrying down.

// asyncErrorCallback names the callback in scorch's registry.
const asyncErrorCallback = "verbatim-index"

// asyncRoutes sends scorch's asynchronous errors to the open index they
// are about. bleve takes such a callback only by a name registered in a
// package-level map of scorch's, and calls it with the index's path; this
// table from that path to the open index is retrieval's one piece of
// package-level state, kept for as long as an index is open.
var asyncRoutes sync.Map // scorch path → *sourceIndex

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		if x, ok := asyncRoutes.Load(path); ok {
			x.(*sourceIndex).asyncError(err)
		}
	}
}

// scorchPath is the path scorch knows an index at dir by (bleve's
// indexStorePath).
func scorchPath(dir string) string { return dir + string(os.PathSeparator) + "store" }

// persistState is what an index knows of saving its batches to disk.
type persistState struct {
	mu sync.Mutex
	// last receives when the last applied batch is on disk (nil: none
	// pending).
	last chan error
	// err is why saving failed, until a later save succeeds; failed is
	// closed when err is set.
	err      error
	failed   chan struct{}
	failures int
	// waiting counts the writers that will wait in sync (reporting): they
	// report a failure to their callers, so it is logged only when no one
	// waits. told says the failure was logged or reported.
	waiting int
	told    bool
	// closing is closed when the index is being closed: a retry waiting
	// in asyncError stops waiting.
	closing   chan struct{}
	closeOnce sync.Once
}

func newPersistState() *persistState {
	return &persistState{failed: make(chan struct{}), closing: make(chan struct{})}
}

// asyncError takes an error scorch reports from its background work. A
// failed persist makes the index unhealthy until a persist succeeds; the
// persister then retries at once, so this waits (100 ms, doubling up to
// 5 s) before letting it, instead of spinning a CPU.
func (x *sourceIndex) asyncError(err error) {
	if !errors.Is(err, scorch.ErrPersist) {
		x.log.Warn("the search index reported a problem in the background", "err", err)
		return
	}
	p := x.persist
	p.mu.Lock()
	first := p.err == nil
	p.err = persistError(x.dir, err)
	if first {
		close(p.failed)
	}
	p.failures++
	wait := min(100*time.Millisecond<<min(p.failures-1, 6), 5*time.Second)
	quiet := p.told || p.waiting > 0
	p.told = true
	p.mu.Unlock()
	if first && !quiet {
		x.log.Error("the search index cannot save its changes; it keeps them in memory and retries", "err", p.err)
	}
	select {
	case <-time.After(wait):
	case <-p.closing:
	}
}

// lowSpace is the free space under which a failed save of the index is
// taken for a full disk: a segment being written needs about as much.
const lowSpace = 64 << 20

// persistError says why the index in dir could not be saved. scorch gives
// only the text of the error, and sometimes not even the cause (a segment
// that could not be written is reported as one it could not open), so a
// full disk is recognised by the errno's text, which Go fixes ("no space
// left on device"), or else by the little space left on the disk.
func persistError(dir string, err error) error {
	msg := err.Error()
	var se *scorch.ScorchError
	if errors.As(err, &se) {
		msg = se.ErrMsg
	}
	for _, full := range []error{syscall.ENOSPC, syscall.EDQUOT} {
		if strings.Contains(msg, full.Error()) {
			return &corpus.DiskFullError{Path: dir, Err: errors.New(msg)}
		}
	}
	if free, ok := freeBytes(scorchPath(dir)); ok && free < lowSpace {
		return &corpus.DiskFullError{Path: dir, Err: fmt.Errorf("%d KiB free; %s", free>>10, msg)}
	}
	return fmt.Errorf("writing %s: %s", dir, msg)
}

// persisted notes that a batch (and every one before it) reached the disk:
// the index is healthy again.
func (x *sourceIndex) persisted() {
	p := x.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		x.log.Info("the search index saves its changes again")
		p.err, p.failures, p.failed, p.told = nil, 0, make(chan struct{}), false
	}
}

// health returns why the index cannot save its changes, or nil.
func (x *sourceIndex) health() error {
	if x.unusable != nil {
		return x.unusable
	}
	p := x.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return fmt.Errorf("the search index cannot save its changes: %w", p.err)
	}
	return nil
}

// batch applies b and notes it as the batch whose persisting close and
// sync wait for. A batch is refused while persisting fails: it would be
// kept in memory only.
func (x *sourceIndex) batch(b *bleve.Batch) error {
	if err := x.health(); err != nil {
		return err
	}
	done := make(chan error, 1)
	b.SetPersistedCallback(func(err error) {
		if err == nil {
			x.persisted()
		}
		done <- err
	})
	if err := guardIndex(func() error { return x.idx.Batch(b) }); err != nil {
		return err
	}
	x.trim.wrote(x.dropResident)
	x.persist.mu.Lock()
	x.persist.last = done
	x.persist.mu.Unlock()
	return nil
}

// sync waits until the last applied batch is on disk, and returns the
// error that kept it from getting there: persisting failed (at once), or
// ctx ended.
func (x *sourceIndex) sync(ctx context.Context) error {
	p := x.persist
	p.mu.Lock()
	done, failed := p.last, p.failed
	p.mu.Unlock()
	if done == nil {
		return x.health()
	}
	select {
	case err := <-done:
		done <- err // for whoever waits next
		if err != nil {
			return fmt.Errorf("the search index cannot save its changes: %w", err)
		}
		return nil
	case <-failed:
		// The caller reports it; close need not wait for this batch.
		p.mu.Lock()
		if p.last == done {
			p.last = nil
		}
		p.told = true
		p.mu.Unlock()
		return x.health()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reporting notes that a writer will wait for its batches to be saved and
// report a failure itself; call the function it returns when done.
func (x *sourceIndex) reporting() (done func()) {
	p := x.persist
	p.mu.Lock()
	p.waiting++
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.waiting--
		p.mu.Unlock()
	}
}

// Health returns nil while the library works as it should, and otherwise
// what is wrong, for the operator (a serve's /healthz): the store was found
// damaged, the search index cannot save its changes (a full disk wraps
// corpus.ErrDiskFull; adds are refused until a save succeeds, which
// happens by itself once there is space), or the index cannot be used (a
// read-only library whose index needs rebuilding).
func (l *Library) Health() error {
	if err := l.store.Damaged(); err != nil {
		return err
	}
	return l.index.health()
}
