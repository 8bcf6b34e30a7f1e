package retrieval

import (
	"reflect"
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

func TestDerivedStems(t *testing.T) {
	for _, tc := range []struct {
		stem string
		want []string
	}{
		{"collus", []string{"collud"}},   // collusion → colluded
		{"collud", []string{"collus"}},   // collude → collusion
		{"decis", []string{"decid"}},     // decision → decide
		{"invad", []string{"invas"}},     // invade → invasion
		{"explos", []string{"explod"}},   // explosion → explode
		{"conclud", []string{"conclus"}}, // concluded → conclusion
		{"elect", nil},                   // no such ending
		{"road", nil},                    // too short to tell
		{"covid19", nil},                 // not a word
	} {
		if got := derivedStems(tc.stem); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("derivedStems(%q) = %q, want %q", tc.stem, got, tc.want)
		}
	}
}

// TestNounAnswersVerb: a question with a noun is answered by a quote with
// its verb, and the other way round, although the stemmer keeps them apart
// ("collusion" and "colluded"). The library has both forms, so this is not
// the typo correction of a word it lacks.
func TestNounAnswersVerb(t *testing.T) {
	l, _ := openEmpty(t)
	addText(t, l, "Inquiry Closes\n\nThe special counsel found no evidence that the mayor colluded with the contractor.\n\nThe harbour will reopen in May after the storm damage is repaired.", corpus.Meta{Origin: "inquiry.txt"})
	addText(t, l, "Council Vote\n\nThe council's decision on the harbour came after a long debate about its cost.\n\nNobody alleged collusion in the vote.", corpus.Meta{Origin: "vote.txt"})
	for _, tc := range []struct{ question, want string }{
		{"did the counsel find collusion with the contractor", "colluded with the contractor"},
		{"when did the council decide on the harbour", "council's decision on the harbour"},
	} {
		res, err := l.Ask(t.Context(), Question{Text: tc.question, K: 3})
		if err != nil {
			t.Fatalf("%q: %v", tc.question, err)
		}
		if res.NoAnswer || !strings.Contains(res.Answers[0].Quote, tc.want) {
			t.Fatalf("%q: got %+v, want a first quote with %q", tc.question, res, tc.want)
		}
		if e := res.Answers[0].Evidence; e.Matched != e.Terms {
			t.Errorf("%q: the quote has %d of the question's %d terms, want all", tc.question, e.Matched, e.Terms)
		}
	}
}

// TestOtherFormIsNotUnseen: a word the library lacks whose other form it
// has ("collusion" where the library says only "colluded") is not a word
// the library has never seen: it weighs as that form and does not count
// against the question.
func TestOtherFormIsNotUnseen(t *testing.T) {
	l, _ := openEmpty(t)
	addText(t, l, "Inquiry Closes\n\nThe special counsel found no evidence that the mayor colluded with the contractor.", corpus.Meta{Origin: "inquiry.txt"})
	addText(t, l, "Harbour Works\n\nThe contractor will repaint the harbour wall in May.", corpus.Meta{Origin: "harbour.txt"})
	res, err := l.Ask(t.Context(), Question{Text: "was there collusion with the contractor", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.NoAnswer || !strings.Contains(res.Answers[0].Quote, "colluded") {
		t.Fatalf("got %+v, want the quote with \"colluded\" first", res)
	}
	if e := res.Answers[0].Evidence; e.Unseen != 0 || e.Matched != e.Terms {
		t.Errorf("evidence %+v: want no unseen share and every term found", e)
	}
}
