package corpus

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseText checks ParseText on any bytes: it never panics; input that is
// not UTF-8 text is refused with ErrNotText and text never is; and a document
// it returns keeps Document's promises, with every paragraph a byte-for-byte
// copy of part of the input (after CRLF → LF), trimmed and without a blank
// line, and a title.
// Seeds: testdata/fuzz/FuzzParseText.
func FuzzParseText(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseText(data)
		body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		isText := utf8.Valid(body) && bytes.IndexByte(body, 0) < 0
		switch {
		case !isText:
			if !errors.Is(err, ErrNotText) {
				t.Fatalf("input that is not UTF-8 text: err = %v, want ErrNotText", err)
			}
			return
		case errors.Is(err, ErrEmpty):
			return
		case err != nil:
			t.Fatalf("UTF-8 text refused: %v", err)
		}
		checkDocument(t, doc)
		input := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(body))
		for i, p := range doc.Paragraphs {
			para := doc.Text[p.Start:p.End]
			if para != strings.TrimSpace(para) {
				t.Errorf("paragraph %d is not trimmed: %q", i, para)
			}
			if !strings.Contains(input, para) {
				t.Errorf("paragraph %d is not a copy of the input: %q", i, para)
			}
			for _, line := range strings.Split(para, "\n") {
				if strings.TrimSpace(line) == "" {
					t.Errorf("paragraph %d holds a blank line: %q", i, para)
				}
			}
		}
		if strings.TrimSpace(doc.Title) == "" {
			t.Errorf("no title for a document with text %q", doc.Text)
		}
	})
}
