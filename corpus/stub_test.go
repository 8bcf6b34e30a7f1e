package corpus

import (
	"strings"
	"testing"
)

func TestSuspectRefresh(t *testing.T) {
	article := strings.Repeat("The council voted to rebuild the harbour wall in granite after the storms. ", 12)
	tests := []struct {
		name, old, new, want string
	}{
		{"same text", article, article, ""},
		{"an edit", article, article + "A meeting follows on Friday.", ""},
		{"cut by half", article, article[:len(article)/2], ""},
		{"shrank", article, article[:len(article)/4], "shrank to 25%"},
		{"paywall", article, "Subscribe to continue reading.\nAlready a subscriber? Sign in.", "paywall notice"},
		{"consent", article, "We value your privacy. Accept all cookies to continue.", "cookie consent notice"},
		{"moved", article, "This page has moved.\nIf you are not redirected, follow the link.", "moved notice"},
		// An article about cookie rules mentions cookies in passing: not a notice.
		{"an article that mentions cookies", article, article + "\nThe regulator said sites that use cookies must ask first.", ""},
		// A stub already current is not held back against another stub.
		{"stub to stub", "Subscribe to continue reading.", "Subscribe to keep reading. Sign in to read.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SuspectRefresh(tt.old, tt.new)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("SuspectRefresh = %q, want %q", got, tt.want)
			}
		})
	}
}
