package corpus

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlPara is one paragraph found in the page: its folded text, the innermost
// block element it came from, and how much of it is link text.
type htmlPara struct {
	text    string
	block   *html.Node
	linkLen int
	heading bool
}

// extractBody finds the element that holds the article (the one whose
// paragraphs score best, readability-style) and returns its paragraphs in
// document order, boilerplate removed.
func extractBody(root *html.Node) []string {
	body := findElement(root, atom.Body)
	if body == nil {
		body = root
	}
	pText := pTextLen(body)
	pruneBoilerplate(body, pText, 0)

	paras := collectHTMLParagraphs(body)
	if len(paras) == 0 {
		return nil
	}
	scores, order := scoreContainers(paras)
	top, best := bestContainer(scores, order)
	if top == nil {
		// Only short paragraphs: keep those that are not link lists.
		return proseParagraphs(paras, nil)
	}
	return proseParagraphs(paras, withArticleSiblings(top, best, scores))
}

// scoreContainers scores the elements that may hold the article: each
// substantial paragraph (25 characters or more, not a heading, not mostly
// link text) gives its points (1, plus 1 a comma, plus 1 per 100
// characters up to 3) to the parent of its block (full), grandparent
// (half) and great-grandparent (a third), on top of each container's base
// score. order lists the containers scored, in document order.
func scoreContainers(paras []htmlPara) (scores map[*html.Node]float64, order []*html.Node) {
	scores = map[*html.Node]float64{}
	for _, p := range paras {
		n := utf8.RuneCountInString(p.text)
		if n < 25 || p.heading || p.block == nil {
			continue
		}
		s := 1 + float64(strings.Count(p.text, ",")+strings.Count(p.text, "，")) + min(float64(n/100), 3)
		if p.linkLen*2 > len(p.text) {
			continue
		}
		// The block is the paragraph (a <p>, or a div holding text
		// directly); its ancestors are the candidate containers.
		anc := p.block.Parent
		for level := 1; anc != nil && level <= 3; level++ {
			if _, ok := scores[anc]; !ok {
				scores[anc] = containerBaseScore(anc)
				// Paragraphs come in document order, so of two containers
				// that are not nested, the first is met first.
				order = append(order, anc)
			}
			scores[anc] += s / float64(level)
			anc = anc.Parent
		}
	}
	return scores, order
}

// bestContainer discounts each score by its container's link density (in
// scores, which withArticleSiblings reads next) and returns the best
// container and its score, or nil when there is none. Of two with the same
// score, an ancestor wins over what it holds, and otherwise the first in
// order (document order), so that a page always gives the same text.
func bestContainer(scores map[*html.Node]float64, order []*html.Node) (*html.Node, float64) {
	var top *html.Node
	best := 0.0
	for _, n := range order {
		s := scores[n] * (1 - linkDensityOf(n))
		scores[n] = s
		if top == nil || s > best || (s == best && isAncestorOf(n, top)) {
			top, best = n, s
		}
	}
	return top, best
}

// withArticleSiblings returns the set of top and those of its siblings
// that look like more of the article (a body split in two by an inline
// advert box, say): a container scoring at least a fifth of top's (and
// 10), or a <p> of long text with few links or of a whole sentence with
// none.
func withArticleSiblings(top *html.Node, best float64, scores map[*html.Node]float64) map[*html.Node]bool {
	keep := map[*html.Node]bool{top: true}
	if top.Parent == nil {
		return keep
	}
	threshold := max(10, best*0.2)
	for sib := top.Parent.FirstChild; sib != nil; sib = sib.NextSibling {
		if sib == top || sib.Type != html.ElementNode {
			continue
		}
		if s, ok := scores[sib]; ok && s >= threshold {
			keep[sib] = true
			continue
		}
		if sib.DataAtom == atom.P {
			t := foldWhitespace(nodeText(sib))
			ld := linkDensityOf(sib)
			if (len(t) > 80 && ld < 0.25) || (len(t) > 0 && ld == 0 && endsSentence(t, pageSentenceEnd)) {
				keep[sib] = true
			}
		}
	}
	return keep
}

// proseParagraphs returns the text of the paragraphs inside the kept
// elements (all of them when keep is nil) that are not mostly link text: a
// list of links (related stories) inside the body is not prose.
func proseParagraphs(paras []htmlPara, keep map[*html.Node]bool) []string {
	out := make([]string, 0, len(paras))
	for _, p := range paras {
		if keep != nil && !insideAny(p.block, keep) {
			continue
		}
		if p.linkLen*2 > len(p.text) {
			continue
		}
		out = append(out, p.text)
	}
	return out
}

