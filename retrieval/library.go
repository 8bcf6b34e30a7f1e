package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Options configure a Library.
type Options struct {
	// Dir is the data directory: it holds the store (library.db) and the
	// search index (index.bleve).
	Dir string
	// Logger receives what the operator should know; nil discards.
	Logger *slog.Logger
	// NoSeed leaves an empty library empty instead of loading the seed
	// articles (for benchmarks and evaluation on other data).
	NoSeed bool
	// Now returns the current time (for added_at); nil means time.Now.
	Now func() time.Time
	// Tuning sets the answer path's parameters; zero means DefaultTuning.
	Tuning *Tuning
}

// Library is Verbatim's library of articles, ready to answer: the durable
// store (the source of truth) and the search index derived from it. All
// methods are safe for concurrent use; adds and removes are serialized.
type Library struct {
	store    *corpus.Store
	index    *sourceIndex
	chunker  *corpus.Chunker
	analyzer analysis.Analyzer
	log      *slog.Logger
	now      func() time.Time
	tuning   Tuning

	writeMu sync.Mutex
	closed  bool // guarded by writeMu
}

// ErrNotVisible is returned for a source that exists but belongs to another
// server than the one asking.
var ErrNotVisible = errors.New("that source belongs to another server")

// Open opens the library in opts.Dir, creating it if needed. An empty library
// that was never seeded gets the seed articles. The index is rebuilt from the
// store when missing or of an old version, and otherwise reconciled with it:
// a source in the store but not the index is indexed, one in the index but
// not the store is deleted from it.
func Open(ctx context.Context, opts Options) (*Library, error) {
	if opts.Dir == "" {
		return nil, errors.New("opening library: no data directory given")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	chunker, err := corpus.NewChunker()
	if err != nil {
		return nil, err
	}
	store, err := corpus.OpenStore(filepath.Join(opts.Dir, "library.db"))
	if err != nil {
		return nil, err
	}
	l := &Library{store: store, chunker: chunker, log: log, now: opts.Now, tuning: DefaultTuning()}
	if l.now == nil {
		l.now = time.Now
	}
	if opts.Tuning != nil {
		l.tuning = *opts.Tuning
	}
	if err := l.open(ctx, opts); err != nil {
		store.Close()
		if l.index != nil {
			l.index.close()
		}
		return nil, err
	}
	return l, nil
}

func (l *Library) open(ctx context.Context, opts Options) error {
	if !opts.NoSeed {
		if err := l.seed(ctx); err != nil {
			return err
		}
	}
	x, fresh, err := openIndex(filepath.Join(opts.Dir, "index.bleve"), l.log)
	if err != nil {
		return err
	}
	l.index = x
	l.analyzer = x.textAnalyzer()
	if l.analyzer == nil {
		return errors.New("opening search index: its text analyzer is missing")
	}
	if fresh {
		return l.rebuild(ctx)
	}
	current, err := l.indexCurrent()
	if err != nil || current {
		return err
	}
	return l.Reconcile(ctx)
}

// indexCurrent reports whether the index recorded the store's present
// generation: then it reflects every change the store holds, and opening
// needs no reconciling (which reads every source). After a crash between a
// store write and its index batch, or when a batch was not yet on disk, the
// generations differ.
func (l *Library) indexCurrent() (bool, error) {
	want, err := l.store.Generation()
	if err != nil {
		return false, err
	}
	have, ok, err := l.index.generation()
	if err != nil {
		return false, err
	}
	return ok && have == want, nil
}

// commit applies b to the index, recording the store's present generation
// with it. Callers hold writeMu, so no store write can come between the
// store change that b mirrors and the generation read here.
func (l *Library) commit(b *bleve.Batch) error {
	gen, err := l.store.Generation()
	if err != nil {
		return err
	}
	return l.index.apply(b, gen)
}

// seed loads the embedded seed articles into a store that never had them.
func (l *Library) seed(ctx context.Context) error {
	seeded, err := l.store.Seeded()
	if err != nil {
		return fmt.Errorf("reading library state: %w", err)
	}
	if seeded {
		return nil
	}
	ids, err := l.store.IDs(ctx)
	if err != nil {
		return err
	}
	var srcs []corpus.Source
	if len(ids) == 0 {
		if srcs, err = corpus.SeedSources(l.chunker, l.now()); err != nil {
			return err
		}
	}
	if err := l.store.Seed(ctx, srcs); err != nil {
		return fmt.Errorf("loading the seed library: %w", err)
	}
	if len(srcs) > 0 {
		l.log.Info("loaded the seed library", "sources", len(srcs))
	}
	return nil
}

// rebuild indexes every stored source into an empty index. Only its last
// batch records the store generation, so a rebuild cut short is finished by
// the next Open.
func (l *Library) rebuild(ctx context.Context) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	ids, err := l.store.IDs(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	b := l.index.newBatch()
	for _, id := range ids {
		src, err := l.store.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("rebuilding index: %w", err)
		}
		if src.SupersededBy != "" {
			continue
		}
		if err := addToBatch(b, &src); err != nil {
			return err
		}
		if b.Size() >= 1000 {
			if err := l.index.applyPart(b); err != nil {
				return fmt.Errorf("rebuilding index: %w", err)
			}
			b.Reset()
		}
	}
	if err := l.commit(b); err != nil {
		return fmt.Errorf("rebuilding index: %w", err)
	}
	l.log.Info("built search index", "sources", len(ids), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Reconcile makes the index agree with the store: sources stored but not
// wholly indexed are indexed, and sources indexed but no longer stored (or
// superseded) are deleted from the index. It reads every source's info and
// every document id in the index, so Open runs it only when the index's
// generation says it may be behind.
func (l *Library) Reconcile(ctx context.Context) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	infos, err := l.store.List(ctx)
	if err != nil {
		return err
	}
	have, err := l.index.inventory(ctx)
	if err != nil {
		return err
	}
	b := l.index.newBatch()
	flush := func() error {
		if b.Size() < 1000 {
			return nil
		}
		if err := l.index.applyPart(b); err != nil {
			return fmt.Errorf("reconciling the search index: %w", err)
		}
		b.Reset()
		return nil
	}
	active := make(map[string]bool, len(infos))
	added, removed := 0, 0
	for _, info := range infos {
		if info.SupersededBy != "" {
			continue // kept for checking quotes, not for answering
		}
		active[info.ID] = true
		h := have[info.ID]
		if h.whole(info.PassageCount) {
			continue
		}
		if h != nil {
			if err := l.index.removeToBatch(ctx, b, info.ID); err != nil {
				return err
			}
		}
		src, err := l.store.Get(ctx, info.ID)
		if err != nil {
			return fmt.Errorf("reconciling: %w", err)
		}
		if err := addToBatch(b, &src); err != nil {
			return err
		}
		added++
		if err := flush(); err != nil {
			return err
		}
	}
	for id := range have {
		if active[id] {
			continue
		}
		if err := l.index.removeToBatch(ctx, b, id); err != nil {
			return err
		}
		removed++
		if err := flush(); err != nil {
			return err
		}
	}
	if err := l.commit(b); err != nil {
		return fmt.Errorf("reconciling the search index: %w", err)
	}
	if added+removed > 0 {
		l.log.Info("reconciled search index with the store", "indexed", added, "deleted", removed)
	}
	return nil
}

// Close closes the index and the store. Closing twice is harmless.
func (l *Library) Close() error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	return errors.Join(l.index.close(), l.store.Close())
}

