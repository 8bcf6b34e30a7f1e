package corpus

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkDocument fails t unless doc keeps the promises of Document that every
// parser shares: its text and metadata are valid UTF-8, and its paragraphs
// are non-empty, in order, cut on rune boundaries, hold more than white
// space, and are exactly the text joined with "\n\n" — so splitting Text at
// its blank lines gives the paragraphs back.
func checkDocument(t *testing.T, doc Document) {
	t.Helper()
	for name, v := range map[string]string{"Text": doc.Text, "Title": doc.Title, "Outlet": doc.Outlet,
		"Author": doc.Author, "Published": doc.Published, "PublishedFrom": doc.PublishedFrom,
		"Language": doc.Language, "URL": doc.URL} {
		if !utf8.ValidString(v) {
			t.Errorf("%s is not valid UTF-8: %q", name, v)
		}
	}
	if len(doc.Paragraphs) == 0 {
		t.Fatalf("a document without paragraphs was returned without an error: %q", doc.Text)
	}
	pos := 0
	for i, p := range doc.Paragraphs {
		sep := "\n\n"
		if i == 0 {
			sep = ""
		}
		if p.Start != pos+len(sep) || p.End <= p.Start || p.End > len(doc.Text) {
			t.Fatalf("paragraph %d %v does not follow the one before (ending at %d) in %d bytes of text", i, p, pos, len(doc.Text))
		}
		if doc.Text[pos:p.Start] != sep {
			t.Fatalf("paragraph %d is preceded by %q, want %q", i, doc.Text[pos:p.Start], sep)
		}
		para := doc.Text[p.Start:p.End]
		if !utf8.RuneStart(doc.Text[p.Start]) || (p.End < len(doc.Text) && !utf8.RuneStart(doc.Text[p.End])) {
			t.Fatalf("paragraph %d %v cuts a character", i, p)
		}
		if strings.TrimSpace(para) == "" {
			t.Fatalf("paragraph %d is only white space: %q", i, para)
		}
		if strings.Contains(para, "\n\n") {
			t.Fatalf("paragraph %d holds a paragraph break: %q", i, para)
		}
		pos = p.End
	}
	if pos != len(doc.Text) {
		t.Fatalf("text goes on after the last paragraph: %q", doc.Text[pos:])
	}
}
