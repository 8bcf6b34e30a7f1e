package corpus

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxTokenizeBytes is the most text given to the sentence tokenizer at once:
// a longer paragraph is tokenized in blocks (see tokenizeBlocks), so that
// the tokenizer's memory and its fallback searches stay bounded whatever
// the paragraph's length.
const maxTokenizeBytes = 64 << 10

// Sentences returns the byte spans of the sentences of text[para.Start:para.End],
// as offsets into text, trimmed of surrounding white space. Together they
// cover every non-space byte of the paragraph. A sentence longer than
// MaxSentenceRunes (text with no sentence ends, or no spaces) is returned
// as pieces cut at spaces (see pieces).
func (c *Chunker) Sentences(text string, para Span) []Span {
	var out []Span
	if s, ok := oneSentence(text, para); ok {
		return c.pieces(text, s, out)
	}
	for _, blk := range tokenizeBlocks(text, para) {
		for _, s := range c.punktSentences(text, blk) {
			out = c.pieces(text, s, out)
		}
	}
	return out
}

// sentenceEnds are the runes after which the tokenizer may end a sentence.
const sentenceEnds = ".!?。！？"

// oneSentence returns text[para.Start:para.End] trimmed, and true, when it
// can only be one sentence: no rune that may end a sentence stands before
// its end (a short line, "ab.", or text with no punctuation at all). The
// tokenizer, which is slow to start on each paragraph, is then not needed.
func oneSentence(text string, para Span) (Span, bool) {
	s, e := para.Start, para.End
	for s < e && isSpaceByte(text[s]) {
		s++
	}
	for e > s && isSpaceByte(text[e-1]) {
		e--
	}
	body := strings.TrimRight(text[s:e], sentenceEnds)
	return Span{Start: s, End: e}, s < e && !strings.ContainsAny(body, sentenceEnds)
}

// punktSentences returns the sentences the Punkt tokenizer finds in
// text[para.Start:para.End], trimmed, as offsets into text.
func (c *Chunker) punktSentences(text string, para Span) []Span {
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

// tokenizeBlocks cuts a paragraph into blocks of at most maxTokenizeBytes
// for the tokenizer: each cut is at the last sentence end followed by a
// space in the block's second half, else at its last space there, else at
// a rune boundary. Prose keeps its sentences whole; only text with no
// sentence end (or no space) for tens of kilobytes is cut mid-"sentence".
func tokenizeBlocks(text string, para Span) []Span {
	var out []Span
	for para.End-para.Start > maxTokenizeBytes {
		cut := blockCut(text[para.Start : para.Start+maxTokenizeBytes])
		out = append(out, Span{Start: para.Start, End: para.Start + cut})
		para.Start += cut
	}
	return append(out, para)
}

// blockCut is where tokenizeBlocks ends a block of s's length: a byte
// offset in s's second half, never inside a rune.
func blockCut(s string) int {
	space := -1
	for i := len(s) - 1; i > len(s)/2; i-- {
		if !isSpaceByte(s[i]) {
			continue
		}
		if endsSentence(s[:i], pageSentenceEnd) {
			return i
		}
		if space < 0 {
			space = i
		}
	}
	if space > 0 {
		return space
	}
	i := len(s) - 1
	for i > 1 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// pieces appends sentence s to out, cut into pieces when it is longer than
// MaxSentenceRunes: as many pieces as that takes, of near equal length,
// each cut at the space nearest its even share (at a rune boundary when
// there is no space within the limit). So every piece of a long sentence
// is about half the limit or more: see NewChunker for why.
func (c *Chunker) pieces(text string, s Span, out []Span) []Span {
	limit := c.MaxSentenceRunes
	if limit <= 0 || s.End-s.Start <= limit {
		return append(out, s) // no more runes than bytes
	}
	n := utf8.RuneCountInString(text[s.Start:s.End])
	for n > limit {
		k := (n + limit - 1) / limit
		cut, runes := pieceCut(text[s.Start:s.End], (n+k-1)/k, limit)
		out = append(out, Span{Start: s.Start, End: s.Start + cut})
		n -= runes
		for s.Start += cut; isSpaceByte(text[s.Start]); s.Start++ {
			n--
		}
	}
	return append(out, s)
}

// pieceCut returns where to end the first piece of seg, a trimmed sentence
// of more than limit runes: the byte offset of the space nearest to target
// runes in, among the first limit runes (or of rune target itself when
// there is no space there), and how many runes come before it.
func pieceCut(seg string, target, limit int) (cut, runes int) {
	best, bestRunes, bestDist := -1, 0, 0
	atTarget := 0
	n := 0
	for i := range seg {
		if n > limit {
			break
		}
		if n == target {
			atTarget = i
		}
		if isSpaceByte(seg[i]) && i > 0 && !isSpaceByte(seg[i-1]) {
			d := max(n-target, target-n)
			if best < 0 || d < bestDist {
				best, bestRunes, bestDist = i, n, d
			}
		}
		n++
	}
	if best < 0 {
		return atTarget, target
	}
	return best, bestRunes
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
