package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// ErrNoArticle is returned (wrapped) by ParseHTML when a page holds no
// article text it can find: empty input, garbage, or a page of links only.
var ErrNoArticle = errors.New("no article text found")

// ErrNotHTML is returned (wrapped) by ParseHTML for input that is not an
// HTML page at all: binary data, or text without markup.
var ErrNotHTML = errors.New("not an HTML page")

// maxHTMLDepth bounds recursion on pathological, deeply nested pages;
// anything deeper is ignored.
const maxHTMLDepth = 400

// ParseHTML extracts the article from an HTML page: its prose paragraphs
// (without navigation, share widgets, related links, comments, adverts,
// photo captions, bylines, date lines or "Tags:" lines) and its metadata
// (title, outlet, author, publication date and where that date came from,
// language, canonical URL). pageURL is where the page was fetched from; it
// resolves a relative canonical link and is the URL when the page names
// none. The encoding is taken from a BOM or <meta charset>, else UTF-8 when
// valid, else windows-1252.
//
// Each paragraph is the text of one block element with its whitespace runs
// folded to single spaces; nothing else in it is changed. Paragraphs are
// joined with "\n\n" and their byte ranges are in Paragraphs. Errors wrap
// ErrNotHTML (binary data, no markup, unparsable) or ErrNoArticle (no prose
// found); ParseHTML never panics on bad input.
func ParseHTML(data []byte, pageURL string) (Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Document{}, fmt.Errorf("parsing HTML: %w: empty input", ErrNoArticle)
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return Document{}, fmt.Errorf("parsing HTML: %w: this is a PDF", ErrNotHTML)
	}
	src := decodeHTML(data)
	if why := notHTML(src); why != "" {
		return Document{}, fmt.Errorf("parsing HTML: %w: %s", ErrNotHTML, why)
	}
	root, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		return Document{}, fmt.Errorf("parsing HTML: %w: %v", ErrNotHTML, err)
	}
	var doc Document
	extractMetadata(root, pageURL, &doc)

	paras := extractBody(root)
	paras = filterHTMLParagraphs(paras, doc.Title)
	if len(paras) == 0 {
		return Document{}, fmt.Errorf("parsing HTML: %w", ErrNoArticle)
	}
	if doc.Published == "" {
		if dl, ok := readDateline(paras[0], pageDates); ok {
			doc.Published, doc.PublishedFrom = dl.date, "dateline"
		}
	}
	doc.Text, doc.Paragraphs = joinHTMLParagraphs(paras)
	return doc, nil
}

// decodeHTML converts data to UTF-8 (BOM, <meta charset>, UTF-8 if valid,
// else windows-1252, as browsers do).
func decodeHTML(data []byte) []byte {
	enc, name, _ := charset.DetermineEncoding(data, "")
	if name == "utf-8" || enc == nil {
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			return bytes.ToValidUTF8(data, []byte("\uFFFD"))
		}
		return data
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	return out
}

// notHTML says why decoded input is not an HTML page ("" if it may be):
// control characters or undecodable bytes beyond 1% mean binary data, and
// a page has at least one tag.
func notHTML(src []byte) string {
	bad, n := 0, 0
	for _, r := range string(src) {
		n++
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f') {
			bad++
		}
	}
	if bad*100 > n {
		return "binary data"
	}
	if !reHTMLTag.Match(src) {
		return "no HTML markup"
	}
	return ""
}

var reHTMLTag = regexp.MustCompile(`<(?:[a-zA-Z][a-zA-Z0-9-]*[\s/>]|!doctype|!DOCTYPE|!--)`)

// joinHTMLParagraphs joins paragraphs with "\n\n" and records their spans.
func joinHTMLParagraphs(paras []string) (string, []Span) {
	var b strings.Builder
	spans := make([]Span, 0, len(paras))
	for i, p := range paras {
		if i > 0 {
			b.WriteString("\n\n")
		}
		start := b.Len()
		b.WriteString(p)
		spans = append(spans, Span{Start: start, End: b.Len()})
	}
	return b.String(), spans
}

