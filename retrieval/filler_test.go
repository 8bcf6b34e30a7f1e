package retrieval

import "testing"

func TestTruthFrameSpans(t *testing.T) {
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
	} {
		var got []string
		for _, s := range truthFrameSpans(tc.text) {
			got = append(got, tc.text[s.start:s.end])
		}
		if len(got) != len(tc.want) || len(got) > 0 && got[0] != tc.want[0] {
			t.Errorf("truthFrameSpans(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
