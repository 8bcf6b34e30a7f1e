package retrieval

import (
	"context"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestPassageTopIsBleves checks that the lean passage and article searches
// (passageTop, articleTop) and the lean term search (termTop, which
// definedAcronym runs) return what bleve's search of the same query returns: the same documents, in the same
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
	lean := map[string]int{}
	// Every search once as it runs, once walked in two halves.
	defer func(v uint64) { leanSplitPostings = v }(leanSplitPostings)
	for _, split := range []uint64{leanSplitPostings, 0} {
		leanSplitPostings = split
		for _, q := range questions {
			for _, extra := range [][]string{nil, {"govern", "zzzunknown"}} {
				for _, n := range []int{100, 40, 3} {
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
					pq, aq := l.buildQueryWith(a.text, pmatch, amatch, a.extra, a.filters)
					for _, s := range []struct {
						name string
						q    query.Query
						top  func(context.Context, string, int) (search.DocumentMatchCollection, bool, error)
						text string
					}{{"passages", pq, a.passageTop, pmatch}, {"articles", aq, a.articleTop, amatch}, {"term", termQuery(fieldText, firstTerm(l, q), 1), func(ctx context.Context, term string, n int) (search.DocumentMatchCollection, bool, error) {
						return a.termTop(ctx, fieldText, term, n)
					}, firstTerm(l, q)}} {
						want, err := a.topMatches(ctx, s.q, n, false)
						if err != nil {
							t.Fatal(err)
						}
						got, ok, err := s.top(ctx, s.text, n)
						if err != nil {
							t.Fatal(err)
						}
						if !ok {
							continue
						}
						lean[s.name]++
						if len(got) != len(want) {
							t.Fatalf("%s %q (extra %v, n %d): %d hits, bleve %d", s.name, q, extra, n, len(got), len(want))
						}
						for i := range want {
							if got[i].ID != want[i].ID || got[i].Score != want[i].Score || got[i].IndexInternalID.Compare(want[i].IndexInternalID) != 0 {
								t.Fatalf("%s %q (extra %v, n %d, split at %d postings): hit %d is %s %v, bleve's %s %v", s.name, q, extra, n, split, i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
							}
						}
					}
					a.close()
				}
			}
		}
	}
	for _, name := range []string{"passages", "articles", "term"} {
		if lean[name] < 2*len(questions) {
			t.Errorf("only %d of %d %s searches took the lean path", lean[name], 12*len(questions), name)
		}
	}
	t.Logf("lean searches: %v of %d each", lean, 12*len(questions))
}

// firstTerm is the first analysed term of text, or "" (a term no document
// has).
func firstTerm(l *Library, text string) string {
	if toks := l.analyzer.Analyze([]byte(text)); len(toks) > 0 {
		return string(toks[0].Term)
	}
	return ""
}
