package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotText is returned, wrapped, for input that is not UTF-8 text: a
// binary file, UTF-16 text, or bytes that are not UTF-8. The message says
// which.
var ErrNotText = errors.New("not UTF-8 text")

// checkText says why data is not UTF-8 text, or returns nil: UTF-16 (by its
// byte order mark), a NUL byte (a binary file), or the first byte that is
// not UTF-8.
func checkText(data []byte) error {
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return fmt.Errorf("%w: it is UTF-16 text; save it as UTF-8 and add it again", ErrNotText)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("%w: a binary file (it holds NUL bytes, the first at byte %d); add the article as a text, Markdown, HTML or PDF file", ErrNotText, i)
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Errorf("%w: byte %d is not UTF-8 (save the file as UTF-8 and add it again)", ErrNotText, i)
		}
		i += n
	}
	return nil
}

// ErrEmpty is returned when nothing of an input is article prose.
var ErrEmpty = errors.New("no article text found")

// unit is one candidate paragraph of a text file: a byte range of the
// normalized input and the text it covers.
type unit struct {
	start, end int
	text       string
	listItem   bool // a Markdown list item: never taken for a headline
	heading    bool // a Markdown heading (# …)
}

// ParseText parses a plain-text or Markdown article like the seed files:
// it finds the title (the first headline line; "Title | OUTLET" gives both),
// the outlet and date from a dateline ("WASHINGTON, February 25. /TASS/.",
// "MOSCOW (TASS) —") or a date line ("date 2021-03-17"), and removes what is
// not article prose: site furniture ("All news", "Advertisement"), comment
// forms and share widgets, related-headline lines inside the body, and photo
// credits. What is removed is not part of Document.Text and so can never be
// quoted. Paragraphs of Text are byte-for-byte copies of the input's lines
// (after CRLF → LF), so a quote cut from Text is word-for-word in the file.
func ParseText(data []byte) (Document, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if err := checkText(data); err != nil {
		return Document{}, err
	}
	src := strings.ReplaceAll(string(data), "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")

	var doc Document
	src, front := splitFrontMatter(src)
	units := splitUnits(src)
	units = dropFurniture(units)
	units = takeMetaLines(units, &doc) // a date or byline above the headline
	units = takeHeadline(units, &doc)
	units = takeMetaLines(units, &doc) // … or below it
	units = dropRelatedHeadlines(units)
	findDateline(units, &doc)
	front.apply(&doc)

	var b strings.Builder
	b.Grow(len(src))
	doc.Paragraphs = make([]Span, 0, len(units))
	for _, u := range units {
		if strings.TrimSpace(u.text) == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		start := b.Len()
		b.WriteString(u.text)
		doc.Paragraphs = append(doc.Paragraphs, Span{Start: start, End: b.Len()})
	}
	doc.Text = b.String()
	if len(doc.Paragraphs) == 0 {
		return Document{}, ErrEmpty
	}
	if doc.Title == "" {
		doc.Title = titleFromText(doc.Text[doc.Paragraphs[0].Start:doc.Paragraphs[0].End])
	}
	if doc.Language == "" {
		doc.Language = guessLanguage(doc.Text)
	}
	return doc, nil
}

// splitUnits cuts the text into paragraphs: blocks separated by blank lines.
// Inside a block, each line is its own paragraph when the block reads as one
// paragraph a line (long lines, or lines ending a sentence); a hard-wrapped
// block (short lines that run on) stays one paragraph, newlines included.
func splitUnits(src string) []unit {
	units := make([]unit, 0, strings.Count(src, "\n")+1) // at most one a line
	// units[first:] are the lines of the current block.
	first := 0
	endBlock := func() {
		if block := units[first:]; hardWrapped(block) {
			s, e := block[0].start, block[len(block)-1].end
			units = append(units[:first], unit{start: s, end: e, text: src[s:e]})
		} else {
			for i := range block {
				markLine(&block[i])
			}
		}
		first = len(units)
	}
	for pos := 0; pos <= len(src); {
		end := len(src)
		if nl := strings.IndexByte(src[pos:], '\n'); nl >= 0 {
			end = pos + nl
		}
		raw := src[pos:end]
		// Trim surrounding white space but keep exact offsets.
		if trimmed := strings.TrimSpace(raw); trimmed != "" {
			s := pos + len(raw) - len(strings.TrimLeftFunc(raw, unicode.IsSpace))
			units = append(units, unit{start: s, end: s + len(trimmed), text: trimmed})
		} else if len(units) > first {
			endBlock()
		}
		pos = end + 1
	}
	if len(units) > first {
		endBlock()
	}
	return units
}

