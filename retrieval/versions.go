package retrieval

import (
	"context"
	"fmt"

	"github.com/verbatim-bot/verbatim/corpus"
)

// RestoreVersion makes the earlier version id of a refreshed article (one a
// refresh replaced) current again: it answers from now on, and the version
// that was current is kept, superseded by it, no longer answering. It
// returns the restored source and the info of the version it replaced.
func (l *Library) RestoreVersion(ctx context.Context, id string) (restored corpus.Source, replaced corpus.Info, err error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if err := l.index.health(); err != nil {
		return corpus.Source{}, corpus.Info{}, fmt.Errorf("%w; nothing was changed", err)
	}
	replaced, err = l.store.RestoreVersion(ctx, id)
	if err != nil {
		return corpus.Source{}, corpus.Info{}, err
	}
	restored, err = l.store.Get(ctx, id)
	if err != nil {
		return corpus.Source{}, replaced, err
	}
	bt := l.index.newBatcher()
	err = bt.remove(ctx, replaced.ID)
	if err == nil {
		err = bt.index(&restored)
	}
	if err == nil {
		err = l.commitAll(bt)
	}
	if err != nil {
		l.log.Error("version restored in the store but the index still has the other one; the next start repairs it", "restored", id, "replaced", replaced.ID, "err", err)
		return restored, replaced, fmt.Errorf("indexing the restored version %s: %w", id, err)
	}
	return restored, replaced, nil
}
