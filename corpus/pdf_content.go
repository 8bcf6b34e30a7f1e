package corpus

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/ledongthuc/pdf"
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
