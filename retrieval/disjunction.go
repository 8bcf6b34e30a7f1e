package retrieval

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// The passage search, evaluated lean. Its query (buildQueryWith) is a
// disjunction of the question's words in the passage text, the question as
// a phrase, its words in the title and the extra terms; bleve scores it by
// walking every posting of every word through a tree of searchers, with a
// document match per posting per level: at 1M passages that walk was half of
// an answer's CPU, ~90 ns a posting. passageTop walks the same postings
// once, document by document, and computes bleve's own score for each
// document with bleve's own arithmetic in bleve's order — BM25 of each term
// (√tf, the field length from the norm, k1 and b of package search), times
// the term's query weight (boost × idf × query norm), summed per clause in
// the clause's order and multiplied by the share of the clause's terms that
// matched (coord), then summed over the clauses and multiplied by the share
// of clauses that matched — and keeps the best n as bleve's top-N collector
// does (score, then index order). The phrase clause is scored by bleve's own
// phrase searcher, given the query norm of the whole query. The hits, their
// scores and their order are bleve's (TestPassageTopIsBleves); questions of
// another shape (filters, more than passageTopMaxTerms words) take bleve's
// path.

// passageTopMaxTerms bounds the words of a clause on the lean path: bleve
// evaluates larger disjunctions with a heap searcher, which sums in another
// order.
const passageTopMaxTerms = 10

// errNotLean says a question is of a shape passageTop leaves to bleve.
var errNotLean = errors.New("not evaluated lean")

// passageCursor walks the postings of one term of a clause.
type passageCursor struct {
	// field and term are the postings' own.
	field, term string
	tfr         index.TermFieldReader
	tfd         index.TermFieldDoc
	doc         uint64
	freq        uint64
	norm        float64
	done        bool
	// boost, idf, weight (boost × idf × query norm) and avg (the field's
	// average length) are the term scorer's.
	boost, idf, weight, avg float64
}

// next moves the cursor to its next posting.
func (c *passageCursor) next() error {
	return c.land(c.tfr.Next(&c.tfd))
}

// advance moves the cursor to its first posting at or after doc; it must
// not be past doc already (scorch would open the postings again).
func (c *passageCursor) advance(doc uint64) error {
	return c.land(c.tfr.Advance(index.NewIndexInternalID(nil, doc), &c.tfd))
}

// land puts the cursor on posting m (nil: past the last).
func (c *passageCursor) land(m *index.TermFieldDoc, err error) error {
	if err != nil {
		return err
	}
	if m == nil {
		c.done = true
		return nil
	}
	if len(m.ID) != 8 {
		return fmt.Errorf("unexpected internal id %x", []byte(m.ID))
	}
	c.doc, c.freq, c.norm = binary.BigEndian.Uint64(m.ID), m.Freq, m.Norm
	return nil
}

// score is bleve's TermQueryScorer score of the cursor's posting.
func (c *passageCursor) score() float64 {
	tf := math.Sqrt(float64(c.freq))
	fieldLength := 1 / (c.norm * c.norm)
	s := c.idf * (tf * search.BM25_k1) /
		(tf + search.BM25_k1*(1-search.BM25_b+(search.BM25_b*fieldLength/c.avg)))
	if c.weight != 1.0 {
		s = s * c.weight
	}
	return s
}

// passageClause is one clause of the passage query: a match query (a
// disjunction of term queries, whose sum is multiplied by its coord), one
// term query, or the phrase. count is its searcher's Count, by which bleve
// orders a disjunction's clauses; cursors are in bleve's order too.
type passageClause struct {
	cursors []*passageCursor
	match   bool
	phrase  bool
	count   uint64
	weight  float64
}

// byCount sorts as bleve's OrderedSearcherList sorts searchers (by Count,
// with sort.Sort, which is not stable): the same comparisons on the same
// counts in the same places give the same order.
type byCount struct {
	counts []uint64
	swap   func(i, j int)
}

func (b byCount) Len() int           { return len(b.counts) }
func (b byCount) Less(i, j int) bool { return b.counts[i] < b.counts[j] }
func (b byCount) Swap(i, j int) {
	b.counts[i], b.counts[j] = b.counts[j], b.counts[i]
	b.swap(i, j)
}

// phraseHit is a document the phrase clause matched, with its score.
type phraseHit struct {
	doc   uint64
	score float64
}

// scoredDoc is a document and its score in passageTop's heap.
type scoredDoc struct {
	doc   uint64
	score float64
}

// worstFirst is a heap of the best documents so far, the worst on top: a
// lower score, or an equal score found later (bleve's hit number).
type worstFirst []scoredDoc