// markLine marks a line that is its own paragraph as a Markdown list item
// or heading (its text then without the #s).
func markLine(u *unit) {
	u.listItem = mdListItem.MatchString(u.text)
	if m := mdHeading.FindStringSubmatchIndex(u.text); m != nil {
		u.heading = true
		u.start += m[2]
		u.text = u.text[m[2]:]
	}
}

// hardWrapped reports whether a block's lines are one paragraph wrapped at a
// fixed width: there are several, every line but the last is short and runs
// on (does not end a sentence), and none is a list item or a heading.
func hardWrapped(lines []unit) bool {
	if len(lines) < 2 {
		return false
	}
	for i, l := range lines {
		s := l.text
		if mdListItem.MatchString(s) || mdHeading.MatchString(s) {
			return false
		}
		if i < len(lines)-1 && (utf8.RuneCountInString(s) > 100 || endsSentence(s, textLineEnd)) {
			return false
		}
	}
	return true
}

// mdHeading is a Markdown heading line ("## A section"), its text the
// submatch; mdListItem a Markdown list item ("- point", "1. point").
var (
	mdHeading  = regexp.MustCompile(`^#{1,6}\s+(\S.*)$`)
	mdListItem = regexp.MustCompile(`^(?:[-*+]|\d{1,3}[.)])\s+\S`)
)

// furniture are lines of site furniture that are never article prose,
// matched against the whole line (case-insensitive, trimmed). The open
// ends ("follow us on …", "powered by …") take a few words without a
// sentence end: "Powered by cheap gas, the plant …" is prose.
var furniture = regexp.MustCompile(`(?i)^(?:all news|advertisement|advertising|ad|sponsored|sponsored content|` +
	`share|share this|share this article|share this story|share on (?:facebook|twitter|x|whatsapp|linkedin|telegram)|tweet|email|print|` +
	`copy link|click to share on [^.!?,]{1,40}|follow us on [^.!?]{1,60}|subscribe|subscribe now|sign up|newsletter|read more|read next|` +
	`more news|related|related articles|related news|related stories|recommended|you may also like|most read|` +
	`skip to (?:main )?content|menu|home|back to top|image|photo|video|listen to this article|` +
	`social share buttons and icons powered by [^.!?,]{1,40}|powered by [^.!?,]{1,40}|like this|loading\.\.\.)\s*:?$`)

// commentStart marks the start of a comment section or comment form: it and
// everything after it are not the article.
var commentStart = regexp.MustCompile(`(?i)^(?:leave a reply|leave a comment|post a comment|add a comment|` +
	`\d+ comments?|comments?(?: \(\d+\))?|join the conversation|what do you think\?)$`)

// commentForm are the lines of a comment form.
var commentForm = regexp.MustCompile(`(?i)^(?:your email address will not be published.*|required fields are marked.*|` +
	`name\s*\*?|email\s*\*?|website|comment\s*\*?|post comment|submit|save my name, email, and website.*|` +
	`cancel reply|notify me of (?:follow-up comments|new posts).*)$`)

// photoCaption matches a photo caption or credit line, or a tags line, by
// its label. A credit after prose is cut off, not the prose (trimFurniture).
var photoCaption = regexp.MustCompile(`(?i)^(?:(?:photo|image|picture|photograph|caption|credit|photo credit|image credit)\s*:|` +
	`(?:photo|image) by\s|tags?\s*:)`)

// dropFurniture removes site furniture, comment sections, photo captions
// and copyright lines, and cuts furniture off the edges of prose
// (trimFurniture), in place.
func dropFurniture(units []unit) []unit {
	out := units[:0]
	for _, u := range units {
		t := strings.TrimSpace(u.text)
		if commentStart.MatchString(t) {
			break
		}
		if furniture.MatchString(t) || commentForm.MatchString(t) || photoCaption.MatchString(t) || isCopyrightLine(t) {
			continue
		}
		s, e := trimFurniture(u.text)
		if s == e {
			continue
		}
		u.start, u.end, u.text = u.start+s, u.start+e, u.text[s:e]
		out = append(out, u)
	}
	return out
}