// newSource makes a source of a draft, stamped with the library's clock.
func (l *Library) newSource(d corpus.Draft) (corpus.Source, error) {
	return corpus.NewSource(d.Doc, d.Meta, l.chunker, l.now())
}

// newSources makes a source of each draft, as newSource does, chunking on
// every CPU: for bulk adds, where chunking in a loop keeps one core busy
// while the others wait. srcs[i] is made of drafts[i], or errs[i] says why
// it could not be (ctx's error for drafts not reached before ctx ended).
// Both slices have one entry per draft.
func (l *Library) newSources(ctx context.Context, drafts []corpus.Draft) (srcs []corpus.Source, errs []error) {
	srcs = make([]corpus.Source, len(drafts))
	errs = make([]error, len(drafts))
	now := l.now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(drafts)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(drafts) {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				srcs[i], errs[i] = corpus.NewSource(drafts[i].Doc, drafts[i].Meta, l.chunker, now)
			}
		})
	}
	wg.Wait()
	return srcs, errs
}

// Add makes a source of a draft (chunked, hashed, stamped with the
// library's clock), stores it and indexes it, and returns it. The store is
// written first; if indexing then fails, the source is taken out of the
// store again so that the caller's error is the whole truth. A source
// already in the library is refused with a *corpus.ExistsError; a draft
// that cannot become a source, with an error wrapping corpus.ErrInvalid.
func (l *Library) Add(ctx context.Context, d corpus.Draft) (corpus.Source, error) {
	src, err := l.newSource(d)
	if err != nil {
		return corpus.Source{}, err
	}
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if err := l.store.Put(ctx, src); err != nil {
		return corpus.Source{}, err
	}
	b := l.index.newBatch()
	err = addToBatch(b, &src)
	if err == nil {
		err = l.commit(b)
	}
	if err != nil {
		return corpus.Source{}, l.undoAdds(ctx, []string{src.ID}, fmt.Errorf("indexing source %s: %w", src.ID, err))
	}
	return src, nil
}

