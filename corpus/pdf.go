package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// ErrNotReadablePDF is wrapped by every ParsePDF error: the data is not a
// PDF, is corrupt or encrypted, holds no extractable text (a scan), or could
// not be read in time.
var ErrNotReadablePDF = errors.New("not a readable PDF")

// DefaultPDFTimeout bounds ParsePDF when the context has no earlier deadline.
const DefaultPDFTimeout = 20 * time.Second

// MaxPDFPages is the most pages ParsePDF reads; longer files are refused
// (a news article is a few pages, and a crafted page tree can claim
// millions).
const MaxPDFPages = 1000

// Limits on what one PDF may make ParsePDF decompress and keep. A few KB of
// deflated content can inflate to gigabytes of drawing instructions; these
// stop such a file long before memory or the time limit is at stake.
const (
	// MaxPDFStreamBytes caps the decompressed content and ToUnicode
	// streams read, over the whole document.
	MaxPDFStreamBytes = 16 << 20
	// MaxPDFChars caps the characters drawn, over the whole document.
	MaxPDFChars = 1 << 19
)

// pdfBudget counts what a document has cost so far against the limits
// above and the context's deadline.
type pdfBudget struct {
	ctx         context.Context
	streamBytes int64
	chars       int
	ops         int
}

// pdfAbort is panicked inside pdf.Interpret callbacks, the only way to stop
// the library's interpreter; pageGlyphs recovers it.
type pdfAbort struct{ err error }

// ctxReader fails reads once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// checkStream decompresses a stream (or an array of streams) into nothing
// before the library interprets it, counting its bytes against
// MaxPDFStreamBytes: the interpreter keeps whole tokens and everything a
// callback collects, so a bomb must be stopped before it runs. Read errors
// other than the deadline are left for the interpreter to report.
func (b *pdfBudget) checkStream(v pdf.Value) error {
	var parts []pdf.Value
	if v.Kind() == pdf.Array {
		for i := 0; i < v.Len(); i++ {
			parts = append(parts, v.Index(i))
		}
	} else {
		parts = []pdf.Value{v}
	}
	for _, part := range parts {
		if part.Kind() != pdf.Stream {
			continue
		}
		rd := part.Reader()
		n, err := io.Copy(io.Discard, io.LimitReader(ctxReader{b.ctx, rd}, MaxPDFStreamBytes-b.streamBytes+1))
		rd.Close()
		b.streamBytes += n
		if b.streamBytes > MaxPDFStreamBytes {
			return fmt.Errorf("%w: its pages decompress to more than %d MiB of drawing instructions, the most that is read", ErrNotReadablePDF, MaxPDFStreamBytes>>20)
		}
		if err != nil && b.ctx.Err() != nil {
			return fmt.Errorf("%w: gave up after the time limit: %w", ErrNotReadablePDF, b.ctx.Err())
		}
	}
	return nil
}

// addChars counts n more characters drawn; it stops the interpreter (with
// pdfAbort) past MaxPDFChars or once the context is done.
func (b *pdfBudget) addChars(n int) {
	b.chars += n
	if b.chars > MaxPDFChars {
		panic(pdfAbort{fmt.Errorf("%w: it draws more than %d characters, the most that is read", ErrNotReadablePDF, MaxPDFChars)})
	}
}

// tick is called for every operator; now and then it checks the context.
func (b *pdfBudget) tick() {
	b.ops++
	if b.ops%4096 == 0 && b.ctx.Err() != nil {
		panic(pdfAbort{fmt.Errorf("%w: gave up after the time limit: %w", ErrNotReadablePDF, b.ctx.Err())})
	}
}

// pdfGlyph is one character the PDF draws, in page space.
type pdfGlyph struct {
	s       string
	x, y, w float64
	size    float64
}

// pdfLine is one reconstructed line of text.
type pdfLine struct {
	text   string
	x0, x1 float64 // left and right edge
	y      float64 // baseline
	size   float64 // font size
	page   int
}

