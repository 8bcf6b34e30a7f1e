package corpus

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestNewSourceRefusesNonWebURL: `verbatim add --url "javascript:…"` stored
// the script as the source's link, shown beside every quote. A given URL
// must be an http(s) address; one a parser read from the article (a
// canonical link, front matter) that is not is left out.
func TestNewSourceRefusesNonWebURL(t *testing.T) {
	c := mustChunker(t)
	doc := Document{Text: "The Senate met on Monday.", Paragraphs: []Span{{0, 25}}}
	for _, bad := range []string{"javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,<script>x</script>",
		"file:///etc/passwd", "ftp://example.com/a", "//example.com/a", "example.com/a", "https://", "http://user:pw@example.com/a"} {
		_, err := NewSource(doc, Meta{URL: bad}, c, time.Now())
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("URL %q: err = %v, want ErrInvalid", bad, err)
			continue
		}
		t.Logf("seen: %v", err)
		if !strings.Contains(err.Error(), "http") {
			t.Errorf("URL %q: error %q does not say what a URL must be", bad, err)
		}
	}
	for _, good := range []string{"https://example.com/2021/03/17/story", "http://example.com/a?b=c#d", "  https://example.com/a  "} {
		src, err := NewSource(doc, Meta{URL: good}, c, time.Now())
		if err != nil {
			t.Errorf("URL %q: %v", good, err)
		} else if src.URL != strings.TrimSpace(good) {
			t.Errorf("URL %q stored as %q", good, src.URL)
		}
	}
	parsed := doc
	parsed.URL = "javascript:alert(1)"
	src, err := NewSource(parsed, Meta{Origin: "story.md"}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if src.URL != "" {
		t.Errorf("a parsed non-web URL was kept: %q", src.URL)
	}
}
