package corpus

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pdfLine is one reconstructed line of text.
type pdfLine struct {
	text   string
	x0, x1 float64 // left and right edge
	y      float64 // baseline
	size   float64 // font size
	page   int
}

// pageLines groups a page's glyphs, in drawing order, into lines: a new
// line starts when the baseline moves by more than half the font size or
// the text jumps back to the left; a space is inserted where the gap to the
// previous glyph is wide and the PDF drew none (see makeLine).
func pageLines(glyphs []pdfGlyph, page int) []pdfLine {
	var lines []pdfLine
	var cur []pdfGlyph
	flush := func() {
		if l, ok := makeLine(cur, page); ok {
			lines = append(lines, l)
		}
		cur = cur[:0]
	}
	for _, g := range glyphs {
		if g.s == "" || g.s == "\n" || math.IsNaN(g.x) || math.IsNaN(g.y) || math.IsInf(g.x, 0) || math.IsInf(g.y, 0) {
			continue
		}
		if g.size == 0 {
			g.size = 1
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			tol := math.Max(prev.size, g.size) / 2
			if math.Abs(g.y-prev.y) > tol || g.x < prev.x-prev.size {
				flush()
			}
		}
		cur = append(cur, g)
	}
	flush()
	return lines
}

// makeLine makes one line of a run of glyphs: their text, a space put in
// where a gap wider than a fifth of the font size stands for one, white
// space folded and ligatures spelled out; its edges, baseline and median
// font size. A line with no text is not made.
func makeLine(glyphs []pdfGlyph, page int) (pdfLine, bool) {
	if len(glyphs) == 0 {
		return pdfLine{}, false
	}
	// Word spaces are either drawn (a space glyph) or left as a gap; kerning
	// stays well under a fifth of the font size.
	var b strings.Builder
	sizes := make([]float64, 0, len(glyphs))
	for i, g := range glyphs {
		if i > 0 {
			prev := glyphs[i-1]
			gap := g.x - (prev.x + prev.w)
			if gap > g.size/5 && !strings.HasSuffix(prev.s, " ") && !strings.HasPrefix(g.s, " ") {
				b.WriteByte(' ')
			}
		}
		b.WriteString(pdfLigatures.Replace(g.s))
		sizes = append(sizes, g.size)
	}
	text := foldWhitespace(b.String())
	if text == "" {
		return pdfLine{}, false
	}
	sort.Float64s(sizes)
	last := glyphs[len(glyphs)-1]
	return pdfLine{
		text: text,
		x0:   glyphs[0].x,
		x1:   last.x + last.w,
		y:    glyphs[0].y,
		size: sizes[len(sizes)/2],
		page: page,
	}, true
}

// dropPageFurniture removes lines without letters (page numbers, rules)
// and running headers or footers: the same line on at least three pages
// and half of them.
func dropPageFurniture(lines []pdfLine, pages int) []pdfLine {
	onPages := map[string]map[int]bool{}
	for _, l := range lines {
		if onPages[l.text] == nil {
			onPages[l.text] = map[int]bool{}
		}
		onPages[l.text][l.page] = true
	}
	out := lines[:0:0]
	for _, l := range lines {
		if !hasLetter(l.text) {
			continue
		}
		if k := len(onPages[l.text]); k >= 3 && k*2 >= pages {
			continue
		}
		out = append(out, l)
	}
	return out
}

// pdfPara is one paragraph rebuilt from a PDF's lines: its text and the
// font size of its first line.
type pdfPara struct {
	text string
	size float64
}

// pdfParagraphs joins lines into paragraphs.
func pdfParagraphs(lines []pdfLine) []pdfPara {
	if len(lines) == 0 {
		return nil
	}
	// Typical line spacing and right margin of the body text.
	var gaps, rights []float64
	for i := 1; i < len(lines); i++ {
		a, b := lines[i-1], lines[i]
		if a.page == b.page && a.y > b.y {
			gaps = append(gaps, a.y-b.y)
		}
	}
	for _, l := range lines {
		rights = append(rights, l.x1)
	}
	lineGap := median(gaps)
	right := percentile(rights, 0.9)

	var paras []pdfPara
	var cur strings.Builder
	size := 0.0
	flush := func() {
		if t := foldWhitespace(cur.String()); t != "" {
			paras = append(paras, pdfPara{text: t, size: size})
		}
		cur.Reset()
	}
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			newPara := false
			switch {
			case l.page != prev.page:
				// A sentence running over the page break continues.
				newPara = endsSentence(prev.text, pageSentenceEnd) || !startsLower(l.text)
			case lineGap > 0 && prev.y-l.y > lineGap*1.4:
				newPara = true // blank space between the lines
			case math.Abs(l.size-prev.size) > 0.15*math.Max(l.size, prev.size):
				newPara = true // a heading, or back to body text
			case prev.x1 < right-3*prev.size && endsSentence(prev.text, pageSentenceEnd):
				newPara = true // a short last line
			case prev.y < l.y-prev.size:
				newPara = true // moved up: a new column
			}
			if newPara {
				flush()
			} else if strings.HasSuffix(cur.String(), "-") && len(cur.String()) > 1 && startsLower(l.text) {
				// "inter-" + "ference": keep the hyphen, drop the break.
			} else {
				cur.WriteByte(' ')
			}
		}
		if cur.Len() == 0 {
			size = l.size
		}
		cur.WriteString(l.text)
	}
	flush()
	return paras
}

// takePDFHeadline takes the headline off the top of a PDF's paragraphs and
// returns it and the paragraphs that are left: the first paragraphs set
// larger than the body text (bodySize), or else a first paragraph that is
// short and ends no sentence, with prose after it. A byline or date line
// under the headline goes too (the page parser's rules). When there is no
// headline, or nothing would be left, it returns "" and paras.
func takePDFHeadline(paras []pdfPara, bodySize float64) (string, []pdfPara) {
	n := 0
	for n < len(paras)-1 && n < 3 && paras[n].size > bodySize*1.15 {
		n++
	}
	if n == 0 && len(paras) > 1 && isPDFHeadline(paras[0].text) &&
		(endsSentence(paras[1].text, pageSentenceEnd) || utf8.RuneCountInString(paras[1].text) > 150) {
		n = 1
	}
	if n == 0 {
		return "", paras
	}
	heads := make([]string, n)
	for i, p := range paras[:n] {
		heads[i] = p.text
	}
	rest := paras[n:]
	for k := 0; k < 3 && len(rest) > 1 && isJunkHTMLParagraph(rest[0].text); k++ {
		rest = rest[1:]
	}
	return strings.Join(heads, " "), rest
}

// isPDFHeadline reports whether a paragraph reads as a headline: short, with
// letters, and ending no sentence.
func isPDFHeadline(s string) bool {
	return utf8.RuneCountInString(s) <= 150 && hasLetter(s) && !endsSentence(s, pageSentenceEnd)
}

// pdfLigatures spells out the typographic ligatures fonts draw as one
// glyph ("ﬁ" in "ofﬁce"): the letters are the article's, the glyph is
// the typesetter's, and search would not find "office" otherwise.
var pdfLigatures = strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl", "\ufb05", "st", "\ufb06", "st")

// startsLower reports whether s starts with a lower-case letter.
func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// median is the middle value of v (the lower of two), 0 for none.
func median(v []float64) float64 { return percentile(v, 0.5) }

// percentile is the value a share p of the way through v sorted (rounded
// down), 0 for none; v is not changed.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(p*float64(len(s)-1))]
}
