package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval/wordfreq"
)

// Open opens the library in opts.Dir, creating it if needed. An empty library
// that was never seeded gets the seed articles. The index is rebuilt from the
// store when missing, damaged or of an old version, and otherwise reconciled
// with it when its recorded generation says it may be behind: a source in the
// store but not the index is indexed, one in the index but not the store is
// deleted from it.
//
// What Open checks, and what only Check does: Open reads the store file's
// meta record and the few pages it names (corpus.OpenStore), and checks
// each index segment written since the last open against its checksum; it
// does not read every source. A store with no sources that was never seeded
// next to an index that holds sources has lost its data: Open refuses it
// (ErrStoreLost) rather than seed it and cut the index down to the seeds.
// A library whose files cannot be written is opened read-only: it answers
// from its index as it is, and every write is refused.
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
	english, err := wordfreq.Load()
	if err != nil {
		return nil, err
	}
	dbPath := filepath.Join(opts.Dir, "library.db")
	var store corpus.Store = opts.Store
	created := false
	if store == nil {
		_, statErr := os.Stat(dbPath)
		created = errors.Is(statErr, fs.ErrNotExist)
		if store, err = corpus.OpenStore(dbPath); err != nil {
			return nil, err
		}
	}
	l := &Library{store: store, chunker: chunker, english: english, log: log, now: opts.Now, tuning: DefaultTuning(), progress: opts.Progress, partition: opts.Partition}
	if l.now == nil {
		l.now = time.Now
	}
	if opts.Tuning != nil {
		l.tuning = *opts.Tuning
	}
	l.norms = l.tuning.lengthNorms()
	err = l.startFollowing()
	if err == nil {
		err = l.open(ctx, opts)
	}
	if err != nil {
		store.Close()
		if l.index != nil {
			l.index.close()
		}
		if created && errors.Is(err, ErrStoreLost) {
			os.Remove(dbPath) // made just now, by this Open
		}
		return nil, err
	}
	return l, nil
}

func (l *Library) open(ctx context.Context, opts Options) error {
	dir := filepath.Join(opts.Dir, "index.bleve")
	if err := l.refuseLostStore(ctx, dir); err != nil {
		return err
	}
	if l.store.ReadOnly() {
		return l.openReadOnly(dir)
	}
	if !opts.NoSeed {
		if err := l.seed(ctx); err != nil {
			return err
		}
	}
	x, fresh, err := openIndex(dir, l.log, opts.scorchConfig)
	if err != nil {
		return err
	}
	l.index = x
	if d, ok := l.store.(interface{ DropResident() error }); ok {
		x.dropStore = d.DropResident // bounds the store's pages in bulk adds too
	}
	l.analyzer = x.textAnalyzer()
	if l.analyzer == nil {
		return errors.New("opening search index: its text analyzer is missing")
	}
	if opts.reports {
		x.reporting() // for as long as it is open: Repair closes it after
	}
	if !fresh {
		current, err := l.indexCurrent()
		same := false
		if err == nil {
			same, err = l.samePartition()
		}
		if err == nil && current && same {
			return nil
		}
		if err == nil && !same {
			l.log.Info("the index holds another partition of the library: indexing the scopes newly held, deleting those no longer held", "partition", l.partitionName())
		}
		if err == nil {
			err = l.Reconcile(ctx)
		}
		if err == nil {
			err = l.recordPartition()
		}
		if !errors.Is(err, errIndexDamaged) {
			return err
		}
		l.log.Warn("rebuilding search index from the store: it is damaged", "dir", dir, "err", err)
		x.close()
		if err := x.create(); err != nil {
			return err
		}
	}
	if err := l.rebuild(ctx); err != nil {
		return err
	}
	return l.recordPartition()
}

