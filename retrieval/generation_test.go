package retrieval

import (
	"context"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

func TestIndexedSourceWhole(t *testing.T) {
	tests := []struct {
		name string
		s    *indexedSource
		n    int
		want bool
	}{
		{"nothing indexed", nil, 2, false},
		{"whole", &indexedSource{Passages: 2, Numbers: []int{1, 0}, Article: true}, 2, true},
		{"no article record", &indexedSource{Passages: 2, Numbers: []int{0, 1}}, 2, false},
		{"a passage missing", &indexedSource{Passages: 1, Numbers: []int{0}, Article: true}, 2, false},
		{"a passage too many", &indexedSource{Passages: 3, Numbers: []int{0, 1, 2}, Article: true}, 2, false},
		{"a passage twice", &indexedSource{Passages: 2, Numbers: []int{0, 0}, Article: true}, 2, false},
		{"a malformed id", &indexedSource{Passages: 2, Numbers: []int{0, 1}, Article: true, Malformed: 1}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.whole(tt.n); got != tt.want {
				t.Errorf("whole(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

// TestGenerationTracksTheStore checks that each write leaves the index at
// the store's generation, that a clean close and open keep it there (so
// Open does not reconcile), and that a store write the index never saw (a
// crash between the two) is found and repaired at the next Open.
func TestGenerationTracksTheStore(t *testing.T) {
	ctx := context.Background()
	l, dir := openSeeded(t)
	current := func(l *Library, when string) bool {
		t.Helper()
		ok, err := l.indexCurrent()
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		return ok
	}
	if !current(l, "after seeding") {
		t.Error("a new library's index is behind its store")
	}
	src := addText(t, l, "Harbour Story\n\nThe harbour master logged nine tugboats before dawn.", corpus.Meta{})
	if !current(l, "after Add") {
		t.Error("after Add the index is behind the store")
	}
	if _, err := l.Remove(ctx, src.ID, ""); err != nil {
		t.Fatal(err)
	}
	if !current(l, "after Remove") {
		t.Error("after Remove the index is behind the store")
	}
	l.Close()

	l, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !current(l, "after reopening") {
		t.Error("a clean close and open left the index behind the store")
	}
	// A crash after the store write, before the index batch.
	doc, _ := corpus.ParseText([]byte("Crash Story\n\nThe night watchman heard the foghorn twice."))
	lost, err := l.newSource(corpus.Draft{Doc: doc})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.store.Put(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if current(l, "after a store-only write") {
		t.Error("the index claims the store's generation without the write")
	}
	l.Close()
	l, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !current(l, "after reconciling") {
		t.Error("Open did not bring the index to the store's generation")
	}
	res := ask(t, l, Question{Text: "How many times did the night watchman hear the foghorn?"})
	if res.NoAnswer || res.Answers[0].Source.ID != lost.ID {
		t.Errorf("the source stored before the crash does not answer: %v", quotes(res))
	}
}

// TestLibrariesInOneProcessStayApart opens two new libraries in turn and
// then the first again, in one process: each must find its own index. (A
// scorch configuration map shared between opens once sent the reopened
// library to the index created last.)
func TestLibrariesInOneProcessStayApart(t *testing.T) {
	ctx := context.Background()
	texts := []string{
		"Harbour Story\n\nThe harbour master logged nine tugboats before dawn.",
		"Orchard Story\n\nThe orchard keeper picked eleven crates of pears at noon.",
	}
	questions := []string{"How many tugboats did the harbour master log?", "How many crates of pears did the orchard keeper pick?"}
	dirs := []string{t.TempDir(), t.TempDir()}
	for i, dir := range dirs {
		l, err := Open(ctx, Options{Dir: dir, NoSeed: true})
		if err != nil {
			t.Fatal(err)
		}
		addText(t, l, texts[i], corpus.Meta{})
		l.Close()
	}
	for i, dir := range dirs {
		l, err := Open(ctx, Options{Dir: dir, NoSeed: true})
		if err != nil {
			t.Fatal(err)
		}
		for j, q := range questions {
			res := ask(t, l, Question{Text: q})
			if answered := !res.NoAnswer; answered != (i == j) {
				t.Errorf("library %d answered %q: %v, want %v", i, q, answered, i == j)
			}
		}
		if st, err := l.Stats(ctx); err != nil || st.Sources != 1 || st.Passages != 1 {
			t.Errorf("library %d: stats %+v (%v), want its one source", i, st, err)
		}
		l.Close()
	}
}
