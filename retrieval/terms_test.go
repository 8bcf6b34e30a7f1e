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
		{"is the kremlin vote true", []string{"kremlin", "vote", "true"}},             // "true" is what it asks about
		{"is it true the kremlin won the vote", []string{"kremlin", "won", "vote"}},   // "is it true": how it asks
		// A long message: its common words the library lacks ("apparently",
		// "wrong", "true", "talk") are its talk, not what it asks about.
		{"apparently the kremlin spokesman told reporters in moscow on monday that the accusations of interference in the vote were wrong, is that true or just talk",
			[]string{"kremlin", "spokesman", "told", "report", "moscow", "mondai", "accus", "interfer", "vote"}},
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

// TestLongMessageAnswered: "Find sources" on a chatty message that retells
// what the seeds report gets the report's quote, not "no answer".
func TestLongMessageAnswered(t *testing.T) {
	l, _ := openSeeded(t)
	msg := "so apparently the ODNI put out a declassified report saying Putin personally directed the influence ops " +
		"to hurt Biden and help Trump, and the Russian embassy basically called it baseless. is that true or just more " +
		"megaphone diplomacy from washington?"
	res, err := l.Ask(t.Context(), Question{Text: msg, K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.NoAnswer || len(res.Answers) == 0 {
		t.Fatalf("no answer: closest %+v", res.Closest)
	}
	if q := res.Answers[0].Quote; !strings.Contains(q, "Putin") || !strings.Contains(q, "influence operations") && !strings.Contains(q, "directed efforts") {
		t.Errorf("answered with %q, want the report's words on Putin's influence operations", q)
	}
}
