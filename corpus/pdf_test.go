package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPDF builds a small PDF by hand: objects, a cross-reference table with
// exact offsets, Helvetica with approximate widths. Each page is a list of
// lines drawn 14 pt apart from the top; an empty line leaves a blank gap.
type testPDF struct {
	title string     // Info /Title, omitted when empty
	pages [][]string // lines per page
	// bigLines of the first page's first lines are drawn at 18 pt, 22 pt
	// apart: a headline set larger.
	bigLines int
}

func (p testPDF) bytes() []byte {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("") // filled in below
	pagesObj := add("")
	widths := make([]string, 95)
	for i := range widths {
		widths[i] = "556"
		if i == 0 {
			widths[i] = "278"
		}
	}
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 126 /Widths [" + strings.Join(widths, " ") + "] >>")
	var kids []string
	for pi, lines := range p.pages {
		var cs strings.Builder
		y := 740
		for i, l := range lines {
			size, step := 12, 14
			if pi == 0 && i < p.bigLines {
				size, step = 18, 22
			}
			if l != "" {
				fmt.Fprintf(&cs, "BT /F1 %d Tf 72 %d Td (%s) Tj ET\n", size, y, pdfEscape(l))
			}
			y -= step
		}
		content := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", cs.Len(), cs.String()))
		page := add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", pagesObj, font, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Lang (en-GB) >>", pagesObj)
	objs[pagesObj-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	info := 0
	if p.title != "" {
		info = add(fmt.Sprintf("<< /Title (%s) /Author (Test Author) >>", pdfEscape(p.title)))
	}
	return assemblePDF(objs, catalog, info)
}

func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
}

// assemblePDF writes objects 1..n, the xref table and the trailer.
func assemblePDF(objs []string, root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	trailer := fmt.Sprintf("/Size %d /Root %d 0 R", len(objs)+1, root)
	if info > 0 {
		trailer += fmt.Sprintf(" /Info %d 0 R", info)
	}
	fmt.Fprintf(&b, "trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n", trailer, xref)
	return b.Bytes()
}

