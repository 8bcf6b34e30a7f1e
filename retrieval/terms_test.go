package retrieval

import (
	"slices"
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// readTerms returns the terms l reads a question as.
func readTerms(t *testing.T, l *Library, question string) []qterm {
	t.Helper()
	a, err := l.newAsking(question, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if err := a.understand(t.Context(), a.text); err != nil {
		t.Fatalf("%q: %v", question, err)
	}
	return a.terms
}

// TestWordsNotCounted: a word no passage has but a headline has, and a
// letter alone the library lacks, are not what a quote must cover; a
// headline asked as a question is answered from its article.
func TestWordsNotCounted(t *testing.T) {
	l, _ := openEmpty(t)
	addText(t, l, "Kremlin Denies Meddling\n\nThe Kremlin rejected the accusations of interference in the vote, its spokesman told reporters in Moscow on Monday.", corpus.Meta{Origin: "kremlin.txt"})
	addText(t, l, "Harvest Report\n\nFarmers in the south reported a record wheat harvest this year, the ministry said.", corpus.Meta{Origin: "harvest.txt"})
	for _, tc := range []struct {
		question string
		want     []string
	}{
		{"Kremlin Denies Meddling In The Vote", []string{"kremlin", "vote"}},          // "deni", "meddl": only in the title
		{"kremlin w/ interference b/c vote", []string{"kremlin", "interfer", "vote"}}, // "w", "b", "c": letters
	} {
		var got []string
		for _, qt := range readTerms(t, l, tc.question) {
			got = append(got, qt.term)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q read as %q, want %q", tc.question, got, tc.want)
		}
	}
	res, err := l.Ask(t.Context(), Question{Text: "Kremlin Denies Meddling In The Vote", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.NoAnswer || len(res.Answers) == 0 || !strings.Contains(res.Answers[0].Quote, "rejected the accusations") {
		t.Errorf("the headline asked as a question: %+v, want the article's quote", res)
	}
}
