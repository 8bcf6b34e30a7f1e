package retrieval

import (
	"sync"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Bounding the resident set while the index is written. scorch memory-maps
// every segment, and its merger reads whole segments to merge them: at 1M
// passages one merge read ten segments of 80 MB, and the pages it touched
// stayed mapped (counted in the process's RSS) until the merge ended. They
// are file pages, in the page cache whether mapped or not; dropping them
// from the process's page tables (madvise MADV_DONTNEED, which leaves the
// cache alone) bounds the RSS without rereading anything from disk: a page
// touched again is mapped again by a minor fault. The index does this while
// it is being written and for a while after, whenever the process's
// file-backed RSS is above trimAbove, and never while it only answers.
const (
	// trimEvery is how often the resident file pages are looked at.
	trimEvery = 250 * time.Millisecond
	// trimAbove is the file-backed RSS (RssFile) above which the index's
	// segment pages are dropped.
	trimAbove = 256 << 20
	// trimFor is how long after the last write the index keeps trimming:
	// the merger goes on merging after the writes stop.
	trimFor = time.Minute
)

// residentTrim runs the trimming goroutine of an index while it is being
// written. Its zero value is ready to use.
type residentTrim struct {
	mu   sync.Mutex
	last time.Time
	// stop, while trimming runs, ends it.
	stop chan struct{}
	wg   sync.WaitGroup
}

// wrote notes a write to the index, and starts trimming if it is not
// running; drop is what one trim does.
func (t *residentTrim) wrote(drop func()) {
	if !corpus.MappedPagesDroppable {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last = time.Now()
	if t.stop != nil {
		return
	}
	stop := make(chan struct{})
	t.stop = stop
	t.wg.Go(func() { t.loop(stop, drop) })
}

// loop trims every trimEvery while the file-backed RSS is above trimAbove,
// until trimFor after the last write, or until stop is closed.
func (t *residentTrim) loop(stop chan struct{}, drop func()) {
	tick := time.NewTicker(trimEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		t.mu.Lock()
		idle := time.Since(t.last) > trimFor
		if idle && t.stop == stop {
			t.stop = nil
		}
		t.mu.Unlock()
		if idle {
			return
		}
		if corpus.ResidentFileBytes() > trimAbove {
			drop()
		}
	}
}

// close stops trimming and waits for it to end; the next write starts it
// again.
func (t *residentTrim) close() {
	t.mu.Lock()
	if t.stop != nil {
		close(t.stop)
		t.stop = nil
	}
	t.mu.Unlock()
	t.wg.Wait()
}

// dropResident drops from the process's page tables the pages of the
// segments of the index's present snapshot. The snapshot is held meanwhile,
// so none of its segments can be closed (unmapped, and the address range
// given to another mapping) while the kernel is told about them.
func (x *sourceIndex) dropResident() {
	err := x.withSegmentPaths(func(paths []string) error {
		if len(paths) == 0 {
			return nil
		}
		return corpus.DropMappedPages(paths)
	})
	if err != nil {
		x.log.Debug("dropping the index's resident pages", "err", err)
	}
	if x.dropStore != nil {
		if err := x.dropStore(); err != nil {
			x.log.Debug("dropping the store's resident pages", "err", err)
		}
	}
}
