package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// isHiddenNode reports elements a reader never sees.
func isHiddenNode(n *html.Node) bool {
	if _, ok := hAttrOK(n, "hidden"); ok {
		return true
	}
	if hAttr(n, "aria-hidden") == "true" {
		return true
	}
	st := strings.ToLower(strings.ReplaceAll(hAttr(n, "style"), " ", ""))
	if strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
		return true
	}
	for _, c := range strings.Fields(strings.ToLower(hAttr(n, "class"))) {
		switch c {
		case "hidden", "hide", "is-hidden", "d-none", "sr-only", "visually-hidden", "screen-reader-text", "invisible", "element-invisible":
			return true
		}
	}
	return false
}

// Class and id words that mark boilerplate. strongWords remove an element
// wherever it is; weakWords only when the element has no positive word
// (content, body, article…) and holds under half of the page's prose.
var (
	strongWords = wordSet(
		"ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adslot", "adunit", "dfp", "gpt",
		"comment", "comments", "commentlist", "disqus", "kommentar", "kommentare", "commentaires",
		"share", "shares", "sharing", "sharebar", "social", "socials", "teilen", "partage", "partager",
		"related", "recommended", "recommendation", "recommendations", "outbrain", "taboola", "mostread", "popular", "trending",
		"paywall", "cookie", "cookies", "consent", "gdpr", "newsletter", "promo", "promotion", "sponsor", "sponsored",
		"byline", "bylines", "caption", "captions", "credit", "credits", "figcaption",
		"breadcrumb", "breadcrumbs", "tags", "taglist", "keywords", "topics", "schlagworte",
		"werbung", "anzeige", "publicite", "pub",
	)
	weakWords = wordSet(
		"nav", "navbar", "navigation", "menu", "sidebar", "aside", "footer", "header", "masthead", "topbar",
		"widget", "widgets", "banner", "popup", "modal", "overlay", "subscribe", "subscription", "signup", "login",
		"toolbar", "tools", "skip", "breaking", "ticker", "meta", "date", "dateline", "time", "timestamp",
		"author", "authors", "auteur", "autor", "signature", "kicker", "print", "pagination", "pager", "more",
		"datum", "infos", "dek", "standfirst", "reading", "teaser", "latest", "side", "rail",
	)
	positiveWords = wordSet(
		"article", "articlebody", "body", "content", "entry", "main", "post", "story", "text", "texte",
		"artikel", "artikeltext", "blog", "live", "prose", "storybody",
	)
	// Multi-word class names whose words are harmless alone.
	strongClassPhrases = []string{"most-read", "mostread", "lire-aussi", "mehr-zum-thema", "read-more", "more-from",
		"see-also", "also-read", "read-also", "more-stories", "more-news", "key-event-share", "live-badge"}
)

// classWords splits class and id into lower-case words ("article-body
// main_col" -> article, body, main, col) plus each whole name without its
// separators ("articlebody").
func classWords(n *html.Node) []string {
	s := strings.ToLower(hAttr(n, "class") + " " + hAttr(n, "id"))
	var out []string
	for _, name := range strings.Fields(s) {
		words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for i := 0; i < len(words); i++ {
			switch words[i] {
			case "no", "non", "not", "without", "hide", "hidden":
				i++ // "non-paywall", "no-sidebar", "hide-comments" say the opposite
				continue
			}
			out = append(out, words[i])
		}
		if len(words) > 1 {
			joined := strings.Join(words, "")
			if !strings.HasPrefix(joined, "no") {
				out = append(out, joined)
			}
		}
	}
	return out
}

// hasPositiveWord reports whether n's class or id says it holds content
// ("article-body", "story").
func hasPositiveWord(n *html.Node) bool {
	for _, t := range classWords(n) {
		if positiveWords[t] {
			return true
		}
	}
	return false
}

// boilerplateKind says whether n is boilerplate: 2 strong, 1 weak, 0 not.
func boilerplateKind(n *html.Node) int {
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Footer, atom.Figure, atom.Figcaption, atom.Dialog, atom.Menu, atom.Form:
		if n.DataAtom == atom.Form {
			return 1 // some sites wrap the whole page in a <form>
		}
		return 2
	case atom.Header:
		return 1
	}
	switch hAttr(n, "role") {
	case "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "menu", "menubar", "toolbar", "alert", "alertdialog", "marquee":
		return 2
	}
	toks := classWords(n)
	if len(toks) == 0 {
		return 0
	}
	joined := strings.ToLower(hAttr(n, "class") + " " + hAttr(n, "id"))
	for _, ph := range strongClassPhrases {
		if strings.Contains(joined, ph) {
			return 2
		}
	}
	positive, weak := false, false
	for _, t := range toks {
		switch {
		case strongWords[t]:
			return 2
		case positiveWords[t]:
			positive = true
		case weakWords[t]:
			weak = true
		}
	}
	if weak && !positive {
		return 1
	}
	return 0
}

