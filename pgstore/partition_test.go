package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/pgstore"
	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// openPartition opens a library on the store at url holding scope only
// (and the global library), following the store until the test ends.
func openPartition(t *testing.T, url, scope string) *retrieval.Library {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	p := &retrieval.Partition{Name: "scope " + scope, Holds: func(s string) bool { return s == scope }}
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: t.TempDir(), Store: st, Partition: p})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { lib.Follow(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; lib.Close() })
	return lib
}

// TestPartitionsFollow: two libraries on one store, each holding one
// server: a server's add is indexed only by the library holding it, a
// global add by both.
func TestPartitionsFollow(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	const ga, gb = "111111111111111111", "222222222222222222"
	a := openPartition(t, url, ga)
	b := openPartition(t, url, gb)
	before, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	add := func(l *retrieval.Library, text, scope string) corpus.Source {
		t.Helper()
		doc, err := corpus.ParseText([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		src, err := l.Add(ctx, corpus.Draft{Doc: doc, Meta: corpus.Meta{Scope: scope, AddedBy: "test"}})
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	local := add(a, "Harbour dredging approved\n\nThe port authority approved the dredging of the northern harbour channel on Monday, after a decade of delays.", ga)
	global := add(a, "Tram line opens\n\nThe city's first tram line opened to passengers on Sunday, carrying twelve thousand riders on its first day.", corpus.GlobalScope)
	within(t, 5*time.Second, "b answers with the global add", func() bool {
		return answers(t, b, "did the tram line open to passengers?", gb, global.ID)
	})
	// b has followed past the local add by now: it did not index it.
	st, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := before.Passages + uint64(len(global.Passages)); st.Passages != want {
		t.Errorf("b's index: %d documents, want %d (the global add's only)", st.Passages, want)
	}
	if !answers(t, a, "did the port authority approve the harbour dredging?", ga, local.ID) {
		t.Error("a does not answer with its server's add")
	}
}
