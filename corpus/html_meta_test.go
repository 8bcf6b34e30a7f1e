package corpus

import "testing"

func TestHTMLSplitSiteSuffix(t *testing.T) {
	for _, tc := range []struct{ in, outlet, title, suffix string }{
		{"Headline here | The Ledger", "The Ledger", "Headline here", "The Ledger"},
		{"Headline here | The Ledger", "", "Headline here", "The Ledger"},
		{"Election night live: results as they come in - Northfield Tribune", "", "Election night live: results as they come in", "Northfield Tribune"},
		{"Left - right - centre politics explained in full today", "", "Left - right - centre politics explained in full today", ""},
		{"Plain title", "", "Plain title", ""},
	} {
		title, suffix := splitSiteSuffix(tc.in, tc.outlet)
		if title != tc.title || suffix != tc.suffix {
			t.Errorf("splitSiteSuffix(%q, %q) = %q, %q", tc.in, tc.outlet, title, suffix)
		}
	}
}
