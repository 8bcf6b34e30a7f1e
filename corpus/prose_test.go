package corpus

import "testing"

// TestEndsSentence covers what each rule took for a sentence end before the
// text and page parsers shared endsSentence: textLineEnd is the text
// parser's old endsSentence, pageSentenceEnd the page and PDF parsers' old
// hEndsSentence. Where the two columns differ, the parsers always differed.
func TestEndsSentence(t *testing.T) {
	for _, tc := range []struct {
		in         string
		text, page bool
	}{
		{"It ended.", true, true},
		{"Did it?", true, true},
		{"It did!", true, true},
		{"And then…", true, true},
		{"“It ended.”", true, true},
		{"He said it ended.'", true, true},
		{"(It ended.)", true, true},
		{"[It ended.]", true, true},
		{"« C’est fini. »", true, false}, // a space before the closing guillemet
		{"« C’est fini.»", true, true},
		{"It ended.’”)", true, true},
		{"The points were:", true, false},
		{"First; second;", true, false},
		{"*It ended.*", true, false},
		{"_It ended._", true, false},
		{"It ended. ", true, false},
		{"It ended.\u00a0", true, false},
		{"It ended.\t\n", true, false},
		{"It ended. )", true, false},
		{"Headline without a stop", false, false},
		{"Putin's autograph sold at auction for $5,000", false, false},
		{"Ends in a comma,", false, false},
		{"Ends in a dash —", false, false},
		{"3.5", false, false},
		{"", false, false},
		{"   ", false, false},
		{"”)", false, false},
		{".", true, true},
		{"bad byte.\xff", false, false},
		{"cut rune\xe2\x80", false, false},
	} {
		if got := endsSentence(tc.in, textLineEnd); got != tc.text {
			t.Errorf("endsSentence(%q, textLineEnd) = %v, want %v", tc.in, got, tc.text)
		}
		if got := endsSentence(tc.in, pageSentenceEnd); got != tc.page {
			t.Errorf("endsSentence(%q, pageSentenceEnd) = %v, want %v", tc.in, got, tc.page)
		}
	}
}