// treePDF is a PDF whose page tree doubles at each of depth levels, every
// node naming the same child twice: 2^depth pages in a few hundred bytes
// plus one shared content stream of glyphs Tj operations.
func treePDF(depth, glyphs int) []byte {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("")
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	var cs strings.Builder
	for i := 0; i < glyphs; i++ {
		fmt.Fprintf(&cs, "BT /F1 10 Tf %d %d Td (Word number %d of the page.) Tj ET\n", 72, 700-(i%60)*11, i)
	}
	content := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", cs.Len(), cs.String()))
	page := add(fmt.Sprintf("<< /Type /Page /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", font, content))
	child := page
	for level := 1; level <= depth; level++ {
		child = add(fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count %d >>", child, child, 1<<level))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", child)
	return assemblePDF(objs, catalog, 0)
}

func paragraphSet(doc Document) map[string]bool {
	m := map[string]bool{}
	for _, sp := range doc.Paragraphs {
		m[doc.Text[sp.Start:sp.End]] = true
	}
	return m
}

func TestParsePDFGhostscript(t *testing.T) {
	// Made with groff -Tps and Ghostscript's pdfwrite from
	// testdata/pdf/kremlin_groff_gs.tr: justified, hyphenated, kerned
	// text in subset fonts with ligatures.
	data, err := os.ReadFile(filepath.Join("testdata", "pdf", "kremlin_groff_gs.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Kremlin rejects US intelligence report on election interference" || doc.Author != "Irina Volkova" {
		t.Errorf("Title %q Author %q", doc.Title, doc.Author)
	}
	if doc.Published != "2021-03-17" || doc.PublishedFrom != "date line" {
		t.Errorf("Published %q from %q", doc.Published, doc.PublishedFrom)
	}
	if first := doc.Text[doc.Paragraphs[0].Start:doc.Paragraphs[0].End]; !strings.HasPrefix(first, "MOSCOW, March 17.") {
		t.Errorf("¶1 = %q, want the dateline's paragraph (headline and byline are not text)", first)
	}
	paras := paragraphSet(doc)
	for _, want := range []string{
		"MOSCOW, March 17. The Kremlin on Wednesday rejected a US intelligence report that accused Moscow of trying to sway the 2020 presidential election, calling its conclusions groundless and saying that Russia had never interfered in the internal affairs of other countries.",
		// groff hyphenated "Rus-sia" at a line end; the hyphen is kept.
		"“We do not agree with the conclusions of this report,” a Kremlin spokesman told reporters. “Rus-sia did not interfere in the previous elections and is not interfering now.”",
		"The spokesman said such accusations were being used as a pretext for new sanctions, and that Moscow would respond if measures were taken against it.",
	} {
		if !paras[want] {
			t.Errorf("paragraph missing: %q", want)
		}
	}
	// The "ﬁ" ligature glyph is spelled out.
	if !strings.Contains(doc.Text, "Office of the Director") || strings.ContainsRune(doc.Text, '\ufb01') {
		t.Errorf("ligatures not spelled out")
	}
	checkDocumentText(t, doc)
	if t.Failed() {
		t.Logf("Text:\n%s", doc.Text)
	}
}

func TestParsePDFGenerated(t *testing.T) {
	header := "THE VALLEY COURIER — WEEKEND EDITION"
	p := testPDF{pages: [][]string{
		{header, "Council approves shared election data portal", "", "The county council voted on Tuesday to publish", "precinct results in a single open dataset.", "", "Six newsrooms will check the figures before", "", "3"},
		{header, "each release, the clerk said, and corrections", "will be logged in public.", "", "4"},
		{header, "Other counties have asked for the code.", "", "5"},
	}}
	doc, err := ParsePDF(context.Background(), p.bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ // the headline is the title, not the first paragraph
		"The county council voted on Tuesday to publish precinct results in a single open dataset.",
		"Six newsrooms will check the figures before each release, the clerk said, and corrections will be logged in public.",
		"Other counties have asked for the code.",
	}
	var got []string
	for _, sp := range doc.Paragraphs {
		got = append(got, doc.Text[sp.Start:sp.End])
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("paragraphs:\n got %q\nwant %q", got, want)
	}
	if doc.Title != "Council approves shared election data portal" {
		t.Errorf("Title = %q (no Info title: first line after the running header)", doc.Title)
	}
	if doc.Language != "en" {
		t.Errorf("Language = %q", doc.Language)
	}
	checkDocumentText(t, doc)

	p.title = "Portal vote"
	if doc, err := ParsePDF(context.Background(), p.bytes()); err != nil || doc.Title != "Portal vote" || doc.Author != "Test Author" {
		t.Errorf("with Info: Title %q Author %q err %v", doc.Title, doc.Author, err)
	}
}

func TestParsePDFRejects(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "pdf", "kremlin_groff_gs.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := os.ReadFile(filepath.Join("testdata", "pdf", "encrypted_user_password.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 32<<10)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	corruptXref := bytes.Replace(testPDF{pages: [][]string{{"Some text here."}}}.bytes(), []byte("xref"), []byte("xrex"), 1)
	mangled := append([]byte(nil), good...)
	for i := 2000; i < len(mangled)-2000; i += 97 {
		mangled[i] ^= 0x5a
	}
	inputs := map[string][]byte{
		"empty":                 nil,
		"random bytes":          random,
		"random after header":   append([]byte("%PDF-1.7\n"), random...),
		"truncated (first 40%)": good[:len(good)*4/10],
		"truncated (last 40%)":  append([]byte("%PDF-1.4\n"), good[len(good)*6/10:]...),
		"corrupt xref":          corruptXref,
		"bytes flipped":         mangled,
		"encrypted":             encrypted,
		"html":                  []byte("<html><body><p>Not a PDF.</p></body></html>"),
		"image only":            testPDF{pages: [][]string{{}, {}}}.bytes(),
		"no pages":              assemblePDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}, 1, 0),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			doc, err := ParsePDF(context.Background(), in)
			if err == nil {
				t.Fatalf("ParsePDF succeeded: %.100q", doc.Text)
			}
			if !errors.Is(err, ErrNotReadablePDF) {
				t.Errorf("err = %v, want ErrNotReadablePDF", err)
			}
			if !strings.HasPrefix(err.Error(), "not a readable PDF: ") {
				t.Errorf("err = %q", err)
			}
			t.Logf("error: %v", err)
		})
	}
}

