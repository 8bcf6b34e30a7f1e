package retrieval

import (
	"context"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestBatcherKeepsOrderAcrossParts: batches that only add are applied side
// by side, but a batch that deletes waits for them and is applied before
// any batch after it. One batcher indexes a source of 5,000 passages
// (batches of additions in flight), then removes and indexes again two
// sources the index already held, each over 2,500 documents (deletions
// spanning batches); every source then has exactly its documents. Applied
// out of order, a deletion would take away what was indexed again after it.
func TestBatcherKeepsOrderAcrossParts(t *testing.T) {
	ctx := context.Background()
	l, err := Open(ctx, Options{Dir: t.TempDir(), NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, b, c := longSource(3000), longSource(2999), longSource(5000)
	if _, err := l.addSources(ctx, []corpus.Source{a, b}); err != nil {
		t.Fatal(err)
	}

	bt := l.index.newBatcher()
	steps := []struct {
		name string
		do   func() error
	}{
		{"index c", func() error { return bt.index(&c) }},
		{"remove a", func() error { return bt.remove(ctx, a.ID) }},
		{"index a", func() error { return bt.index(&a) }},
		{"remove b", func() error { return bt.remove(ctx, b.ID) }},
		{"index b", func() error { return bt.index(&b) }},
		{"commit", func() error { return l.commitAll(bt) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if bt.parts < 4 {
		t.Fatalf("the batcher applied %d batches before the last; the test wants several", bt.parts)
	}
	for _, src := range []corpus.Source{a, b, c} {
		docs, err := l.index.docsOf(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(src.Passages) + 1; len(docs) != want {
			t.Errorf("source of %d passages: %d documents in the index, want %d", len(src.Passages), len(docs), want)
		}
	}
}