// insideAny reports whether n is one of set or inside one of them.
func insideAny(n *html.Node, set map[*html.Node]bool) bool {
	for ; n != nil; n = n.Parent {
		if set[n] {
			return true
		}
	}
	return false
}

// isAncestorOf reports whether a is a proper ancestor of n.
func isAncestorOf(a, n *html.Node) bool {
	for n = n.Parent; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// containerBaseScore is a container's starting score from its tag and class.
func containerBaseScore(n *html.Node) float64 {
	s := 0.0
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main, atom.Section:
		s = 5
	case atom.Pre, atom.Td, atom.Blockquote:
		s = 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		s = -3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		s = -5
	}
	if n.DataAtom == atom.Article || n.DataAtom == atom.Main || hAttr(n, "itemprop") == "articleBody" {
		s += 10
	}
	for _, t := range classWords(n) {
		if positiveWords[t] {
			s += 25
			break
		}
	}
	return s
}

// linkDensityOf is the share of n's text that is link text.
func linkDensityOf(n *html.Node) float64 {
	total, links := 0, 0
	var walk func(n *html.Node, inLink bool, depth int)
	walk = func(n *html.Node, inLink bool, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			l := len(strings.TrimSpace(n.Data))
			total += l
			if inLink {
				links += l
			}
		case html.ElementNode:
			if n.DataAtom == atom.A {
				inLink = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLink, depth+1)
		}
	}
	walk(n, false, 0)
	if total == 0 {
		return 0
	}
	return float64(links) / float64(total)
}

// blockAtoms are elements that end a paragraph.
var blockAtoms = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Body: true, atom.Caption: true, atom.Center: true, atom.Dd: true, atom.Details: true,
	atom.Dialog: true, atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true,
	atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Hr: true, atom.Html: true, atom.Li: true,
	atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true,
	atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tbody: true, atom.Td: true,
	atom.Tfoot: true, atom.Th: true, atom.Thead: true, atom.Tr: true, atom.Ul: true,
	atom.Menu: true, atom.Legend: true, atom.Option: true, atom.Select: true,
}

// skipAtoms never hold article prose.
var skipAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Svg: true, atom.Math: true, atom.Canvas: true, atom.Object: true,
	atom.Embed: true, atom.Video: true, atom.Audio: true, atom.Img: true, atom.Picture: true,
	atom.Select: true, atom.Textarea: true, atom.Input: true, atom.Button: true,
	atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true, atom.Label: true,
}

// collectHTMLParagraphs walks n and returns its paragraphs: text between block
// boundaries (or two <br>s), whitespace folded, with letters or digits.
func collectHTMLParagraphs(n *html.Node) []htmlPara {
	c := &htmlParaCollector{}
	c.walk(n, 0)
	c.flush()
	return c.out
}

// htmlParaCollector gathers paragraphs while walking a tree: the text of
// the current block so far, how much of it is link text, and how many <br>
// in a row came last (two end a paragraph).
type htmlParaCollector struct {
	buf     strings.Builder
	linkLen int
	inLink  int
	brs     int
	block   *html.Node
	out     []htmlPara
}

// walk adds the text under n to the current paragraph, starting a new one
// at each block element, and skips what a reader never sees.
func (c *htmlParaCollector) walk(n *html.Node, depth int) {
	if depth > maxHTMLDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		if strings.TrimSpace(n.Data) != "" {
			if c.brs >= 2 {
				c.flush()
			}
			c.brs = 0
			if c.inLink > 0 {
				c.linkLen += len(strings.TrimSpace(n.Data))
			}
		}
		c.buf.WriteString(n.Data)
		return
	case html.ElementNode:
		if skipAtoms[n.DataAtom] || isHiddenNode(n) {
			return
		}
		if n.DataAtom == atom.Br {
			c.brs++
			c.buf.WriteByte(' ')
			return
		}
		if blockAtoms[n.DataAtom] {
			c.flush()
			prev := c.block
			c.block = n
			for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
				c.walk(ch, depth+1)
			}
			c.flush()
			c.block = prev
			return
		}
		if n.DataAtom == atom.A {
			c.inLink++
			defer func() { c.inLink-- }()
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.walk(ch, depth+1)
	}
}

// flush ends the current paragraph: it is kept, white space folded, when
// it holds a letter.
func (c *htmlParaCollector) flush() {
	t := foldWhitespace(c.buf.String())
	c.buf.Reset()
	c.brs = 0
	ll := c.linkLen
	c.linkLen = 0
	if !hasLetter(t) {
		return // timestamps, bullets, page numbers
	}
	heading := false
	if c.block != nil {
		switch c.block.DataAtom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			heading = true
		}
	}
	c.out = append(c.out, htmlPara{text: t, block: c.block, linkLen: min(ll, len(t)), heading: heading})
}
