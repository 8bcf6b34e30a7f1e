package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// indexView is one point-in-time view of the index: a bleve reader, which
// holds one scorch snapshot. What it counts, the postings it reads and the
// searches it runs all see the same documents, whatever is added or removed
// meanwhile, and the internal ids of its search hits hold in its postings.
// One question reads through one view (see asking); close it when done.
// (Not to be confused with a source's snapshot, the bytes it was made from.)
type indexView struct {
	r index.IndexReader
	m mapping.IndexMapping

	// counted says passages and articles hold the view's counts.
	counted            bool
	passages, articles uint64

	// norms are the BM25 average lengths fixed for some fields (see
	// Tuning.TextNorm); stats, made from them once (statsOnce: a
	// question's searches run side by side), is what every search of the
	// view scores with.
	norms     map[string]float64
	statsOnce sync.Once
	stats     *search.BM25Stats
	statsErr  error
}

// scoredFields are the index's fields, every one of which bleve wants
// statistics for when it is given them.
var scoredFields = []string{fieldText, fieldTitle, fieldArticle, fieldSource, fieldScope, fieldOutlet, fieldPublished, fieldKind}

// bm25Stats returns the statistics the view's searches score with: the
// view's document count, and for each field the "cardinality" bleve
// divides by the document count (rounding up) for the field's average
// length: norm × documents for a field with a fixed norm, bleve's own
// figure for the others. nil when no norm is fixed (bleve's own figures
// throughout).
func (v *indexView) bm25Stats() (*search.BM25Stats, error) {
	v.statsOnce.Do(func() { v.stats, v.statsErr = v.makeStats() })
	return v.stats, v.statsErr
}

// makeStats makes what bm25Stats returns.
func (v *indexView) makeStats() (*search.BM25Stats, error) {
	if len(v.norms) == 0 {
		return nil, nil
	}
	n, err := v.r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("counting the index's documents: %w", err)
	}
	bm, ok := v.r.(index.BM25Reader)
	if !ok {
		return nil, nil
	}
	st := &search.BM25Stats{DocCount: float64(n), FieldCardinality: make(map[string]int, len(scoredFields))}
	for _, f := range scoredFields {
		if norm, ok := v.norms[f]; ok {
			st.FieldCardinality[f] = int(norm * float64(n))
			continue
		}
		c, err := bm.FieldCardinality(f)
		if err != nil {
			return nil, fmt.Errorf("reading the statistics of field %s: %w", f, err)
		}
		st.FieldCardinality[f] = c
	}
	return st, nil
}

// withStats returns ctx carrying the view's BM25 statistics for bleve's
// searchers (unchanged when bleve works them out itself).
func (v *indexView) withStats(ctx context.Context) (context.Context, error) {
	st, err := v.bm25Stats()
	if err != nil || st == nil {
		return ctx, err
	}
	return context.WithValue(ctx, search.BM25StatsKey, st), nil
}

// fieldCardinality is the cardinality of field the view's searches score
// with (see bm25Stats).
func (v *indexView) fieldCardinality(field string) (int, error) {
	st, err := v.bm25Stats()
	if err != nil {
		return 0, err
	}
	if st != nil {
		return st.FieldCardinality[field], nil
	}
	bm, ok := v.r.(index.BM25Reader)
	if !ok {
		return 0, errors.New("the index keeps no BM25 statistics")
	}
	return bm.FieldCardinality(field)
}

// view opens a view of the index as it is now.
func (x *sourceIndex) view() (*indexView, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("opening index reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("opening index reader: %w", err)
	}
	if is, ok := r.(*scorch.IndexSnapshot); r == nil || (ok && is == nil) {
		// A closed scorch index hands out a nil snapshot.
		return nil, errors.New("opening index reader: the index is closed")
	}
	return &indexView{r: r, m: x.idx.Mapping()}, nil
}

// close releases the view.
func (v *indexView) close() error {
	if err := v.r.Close(); err != nil {
		return fmt.Errorf("closing index reader: %w", err)
	}
	return nil
}

// docFreq returns the number of documents whose field holds term.
func (v *indexView) docFreq(ctx context.Context, field string, term []byte) (uint64, error) {
	tfr, err := v.r.TermFieldReader(ctx, term, field, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("reading term %q: %w", term, err)
	}
	n := tfr.Count()
	if err := tfr.Close(); err != nil {
		return 0, fmt.Errorf("reading term %q: %w", term, err)
	}
	return n, nil
}

// counts returns the number of passages and of article records (one per
// indexed source) in the view: the articles from the posting list of
// kind=article, the passages as every other document. Unlike
// sourceIndex.docCount it runs no search, so each question can afford it;
// it is counted once per view.
func (v *indexView) counts(ctx context.Context) (passages, articles uint64, err error) {
	if v.counted {
		return v.passages, v.articles, nil
	}
	all, err := v.r.DocCount()
	if err != nil {
		return 0, 0, fmt.Errorf("counting indexed passages: %w", err)
	}
	a, err := v.docFreq(ctx, fieldKind, []byte(kindArticle))
	if err != nil {
		return 0, 0, fmt.Errorf("counting articles: %w", err)
	}
	v.passages, v.articles, v.counted = all-min(all, a), a, true
	return v.passages, v.articles, nil
}

// search runs q on the view and returns its best size documents, best
// first, with the term locations of the matches when locations is set.
//
// bleve.Index.SearchInContext opens a reader of its own for each search;
// this is what it does with its reader for a request of size documents
// from 0, sorted by score, with no explain, fields, facets, highlighting,
// KNN, synonyms, nested fields or presearch (the library's mapping has none
// of them): the scoring model the mapping names (BM25), a fresh count of
// term searchers for the limit the context sets (search.MaxTermSearchersKey),
// the searcher options of the request (score "", term vectors only for
// locations), and a top-N collector sorted by score. So its scores and
// order are bleve's own.
func (v *indexView) search(ctx context.Context, q query.Query, size int, locations bool) (hits search.DocumentMatchCollection, err error) {
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey, search.GetScoringModelCallbackFn(v.scoringModel))
	ctx = search.ContextWithTermSearchersCounter(ctx)
	if ctx, err = v.withStats(ctx); err != nil {
		return nil, err
	}
	searcher, err := q.Searcher(ctx, v.r, v.m, search.SearcherOptions{IncludeTermVectors: locations})
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := searcher.Close(); err == nil && cerr != nil {
			hits, err = nil, cerr
		}
	}()
	coll := collector.NewTopNCollector(size, 0, search.SortOrder{&search.SortScore{Desc: true}})
	if err := coll.Collect(ctx, searcher, v.r); err != nil {
		return nil, err
	}
	return coll.Results(), nil
}

// scoringModel is the scoring model bleve uses for the view's mapping:
// BM25 when the mapping names it, as the library's does.
func (v *indexView) scoringModel() string {
	if m, ok := v.m.(*mapping.IndexMappingImpl); ok && m.ScoringModel == index.BM25Scoring {
		return index.BM25Scoring
	}
	return index.DefaultScoringModel
}
