package retrieval

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/verbatim-bot/verbatim/corpus"
)

// queryText returns the text the index is searched with: the question
// itself, or, when it has more words than one search may open term
// searchers for (each word opens three: text, phrase and title; extra
// terms one more each), the words of its weightiest content terms only,
// each once, in the question's order. A long pasted message ("Find
// sources"), or one word typed ninety times, then still gets an answer
// instead of bleve's "too many term searchers".
func (l *Library) queryText(text string, terms []qterm, extra int) string {
	text, toks := withoutChat(text, l.analyzer.Analyze([]byte(text)))
	limit := max(1, (l.tuning.MaxTermSearchers-16-2*extra)/3)
	if len(toks) <= limit {
		return text
	}
	rare := slices.Clone(terms)
	sort.SliceStable(rare, func(i, j int) bool { return rare[i].idf > rare[j].idf })
	keep := map[string]bool{}
	for _, t := range rare[:min(limit, len(rare))] {
		keep[t.term] = true
	}
	var b strings.Builder
	for _, tok := range toks {
		if t := string(tok.Term); keep[t] {
			delete(keep, t)
			b.WriteString(text[tok.Start:tok.End])
			b.WriteByte(' ')
		}
	}
	if b.Len() == 0 { // every kept term is a correction or an expansion
		for _, tok := range toks[:limit] {
			b.WriteString(text[tok.Start:tok.End])
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// withoutChat returns text, whose tokens are toks, with its words of chat
// (isChat: "hey", "lol", "gonna") blanked out, and the tokens left, whose
// offsets still hold in it; so "hey, did russia interfere" is searched
// exactly as "did russia interfere". Such a word is never what a question
// is about, and searched for, it changed every score a little (one more
// clause in each match query) and with them the order of answers whose
// scores were close.
func withoutChat(text string, toks analysis.TokenStream) (string, analysis.TokenStream) {
	var b []byte
	kept := toks[:0:0]
	for _, tok := range toks {
		if !isChat(text[tok.Start:tok.End]) {
			kept = append(kept, tok)
			continue
		}
		if b == nil {
			b = []byte(text)
		}
		for i := tok.Start; i < tok.End; i++ {
			b[i] = ' '
		}
	}
	if b == nil {
		return text, toks
	}
	return string(b), kept
}

// filters builds the filter queries of a question (scope, outlet, dates).
func (l *Library) filters(q Question) ([]query.Query, error) {
	var fs []query.Query
	switch {
	case q.Scope == "":
	case q.Scope == corpus.GlobalScope:
		fs = append(fs, termQuery(fieldScope, corpus.GlobalScope, 0))
	case corpus.ValidScope(q.Scope):
		fs = append(fs, bleve.NewDisjunctionQuery(termQuery(fieldScope, corpus.GlobalScope, 0), termQuery(fieldScope, q.Scope, 0)))
	default:
		return nil, fmt.Errorf("%w: scope %q is neither %q nor a server id", ErrBadFilter, q.Scope, corpus.GlobalScope)
	}
	if o := outletKey(q.Outlet); o != "" {
		fs = append(fs, termQuery(fieldOutlet, o, 0))
	}
	if q.After != "" || q.Before != "" {
		var lo, hi string
		now := l.now()
		for _, d := range []struct {
			name, value string
			date        *string
		}{{"after", q.After, &lo}, {"before", q.Before, &hi}} {
			if d.value == "" {
				continue
			}
			v, err := ResolveDate(d.name, d.value, now)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrBadFilter, err)
			}
			*d.date = v
		}
		if lo != "" && hi != "" && lo > hi {
			return nil, fmt.Errorf("%w: after (%s) is later than before (%s)", ErrBadFilter, lo, hi)
		}
		if hi == "" {
			hi = "9999-12-31"
		}
		if lo == "" {
			lo = "0000-01-01"
		}
		yes := true
		r := bleve.NewTermRangeInclusiveQuery(lo, hi, &yes, &yes)
		r.SetField(fieldPublished)
		r.SetBoost(0)
		fs = append(fs, r)
	}
	return fs, nil
}

// analyze returns the distinct terms of text as the index analyses it.
func (l *Library) analyze(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, tok := range l.analyzer.Analyze([]byte(text)) {
		t := string(tok.Term)
		if t == "" || seen[t] || !hasLetterOrDigit(t) {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func hasLetterOrDigit(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

// buildQuery makes the bleve queries of a question. The passage query is an
// analysed match on the passage text, the question as a boosted phrase, and
// a title match; the article query is an analysed match on whole articles
// (article records). Both are narrowed by the filters. The question reaches
// bleve only as analysed match and phrase queries on named fields, never as
// query syntax.
func (l *Library) buildQuery(text string, filters []query.Query) (passages, articles query.Query) {
	return l.buildQueryWith(text, text, text, nil, filters)
}

// buildQueryWith is buildQuery with the texts of the match queries given
// apart from the question, which the phrase uses: pmatch for the passage
// text and title, amatch for the article. extra are analysed terms looked
// for besides (corrections of typos, expansions of abbreviations), each a
// term query on the passage text and on the article.
func (l *Library) buildQueryWith(text, pmatch, amatch string, extra []string, filters []query.Query) (passages, articles query.Query) {
	t := l.tuning
	body := bleve.NewMatchQuery(pmatch)
	body.SetField(fieldText)
	phrase := bleve.NewMatchPhraseQuery(text)
	phrase.SetField(fieldText)
	phrase.SetBoost(t.PhraseBoost)
	title := bleve.NewMatchQuery(pmatch)
	title.SetField(fieldTitle)
	title.SetBoost(t.TitleBoost)
	article := bleve.NewMatchQuery(amatch)
	article.SetField(fieldArticle)
	pqs := []query.Query{body, phrase, title}
	aqs := []query.Query{article}
	for _, e := range extra {
		pqs = append(pqs, termQuery(fieldText, e, 1))
		aqs = append(aqs, termQuery(fieldArticle, e, 1))
	}
	passages = bleve.NewDisjunctionQuery(pqs...)
	articles = query.Query(article)
	if len(aqs) > 1 {
		articles = bleve.NewDisjunctionQuery(aqs...)
	}
	if len(filters) > 0 {
		passages = bleve.NewConjunctionQuery(append([]query.Query{passages}, filters...)...)
		articles = bleve.NewConjunctionQuery(append([]query.Query{articles}, filters...)...)
	}
	return passages, articles
}

// matchTexts returns the texts of the match queries: the words of the
// search text whose terms are in at most Tuning.CommonTerms of the passages
// (or at most CommonTermsMin), and likewise of the article records for the
// article query. Scoring a term costs its posting list, so the commonest
// words make the slowest searches while adding the least (their IDF is
// lowest). A text is the search text itself when nothing in it is that
// common, or everything.
func (a *asking) matchTexts(ctx context.Context) (passages, articles string, err error) {
	if a.l.tuning.CommonTerms <= 0 {
		return a.text, a.text, nil
	}
	np, na, err := a.view.counts(ctx)
	if err != nil {
		return "", "", err
	}
	toks := a.l.analyzer.Analyze([]byte(a.text))
	if passages, err = a.withoutCommon(ctx, toks, fieldText, np); err != nil {
		return "", "", err
	}
	if articles, err = a.withoutCommon(ctx, toks, fieldArticle, na); err != nil {
		return "", "", err
	}
	return passages, articles, nil
}

// withoutCommon returns the words of the search text (tokens toks) whose
// terms are in at most the tuning's share of the n documents of field (see
// matchTexts).
func (a *asking) withoutCommon(ctx context.Context, toks analysis.TokenStream, field string, n uint64) (string, error) {
	t := a.l.tuning
	if n <= t.CommonTermsMin {
		return a.text, nil
	}
	limit := max(t.CommonTerms*float64(n), float64(t.CommonTermsMin))
	common := map[string]bool{}
	for _, tok := range toks {
		term := string(tok.Term)
		if _, seen := common[term]; seen {
			continue
		}
		df, err := a.view.docFreq(ctx, field, tok.Term)
		if err != nil {
			return "", err
		}
		common[term] = float64(df) > limit
	}
	var b strings.Builder
	dropped := false
	for _, tok := range toks {
		if common[string(tok.Term)] {
			dropped = true
			continue
		}
		b.WriteString(a.text[tok.Start:tok.End])
		b.WriteByte(' ')
	}
	if !dropped || b.Len() == 0 {
		return a.text, nil
	}
	return strings.TrimSpace(b.String()), nil
}