func TestParsePDFHugePageCount(t *testing.T) {
	// 2^20 pages claimed in under 2 KB: refused from the page count.
	start := time.Now()
	_, err := ParsePDF(context.Background(), treePDF(20, 1))
	if !errors.Is(err, ErrNotReadablePDF) || !strings.Contains(err.Error(), "1048576 pages") {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestParsePDFDeadline(t *testing.T) {
	// 512 pages sharing one heavy content stream: far more work than the
	// deadline allows, so ParsePDF must return when the context expires.
	// Reaching the character budget instead takes about 200 ms on an idle
	// machine, so the deadline is well under that.
	data := treePDF(9, 3000)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ParsePDF(ctx, data)
	took := time.Since(start)
	if !errors.Is(err, ErrNotReadablePDF) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if took > 1500*time.Millisecond {
		t.Errorf("returned after %s, deadline was 40ms", took)
	}
	t.Logf("error after %s: %v", took, err)
}

func TestParsePDFMutationsNeverPanic(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "pdf", "kremlin_groff_gs.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 150; i++ {
		m := append([]byte(nil), good...)
		for j := 0; j < 1+rng.IntN(20); j++ {
			m[9+rng.IntN(len(m)-9)] = byte(rng.UintN(256))
		}
		if i%3 == 0 {
			m = m[:9+rng.IntN(len(m)-9)]
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := ParsePDF(ctx, m)
		cancel()
		if err != nil && !errors.Is(err, ErrNotReadablePDF) {
			t.Fatalf("mutation %d: %v", i, err)
		}
	}
}

// TestParsePDFHeadlineIsTitle: a PDF's headline was its first paragraph,
// and so the top quote for any question sharing its words. A headline (the
// first lines set larger, or a first short line with no sentence end
// before prose) is taken as the title and left out of the text; so is a
// byline or date line under it. Prose at the top stays.
func TestParsePDFHeadlineIsTitle(t *testing.T) {
	body := []string{"", "The county council voted on Tuesday to publish", "precinct results in a single open dataset.", "",
		"Six newsrooms will check the figures before each", "release, the clerk said, and corrections will be",
		"logged in public for anyone to read and check."}
	tests := []struct {
		name      string
		pdf       testPDF
		title     string
		firstPara string
	}{
		{"headline set larger, two lines",
			testPDF{pages: [][]string{append([]string{"Council approves shared", "election data portal"}, body...)}, bigLines: 2},
			"Council approves shared election data portal", "The county council voted on Tuesday to publish precinct results in a single open dataset."},
		{"headline set larger, then a byline and date",
			testPDF{pages: [][]string{append([]string{"Council approves data portal", "", "By Jane Doe", "17 March 2021"}, body...)}, bigLines: 1},
			"Council approves data portal", "The county council voted on Tuesday to publish precinct results in a single open dataset."},
		{"short first line without a sentence end",
			testPDF{pages: [][]string{append([]string{"Council approves data portal"}, body...)}},
			"Council approves data portal", "The county council voted on Tuesday to publish precinct results in a single open dataset."},
		{"Info title, and the headline still out of the text",
			testPDF{title: "Portal vote", pages: [][]string{append([]string{"Council approves data portal"}, body...)}, bigLines: 1},
			"Portal vote", "The county council voted on Tuesday to publish precinct results in a single open dataset."},
		{"prose from the first line",
			testPDF{pages: [][]string{body[1:]}},
			"The county council voted on Tuesday to publish", "The county council voted on Tuesday to publish precinct results in a single open dataset."},
		{"a short first sentence is prose",
			testPDF{pages: [][]string{append([]string{"The council voted."}, body...)}},
			"The council voted.", "The council voted."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParsePDF(context.Background(), tc.pdf.bytes())
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tc.title {
				t.Errorf("Title = %q, want %q", doc.Title, tc.title)
			}
			if got := doc.Text[doc.Paragraphs[0].Start:doc.Paragraphs[0].End]; got != tc.firstPara {
				t.Errorf("¶1 = %q, want %q", got, tc.firstPara)
			}
			checkDocumentText(t, doc)
		})
	}
}
