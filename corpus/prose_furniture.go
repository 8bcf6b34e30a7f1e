package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Furniture at the edges of a paragraph of prose, which both the text and
// the page parsers cut off (see trimFurniture): a photo credit at its end,
// an advertisement marker at its start or end. What is cut is never stored,
// so never quoted as the article's; the prose either side is kept.
var (
	// creditAgencies are the photo agencies of credits like "Evan Vucci/AP".
	creditAgencies = `(?:AP|AFP|Reuters|REUTERS|Getty Images|Getty|EPA|EPA-EFE|TASS|Sputnik|ANP|Bloomberg|Xinhua|Shutterstock|Pool|POOL)`
	// creditInBrackets is a bracketed credit at the end: "(Image credit:
	// Getty Images)", "(AP Photo/Evan Vucci)", "(Evan Vucci/AP)", "(Photo:
	// Reuters)", "(Getty Images)". A bracket that merely mentions an image
	// ("(the image showed …)") is not one.
	creditInBrackets = regexp.MustCompile(`\((?:` +
		`(?i:(?:(?:AP|AFP|file|reuters)\s+)?(?:photo|photograph|image|picture|pic)s?(?:\s+credit)?|credits?)\s*(?::|/|\bby\b)[^()]*|` +
		`[^()]*\b(?i:photo|photograph|image|picture)\b[^()]*/[^()]*|` +
		`[^()]*/\s*` + creditAgencies + `\b[^()]*|` +
		`(?:[^()]*\s)?Getty Images` +
		`)\)\s*$`)
	// creditBare is a credit without brackets, alone or after the last
	// sentence: "Mikhail Klimentyev/Sputnik/AFP via Getty Images", "Photo:
	// Reuters", "Getty Images". Submatch 1 is the end of the sentence.
	creditBare = regexp.MustCompile(`(?:^|([.!?…]["”’)]?)\s+)(?:` +
		`\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3}(?:\s*/\s*` + creditAgencies + `)+(?:\s+via\s+Getty Images)?|` +
		`(?i:photo|photograph|image|picture|photo credit|image credit|credit)\s*:\s*[^.!?]{1,80}|` +
		`(?:` + creditAgencies + `\s+)?(?:via\s+)?Getty Images` +
		`)\s*$`)
	// captionDated is the end of a news photo's caption in the agencies'
	// style, the day the photo was taken: "…, Finland, Monday, July 16,
	// 2018." Prose before a credit that ends so is the caption, not the
	// article's.
	captionDated = regexp.MustCompile(`\b` + monthRe + `\s+\d{1,2},\s+\d{4}\.$`)
	// adLead is an advertisement marker before the first sentence.
	adLead = regexp.MustCompile(`^(?:ADVERTISEMENT|Advertisement|(?:Story|Article) continues below(?: advertisement)?|Skip Advertisement|SKIP ADVERTISEMENT)\s+`)
	// adTrail is one after the last sentence; submatch 1 ends the sentence.
	adTrail = regexp.MustCompile(`([.!?…]["”’)]?)\s+(?:ADVERTISEMENT|Advertisement)\s*$`)
)

// trimFurniture returns the part p[start:end] of paragraph p that is prose
// once furniture at its edges (see above) is cut off, white space trimmed;
// start == end when nothing is left, or when what is before a credit is a
// dated caption.
func trimFurniture(p string) (start, end int) {
	start, end = 0, len(p)
	if p != "" && strings.IndexByte("AS", p[0]) >= 0 {
		if m := adLead.FindStringIndex(p); m != nil {
			if r, _ := utf8.DecodeRuneInString(p[m[1]:]); unicode.IsUpper(r) || strings.ContainsRune("\"“‘'", r) {
				start = m[1]
			}
		}
	}
	for range 3 { // a credit, then an advertisement marker, say
		body := p[start:end]
		cut := trailingFurniture(body)
		if cut == len(body) {
			break
		}
		end = start + len(strings.TrimRightFunc(body[:cut], unicode.IsSpace))
		if captionDated.MatchString(p[start:end]) {
			return start, start // a photo's caption and credit
		}
	}
	if end <= start {
		return start, start
	}
	return start, end
}

// trailingFurniture returns where a credit or advertisement marker at the
// end of p starts (just after the sentence before it), or len(p). The
// regexps run only on what may match: a bracket at the end, a slash, colon
// or "Getty Images" near it, a marker's last letters.
func trailingFurniture(p string) int {
	t := strings.TrimRightFunc(p, unicode.IsSpace)
	tail := t[max(0, len(t)-200):]
	switch {
	case strings.HasSuffix(t, ")"):
		if m := creditInBrackets.FindStringIndex(p); m != nil {
			return m[0]
		}
	case strings.ContainsAny(tail, "/:") || strings.HasSuffix(t, "Getty Images"):
		if m := creditBare.FindStringSubmatchIndex(p); m != nil {
			return max(m[3], 0) // the sentence's end, or 0 when all of p is the credit
		}
	case strings.HasSuffix(t, "ADVERTISEMENT") || strings.HasSuffix(t, "Advertisement"):
		if m := adTrail.FindStringSubmatchIndex(p); m != nil {
			return m[3]
		}
	}
	return len(p)
}

// copyrightLine matches a copyright notice ("© 2021 Reuters", "Copyright
// 2021 The Associated Press. All rights reserved."), not prose about
// copyright ("Copyright law in Russia was rewritten in 2019.").
var copyrightLine = regexp.MustCompile(`(?i)^(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))|\ball rights reserved\b`)

// isCopyrightLine reports whether p is a short copyright notice.
func isCopyrightLine(p string) bool {
	if p == "" || len(p) > 4*160 || utf8.RuneCountInString(p) > 160 {
		return false
	}
	// The regexp only where it may match: a notice's first letters, or
	// "rights reserved" in either case.
	lead := strings.HasPrefix(p, "©") || strings.IndexByte("(cC", p[0]) >= 0
	return (lead || strings.Contains(p, "ights reserved") || strings.Contains(p, "IGHTS RESERVED")) && copyrightLine.MatchString(p)
}
