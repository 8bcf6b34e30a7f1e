package corpus

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/ledongthuc/pdf"
)

// pdfBudget counts what a document has cost so far against
// MaxPDFStreamBytes, MaxPDFChars and the context's deadline.
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

// Read reads from the underlying reader, or fails with ctx's error once
// ctx is done.
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

// pdfMatrix is a PDF transformation matrix [a b 0; c d 0; e f 1].
type pdfMatrix [3][3]float64

// pdfIdentity is the identity matrix.
var pdfIdentity = pdfMatrix{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}

// mul is the matrix product x×y: x's transformation, then y's.
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

// translate is the matrix that moves by (tx, ty).
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
	w := &pdfPageWalker{
		page:   p,
		budget: budget,
		fonts:  map[string]*pdfFont{},
		g:      pdfTextState{th: 1, ctm: pdfIdentity, tm: pdfIdentity, tlm: pdfIdentity},
	}
	pdf.Interpret(strm, w.do)
	return w.out, nil
}

// pdfTextState is the part of the graphics state that places text (PDF
// 32000-1, 9.3 and 9.4): character and word spacing (Tc, Tw), horizontal
// scaling (Th, a fraction), leading (Tl), font and size (Tfs), rise, and
// the text, text-line and current transformation matrices.
type pdfTextState struct {
	tc, tw, th, tl, tfs, trise float64
	font                       *pdfFont
	tm, tlm, ctm               pdfMatrix
}

// pdfPageWalker interprets one page's content stream for pageGlyphs: it
// keeps the text state, the states saved by q, the page's fonts as used so
// far, and the glyphs drawn.
type pdfPageWalker struct {
	page   pdf.Page
	budget *pdfBudget
	fonts  map[string]*pdfFont
	g      pdfTextState
	stack  []pdfTextState
	out    []pdfGlyph
}

// pdfArgs are an operator's operands, in order.
type pdfArgs []pdf.Value

// num is operand i as a number; 0 when there is none.
func (a pdfArgs) num(i int) float64 {
	if i < len(a) {
		return a[i].Float64()
	}
	return 0
}

// matrix reads the six operands a b c d e f as a matrix.
func (a pdfArgs) matrix() pdfMatrix {
	var m pdfMatrix
	for i := 0; i < 6; i++ {
		m[i/2][i%2] = a.num(i)
	}
	m[2][2] = 1
	return m
}

// do runs one operator of the content stream (the callback of
// pdf.Interpret): it takes the operands off the stack, then changes the
// text state or draws text. Operators that do neither are ignored.
func (w *pdfPageWalker) do(stk *pdf.Stack, op string) {
	w.budget.tick()
	args := make(pdfArgs, stk.Len())
	for i := len(args) - 1; i >= 0; i-- {
		args[i] = stk.Pop()
	}
	g := &w.g
	switch op {
	case "q":
		if len(w.stack) < 256 {
			w.stack = append(w.stack, *g)
		}
	case "Q":
		if n := len(w.stack); n > 0 {
			*g, w.stack = w.stack[n-1], w.stack[:n-1]
		}
	case "cm":
		g.ctm = args.matrix().mul(g.ctm)
	case "BT":
		g.tm, g.tlm = pdfIdentity, pdfIdentity
	case "Tc":
		g.tc = args.num(0)
	case "Tw":
		g.tw = args.num(0)
	case "Tz":
		g.th = args.num(0) / 100
	case "TL":
		g.tl = args.num(0)
	case "Ts":
		g.trise = args.num(0)
	case "Tf":
		if len(args) == 2 {
			g.font = w.font(args[0].Name())
			g.tfs = args.num(1)
		}
	case "TD":
		g.tl = -args.num(1)
		g.tlm = translate(args.num(0), args.num(1)).mul(g.tlm)
		g.tm = g.tlm
	case "Td":
		g.tlm = translate(args.num(0), args.num(1)).mul(g.tlm)
		g.tm = g.tlm
	case "Tm":
		g.tm = args.matrix()
		g.tlm = g.tm
	case "T*":
		w.nextLine()
	case "Tj", "'", "\"", "TJ":
		w.showOp(op, args)
	}
}

// showOp runs the text-showing operators: Tj shows a string, ' moves to
// the next line first, " also sets word and character spacing, and TJ
// shows strings with adjustments of position between them.
func (w *pdfPageWalker) showOp(op string, args pdfArgs) {
	g := &w.g
	switch op {
	case "Tj":
		if len(args) == 1 {
			w.show(args[0].RawString())
		}
	case "'":
		w.nextLine()
		if len(args) == 1 {
			w.show(args[0].RawString())
		}
	case "\"":
		if len(args) == 3 {
			g.tw, g.tc = args.num(0), args.num(1)
			w.nextLine()
			w.show(args[2].RawString())
		}
	case "TJ":
		if len(args) != 1 {
			return
		}
		v := args[0]
		for i := 0; i < v.Len(); i++ {
			x := v.Index(i)
			if x.Kind() == pdf.String {
				w.show(x.RawString())
			} else {
				g.tm = translate(-x.Float64()/1000*g.tfs*g.th, 0).mul(g.tm)
			}
		}
	}
}

// font returns the page's font called name, read on first use: its
// ToUnicode map is measured against the budget first (stopping the
// interpreter past it), then its encoding and widths are kept.
func (w *pdfPageWalker) font(name string) *pdfFont {
	if f, ok := w.fonts[name]; ok {
		return f
	}
	pf := w.page.Font(name)
	if tu := pf.V.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		if err := w.budget.checkStream(tu); err != nil {
			panic(pdfAbort{err})
		}
	}
	f := &pdfFont{enc: pf.Encoder(), first: pf.FirstChar(), width: pf.Widths()}
	w.fonts[name] = f
	return f
}

// nextLine moves to the start of the next line, Tl below this one's.
func (w *pdfPageWalker) nextLine() {
	w.g.tlm = translate(0, -w.g.tl).mul(w.g.tlm)
	w.g.tm = w.g.tlm
}

// show draws the string raw in the current font: each character decoded
// becomes a glyph placed by the text state, and the text matrix advances
// by its width, the character spacing and, for a single-byte space, the
// word spacing. With no font or no encoding nothing is drawn.
func (w *pdfPageWalker) show(raw string) {
	g := &w.g
	if g.font == nil || g.font.enc == nil {
		return
	}
	w.budget.addChars(len(raw)) // before decoding: a string can be megabytes
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
		w.out = append(w.out, pdfGlyph{s: string(ch), x: trm[2][0], y: trm[2][1], w: w0 / 1000 * trm[0][0], size: size})
		tx := w0/1000*g.tfs + g.tc
		if code == ' ' && len(decoded) == len(raw) {
			tx += g.tw
		}
		g.tm = translate(tx*g.th, 0).mul(g.tm)
	}
}
