package corpus

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// mustChunker returns a Chunker with the default limits.
func mustChunker(t testing.TB) *Chunker {
	t.Helper()
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// unpunctuated is n words of running text with no sentence end anywhere.
func unpunctuated(n int) string {
	words := []string{"the", "senate", "committee", "report", "said", "moscow", "denied", "interference", "in", "elections"}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[i%len(words)])
	}
	return b.String()
}

// TestChunkBoundsUnpunctuated: a paragraph with no sentence end (a word
// list, a transcript without punctuation, text with no spaces at all) was
// one passage and one "sentence" however long it was, and every question
// sharing a word with it then took seconds. Its passages and sentences are
// now bounded, cut at spaces where there are any, with exact offsets.
func TestChunkBoundsUnpunctuated(t *testing.T) {
	c := mustChunker(t)
	tests := []struct {
		name string
		para string
	}{
		{"words without a sentence end", unpunctuated(100_000)},
		{"no spaces at all", strings.Repeat("abcdefghij", 20_000)},
		{"no spaces, CJK", strings.Repeat("俄罗斯否认干涉美国大选", 3_000)},
		{"one sentence end in a sea of words", unpunctuated(5_000) + ". " + unpunctuated(5_000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := Document{Text: "Intro.\n\n" + tc.para + "\n\nOutro.", Title: "T"}
			doc.Paragraphs = []Span{{0, 6}, {8, 8 + len(tc.para)}, {10 + len(tc.para), 16 + len(tc.para)}}
			src, err := NewSource(doc, Meta{Origin: "long.txt"}, c, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := src.Validate(); err != nil {
				t.Fatal(err)
			}
			checkChunks(t, c, doc)
			np := 0
			for _, p := range src.Passages {
				if p.Paragraph != 2 {
					continue
				}
				np++
				if n := utf8.RuneCountInString(src.Text[p.Start:p.End]); n > c.MaxPassageRunes {
					t.Errorf("passage [%d,%d) is %d runes, over %d", p.Start, p.End, n, c.MaxPassageRunes)
				}
			}
			if want := utf8.RuneCountInString(tc.para) / c.MaxPassageRunes; np < want {
				t.Errorf("%d passages for a paragraph of %d runes, want at least %d", np, utf8.RuneCountInString(tc.para), want)
			}
			for _, s := range src.Sentences {
				txt := src.Text[s.Start:s.End]
				if n := utf8.RuneCountInString(txt); n > c.MaxSentenceRunes {
					t.Fatalf("sentence [%d,%d) is %d runes, over %d", s.Start, s.End, n, c.MaxSentenceRunes)
				}
				// Cut at a space wherever the text has one near the limit.
				if strings.Contains(tc.para, " ") && s.End < len(src.Text) && src.Text[s.End] != ' ' && src.Text[s.End] != '\n' {
					t.Errorf("sentence [%d,%d) ends inside a word: %q", s.Start, s.End, src.Text[s.End-5:s.End+5])
				}
			}
			t.Logf("seen: %d passages, %d sentences", np, len(src.Sentences))
		})
	}
}

// TestChunkSentencePieces: a sentence over MaxSentenceRunes is cut at
// spaces into pieces of near equal length, each about half the limit or
// more (a word's length either way), so a quote from any piece is one that
// retrieval cuts (and marks as cut).
func TestChunkSentencePieces(t *testing.T) {
	c := mustChunker(t)
	edge := unpunctuated(250)[:c.MaxSentenceRunes] // one rune over the limit with the full stop
	edge = strings.TrimRight(edge, " ") + "x"
	for _, text := range []string{edge + ".", unpunctuated(250) + ".", unpunctuated(400) + ".", unpunctuated(1000) + ".", unpunctuated(3000) + "."} {
		spans := c.Sentences(text, Span{0, len(text)})
		n := utf8.RuneCountInString(text)
		if n <= c.MaxSentenceRunes {
			t.Fatalf("the text is only %d runes", n)
		}
		if len(spans) < 2 {
			t.Fatalf("%d runes: %d sentence(s)", n, len(spans))
		}
		for i, s := range spans {
			r := utf8.RuneCountInString(text[s.Start:s.End])
			const word = 12 // the longest word is "interference"
			if r > c.MaxSentenceRunes || r < c.MaxSentenceRunes/2-word {
				t.Errorf("%d runes: piece %d is %d runes, want [%d, %d]", n, i, r, c.MaxSentenceRunes/2-word, c.MaxSentenceRunes)
			}
			if i > 0 && text[spans[i-1].End:s.Start] != " " {
				t.Errorf("%d runes: pieces %d and %d are not cut at one space: %q", n, i-1, i, text[spans[i-1].End:s.Start])
			}
		}
		if spans[0].Start != 0 || spans[len(spans)-1].End != len(text) {
			t.Errorf("%d runes: pieces do not cover the sentence: %v", n, spans)
		}
	}
}

// TestChunkCapsPassages: a file of a million tiny paragraphs ("ab.\n"
// again and again) made a million passages, which took minutes and
// gigabytes to index. A source over MaxPassages passages has its short
// paragraphs merged, in runs, into passages of about TargetWords words;
// the paragraph number of every byte stays right (ParagraphAt), and so
// does every paragraph's span. A source too big even then is refused,
// naming the limit.
func TestChunkCapsPassages(t *testing.T) {
	c := mustChunker(t)
	tests := []struct {
		name string
		file string
		data string
		max  int // MaxPassages; 0 for the default
	}{
		{"tiny text paragraphs", "tiny.txt", strings.Repeat("ab.\n", 300_000), 0},
		{"tiny HTML paragraphs", "tiny.html", "<html><body>" + strings.Repeat("<p>Ab cd.</p>", 100_000) + "</body></html>", 0},
		{"short and long paragraphs", "mixed.txt", strings.Repeat("Yes.\n\nNo, he said.\n\n"+unpunctuated(300)+".\n\n", 50), 160},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseFile(context.Background(), tc.file, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			ch := *c
			if tc.max > 0 {
				ch.MaxPassages = tc.max
			}
			src, err := NewSource(doc, Meta{Origin: tc.file}, &ch, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seen: %d paragraphs, %d passages", len(doc.Paragraphs), len(src.Passages))
			if err := src.Validate(); err != nil {
				t.Fatal(err)
			}
			if len(src.Passages) > ch.MaxPassages {
				t.Errorf("%d passages, over the limit of %d", len(src.Passages), ch.MaxPassages)
			}
			if got := src.ParagraphCount(); got != len(doc.Paragraphs) {
				t.Errorf("ParagraphCount = %d, want %d", got, len(doc.Paragraphs))
			}
			for i, para := range doc.Paragraphs {
				if got := src.ParagraphSpan(i + 1); got != para {
					t.Fatalf("ParagraphSpan(%d) = %v, want %v", i+1, got, para)
				}
				for _, off := range []int{para.Start, para.End - 1} {
					if got := src.ParagraphAt(off); got != i+1 {
						t.Fatalf("ParagraphAt(%d) = %d, want %d", off, got, i+1)
					}
				}
			}
		})
	}
}

// TestChunkRefusesTooManyPassages: a source over MaxPassages even with its
// short paragraphs merged is refused with an error that names the limit
// and says what to do.
func TestChunkRefusesTooManyPassages(t *testing.T) {
	c := *mustChunker(t)
	c.MaxPassages = 50
	doc, err := ParseText([]byte(strings.Repeat(unpunctuated(100)+".\n\n", 60)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewSource(doc, Meta{}, &c, time.Now())
	t.Logf("seen: %v", err)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{"60 passages", "at most 50", "in parts"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestChunkKeepsShortParagraphsUnderTheCap: an article under the cap keeps
// one passage a paragraph, however short they are.
func TestChunkKeepsShortParagraphsUnderTheCap(t *testing.T) {
	c := mustChunker(t)
	doc, err := ParseText([]byte("Title\n\n" + strings.Repeat("He said no.\n\n", 40)))
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(doc, Meta{}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Passages) != 40 {
		t.Errorf("%d passages for 40 paragraphs", len(src.Passages))
	}
}

// BenchmarkHostileSizes parses and chunks the inputs of issue 13's items 6
// and 7 at full size: 4 MB of words with no sentence end, a million tiny
// text paragraphs, and 5.2 MB of tiny HTML paragraphs. Run with -benchmem;
// peak memory is measured outside (see the branch's report).
func BenchmarkHostileSizes(b *testing.B) {
	c := mustChunker(b)
	inputs := []struct{ name, file, data string }{
		{"no punctuation", "nopunct.txt", unpunctuated(560_000)},
		{"a million tiny paragraphs", "tiny.txt", strings.Repeat("ab.\n", 1_000_000)},
		{"tiny HTML paragraphs", "tiny.html", "<html><body>" + strings.Repeat("<p>Ab cd.</p>", 400_000) + "</body></html>"},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				doc, err := ParseFile(context.Background(), in.file, []byte(in.data))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := NewSource(doc, Meta{}, c, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
