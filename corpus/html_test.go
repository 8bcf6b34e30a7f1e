package corpus

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

func TestParseHTMLPages(t *testing.T) {
	for _, tc := range htmlCases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "html", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ParseHTML(data, tc.url)
			if err != nil {
				t.Fatalf("ParseHTML: %v", err)
			}
			for _, f := range []struct{ name, got, want string }{
				{"Title", doc.Title, tc.title},
				{"Outlet", doc.Outlet, tc.outlet},
				{"Author", doc.Author, tc.author},
				{"Published", doc.Published, tc.published},
				{"Language", doc.Language, tc.language},
				{"URL", doc.URL, tc.canonical},
			} {
				if f.got != f.want {
					t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
				}
			}
			if tc.publishedFrom != "" && doc.PublishedFrom != tc.publishedFrom {
				t.Errorf("PublishedFrom = %q, want %q", doc.PublishedFrom, tc.publishedFrom)
			}
			if tc.published == "" && doc.PublishedFrom != "" {
				t.Errorf("PublishedFrom = %q with no date", doc.PublishedFrom)
			}
			paras := make(map[string]bool)
			for _, sp := range doc.Paragraphs {
				paras[doc.Text[sp.Start:sp.End]] = true
			}
			for _, s := range tc.include {
				if !paras[s] {
					t.Errorf("paragraph missing: %q", s)
				}
			}
			for _, s := range tc.exclude {
				if strings.Contains(doc.Text, s) {
					t.Errorf("Text contains %q", s)
				}
			}
			checkDocumentText(t, doc)
			checkVisible(t, data, doc)
			if t.Failed() {
				t.Logf("Text:\n%s", doc.Text)
			}
		})
	}
}

// checkDocumentText checks Document's rule: paragraphs joined by "\n\n",
// spans exact, no paragraph empty or holding a line break or edge space.
func checkDocumentText(t *testing.T, doc Document) {
	t.Helper()
	if len(doc.Paragraphs) == 0 {
		t.Fatal("no paragraphs")
	}
	var parts []string
	prevEnd := -2
	for i, sp := range doc.Paragraphs {
		if sp.Start < 0 || sp.End > len(doc.Text) || sp.Start >= sp.End {
			t.Fatalf("paragraph %d span %+v out of range", i, sp)
		}
		if sp.Start != prevEnd+2 {
			t.Errorf("paragraph %d starts at %d, want %d", i, sp.Start, prevEnd+2)
		}
		prevEnd = sp.End
		p := doc.Text[sp.Start:sp.End]
		if strings.ContainsAny(p, "\n\r\t") || p != strings.TrimSpace(p) || strings.Contains(p, "  ") {
			t.Errorf("paragraph %d not folded: %q", i, p)
		}
		parts = append(parts, p)
	}
	if joined := strings.Join(parts, "\n\n"); joined != doc.Text {
		t.Errorf("Text is not its paragraphs joined by blank lines")
	}
}

// checkVisible checks every paragraph is in the page's visible text (all
// text outside scripts, styles and <head>, blocks separated by a space),
// after folding white space: nothing was reworded, only cut.
func checkVisible(t *testing.T, page []byte, doc Document) {
	t.Helper()
	vis := visibleText(t, page)
	for i, sp := range doc.Paragraphs {
		if p := doc.Text[sp.Start:sp.End]; !strings.Contains(vis, p) {
			t.Errorf("paragraph %d is not in the page's visible text: %q", i, p)
		}
	}
}

func visibleText(t *testing.T, page []byte) string {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(decodeHTML(page)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "noscript", "template", "head":
				return
			case "br":
				b.WriteByte(' ')
			case "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "section", "article",
				"header", "footer", "nav", "aside", "figure", "figcaption", "blockquote", "ul", "ol", "main":
				b.WriteByte(' ')
				defer b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return strings.Join(strings.FieldsFunc(b.String(), unicode.IsSpace), " ")
}

func TestParseHTMLRejectsJunk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	deep := strings.Repeat("<div>", 20000) + "<p>Deep text that is nested far too far to be an article, really.</p>" + strings.Repeat("</div>", 20000)
	inputs := map[string][]byte{
		"nil":            nil,
		"empty":          {},
		"spaces":         []byte(" \n\t "),
		"random bytes":   random,
		"nul bytes":      make([]byte, 4096),
		"empty html":     []byte("<html><head><title>x</title></head><body></body></html>"),
		"only nav":       []byte(`<html><body><nav><a href="/a">Home</a> <a href="/b">World</a></nav><footer>© 2019 Example</footer></body></html>`),
		"only script":    []byte(`<html><body><script>var a = "lots of text in a script, which is not an article at all.";</script></body></html>`),
		"pdf":            []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
		"plain text":     []byte("Just a line of plain text, which is not a web page at all, though long enough."),
		"utf-16 junk":    []byte("\xff\xfe<\x00p\x00>\x00\x00\x00\x01\x00\x02\x00"),
		"unclosed":       []byte("<html><body><div><p"),
		"broken json-ld": []byte(`<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": </script></head><body><nav>x</nav></body></html>`),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			doc, err := ParseHTML(in, "https://example.com/a")
			if err == nil {
				t.Fatalf("ParseHTML succeeded: %d paragraphs, %.80q", len(doc.Paragraphs), doc.Text)
			}
			if !errors.Is(err, ErrNoArticle) && !errors.Is(err, ErrNotHTML) {
				t.Errorf("err = %v, want ErrNoArticle or ErrNotHTML", err)
			}
			t.Logf("error: %v", err)
		})
	}
	// Deep nesting must neither panic nor hang; whatever it returns is fine.
	if _, err := ParseHTML([]byte(deep), ""); err != nil && !errors.Is(err, ErrNoArticle) && !errors.Is(err, ErrNotHTML) {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestParseHTMLMinimalPage(t *testing.T) {
	page := `<p>Only one paragraph of text, with no markup around it at all.</p>`
	doc, err := ParseHTML([]byte(page), "https://news.example.org/x")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Text != "Only one paragraph of text, with no markup around it at all." {
		t.Errorf("Text = %q", doc.Text)
	}
	if doc.URL != "https://news.example.org/x" || doc.Outlet != "news.example.org" {
		t.Errorf("URL %q Outlet %q", doc.URL, doc.Outlet)
	}
}

func TestParseHTMLMutationsNeverPanic(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "html", "article_full.html"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200; i++ {
		m := append([]byte(nil), page...)
		for j := 0; j < 1+rng.IntN(30); j++ {
			const junk = "<>/\"'=&;p \x00\xff"
			m[rng.IntN(len(m))] = junk[rng.IntN(len(junk))]
		}
		if i%4 == 0 {
			m = m[:rng.IntN(len(m))]
		}
		doc, err := ParseHTML(m, "https://example.com/")
		if err != nil {
			if !errors.Is(err, ErrNoArticle) && !errors.Is(err, ErrNotHTML) {
				t.Fatalf("mutation %d: %v", i, err)
			}
			continue
		}
		if joined, _ := joinHTMLParagraphs(strings.Split(doc.Text, "\n\n")); joined != doc.Text {
			t.Fatalf("mutation %d: Text and paragraphs disagree", i)
		}
	}
}
