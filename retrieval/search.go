package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/verbatim-bot/verbatim/corpus"
)

// The searches of a question, in the order they run:
//
//	quoteCandidates   the candidates of Ask: ranked passages with their quotes
//	  rankPassages    both searches, and the passages ranked with their articles
//	    matchTexts    the match texts, without the commonest terms (query.go)
//	    topMatches    one search of the view: the best documents of a query
//	    rescoreArticles  the second stage over the best articles (rescore.go)
//
// RankSources ranks whole sources from rankPassages as well.

// quoteCandidates searches the index for the question and returns its
// candidate passages with their quotes, best first, leaving out those of
// sources not visible from the question's scope or no longer stored.
func (a *asking) quoteCandidates(ctx context.Context) ([]*candidate, error) {
	t := a.l.tuning
	// The search does not read term locations (IncludeLocations): that cost
	// grows with every matching passage, while only the candidates need
	// them, and analysing a candidate's passage gives the same locations.
	hits, _, err := a.rankPassages(ctx, t.Candidates)
	if err != nil {
		return nil, err
	}
	sources, err := a.sourcesOf(ctx, hits)
	if err != nil {
		return nil, err
	}
	want := lookedFor(a.terms)
	cands := make([]*candidate, len(hits))
	// Each candidate's quote is worked out on its own (the passage analysed
	// for its term locations, the quote chosen, its facts), so the work is
	// shared among the processors: a question is answered sooner, and the
	// candidates keep the order of the hits.
	parallel(len(hits), func(i int) {
		h := hits[i]
		src, pi := sources[h.source], h.passage
		if src == nil || pi >= len(src.Passages) || !visible(src.Scope, a.scope) {
			return
		}
		c := &candidate{src: src, passage: pi, hitScore: h.score}
		locs, words := a.l.termLocations(src.PassageText(pi), want)
		c.words = words
		c.quote, c.coverage, c.matched = selectQuote(src, pi, locs, a.terms, t.MaxQuoteRunes, t.MaxSentences)
		occs, _ := occurrences(src.Passages[pi], locs, a.terms)
		c.facts = a.l.factsOf(src, occs, a.terms, c.quote.start, c.quote.end)
		cands[i] = c
	})
	return slices.DeleteFunc(cands, func(c *candidate) bool { return c == nil }), nil
}

// sourcesOf reads from the store the sources of hits, each once; a source
// the store no longer holds (removed after the search began, or a leftover
// the next start deletes) maps to nil: never answer from it.
func (a *asking) sourcesOf(ctx context.Context, hits []passageHit) (map[string]*corpus.Source, error) {
	sources := make(map[string]*corpus.Source, len(hits))
	for _, h := range hits {
		if _, ok := sources[h.source]; ok {
			continue
		}
		s, err := a.l.store.Get(ctx, h.source)
		switch {
		case errors.Is(err, corpus.ErrNotFound):
			sources[h.source] = nil
		case err != nil:
			return nil, err
		default:
			sources[h.source] = &s
		}
	}
	return sources, nil
}

// parallel calls f(0) … f(n-1) on up to GOMAXPROCS goroutines and returns
// when every call has. Each call must touch only what is its own.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// passageHit is a passage the index returned for a question.
type passageHit struct {
	source  string
	passage int
	// score is the passage's own score plus ArticleWeight times its
	// article's.
	score float64
}