// ---------------------------------------------------------------------------
// Body extraction.

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

	// Score containers: each substantial paragraph gives its points to the
	// parent of its block (full), grandparent (half) and great-grandparent
	// (a third).
	scores := map[*html.Node]float64{}
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
			}
			scores[anc] += s / float64(level)
			anc = anc.Parent
		}
	}
	var top *html.Node
	best := 0.0
	linkDensity := map[*html.Node]float64{}
	for n, s := range scores {
		ld := linkDensityOf(n)
		linkDensity[n] = ld
		s *= 1 - ld
		scores[n] = s
		if top == nil || s > best || (s == best && isAncestorOf(n, top)) {
			top, best = n, s
		}
	}
	if top == nil {
		// Only short paragraphs: keep those that are not link lists.
		var out []string
		for _, p := range paras {
			if p.linkLen*2 <= len(p.text) {
				out = append(out, p.text)
			}
		}
		return out
	}

	// Siblings of the top candidate that look like more of the article
	// join it (a body split in two by an inline advert box, say).
	keep := map[*html.Node]bool{top: true}
	if top.Parent != nil {
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
	}

	var out []string
	for _, p := range paras {
		if !insideAny(p.block, keep) {
			continue
		}
		if p.linkLen*2 > len(p.text) {
			continue // a link list (related stories) inside the body
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

type htmlParaCollector struct {
	buf     strings.Builder
	linkLen int
	inLink  int
	brs     int
	block   *html.Node
	out     []htmlPara
}

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

// foldWhitespace replaces every run of white space (Unicode, including no-break
// spaces) by one space and trims the ends; it changes nothing else.
func foldWhitespace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

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

// reI compiles a case-insensitive regexp.
func reI(expr string) *regexp.Regexp { return regexp.MustCompile("(?i)" + expr) }

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

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

// ---------------------------------------------------------------------------
// Paragraph filters: lines that survive structural pruning but are not
// article prose.

var (
	reHTMLByline    = regexp.MustCompile(`^(?i:by|von|par|por|di|door|av|af|от)\s+\p{Lu}[\p{L}.'’\-]*(?:\s+(?:\p{Lu}[\p{L}.'’\-]*|van|von|de|der|da|del|di|le|la|and|und|et|y|e|&))*\s*(?:[,|·•/–—-]\s*[^.!?]{0,60})?$`)
	reHTMLLabel     = reI(`^(?:tags?|topics?|themen|schlagw(?:ö|oe)rter|stichw(?:ö|oe)rter|mots[- ]cl(?:é|e)s|etiquetas|th(?:è|e)mes?|related(?: stories| articles| coverage)?|read more|read also|also read|see also|more on this(?: story)?|more from [^:]{1,30}|recommended|weiterlesen|mehr zum thema|lesen sie auch|(?:à|a) lire aussi|lire aussi|sur le m(?:ê|e)me sujet|photo|photos|foto|fotos|bild|image|picture|credit|source|quelle|filed under|categories|category|posted in)\s*[:：]`)
	reHTMLJunk      = reI(`^(?:advertisement|advertisements|advertising|anzeige|werbung|publicit(?:é|e)|publicidad|pubblicit(?:à|a)|sponsored|sponsored content|story continues below(?: advertisement)?|article continues (?:below|after advertisement)|continue reading(?: below| the main story)?|skip advertisement|share|share this(?: post| article| story| page)?|share on \w+|tweet|email|print|copy link|comments?|show comments|leave a comment|subscribe|sign up|log in|login|already a subscriber\?.*|subscribe to continue reading.*|\d+ min(?:ute)?s? read|read time:? \d+ min(?:ute)?s?|listen to (?:this )?article|back to top|load more(?: updates)?|live|updated|key points)[.!:]?$`)
	reHTMLCopyright = reI(`^(?:©|\(c\)|copyright\b)`)
	reHTMLPaywall   = reI(`\b(?:subscribe|subscription|subscriber|abonnez|abonnieren|abonnement|sign up|log in|newsletter)\b`)
)

// filterHTMLParagraphs drops bylines, date lines, labels, advert markers,
// credits and repeated titles from the extracted paragraphs.
func filterHTMLParagraphs(paras []string, title string) []string {
	out := paras[:0:0]
	for _, p := range paras {
		if isJunkHTMLParagraph(p, title) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func isJunkHTMLParagraph(p, title string) bool {
	n := utf8.RuneCountInString(p)
	if title != "" && p == title {
		return true
	}
	if reHTMLJunk.MatchString(p) || reHTMLLabel.MatchString(p) {
		return true
	}
	if n <= 120 && reHTMLCopyright.MatchString(p) {
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

// ---------------------------------------------------------------------------
// Small DOM helpers.

func hAttr(n *html.Node, key string) string {
	v, _ := hAttrOK(n, key)
	return v
}

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

func findElement(n *html.Node, a atom.Atom) *html.Node {
	var found *html.Node
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if found != nil || depth > maxHTMLDepth {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == a {
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

// ---------------------------------------------------------------------------
// Metadata.

// htmlPageMeta is what the <head> and JSON-LD of a page say about it.
type htmlPageMeta struct {
	meta map[string]string // first content per lower-case name/property/itemprop
	ld   jsonLDArticle
}

// extractMetadata fills doc's metadata fields from root (before pruning).
func extractMetadata(root *html.Node, pageURL string, doc *Document) {
	pm := htmlPageMeta{meta: map[string]string{}}
	var titleTag, canonical string
	var htmlLang string
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				htmlLang = hAttr(n, "lang")
				if htmlLang == "" {
					htmlLang = hAttr(n, "xml:lang")
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
				if titleTag == "" && inHeadElement(n) {
					titleTag = foldWhitespace(nodeText(n))
				}
			case atom.Link:
				if canonical == "" && hasWord(hAttr(n, "rel"), "canonical") {
					canonical = hAttr(n, "href")
				}
			case atom.Script:
				if strings.Contains(strings.ToLower(hAttr(n, "type")), "ld+json") && n.FirstChild != nil {
					pm.ld.merge(parseJSONLD(n.FirstChild.Data))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	body := findElement(root, atom.Body)

	// Outlet.
	doc.Outlet = firstSet(
		pm.meta["og:site_name"], pm.ld.publisher, pm.meta["application-name"],
		pm.meta["apple-mobile-web-app-title"], pm.meta["dc.publisher"], pm.meta["publisher"])

	// Title.
	h1 := ""
	if body != nil {
		if n := findElement(body, atom.H1); n != nil {
			h1 = foldWhitespace(nodeText(n))
		}
	}
	title := firstSet(pm.ld.headline, pm.meta["og:title"], pm.meta["twitter:title"], pm.meta["dc.title"])
	if title == "" {
		title = titleTag
		if h1 != "" && (title == "" || strings.Contains(title, h1)) {
			title = h1
		}
	}
	doc.Title, _ = splitSiteSuffix(foldWhitespace(title), doc.Outlet)
	if doc.Outlet == "" {
		_, doc.Outlet = splitSiteSuffix(titleTag, "")
	}

	// Canonical URL.
	doc.URL = firstSet(resolveHTTPURL(pageURL, canonical), resolveHTTPURL(pageURL, pm.meta["og:url"]),
		resolveHTTPURL(pageURL, pm.ld.url), resolveHTTPURL("", pageURL))
	if doc.Outlet == "" {
		if u, err := url.Parse(doc.URL); err == nil {
			doc.Outlet = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}

	// Language.
	doc.Language = primaryLanguage(firstSet(htmlLang, pm.ld.inLanguage, pm.meta["content-language"],
		pm.meta["dc.language"], pm.meta["og:locale"]))

	// Author.
	doc.Author = cleanAuthorName(strings.Join(pm.ld.authors, ", "), doc.Outlet)
	if doc.Author == "" {
		for _, k := range []string{"author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator", "byl", "og:article:author"} {
			if a := cleanAuthorName(pm.meta[k], doc.Outlet); a != "" {
				doc.Author = a
				break
			}
		}
	}
	if doc.Author == "" && body != nil {
		doc.Author = bylineHTMLAuthor(body, doc.Outlet)
	}

	// Publication date, most reliable source first.
	if d, ok := findFullDate(pm.ld.datePublished); ok {
		doc.Published, doc.PublishedFrom = d, "json-ld datePublished"
	}
	if doc.Published == "" {
		for _, k := range htmlPublishedMetaKeys {
			if d, ok := findFullDate(pm.meta[k]); ok {
				doc.Published, doc.PublishedFrom = d, "meta "+k
				break
			}
		}
	}
	if doc.Published == "" && body != nil {
		doc.Published, doc.PublishedFrom = visibleHTMLDate(body)
	}
	if doc.Published == "" {
		if d, ok := urlDate(doc.URL); ok {
			doc.Published, doc.PublishedFrom = d, "url"
		}
	}
}

// htmlPublishedMetaKeys are <meta> names that hold a publication date. Modified
// and "last updated" dates are deliberately absent.
var htmlPublishedMetaKeys = []string{
	"article:published_time", "og:article:published_time", "og:published_time", "datepublished",
	"article.published", "parsely-pub-date", "sailthru.date", "publish-date", "publish_date",
	"publishdate", "pubdate", "publication_date", "dc.date.issued", "dcterms.issued",
	"dc.date.created", "dcterms.created", "dc.date", "dcterms.date", "date", "citation_publication_date",
}

func inHeadElement(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && n.DataAtom == atom.Head {
			return true
		}
	}
	return false
}

func hasWord(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

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

var reAuthorHref = reI(`/(?:authors?|autor(?:en)?|auteurs?|staff|journalists?|people|profiles?|writers?)/[^/?#]+/?(?:[?#].*)?$`)

func isCommentRegion(n *html.Node) bool {
	for _, t := range classWords(n) {
		if t == "comment" || t == "comments" || t == "related" || t == "sidebar" {
			return true
		}
	}
	return false
}

func findItempropNode(n *html.Node, prop string) *html.Node {
	var found *html.Node
	var walk func(c *html.Node, depth int)
	walk = func(c *html.Node, depth int) {
		if found != nil || depth > maxHTMLDepth {
			return
		}
		if c != n && c.Type == html.ElementNode && strings.EqualFold(hAttr(c, "itemprop"), prop) {
			found = c
			return
		}
		for ch := c.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, depth+1)
		}
	}
	walk(n, 0)
	return found
}

// dateSkipWords mark regions whose dates are not the article's.
var dateSkipWords = wordSet("nav", "navbar", "navigation", "menu", "sidebar", "footer", "widget", "widgets",
	"side", "rail", "latest", "ticker", "breaking", "topbar", "masthead", "comment", "comments", "related",
	"recommended", "popular", "trending", "mostread", "archive", "archives", "teaser", "teasers", "promo")

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

// ---------------------------------------------------------------------------
// JSON-LD.

// jsonLDArticle is what Verbatim reads from a page's schema.org JSON-LD.
type jsonLDArticle struct {
	found         bool
	headline      string
	datePublished string
	authors       []string
	publisher     string
	inLanguage    string
	url           string
}

// merge fills empty fields of a from b.
func (a *jsonLDArticle) merge(b jsonLDArticle) {
	if !b.found {
		return
	}
	if !a.found {
		*a = b
		return
	}
	if a.headline == "" {
		a.headline = b.headline
	}
	if a.datePublished == "" {
		a.datePublished = b.datePublished
	}
	if len(a.authors) == 0 {
		a.authors = b.authors
	}
	if a.publisher == "" {
		a.publisher = b.publisher
	}
	if a.inLanguage == "" {
		a.inLanguage = b.inLanguage
	}
	if a.url == "" {
		a.url = b.url
	}
}

var ldArticleTypes = wordSet("article", "newsarticle", "reportagenews", "analysisnewsarticle", "opinionnewsarticle",
	"backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
	"socialmediaposting", "report", "scholarlyarticle", "techarticle", "satiricalarticle", "advertisercontentarticle")

// parseJSONLD reads the first article-typed object in a JSON-LD script
// (top level, in an array, or in @graph). Malformed JSON yields nothing.
func parseJSONLD(src string) jsonLDArticle {
	var v any
	dec := json.NewDecoder(strings.NewReader(strings.TrimSpace(src)))
	if err := dec.Decode(&v); err != nil {
		return jsonLDArticle{}
	}
	var out jsonLDArticle
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if out.found || depth > 8 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e, depth+1)
			}
		case map[string]any:
			if isArticleType(x["@type"]) {
				out = articleFromLD(x)
				return
			}
			if g, ok := x["@graph"]; ok {
				visit(g, depth+1)
			}
			if m, ok := x["mainEntity"]; ok {
				visit(m, depth+1)
			}
		}
	}
	visit(v, 0)
	return out
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return ldArticleTypes[strings.ToLower(x)]
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

func articleFromLD(m map[string]any) jsonLDArticle {
	a := jsonLDArticle{found: true}
	a.headline = foldWhitespace(html.UnescapeString(firstSet(ldString(m["headline"]), ldString(m["name"]))))
	a.datePublished = firstSet(ldString(m["datePublished"]), ldString(m["dateCreated"]))
	a.authors = ldNames(m["author"])
	a.publisher = firstSet(ldNames(m["publisher"])...)
	a.inLanguage = ldString(m["inLanguage"])
	if a.inLanguage == "" {
		if l, ok := m["inLanguage"].(map[string]any); ok {
			a.inLanguage = ldString(l["alternateName"])
		}
	}
	a.url = ldString(m["url"])
	if me, ok := m["mainEntityOfPage"]; ok && a.url == "" {
		switch x := me.(type) {
		case string:
			a.url = x
		case map[string]any:
			a.url = firstSet(ldString(x["@id"]), ldString(x["url"]))
		}
	}
	return a
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	}
	return ""
}

// ldNames reads names from a string, a {name: …} object, or a list of them.
func ldNames(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if s := foldWhitespace(x); s != "" {
			out = append(out, s)
		}
	case map[string]any:
		if s := foldWhitespace(ldString(x["name"])); s != "" {
			out = append(out, s)
		}
	case []any:
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
	}
	return out
}
