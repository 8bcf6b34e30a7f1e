package retrieval

import (
	"context"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestAskingReadsOneView checks what a question relies on: every step
// of one question reads the index as it was when the question began. A
// source added meanwhile is in none of its counts, weights or searches, and
// the hits of its searches can be rescored from its own postings; the next
// question sees the source.
func TestAskingReadsOneView(t *testing.T) {
	l, _ := openSeeded(t)
	ctx := context.Background()
	const text = "How many zanderflix sanctions did the committee approve?"
	before, err := l.newAsking(text, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer before.close()
	passages, articles, err := before.view.counts(ctx)
	if err != nil {
		t.Fatal(err)
	}

	addText(t, l, "Sanctions\n\nThe committee approved eleven zanderflix sanctions on Monday.", corpus.Meta{Origin: "grants.txt"})

	if err := before.understand(ctx, text); err != nil {
		t.Fatal(err)
	}
	if p, a, _ := before.view.counts(ctx); p != passages || a != articles {
		t.Errorf("the view's counts changed from %d passages, %d articles to %d, %d", passages, articles, p, a)
	}
	hits, arts, err := before.rankPassages(ctx, 40)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if src, err := l.store.Get(ctx, h.source); err == nil && src.Origin == "grants.txt" {
			t.Errorf("the question begun before the add found the added source (passage %d)", h.passage)
		}
	}
	if len(arts) == 0 {
		t.Error("no article was scored for the question")
	}

	after, err := l.newAsking(text, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer after.close()
	if p, a, _ := after.view.counts(ctx); p != passages+1 || a != articles+1 {
		t.Errorf("a new view counts %d passages, %d articles; want %d, %d", p, a, passages+1, articles+1)
	}
	res := ask(t, l, Question{Text: text})
	if len(res.Answers) == 0 || res.Answers[0].Source.Origin != "grants.txt" {
		t.Errorf("the next question does not find the added source: %v", quotes(res))
	}
}

// TestAskAfterClose checks that a closed library refuses a question with an
// error rather than failing on a missing index reader.
func TestAskAfterClose(t *testing.T) {
	l, err := Open(context.Background(), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Ask(context.Background(), Question{Text: "Did Mueller find collusion?"}); err == nil {
		t.Error("a closed library answered")
	}
	if _, err := l.RankSources(context.Background(), "Mueller", 10); err == nil {
		t.Error("a closed library ranked sources")
	}
}
