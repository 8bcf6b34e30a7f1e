package retrieval

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Limits of one index batch. bleve analyses a whole batch into one
// in-memory segment, so memory grows with what a batch holds: a batch is
// applied as soon as it holds batchDocs documents or batchBytes bytes of
// text, whatever the sources are — a source of 200,000 passages is
// indexed in many batches, not in one.
const (
	batchDocs  = 2500
	batchBytes = 4 << 20
	// maxPartsInFlight bounds how many batches of additions are applied
	// side by side (at most one per processor): bleve builds each batch's
	// segment on the goroutine that applies it, on one core, so a bulk add
	// of two batches builds them at once. On two cores, with batches half
	// as large as before: bulk adds 13-35% faster at 100k passages and 28%
	// at 1M, for the same CPU (docs/performance.md, fifth round).
	maxPartsInFlight = 4
)

// batcher indexes and deletes sources through batches bounded by size.
// Every batch but the last is applied as it fills (applyPart); the last
// (commit) records the store generation the index then reflects. A source
// may so be split across batches: a question asked meanwhile may see part
// of it (its quotes are still cut from the stored text), and if the
// process dies before the last batch, the index has not recorded the
// store's generation, so the next Open reconciles it and indexes again any
// source it holds in part.
//
// Batches that only add are applied side by side (see async); a batch that
// deletes waits until every batch before it is applied and is applied
// before any after it, so that a source removed and indexed again (a
// replaced version, a reconciled source) ends as indexed, whatever the
// batches it spans.
type batcher struct {
	x           *sourceIndex
	b           *bleve.Batch
	docs, bytes int
	// deletes says b holds deletions.
	deletes bool
	// parts counts the batches applied before the last; passages the
	// passages indexed.
	parts, passages int
	// applied, when set, is called after each batch but the last is
	// applied or handed to a goroutine to apply, so that progress shows
	// within a large source too.
	applied func()

	// inFlight are the batches being applied side by side; slots bounds
	// them; failed is the first error one of them met.
	inFlight sync.WaitGroup
	slots    chan struct{}
	mu       sync.Mutex
	failed   error
}

// newBatcher returns an empty batcher of this index.
func (x *sourceIndex) newBatcher() *batcher {
	return &batcher{x: x, b: x.newBatch(), slots: make(chan struct{}, min(runtime.GOMAXPROCS(0), maxPartsInFlight))}
}

// index adds every passage of src and its article record. On an error it
// returns once no batch is being applied any more (see abandon).
func (bt *batcher) index(src *corpus.Source) error {
	published := publishedKey(src.Published)
	for i := range src.Passages {
		d := passageDoc(src, i, published)
		if err := bt.b.Index(docID(src.ID, i), d); err != nil {
			return bt.abandon(fmt.Errorf("indexing passage %d of %s: %w", i, src.ID, err))
		}
		bt.passages++
		if err := bt.grew(len(d.Text) + len(d.Title)); err != nil {
			return bt.abandon(err)
		}
	}
	a := articleDoc(src, published)
	if err := bt.b.Index(articleID(src.ID), a); err != nil {
		return bt.abandon(fmt.Errorf("indexing the article record of %s: %w", src.ID, err))
	}
	return bt.abandon(bt.grew(len(a.Article)))
}

// remove deletes every document of source id: those the index holds once
// every batch handed on before is applied. On an error it returns once no
// batch is being applied any more.
func (bt *batcher) remove(ctx context.Context, id string) error {
	if err := bt.wait(); err != nil {
		return err
	}
	ids, err := bt.x.docsOf(ctx, id)
	if err != nil {
		return err
	}
	for _, d := range ids {
		bt.b.Delete(d)
		bt.deletes = true
		if err := bt.grew(len(d)); err != nil {
			return bt.abandon(err)
		}
	}
	return nil
}

// abandon returns err (when not nil) once no batch is being applied on a
// goroutine any more, so that whoever undoes what the batcher did (see
// undoAdds) does so after it, not beside it.
func (bt *batcher) abandon(err error) error {
	if err != nil {
		bt.inFlight.Wait()
	}
	return err
}

// grew counts a document of n bytes added to the batch, and applies the
// batch when it is full.
func (bt *batcher) grew(n int) error {
	bt.docs++
	bt.bytes += n
	if bt.docs < batchDocs && bt.bytes < batchBytes {
		return nil
	}
	if err := bt.applyPart(); err != nil {
		return err
	}
	bt.parts++
	if bt.applied != nil {
		bt.applied()
	}
	return nil
}

// applyPart applies the batch being filled, before the last, and starts a
// new one: a batch that only adds on a goroutine of its own, a batch that
// deletes once every batch before it is applied.
func (bt *batcher) applyPart() error {
	b := bt.b
	bt.b, bt.docs, bt.bytes = bt.x.newBatch(), 0, 0
	if bt.deletes {
		bt.deletes = false
		if err := bt.wait(); err != nil {
			return err
		}
		return bt.x.applyPart(b)
	}
	return bt.async(b)
}

// async applies a batch of additions on a goroutine of its own, once one of
// the slots is free. It returns the error a batch applied before met.
func (bt *batcher) async(b *bleve.Batch) error {
	bt.slots <- struct{}{}
	if err := bt.err(); err != nil {
		<-bt.slots
		return bt.abandon(err)
	}
	bt.inFlight.Add(1)
	go func() {
		defer bt.inFlight.Done()
		defer func() { <-bt.slots }()
		if err := bt.x.applyPart(b); err != nil {
			bt.mu.Lock()
			if bt.failed == nil {
				bt.failed = err
			}
			bt.mu.Unlock()
		}
	}()
	return nil
}

// wait waits until every batch handed to a goroutine is applied, and
// returns the first error one of them met.
func (bt *batcher) wait() error {
	bt.inFlight.Wait()
	return bt.err()
}

// err is the first error a batch applied on a goroutine met.
func (bt *batcher) err() error {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	return bt.failed
}

// commit applies the last batch (even empty), recording with it the store
// generation gen that the index reflects once it is applied — after every
// batch before it. When batches are being applied side by side and the
// last only adds, it is applied beside them too, and the generation is
// recorded by a batch of its own once they all are.
func (bt *batcher) commit(gen uint64) error {
	if bt.parts > 0 && bt.docs > 0 && !bt.deletes {
		if err := bt.async(bt.b); err != nil {
			return err
		}
		bt.b, bt.docs, bt.bytes = bt.x.newBatch(), 0, 0
	}
	if err := bt.wait(); err != nil {
		return err
	}
	return bt.x.apply(bt.b, gen)
}
