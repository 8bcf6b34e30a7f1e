package corpus

import (
	"errors"
	"strings"
	"testing"
)

// TestParseHTMLRefusesRedirectStub: a page that only redirects (a meta
// refresh, a "moved" line, no article) was added as an article titled
// "Untitled". It is refused, naming where it redirects to.
func TestParseHTMLRefusesRedirectStub(t *testing.T) {
	tests := []struct {
		name, page, pageURL, target string
	}{
		{"moved page", `<html><head><meta http-equiv="refresh" content="0; url=https://news.example.com/2021/03/17/story"></head>` +
			`<body><p>This page has moved. If you are not redirected, <a href="https://news.example.com/2021/03/17/story">click here</a>.</p></body></html>`,
			"https://old.example.com/story", "https://news.example.com/2021/03/17/story"},
		{"redirecting, relative target, quoted", `<html><head><title>Redirecting…</title><META HTTP-EQUIV="Refresh" CONTENT="2;URL='/new/story.html'"></head>` +
			`<body><h1>Redirecting</h1><p>Redirecting you to the new address of this article.</p></body></html>`,
			"https://news.example.com/old/story.html", "https://news.example.com/new/story.html"},
		{"no text at all", `<html><head><meta http-equiv="refresh" content="0;url=https://news.example.com/a"></head><body></body></html>`,
			"", "https://news.example.com/a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseHTML([]byte(tc.page), tc.pageURL)
			if err == nil {
				t.Fatalf("parsed as an article titled %q: %q", doc.Title, doc.Text)
			}
			t.Logf("seen: %v", err)
			if !errors.Is(err, ErrNoArticle) {
				t.Errorf("err = %v, want ErrNoArticle", err)
			}
			if want := "the page only redirects to " + tc.target + "; add that address instead"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		})
	}
}

// TestParseHTMLArticleWithRefresh: an article that refreshes itself (or
// has a refresh besides its text) is still an article.
func TestParseHTMLArticleWithRefresh(t *testing.T) {
	body := strings.Repeat("<p>The Senate intelligence committee said on Tuesday that Russia had tried to interfere in the election, and that its report was final.</p>", 5)
	for _, refresh := range []string{"300", "300; url=https://news.example.com/story", "0; url=https://other.example.com/"} {
		page := `<html><head><meta http-equiv="refresh" content="` + refresh + `"><title>Senate Report</title></head><body><article>` + body + `</article></body></html>`
		doc, err := ParseHTML([]byte(page), "https://news.example.com/story")
		if err != nil {
			t.Errorf("refresh %q: %v", refresh, err)
		} else if len(doc.Paragraphs) != 5 {
			t.Errorf("refresh %q: %d paragraphs", refresh, len(doc.Paragraphs))
		}
	}
}
