package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval/wordfreq"
)

// Options configure a Library.
type Options struct {
	// Dir is the data directory: it holds the store (library.db) and the
	// search index (index.bleve).
	Dir string
	// Store, when set, is the store of record to use instead of
	// library.db in Dir (a PostgreSQL store, say); Dir then holds the
	// search index alone. The Library owns it: Close closes it, and so
	// does Open when it fails.
	Store corpus.Store
	// Logger receives what the operator should know; nil discards.
	Logger *slog.Logger
	// NoSeed leaves an empty library empty instead of loading the seed
	// articles (for benchmarks and evaluation on other data).
	NoSeed bool
	// Now returns the current time (for added_at); nil means time.Now.
	Now func() time.Time
	// Tuning sets the answer path's parameters; zero means DefaultTuning.
	Tuning *Tuning
	// Progress, when set, is told how a long task at Open (rebuilding or
	// reconciling the index) gets on, after each source; the log hears of
	// it every 10 seconds either way.
	Progress func(Progress)
	// Partition, when set, limits the index to the global library and the
	// scopes it holds (see Partition); nil indexes every scope.
	Partition *Partition

	// reports says the caller of Open reports a failure to save the index
	// itself (Repair), so it is not logged too.
	reports bool
	// scorchConfig, set by tests, adjusts scorch's configuration (its
	// merge policy, say) before the index is opened or created.
	scorchConfig func(map[string]any)
}

// Library is Verbatim's library of articles, ready to answer: the durable
// store (the source of truth) and the search index derived from it. All
// methods are safe for concurrent use; adds and removes are serialized.
type Library struct {
	store    corpus.Store
	index    *sourceIndex
	chunker  *corpus.Chunker
	analyzer analysis.Analyzer
	log      *slog.Logger
	now      func() time.Time
	tuning   Tuning
	// norms are the tuning's fixed BM25 average lengths by field
	// (Tuning.lengthNorms), which every question's view scores with.
	norms    map[string]float64
	progress func(Progress)
	// readOnly is set when the library's files cannot be written: it
	// answers from its index as it is and refuses every write.
	readOnly bool
	// english says how common a word is in English, for question words
	// the library has never seen (see understand).
	english *wordfreq.Table
	// partition is the part of the library the index holds; nil: all.
	partition *Partition

	writeMu sync.Mutex
	closed  bool // guarded by writeMu
	// followed is, for a shared store, the generation the index has
	// followed the store's changes up to (see follow.go).
	followed atomic.Uint64
}

// ErrNotVisible is returned for a source that exists but belongs to another
// server than the one asking.
var ErrNotVisible = errors.New("that source belongs to another server")

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
// library's clock), stores it and indexes it, and returns it once both are
// on disk. The store is written first; if indexing then fails — the index
// cannot be saved, say on a full disk — the source is taken out of the
// store again so that the caller's error is the whole truth ("it was not
// added"), or, if even that fails, the error says it stays stored and is
// indexed at the next start. A source already in the library is refused
// with a *corpus.ExistsError; a draft that cannot become a source, with an
// error wrapping corpus.ErrInvalid.
func (l *Library) Add(ctx context.Context, d corpus.Draft) (corpus.Source, error) {
	src, err := l.newSource(d)
	if err != nil {
		return corpus.Source{}, err
	}
	dups, err := l.addSources(ctx, []corpus.Source{src})
	if err != nil {
		return corpus.Source{}, err
	}
	if e := dups[0]; e != nil {
		return corpus.Source{}, e
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
// transaction, then index batches bounded by size, and waits until the
// index has them on disk. Sources already in the library are skipped and
// returned as duplicates, by their position in srcs. If indexing fails,
// the sources stored by this call are taken out again (undoAdds).
func (l *Library) addSources(ctx context.Context, srcs []corpus.Source) (map[int]*corpus.ExistsError, error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	defer l.index.reporting()()
	if err := l.index.health(); err != nil {
		return nil, fmt.Errorf("%w; %s", err, notAdded(len(srcs)))
	}
	stored, dups, err := l.store.PutMany(ctx, srcs)
	if errors.Is(err, corpus.ErrReadOnly) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w; %s", err, notAdded(len(srcs)))
	}
	bt := l.index.newBatcher()
	var added []string
	for _, i := range stored {
		added = append(added, srcs[i].ID)
		if !l.holds(srcs[i].Scope) {
			continue // stored for the process that holds its scope
		}
		if err := bt.index(&srcs[i]); err != nil {
			return nil, l.undoAdds(ctx, added, err)
		}
	}
	err = l.commitAll(bt)
	if err == nil {
		err = l.syncIndex(ctx)
	}
	if err != nil {
		return nil, l.undoAdds(ctx, added, fmt.Errorf("indexing %d sources: %w", len(added), err))
	}
	return dups, nil
}

// syncIndex waits (at most persistWait, whatever ctx says: a write the
// store kept must not be undone for an impatient caller) until the index
// has its last batch on disk.
func (l *Library) syncIndex(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), persistWait)
	defer cancel()
	return l.index.sync(ctx)
}

// notAdded says that n sources were not added.
func notAdded(n int) string {
	if n == 1 {
		return "the source was not added"
	}
	return fmt.Sprintf("none of these %d sources was added", n)
}

// undoAdds takes sources that could not be indexed out of the store again
// and returns the error that caused it, saying what became of them: not
// added, or — when the store cannot be written either — stored, to be
// indexed at the next start.
func (l *Library) undoAdds(ctx context.Context, ids []string, cause error) error {
	kept := 0
	for _, id := range ids {
		if err := l.store.Remove(context.WithoutCancel(ctx), id); err != nil {
			l.log.Error("source stored but not indexed; it will be indexed at next start", "id", id, "err", err)
			kept++
		}
	}
	if kept > 0 {
		return fmt.Errorf("%w; %d of these sources stay stored and are indexed at the next start", cause, kept)
	}
	return fmt.Errorf("%w; %s", cause, notAdded(len(ids)))
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
	if err := l.index.health(); err != nil {
		return corpus.Source{}, false, fmt.Errorf("%w; nothing was changed", err)
	}
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
	bt := l.index.newBatcher()
	err = bt.remove(ctx, oldID)
	if err == nil && l.holds(next.Scope) {
		err = bt.index(&next)
	}
	if err == nil {
		err = l.commitAll(bt)
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
