package retrieval

import (
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestTypoCorrection: a word neither the library nor English has is read
// as the library's word it is a typo of — one edit from an English word the
// library has, or from a name the library has — and never as an English word
// two edits away: that is as often a name the library lacks.
func TestTypoCorrection(t *testing.T) {
	l, _ := openEmpty(t)
	addText(t, l, "Baltic Drills\n\nRussia's navy began naval exercises in the Baltic Sea. President Vladimir Putin said the naval drills were routine, and the fleet stayed in a defensive mode.", corpus.Meta{Origin: "naval.txt"})
	addText(t, l, "Election Report\n\nThe election saw no foreign interference, the report said. Deputy Foreign Minister Sergei Ryabkov called the sanctions absurd.", corpus.Meta{Origin: "election.txt"})
	for _, tc := range []struct {
		// word is the word as analysed; want "": the word is not corrected.
		question, word, want string
	}{
		{"electon", "electon", "elect"},      // one edit from "election", whose term is "elect"
		{"sanctons", "sanctons", "sanction"}, // one edit from "sanctions"
		{"ryabkof", "ryabkof", "ryabkov"},    // a name the library has, one edit away
		{"ryabkv", "ryabkv", "ryabkov"},
		{"navalny", "navalni", ""},            // two edits from the term "naval": a name the library lacks
		{"nvl", "nvl", ""},                    // too short to tell
		{"what did modi say", "modi", "mode"}, // typed as a word: read as one (see docs/quality.md)
		{"what did Modi say", "modi", ""},     // typed as a name: never an English word
		{"what did Ryabkof say", "ryabkof", "ryabkov"},
		{"Electon results", "electon", "elect"}, // a capital that begins the question
		{"Fine. Electon results", "electon", "elect"},
		{"Navy Drills In Defensive Mdoe", "mdoe", "mode"}, // a headline: capitals mark nothing
	} {
		terms := readTerms(t, l, tc.question)
		var got []string
		var read *qterm
		for i, qt := range terms {
			got = append(got, qt.term+" ("+qt.how+")")
			if qt.term == tc.word || qt.how == "typo of "+tc.word {
				read = &terms[i]
			}
		}
		switch {
		case read == nil:
			t.Errorf("%q read as %q: %q is not among them", tc.question, got, tc.word)
		case tc.want != "" && read.term != tc.want:
			t.Errorf("%q read as %q, want %q as the typo of %q", tc.question, got, tc.word, tc.want)
		case tc.want == "" && read.how != "unseen":
			t.Errorf("%q read as %q, want %q left uncorrected", tc.question, got, tc.word)
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

func TestTypedAsName(t *testing.T) {
	for _, tc := range []struct {
		text string
		at   int
		want bool
	}{
		{"what did Modi say", 9, true},
		{"what did modi say", 9, false},
		{"Modi said", 0, false},
		{"Fine. Modi said", 6, false},
		{"fine?\nModi said", 6, false},
		{"he said \"Modi\" twice", 9, true},
		{"MODI said", 0, false},
		{"and MODI said", 4, true},
	} {
		if got := typedAsName(tc.text, tc.at); got != tc.want {
			t.Errorf("typedAsName(%q, %d) = %v, want %v", tc.text, tc.at, got, tc.want)
		}
	}
}

func TestCapitalsMarkNames(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"what did Modi say", true},
		{"What did Modi tell Xi about the border", true},
		{"did modi say anything", true},
		{"Russia Denies Interfering In US Elections", false}, // a headline in title case
		{"DID RUSSIA INTERFERE", false},
		{"Fine. What did Putin's aide say?", true},
		{"", true},
	} {
		if got := capitalsMarkNames(tc.text); got != tc.want {
			t.Errorf("capitalsMarkNames(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
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
