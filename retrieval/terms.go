package retrieval

import (
	"context"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// qterm is one thing a question asks about: a content word of the question
// as the index analyses it, with its weight in a quote's coverage, and what
// else counts as finding it in a quote.
type qterm struct {
	// term is the analysed term looked for (a typo's correction, when the
	// question's own word is unknown to the library and to English).
	term string
	// idf is the term's weight: its BM25 IDF among the passages, or for a
	// word the library has never seen, a weight that says how much its
	// absence tells (see unseenWeight).
	idf float64
	// alts are other ways of saying it, each a set of terms: an
	// abbreviation's expansion, or an acronym that stands for a run of the
	// question's words. A quote that has every term of a set has found the
	// word; one that has some of them, that share of it.
	alts [][]string
	// how says how the word was read, for explaining an answer: "" (as
	// typed), "typo of …", "abbreviation", "unseen".
	how string
	// unseen says the library has neither the word nor anything it stands
	// for: no quote can have it.
	unseen bool
}

// Tuning of how questions are read (see understand). They are package
// constants rather than Tuning fields because they are properties of the
// language and of chat, not of a library.
const (
	// maxQuestionTerms is the most content terms a question is held to: a
	// long pasted message keeps its most informative ones (highest weight),
	// so that a quote can cover what it is about.
	maxQuestionTerms = 16
	// longMessageTerms is the most content terms of a question read as one:
	// a message with more is read as a message (see understand).
	longMessageTerms = 10
)

// understand reads the question text into the terms a quote must cover
// (a.terms) and the further terms the searches look for (a.extra):
//
//   - chat filler ("hey", "lol", "gonna", "whats") and words of how people
//     ask ("tell", "which", "besides") are not counted;
//   - nor are words that say when ("latest", "this week", "what's new"):
//     they set a.recent instead (recencyOf), which orders the answers;
//   - a word the library has (in some passage) weighs its IDF;
//   - a word the library has never seen is corrected when English does not
//     have it either and it is a typo of a word the library has (see
//     correction); otherwise it weighs by how rare it
//     is in English (unseenWeight): a common word ("stuff") next to nothing,
//     a rare one or a name ("Navalny") as much as any word can, so that a
//     question about what the library lacks is not answered;
//   - an abbreviation (DOJ, intel, the library's own "… (ODNI)") also counts
//     as found where what it stands for is, and a run of words whose
//     initials the library has as a word ("Office of the Director of
//     National Intelligence") also where that acronym is.
//
// A question of more than maxQuestionTerms content terms keeps the weightiest.
func (a *asking) understand(ctx context.Context, text string) error {
	n, _, err := a.view.counts(ctx)
	if err != nil {
		return err
	}
	maxIDF := idfOf(n, 0)
	// Words that say when, and the content-looking words of how a question
	// asks, are not counted.
	var skip []span
	a.recent, skip = recencyOf(text)
	skip = append(skip, askingFrameSpans(text)...)
	toks := a.l.analyzer.Analyze([]byte(text))
	names := capitalsMarkNames(text)
	seen := map[string]bool{}
	var terms []qterm
	for _, tok := range toks {
		raw := strings.ToLower(text[tok.Start:tok.End])
		t := string(tok.Term)
		if t == "" || seen[t] || !hasLetterOrDigit(t) || isFiller(raw, t) || inSpans(tok.Start, skip) {
			continue
		}
		seen[t] = true
		name := names && typedAsName(text, tok.Start)
		qt, ok, err := a.readWord(ctx, raw, text[tok.Start:tok.End], t, name, n, maxIDF)
		if err != nil {
			return err
		}
		if !ok || qt.term != t && seen[qt.term] {
			continue // a word that does not count, or a typo of a word already asked
		}
		seen[qt.term] = true
		terms = append(terms, qt)
	}
	if err := a.acronymRuns(ctx, text, terms); err != nil {
		return err
	}
	if len(terms) > longMessageTerms {
		// A long message's common words the library lacks are its talk
		// ("apparently", "put out", "is that true"); its names and the
		// library's words say what it is about.
		terms = slices.DeleteFunc(terms, func(qt qterm) bool {
			return qt.how == "unseen" && qt.idf < maxIDF
		})
	}
	a.terms = keepWeightiest(terms, maxQuestionTerms)
	a.extra = extraTerms(a.terms)
	return nil
}

// readWord weighs one content word of a question (raw as typed, lower case;
// typed as typed; t as analysed; name when it was typed as a name, see
// typedAsName): see understand. ok is false for a word that does not count
// (a common word the library lacks).
func (a *asking) readWord(ctx context.Context, raw, typed, t string, name bool, n uint64, maxIDF float64) (qterm, bool, error) {
	df, err := a.view.docFreq(ctx, fieldText, []byte(t))
	if err != nil {
		return qterm{}, false, err
	}
	qt := qterm{term: t, idf: idfOf(n, df)}
	alts, err := a.expansions(ctx, raw, typed, t, df)
	if err != nil {
		return qterm{}, false, err
	}
	qt.alts = append(alts, a.l.otherForms(raw, t)...)
	derived, err := a.derivedForms(ctx, t)
	if err != nil {
		return qterm{}, false, err
	}
	qt.alts = append(qt.alts, derived...)
	if df > 0 {
		return qt, true, nil
	}
	if len(alts) > 0 {
		qt.how = "abbreviation"
		qt.idf, qt.unseen = maxIDF, true
		if w, ok, err := a.altWeight(ctx, qt.alts, n); err != nil {
			return qterm{}, false, err
		} else if ok {
			qt.idf, qt.unseen = w, false
		}
		return qt, true, nil
	}
	// Another form of the word (an irregular verb's, or the noun's verb)
	// that the library has: the word is not unseen, and weighs as that form.
	if w, ok, err := a.altWeight(ctx, qt.alts, n); err != nil {
		return qterm{}, false, err
	} else if ok {
		qt.how, qt.idf = "other form", w
		return qt, true, nil
	}
	// A word no passage has but a headline has ("denies" in "Russia Denies
	// Interfering in US Elections"): the library covers what it names, but
	// no quote can have it, so it is not counted (the search still looks
	// for it in titles).
	if tdf, err := a.view.docFreq(ctx, fieldTitle, []byte(t)); err != nil {
		return qterm{}, false, err
	} else if tdf > 0 {
		return qterm{}, false, nil
	}
	// A letter alone the library lacks is chat ("w/", "b/c", "r"), not what
	// a question is about.
	if r, size := utf8.DecodeRuneInString(t); size == len(t) && unicode.IsLetter(r) {
		return qterm{}, false, nil
	}
	rank, english := a.l.english.Rank(t)
	if !english {
		fix, fdf, err := a.correction(ctx, raw, t, name)
		if err != nil {
			return qterm{}, false, err
		}
		if fix != "" {
			return qterm{term: fix, idf: idfOf(n, fdf), how: "typo of " + raw}, true, nil
		}
	}
	qt.how, qt.unseen = "unseen", true
	qt.idf = maxIDF * unseenWeight(rank, english)
	return qt, qt.idf > 0, nil
}

// derivedForms returns, as one-term sets, the other forms of t (noun or
// verb, derivedStems) that the library has.
func (a *asking) derivedForms(ctx context.Context, t string) ([][]string, error) {
	var out [][]string
	for _, d := range derivedStems(t) {
		df, err := a.view.docFreq(ctx, fieldText, []byte(d))
		if err != nil {
			return nil, err
		}
		if df > 0 {
			out = append(out, []string{d})
		}
	}
	return out, nil
}

// idfOf is the BM25 IDF of a term found in df of n passages.
func idfOf(n, df uint64) float64 {
	df = min(df, n)
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// Ranks in spoken English (wordfreq) between which a word the library has
// never seen goes from counting commonWordWeight to counting fully: "deal"
// (385) half, "super" (2,149) about three quarters, "election"
// (4,101) and "Iran" (26,306) fully. Chosen on the developers' casual
// questions (docs/eval/seed-casual-dev.yaml); see docs/quality.md.
const (
	commonWordRank = 1000
	rareWordRank   = 4000
)

// commonWordWeight is the share of the highest weight a word among the
// commonest of English gets when the library has never seen it: it is still
// part of the question ("who won the world series" is not a question about
// "series"), but it says little about whether the library covers it.
const commonWordWeight = 0.5

// unseenWeight is the share of the highest weight that a word the library
// has never seen gets: commonWordWeight for the commonest English words, 1
// for rare ones and for words English does not have (names, coinages), and
// in between on a log scale of their rank.
func unseenWeight(rank int, english bool) float64 {
	if !english || rank >= rareWordRank {
		return 1
	}
	if rank <= commonWordRank {
		return commonWordWeight
	}
	f := math.Log(float64(rank)/commonWordRank) / math.Log(float64(rareWordRank)/commonWordRank)
	return commonWordWeight + (1-commonWordWeight)*f
}

// expansions returns what else a question word stands for, as sets of
// analysed terms: the expansion of a known news abbreviation
// (newsAbbreviations), the other names of a country (placeGroups), and
// when the word looks like an acronym the library
// has, the long forms the library's own text defines for it ("Office of the
// Director of National Intelligence (ODNI)").
func (a *asking) expansions(ctx context.Context, raw, typed, t string, df uint64) ([][]string, error) {
	var out [][]string
	if long, ok := newsAbbreviations[raw]; ok {
		if set := a.l.termSet(long); len(set) > 0 {
			out = append(out, set)
		}
	}
	for _, w := range placeGroupOf(raw) {
		if set := a.l.termSet(w); len(set) > 0 && !containsSet(out, set) && !slices.Contains(set, t) {
			out = append(out, set)
		}
	}
	if df == 0 || !looksLikeAcronym(typed, a.l.english) {
		return out, nil
	}
	defs, err := a.definedAcronym(ctx, t, strings.ToUpper(raw))
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		if set := a.l.termSet(d); len(set) > 0 && !containsSet(out, set) {
			out = append(out, set)
		}
	}
	return out, nil
}

// looksLikeAcronym reports whether a word as typed may be an acronym: two
// to six letters typed in capitals, or two to four letters that are not an
// English word ("odni"). Longer lower-case words that English lacks are
// names ("peskov"), and looking each up as an acronym cost a search per
// word (a sixth of a question's time on the synthetic benchmark).
func looksLikeAcronym(typed string, english interface{ Rank(string) (int, bool) }) bool {
	n := utf8.RuneCountInString(typed)
	if n < 2 || n > 6 || !isWordTerm(typed) {
		return false
	}
	if strings.ToUpper(typed) == typed {
		return true
	}
	if n > 4 {
		return false
	}
	_, ok := english.Rank(strings.ToLower(typed))
	return !ok
}

// maxDefinitionPassages is how many passages having an acronym are read for
// its definition.
const maxDefinitionPassages = 8

// definedAcronym finds the long forms the library's own text gives an
// acronym (term t, written upper as ACR): in passages that have it, a run
// of capitalised words (with "of", "the", "and", "for" between them) whose
// initials spell it, right before "(ACR)".
func (a *asking) definedAcronym(ctx context.Context, t, upper string) ([]string, error) {
	hits, lean, err := a.termTop(ctx, fieldText, t, maxDefinitionPassages)
	if err == nil && !lean {
		hits, err = a.topMatches(ctx, termQuery(fieldText, t, 1), maxDefinitionPassages, false)
	}
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`((?:[A-Z][\p{L}'’-]*\s+(?:(?:of|the|and|for|on)\s+)*){2,8})\(` + regexp.QuoteMeta(upper) + `\)`)
	if err != nil {
		return nil, nil // not a word a pattern can be made of
	}
	var out []string
	for _, h := range hits {
		id, pi, err := parseDocID(h.ID)
		if err != nil || pi < 0 {
			continue
		}
		src, err := a.l.store.Get(ctx, id)
		if err != nil || pi >= len(src.Passages) {
			continue
		}
		for _, m := range re.FindAllStringSubmatch(src.PassageText(pi), -1) {
			if long := longFormOf(m[1], upper); long != "" && !slices.Contains(out, long) {
				out = append(out, long)
			}
		}
	}
	return out, nil
}

