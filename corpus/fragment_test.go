package corpus

import (
	"strings"
	"testing"
	"time"
)

// TestQuoteLinkRoundTrip: for every sentence and passage of the seed
// articles, the link
// is at most MaxLinkBytes, and its directive matches the text exactly once,
// at the sentence (its whole words).
func TestQuoteLinkRoundTrip(t *testing.T) {
	ch, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := SeedSources(ch, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n, withContext := 0, 0
	for _, src := range srcs {
		spans := append([]Span(nil), src.Sentences...)
		for _, p := range src.Passages {
			spans = append(spans, Span{Start: p.Start, End: p.End})
		}
		for _, s := range spans {
			link := QuoteLink("https://example.com/story?id=7#top", src.Text, s.Start, s.End, 0)
			if len(link) > MaxLinkBytes || !strings.HasPrefix(link, "https://example.com/story?id=7#:~:text=") {
				t.Fatalf("link %q (%d bytes)", link, len(link))
			}
			got, matches := FindTextDirective(src.Text, link)
			want := strings.TrimSpace(src.Text[s.Start:s.End])
			if matches != 1 || src.Text[got.Start:got.End] != want {
				t.Errorf("%s: %q finds %q (%d matches), want %q", src.ID, link, src.Text[got.Start:got.End], matches, want)
			}
			if strings.Contains(link, "-,") || strings.Contains(link, ",-") {
				withContext++
			}
			n++
		}
	}
	t.Logf("%d sentences and passages, %d links needed a prefix or suffix", n, withContext)
}

func TestQuoteLinkAmbiguous(t *testing.T) {
	text := "The vote passed. Officials said so. The vote passed. Critics objected, loudly & often - and with commas."
	start := strings.LastIndex(text, "The vote passed.")
	link := QuoteLink("https://example.com/a", text, start, start+len("The vote passed."), 0)
	if link != "https://example.com/a#:~:text=so.-,The%20vote%20passed." {
		t.Fatalf("ambiguous start: %q", link)
	}
	if sp, n := FindTextDirective(text, link); n != 1 || sp.Start != start {
		t.Fatalf("found %v (%d)", sp, n)
	}
	s := strings.Index(text, "Critics")
	link = QuoteLink("https://example.com/a", text, s, len(text), 0)
	if !strings.HasSuffix(link, "#:~:text=Critics%20objected%2C%20loudly%20%26%20often%20-%20and%20with%20commas.") &&
		!strings.Contains(link, "%2C") {
		t.Fatalf("encoding: %q", link)
	}
	if strings.ContainsAny(strings.SplitN(link, "text=", 2)[1], "&") || strings.Contains(link, " - ") {
		t.Fatalf("unencoded: %q", link)
	}
	if sp, n := FindTextDirective(text, link); n != 1 || text[sp.Start:sp.End] != text[s:] {
		t.Fatalf("found %v (%d)", sp, n)
	}
	// Too long for any directive: the page alone; not http: nothing.
	long := "https://example.com/" + strings.Repeat("a", 470)
	if got := QuoteLink(long, text, s, len(text), 0); got != long {
		t.Fatalf("long: %q", got)
	}
	if got := QuoteLink(long+strings.Repeat("a", 100), text, s, len(text), 0); got != "" {
		t.Fatalf("too long: %q", got)
	}
	if got := QuoteLink("javascript:alert(1)", text, s, len(text), 0); got != "" {
		t.Fatalf("javascript: %q", got)
	}
}
