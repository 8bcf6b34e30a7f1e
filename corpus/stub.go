package corpus

import (
	"fmt"
	"regexp"
	"strings"
)

// A refresh fetches an article again; what comes back is not always the
// article. Paywalls, cookie walls and "this page has moved" pages parse as
// a short text of their own, and taking one as the article's new version
// would silence the good one. SuspectRefresh tells such a page apart.

// ShrinkLimit is the share of the current text below which a new version
// is suspect: an article that loses more than 60% of its text in a refresh
// is more likely a stub than an edit.
const ShrinkLimit = 0.4

// notices are the phrases of pages that stand in for an article, by kind.
var notices = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"paywall notice", regexp.MustCompile(`(?i)\b(?:subscribe (?:now )?to (?:continue|keep) reading|subscribe to read|(?:continue|keep) reading with a subscription|for (?:paid )?subscribers only|(?:this|the) (?:article|story|content) is (?:only )?(?:available )?(?:exclusively )?for (?:paid )?(?:subscribers|members)|already a (?:subscriber|member)\?|(?:sign|log) ?in to (?:read|continue)|create a free account to (?:read|continue)|you(?:'ve| have) reached your (?:free )?(?:article |monthly )?limit|become a (?:member|subscriber) to read)`)},
	{"cookie consent notice", regexp.MustCompile(`(?i)\b(?:we value your privacy|(?:we|our partners) use cookies|this (?:site|website) uses cookies|accept (?:all )?cookies|manage (?:your )?(?:cookie |privacy )?(?:preferences|settings|choices)|cookie (?:policy|preferences|settings)|consent to (?:the use of )?cookies)`)},
	{"moved notice", regexp.MustCompile(`(?i)\b(?:this (?:page|article|story) has (?:been )?moved|(?:page|article) has (?:been )?moved to|(?:has|have) moved permanently|moved permanently|if you are not redirected|you are being redirected|this page (?:is )?no longer (?:available|exists)|the page you (?:are looking|were looking|requested) (?:for )?(?:cannot|could not|can't) be found)`)},
}

// StubNotice reports whether text is mostly a notice that stands in for an
// article: its paragraphs that carry a paywall, cookie-consent or "moved"
// phrase make up at least half of it. kind names the notice and phrase is
// the first such phrase found; both are "" for an article.
func StubNotice(text string) (kind, phrase string) {
	total, notice := 0, 0
	for _, para := range strings.Split(text, "\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		total += len(para)
		for _, n := range notices {
			if m := n.re.FindString(para); m != "" {
				notice += len(para)
				if kind == "" {
					kind, phrase = n.kind, m
				}
				break
			}
		}
	}
	if total == 0 || 2*notice < total {
		return "", ""
	}
	return kind, phrase
}

// SuspectRefresh says why newText should not replace oldText as the current
// version of an article, or "" when it may: newText is mostly a paywall,
// consent or "moved" notice (and oldText was not), or it is less than
// ShrinkLimit of oldText's length.
func SuspectRefresh(oldText, newText string) string {
	if newText == oldText {
		return ""
	}
	if kind, phrase := StubNotice(newText); kind != "" {
		if oldKind, _ := StubNotice(oldText); oldKind == "" {
			return fmt.Sprintf("the page now reads as a %s (%q), not the article", kind, phrase)
		}
	}
	if float64(len(newText)) < ShrinkLimit*float64(len(oldText)) {
		return fmt.Sprintf("the text shrank to %d%% of the current version (%d of %d bytes)",
			100*len(newText)/max(1, len(oldText)), len(newText), len(oldText))
	}
	return ""
}
