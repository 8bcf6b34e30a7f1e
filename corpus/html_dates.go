package corpus

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlPublishedMetaKeys are <meta> names that hold a publication date. Modified
// and "last updated" dates are deliberately absent.
var htmlPublishedMetaKeys = []string{
	"article:published_time", "og:article:published_time", "og:published_time", "datepublished",
	"article.published", "parsely-pub-date", "sailthru.date", "publish-date", "publish_date",
	"publishdate", "pubdate", "publication_date", "dc.date.issued", "dcterms.issued",
	"dc.date.created", "dcterms.created", "dc.date", "dcterms.date", "date", "citation_publication_date",
}

// dateSkipWords mark regions whose dates are not the article's.
var dateSkipWords = wordSet("nav", "navbar", "navigation", "menu", "sidebar", "footer", "widget", "widgets",
	"side", "rail", "latest", "ticker", "breaking", "topbar", "masthead", "comment", "comments", "related",
	"recommended", "popular", "trending", "mostread", "archive", "archives", "teaser", "teasers", "promo")

// reUpdatedLabel marks a date that is not the publication date: an
// "updated" or "modified" date, or a copyright year.
var reUpdatedLabel = reI(`updated|modified|aktualisiert|ge(?:ä|ae)ndert|mis (?:à|a) jour|modifi(?:é|e)|actualizado|aggiornato|©|copyright`)

// visibleHTMLDate finds the publication date shown in the page: an element
// with itemprop="datePublished", a <time datetime>, or a short line with a
// full date near the headline. Footers, sidebars, comments and "updated"
// lines are ignored, and a bare year (a "© 2019") never counts.
func visibleHTMLDate(body *html.Node) (string, string) {
	type cand struct {
		date, from string
		order      int
	}
	var itemprop, timeEl *cand
	var lines []cand
	h1Order := -1
	order := 0
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		if n.Type != html.ElementNode {
			return
		}
		order++
		if skipAtoms[n.DataAtom] && n.DataAtom != atom.Meta || n.DataAtom == atom.Footer || n.DataAtom == atom.Aside || n.DataAtom == atom.Nav {
			return
		}
		for _, t := range classWords(n) {
			if dateSkipWords[t] {
				return
			}
		}
		if n.DataAtom == atom.H1 && h1Order < 0 {
			h1Order = order
		}
		if itemprop == nil && strings.EqualFold(hAttr(n, "itemprop"), "datePublished") {
			v := firstSet(hAttr(n, "content"), hAttr(n, "datetime"), nodeText(n))
			if d, ok := findFullDate(v); ok {
				itemprop = &cand{d, "itemprop datePublished", order}
			}
		}
		if timeEl == nil && n.DataAtom == atom.Time {
			label := ""
			if n.Parent != nil {
				label = nodeText(n.Parent)
			}
			cls := hAttr(n, "class") + " " + hAttr(n, "itemprop")
			if !reUpdatedLabel.MatchString(label) && !reUpdatedLabel.MatchString(cls) {
				if d, ok := findFullDate(firstSet(hAttr(n, "datetime"), nodeText(n))); ok {
					timeEl = &cand{d, "time datetime", order}
				}
			}
		}
		if t := foldWhitespace(nodeText(n)); t != "" && utf8.RuneCountInString(t) <= 80 && !reUpdatedLabel.MatchString(t) {
			if d, ok := findFullDate(t); ok {
				lines = append(lines, cand{d, "date line", order})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(body, 0)
	if itemprop != nil {
		return itemprop.date, itemprop.from
	}
	if timeEl != nil {
		return timeEl.date, timeEl.from
	}
	if len(lines) == 0 {
		return "", ""
	}
	best := lines[0]
	if h1Order >= 0 {
		dist := func(o int) int {
			if o < h1Order {
				return (h1Order - o) * 2 // a date above the headline is less usual
			}
			return o - h1Order
		}
		for _, c := range lines[1:] {
			if dist(c.order) < dist(best.order) {
				best = c
			}
		}
	}
	return best.date, best.from
}
