package retrieval

import (
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestTypoCorrection: a word neither the library nor English has is read
// as the library's word it is a typo of — one edit from an English word the
// library has, or from a name the library has — and never as an English word
// two edits away: that is as often a name the library lacks.
func TestTypoCorrection(t *testing.T) {
	l, _ := openEmpty(t)
	addText(t, l, "Baltic Drills\n\nRussia's navy began naval exercises in the Baltic Sea. President Vladimir Putin said the naval drills were routine.", corpus.Meta{Origin: "naval.txt"})
	addText(t, l, "Election Report\n\nThe election saw no foreign interference, the report said. Deputy Foreign Minister Sergei Ryabkov called the sanctions absurd.", corpus.Meta{Origin: "election.txt"})
	for _, tc := range []struct {
		word, want string // want "": not corrected
	}{
		{"electon", "elect"},     // one edit from "election", whose term is "elect"
		{"sanctons", "sanction"}, // one edit from "sanctions"
		{"ryabkof", "ryabkov"},   // a name the library has, one edit away
		{"ryabkv", "ryabkov"},
		{"navalny", ""}, // two edits from the term "naval": a name the library lacks
		{"nvl", ""},     // too short to tell
	} {
		terms := readTerms(t, l, tc.word)
		var got []string
		for _, qt := range terms {
			got = append(got, qt.term+" ("+qt.how+")")
		}
		switch {
		case tc.want != "" && (len(terms) != 1 || terms[0].term != tc.want):
			t.Errorf("%q read as %q, want the typo of %q", tc.word, got, tc.want)
		case tc.want == "" && len(terms) == 1 && strings.HasPrefix(terms[0].how, "typo"):
			t.Errorf("%q read as %q, want it left uncorrected", tc.word, got)
		}
	}

	// A typo weighs what the word meant weighs, not more.
	if typo, right := readTerms(t, l, "sanctons"), readTerms(t, l, "sanctions"); len(typo) != 1 || len(right) != 1 || typo[0].idf != right[0].idf {
		t.Errorf("\"sanctons\" read as %+v, \"sanctions\" as %+v: want the same term and weight", typo, right)
	}

	res, err := l.Ask(t.Context(), Question{Text: "what did navalny say about putin", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NoAnswer {
		t.Errorf("a question about a name the library lacks was answered: %+v", res.Answers)
	}
}

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

func TestOneEditAway(t *testing.T) {
	got := oneEditAway("abc")
	has := map[string]bool{}
	for _, w := range got {
		if w[0] != 'a' {
			t.Errorf("%q does not keep the first letter", w)
		}
		has[w] = true
	}
	for _, w := range []string{"ac", "ab", "acb", "axc", "abx", "abxc", "abcx"} {
		if !has[w] {
			t.Errorf("oneEditAway(\"abc\") lacks %q", w)
		}
	}
	for _, w := range []string{"abc", "bac", "xabc", "xbc"} {
		if has[w] {
			t.Errorf("oneEditAway(\"abc\") has %q", w)
		}
	}
}