func (h worstFirst) Len() int { return len(h) }
func (h worstFirst) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].doc > h[j].doc
}
func (h worstFirst) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)   { *h = append(*h, x.(scoredDoc)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// passageTop returns the best n passages for the passage query of the
// asking (text as the phrase, pmatch as the match text), as
// topMatches(buildQueryWith(...)) would; ok is false when the question is
// of a shape it does not evaluate (then nothing was searched).
func (a *asking) passageTop(ctx context.Context, pmatch string, n int) (hits search.DocumentMatchCollection, ok bool, err error) {
	t := a.l.tuning
	if len(a.filters) > 0 || n <= 0 || 3+len(a.extra) > passageTopMaxTerms {
		return nil, false, nil
	}
	terms, ok := a.leanTerms(pmatch)
	if !ok {
		return nil, false, nil
	}
	// The clauses as buildQueryWith makes them: text, phrase, title, extras.
	specs := []leanClause{
		{field: fieldText, boost: 1, terms: terms, match: true},
		{phrase: true},
		{field: fieldTitle, boost: t.TitleBoost, terms: terms, match: true},
	}
	for _, e := range a.extra {
		specs = append(specs, leanClause{field: fieldText, boost: 1, terms: []string{e}})
	}
	return a.leanTop(ctx, specs, n)
}

// articleTop returns the best n article records for the article query of
// the asking (amatch as the match text, and the extra terms), as
// topMatches(buildQueryWith(...)) would, evaluated as passageTop evaluates
// the passage query; ok is false when the question is of a shape it does
// not evaluate (then nothing was searched). Without extra terms the query
// is the match query alone: a disjunction of one clause scores as the
// clause does (its coord is 1, its norm the clause's own).
func (a *asking) articleTop(ctx context.Context, amatch string, n int) (hits search.DocumentMatchCollection, ok bool, err error) {
	if len(a.filters) > 0 || n <= 0 || 1+len(a.extra) > passageTopMaxTerms {
		return nil, false, nil
	}
	terms, ok := a.leanTerms(amatch)
	if !ok {
		return nil, false, nil
	}
	specs := []leanClause{{field: fieldArticle, boost: 1, terms: terms, match: true}}
	for _, e := range a.extra {
		specs = append(specs, leanClause{field: fieldArticle, boost: 1, terms: []string{e}})
	}
	return a.leanTop(ctx, specs, n)
}

// termTop returns the best n documents of one term query on field (boost
// 1), as topMatches(termQuery(field, term, 1), n) would: bleve runs a lone
// term query as the whole search, without a query norm.
func (a *asking) termTop(ctx context.Context, field, term string, n int) (hits search.DocumentMatchCollection, ok bool, err error) {
	if n <= 0 {
		return nil, false, nil
	}
	return a.leanTop(ctx, []leanClause{{field: field, boost: 1, terms: []string{term}, alone: true}}, n)
}

// leanTerms returns the analysed terms of a match text, repeats included
// (a match query makes a term query of each token); ok is false when the
// text has none or more than passageTopMaxTerms.
func (a *asking) leanTerms(match string) ([]string, bool) {
	words := a.l.analyzer.Analyze([]byte(match))
	if len(words) == 0 || len(words) > passageTopMaxTerms {
		return nil, false
	}
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = string(w.Term)
	}
	return terms, true
}

// leanClause is one clause of a disjunction leanTop evaluates: a match query
// (match: its terms, each a term query, summed and multiplied by their
// coord), a term query (one term), or, with phrase, the question as a
// phrase on the passage text with the tuning's PhraseBoost. alone marks a
// term query that is the whole query (the only clause), which bleve scores
// without a query norm.
type leanClause struct {
	field  string
	boost  float64
	terms  []string
	match  bool
	phrase bool
	alone  bool
}

// leanTop returns the best n documents of the disjunction of specs, with
// bleve's scores and order (see the comment at the top of the file); ok is
// false when the index cannot be evaluated so (then nothing was searched).
func (a *asking) leanTop(ctx context.Context, specs []leanClause, n int) (hits search.DocumentMatchCollection, ok bool, err error) {
	t := a.l.tuning
	if a.view.scoringModel() != index.BM25Scoring {
		return nil, false, nil
	}
	r := a.view.r
	if _, isBM := r.(index.BM25Reader); !isBM {
		return nil, false, nil
	}
	total, err := r.DocCount()
	if err != nil || total == 0 {
		return nil, false, err
	}
	sctx, cancel := context.WithTimeout(ctx, t.Deadline)
	defer cancel()
	sctx = context.WithValue(sctx, search.GetScoringModelCallbackKey, search.GetScoringModelCallbackFn(a.view.scoringModel))
	sctx = search.ContextWithTermSearchersCounter(sctx)
	sctx = context.WithValue(sctx, search.MaxTermSearchersKey, t.MaxTermSearchers)
	if sctx, err = a.view.withStats(sctx); err != nil {
		return nil, false, err
	}

	var cursors []*passageCursor
	defer func() {
		for _, c := range cursors {
			c.tfr.Close()
		}
	}()
	avgs := map[string]float64{}
	open := func(field, term string, boost float64) (*passageCursor, error) {
		avg, seen := avgs[field]
		if !seen {
			card, err := a.view.fieldCardinality(field)
			if err != nil {
				return nil, err
			}
			avg = math.Ceil(float64(card) / float64(total))
			avgs[field] = avg
		}
		if avg <= 0 {
			// bleve would score the term by TF-IDF.
			return nil, errNotLean
		}
		tfr, err := r.TermFieldReader(sctx, []byte(term), field, true, true, false)
		if err != nil {
			return nil, err
		}
		docTerm := tfr.Count()
		c := &passageCursor{tfr: tfr, field: field, term: term, avg: avg, boost: boost}
		cursors = append(cursors, c)
		c.idf = math.Log(1 + (float64(total)-float64(docTerm)+0.5)/(float64(docTerm)+0.5))
		return c, nil
	}
	// Each clause's terms ordered as bleve orders a disjunction.
	clause := func(field string, boost float64, terms []string, match bool) (*passageClause, error) {
		cl := &passageClause{match: match}
		counts := make([]uint64, 0, len(terms))
		for _, term := range terms {
			c, err := open(field, term, boost)
			if err != nil {
				return nil, err
			}
			cl.cursors = append(cl.cursors, c)
			counts = append(counts, c.tfr.Count())
		}
		sort.Sort(byCount{counts, func(i, j int) { cl.cursors[i], cl.cursors[j] = cl.cursors[j], cl.cursors[i] }})
		for _, c := range cl.cursors {
			cl.count += c.tfr.Count()
			w := c.boost * c.idf
			cl.weight += w * w
		}
		return cl, nil
	}
	var phrase search.Searcher
	defer func() {
		if phrase != nil {
			phrase.Close()
		}
	}()
	clauses := make([]*passageClause, 0, len(specs))
	for _, sp := range specs {
		if sp.phrase {
			phraseQuery := bleve.NewMatchPhraseQuery(a.text)
			phraseQuery.SetField(fieldText)
			phraseQuery.SetBoost(t.PhraseBoost)
			if phrase, err = phraseQuery.Searcher(sctx, r, a.view.m, search.SearcherOptions{}); err != nil {
				return nil, false, err
			}
			clauses = append(clauses, &passageClause{phrase: true, count: phrase.Count(), weight: phrase.Weight()})
			continue
		}
		cl, err := clause(sp.field, sp.boost, sp.terms, sp.match)
		if errors.Is(err, errNotLean) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		clauses = append(clauses, cl)
	}
	counts := make([]uint64, len(clauses))
	for i, cl := range clauses {
		counts[i] = cl.count
	}
	sort.Sort(byCount{counts, func(i, j int) { clauses[i], clauses[j] = clauses[j], clauses[i] }})
	weights := 0.0
	for _, cl := range clauses {
		weights += cl.weight
	}
	norm := 1.0 / math.Sqrt(weights)
	for _, c := range cursors {
		// TermQueryScorer.SetQueryNorm's arithmetic; a term query alone
		// keeps its scorer's initial weight.
		c.weight = c.boost * c.idf * norm
		if len(specs) == 1 && specs[0].alone {
			c.weight = 1
		}
	}
	var phrases []phraseHit
	if phrase != nil {
		phrase.SetQueryNorm(norm)
		if phrases, err = phraseMatches(sctx, phrase); err != nil {
			return nil, false, err
		}
	}
	var postings uint64
	for _, c := range cursors {
		postings += c.tfr.Count()
	}
	var top worstFirst
	if postings < leanSplitPostings || runtime.GOMAXPROCS(0) < 2 {
		for _, c := range cursors {
			if err := c.next(); err != nil {
				return nil, false, err
			}
		}
		if top, err = walkTop(sctx, clauses, phrases, 0, math.MaxUint64, n); err != nil {
			return nil, false, err
		}
	} else {
		// Two halves of the documents, walked side by side: a document's
		// score depends on its own postings only, and the best n of both
		// halves' best n, in the heap's total order, are the best n.
		mid := total / 2
		var second []*passageClause
		var clones []*passageCursor
		defer func() {
			for _, c := range clones {
				c.tfr.Close()
			}
		}()
		for _, cl := range clauses {
			cl2 := &passageClause{match: cl.match, phrase: cl.phrase, count: cl.count, weight: cl.weight}
			for _, c := range cl.cursors {
				tfr, err := r.TermFieldReader(sctx, []byte(c.term), c.field, true, true, false)
				if err != nil {
					return nil, false, err
				}
				c2 := &passageCursor{tfr: tfr, field: c.field, term: c.term, boost: c.boost, idf: c.idf, weight: c.weight, avg: c.avg}
				clones = append(clones, c2)
				cl2.cursors = append(cl2.cursors, c2)
			}
			second = append(second, cl2)
		}
		from := sort.Search(len(phrases), func(i int) bool { return phrases[i].doc >= mid })
		var top2 worstFirst
		var err2 error
		var wg sync.WaitGroup
		wg.Go(func() {
			for _, c := range clones {
				if err2 = c.advance(mid); err2 != nil {
					return
				}
			}
			top2, err2 = walkTop(sctx, second, phrases[from:], mid, math.MaxUint64, n)
		})
		for _, c := range cursors {
			if err = c.next(); err != nil {
				break
			}
		}
		if err == nil {
			top, err = walkTop(sctx, clauses, phrases[:from], 0, mid, n)
		}
		wg.Wait()
		if err := cmp.Or(err, err2); err != nil {
			return nil, false, err
		}
		top = append(top, top2...)
	}
	sort.Slice(top, func(i, j int) bool { return top.Less(j, i) })
	top = top[:min(n, len(top))]
	hits = make(search.DocumentMatchCollection, 0, len(top))
	for _, d := range top {
		iid := index.NewIndexInternalID(nil, d.doc)
		id, err := r.ExternalID(iid)
		if err != nil {
			return nil, false, fmt.Errorf("searching the library: %w", err)
		}
		hits = append(hits, &search.DocumentMatch{ID: id, IndexInternalID: iid, Score: d.score})
	}
	return hits, true, nil
}

// leanSplitPostings is the number of postings from which leanTop walks two
// halves of the documents side by side: below it, the second set of
// postings readers costs more than it saves. (A variable for the tests.)
var leanSplitPostings uint64 = 20000

// walkTop walks the postings of clauses (their cursors on their first
// posting at or after lo) and the phrase matches phrases, document by
// document up to hi (excluded), and returns the best n documents with
// bleve's scores as a heap (see leanTop).
func walkTop(ctx context.Context, clauses []*passageClause, phrases []phraseHit, lo, hi uint64, n int) (worstFirst, error) {
	nclauses := float64(len(clauses))
	top := make(worstFirst, 0, n)
	pi := 0
	for step := 0; ; step++ {
		if step&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("searching the library: %w", err)
			}
		}
		doc, found := uint64(math.MaxUint64), false
		for _, cl := range clauses {
			for _, c := range cl.cursors {
				if !c.done && c.doc <= doc {
					doc, found = c.doc, true
				}
			}
		}
		if pi < len(phrases) && phrases[pi].doc <= doc {
			doc, found = phrases[pi].doc, true
		}
		if !found || doc >= hi || doc < lo {
			break
		}
		score, matched := 0.0, 0
		for _, cl := range clauses {
			if cl.phrase {
				if pi < len(phrases) && phrases[pi].doc == doc {
					score += phrases[pi].score
					matched++
					pi++
				}
				continue
			}
			s, k := 0.0, 0
			for _, c := range cl.cursors {
				if c.done || c.doc != doc {
					continue
				}
				s += c.score()
				k++
				if err := c.next(); err != nil {
					return nil, err
				}
			}
			if k > 0 {
				if cl.match {
					s = s * (float64(k) / float64(len(cl.cursors)))
				}
				score += s
				matched++
			}
		}
		score = score * (float64(matched) / nclauses)
		switch {
		case len(top) < n:
			heap.Push(&top, scoredDoc{doc, score})
		case score > top[0].score:
			top[0] = scoredDoc{doc, score}
			heap.Fix(&top, 0)
		}
	}
	return top, nil
}

// phraseMatches returns every document the phrase searcher s matches, in
// index order, with its score.
func phraseMatches(ctx context.Context, s search.Searcher) ([]phraseHit, error) {
	sc := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	var out []phraseHit
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("searching the library: %w", err)
		}
		m, err := s.Next(sc)
		if err != nil {
			return nil, fmt.Errorf("searching the library: %w", err)
		}
		if m == nil {
			return out, nil
		}
		if len(m.IndexInternalID) != 8 {
			return nil, fmt.Errorf("unexpected internal id %x", []byte(m.IndexInternalID))
		}
		out = append(out, phraseHit{binary.BigEndian.Uint64(m.IndexInternalID), m.Score})
		sc.DocumentMatchPool.Put(m)
	}
}
