package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Import batch limits: one store transaction holds at most this many
// sources, or about this many bytes of text and snapshots, or passages;
// the index takes them in batches bounded by size (batcher).
const (
	importBatchSources  = 100
	importBatchBytes    = 16 << 20
	importBatchPassages = 20000
)

// Export writes the whole library to w as a backup (the format is described
// in corpus/backup.go): every stored source — superseded versions and the
// seed articles included, removed sources not — with its snapshot, in
// increasing id order, then the store's records of recordKinds (a followed
// feed and its state: feeds.RecordKind), then an end record. It streams:
// only a few sources are in memory at a time. It returns the number of
// sources written; the output is a whole backup only when the error is nil.
func (l *Library) Export(ctx context.Context, w io.Writer, recordKinds ...string) (int, error) {
	seeded, err := l.store.Seeded()
	if err != nil {
		return 0, fmt.Errorf("exporting: reading library state: %w", err)
	}
	bw, err := corpus.NewBackupWriter(w, corpus.BackupHeader{Seeded: seeded})
	if err != nil {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	if err := l.store.EachSource(ctx, bw.Write); err != nil {
		return bw.Count(), fmt.Errorf("exporting after %d sources: %w", bw.Count(), err)
	}
	kinds := slices.Clone(recordKinds)
	slices.Sort(kinds)
	for _, kind := range slices.Compact(kinds) {
		recs, err := l.store.Records(ctx, kind)
		if err != nil {
			return bw.Count(), fmt.Errorf("exporting the records of kind %q: %w", kind, err)
		}
		for _, r := range recs {
			if err := bw.WriteRecord(corpus.BackupRecord{Kind: kind, Key: r.Key, Value: r.Value}); err != nil {
				return bw.Count(), fmt.Errorf("exporting: %w", err)
			}
		}
	}
	if err := bw.Close(); err != nil {
		return bw.Count(), fmt.Errorf("exporting: %w", err)
	}
	return bw.Count(), nil
}

// ImportStats counts what Import did.
type ImportStats struct {
	// Imported is the number of sources stored, superseded versions included.
	Imported int
	// Superseded is how many of those are versions replaced by a refresh:
	// stored (their quotes stay checkable) but not indexed.
	Superseded int
	// Skipped is the number of sources the library already had: the same
	// id, or a current source with the same URL in the same scope.
	Skipped int
	// Records is the number of the store's records restored (followed
	// feeds); RecordsSkipped those the library already had under the same
	// kind and key, which are kept as they are.
	Records, RecordsSkipped int
}

// Import restores a backup that Export wrote (or an older version of the
// format) into the library, keeping every source exactly as it was: ids,
// spans, hashes, times and provenance. Every line is checked first (see
// corpus.BackupReader). Sources are stored and indexed in batches, each
// whole or not at all, as AddMany does; superseded versions are stored but
// not indexed. A source the library already has is skipped and counted.
// When the backup says the library had been seeded, this one is marked
// seeded too, so it never gets the seed articles on top of the restore.
//
// Import stops at the first bad line or when ctx ends, with the batches
// before it stored; import a backup into a library opened with
// Options.NoSeed after corpus.VerifyBackup, to change nothing when any
// line is bad. progress, when not nil, is called after each batch.
func (l *Library) Import(ctx context.Context, r io.Reader, progress func(ImportStats)) (ImportStats, error) {
	var st ImportStats
	br, err := corpus.NewBackupReader(r)
	if err != nil {
		return st, fmt.Errorf("importing: %w", err)
	}
	if br.Header().Seeded {
		if err := l.store.MarkSeeded(ctx); err != nil {
			return st, fmt.Errorf("importing: %w", err)
		}
	}
	var batch []corpus.Source
	size, passages := 0, 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := l.importBatch(ctx, batch, &st); err != nil {
			return fmt.Errorf("importing (%d sources imported before line %d): %w", st.Imported, br.Line(), err)
		}
		batch, size, passages = batch[:0], 0, 0
		if progress != nil {
			progress(st)
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("importing stopped after %d sources: %w", st.Imported, err)
		}
		src, err := br.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, fmt.Errorf("importing (%d sources imported before this line): %w", st.Imported, err)
		}
		batch = append(batch, src)
		size += len(src.Text) + len(src.Snapshot)
		passages += len(src.Passages)
		if len(batch) >= importBatchSources || size >= importBatchBytes || passages >= importBatchPassages {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	if err := flush(); err != nil {
		return st, err
	}
	for _, r := range br.Records() {
		restored := false
		err := l.store.UpdateRecord(ctx, r.Kind, r.Key, func(old []byte) ([]byte, error) {
			if old != nil {
				return nil, corpus.ErrKeepRecord
			}
			restored = true
			return r.Value, nil
		})
		if err != nil {
			return st, fmt.Errorf("importing record %s/%s (%d records imported before it): %w", r.Kind, r.Key, st.Records, err)
		}
		if restored {
			st.Records++
		} else {
			st.RecordsSkipped++
		}
	}
	return st, nil
}

// importBatch stores a batch of checked sources in one transaction and
// indexes the current versions among them (in batches bounded by size),
// waiting until the index has them on disk; if indexing fails, the batch is
// taken out of the store again.
func (l *Library) importBatch(ctx context.Context, srcs []corpus.Source, st *ImportStats) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	defer l.index.reporting()()
	if err := l.index.health(); err != nil {
		return fmt.Errorf("%w; %s", err, notAdded(len(srcs)))
	}
	stored, dups, err := l.store.Restore(ctx, srcs)
	if err != nil {
		return err
	}
	bt := l.index.newBatcher()
	added := make([]string, 0, len(stored))
	superseded := 0
	for _, i := range stored {
		added = append(added, srcs[i].ID)
		if srcs[i].SupersededBy != "" {
			superseded++
			continue
		}
		if err := bt.index(&srcs[i]); err != nil {
			return l.undoAdds(ctx, added, err)
		}
	}
	// Committed even when empty: the index then records that it reflects
	// the store as this batch left it.
	err = l.commitAll(bt)
	if err == nil {
		err = l.syncIndex(ctx)
	}
	if err != nil {
		return l.undoAdds(ctx, added, fmt.Errorf("indexing %d sources: %w", len(added)-superseded, err))
	}
	st.Imported += len(stored)
	st.Superseded += superseded
	st.Skipped += len(dups)
	return nil
}