// openReadOnly opens the index of a library that cannot be written, as it
// is: nothing is seeded, rebuilt or reconciled. An index that would need
// rebuilding is replaced by one that answers every question with why.
func (l *Library) openReadOnly(dir string) error {
	l.readOnly = true
	x, err := openIndexReadOnly(dir, l.log, false)
	if err == nil {
		if v, verr := x.layout(); verr != nil || v != mappingVersion {
			x.close()
			err = fmt.Errorf("it is of layout %q, this verbatim uses %q", v, mappingVersion)
		}
	}
	if err != nil {
		why := fmt.Errorf("%w: the search index %s needs rebuilding (%v), but the library is read-only: make %s writable and run verbatim check --repair; listing, showing and exporting sources work meanwhile",
			ErrIndexUnusable, dir, err, filepath.Dir(dir))
		l.log.Info("the search index cannot answer", "err", why)
		if x, err = newUnusableIndex(dir, l.log, why); err != nil {
			return err
		}
	}
	l.index = x
	l.analyzer = x.textAnalyzer()
	if current, err := l.indexCurrent(); err == nil && !current && x.unusable == nil {
		l.log.Warn("the search index is behind the store and the library is read-only: sources added since its last save do not answer until a writable start completes it")
	}
	return nil
}

// ErrIndexUnusable is wrapped by the error of every question to a library
// whose index cannot be used and cannot be rebuilt (it is read-only).
var ErrIndexUnusable = errors.New("the search index cannot be used")

// ErrStoreLost is wrapped by Open's (and LostStore's) error for a store
// that lost its data while its index still holds sources.
var ErrStoreLost = errors.New("the library store lost its data")

// refuseLostStore refuses a store that holds no sources and was never
// seeded — a new store — when the index next to it holds sources: the
// store was emptied, replaced or removed, and seeding it and reconciling
// the index with it would silently wipe the library.
func (l *Library) refuseLostStore(ctx context.Context, dir string) error {
	seeded, err := l.store.Seeded()
	if err != nil || seeded {
		return err
	}
	ids, err := l.store.IDs(ctx)
	if err != nil || len(ids) > 0 {
		return err
	}
	n := indexedSources(dir, l.log)
	if n == 0 {
		return nil
	}
	return lostStoreError(filepath.Dir(dir), n, fmt.Sprintf("%s holds no sources and was never given the seed articles", l.store.Path()))
}

// LostStore says, for a data directory without a library.db, whether an
// index there holds sources: then the store was moved or lost, and the
// error says what to do. It returns nil when there is no such index.
func LostStore(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "library.db")); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	n := indexedSources(filepath.Join(dir, "index.bleve"), slog.New(slog.DiscardHandler))
	if n == 0 {
		return nil
	}
	return lostStoreError(dir, n, fmt.Sprintf("there is no library.db in %s", dir))
}

// lostStoreError says that the store in dir lost its data although its
// index holds n sources (-1: some, uncounted).
func lostStoreError(dir string, n int, what string) error {
	held := fmt.Sprintf("%d sources", n)
	if n < 0 {
		held = "sources"
	}
	return fmt.Errorf("%w: %s, but its search index holds %s. Put the store back, or restore a backup into a new data directory (verbatim import --data NEW_DIR BACKUP); to start afresh instead, move library.db and index.bleve away from %s",
		ErrStoreLost, what, held, dir)
}

// indexedSources counts the sources the index at dir holds (its article
// records): 0 when there is no index, -1 when there is one that cannot be
// read to count them.
func indexedSources(dir string, log *slog.Logger) int {
	x, err := openIndexReadOnly(dir, log, false)
	if errors.Is(err, errNoIndex) || errors.Is(err, errIndexCreating) {
		return 0
	}
	if err != nil {
		return -1
	}
	defer x.close()
	n, err := x.articleCount()
	if err != nil {
		return -1
	}
	return int(n)
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
	gen, err := l.recordGeneration()
	if err != nil {
		return err
	}
	return l.index.apply(b, gen)
}

// commitAll applies a batcher's last batch as commit does.
func (l *Library) commitAll(bt *batcher) error {
	gen, err := l.recordGeneration()
	if err != nil {
		return err
	}
	return bt.commit(gen)
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
