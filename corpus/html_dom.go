package corpus

import (
	"regexp"
	"strings"

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
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				return
			case atom.Br:
				b.WriteByte(' ')
			}
			if blockAtoms[n.DataAtom] {
				b.WriteByte(' ')
				defer b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
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
