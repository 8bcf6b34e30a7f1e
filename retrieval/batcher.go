package retrieval

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Limits of one index batch. bleve analyses a whole batch into one
// in-memory segment, so memory grows with what a batch holds: a batch is
// applied as soon as it holds batchDocs documents or batchBytes bytes of
// text, whatever the sources are — a source of 200,000 passages is
// indexed in many batches, not in one.
const (
	batchDocs  = 5000
	batchBytes = 8 << 20
)

// batcher indexes and deletes sources through batches bounded by size.
// Every batch but the last is applied as it fills (applyPart); the last
// (commit) records the store generation the index then reflects. A source
// may so be split across batches: a question asked meanwhile may see part
// of it (its quotes are still cut from the stored text), and if the
// process dies before the last batch, the index has not recorded the
// store's generation, so the next Open reconciles it and indexes again any
// source it holds in part.
type batcher struct {
	x           *sourceIndex
	b           *bleve.Batch
	docs, bytes int
	// parts counts the batches applied before the last; passages the
	// passages indexed.
	parts, passages int
	// applied, when set, is called after each batch but the last, so that
	// progress shows within a large source too.
	applied func()
}

// newBatcher returns an empty batcher of this index.
func (x *sourceIndex) newBatcher() *batcher { return &batcher{x: x, b: x.newBatch()} }

// index adds every passage of src and its article record.
func (bt *batcher) index(src *corpus.Source) error {
	published := publishedKey(src.Published)
	for i := range src.Passages {
		d := passageDoc(src, i, published)
		if err := bt.b.Index(docID(src.ID, i), d); err != nil {
			return fmt.Errorf("indexing passage %d of %s: %w", i, src.ID, err)
		}
		bt.passages++
		if err := bt.grew(len(d.Text) + len(d.Title)); err != nil {
			return err
		}
	}
	a := articleDoc(src, published)
	if err := bt.b.Index(articleID(src.ID), a); err != nil {
		return fmt.Errorf("indexing the article record of %s: %w", src.ID, err)
	}
	return bt.grew(len(a.Article))
}

// remove deletes every document of source id.
func (bt *batcher) remove(ctx context.Context, id string) error {
	ids, err := bt.x.docsOf(ctx, id)
	if err != nil {
		return err
	}
	for _, d := range ids {
		bt.b.Delete(d)
		if err := bt.grew(len(d)); err != nil {
			return err
		}
	}
	return nil
}

// grew counts a document of n bytes added to the batch, and applies the
// batch when it is full.
func (bt *batcher) grew(n int) error {
	bt.docs++
	bt.bytes += n
	if bt.docs < batchDocs && bt.bytes < batchBytes {
		return nil
	}
	if err := bt.x.applyPart(bt.b); err != nil {
		return err
	}
	bt.b.Reset()
	bt.docs, bt.bytes = 0, 0
	bt.parts++
	if bt.applied != nil {
		bt.applied()
	}
	return nil
}

// commit applies the last batch (even empty), recording with it the store
// generation gen that the index reflects once it is applied.
func (bt *batcher) commit(gen uint64) error {
	return bt.x.apply(bt.b, gen)
}
