package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// ErrNoArticle is returned (wrapped) by ParseHTML when a page holds no
// article text it can find: empty input, garbage, or a page of links only.
var ErrNoArticle = errors.New("no article text found")

// ErrNotHTML is returned (wrapped) by ParseHTML for input that is not an
// HTML page at all: binary data, or text without markup.
var ErrNotHTML = errors.New("not an HTML page")

// maxHTMLDepth bounds recursion on pathological, deeply nested pages;
// anything deeper is ignored.
const maxHTMLDepth = 400

// ParseHTML extracts the article from an HTML page: its prose paragraphs
// (without navigation, share widgets, related links, comments, adverts,
// photo captions, bylines, date lines or "Tags:" lines) and its metadata
// (title, outlet, author, publication date and where that date came from,
// language, canonical URL). pageURL is where the page was fetched from; it
// resolves a relative canonical link and is the URL when the page names
// none. The encoding is taken from a BOM or <meta charset>, else UTF-8 when
// valid, else windows-1252.
//
// Each paragraph is the text of one block element with its whitespace runs
// folded to single spaces; nothing else in it is changed. Paragraphs are
// joined with "\n\n" and their byte ranges are in Paragraphs. Errors wrap
// ErrNotHTML (binary data, no markup, unparsable) or ErrNoArticle (no prose
// found); ParseHTML never panics on bad input.
func ParseHTML(data []byte, pageURL string) (Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Document{}, fmt.Errorf("parsing HTML: %w: empty input", ErrNoArticle)
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return Document{}, fmt.Errorf("parsing HTML: %w: this is a PDF", ErrNotHTML)
	}
	src := decodeHTML(data)
	if why := notHTML(src); why != "" {
		return Document{}, fmt.Errorf("parsing HTML: %w: %s", ErrNotHTML, why)
	}
	root, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		return Document{}, fmt.Errorf("parsing HTML: %w: %v", ErrNotHTML, err)
	}
	var doc Document
	extractMetadata(root, pageURL, &doc)
	redirect := refreshTarget(root, pageURL)

	paras := extractBody(root)
	paras = filterHTMLParagraphs(paras, doc.Title)
	if redirect != "" && proseRunes(paras) < maxRedirectStubRunes {
		return Document{}, fmt.Errorf("parsing HTML: %w: the page only redirects to %s; add that address instead", ErrNoArticle, redirect)
	}
	if len(paras) == 0 {
		return Document{}, fmt.Errorf("parsing HTML: %w", ErrNoArticle)
	}
	if doc.Published == "" {
		if dl, ok := readDateline(paras[0], pageDates); ok {
			doc.Published, doc.PublishedFrom = dl.date, "dateline"
		}
	}
	doc.Text, doc.Paragraphs = joinHTMLParagraphs(paras)
	return doc, nil
}

// decodeHTML converts data to UTF-8 (BOM, <meta charset>, UTF-8 if valid,
// else windows-1252, as browsers do).
func decodeHTML(data []byte) []byte {
	enc, name, _ := charset.DetermineEncoding(data, "")
	if name == "utf-8" || enc == nil {
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			return bytes.ToValidUTF8(data, []byte("\uFFFD"))
		}
		return data
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	return out
}

// notHTML says why decoded input is not an HTML page ("" if it may be):
// control characters or undecodable bytes beyond 1% mean binary data, and
// a page has at least one tag.
func notHTML(src []byte) string {
	bad, n := 0, 0
	for _, r := range string(src) {
		n++
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f') {
			bad++
		}
	}
	if bad*100 > n {
		return "binary data"
	}
	if !reHTMLTag.Match(src) {
		return "no HTML markup"
	}
	return ""
}

// reHTMLTag matches an HTML tag, doctype or comment opening.
var reHTMLTag = regexp.MustCompile(`<(?:[a-zA-Z][a-zA-Z0-9-]*[\s/>]|!doctype|!DOCTYPE|!--)`)

// joinHTMLParagraphs joins paragraphs with "\n\n" and records their spans.
func joinHTMLParagraphs(paras []string) (string, []Span) {
	var b strings.Builder
	spans := make([]Span, 0, len(paras))
	for i, p := range paras {
		if i > 0 {
			b.WriteString("\n\n")
		}
		start := b.Len()
		b.WriteString(p)
		spans = append(spans, Span{Start: start, End: b.Len()})
	}
	return b.String(), spans
}

// maxRedirectStubRunes is the most text a page that redirects elsewhere
// may hold and still be only a redirect ("This page has moved. If you are
// not redirected, click here."): with more, it is an article.
const maxRedirectStubRunes = 300

// reRefresh reads a meta refresh's content: a delay, then the target
// ("0; url=https://…", "2;URL='/new'").
var reRefresh = regexp.MustCompile(`(?i)^\s*[\d.]*\s*[;,]\s*(?:url\s*=\s*)?['"]?([^'"\s]+)`)

// refreshTarget returns the absolute http(s) address a page's
// <meta http-equiv="refresh"> sends the reader to, resolved against
// pageURL, or "" when it has none or refreshes the page itself.
func refreshTarget(root *html.Node, pageURL string) string {
	n := findNode(root, func(n *html.Node) bool {
		return n.Type == html.ElementNode && n.DataAtom == atom.Meta && strings.EqualFold(strings.TrimSpace(hAttr(n, "http-equiv")), "refresh")
	})
	if n == nil {
		return ""
	}
	m := reRefresh.FindStringSubmatch(hAttr(n, "content"))
	if m == nil {
		return ""
	}
	target := resolveHTTPURL(pageURL, m[1])
	if target == "" || target == resolveHTTPURL("", pageURL) {
		return ""
	}
	return target
}

// proseRunes is the number of runes in paras.
func proseRunes(paras []string) int {
	n := 0
	for _, p := range paras {
		n += utf8.RuneCountInString(p)
	}
	return n
}
