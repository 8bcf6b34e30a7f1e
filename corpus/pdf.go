package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
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

// ParsePDF extracts the text of a PDF article: paragraphs rebuilt from its
// lines (a blank gap, a page break, a change of font size, or a short line
// ending a sentence ends one; lines are joined with a space, after a
// hyphen with nothing, the hyphen kept), with page numbers and running
// headers (lines repeated on most pages) left out. Each line's characters
// are kept as extracted, only white space runs folded and ligature glyphs
// (ﬁ, ﬂ, …) spelled out. The headline (the first lines set larger than the
// body, or a short first line ending no sentence, before prose) and a
// byline or date line under it are not part of the text. Title comes from
// the PDF's Info dictionary, else the headline, else the first line;
// Author from Info; Language from the
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

// parsePDF is ParsePDF's work, run behind its recover and time limit: it
// reads every page's lines under one budget, drops page furniture, joins
// paragraphs, and takes the metadata.
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
	sizes := make([]float64, len(lines))
	for i, l := range lines {
		sizes[i] = l.size
	}
	headline, paras := takePDFHeadline(pdfParagraphs(lines), median(sizes))
	if len(paras) == 0 {
		return Document{}, fmt.Errorf("%w: no text found (a scanned or image-only PDF?)", ErrNotReadablePDF)
	}

	var doc Document
	info := r.Trailer().Key("Info")
	doc.Title = foldWhitespace(info.Key("Title").Text())
	doc.Author = cleanAuthorName(info.Key("Author").Text(), "")
	doc.Language = primaryLanguage(r.Trailer().Key("Root").Key("Lang").Text())
	if doc.Title == "" {
		doc.Title = headline
	}
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
	texts := make([]string, len(paras))
	for i, p := range paras {
		texts[i] = p.text
	}
	doc.Text, doc.Paragraphs = joinHTMLParagraphs(texts)
	return doc, nil
}