// takeHeadline takes the title from the first unit when it reads as a
// headline, and drops a repeat of it that follows ("Title | OUTLET" page
// title, then the article's own headline). The article's own form of the
// headline wins over the page title's.
func takeHeadline(units []unit, doc *Document) []unit {
	if len(units) == 0 {
		return units
	}
	first := units[0]
	if !first.heading && (first.listItem || !isHeadline(first.text)) {
		return units
	}
	title := first.text
	if i := strings.LastIndex(title, " | "); i > 0 {
		outlet := strings.TrimSpace(title[i+3:])
		if outlet != "" && utf8.RuneCountInString(outlet) <= 60 {
			doc.Outlet = outlet
			title = strings.TrimSpace(title[:i])
		}
	}
	doc.Title = title
	units = units[1:]
	if len(units) > 0 && sameText(units[0].text, title) {
		doc.Title = units[0].text
		units = units[1:]
	}
	return units
}

// isHeadline reports whether a line reads as a headline: one line, not too
// long, and not ending a sentence.
func isHeadline(s string) bool {
	return !strings.Contains(s, "\n") && utf8.RuneCountInString(s) <= 200 && !endsSentence(s, textLineEnd)
}

// sameText compares two strings ignoring case, white space and the form of
// quotes and apostrophes.
func sameText(a, b string) bool {
	return FoldForMatch(a) == FoldForMatch(b)
}

var (
	// dateLine is a leading "date 2021-03-17" (or "Date: …", "Published: …").
	dateLine = regexp.MustCompile(`(?i)^(?:date|dated|published(?: on)?|posted(?: on)?)\s*:?\s+(` + isoDateRe + `|` + writtenDateRe + `)(?:\s+|$)`)
	// byLine is an author line: "By Jane Doe" (and nothing else on the line).
	byLine = regexp.MustCompile(`^(?:By|BY|by)\s+([\p{Lu}][\p{L}.'’-]+(?:\s+(?:[\p{Lu}][\p{L}.'’-]+|and|de|van|von|der|al-\p{L}+)){0,6})\s*$`)
)

// takeMetaLines reads date and author lines at the start of the article and
// removes them from the prose. A date prefix on a paragraph (" date
// 2021-03-17 The Kremlin …") is cut off the paragraph; the rest stays.
func takeMetaLines(units []unit, doc *Document) []unit {
	for i := 0; i < len(units) && i < 4; i++ {
		u := &units[i]
		if m := dateLine.FindStringSubmatchIndex(u.text); m != nil && doc.Published == "" {
			doc.Published = normalizeDate(u.text[m[2]:m[3]])
			doc.PublishedFrom = "date line"
			// The rest starts after the white space that ends the date,
			// Unicode spaces too (a line of only a no-break space is blank).
			rest := strings.TrimLeftFunc(u.text[m[1]:], unicode.IsSpace)
			u.start += len(u.text) - len(rest)
			u.text = rest
		}
		if m := byLine.FindStringSubmatch(u.text); m != nil && doc.Author == "" {
			doc.Author = m[1]
			u.text = ""
		}
	}
	out := units[:0]
	for _, u := range units {
		if strings.TrimSpace(u.text) != "" {
			out = append(out, u)
		}
	}
	return out
}

// dropRelatedHeadlines removes short lines without closing punctuation that
// stand between paragraphs of prose: links to related stories ("Putin's
// autograph sold at auction for $5,000") and section headings. They are not
// sentences of the article and are never quoted.
func dropRelatedHeadlines(units []unit) []unit {
	out := units[:0]
	for i, u := range units {
		if u.heading && i > 0 {
			continue
		}
		t := strings.TrimSpace(u.text)
		if i > 0 && !u.listItem && !strings.Contains(t, "\n") && !endsSentence(t, textLineEnd) &&
			utf8.RuneCountInString(t) <= 100 && len(strings.Fields(t)) <= 15 {
			continue
		}
		out = append(out, u)
	}
	return out
}

