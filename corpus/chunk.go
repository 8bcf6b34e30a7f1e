package corpus

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/neurosnap/sentences"
	"github.com/neurosnap/sentences/english"
)

// Passage is the unit of search: a paragraph, or a run of whole sentences of
// a long paragraph. Start and End are byte offsets into the source's Text, so
// Text[Start:End] is the passage exactly; Paragraph is its 1-based paragraph
// number in the article, for "where in the article".
type Passage struct {
	Start     int `json:"start"`
	End       int `json:"end"`
	Paragraph int `json:"paragraph"`
}

// Chunker cuts a document's paragraphs into sentences and passages. It holds
// a Punkt sentence tokenizer for English (abbreviations such as "U.S.",
// "Feb. 25", "Mr." and "a.m." do not end a sentence). A Chunker is safe for
// concurrent use.
type Chunker struct {
	tok *sentences.DefaultSentenceTokenizer
	// TargetWords is the size a long paragraph's passages aim for.
	TargetWords int
	// MaxWords is the largest paragraph kept as one passage.
	MaxWords int
}

// NewChunker returns a Chunker with the English sentence model loaded.
func NewChunker() (*Chunker, error) {
	tok, err := english.NewSentenceTokenizer(nil)
	if err != nil {
		return nil, fmt.Errorf("loading the English sentence model: %w", err)
	}
	return &Chunker{tok: tok, TargetWords: 80, MaxWords: 130}, nil
}

// Sentences returns the byte spans of the sentences of text[para.Start:para.End],
// as offsets into text, trimmed of surrounding white space. Together they
// cover every non-space byte of the paragraph.
func (c *Chunker) Sentences(text string, para Span) []Span {
	p := text[para.Start:para.End]
	var out []Span
	prev := 0
	add := func(s, e int) {
		for s < e && isSpaceByte(p[s]) {
			s++
		}
		for e > s && isSpaceByte(p[e-1]) {
			e--
		}
		if s < e {
			out = append(out, Span{Start: para.Start + s, End: para.Start + e})
		}
	}
	for _, s := range c.tok.Tokenize(p) {
		// The tokenizer's offsets are bytes into p; trust them only if they
		// agree with its text, else fall back to searching for the text.
		start, end := s.Start, s.End
		if start < prev || end > len(p) || start > end || strings.TrimSpace(p[start:end]) != strings.TrimSpace(s.Text) {
			i := strings.Index(p[prev:], strings.TrimSpace(s.Text))
			if i < 0 {
				continue
			}
			end = prev + i + len(strings.TrimSpace(s.Text))
		}
		// Bytes the tokenizer skipped belong to the sentence that follows.
		for _, cut := range quoteBreaks(p[:end], prev) {
			add(prev, cut)
			prev = cut
		}
		add(prev, end)
		prev = end
	}
	add(prev, len(p))
	return out
}

// quoteBreak finds a sentence end followed by an opening quote and a capital
// ("… said no. “We disagree"), which the Punkt model does not split.
var quoteBreak = regexp.MustCompile(`(\p{L}{2,})[.!?]["”’]?\s+[“"]\p{Lu}`)

// abbreviations that may stand before an opening quote without ending a
// sentence.
var abbreviations = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "inc": true, "co": true,
	"corp": true, "ltd": true, "jr": true, "sr": true, "st": true, "gen": true, "gov": true, "sen": true,
	"rep": true, "prof": true, "vs": true, "col": true, "lt": true, "sgt": true, "capt": true}

// quoteBreaks returns the offsets (into s) after sentence ends that precede
// an opening quote, from offset from on.
func quoteBreaks(s string, from int) []int {
	if !strings.ContainsAny(s[from:], "“\"") {
		return nil // the pattern needs an opening quote; skip the slow regexp
	}
	var out []int
	for _, m := range quoteBreak.FindAllStringSubmatchIndex(s[from:], -1) {
		if abbreviations[strings.ToLower(s[from+m[2]:from+m[3]])] {
			continue
		}
		// Cut after the punctuation (and a closing quote), before the space.
		i := from + m[3]
		for i < len(s) && !isSpaceByte(s[i]) {
			i++
		}
		out = append(out, i)
	}
	return out
}

// isSpaceByte reports whether b is ASCII white space.
func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f' || b == '\v'
}

// Chunk returns the passages and sentences of a document. A paragraph of at
// most MaxWords words is one passage; a longer one is split between
// sentences into passages of about TargetWords words.
func (c *Chunker) Chunk(doc Document) ([]Passage, []Span) {
	var passages []Passage
	var sents []Span
	for i, para := range doc.Paragraphs {
		ps := c.Sentences(doc.Text, para)
		sents = append(sents, ps...)
		if countWords(doc.Text[para.Start:para.End]) <= c.MaxWords || len(ps) < 2 {
			passages = append(passages, Passage{Start: para.Start, End: para.End, Paragraph: i + 1})
			continue
		}
		start, words := ps[0].Start, 0
		for j, s := range ps {
			w := countWords(doc.Text[s.Start:s.End])
			if words > 0 && words+w > c.TargetWords {
				passages = append(passages, Passage{Start: start, End: ps[j-1].End, Paragraph: i + 1})
				start, words = s.Start, 0
			}
			words += w
		}
		passages = append(passages, Passage{Start: start, End: ps[len(ps)-1].End, Paragraph: i + 1})
	}
	return passages, sents
}

// countWords counts runs of non-space characters.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}
