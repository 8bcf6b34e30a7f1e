package corpus

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// resolveHTTPURL resolves ref against base and returns it if it is http(s).
func resolveHTTPURL(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if b, err := url.Parse(base); err == nil && base != "" {
		r = b.ResolveReference(r)
	}
	if (r.Scheme != "http" && r.Scheme != "https") || r.Host == "" {
		return ""
	}
	r.Fragment = ""
	return r.String()
}

// htmlPageMeta is what the <head> and JSON-LD of a page say about it.
type htmlPageMeta struct {
	meta      map[string]string // first content per lower-case name/property/itemprop
	ld        jsonLDArticle
	titleTag  string // the <title> in <head>, white space folded
	canonical string // the href of <link rel="canonical">, as written
	lang      string // the lang (or xml:lang) of <html>
}

// extractMetadata fills doc's metadata fields from root (before pruning).
func extractMetadata(root *html.Node, pageURL string, doc *Document) {
	pm := readPageMeta(root)
	body := findElement(root, atom.Body)

	doc.Outlet = firstSet(
		pm.meta["og:site_name"], pm.ld.publisher, pm.meta["application-name"],
		pm.meta["apple-mobile-web-app-title"], pm.meta["dc.publisher"], pm.meta["publisher"])
	doc.Title = pageTitle(pm, body, doc.Outlet)
	if doc.Outlet == "" {
		_, doc.Outlet = splitSiteSuffix(pm.titleTag, "")
	}
	doc.URL = firstSet(resolveHTTPURL(pageURL, pm.canonical), resolveHTTPURL(pageURL, pm.meta["og:url"]),
		resolveHTTPURL(pageURL, pm.ld.url), resolveHTTPURL("", pageURL))
	if doc.Outlet == "" {
		if u, err := url.Parse(doc.URL); err == nil {
			doc.Outlet = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	doc.Language = primaryLanguage(firstSet(pm.lang, pm.ld.inLanguage, pm.meta["content-language"],
		pm.meta["dc.language"], pm.meta["og:locale"]))
	doc.Author = pageAuthor(pm, body, doc.Outlet)
	doc.Published, doc.PublishedFrom = publishedDate(pm, body, doc.URL)
}

// readPageMeta walks the whole page for what it says about itself: <meta>
// tags, the <title> in <head>, the canonical link, <html lang> and JSON-LD
// scripts (the first article in each, merged in page order).
func readPageMeta(root *html.Node) htmlPageMeta {
	pm := htmlPageMeta{meta: map[string]string{}}
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		if n.Type == html.ElementNode {
			pm.read(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return pm
}

// read takes what element n says about the page into pm. Of <meta> tags
// with the same key, of <title>s and of canonical links the first counts;
// JSON-LD articles fill in what earlier ones left empty.
func (pm *htmlPageMeta) read(n *html.Node) {
	switch n.DataAtom {
	case atom.Html:
		pm.lang = hAttr(n, "lang")
		if pm.lang == "" {
			pm.lang = hAttr(n, "xml:lang")
		}
	case atom.Meta:
		content := strings.TrimSpace(hAttr(n, "content"))
		if content != "" {
			for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
				if key := strings.ToLower(strings.TrimSpace(hAttr(n, k))); key != "" {
					if _, seen := pm.meta[key]; !seen {
						pm.meta[key] = content
					}
				}
			}
		}
	case atom.Title:
		if pm.titleTag == "" && inHeadElement(n) {
			pm.titleTag = foldWhitespace(nodeText(n))
		}
	case atom.Link:
		if pm.canonical == "" && hasWord(hAttr(n, "rel"), "canonical") {
			pm.canonical = hAttr(n, "href")
		}
	case atom.Script:
		if strings.Contains(strings.ToLower(hAttr(n, "type")), "ld+json") && n.FirstChild != nil {
			pm.ld.merge(parseJSONLD(n.FirstChild.Data))
		}
	}
}

// pageTitle is the article's headline: JSON-LD's, Open Graph's, Twitter's
// or Dublin Core's, else the <title> (or the first <h1> when the <title>
// holds it or there is none), without a trailing " | Outlet".
func pageTitle(pm htmlPageMeta, body *html.Node, outlet string) string {
	h1 := ""
	if body != nil {
		if n := findElement(body, atom.H1); n != nil {
			h1 = foldWhitespace(nodeText(n))
		}
	}
	title := firstSet(pm.ld.headline, pm.meta["og:title"], pm.meta["twitter:title"], pm.meta["dc.title"])
	if title == "" {
		title = pm.titleTag
		if h1 != "" && (title == "" || strings.Contains(title, h1)) {
			title = h1
		}
	}
	title, _ = splitSiteSuffix(foldWhitespace(title), outlet)
	return title
}

// pageAuthor is the article's author: JSON-LD's authors, else the first
// author <meta> that is a name, else a byline in the body.
func pageAuthor(pm htmlPageMeta, body *html.Node, outlet string) string {
	if a := cleanAuthorName(strings.Join(pm.ld.authors, ", "), outlet); a != "" {
		return a
	}
	for _, k := range []string{"author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator", "byl", "og:article:author"} {
		if a := cleanAuthorName(pm.meta[k], outlet); a != "" {
			return a
		}
	}
	if body != nil {
		return bylineHTMLAuthor(body, outlet)
	}
	return ""
}

// firstSet returns the first of vals that is not blank, trimmed, or "".
func firstSet(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// splitSiteSuffix splits "Headline | Site" into its parts when the last
// part is the outlet (or, with no outlet known, is short); else it returns
// the title unchanged.
func splitSiteSuffix(title, outlet string) (string, string) {
	for _, sep := range []string{" | ", " - ", " — ", " – ", " :: ", " · ", " » "} {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		head, tail := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+len(sep):])
		if outlet != "" {
			if strings.EqualFold(tail, outlet) {
				return head, tail
			}
			continue
		}
		if len(strings.Fields(tail)) <= 4 && len(strings.Fields(head)) >= 2 {
			return head, tail
		}
	}
	return title, ""
}

// primaryLanguage reduces "en-US", "de_DE" or "fr" to the primary language
// subtag ("en", "de", "fr").
func primaryLanguage(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_,; "); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}

// reAuthorPrefix is a "By" before an author's name, reAuthorTail what
// follows the name on a byline (", Staff Reporter", "| 5 min read").
var (
	reAuthorPrefix = reI(`^(?:written |posted |reported )?(?:by|von|par|por|di|door|av|af)\s+`)
	reAuthorTail   = reI(`\s*(?:[,|·•–—]|\s-\s).*$`)
)

// cleanAuthorName tidies an author string; "" when it is not a name (a URL, an
// e-mail address, the outlet itself).
func cleanAuthorName(s, outlet string) string {
	s = foldWhitespace(s)
	s = reAuthorPrefix.ReplaceAllString(s, "")
	if strings.Contains(s, "://") || strings.HasPrefix(s, "www.") || strings.Contains(s, "@") && !strings.Contains(s, " ") {
		return ""
	}
	if strings.EqualFold(s, outlet) || utf8.RuneCountInString(s) < 3 || utf8.RuneCountInString(s) > 100 || !hasLetter(s) {
		return ""
	}
	return s
}

// bylineHTMLAuthor looks for an author in the page body: itemprop="author",
// rel="author" or author-page links, then byline-like elements.
func bylineHTMLAuthor(body *html.Node, outlet string) string {
	var found string
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if found != "" || depth > maxHTMLDepth || n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if n.Type == html.ElementNode {
			if skipAtoms[n.DataAtom] || n.DataAtom == atom.Footer || n.DataAtom == atom.Aside || n.DataAtom == atom.Nav || isCommentRegion(n) {
				return
			}
			switch {
			case strings.EqualFold(hAttr(n, "itemprop"), "author"):
				if nm := findItempropNode(n, "name"); nm != nil {
					found = cleanAuthorName(nodeText(nm), outlet)
				} else {
					found = cleanAuthorName(nodeText(n), outlet)
				}
			case n.DataAtom == atom.A && (hasWord(hAttr(n, "rel"), "author") || reAuthorHref.MatchString(hAttr(n, "href"))):
				found = cleanAuthorName(nodeText(n), outlet)
			}
			if found != "" {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(body, 0)
	if found != "" {
		return found
	}
	// Byline-classed elements: "By Robert Keane, Staff Reporter".
	var walk2 func(n *html.Node, depth int)
	walk2 = func(n *html.Node, depth int) {
		if found != "" || depth > maxHTMLDepth {
			return
		}
		if n.Type == html.ElementNode {
			if skipAtoms[n.DataAtom] || n.DataAtom == atom.Footer || n.DataAtom == atom.Aside || n.DataAtom == atom.Nav || isCommentRegion(n) {
				return
			}
			for _, t := range classWords(n) {
				switch t {
				case "byline", "author", "authors", "auteur", "autor", "signature", "writer", "reporter":
					t := foldWhitespace(nodeText(n))
					if utf8.RuneCountInString(t) <= 80 {
						found = cleanAuthorName(reAuthorTail.ReplaceAllString(t, ""), outlet)
					}
				}
				if found != "" {
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk2(c, depth+1)
		}
	}
	walk2(body, 0)
	return found
}

// reAuthorHref is the path of an author's page (/authors/jane-doe).
var reAuthorHref = reI(`/(?:authors?|autor(?:en)?|auteurs?|staff|journalists?|people|profiles?|writers?)/[^/?#]+/?(?:[?#].*)?$`)

// isCommentRegion reports whether n's class or id marks comments, related
// stories or a sidebar, where names are not the article's author.
func isCommentRegion(n *html.Node) bool {
	for _, t := range classWords(n) {
		if t == "comment" || t == "comments" || t == "related" || t == "sidebar" {
			return true
		}
	}
	return false
}
