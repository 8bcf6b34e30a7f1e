package evaluation

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func TestMetrics(t *testing.T) {
	rel := map[string]int{"a": 1, "b": 2}
	tests := []struct {
		docs                  []string
		ndcg10, rec100, mrr10 float64
	}{
		{[]string{"b", "a", "x"}, 1, 1, 1},
		{[]string{"x", "a"}, (1 / math.Log2(3)) / (2 + 1/math.Log2(3)), 0.5, 0.5},
		{[]string{"x", "y"}, 0, 0, 0},
		{nil, 0, 0, 0},
	}
	for _, tc := range tests {
		if got := ndcg(tc.docs, rel, 10); math.Abs(got-tc.ndcg10) > 1e-9 {
			t.Errorf("ndcg(%v) = %v, want %v", tc.docs, got, tc.ndcg10)
		}
		if got := recall(tc.docs, rel, 100); math.Abs(got-tc.rec100) > 1e-9 {
			t.Errorf("recall(%v) = %v, want %v", tc.docs, got, tc.rec100)
		}
		if got := mrr(tc.docs, rel, 10); math.Abs(got-tc.mrr10) > 1e-9 {
			t.Errorf("mrr(%v) = %v, want %v", tc.docs, got, tc.mrr10)
		}
	}
}

func TestEvaluateBEIRTiny(t *testing.T) {
	ctx := context.Background()
	b, err := LoadBEIR("testdata/beir-tiny", "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Docs) != 3 || len(b.Queries) != 3 {
		t.Fatalf("loaded %d docs, %d judged queries; want 3, 3", len(b.Docs), len(b.Queries))
	}
	l, err := retrieval.Open(ctx, retrieval.Options{Dir: t.TempDir(), NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	origin := map[string]string{}
	var drafts []corpus.Draft
	for _, d := range b.Docs {
		drafts = append(drafts, BEIRDraft(d))
	}
	added, err := l.AddMany(ctx, append(drafts, drafts[0]))
	if err != nil {
		t.Fatal(err)
	}
	dups := 0
	for i, a := range added {
		var exists *corpus.ExistsError
		switch {
		case errors.As(a.Err, &exists):
			dups++
		case a.Err != nil:
			t.Fatal(a.Err)
		default:
			origin[a.Source.ID] = drafts[i].Meta.Origin
		}
	}
	if dups != 1 {
		t.Fatalf("AddMany: %d duplicates (want 1: the repeated document)", dups)
	}
	rep, err := RunBEIR(ctx, l, b, origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NDCGAt10 != 1 || rep.RecallAt100 != 1 || rep.MRRAt10 != 1 || rep.Queries != 3 || rep.Docs != 3 {
		t.Errorf("report %+v; each query's document should rank first", rep)
	}
	if _, err := LoadBEIR("testdata/beir-tiny", "dev"); err == nil {
		t.Error("a missing split must be an error")
	}
}
