package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// reI compiles a case-insensitive regexp.
func reI(expr string) *regexp.Regexp { return regexp.MustCompile("(?i)" + expr) }

// wordSet makes a set of words for lookups.
func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// hAttr is the value of n's attribute key (any case), or "".
func hAttr(n *html.Node, key string) string {
	v, _ := hAttrOK(n, key)
	return v
}

// hAttrOK is the value of n's attribute key (any case) and whether n has it.
func hAttrOK(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

// nodeText is the concatenated text under n, without scripts and styles.
func nodeText(n *html.Node) string {
	t, _ := nodeTextUpTo(n, -1)
	return t
}

// nodeTextUpTo is nodeText(n) when it holds at most limit runes other than
// white space (any number when limit is negative), and "", false when it
// holds more: it stops reading there, so that asking every element of a
// large page whether its text is short costs no more than the page.
func nodeTextUpTo(n *html.Node, limit int) (string, bool) {
	var b strings.Builder
	seen := 0
	var walk func(n *html.Node, depth int) bool
	walk = func(n *html.Node, depth int) bool {
		if depth > maxHTMLDepth {
			return true
		}
		switch n.Type {
		case html.TextNode:
			if limit >= 0 {
				if seen += utf8.RuneCountInString(n.Data) - countSpaceRunes(n.Data); seen > limit {
					return false
				}
			}
			b.WriteString(n.Data)
			return true
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				return true
			case atom.Br:
				b.WriteByte(' ')
			}
			if blockAtoms[n.DataAtom] {
				b.WriteByte(' ')
				defer b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	if !walk(n, 0) {
		return "", false
	}
	return b.String(), true
}

// countSpaceRunes counts the white-space runes of s.
func countSpaceRunes(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// findNode returns the first node at or under n, in document order, for
// which match is true, or nil; nodes deeper than maxHTMLDepth are not seen.
func findNode(n *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if found != nil || depth > maxHTMLDepth {
			return
		}
		if match(n) {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return found
}

// findElement returns the first element of type a at or under n, or nil.
func findElement(n *html.Node, a atom.Atom) *html.Node {
	return findNode(n, func(c *html.Node) bool {
		return c.Type == html.ElementNode && c.DataAtom == a
	})
}

// inHeadElement reports whether n is inside the page's <head>.
func inHeadElement(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && n.DataAtom == atom.Head {
			return true
		}
	}
	return false
}

// hasWord reports whether the space-separated list (rel="author
// noopener") holds tok, ignoring case.
func hasWord(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

// findItempropNode returns the first element under n (not n itself) with
// itemprop="prop" (any case), or nil.
func findItempropNode(n *html.Node, prop string) *html.Node {
	return findNode(n, func(c *html.Node) bool {
		return c != n && c.Type == html.ElementNode && strings.EqualFold(hAttr(c, "itemprop"), prop)
	})
}