// rankPassages runs both searches of a question: the best n passages, and
// the best articles (at least n). A passage's score adds ArticleWeight
// times its article's score, so a passage of an article that is about the
// question as a whole ranks above a lone mention; articles maps a source id
// to ArticleWeight times its article score. The article score is the second
// stage's (rescore) unless Tuning.RescoreK1 is 0.
func (a *asking) rankPassages(ctx context.Context, n int) ([]passageHit, map[string]float64, error) {
	t := a.l.tuning
	pmatch, amatch, err := a.matchTexts(ctx)
	if err != nil {
		return nil, nil, err
	}
	pq, aq := a.l.buildQueryWith(a.text, pmatch, amatch, a.extra, a.filters)
	if _, _, err := a.view.counts(ctx); err != nil {
		return nil, nil, err
	}
	// The article search and its second stage, and the passage search,
	// read the same view and nothing of each other's: they run side by
	// side.
	var (
		ahits, phits search.DocumentMatchCollection
		rescored     map[string]float64
		aerr, perr   error
		wg           sync.WaitGroup
	)
	wg.Go(func() {
		var lean bool
		if phits, lean, perr = a.passageTop(ctx, pmatch, n); perr == nil && !lean {
			phits, perr = a.topMatches(ctx, pq, n, false)
		}
	})
	var lean bool
	if ahits, lean, aerr = a.articleTop(ctx, amatch, max(n, t.ArticleCandidates)); aerr == nil && !lean {
		ahits, aerr = a.topMatches(ctx, aq, max(n, t.ArticleCandidates), false)
	}
	if aerr == nil && t.RescoreK1 > 0 {
		rescored, aerr = a.rescoreArticles(ctx, ahits)
	}
	wg.Wait()
	if err := cmp.Or(aerr, perr); err != nil {
		return nil, nil, err
	}
	articles := make(map[string]float64, len(ahits))
	for _, h := range ahits {
		if id, pi, err := parseDocID(h.ID); err == nil && pi < 0 {
			s := h.Score
			if rescored != nil {
				s = rescored[h.ID]
			}
			articles[id] = t.ArticleWeight * s
		}
	}
	out := make([]passageHit, 0, len(phits))
	for _, h := range phits {
		id, pi, err := parseDocID(h.ID)
		if err != nil || pi < 0 {
			a.l.log.Warn("skipping malformed index entry", "id", h.ID)
			continue
		}
		out = append(out, passageHit{source: id, passage: pi, score: h.Score + articles[id]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out, articles, nil
}

// rescoreArticles scores the articles the article search found again, in
// the second stage (see rescore), from the postings of the same view.
func (a *asking) rescoreArticles(ctx context.Context, ahits search.DocumentMatchCollection) (map[string]float64, error) {
	_, n, err := a.view.counts(ctx)
	if err != nil {
		return nil, err
	}
	return a.l.rescore(ctx, a.view.r, fieldArticle, float64(n), a.l.analyze(a.text), ahits)
}

// topMatches runs one query on the question's view of the index, with the deadline
// and term limit of the tuning, and returns its best size documents.
func (a *asking) topMatches(ctx context.Context, q query.Query, size int, locations bool) (search.DocumentMatchCollection, error) {
	sctx, cancel := context.WithTimeout(ctx, a.l.tuning.Deadline)
	defer cancel()
	sctx = context.WithValue(sctx, search.MaxTermSearchersKey, a.l.tuning.MaxTermSearchers)
	hits, err := a.view.search(sctx, q, size, locations)
	if err != nil {
		return nil, fmt.Errorf("searching the library: %w", err)
	}
	return hits, nil
}

// termLocations returns where the terms in want occur in a passage's text,
// as the index would report them for its text field: the same analyser on
// the same text gives the same tokens, byte offsets and positions.
//
// It also returns the set of every term of the text.
func (l *Library) termLocations(text string, want map[string]bool) (search.TermLocationMap, map[string]bool) {
	toks := l.analyzer.Analyze([]byte(text))
	out := search.TermLocationMap{}
	// Sized for every token at once: growing it was a fifth of the cost.
	words := make(map[string]bool, len(toks))
	for _, tok := range toks {
		t := string(tok.Term)
		words[t] = true
		if want[t] {
			out[t] = append(out[t], &search.Location{Pos: uint64(tok.Position), Start: uint64(tok.Start), End: uint64(tok.End)})
		}
	}
	return out, words
}

// RankedSource is a source in a ranking, with its score.
type RankedSource struct {
	ID    string
	Score float64
}

// RankSources ranks the library's sources for a question by the same
// retrieval as Ask (ranking only: no coverage cut, no quote). A source's
// score is the score of its best passage (which includes its article's
// score), or its article's score alone when none of its passages is among
// the best.
func (l *Library) RankSources(ctx context.Context, text string, n int) ([]RankedSource, error) {
	if strings.TrimSpace(text) == "" || !hasLetterOrDigit(text) {
		return nil, nil
	}
	if utf8.RuneCountInString(text) > MaxQuestionRunes {
		text = string([]rune(text)[:MaxQuestionRunes])
	}
	a, err := l.newAsking(text, nil, "")
	if err != nil {
		return nil, err
	}
	defer a.close()
	hits, articles, err := a.rankPassages(ctx, n*l.tuning.RankPassagesPerSource)
	if err != nil {
		return nil, err
	}
	best := make(map[string]float64, len(articles))
	for id, s := range articles {
		best[id] = s
	}
	for _, h := range hits {
		best[h.source] = max(best[h.source], h.score)
	}
	out := make([]RankedSource, 0, len(best))
	for id, s := range best {
		out = append(out, RankedSource{ID: id, Score: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}
