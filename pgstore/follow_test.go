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

// openLibrary opens a library on the PostgreSQL store at url, with its
// own index in a new directory, following the store's changes until the
// test ends.
func openLibrary(t *testing.T, url string) *retrieval.Library {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: t.TempDir(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { lib.Follow(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; lib.Close() })
	return lib
}

// answers reports whether lib answers question in scope with a quote of
// the source id.
func answers(t *testing.T, lib *retrieval.Library, question, scope, id string) bool {
	t.Helper()
	res, err := lib.Ask(context.Background(), retrieval.Question{Text: question, Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range append(res.Answers, res.Closest...) {
		if a.Source.ID == id {
			return true
		}
	}
	return false
}

// within waits up to d for cond, and returns how long it took.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestTwoLibrariesOneStore: two processes' libraries on one PostgreSQL
// store, each with its own index: what one adds, the other answers with
// within seconds; what one removes, the other stops answering with.
func TestTwoLibrariesOneStore(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	a := openLibrary(t, url)
	b := openLibrary(t, url)
	doc, err := corpus.ParseText([]byte("Harbour dredging approved\n\nThe port authority approved the dredging of the northern harbour channel on Monday, after a decade of delays.\n\nShipping companies welcomed the decision."))
	if err != nil {
		t.Fatal(err)
	}
	q := "did the port authority approve the harbour dredging?"
	before, err := a.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src, err := a.Add(ctx, corpus.Draft{Doc: doc, Meta: corpus.Meta{Scope: "123456789012345678", AddedBy: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if !answers(t, a, q, src.Scope, src.ID) {
		t.Fatal("the adding library does not answer with its own add")
	}
	took := within(t, 5*time.Second, "b answers with a's add", func() bool { return answers(t, b, q, src.Scope, src.ID) })
	t.Logf("b answered with a's add after %s", took)
	if answers(t, b, q, "999999999999999999", src.ID) {
		t.Error("another server's question was answered with the server's source")
	}
	if _, err := b.Remove(ctx, src.ID, ""); err != nil {
		t.Fatal(err)
	}
	took = within(t, 5*time.Second, "a stops answering with b's removal", func() bool { return !answers(t, a, q, src.Scope, src.ID) })
	t.Logf("a stopped answering after %s", took)
	within(t, 5*time.Second, "a's index drops b's removal", func() bool {
		st, err := a.Stats(ctx)
		return err == nil && st.Passages == before.Passages
	})

	// A third library opened afterwards builds its index from the store.
	c := openLibrary(t, url)
	st, err := c.Stats(ctx)
	if err != nil || st.Sources != 5 {
		t.Errorf("a new library: %+v, %v (want the 5 seeds)", st, err)
	}
	rep, err := retrieval.CheckStore(ctx, mustOpen(t, url), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if !p.InIndex {
			t.Errorf("store problem: %+v", p)
		}
	}
}

func mustOpen(t *testing.T, url string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