// longFormOf returns the shortest tail of words (a run of capitalised words
// and small function words) whose initials spell acr, or "".
func longFormOf(words, acr string) string {
	ws := strings.Fields(words)
	for i := range ws {
		if initials(ws[i:], true) == acr || initials(ws[i:], false) == acr {
			return strings.Join(ws[i:], " ")
		}
	}
	return ""
}

// smallWords are the words an acronym may skip ("Department of Justice",
// DOJ or DJ).
var smallWords = map[string]bool{"of": true, "the": true, "and": true, "for": true, "on": true, "in": true}

// initials returns the upper-case initials of words, with or without the
// small words.
func initials(words []string, withSmall bool) string {
	var b strings.Builder
	for _, w := range words {
		if smallWords[strings.ToLower(w)] && !withSmall {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// acronymRuns gives each run of two to seven words of the question whose
// initials the library has as a word ("Office of the Director of National
// Intelligence": ODNI) that acronym as another way of finding each word of
// the run. Words the question does not count (filler) are left as they are.
func (a *asking) acronymRuns(ctx context.Context, text string, terms []qterm) error {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' })
	byTerm := map[string]int{}
	for i, qt := range terms {
		byTerm[qt.term] = i
	}
	for i := range words {
		for j := i + 2; j <= min(len(words), i+7); j++ {
			run := words[i:j]
			if smallWords[strings.ToLower(run[0])] || smallWords[strings.ToLower(run[len(run)-1])] {
				continue
			}
			for _, withSmall := range []bool{false, true} {
				acr := strings.ToLower(initials(run, withSmall))
				if len(acr) < 2 || len(acr) > 6 {
					continue
				}
				if _, common := a.l.english.Rank(acr); common {
					continue // "us", "it", "am": words, not acronyms
				}
				df, err := a.view.docFreq(ctx, fieldText, []byte(acr))
				if err != nil {
					return err
				}
				if df == 0 {
					continue
				}
				for _, w := range run {
					for _, t := range a.l.termSet(w) {
						if k, ok := byTerm[t]; ok && !containsSet(terms[k].alts, []string{acr}) {
							terms[k].alts = append(terms[k].alts, []string{acr})
						}
					}
				}
			}
		}
	}
	return nil
}

// altWeight is the weight of a word the library lacks but whose expansion it
// has: the mean IDF of the expansion's terms the library has. ok is false
// when it has none of them.
func (a *asking) altWeight(ctx context.Context, alts [][]string, n uint64) (float64, bool, error) {
	sum, k := 0.0, 0
	for _, set := range alts {
		for _, t := range set {
			df, err := a.view.docFreq(ctx, fieldText, []byte(t))
			if err != nil {
				return 0, false, err
			}
			if df > 0 {
				sum += idfOf(n, df)
				k++
			}
		}
	}
	if k == 0 {
		return 0, false, nil
	}
	return sum / float64(k), true, nil
}

// termSet returns the distinct analysed content terms of a phrase.
func (l *Library) termSet(phrase string) []string {
	var out []string
	for _, tok := range l.analyzer.Analyze([]byte(phrase)) {
		if t := string(tok.Term); t != "" && hasLetterOrDigit(t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// containsSet reports whether sets holds set (same terms in the same order).
func containsSet(sets [][]string, set []string) bool {
	for _, s := range sets {
		if slices.Equal(s, set) {
			return true
		}
	}
	return false
}

// keepWeightiest returns at most n terms: the weightiest, in the question's
// order.
func keepWeightiest(terms []qterm, n int) []qterm {
	if len(terms) <= n {
		return terms
	}
	order := make([]int, len(terms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return terms[order[i]].idf > terms[order[j]].idf })
	keep := order[:n]
	sort.Ints(keep)
	out := make([]qterm, 0, n)
	for _, i := range keep {
		out = append(out, terms[i])
	}
	return out
}

// extraTerms are the terms the searches look for besides the question's own
// words: corrections of typos and the terms of expansions.
func extraTerms(terms []qterm) []string {
	var out []string
	add := func(t string) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, qt := range terms {
		if strings.HasPrefix(qt.how, "typo of ") {
			add(qt.term)
		}
		for _, set := range qt.alts {
			for _, t := range set {
				add(t)
			}
		}
	}
	return out
}

// lookedFor returns every term a quote's words are matched against: the
// question's terms and their alternatives.
func lookedFor(terms []qterm) map[string]bool {
	want := make(map[string]bool, len(terms))
	for _, qt := range terms {
		want[qt.term] = true
		for _, set := range qt.alts {
			for _, t := range set {
				want[t] = true
			}
		}
	}
	return want
}
