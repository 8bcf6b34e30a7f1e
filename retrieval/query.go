package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/verbatim-bot/verbatim/corpus"
)

// qterm is a content word of the question, as analysed, with its weight.
type qterm struct {
	term string
	idf  float64
}

// queryText returns the text the index is searched with: the question
// itself, or, when it has more distinct terms than one search may open term
// searchers for (each term opens three: text, phrase and title), the words
// of its rarest content terms (highest IDF) only, in the question's order.
// A long pasted message ("Find sources") then still gets an answer instead
// of bleve's "too many term searchers".
func (l *Library) queryText(text string, terms []qterm) string {
	limit := max(1, (l.tuning.MaxTermSearchers-16)/3)
	toks := l.analyzer.Analyze([]byte(text))
	distinct := map[string]bool{}
	for _, tok := range toks {
		distinct[string(tok.Term)] = true
	}
	if len(distinct) <= limit {
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
	return strings.TrimSpace(b.String())
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
		for name, d := range map[string]string{"after": q.After, "before": q.Before} {
			if d == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, fmt.Errorf("%w: %s must be a date like 2021-03-17, not %q", ErrBadFilter, name, d)
			}
		}
		if q.After != "" && q.Before != "" && q.After > q.Before {
			return nil, fmt.Errorf("%w: after (%s) is later than before (%s)", ErrBadFilter, q.After, q.Before)
		}
		lo, hi := q.After, q.Before
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

// questionFiller are (analysed) words of how people ask, not of what they
// ask about; they do not count towards a quote's coverage.
var questionFiller = map[string]bool{
	"tell": true, "explain": true, "pleas": true, "please": true, "know": true, "think": true,
	"sai": true, "say": true, "said": true, "mani": true, "much": true, "realli": true, "actual": true, "ever": true, "also": true,
	"can": true, "could": true, "would": true, "will": true, "shall": true, "might": true, "must": true,
}

// contentTerms drops question filler from analysed terms.
func contentTerms(all []string) []string {
	var out []string
	for _, t := range all {
		if !questionFiller[t] {
			out = append(out, t)
		}
	}
	return out
}

// weigh gives each of the question's content terms its BM25 IDF among the
// passages, and keeps them as the question's terms; a term the index does
// not have gets the highest weight, since no quote can cover it.
func (a *asking) weigh(ctx context.Context, terms []string) error {
	n, _, err := a.view.counts(ctx)
	if err != nil {
		return err
	}
	out := make([]qterm, 0, len(terms))
	for _, t := range terms {
		df, err := a.view.docFreq(ctx, fieldText, []byte(t))
		if err != nil {
			return err
		}
		df = min(df, n)
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		out = append(out, qterm{term: t, idf: idf})
	}
	a.terms = out
	return nil
}

// buildQuery makes the bleve queries of a question. The passage query is an
// analysed match on the passage text, the question as a boosted phrase, and
// a title match; the article query is an analysed match on whole articles
// (article records). Both are narrowed by the filters. The question reaches
// bleve only as analysed match and phrase queries on named fields, never as
// query syntax.
func (l *Library) buildQuery(text string, filters []query.Query) (passages, articles query.Query) {
	return l.buildQueryWith(text, text, text, filters)
}

// buildQueryWith is buildQuery with the texts of the match queries given
// apart from the question, which the phrase uses: pmatch for the passage
// text and title, amatch for the article.
func (l *Library) buildQueryWith(text, pmatch, amatch string, filters []query.Query) (passages, articles query.Query) {
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
	passages, articles = bleve.NewDisjunctionQuery(body, phrase, title), article
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