// ParsePDF extracts the text of a PDF article: paragraphs rebuilt from its
// lines (a blank gap, a page break, a change of font size, or a short line
// ending a sentence ends one; lines are joined with a space, after a
// hyphen with nothing, the hyphen kept), with page numbers and running
// headers (lines repeated on most pages) left out. Each line's characters
// are kept as extracted, only white space runs folded and ligature glyphs
// (ﬁ, ﬂ, …) spelled out. Title comes from the PDF's
// Info dictionary, else the first line; Author from Info; Language from the
// catalog's /Lang; Published from a date line near the top, if any (the
// file's creation date is not the article's).
//
// The PDF library panics on some corrupt files and cannot be interrupted,
// so the work runs in its own goroutine behind recover and returns when
// ctx is done or DefaultPDFTimeout passes, whichever is first; the
// goroutine stops at the next page boundary. Errors wrap ErrNotReadablePDF.
func ParsePDF(ctx context.Context, data []byte) (Document, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(data, "\x00\t\r\n "), []byte("%PDF-")) {
		return Document{}, fmt.Errorf("%w: no %%PDF header", ErrNotReadablePDF)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultPDFTimeout)
	defer cancel()

	type result struct {
		doc Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("%w: %v", ErrNotReadablePDF, p)}
			}
			done <- r
		}()
		r.doc, r.err = parsePDF(ctx, data)
	}()
	select {
	case r := <-done:
		return r.doc, r.err
	case <-ctx.Done():
		return Document{}, fmt.Errorf("%w: gave up after the time limit: %w", ErrNotReadablePDF, ctx.Err())
	}
}

func parsePDF(ctx context.Context, data []byte) (Document, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return Document{}, fmt.Errorf("%w: it is encrypted", ErrNotReadablePDF)
		}
		// The library's messages come from format strings: "missing %%EOF".
		return Document{}, fmt.Errorf("%w: %s", ErrNotReadablePDF, strings.ReplaceAll(err.Error(), "%%", "%"))
	}
	n := r.NumPage()
	switch {
	case n <= 0:
		return Document{}, fmt.Errorf("%w: no pages", ErrNotReadablePDF)
	case n > MaxPDFPages:
		return Document{}, fmt.Errorf("%w: %d pages; at most %d are read", ErrNotReadablePDF, n, MaxPDFPages)
	}

	var lines []pdfLine
	budget := &pdfBudget{ctx: ctx}
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return Document{}, fmt.Errorf("%w: gave up at page %d of %d: %w", ErrNotReadablePDF, i, n, err)
		}
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		glyphs, err := pageGlyphs(p, budget)
		if err != nil {
			return Document{}, err
		}
		lines = append(lines, pageLines(glyphs, i)...)
	}
	lines = dropPageFurniture(lines, n)
	paras := pdfParagraphs(lines)
	if len(paras) == 0 {
		return Document{}, fmt.Errorf("%w: no text found (a scanned or image-only PDF?)", ErrNotReadablePDF)
	}

	var doc Document
	info := r.Trailer().Key("Info")
	doc.Title = foldWhitespace(info.Key("Title").Text())
	doc.Author = cleanAuthorName(info.Key("Author").Text(), "")
	doc.Language = primaryLanguage(r.Trailer().Key("Root").Key("Lang").Text())
	if doc.Title == "" && len(lines) > 0 {
		doc.Title = lines[0].text
	}
	for i, l := range lines {
		if i >= 8 {
			break
		}
		if utf8.RuneCountInString(l.text) <= 60 {
			if d, ok := findFullDate(l.text); ok {
				doc.Published, doc.PublishedFrom = d, "date line"
				break
			}
		}
	}
	doc.Text, doc.Paragraphs = joinHTMLParagraphs(paras)
	return doc, nil
}

// pdfMatrix is a PDF transformation matrix [a b 0; c d 0; e f 1].
type pdfMatrix [3][3]float64

var pdfIdentity = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}

func (x pdfMatrix) mul(y pdfMatrix) pdfMatrix {
	var z pdfMatrix
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				z[i][j] += x[i][k] * y[k][j]
			}
		}
	}
	return z
}

func translate(tx, ty float64) pdfMatrix { return pdfMatrix{{1, 0, 0}, {0, 1, 0}, {tx, ty, 1}} }

// pdfFont caches what the text walker needs of a font.
type pdfFont struct {
	enc   pdf.TextEncoding
	first int
	width []float64
}

