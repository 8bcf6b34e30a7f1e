package corpus

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// paragraphBreak separates paragraphs in a Document's Text.
const paragraphBreak = "\n\n"

// mergeShort merges runs of adjacent short paragraphs into single passages,
// in place: a run grows while it has fewer than TargetWords words and stays
// within MaxWords words and MaxPassageRunes runes. Only paragraphs that are
// one passage each, trimmed, without a blank line inside, and one
// paragraphBreak apart are merged, so that the paragraphs of a merged
// passage can be told apart again exactly (see paragraphIn).
func (c *Chunker) mergeShort(text string, passages []Passage) []Passage {
	alone := func(i int) bool {
		p := passages[i]
		t := text[p.Start:p.End]
		return (i == 0 || passages[i-1].Paragraph != p.Paragraph) &&
			(i+1 == len(passages) || passages[i+1].Paragraph != p.Paragraph) &&
			!isSpaceByte(t[0]) && !isSpaceByte(t[len(t)-1]) && !strings.Contains(t, paragraphBreak)
	}
	out := passages[:0]
	for i := 0; i < len(passages); {
		run := passages[i]
		j := i + 1
		if alone(i) {
			t := text[run.Start:run.End]
			words, runes := countWords(t), utf8.RuneCountInString(t)
			for ; j < len(passages) && words < c.TargetWords && alone(j) && text[passages[j-1].End:passages[j].Start] == paragraphBreak; j++ {
				t := text[passages[j].Start:passages[j].End]
				w, r := countWords(t), utf8.RuneCountInString(t)+len(paragraphBreak)
				if words+w > c.MaxWords || runes+r > c.MaxPassageRunes {
					break
				}
				words, runes = words+w, runes+r
			}
		}
		if j > i+1 {
			run.End, run.LastParagraph = passages[j-1].End, passages[j-1].Paragraph
		}
		out = append(out, run)
		i = j
	}
	return out
}

// paragraphIn returns the span of paragraph n inside passage p of text: the
// whole passage unless p is a run of short paragraphs (see mergeShort),
// whose paragraphs are one paragraphBreak apart.
func (p Passage) paragraphIn(text string, n int) Span {
	sp := Span{Start: p.Start, End: p.End}
	if p.LastParagraph <= p.Paragraph {
		return sp
	}
	for k := p.Paragraph; k < n; k++ {
		i := strings.Index(text[sp.Start:p.End], paragraphBreak)
		if i < 0 {
			break
		}
		sp.Start += i + len(paragraphBreak)
	}
	if i := strings.Index(text[sp.Start:p.End], paragraphBreak); i >= 0 {
		sp.End = sp.Start + i
	}
	return sp
}

// ParagraphAt returns the 1-based number of the paragraph of the source
// that holds byte offset off of its text (0 when no passage holds it).
// It is the paragraph to show with a quote starting at off: a passage may
// be a run of several short paragraphs, so its Paragraph is only the first
// of them.
func (s *Source) ParagraphAt(off int) int {
	i := sort.Search(len(s.Passages), func(i int) bool { return s.Passages[i].End > off })
	if i == len(s.Passages) || off < s.Passages[i].Start {
		return 0
	}
	p := s.Passages[i]
	if p.LastParagraph <= p.Paragraph {
		return p.Paragraph
	}
	return p.Paragraph + strings.Count(s.Text[p.Start:off], paragraphBreak)
}

// ParagraphCount returns the number of paragraphs of the source: the
// paragraphs are numbered 1 to ParagraphCount, and ParagraphSpan gives
// each one's text.
func (s *Source) ParagraphCount() int {
	if len(s.Passages) == 0 {
		return 0
	}
	p := s.Passages[len(s.Passages)-1]
	return max(p.Paragraph, p.LastParagraph)
}
