package retrieval

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/verbatim-bot/verbatim/corpus"
)

// quoteSpan is the part of a passage given as the quote.
type quoteSpan struct {
	start, end          int
	cutBefore, cutAfter bool
	matches             []corpus.Span
}

// selectQuote picks the best run of up to maxSents adjacent sentences of
// passage pi that fits in maxRunes: the window that covers the largest
// IDF-weighted share of the question's content words, preferring fewer
// sentences at equal coverage (a sentence is added only when it adds a word
// of the question). Windows
// are cut only at sentence boundaries, except a single sentence longer than
// about 1.5×maxRunes, which is cut at word boundaries around the matched
// words and marked as cut. locs are the byte offsets of matched terms in the
// passage, as the index reports them.
func selectQuote(src *corpus.Source, pi int, locs search.TermLocationMap, terms []qterm, maxRunes, maxSents int) (quoteSpan, float64, int) {
	p := src.Passages[pi]
	sents := sentencesIn(src, p)

	occs, total := occurrences(p, locs, terms)
	cover := func(start, end int) (float64, int) { return coverage(occs, terms, total, start, end) }

	best := quoteSpan{start: sents[0].Start, end: sents[0].End}
	bestCov, bestN := -1.0, 0
	for n := 1; n <= max(maxSents, 1); n++ {
		for i := 0; i+n <= len(sents); i++ {
			j := i + n - 1
			s, e := sents[i].Start, sents[j].End
			if j > i && utf8.RuneCountInString(src.Text[s:e]) > maxRunes {
				continue
			}
			if c, m := cover(s, e); c > bestCov+1e-9 {
				best, bestCov, bestN = quoteSpan{start: s, end: e}, c, m
			}
		}
	}

	best = closeQuotation(src.Text, sents, best, maxRunes)

	// A single sentence far over the limit is cut around what matched.
	if utf8.RuneCountInString(src.Text[best.start:best.end]) > maxRunes*3/2 {
		first, last := -1, -1
		for _, o := range occs {
			if o.span.Start >= best.start && o.span.End <= best.end {
				if first < 0 {
					first = o.span.Start
				}
				last = o.span.End
			}
		}
		if first >= 0 {
			s, e := cutAround(src.Text, best.start, best.end, first, last, maxRunes)
			best.cutBefore, best.cutAfter = s > best.start, e < best.end
			best.start, best.end = s, e
			bestCov, bestN = cover(s, e)
		}
	}

	for _, o := range occs {
		if o.span.Start >= best.start && o.span.End <= best.end {
			best.matches = append(best.matches, o.span)
		}
	}
	return best, bestCov, bestN
}

// sentencesIn returns the sentences of a source inside passage p, or the
// passage itself when the source has no sentence inside it.
func sentencesIn(src *corpus.Source, p corpus.Passage) []corpus.Span {
	i := sort.Search(len(src.Sentences), func(i int) bool { return src.Sentences[i].Start >= p.Start })
	var out []corpus.Span
	for ; i < len(src.Sentences) && src.Sentences[i].End <= p.End; i++ {
		out = append(out, src.Sentences[i])
	}
	if len(out) == 0 {
		out = append(out, corpus.Span{Start: p.Start, End: p.End})
	}
	return out
}

// cutAround returns a span of at most about maxRunes characters inside
// [lo, hi) of text that contains [first, last) as far as it fits, with both
// ends at word boundaries.
func cutAround(text string, lo, hi, first, last, maxRunes int) (int, int) {
	// Grow evenly around the matched words, one rune at a time.
	s, e := first, last
	if utf8.RuneCountInString(text[s:e]) > maxRunes {
		e = s
	}
	for n := utf8.RuneCountInString(text[s:e]); n < maxRunes && (s > lo || e < hi); n++ {
		if (n%2 == 0 || e >= hi) && s > lo {
			_, size := utf8.DecodeLastRuneInString(text[lo:s])
			s -= size
		} else if e < hi {
			_, size := utf8.DecodeRuneInString(text[e:hi])
			e += size
		}
	}
	// Move inward to word boundaries.
	for s > lo && s < e && !isWordStart(text, s) {
		_, size := utf8.DecodeRuneInString(text[s:])
		s += size
	}
	for e < hi && e > s && !isWordEnd(text, e) {
		_, size := utf8.DecodeLastRuneInString(text[:e])
		e -= size
	}
	return s, e
}

func isWordStart(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	c, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsSpace(r) && !unicode.IsSpace(c)
}

