package retrieval

import (
	"context"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestPassageTopIsBleves checks that the lean passage search returns what
// bleve's search of the same query returns: the same documents, in the same
// order, with scores equal to the last bit — for the generated questions,
// with extra terms (as corrections and expansions add them), and for top
// lists short enough that ties at their end matter.
func TestPassageTopIsBleves(t *testing.T) {
	ctx := context.Background()
	l, err := Open(ctx, Options{Dir: t.TempDir(), NoSeed: true,
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	docs, questions := synthDocs(3000, 150)
	// Several AddMany calls: several segments, as a real library has.
	for i := 0; i < len(docs); i += 60 {
		var drafts []corpus.Draft
		for _, d := range docs[i:min(i+60, len(docs))] {
			drafts = append(drafts, corpus.Draft{Doc: d, Meta: corpus.Meta{Origin: d.URL, AddedBy: "test"}})
		}
		if _, err := l.AddMany(ctx, drafts); err != nil {
			t.Fatal(err)
		}
	}
	questions = append(questions, "the", "said the government", "government government minister", "election results election")
	lean := 0
	for _, q := range questions {
		for _, extra := range [][]string{nil, {"govern", "zzzunknown"}} {
			for _, n := range []int{40, 3} {
				a, err := l.newAsking(q, nil, "")
				if err != nil {
					t.Fatal(err)
				}
				if err := a.understand(ctx, q); err != nil {
					t.Fatal(err)
				}
				if extra != nil {
					a.extra = extra
				}
				a.text = l.queryText(q, a.terms, len(a.extra))
				pmatch, amatch, err := a.matchTexts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pq, _ := l.buildQueryWith(a.text, pmatch, amatch, a.extra, a.filters)
				want, err := a.topMatches(ctx, pq, n, false)
				if err != nil {
					t.Fatal(err)
				}
				got, ok, err := a.passageTop(ctx, pmatch, n)
				a.close()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					continue
				}
				lean++
				if len(got) != len(want) {
					t.Fatalf("%q (extra %v, n %d): %d hits, bleve %d", q, extra, n, len(got), len(want))
				}
				for i := range want {
					if got[i].ID != want[i].ID || got[i].Score != want[i].Score {
						t.Fatalf("%q (extra %v, n %d): hit %d is %s %v, bleve's %s %v", q, extra, n, i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
					}
				}
			}
		}
	}
	if lean < len(questions) {
		t.Errorf("only %d of %d searches took the lean path", lean, 4*len(questions))
	}
}