// findDateline reads the outlet and date of the first paragraphs' dateline.
// The dateline stays in the text: it is part of the article as published.
func findDateline(units []unit, doc *Document) {
	for i := 0; i < len(units) && i < 3; i++ {
		dl, ok := readDateline(units[i].text, writtenDates)
		if !ok {
			continue
		}
		if doc.Outlet == "" {
			doc.Outlet = dl.outlet
		}
		if doc.Published == "" && dl.date != "" {
			doc.Published = dl.date
			doc.PublishedFrom = "dateline"
		}
		return
	}
}

// titleFromText makes a title for an article that has no headline: its first
// sentence, shortened at a word boundary to about 100 characters.
func titleFromText(p string) string {
	p = strings.Join(strings.Fields(p), " ")
	if i := firstSentenceEnd(p); i > 0 {
		p = p[:i]
	}
	if utf8.RuneCountInString(p) <= 100 {
		return p
	}
	cut := 0
	n := 0
	for i, r := range p {
		if n >= 100 {
			break
		}
		if unicode.IsSpace(r) {
			cut = i
		}
		n++
	}
	if cut == 0 {
		cut = len(p)
	}
	return strings.TrimRight(p[:cut], " ,;:") + "…"
}

// firstSentenceEnd returns the byte index just past the first sentence end
// (". " after a lower-case word), or -1.
func firstSentenceEnd(p string) int {
	for i := 1; i+1 < len(p); i++ {
		if (p[i] == '.' || p[i] == '?' || p[i] == '!' || p[i] == ';') && p[i+1] == ' ' && unicode.IsLower(rune(p[i-1])) {
			return i + 1
		}
	}
	return -1
}

// guessLanguage returns "en" when the text reads as English (common English
// function words are frequent) and "" when it cannot tell. It reads the
// first 64 KiB, some ten thousand words: enough to tell.
func guessLanguage(text string) string {
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	words := strings.Fields(strings.ToLower(text))
	if len(words) < 20 {
		return ""
	}
	common := map[string]bool{"the": true, "of": true, "and": true, "to": true, "in": true, "a": true, "is": true, "that": true, "was": true, "for": true, "on": true, "with": true}
	n := 0
	for _, w := range words {
		if common[strings.Trim(w, ".,;:\"'“”")] {
			n++
		}
	}
	if float64(n)/float64(len(words)) > 0.12 {
		return "en"
	}
	return ""
}

// frontMatter holds the keys of a Markdown front-matter block that Verbatim
// reads: title, outlet (or site/publisher), author, date, url, language.
type frontMatter map[string]string

// splitFrontMatter removes a leading "---" front-matter block and returns the
// rest with the keys it read. The block's bytes are replaced by newlines so
// offsets in the rest of the text are unchanged.
func splitFrontMatter(src string) (string, frontMatter) {
	if !strings.HasPrefix(src, "---\n") {
		return src, nil
	}
	end := strings.Index(src[4:], "\n---")
	if end < 0 {
		return src, nil
	}
	block := src[4 : 4+end]
	stop := 4 + end + 4
	if stop < len(src) && src[stop] != '\n' {
		return src, nil
	}
	fm := frontMatter{}
	for _, l := range strings.Split(block, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		// Quotes around a value are not part of it, nor is white space
		// inside them (title: "  " is no title).
		v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), `"'`))
		fm[strings.ToLower(strings.TrimSpace(k))] = v
	}
	if stop > len(src) {
		stop = len(src)
	}
	return strings.Repeat("\n", stop) + src[stop:], fm
}

// apply sets the document's metadata from the front matter; what the author
// of the file wrote there wins over what was guessed from the text.
func (fm frontMatter) apply(doc *Document) {
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v := fm[k]; v != "" {
				return v
			}
		}
		return ""
	}
	if v := pick("title"); v != "" {
		doc.Title = v
	}
	if v := pick("outlet", "site", "site_name", "publisher", "source"); v != "" {
		doc.Outlet = v
	}
	if v := pick("author", "byline"); v != "" {
		doc.Author = v
	}
	if v := pick("date", "published", "published_at"); v != "" {
		doc.Published = normalizeDate(v)
		doc.PublishedFrom = "front matter"
	}
	if v := pick("url", "canonical", "link"); v != "" {
		doc.URL = v
	}
	if v := pick("language", "lang"); v != "" {
		doc.Language = v
	}
}
