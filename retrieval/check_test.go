package retrieval

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestCheckAndRepair breaks a seeded library's index in one way at a time
// (as a crash or a bug could), and checks that Check names the problem
// without changing anything, that Repair mends it, and that Check is then
// clean and the library answers as before.
func TestCheckAndRepair(t *testing.T) {
	ctx := context.Background()
	c, err := corpus.NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	newSource := func(text string) corpus.Source {
		t.Helper()
		doc, err := corpus.ParseText([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		src, err := corpus.NewSource(doc, corpus.Meta{Origin: "test.txt"}, c, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	q := Question{Text: "When was Robert Mueller appointed special counsel?"}
	tests := []struct {
		name   string
		break_ func(t *testing.T, l *Library, dir string) // with the library open
		after  func(t *testing.T, dir string)             // after it is closed
		want   string                                     // in the one problem found
		// pending: the problem is one an interrupted write explains (the
		// index recorded an older store generation), not damage.
		pending bool
	}{
		{name: "whole"},
		{name: "stored, not indexed", break_: func(t *testing.T, l *Library, _ string) {
			if err := l.store.Put(ctx, newSource("Orphan\n\nThe lighthouse keeper counted eleven ships.")); err != nil {
				t.Fatal(err)
			}
		}, want: "not in the search index", pending: true},
		{name: "indexed, not stored", break_: func(t *testing.T, l *Library, _ string) {
			b := l.index.newBatch()
			ghost := newSource("Ghost\n\nThe ghost ship sailed past the harbour at midnight.")
			if err := addToBatch(b, &ghost); err != nil {
				t.Fatal(err)
			}
			if err := l.commit(b); err != nil {
				t.Fatal(err)
			}
		}, want: "the store does not have"},
		{name: "a passage missing", break_: func(t *testing.T, l *Library, _ string) {
			id := ask(t, l, q).Answers[0].Source.ID
			b := l.index.newBatch()
			b.Delete(docID(id, 1))
			if err := l.commit(b); err != nil {
				t.Fatal(err)
			}
		}, want: "the search index holds"},
		{name: "index deleted", after: func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
				t.Fatal(err)
			}
		}, want: "no search index"},
		{name: "index of another layout", break_: func(t *testing.T, l *Library, _ string) {
			if err := l.index.setInternal(keyVersion, []byte("0-old")); err != nil {
				t.Fatal(err)
			}
		}, want: "layout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l, err := Open(ctx, Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			want := ask(t, l, q).Answers[0].Quote
			if tt.break_ != nil {
				tt.break_(t, l, dir)
			}
			l.Close()
			if tt.after != nil {
				tt.after(t, dir)
			}

			rep, err := Check(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sources != 5+strings.Count(tt.name, "stored, not") {
				t.Errorf("Check counted %d sources", rep.Sources)
			}
			if tt.want == "" {
				if !rep.Clean() {
					t.Fatalf("a whole library has problems: %+v", rep.Problems)
				}
				return
			}
			if len(rep.Problems) != 1 || !rep.Problems[0].InIndex || !strings.Contains(rep.Problems[0].What, tt.want) {
				t.Fatalf("problems = %+v, want one index problem saying %q", rep.Problems, tt.want)
			}
			if rep.Problems[0].Pending != tt.pending || rep.Behind != tt.pending || rep.Clean() != tt.pending {
				t.Errorf("pending %v, behind %v, clean %v; want %v", rep.Problems[0].Pending, rep.Behind, rep.Clean(), tt.pending)
			}
			// Check changed nothing: it finds the same again.
			if again, err := Check(ctx, dir); err != nil || len(again.Problems) != 1 {
				t.Fatalf("a second Check found %+v (%v): the first one changed the library", again.Problems, err)
			}

			if err := Repair(ctx, Options{Dir: dir}); err != nil {
				t.Fatal(err)
			}
			rep, err = Check(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Clean() {
				t.Fatalf("after Repair: %+v", rep.Problems)
			}
			l, err = Open(ctx, Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if got := ask(t, l, q).Answers[0].Quote; got != want {
				t.Errorf("after Repair the answer is %q, want %q", got, want)
			}
		})
	}
}

// TestCheckReportsStoreProblems checks that a store problem (a source's
// text changed on disk) reaches the report, and that Repair, which rebuilds
// only what is derived, leaves it to the operator.
func TestCheckReportsStoreProblems(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	id := ask(t, l, Question{Text: "Mueller empty-handed"}).Answers[0].Source.ID
	l.Close()
	db, err := bolt.Open(filepath.Join(dir, "library.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("body"))
		return b.Put([]byte(id), bytes.Replace(b.Get([]byte(id)), []byte("Mueller"), []byte("Muellxr"), 1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"check", "after repair"} {
		rep, err := Check(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 1 || rep.Problems[0].Source != id || rep.Problems[0].InIndex || !strings.Contains(rep.Problems[0].What, "sha256") {
			t.Fatalf("%s: problems = %+v, want one store problem: the text of %s does not match its sha256", step, rep.Problems, id)
		}
		if err := Repair(ctx, Options{Dir: dir}); err != nil {
			t.Fatal(err)
		}
	}
}
