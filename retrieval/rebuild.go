package retrieval

import (
	"context"
	"fmt"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Progress is how far a long piece of work on the library has got
// (rebuilding the index, reconciling it with the store), for a progress
// line; Options.Progress receives it after each source.
type Progress struct {
	// Task says what is being done, e.g. "rebuilding the search index".
	Task string
	// Done of Total sources are done; Passages have been indexed so far.
	Done, Total, Passages int
}

// progressEvery is how often a long task logs how far it has got.
const progressEvery = 10 * time.Second

// progressLog reports a long task's progress: to Options.Progress after
// each source, and to the log every progressEvery.
type progressLog struct {
	l             *Library
	p             Progress
	start, logged time.Time
}

func (l *Library) startProgress(task string, total int) *progressLog {
	now := time.Now()
	return &progressLog{l: l, p: Progress{Task: task, Total: total}, start: now, logged: now}
}

// step notes that done sources are done and passages indexed.
func (pl *progressLog) step(done, passages int) {
	pl.p.Done, pl.p.Passages = done, passages
	if pl.l.progress != nil {
		pl.l.progress(pl.p)
	}
	if time.Since(pl.logged) >= progressEvery {
		pl.logged = time.Now()
		pl.l.log.Info(pl.p.Task, "sources", pl.p.Done, "of", pl.p.Total, "passages", pl.p.Passages,
			"elapsed", time.Since(pl.start).Round(time.Second))
	}
}

// rebuild indexes every stored source into an empty index, in batches
// bounded by size (batcher). Only its last batch records the store
// generation, so a rebuild cut short is finished by the next Open.
func (l *Library) rebuild(ctx context.Context) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	ids, err := l.heldIDs(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	l.log.Info("building the search index from the store", "sources", len(ids))
	pl := l.startProgress("rebuilding the search index", len(ids))
	bt := l.index.newBatcher()
	bt.applied = func() { pl.step(pl.p.Done, bt.passages) }
	indexed := 0
	for i, id := range ids {
		src, err := l.store.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("rebuilding index: %w", err)
		}
		if src.SupersededBy == "" {
			if err := bt.index(&src); err != nil {
				return fmt.Errorf("rebuilding index: %w", err)
			}
			indexed++
		}
		pl.step(i+1, bt.passages)
	}
	if err := l.commitAll(bt); err != nil {
		return fmt.Errorf("rebuilding index: %w", err)
	}
	l.log.Info("built search index", "sources", indexed, "passages", bt.passages, "batches", bt.parts+1,
		"took", time.Since(start).Round(time.Millisecond))
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
	if l.readOnly {
		return fmt.Errorf("%w: the search index cannot be brought up to date", corpus.ErrReadOnly)
	}
	infos, err := l.store.List(ctx)
	if err != nil {
		return err
	}
	have, err := l.index.inventory(ctx)
	if err != nil {
		return err
	}
	pl := l.startProgress("reconciling the search index with the store", len(infos)+len(have))
	bt := l.index.newBatcher()
	bt.applied = func() { pl.step(pl.p.Done, bt.passages) }
	active := make(map[string]bool, len(infos))
	added, removed, done := 0, 0, 0
	for _, info := range infos {
		done++
		if info.SupersededBy != "" {
			continue // kept for checking quotes, not for answering
		}
		if !l.holds(info.Scope) {
			continue // another process's partition: deleted below if held
		}
		active[info.ID] = true
		h := have[info.ID]
		if h.whole(info.PassageCount) {
			continue
		}
		if err := l.reindex(ctx, bt, info.ID, h != nil); err != nil {
			return err
		}
		added++
		pl.step(done, bt.passages)
	}
	for id := range have {
		done++
		if active[id] {
			continue
		}
		if err := bt.remove(ctx, id); err != nil {
			return fmt.Errorf("reconciling the search index: %w", err)
		}
		removed++
		pl.step(done, bt.passages)
	}
	if err := l.commitAll(bt); err != nil {
		return fmt.Errorf("reconciling the search index: %w", err)
	}
	if added+removed > 0 {
		l.log.Info("reconciled search index with the store", "indexed", added, "deleted", removed)
	}
	return nil
}

// reindex indexes source id anew, deleting first what the index held of
// it (held).
func (l *Library) reindex(ctx context.Context, bt *batcher, id string, held bool) error {
	if held {
		if err := bt.remove(ctx, id); err != nil {
			return fmt.Errorf("reconciling the search index: %w", err)
		}
	}
	src, err := l.store.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("reconciling: %w", err)
	}
	if err := bt.index(&src); err != nil {
		return fmt.Errorf("reconciling the search index: %w", err)
	}
	return nil
}
