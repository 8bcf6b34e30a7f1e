package retrieval

import "testing"

// TestWithoutChat: words of chat are blanked out of the searched text, in
// any case and with a trailing apostrophe, and nothing else is touched.
func TestWithoutChat(t *testing.T) {
	l, _ := openSeeded(t)
	for _, c := range []struct{ in, want string }{
		{"did russia interfere in the 2020 election", "did russia interfere in the 2020 election"},
		{"hey did russia interfere", "    did russia interfere"},
		{"Hey, did russia interfere lol", "   , did russia interfere    "},
		{"whats the sanctions stuff gonna do", "      the sanctions             do"}, // "do" is a stop word, left as typed
		{"Heyday of the press", "Heyday of the press"},
		{"", ""},
	} {
		got, kept := withoutChat(c.in, l.analyzer.Analyze([]byte(c.in)))
		// The tokens left are the searched words, at their offsets in
		// both texts.
		for _, tok := range kept {
			if w := got[tok.Start:tok.End]; w != c.in[tok.Start:tok.End] || isChat(w) {
				t.Errorf("withoutChat(%q) kept %q at %d", c.in, w, tok.Start)
			}
		}
		if len(kept) != len(l.analyzer.Analyze([]byte(got))) {
			t.Errorf("withoutChat(%q) kept %d tokens; its text has %d", c.in, len(kept), len(l.analyzer.Analyze([]byte(got))))
		}
		if got != c.want {
			t.Errorf("withoutChat(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// The question with chat searches as the question without it.
	plain := ask(t, l, Question{Text: "did russia interfere in the 2020 election"})
	chatty := ask(t, l, Question{Text: "hey lol did russia interfere in the 2020 election"})
	if len(plain.Answers) == 0 || len(plain.Answers) != len(chatty.Answers) {
		t.Fatalf("%d answers plain, %d with chat", len(plain.Answers), len(chatty.Answers))
	}
	for i := range plain.Answers {
		if p, c := plain.Answers[i], chatty.Answers[i]; p.Quote != c.Quote || p.Score != c.Score {
			t.Errorf("answer %d: %q (score %v) with chat, %q (score %v) without", i, c.Quote, c.Score, p.Quote, p.Score)
		}
	}
}
