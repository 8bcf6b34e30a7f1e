package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A sentenceRule says what ends a sentence for endsSentence. The text parser
// and the web page and PDF parsers have always read sentence ends a little
// differently, and each keeps its own rule so that what they extract does
// not change: see textLineEnd and pageSentenceEnd.
type sentenceRule struct {
	marks   string // the last rune that counts must be one of these…
	closers string // …once trailing runes from this set are passed over
	spaces  bool   // pass over trailing white space too (any, between closers)
}

var (
	// textLineEnd is for lines of a text or Markdown file, as the person
	// who wrote it typed them: a full stop, question or exclamation mark,
	// ellipsis, colon or semicolon ends one (a list's lead-in line "The
	// points were:" is prose, not a headline), perhaps inside closing
	// quotes, brackets or Markdown emphasis (*, _), with white space after.
	textLineEnd = sentenceRule{marks: ".!?…:;", closers: "\"'”’»)]*_", spaces: true}
	// pageSentenceEnd is for a web page's paragraphs and a PDF's lines,
	// white space already folded: only a full stop, question or
	// exclamation mark or ellipsis ends one, perhaps inside closing quotes
	// or brackets.
	pageSentenceEnd = sentenceRule{marks: ".!?…", closers: "\"'”’»)]"}
)

// endsSentence reports whether s ends like a sentence by rule: its last
// rune, once closing quotes and brackets (and what else the rule passes
// over) are set aside, is one of the rule's marks.
func endsSentence(s string, rule sentenceRule) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return (rule.spaces && unicode.IsSpace(r)) || strings.ContainsRune(rule.closers, r)
	})
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(rule.marks, r)
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

// hasLetter reports whether s holds a letter (of any script).
func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// FoldForMatch folds a string for comparing text loosely: lower case, runs of
// white space to one space, curly quotes and apostrophes to straight ones.
// It is for comparisons only; stored and quoted text is never folded.
func FoldForMatch(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		switch r {
		case '‘', '’', '‚', '‛', '′':
			r = '\''
		case '“', '”', '„', '‟', '″', '«', '»':
			r = '"'
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
