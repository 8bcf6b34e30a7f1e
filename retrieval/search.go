package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/verbatim-bot/verbatim/corpus"
)

// reader opens a reader of the index's current snapshot; close it.
func (l *Library) reader() (index.IndexReader, error) {
	adv, err := l.index.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("opening index reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("opening index reader: %w", err)
	}
	return r, nil
}

// passageHit is a passage the index returned for a question.
type passageHit struct {
	source  string
	passage int
	// score is the passage's own score plus ArticleWeight times its
	// article's.
	score float64
}

// retrieve runs both queries of a question: the best n passages, and the
// best articles (at least n). A passage's score adds ArticleWeight times
// its article's score, so a passage of an article that is about the
// question as a whole ranks above a lone mention; articles maps a source id
// to ArticleWeight times its article score. The article score is the second
// stage's (rescore) unless Tuning.RescoreK1 is 0.
func (l *Library) retrieve(ctx context.Context, text string, filters []query.Query, n int) ([]passageHit, map[string]float64, error) {
	t := l.tuning
	pmatch, amatch, err := l.matchTexts(ctx, text)
	if err != nil {
		return nil, nil, err
	}
	pq, aq := l.buildQueryWith(text, pmatch, amatch, filters)
	ap := &readerProbe{Query: aq}
	ahits, err := l.hits(ctx, ap, max(n, t.ArticleCandidates), false)
	if err != nil {
		return nil, nil, err
	}
	phits, err := l.hits(ctx, pq, n, false)
	if err != nil {
		return nil, nil, err
	}
	var rescored map[string]float64
	if t.RescoreK1 > 0 {
		if rescored, err = l.rescoreArticles(ctx, text, ahits, ap.reader); err != nil {
			return nil, nil, err
		}
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
			l.log.Warn("skipping malformed index entry", "id", h.ID)
			continue
		}
		out = append(out, passageHit{source: id, passage: pi, score: h.Score + articles[id]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out, articles, nil
}

// rescoreArticles scores the candidate articles again in the second stage
// (see rescore); ar is the reader their search ran on.
func (l *Library) rescoreArticles(ctx context.Context, text string, ahits search.DocumentMatchCollection, ar index.IndexReader) (map[string]float64, error) {
	r, err := l.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	n, err := articleCount(ctx, r)
	if err != nil {
		return nil, err
	}
	return l.rescore(ctx, r, fieldArticle, float64(n), l.analyze(text), ahits, ar == r)
}

// hits runs a query with the deadline and term limit of the tuning.
func (l *Library) hits(ctx context.Context, q query.Query, size int, locations bool) (search.DocumentMatchCollection, error) {
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	req.IncludeLocations = locations
	sctx, cancel := context.WithTimeout(ctx, l.tuning.Deadline)
	defer cancel()
	sctx = context.WithValue(sctx, search.MaxTermSearchersKey, l.tuning.MaxTermSearchers)
	res, err := l.index.idx.SearchInContext(sctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching the library: %w", err)
	}
	return res.Hits, nil
}

// search runs the question against the index and returns its candidate
// passages with their quotes.
func (l *Library) search(ctx context.Context, text string, filters []query.Query, scope string, terms []qterm) ([]*candidate, error) {
	t := l.tuning
	// The search does not read term locations (IncludeLocations): that cost
	// grows with every matching passage, while only the candidates need
	// them, and analysing a candidate's passage gives the same locations.
	hits, _, err := l.retrieve(ctx, text, filters, t.Candidates)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(terms))
	for _, qt := range terms {
		want[qt.term] = true
	}
	sources := map[string]*corpus.Source{}
	var cands []*candidate
	for _, h := range hits {
		id, pi := h.source, h.passage
		src, ok := sources[id]
		if !ok {
			s, err := l.store.Get(ctx, id)
			switch {
			case errors.Is(err, corpus.ErrNotFound):
				// Removed after the search began, or a leftover the next
				// start deletes: never answer from it.
				sources[id] = nil
				continue
			case err != nil:
				return nil, err
			}
			src = &s
			sources[id] = src
		}
		if src == nil || pi >= len(src.Passages) || !visible(src.Scope, scope) {
			continue
		}
		c := &candidate{src: src, passage: pi, hitScore: h.score}
		locs := l.termLocations(src.PassageText(pi), want)
		c.quote, c.coverage, c.matched = selectQuote(src, pi, locs, terms, t.MaxQuoteRunes, t.MaxSentences)
		cands = append(cands, c)
	}
	return cands, nil
}

// termLocations returns where the terms in want occur in a passage's text,
// as the index would report them for its text field: the same analyser on
// the same text gives the same tokens, byte offsets and positions.
func (l *Library) termLocations(text string, want map[string]bool) search.TermLocationMap {
	out := search.TermLocationMap{}
	for _, tok := range l.analyzer.Analyze([]byte(text)) {
		if t := string(tok.Term); want[t] {
			out[t] = append(out[t], &search.Location{Pos: uint64(tok.Position), Start: uint64(tok.Start), End: uint64(tok.End)})
		}
	}
	return out
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
	hits, articles, err := l.retrieve(ctx, text, nil, n*l.tuning.RankPassagesPerSource)
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
