package corpus

import (
	"strings"
	"testing"
	"time"
)

func TestSentences(t *testing.T) {
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"The U.S. Senate met on Feb. 25 at 10 a.m. with Mr. Smith. It adjourned.",
			[]string{"The U.S. Senate met on Feb. 25 at 10 a.m. with Mr. Smith.", "It adjourned."}},
		{"Dr. Jones of Acme Inc. said no. “We disagree,” he said. Then he left!",
			[]string{"Dr. Jones of Acme Inc. said no.", "“We disagree,” he said.", "Then he left!"}},
		{"No closing punctuation here", []string{"No closing punctuation here"}},
		{"Ünïcödé first. Second — with dash.", []string{"Ünïcödé first.", "Second — with dash."}},
	}
	for _, tc := range tests {
		spans := c.Sentences(tc.text, Span{0, len(tc.text)})
		var got []string
		for _, s := range spans {
			got = append(got, tc.text[s.Start:s.End])
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Sentences(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestChunkOffsetsRoundTrip(t *testing.T) {
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := SeedSources(c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("This is one sentence of a long paragraph that goes on. ", 60)
	doc, err := ParseText([]byte("Long One\n\n" + long + "\n\nShort end."))
	if err != nil {
		t.Fatal(err)
	}
	ls, err := NewSource(doc, Meta{Origin: "long.txt"}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srcs = append(srcs, ls)
	for _, s := range srcs {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		prevEnd, prevPara := 0, 0
		for i, p := range s.Passages {
			txt := s.Text[p.Start:p.End]
			if strings.TrimSpace(txt) != txt {
				t.Errorf("%s passage %d has surrounding space", s.Origin, i)
			}
			if p.Start < prevEnd || p.Paragraph < prevPara {
				t.Errorf("%s passage %d out of order", s.Origin, i)
			}
			if w := countWords(txt); w > c.MaxWords && strings.Count(txt, ". ") > 0 {
				t.Errorf("%s passage %d has %d words, over %d", s.Origin, i, w, c.MaxWords)
			}
			prevEnd, prevPara = p.End, p.Paragraph
		}
		// Sentences cover every non-space byte of the text's paragraphs.
		covered := make([]bool, len(s.Text))
		for _, sp := range s.Sentences {
			for i := sp.Start; i < sp.End; i++ {
				covered[i] = true
			}
		}
		for i, ch := range []byte(s.Text) {
			if !covered[i] && ch != ' ' && ch != '\n' {
				t.Fatalf("%s: byte %d (%q) is in no sentence", s.Origin, i, s.Text[i:min(i+20, len(s.Text))])
			}
		}
	}
	if n := len(ls.Passages); n < 3 {
		t.Errorf("a 600-word paragraph gave %d passages; want it split", n)
	}
	for _, p := range ls.Passages[:len(ls.Passages)-1] {
		if p.Paragraph != 1 {
			t.Errorf("split passages keep their paragraph number: got %d", p.Paragraph)
		}
	}
}

func TestNewSourceMetadataGivenWins(t *testing.T) {
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseText([]byte("Guessed Title | GUESSED\n\nMOSCOW (TASS) — Body text here."))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSource(doc, Meta{Title: "Given", Outlet: "Given Outlet", Published: "March 17, 2021", Scope: "123456789012345678"}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "Given" || s.Outlet != "Given Outlet" || s.Published != "2021-03-17" || s.PublishedFrom != "given" {
		t.Errorf("given metadata lost: %+v", s.Info)
	}
	g, err := NewSource(doc, Meta{}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if g.ID == s.ID {
		t.Error("the same text in two scopes must have two ids")
	}
	for _, bad := range []Meta{{Scope: "guild one"}, {Published: "yesterday"}, {Published: "2021-02-30"}} {
		if _, err := NewSource(doc, bad, c, time.Now()); err == nil {
			t.Errorf("NewSource accepted %+v", bad)
		}
	}
}