// Added is what became of one draft given to AddMany.
type Added struct {
	// Source is the source made of the draft (zero when Err says it could
	// not be made).
	Source corpus.Source
	// Err is nil when the source was added, a *corpus.ExistsError when it
	// was already in the library, and otherwise says why the draft could
	// not become a source.
	Err error
}

// AddMany adds many drafts at once: their sources are made on every CPU,
// then stored in one transaction and indexed in one batch, which is much
// faster than Add in a loop for bulk adds. It returns one Added per draft,
// in order. The error is for the library failing (store or index): then
// nothing of this call is kept.
func (l *Library) AddMany(ctx context.Context, drafts []corpus.Draft) ([]Added, error) {
	srcs, errs := l.newSources(ctx, drafts)
	out := make([]Added, len(drafts))
	var good []corpus.Source
	var pos []int
	for i := range drafts {
		out[i] = Added{Source: srcs[i], Err: errs[i]}
		if errs[i] == nil {
			good = append(good, srcs[i])
			pos = append(pos, i)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dups, err := l.addSources(ctx, good)
	if err != nil {
		return nil, err
	}
	for j, d := range dups {
		out[pos[j]].Err = d
	}
	return out, nil
}

// addSources stores and indexes sources already made: one store
// transaction and one index batch. Sources already in the library are
// skipped and returned as duplicates, by their position in srcs. If
// indexing fails, the sources stored by this call are taken out again.
func (l *Library) addSources(ctx context.Context, srcs []corpus.Source) (map[int]*corpus.ExistsError, error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	stored, dups, err := l.store.PutMany(ctx, srcs)
	if err != nil {
		return nil, err
	}
	b := l.index.newBatch()
	var added []string
	for _, i := range stored {
		added = append(added, srcs[i].ID)
		if err := addToBatch(b, &srcs[i]); err != nil {
			return nil, l.undoAdds(ctx, added, err)
		}
	}
	if err := l.commit(b); err != nil {
		return nil, l.undoAdds(ctx, added, fmt.Errorf("indexing %d sources: %w", len(added), err))
	}
	return dups, nil
}

// undoAdds takes sources that could not be indexed out of the store again
// and returns the error that caused it.
func (l *Library) undoAdds(ctx context.Context, ids []string, cause error) error {
	for _, id := range ids {
		if err := l.store.Remove(context.WithoutCancel(ctx), id); err != nil {
			l.log.Error("source stored but not indexed; it will be indexed at next start", "id", id, "err", err)
		}
	}
	return cause
}

// Replace makes a draft the new version of source oldID (a refresh fetched
// the article again). When the draft's text is the same as the old
// version's, nothing changes and changed is false. Otherwise the new version
// is stored and indexed, and the old one is kept in the store, marked
// superseded, but no longer answers.
func (l *Library) Replace(ctx context.Context, oldID string, d corpus.Draft) (next corpus.Source, changed bool, err error) {
	next, err = l.newSource(d)
	if err != nil {
		return corpus.Source{}, false, err
	}
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	old, err := l.store.Info(ctx, oldID)
	if err != nil {
		return corpus.Source{}, false, err
	}
	if old.SHA256 == next.SHA256 && old.Scope == next.Scope {
		return corpus.Source{}, false, nil
	}
	next, err = l.store.Supersede(ctx, oldID, next)
	if err != nil {
		return corpus.Source{}, false, err
	}
	b := l.index.newBatch()
	err = l.index.removeToBatch(ctx, b, oldID)
	if err == nil {
		err = addToBatch(b, &next)
	}
	if err == nil {
		err = l.commit(b)
	}
	if err != nil {
		l.log.Error("new version stored but the index still has the old one; the next start repairs it", "old", oldID, "new", next.ID, "err", err)
		return next, true, fmt.Errorf("indexing the new version %s: %w", next.ID, err)
	}
	return next, true, nil
}

// Remove deletes a source from the library. scope limits what may be
// removed: "" removes any source (the operator), otherwise only a source of
// exactly that scope (a server's moderators remove their server's sources,
// never the global library's). Once Remove returns, the source never answers
// again.
func (l *Library) Remove(ctx context.Context, id, scope string) (corpus.Info, error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	info, err := l.store.Info(ctx, id)
	if err != nil {
		return corpus.Info{}, err
	}
	if scope != "" && info.Scope != scope {
		if info.Scope == corpus.GlobalScope {
			return corpus.Info{}, fmt.Errorf("source %s is in the global library, which only the operator can change: %w", id, ErrNotVisible)
		}
		return corpus.Info{}, fmt.Errorf("source %q: %w", id, corpus.ErrNotFound)
	}
	if err := l.store.Remove(ctx, id); err != nil {
		return corpus.Info{}, err
	}
	b := l.index.newBatch()
	err = l.index.removeToBatch(context.WithoutCancel(ctx), b, id)
	if err == nil {
		err = l.commit(b)
	}
	if err != nil {
		// Answers skip sources the store no longer has, and the next start
		// deletes the leftover passages.
		l.log.Error("source removed from the store but not from the index", "id", id, "err", err)
	}
	return info, nil
}

// Get returns a source visible from scope ("" sees every source).
func (l *Library) Get(ctx context.Context, id, scope string) (corpus.Source, error) {
	src, err := l.store.Get(ctx, id)
	if err != nil {
		return corpus.Source{}, err
	}
	if !visible(src.Scope, scope) {
		return corpus.Source{}, fmt.Errorf("source %q: %w", id, corpus.ErrNotFound)
	}
	return src, nil
}

// Snapshot returns the bytes a source (visible from any scope) was made
// from, or nil when it has none.
func (l *Library) Snapshot(ctx context.Context, id string) ([]byte, error) {
	return l.store.Snapshot(ctx, id)
}

// Sources lists the sources visible from scope, newest first: "" lists every
// source, GlobalScope the global library, a guild id that guild's sources and
// the global library. Versions replaced by a refresh are not listed (Get
// still returns them).
func (l *Library) Sources(ctx context.Context, scope string) ([]corpus.Info, error) {
	all, err := l.store.List(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, info := range all {
		if visible(info.Scope, scope) && info.SupersededBy == "" {
			out = append(out, info)
		}
	}
	return out, nil
}

// Stats are counts of what the library holds.
type Stats struct {
	Sources  int
	Passages uint64
}

// Stats counts the library's sources and indexed passages.
func (l *Library) Stats(ctx context.Context) (Stats, error) {
	ids, err := l.store.IDs(ctx)
	if err != nil {
		return Stats{}, err
	}
	n, err := l.index.docCount()
	if err != nil {
		return Stats{}, err
	}
	return Stats{Sources: len(ids), Passages: n}, nil
}

// visible reports whether a source of scope srcScope is seen from asker.
func visible(srcScope, asker string) bool {
	return asker == "" || srcScope == corpus.GlobalScope || srcScope == asker
}