// pageGlyphs runs the page's content stream and returns every character
// drawn, with its position, advance and size. It is the library's
// Page.Content with word spacing (Tw) applied, which the library ignores:
// without it, positions drift right along justified lines and words run
// together or split. Every stream it interprets (the page's contents, each
// font's ToUnicode map) is first measured against the budget, and the
// characters drawn are counted; past a limit it returns an error.
func pageGlyphs(p pdf.Page, budget *pdfBudget) (out []pdfGlyph, err error) {
	strm := p.V.Key("Contents")
	if strm.Kind() == pdf.Null {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(pdfAbort)
			if !ok {
				panic(r)
			}
			out, err = nil, a.err
		}
	}()
	if err := budget.checkStream(strm); err != nil {
		return nil, err
	}
	type gstate struct {
		tc, tw, th, tl, tfs, trise float64
		font                       *pdfFont
		tm, tlm, ctm               pdfMatrix
	}
	fonts := map[string]*pdfFont{}
	fontFor := func(name string) *pdfFont {
		if f, ok := fonts[name]; ok {
			return f
		}
		pf := p.Font(name)
		if tu := pf.V.Key("ToUnicode"); tu.Kind() == pdf.Stream {
			if err := budget.checkStream(tu); err != nil {
				panic(pdfAbort{err})
			}
		}
		f := &pdfFont{enc: pf.Encoder(), first: pf.FirstChar(), width: pf.Widths()}
		fonts[name] = f
		return f
	}
	g := gstate{th: 1, ctm: pdfIdentity, tm: pdfIdentity, tlm: pdfIdentity}
	var stack []gstate

	show := func(raw string) {
		if g.font == nil || g.font.enc == nil {
			return
		}
		budget.addChars(len(raw)) // before decoding: a string can be megabytes
		decoded := []rune(g.font.enc.Decode(raw))
		for i, ch := range decoded {
			code := -1
			if len(decoded) == len(raw) {
				code = int(raw[i])
			} else if i < len(raw) {
				code = int(raw[i])
			}
			w0 := 0.0
			if k := code - g.font.first; code >= 0 && k >= 0 && k < len(g.font.width) {
				w0 = g.font.width[k]
			}
			trm := pdfMatrix{{g.tfs * g.th, 0, 0}, {0, g.tfs, 0}, {0, g.trise, 1}}.mul(g.tm).mul(g.ctm)
			size := math.Hypot(trm[1][0], trm[1][1])
			out = append(out, pdfGlyph{s: string(ch), x: trm[2][0], y: trm[2][1], w: w0 / 1000 * trm[0][0], size: size})
			tx := w0/1000*g.tfs + g.tc
			if code == ' ' && len(decoded) == len(raw) {
				tx += g.tw
			}
			g.tm = translate(tx*g.th, 0).mul(g.tm)
		}
	}
	nextLine := func() {
		g.tlm = translate(0, -g.tl).mul(g.tlm)
		g.tm = g.tlm
	}
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		budget.tick()
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 {
			if i < len(args) {
				return args[i].Float64()
			}
			return 0
		}
		mat := func() pdfMatrix {
			var m pdfMatrix
			for i := 0; i < 6; i++ {
				m[i/2][i%2] = num(i)
			}
			m[2][2] = 1
			return m
		}
		switch op {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, g)
			}
		case "Q":
			if n := len(stack); n > 0 {
				g, stack = stack[n-1], stack[:n-1]
			}
		case "cm":
			g.ctm = mat().mul(g.ctm)
		case "BT":
			g.tm, g.tlm = pdfIdentity, pdfIdentity
		case "Tc":
			g.tc = num(0)
		case "Tw":
			g.tw = num(0)
		case "Tz":
			g.th = num(0) / 100
		case "TL":
			g.tl = num(0)
		case "Ts":
			g.trise = num(0)
		case "Tf":
			if len(args) == 2 {
				g.font = fontFor(args[0].Name())
				g.tfs = num(1)
			}
		case "TD":
			g.tl = -num(1)
			g.tlm = translate(num(0), num(1)).mul(g.tlm)
			g.tm = g.tlm
		case "Td":
			g.tlm = translate(num(0), num(1)).mul(g.tlm)
			g.tm = g.tlm
		case "Tm":
			g.tm = mat()
			g.tlm = g.tm
		case "T*":
			nextLine()
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "'":
			nextLine()
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "\"":
			if len(args) == 3 {
				g.tw, g.tc = num(0), num(1)
				nextLine()
				show(args[2].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			v := args[0]
			for i := 0; i < v.Len(); i++ {
				x := v.Index(i)
				if x.Kind() == pdf.String {
					show(x.RawString())
				} else {
					g.tm = translate(-x.Float64()/1000*g.tfs*g.th, 0).mul(g.tm)
				}
			}
		}
	})
	return out, nil
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

// pdfParagraphs joins lines into paragraphs.
func pdfParagraphs(lines []pdfLine) []string {
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

	var paras []string
	var cur strings.Builder
	flush := func() {
		if t := foldWhitespace(cur.String()); t != "" {
			paras = append(paras, t)
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
		cur.WriteString(l.text)
	}
	flush()
	return paras
}

// pdfLigatures spells out the typographic ligatures fonts draw as one
// glyph ("ﬁ" in "ofﬁce"): the letters are the article's, the glyph is
// the typesetter's, and search would not find "office" otherwise.
var pdfLigatures = strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl", "\ufb05", "st", "\ufb06", "st")

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func median(v []float64) float64 { return percentile(v, 0.5) }

func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(p*float64(len(s)-1))]
}
