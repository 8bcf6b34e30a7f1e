package corpus

import (
	"strings"
	"testing"
)

// TestParseHTMLTiesGoToDocumentOrder: two containers that are not nested
// and score the same used to be decided by Go's map order, so the same page
// gave different text on different runs. The first in the document wins.
func TestParseHTMLTiesGoToDocumentOrder(t *testing.T) {
	block := func(topic string) string {
		var b strings.Builder
		for i := 0; i < 4; i++ {
			b.WriteString("<p>The committee said on Monday that the " + topic + " report, which ran to many pages, was final and would not change.</p>")
		}
		return b.String()
	}
	page := "<html><body><section><div>" + block("first") + "</div></section><aside-not><div>" + block("other") + "</div></aside-not></body></html>"
	first, err := ParseHTML([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.Text, "the first report") || strings.Contains(first.Text, "the other report") {
		t.Fatalf("took %.120q…, want the first container's text only", first.Text)
	}
	for i := 0; i < 100; i++ {
		doc, err := ParseHTML([]byte(page), "")
		if err != nil {
			t.Fatal(err)
		}
		if doc.Text != first.Text {
			t.Fatalf("run %d gave other text: %.120q…", i+1, doc.Text)
		}
	}
}