func isWordEnd(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	c, _ := utf8.DecodeRuneInString(text[i:])
	return !unicode.IsSpace(r) && unicode.IsSpace(c)
}

// occurrence is where a question term, or a term of one of its
// alternatives, occurs in a passage: an absolute byte span of the source
// text.
type occurrence struct {
	span corpus.Span
	// term is the index of the question term in terms; alt the index of
	// the alternative set (-1 for the term itself) and altTerm the index
	// of the term within that set.
	term, alt, altTerm int
	// pos is the word position in the passage.
	pos int
}

// occurrences returns where the question's terms and their alternatives
// occur in passage p, in text order, and the question's total weight. locs
// are the byte offsets of matched terms in the passage, as the index
// reports them.
func occurrences(p corpus.Passage, locs search.TermLocationMap, terms []qterm) ([]occurrence, float64) {
	var occs []occurrence
	add := func(term string, ti, ai, aj int) {
		for _, l := range locs[term] {
			s, e := p.Start+int(l.Start), p.Start+int(l.End)
			if s >= p.Start && e <= p.End && s < e {
				occs = append(occs, occurrence{corpus.Span{Start: s, End: e}, ti, ai, aj, int(l.Pos)})
			}
		}
	}
	total := 0.0
	for ti, t := range terms {
		total += t.idf
		add(t.term, ti, -1, 0)
		for ai, set := range t.alts {
			for aj, at := range set {
				add(at, ti, ai, aj)
			}
		}
	}
	sort.Slice(occs, func(i, j int) bool { return occs[i].span.Start < occs[j].span.Start })
	return occs, total
}

// coverage returns the share of the question's weight (total) that the
// span [start, end) covers, and how many of its terms it finds (see
// foundIn; a term counts as found from half on).
func coverage(occs []occurrence, terms []qterm, total float64, start, end int) (float64, int) {
	w, n := 0.0, 0
	for ti, f := range foundIn(occs, terms, start, end) {
		w += terms[ti].idf * f
		if f >= 0.5 {
			n++
		}
	}
	if total == 0 {
		return 0, n
	}
	return w / total, n
}

// foundIn returns, for each question term, how much of it the span [start,
// end) has: 1 where the term occurs, or where every term of one of its
// alternatives does; the share of an alternative's terms found otherwise.
func foundIn(occs []occurrence, terms []qterm, start, end int) []float64 {
	found := make([]float64, len(terms))
	var altSeen map[[3]int]bool
	for _, o := range occs {
		if o.span.Start < start || o.span.End > end {
			continue
		}
		if o.alt < 0 {
			found[o.term] = 1
			continue
		}
		if altSeen == nil {
			altSeen = map[[3]int]bool{}
		}
		altSeen[[3]int{o.term, o.alt, o.altTerm}] = true
	}
	for k := range altSeen {
		ti, ai := k[0], k[1]
		if found[ti] == 1 {
			continue
		}
		set := terms[ti].alts[ai]
		n := 0
		for aj := range set {
			if altSeen[[3]int{ti, ai, aj}] {
				n++
			}
		}
		found[ti] = max(found[ti], float64(n)/float64(len(set)))
	}
	return found
}

// closeQuotation widens a window that starts or ends inside a quotation
// ("…paranoid reports. They certainly have nothing to do with the truth,"
// he said) by the adjacent sentences that open or close it, so a quote
// never shows a speaker's words cut from where they begin or end — as long
// as the wider window fits in maxRunes. Otherwise w is returned as it is.
func closeQuotation(text string, sents []corpus.Span, w quoteSpan, maxRunes int) quoteSpan {
	first, last := -1, -1
	for i, s := range sents {
		if s.Start == w.start {
			first = i
		}
		if s.End == w.end {
			last = i
		}
	}
	if first < 0 || last < 0 || quotationBalanced(text[w.start:w.end]) {
		return w
	}
	for extra := 1; extra <= 2; extra++ {
		for back := extra; back >= 0; back-- {
			i, j := first-back, last+(extra-back)
			if i < 0 || j >= len(sents) {
				continue
			}
			s, e := sents[i].Start, sents[j].End
			if utf8.RuneCountInString(text[s:e]) > maxRunes {
				continue
			}
			if quotationBalanced(text[s:e]) {
				return quoteSpan{start: s, end: e}
			}
		}
	}
	return w
}

// quotationBalanced reports whether text opens every quotation it closes
// and closes every one it opens: as many “ as ”, and an even number of
// straight double quotes.
func quotationBalanced(text string) bool {
	return strings.Count(text, "“") == strings.Count(text, "”") && strings.Count(text, `"`)%2 == 0
}
