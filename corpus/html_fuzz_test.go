package corpus

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// Markers the fuzz target puts where no reader sees them: in a comment, a
// script, a style sheet, a template, and a hidden element.
var hiddenMarkers = []string{"zqcommentqz", "zqscriptqz", "zqstyleqz", "zqtemplateqz", "zqhiddenqz"}

// withHiddenMarkers returns the page with a marker in each place a reader
// never sees: before it, a comment, a script and a style sheet; after it, a
// template and a hidden paragraph.
func withHiddenMarkers(page []byte) []byte {
	var b bytes.Buffer
	b.WriteString("<!-- zqcommentqz --><script>var zqscriptqz = 1;</script><style>.zqstyleqz{}</style>")
	b.Write(page)
	b.WriteString(`<template><p>zqtemplateqz is a template, never shown to anyone.</p></template>`)
	b.WriteString(`<p hidden>zqhiddenqz is a paragraph that is hidden from every reader.</p>`)
	return b.Bytes()
}

// textLessThan matches a "<" that the HTML tokenizer reads as text: one not
// followed by a letter, "/", "!" or "?" (which start a tag, an end tag or a
// comment). A page without one has no "<" in its text but by a character
// reference ("&lt;") or inside raw-text elements, which may hold "<b>" as
// text; ParseHTML skips all of those but the ones rawText names.
var (
	textLessThan = regexp.MustCompile(`<(?:[^A-Za-z/!?]|$)`)
	rawText      = regexp.MustCompile(`(?i)<(?:xmp|plaintext|noembed|noframes)|&`)
)

// FuzzParseHTML checks ParseHTML on any bytes: it never panics and ends;
// errors wrap ErrNotHTML or ErrNoArticle; a document keeps Document's
// promises, and each paragraph is one line of folded text (single spaces,
// none at the ends) with a letter in it. Nothing a reader never sees — a
// comment, script, style, template or hidden element — is extracted, and
// no tag or comment of the page's markup reaches the text.
// Seeds: testdata/fuzz/FuzzParseHTML.
func FuzzParseHTML(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		page := withHiddenMarkers(data)
		doc, err := ParseHTML(page, "https://example.com/news/a")
		if err != nil {
			if !errors.Is(err, ErrNotHTML) && !errors.Is(err, ErrNoArticle) {
				t.Fatalf("error wraps neither ErrNotHTML nor ErrNoArticle: %v", err)
			}
			return
		}
		checkDocument(t, doc)
		for i, p := range doc.Paragraphs {
			para := doc.Text[p.Start:p.End]
			if para != strings.TrimSpace(para) || strings.Contains(para, "  ") ||
				strings.ContainsFunc(para, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) {
				t.Errorf("paragraph %d is not folded white space: %q", i, para)
			}
			if !hasLetter(para) {
				t.Errorf("paragraph %d has no letter: %q", i, para)
			}
		}
		src := decodeHTML(page)
		for _, m := range hiddenMarkers {
			if strings.Contains(doc.Text, m) && onlyUnseen(t, src, m) {
				t.Errorf("marker %s, which no reader sees, was extracted:\n%s", m, doc.Text)
			}
		}
		if !textLessThan.Match(src) && !rawText.Match(src) {
			if i := strings.IndexByte(doc.Text, '<'); i >= 0 {
				t.Errorf("markup in the text at %d: %q", i, doc.Text[max(0, i-20):min(len(doc.Text), i+20)])
			}
		}
	})
}

// onlyUnseen reports whether every occurrence of marker in the page, as the
// HTML parser reads it, is in a comment, an attribute, or text inside an
// element that ParseHTML skips or that is hidden: then extracting it is a
// fault of ParseHTML, not of a page that (say) left a <textarea> open.
func onlyUnseen(t *testing.T, src []byte, marker string) bool {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		return false
	}
	unseen := true
	var walk func(n *html.Node, hidden bool)
	walk = func(n *html.Node, hidden bool) {
		if n.Type == html.ElementNode && (skipAtoms[n.DataAtom] || isHiddenNode(n)) {
			hidden = true
		}
		if n.Type == html.TextNode && !hidden && strings.Contains(n.Data, marker) {
			unseen = false
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, hidden)
		}
	}
	walk(root, false)
	return unseen
}
