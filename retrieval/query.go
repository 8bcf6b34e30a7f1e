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
	index "github.com/blevesearch/bleve_index_api"

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

// weigh gives each content term its BM25 IDF in the passage index; a term
// the index does not have gets the highest weight, since no quote can cover it.
func (l *Library) weigh(ctx context.Context, terms []string) ([]qterm, error) {
	r, err := l.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	n, err := passageCount(ctx, r)
	if err != nil {
		return nil, err
	}
	out := make([]qterm, 0, len(terms))
	for _, t := range terms {
		tfr, err := r.TermFieldReader(ctx, []byte(t), fieldText, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("reading term %q: %w", t, err)
		}
		df := tfr.Count()
		tfr.Close()
		df = min(df, n)
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		out = append(out, qterm{term: t, idf: idf})
	}
	return out, nil
}

// articleCount returns the number of article records (one per indexed
// source) that reader r sees, from the posting list of kind=article.
func articleCount(ctx context.Context, r index.IndexReader) (uint64, error) {
	kinds, err := r.TermFieldReader(ctx, []byte(kindArticle), fieldKind, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("counting articles: %w", err)
	}
	defer kinds.Close()
	return kinds.Count(), nil
}

// passageCount returns the number of passages reader r sees: every document
// but the article records. Unlike sourceIndex.docCount it runs no search,
// so each question can afford it.
func passageCount(ctx context.Context, r index.IndexReader) (uint64, error) {
	all, err := r.DocCount()
	if err != nil {
		return 0, fmt.Errorf("counting indexed passages: %w", err)
	}
	a, err := articleCount(ctx, r)
	if err != nil {
		return 0, err
	}
	return all - min(all, a), nil
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

// matchTexts returns the texts of the match queries: the words of text
// whose terms are in at most Tuning.CommonTerms of the passages (or at most
// CommonTermsMin), and likewise of the article records for the article
// query. Scoring a term costs its posting list, so the commonest words make
// the slowest searches while adding the least (their IDF is lowest). A text
// is the question itself when nothing in it is that common, or everything.
func (l *Library) matchTexts(ctx context.Context, text string) (passages, articles string, err error) {
	if l.tuning.CommonTerms <= 0 {
		return text, text, nil
	}
	r, err := l.reader()
	if err != nil {
		return "", "", err
	}
	defer r.Close()
	np, err := passageCount(ctx, r)
	if err != nil {
		return "", "", err
	}
	na, err := articleCount(ctx, r)
	if err != nil {
		return "", "", err
	}
	toks := l.analyzer.Analyze([]byte(text))
	if passages, err = l.withoutCommon(ctx, r, text, toks, fieldText, np); err != nil {
		return "", "", err
	}
	if articles, err = l.withoutCommon(ctx, r, text, toks, fieldArticle, na); err != nil {
		return "", "", err
	}
	return passages, articles, nil
}

// withoutCommon returns the words of text (tokens toks) whose terms are in
// at most the tuning's share of the n documents of field (see matchTexts).
func (l *Library) withoutCommon(ctx context.Context, r index.IndexReader, text string, toks analysis.TokenStream, field string, n uint64) (string, error) {
	if n <= l.tuning.CommonTermsMin {
		return text, nil
	}
	limit := max(l.tuning.CommonTerms*float64(n), float64(l.tuning.CommonTermsMin))
	common := map[string]bool{}
	for _, tok := range toks {
		t := string(tok.Term)
		if _, seen := common[t]; seen {
			continue
		}
		tfr, err := r.TermFieldReader(ctx, tok.Term, field, false, false, false)
		if err != nil {
			return "", fmt.Errorf("reading term %q: %w", t, err)
		}
		common[t] = float64(tfr.Count()) > limit
		tfr.Close()
	}
	var b strings.Builder
	dropped := false
	for _, tok := range toks {
		if common[string(tok.Term)] {
			dropped = true
			continue
		}
		b.WriteString(text[tok.Start:tok.End])
		b.WriteByte(' ')
	}
	if !dropped || b.Len() == 0 {
		return text, nil
	}
	return strings.TrimSpace(b.String()), nil
}
