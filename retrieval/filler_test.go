package retrieval

import (
	"slices"
	"testing"
)

func TestAskingFrameSpans(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string // the words not counted
	}{
		{"is it true that trump colluded with russia", []string{"true"}},
		{"Is that really true?", []string{"true"}},
		{"was this actually TRUE", []string{"TRUE"}},
		{"putin ordered it, true or false", []string{"true"}},
		{"is any of this true", []string{"true"}},
		{"what is a true number", nil},
		{"does the pattern still hold true", nil},
		{"is the report true", nil},
		{"whats the deal with the odni report", []string{"deal"}},
		{"What’s the story on the sanctions?", []string{"story"}},
		{"whats going on with russia", []string{"going"}},
		{"what's happening with the election", []string{"happening"}},
		{"did they make a deal with russia", nil},
		{"the story of the election", nil},
		{"is russia going to respond", nil},
		{"any sources on the odni report", []string{"sources"}},
		{"source for russia denying interference?", []string{"source"}},
		{"got a link about the embassy statement", []string{"link"}},
		{"can someone drop me a source", []string{"source"}},
		{"what does the article say about mueller", []string{"article"}},
		{"what are the sources of EU law", nil},
		{"which article of the constitution", nil},
		{"is smoking linked to cancer", nil},
	} {
		var got []string
		for _, s := range askingFrameSpans(tc.text) {
			got = append(got, tc.text[s.start:s.end])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("askingFrameSpans(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