// pruneBoilerplate removes boilerplate elements from the tree. pText is the
// page's paragraph text length: a weak match holding more than half of it
// is a page wrapper with an unlucky class name, and stays.
func pruneBoilerplate(n *html.Node, pText int, depth int) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.CommentNode {
			n.RemoveChild(c)
			c = next
			continue
		}
		if c.Type != html.ElementNode {
			c = next
			continue
		}
		wrapper := c.DataAtom == atom.Html || c.DataAtom == atom.Body || c.DataAtom == atom.Main
		if depth > maxHTMLDepth || skipAtoms[c.DataAtom] || (isHiddenNode(c) && !wrapper) {
			n.RemoveChild(c)
			c = next
			continue
		}
		kind := 0
		if !wrapper {
			kind = boilerplateKind(c)
		}
		if kind > 0 && pText > 0 {
			// An element holding most of the page's prose is a wrapper
			// with an unlucky class ("Page-ad-margins", "has-sidebar"):
			// weak matches stay above half the prose, strong ones above
			// 60% (a long comment thread may hold more than the article).
			share := float64(pTextLen(c)) / float64(pText)
			if (kind == 1 && share > 0.5) || (kind == 2 && (share > 0.6 || (share > 0.3 && hasPositiveWord(c)))) {
				kind = 0
			}
		}
		if kind > 0 {
			n.RemoveChild(c)
		} else {
			pruneBoilerplate(c, pText, depth+1)
		}
		c = next
	}
}

// pTextLen is the length of text inside <p> elements under n.
func pTextLen(n *html.Node) int {
	total := 0
	var walk func(n *html.Node, inP bool, depth int)
	walk = func(n *html.Node, inP bool, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		if n.Type == html.TextNode && inP {
			total += len(strings.TrimSpace(n.Data))
		}
		if n.Type == html.ElementNode {
			if skipAtoms[n.DataAtom] {
				return
			}
			if n.DataAtom == atom.P {
				inP = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inP, depth+1)
		}
	}
	walk(n, false, 0)
	return total
}

// Paragraphs that survive pruning but are not article prose: bylines,
// labels ("Tags:", "Read more:"), advert and share markers, copyright
// lines, subscription prompts.
var (
	reHTMLByline  = regexp.MustCompile(`^(?i:by|von|par|por|di|door|av|af|от)\s+\p{Lu}[\p{L}.'’\-]*(?:\s+(?:\p{Lu}[\p{L}.'’\-]*|van|von|de|der|da|del|di|le|la|and|und|et|y|e|&))*\s*(?:[,|·•/–—-]\s*[^.!?]{0,60})?$`)
	reHTMLLabel   = reI(`^(?:tags?|topics?|themen|schlagw(?:ö|oe)rter|stichw(?:ö|oe)rter|mots[- ]cl(?:é|e)s|etiquetas|th(?:è|e)mes?|related(?: stories| articles| coverage)?|read more|read also|also read|see also|more on this(?: story)?|more from [^:]{1,30}|recommended|weiterlesen|mehr zum thema|lesen sie auch|(?:à|a) lire aussi|lire aussi|sur le m(?:ê|e)me sujet|photo|photos|foto|fotos|bild|image|picture|(?:photo|image|picture) credits?|photograph|credits?|source|quelle|filed under|categories|category|posted in)\s*[:：]`)
	reHTMLJunk    = reI(`^(?:advertisement|advertisements|advertising|anzeige|werbung|publicit(?:é|e)|publicidad|pubblicit(?:à|a)|sponsored|sponsored content|story continues below(?: advertisement)?|article continues (?:below|after advertisement)|continue reading(?: below| the main story)?|skip advertisement|share|share this(?: post| article| story| page)?|share on \w+|tweet|email|print|copy link|comments?|show comments|leave a comment|subscribe|sign up|log in|login|already a subscriber\?.*|subscribe to continue reading.*|\d+ min(?:ute)?s? read|read time:? \d+ min(?:ute)?s?|listen to (?:this )?article|back to top|load more(?: updates)?|live|updated|key points)[.!:]?$`)
	reHTMLPaywall = reI(`\b(?:subscribe|subscription|subscriber|abonnez|abonnieren|abonnement|sign up|log in|newsletter)\b`)
)

// filterHTMLParagraphs drops bylines, date lines, labels, advert markers,
// credits and repeated titles from the extracted paragraphs, and cuts
// furniture off the edges of prose (trimFurniture), in place.
func filterHTMLParagraphs(paras []string, title string) []string {
	out := paras[:0]
	for _, p := range paras {
		if title != "" && p == title {
			continue
		}
		s, e := trimFurniture(p)
		if s == e || isJunkHTMLParagraph(p[s:e]) {
			continue
		}
		out = append(out, p[s:e])
	}
	return out
}

// isJunkHTMLParagraph reports whether paragraph p is not article prose: a
// label, an advert or share marker, a copyright line, or a short byline,
// subscription prompt or date line.
func isJunkHTMLParagraph(p string) bool {
	n := utf8.RuneCountInString(p)
	if reHTMLJunk.MatchString(p) || reHTMLLabel.MatchString(p) || isCopyrightLine(p) {
		return true
	}
	if n <= 100 && reHTMLByline.MatchString(p) && !endsSentence(p, pageSentenceEnd) {
		return true
	}
	if n <= 100 && !endsSentence(p, pageSentenceEnd) && reHTMLPaywall.MatchString(p) {
		return true
	}
	if n <= 70 && !endsSentence(p, pageSentenceEnd) {
		if _, ok := findFullDate(p); ok {
			return true // a date line
		}
	}
	return false
}
