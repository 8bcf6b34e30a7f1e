package retrieval

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	index "github.com/blevesearch/bleve_index_api"
)

// Typo correction: a question word neither the library nor English has is
// read as the library's word it is a typo of (see correction). Like the
// other settings of how questions are read, these are properties of the
// language, not of a library.
const (
	// minTypoRunes is the shortest word corrected as a typo: shorter ones
	// have too many neighbours one edit away.
	minTypoRunes = 4
	// twoEditRunes is the shortest word that may be two edits from its
	// correction. Terms are stemmed, and a typo often defeats the stemmer
	// ("electon" stays "electon" while "election" is "elect"), so a word of
	// six letters may already be two edits from its term.
	twoEditRunes = 6
)

// correction returns the library's word for a typo (a word neither the
// library nor English has; raw as typed, in lower case, t as analysed), and
// how many passages have it; "" when there is none. A typo keeps its first
// letter, and is found two ways:
//
//   - the word as typed, one edit away (a letter left out, added, changed,
//     or two swapped), is an English word whose term the library has:
//     "electon" is "election", which the library has as "elect". This sees
//     through the stemmer, which leaves a typo whole while it cuts the word
//     meant;
//   - the term is one edit from a term of the library's dictionary, or two
//     for long words when that term is not English — a name the library
//     has ("ryabkof" is "ryabkov").
//
// A word two edits from an English word is not made into it: a name the
// library lacks is as often two edits from an English word ("Navalny" and
// "naval") as a typo is, and taking it for that word would answer a
// question the library does not cover. For the same reason a word typed as
// a name (name: "what did Modi say") is only ever a typo of a name the
// library has, never of an English word ("mode"). Of the candidates, the
// fewest edits win, then the one in the most passages; filler is never a
// correction.
func (a *asking) correction(ctx context.Context, raw, t string, name bool) (string, uint64, error) {
	runes := utf8.RuneCountInString(t)
	if runes < minTypoRunes || !isWordTerm(t) {
		return "", 0, nil
	}
	best, bestDF, bestDist := "", uint64(0), 3 // 3: more edits than any correction has
	consider := func(term string, df uint64, dist int) {
		if term == t || questionFiller[term] {
			return
		}
		if dist < bestDist || dist == bestDist && df > bestDF {
			best, bestDF, bestDist = term, df, dist
		}
	}
	if !name {
		if err := a.englishOneEditAway(ctx, raw, consider); err != nil {
			return "", 0, err
		}
	}
	fuzz := 1
	if runes >= twoEditRunes {
		fuzz = 2
	}
	first, _ := utf8.DecodeRuneInString(t)
	fr, ok := a.view.r.(index.IndexReaderFuzzy)
	if !ok {
		return best, bestDF, nil // scorch has it; another index finds only English typos
	}
	dict, err := fr.FieldDictFuzzy(fieldText, t, fuzz, string(first))
	if err != nil {
		return "", 0, fmt.Errorf("looking up words near %q: %w", t, err)
	}
	defer dict.Close()
	for {
		e, err := dict.Next()
		if err != nil {
			return "", 0, fmt.Errorf("looking up words near %q: %w", t, err)
		}
		if e == nil {
			break
		}
		if !isWordTerm(e.Term) {
			continue
		}
		d := editDistance(t, e.Term)
		if _, english := a.l.english.Rank(e.Term); english && (d > 1 || name) || d > bestDist {
			continue
		}
		// The fuzzy dictionary does not count passages (e.Count is 0).
		df, err := a.view.docFreq(ctx, fieldText, []byte(e.Term))
		if err != nil {
			return "", 0, err
		}
		consider(e.Term, df, d)
	}
	return best, bestDF, nil
}

// englishOneEditAway calls consider(term, df, 1) for each English word one
// edit from raw (keeping its first letter) whose analysed term the library
// has.
func (a *asking) englishOneEditAway(ctx context.Context, raw string, consider func(term string, df uint64, dist int)) error {
	if !isASCIILower(raw) {
		return nil
	}
	tried := map[string]bool{}
	for _, w := range oneEditAway(raw) {
		if !a.l.english.Word(w) {
			continue
		}
		toks := a.l.analyzer.Analyze([]byte(w))
		if len(toks) != 1 {
			continue
		}
		term := string(toks[0].Term)
		if tried[term] {
			continue
		}
		tried[term] = true
		df, err := a.view.docFreq(ctx, fieldText, []byte(term))
		if err != nil {
			return err
		}
		if df > 0 {
			consider(term, df, 1)
		}
	}
	return nil
}

// oneEditAway returns the words one edit from w (a letter deleted, two
// adjacent letters swapped, a letter changed or inserted, from a to z) that
// keep its first letter. w is ASCII lower case.
func oneEditAway(w string) []string {
	var out []string
	for i := 1; i <= len(w); i++ {
		if i < len(w) {
			out = append(out, w[:i]+w[i+1:]) // deleted
			if i+1 < len(w) && w[i] != w[i+1] {
				out = append(out, w[:i]+string(w[i+1])+string(w[i])+w[i+2:]) // swapped
			}
		}
		for c := byte('a'); c <= 'z'; c++ {
			if i < len(w) && c != w[i] {
				out = append(out, w[:i]+string(c)+w[i+1:]) // changed
			}
			out = append(out, w[:i]+string(c)+w[i:]) // inserted
		}
	}
	return out
}

// typedAsName reports whether the word at byte offset at of text was typed
// as a name: with a capital letter, inside a sentence ("what did Modi
// say"), not at its start, where any word has one. It means something only
// where capitalsMarkNames(text).
func typedAsName(text string, at int) bool {
	first, _ := utf8.DecodeRuneInString(text[at:])
	return unicode.IsUpper(first) && !beginsSentence(text, at)
}

// capitalsMarkNames reports whether a capital inside a sentence of text
// marks a name: not when most words inside its sentences have one, as in a
// headline in title case ("Russia Denies Interfering In US Elections") or a
// message in capitals.
func capitalsMarkNames(text string) bool {
	inner, capital := 0, 0
	for i, r := range text {
		if !unicode.IsLetter(r) || i > 0 && continuesWord(text[:i]) || beginsSentence(text, i) {
			continue
		}
		inner++
		if unicode.IsUpper(r) {
			capital++
		}
	}
	return 2*capital <= inner
}

// continuesWord reports whether before, the text before a letter, ends inside
// a word (so that the letter does not begin one).
func continuesWord(before string) bool {
	last, _ := utf8.DecodeLastRuneInString(before)
	return unicode.IsLetter(last) || unicode.IsNumber(last) || last == '\'' || last == '’'
}

// beginsSentence reports whether the word at byte offset at of text begins
// the text or a sentence (after ".", "!", "?" or a new line, and any
// spaces, quotes or brackets).
func beginsSentence(text string, at int) bool {
	before := strings.TrimRightFunc(text[:at], func(r rune) bool {
		return r != '\n' && (unicode.IsSpace(r) || strings.ContainsRune("\"'“‘(", r))
	})
	last, _ := utf8.DecodeLastRuneInString(before)
	return before == "" || strings.ContainsRune(".!?\n", last)
}

// isASCIILower reports whether s is made of the letters a to z only.
func isASCIILower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// isWordTerm reports whether a term is made of letters only (no digits: a
// year or a figure is never a typo).
func isWordTerm(t string) bool {
	for _, r := range t {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return t != ""
}

// editDistance is the Levenshtein distance between two strings, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
