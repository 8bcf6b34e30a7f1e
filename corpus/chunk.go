package corpus

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/neurosnap/sentences"
	"github.com/neurosnap/sentences/english"
)

// Passage is the unit of search: a paragraph, a run of whole sentences of
// a long paragraph, or (in a source that would otherwise have too many
// passages) a run of short paragraphs. Start and End are byte offsets into
// the source's Text, so Text[Start:End] is the passage exactly; Paragraph
// is its 1-based paragraph number in the article, for "where in the
// article". A run of short paragraphs has the number of its first in
// Paragraph and of its last in LastParagraph (0 otherwise): the paragraph
// of a quote from it is Source.ParagraphAt(the quote's start).
type Passage struct {
	Start         int `json:"start"`
	End           int `json:"end"`
	Paragraph     int `json:"paragraph"`
	LastParagraph int `json:"last_paragraph,omitempty"`
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
	// MaxSentenceRunes is the longest sentence kept whole; a longer one
	// (text without sentence ends) is cut at spaces into pieces of about
	// half of it or more, which count as its sentences.
	MaxSentenceRunes int
	// MaxPassageRunes is the longest passage: a longer paragraph is split
	// even when it has few words (long words, no spaces). It should be at
	// least MaxSentenceRunes, so that one sentence fits in a passage.
	MaxPassageRunes int
	// MaxPassages is the most passages a source may have: over it, short
	// paragraphs are merged (see Chunk), and a source still over it is
	// refused.
	MaxPassages int
}

// NewChunker returns a Chunker with the English sentence model loaded.
//
// Its limits: a paragraph of up to 130 words (and 2,000 characters) is one
// passage; a longer one is split between sentences into passages of about
// 80 words, none over 2,000 characters. A sentence over 1,400 characters is
// cut into pieces at spaces. Real sentences stay well under that (a long
// one in news prose is 60–80 words, about 500 characters); what is over it
// is text with no sentence ends, whose pieces (700 to 1,400 characters) are
// all longer than the 600 characters over which retrieval cuts a single
// sentence around the words that matched and marks the cut with "…", and
// longer than the 400 within which it joins sentences: a quote from such
// text is always shown as cut.
func NewChunker() (*Chunker, error) {
	tok, err := english.NewSentenceTokenizer(nil)
	if err != nil {
		return nil, fmt.Errorf("loading the English sentence model: %w", err)
	}
	return &Chunker{tok: tok, TargetWords: 80, MaxWords: 130, MaxSentenceRunes: 1400, MaxPassageRunes: 2000, MaxPassages: 20_000}, nil
}

// Chunk returns the passages and sentences of a document. A paragraph of at
// most MaxWords words and MaxPassageRunes runes is one passage; a longer one
// is split between sentences into passages of about TargetWords words and
// at most MaxPassageRunes runes. When that makes more than MaxPassages
// passages, runs of adjacent short paragraphs are merged into passages of
// about TargetWords words (see mergeShort); a document still over the
// limit is refused with an error that names it.
func (c *Chunker) Chunk(doc Document) ([]Passage, []Span, error) {
	// At least one of each a paragraph: sized once, a source of a million
	// paragraphs does not grow them again and again.
	passages := make([]Passage, 0, len(doc.Paragraphs))
	sents := make([]Span, 0, len(doc.Paragraphs))
	for i, para := range doc.Paragraphs {
		ps := c.Sentences(doc.Text, para)
		sents = append(sents, ps...)
		passages = c.paragraphPassages(doc.Text, para, i+1, ps, passages)
	}
	if c.MaxPassages > 0 && len(passages) > c.MaxPassages {
		passages = c.mergeShort(doc.Text, passages)
		if len(passages) > c.MaxPassages {
			return nil, nil, fmt.Errorf("the text makes %d passages even with its short paragraphs merged, and a source may have at most %d: add the article alone, or in parts", len(passages), c.MaxPassages)
		}
	}
	return passages, sents, nil
}

// paragraphPassages appends the passages of paragraph n, at para in text
// and with sentences sents, to out.
func (c *Chunker) paragraphPassages(text string, para Span, n int, sents []Span, out []Passage) []Passage {
	p := text[para.Start:para.End]
	if len(sents) == 0 || (countWords(p) <= c.MaxWords && utf8.RuneCountInString(p) <= c.MaxPassageRunes) {
		return append(out, Passage{Start: para.Start, End: para.End, Paragraph: n})
	}
	start, words, runes := sents[0].Start, 0, 0
	for j, s := range sents {
		w := countWords(text[s.Start:s.End])
		r := utf8.RuneCountInString(text[s.Start:s.End])
		gap := 0
		if j > 0 {
			gap = utf8.RuneCountInString(text[sents[j-1].End:s.Start])
		}
		if words > 0 && (words+w > c.TargetWords || runes+gap+r > c.MaxPassageRunes) {
			out = append(out, Passage{Start: start, End: sents[j-1].End, Paragraph: n})
			start, words, runes, gap = s.Start, 0, 0, 0
		}
		words += w
		runes += gap + r
	}
	return append(out, Passage{Start: start, End: sents[len(sents)-1].End, Paragraph: n})
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
