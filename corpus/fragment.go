package corpus

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLinkBytes is the longest link QuoteLink makes by default: Discord
// refuses an embed whose url is longer.
const MaxLinkBytes = 512

// QuoteLink returns pageURL (its own fragment dropped) with a text
// fragment that opens the page at text[start:end] and highlights it:
// "#:~:text=[prefix-,]start[,end][,-suffix]" as the URL Fragment Text
// Directives spec has it (https://wicg.github.io/scroll-to-text-fragment/),
// each term percent-encoded ("-", "&" and "," included). The terms are
// whole words of the quote: the quote itself when short, else its first and
// last words; words before or after it are added as prefix and suffix when
// the terms alone would match elsewhere in the text too, so that the
// directive matches this quote and nothing else in the article (and so
// whatever the page has around the article that is not these words). The
// link is at most maxLen bytes (MaxLinkBytes when 0 or less): when no
// directive fits, it is pageURL without one, and "" when even that is too
// long or pageURL is not http(s).
func QuoteLink(pageURL, text string, start, end, maxLen int) string {
	if maxLen <= 0 {
		maxLen = MaxLinkBytes
	}
	u, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	base := u.String()
	if len(base) > maxLen {
		return ""
	}
	if start < 0 || end > len(text) || start >= end {
		return base
	}
	words := textWords(text)
	first, last := -1, -1
	for i, w := range words {
		if w.Start >= start && w.End <= end {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return base
	}
	for _, d := range candidates(first, last, len(words)) {
		prefix, st, en, suffix := d.terms(text, words)
		if s, e, n := matchDirective(text, words, prefix, st, en, suffix); n != 1 || s != first || e != last {
			continue
		}
		if link := base + "#:~:text=" + d.encode(text, words); len(link) <= maxLen {
			return link
		}
	}
	return base
}

// directive is a text directive as word ranges of the text: prefix
// [pre,first), start [first,startEnd], end [endStart,last] (none when
// endStart < 0), suffix (last,post].
type directive struct {
	pre, first, startEnd, endStart, last, post int
}

// candidates are the directives to try for the words [first,last], the
// shortest first: the whole quote when it is a few words, else its first
// and last k words; with no context, then a word or more of prefix or
// suffix or both, up to three.
func candidates(first, last, n int) []directive {
	var out []directive
	count := last - first + 1
	ks := []int{0}
	if count > 6 {
		ks = []int{3, 4, 6, 8}
	}
	for _, c := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 0}, {0, 2}, {2, 2}, {3, 3}} {
		for _, k := range ks {
			d := directive{pre: max(first-c[0], 0), first: first, startEnd: last, endStart: -1, last: last, post: min(last+c[1], n-1)}
			if k > 0 && 2*k < count {
				d.startEnd, d.endStart = first+k-1, last-k+1
			}
			out = append(out, d)
		}
	}
	return out
}

// terms returns a directive's prefix, start, end and suffix as word lists.
func (d directive) terms(text string, words []Span) (prefix, start, end, suffix []string) {
	get := func(a, b int) []string {
		var out []string
		for i := a; i <= b; i++ {
			out = append(out, text[words[i].Start:words[i].End])
		}
		return out
	}
	prefix = get(d.pre, d.first-1)
	start = get(d.first, d.startEnd)
	if d.endStart >= 0 {
		end = get(d.endStart, d.last)
	}
	suffix = get(d.last+1, d.post)
	return
}

// encode writes the directive's value (what follows "text=").
func (d directive) encode(text string, words []Span) string {
	prefix, start, end, suffix := d.terms(text, words)
	var b strings.Builder
	if len(prefix) > 0 {
		b.WriteString(encodeTerm(prefix) + "-,")
	}
	b.WriteString(encodeTerm(start))
	if len(end) > 0 {
		b.WriteString("," + encodeTerm(end))
	}
	if len(suffix) > 0 {
		b.WriteString(",-" + encodeTerm(suffix))
	}
	return b.String()
}

// encodeTerm percent-encodes words joined by spaces: every byte but ASCII
// letters, digits and "._~" is encoded, so the directive's own "-", ","
// and "&" never appear in a term.
func encodeTerm(words []string) string {
	s := strings.Join(words, " ")
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// textWords returns the spans of the text's words: runs of characters
// that are not white space.
func textWords(text string) []Span {
	var out []Span
	start := -1
	for i, r := range text {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, Span{Start: start, End: i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, Span{Start: start, End: len(text)})
	}
	return out
}

// matchDirective finds what a browser highlights for a directive in the
// text, in words: the first place where prefix is followed by start, then
// the first end after it that suffix follows. Words compare without regard
// to case, as browsers match. It returns the first and last word of the
// match; n counts the places the directive matches, so that a directive
// that matches once (n == 1) finds the same passage however much text the
// page has around the article.
func matchDirective(text string, words []Span, prefix, start, end, suffix []string) (first, last, n int) {
	at := func(i int, terms []string) bool {
		if i < 0 || i+len(terms) > len(words) {
			return false
		}
		for j, t := range terms {
			w := words[i+j]
			if !strings.EqualFold(text[w.Start:w.End], t) {
				return false
			}
		}
		return true
	}
	first, last = -1, -1
	for i := range words {
		if !at(i-len(prefix), prefix) || !at(i, start) {
			continue
		}
		startLast := i + len(start) - 1
		found := -1
		if len(end) == 0 {
			if at(startLast+1, suffix) {
				found = startLast
			}
		} else {
			for j := startLast + 1; j+len(end) <= len(words); j++ {
				if at(j, end) {
					if at(j+len(end), suffix) {
						found = j + len(end) - 1
					}
					break // the browser takes the first end; the suffix must follow it
				}
			}
		}
		if found >= 0 {
			if n == 0 {
				first, last = i, found
			}
			n++
		}
	}
	return first, last, n
}

// ParseTextDirective reads the text directive of a link made by QuoteLink:
// its prefix, start, end and suffix terms, decoded, split into words.
// ok is false when the link has none.
func ParseTextDirective(link string) (prefix, start, end, suffix []string, ok bool) {
	_, frag, found := strings.Cut(link, "#:~:text=")
	if !found {
		return nil, nil, nil, nil, false
	}
	parts := strings.Split(frag, ",")
	dec := func(s string) []string {
		v, err := url.PathUnescape(s)
		if err != nil || !utf8.ValidString(v) {
			return nil
		}
		return strings.Fields(v)
	}
	if len(parts) > 0 && strings.HasSuffix(parts[0], "-") {
		prefix, parts = dec(strings.TrimSuffix(parts[0], "-")), parts[1:]
	}
	if n := len(parts); n > 0 && strings.HasPrefix(parts[n-1], "-") {
		suffix, parts = dec(strings.TrimPrefix(parts[n-1], "-")), parts[:n-1]
	}
	switch len(parts) {
	case 1:
		start = dec(parts[0])
	case 2:
		start, end = dec(parts[0]), dec(parts[1])
	default:
		return nil, nil, nil, nil, false
	}
	return prefix, start, end, suffix, len(start) > 0
}

// FindTextDirective returns the byte span of the text that a link's text
// directive highlights, as a browser that matches whole words finds it
// (the first match), and how many places of the text it matches.
func FindTextDirective(text, link string) (Span, int) {
	prefix, start, end, suffix, ok := ParseTextDirective(link)
	if !ok {
		return Span{}, 0
	}
	words := textWords(text)
	first, last, n := matchDirective(text, words, prefix, start, end, suffix)
	if n == 0 {
		return Span{}, 0
	}
	return Span{Start: words[first].Start, End: words[last].End}, n
}
