package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// A store shared by several processes (the PostgreSQL store) offers a log
// of its changes (corpus.Changes). Each process keeps its own search index
// and follows that log: Follow applies what any process committed, its own
// writes included (applying a change twice changes nothing).
//
// With a shared store, the generation an index records is the one it has
// followed up to, not the store's present one: another process may commit
// between this process's write and its reading of the generation, and an
// index that recorded that generation would claim a change it never saw.
// An index behind the store is reconciled at the next Open, as always.

// sharedChanges returns the store's change log when it is shared.
func (l *Library) sharedChanges() (corpus.Changes, bool) {
	ch, ok := l.store.(corpus.Changes)
	return ch, ok
}

// startFollowing notes, as Open begins, the store generation that what Open
// then reads reflects at least.
func (l *Library) startFollowing() error {
	if _, ok := l.sharedChanges(); !ok {
		return nil
	}
	gen, err := l.store.Generation()
	if err != nil {
		return err
	}
	l.followed.Store(gen)
	return nil
}

// recordGeneration is the store generation an index batch records: the
// store's present one, or for a shared store the one followed up to.
func (l *Library) recordGeneration() (uint64, error) {
	if _, ok := l.sharedChanges(); ok {
		return l.followed.Load(), nil
	}
	return l.store.Generation()
}

// followWait is how long Follow waits for a notification before looking
// at the change log again anyway.
const followWait = 30 * time.Second

// Follow keeps the search index current with every change committed to a
// shared store, by any process, until ctx ends (then it returns nil): a
// source added elsewhere answers here within about a second, one removed
// elsewhere stops answering. For a store that is not shared (the embedded
// file, which one process holds), it returns nil at once.
func (l *Library) Follow(ctx context.Context) error {
	ch, ok := l.sharedChanges()
	if !ok || l.readOnly {
		return nil
	}
	for ctx.Err() == nil {
		n, err := l.CatchUp(ctx)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			l.log.Warn("following the store's changes", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
			continue
		}
		if n > 0 {
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, followWait)
		err = ch.WaitChange(wctx, l.followed.Load())
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			l.log.Warn("waiting for the store's changes", "err", err)
		}
	}
	return nil
}

// followBatch is how many generations CatchUp applies in one index batch.
const followBatch = 256

// CatchUp applies to the index the changes a shared store committed since
// the generation the index followed, at most followBatch generations of
// them, and returns how many it applied (0: the index is current).
func (l *Library) CatchUp(ctx context.Context) (int, error) {
	ch, ok := l.sharedChanges()
	if !ok {
		return 0, nil
	}
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.closed {
		return 0, errors.New("the library is closed")
	}
	from := l.followed.Load()
	// Read the generation first: writes commit in generation order, so
	// when no change after from is logged, none up to now was made.
	now, err := l.store.Generation()
	if err != nil {
		return 0, err
	}
	changes, err := ch.ChangesSince(ctx, from, followBatch)
	if err != nil {
		return 0, err
	}
	if len(changes) == 0 {
		if now > from {
			// Writes that touched no source (the seed mark): record them.
			l.followed.Store(now)
			if err := l.index.apply(l.index.newBatch(), now); err != nil {
				l.followed.Store(from)
				return 0, err
			}
		}
		return 0, nil
	}
	seen := map[string]bool{}
	var ids []string
	for _, c := range changes {
		for _, id := range c.IDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	bt := l.index.newBatcher()
	indexed, removed := 0, 0
	for _, id := range ids {
		did, err := l.followSource(ctx, bt, id)
		if err != nil {
			return 0, fmt.Errorf("following the change to source %s: %w", id, err)
		}
		switch did {
		case "indexed":
			indexed++
		case "removed":
			removed++
		}
	}
	last := changes[len(changes)-1].Generation
	l.followed.Store(last)
	if err := l.commitAll(bt); err != nil {
		l.followed.Store(from)
		return 0, fmt.Errorf("following the store's changes: %w", err)
	}
	if indexed+removed > 0 {
		l.log.Info("followed the store's changes", "generation", last, "indexed", indexed, "deleted", removed)
	}
	return len(changes), nil
}

// followSource brings one source's documents in the index in line with
// the store: indexed whole when current, deleted otherwise. It says what
// it did: "indexed", "removed" or "" (nothing to do).
func (l *Library) followSource(ctx context.Context, bt *batcher, id string) (string, error) {
	docs, err := l.index.docsOf(ctx, id)
	if err != nil {
		return "", err
	}
	if l.partition != nil {
		// Most changes are other partitions' sources: read the info, not
		// the whole source, to know.
		info, err := l.store.Info(ctx, id)
		if err == nil && !l.holds(info.Scope) {
			if len(docs) == 0 {
				return "", nil
			}
			return "removed", bt.remove(ctx, id)
		}
	}
	src, err := l.store.Get(ctx, id)
	if errors.Is(err, corpus.ErrNotFound) || (err == nil && (src.SupersededBy != "" || !l.holds(src.Scope))) {
		if len(docs) == 0 {
			return "", nil
		}
		return "removed", bt.remove(ctx, id)
	}
	if err != nil {
		return "", err
	}
	if len(docs) == len(src.Passages)+1 {
		return "", nil // held whole (an earlier change, or this process's own add)
	}
	if len(docs) > 0 {
		if err := bt.remove(ctx, id); err != nil {
			return "", err
		}
	}
	return "indexed", bt.index(&src)
}
