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

// publishedDate is the page's publication date and where it came from,
// the most reliable source first: JSON-LD's datePublished, a publication
// date <meta>, a date shown near the headline, the date in the URL.
func publishedDate(pm htmlPageMeta, body *html.Node, pageURL string) (date, from string) {
	if d, ok := findFullDate(pm.ld.datePublished); ok {
		return d, "json-ld datePublished"
	}
	for _, k := range htmlPublishedMetaKeys {
		if d, ok := findFullDate(pm.meta[k]); ok {
			return d, "meta " + k
		}
	}
	if body != nil {
		if d, from := visibleHTMLDate(body); d != "" {
			return d, from
		}
	}
	if d, ok := urlDate(pageURL); ok {
		return d, "url"
	}
	return "", ""
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
	v := visibleDates{h1Order: -1}
	v.walk(body, 0)
	return v.best()
}

// dateCandidate is a date seen in the page: the date, where it came from,
// and the position of its element in document order.
type dateCandidate struct {
	date, from string
	order      int
}

// visibleDates collects the dates a page's body shows, for visibleHTMLDate.
type visibleDates struct {
	itemprop *dateCandidate  // the first itemprop="datePublished"
	timeEl   *dateCandidate  // the first <time> not labelled "updated"
	lines    []dateCandidate // short elements whose text holds a full date
	h1Order  int             // the position of the first <h1>, or -1
	order    int             // elements seen so far
}

// walk visits the elements under n in document order, numbering them, and
// looks for dates in those outside regions whose dates are not the
// article's (navigation, footers, asides, sidebars, comments, teasers).
func (v *visibleDates) walk(n *html.Node, depth int) {
	if depth > maxHTMLDepth || n.Type != html.ElementNode {
		return
	}
	v.order++
	if skipAtoms[n.DataAtom] && n.DataAtom != atom.Meta || n.DataAtom == atom.Footer || n.DataAtom == atom.Aside || n.DataAtom == atom.Nav {
		return
	}
	for _, t := range classWords(n) {
		if dateSkipWords[t] {
			return
		}
	}
	if n.DataAtom == atom.H1 && v.h1Order < 0 {
		v.h1Order = v.order
	}
	v.look(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		v.walk(c, depth+1)
	}
}

// look records the dates element n shows: as itemprop="datePublished", as
// a <time> whose label and class do not say "updated", and in its text when
// that is short and not an "updated" or copyright line.
func (v *visibleDates) look(n *html.Node) {
	if v.itemprop == nil && strings.EqualFold(hAttr(n, "itemprop"), "datePublished") {
		val := firstSet(hAttr(n, "content"), hAttr(n, "datetime"), nodeText(n))
		if d, ok := findFullDate(val); ok {
			v.itemprop = &dateCandidate{d, "itemprop datePublished", v.order}
		}
	}
	if v.timeEl == nil && n.DataAtom == atom.Time {
		label := ""
		if n.Parent != nil {
			label = nodeText(n.Parent)
		}
		cls := hAttr(n, "class") + " " + hAttr(n, "itemprop")
		if !reUpdatedLabel.MatchString(label) && !reUpdatedLabel.MatchString(cls) {
			if d, ok := findFullDate(firstSet(hAttr(n, "datetime"), nodeText(n))); ok {
				v.timeEl = &dateCandidate{d, "time datetime", v.order}
			}
		}
	}
	if t, ok := nodeTextUpTo(n, 80); ok {
		if t = foldWhitespace(t); t != "" && utf8.RuneCountInString(t) <= 80 {
			if d, ok := findFullDate(t); ok && !reUpdatedLabel.MatchString(t) {
				v.lines = append(v.lines, dateCandidate{d, "date line", v.order})
			}
		}
	}
}

// best picks the publication date of those collected: itemprop, else
// <time>, else the date line nearest the headline (one above it counting
// double the distance), else the first date line; "" when there is none.
func (v *visibleDates) best() (string, string) {
	if v.itemprop != nil {
		return v.itemprop.date, v.itemprop.from
	}
	if v.timeEl != nil {
		return v.timeEl.date, v.timeEl.from
	}
	if len(v.lines) == 0 {
		return "", ""
	}
	best := v.lines[0]
	if v.h1Order >= 0 {
		dist := func(o int) int {
			if o < v.h1Order {
				return (v.h1Order - o) * 2 // a date above the headline is less usual
			}
			return o - v.h1Order
		}
		for _, c := range v.lines[1:] {
			if dist(c.order) < dist(best.order) {
				best = c
			}
		}
	}
	return best.date, best.from
}
