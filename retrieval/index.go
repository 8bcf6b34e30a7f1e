package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/verbatim-bot/verbatim/corpus"
)

// mappingVersion names the layout of the index. Change it whenever the
// mapping or what is indexed changes: an index of another version is rebuilt
// from the store when it is opened. Version 3 dropped the per-source
// markers of version 2 from the index's internal store; version 4 keeps
// term vectors of the article field (positions, for the second stage).
const mappingVersion = "4"

// Field names of a passage document.
const (
	fieldText      = "text"
	fieldTitle     = "title"
	fieldSource    = "source"
	fieldScope     = "scope"
	fieldOutlet    = "outlet"
	fieldPublished = "published"
	// fieldArticle is the whole article (title and text) of a source's
	// article record, for ranking articles as wholes.
	fieldArticle = "article"
	// fieldKind marks article records (kindArticle); passages have none.
	fieldKind = "kind"
)

// kindArticle is the fieldKind of an article record.
const kindArticle = "article"

// Keys in the index's internal store. There are only these two: scorch
// rewrites every internal key into its root file each time it persists a
// snapshot, so per-source keys would make indexing quadratic.
var (
	keyVersion    = []byte("verbatim_mapping_version")
	keyGeneration = []byte("verbatim_store_generation")
)

// runtimeConfig returns scorch's configuration, a new map each time:
// bleve.NewUsing writes the index's path into the map it is given, and a
// shared map would send every later OpenUsing in the process to that index.
//
// Batches are "unsafe": Batch returns once the batch is searchable, before
// it is on disk. The store is the source of truth and every batch carries
// the store generation it reflects, so after a crash an index that lost its
// last batches is behind the store and Open reconciles it; close waits for
// the last batch to be persisted, so a clean shutdown loses nothing.
func runtimeConfig() map[string]any { return map[string]any{"unsafe_batch": true} }

// persistWait is how long close waits for the last batch to reach the disk.
const persistWait = 2 * time.Minute

// indexDoc is what the index holds for one passage, or for a source's
// article record (Article and Kind set, Text and Title empty). Only Text,
// Title and Article are analysed; the rest are exact keys for filtering.
// Nothing is stored: the text to quote comes from the store.
type indexDoc struct {
	Text      string `json:"text,omitempty"`
	Title     string `json:"title,omitempty"`
	Article   string `json:"article,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Source    string `json:"source"`
	Scope     string `json:"scope"`
	Outlet    string `json:"outlet,omitempty"`
	Published string `json:"published,omitempty"`
}

// newMapping returns the index mapping: English analysis with stemming for
// text, title and article, term vectors on text (byte offsets of every
// matched term, for exact quote spans), BM25 scoring, no dynamic fields and
// no _all. Passages and article records use separate fields, so each has its
// own BM25 statistics (document frequencies, average length).
func newMapping() *mapping.IndexMappingImpl {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = en.AnalyzerName
	text.Store = false
	text.IncludeTermVectors = true
	text.IncludeInAll = false
	text.DocValues = false

	title := bleve.NewTextFieldMapping()
	title.Analyzer = en.AnalyzerName
	title.Store = false
	title.IncludeTermVectors = false
	title.IncludeInAll = false
	title.DocValues = false

	article := bleve.NewTextFieldMapping()
	article.Analyzer = en.AnalyzerName
	article.Store = false
	article.IncludeTermVectors = true
	article.IncludeInAll = false
	article.DocValues = false

	key := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, text)
	doc.AddFieldMappingsAt(fieldTitle, title)
	doc.AddFieldMappingsAt(fieldArticle, article)
	for _, f := range []string{fieldSource, fieldScope, fieldOutlet, fieldPublished, fieldKind} {
		doc.AddFieldMappingsAt(f, key())
	}

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = index.BM25Scoring
	return m
}

// sourceIndex is the bleve index of the library's sources, derived from the
// store: for each current source, one document per passage (fieldText,
// fieldTitle) and one article record, the whole article (fieldArticle,
// fieldKind kindArticle). It is the only code that holds the bleve.Index;
// the Library reads and writes the index through its methods.
type sourceIndex struct {
	idx bleve.Index
	log *slog.Logger

	mu        sync.Mutex
	persisted chan error // receives when the last applied batch is on disk
}

// openIndex opens the index at dir, or builds it anew when it is missing,
// unreadable or of another mapping version. It does not reconcile.
func openIndex(dir string, log *slog.Logger) (*sourceIndex, bool, error) {
	idx, err := bleve.OpenUsing(dir, runtimeConfig())
	if err == nil {
		v, verr := idx.GetInternal(keyVersion)
		if verr == nil && string(v) == mappingVersion {
			return &sourceIndex{idx: idx, log: log}, false, nil
		}
		log.Info("rebuilding search index: mapping version changed", "have", string(v), "want", mappingVersion)
		idx.Close()
	} else if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		log.Warn("rebuilding search index: it could not be opened", "dir", dir, "err", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, false, fmt.Errorf("removing old search index %s: %w", dir, err)
	}
	idx, err = bleve.NewUsing(dir, newMapping(), scorch.Name, scorch.Name, runtimeConfig())
	if err != nil {
		return nil, false, fmt.Errorf("creating search index %s: %w", dir, err)
	}
	x := &sourceIndex{idx: idx, log: log}
	if err := x.setInternal(keyVersion, []byte(mappingVersion)); err != nil {
		idx.Close()
		return nil, false, fmt.Errorf("writing search index version: %w", err)
	}
	return x, true, nil
}

// errNoIndex is openIndexReadOnly's error when there is no index at all.
var errNoIndex = errors.New("there is no search index")

// openIndexReadOnly opens the index at dir for reading only, as it is: it
// neither builds nor repairs it (for checking a library another process
// may not hold).
func openIndexReadOnly(dir string) (*sourceIndex, error) {
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, errNoIndex
	}
	if err != nil {
		return nil, err
	}
	return &sourceIndex{idx: idx, log: slog.New(slog.DiscardHandler)}, nil
}

// layout returns the mapping version the index records ("" if none).
func (x *sourceIndex) layout() (string, error) {
	v, err := x.idx.GetInternal(keyVersion)
	if err != nil {
		return "", fmt.Errorf("reading the index layout: %w", err)
	}
	return string(v), nil
}

// textAnalyzer returns the analyzer of the passage text field: questions
// are analysed with it, so that their terms are the index's.
func (x *sourceIndex) textAnalyzer() analysis.Analyzer {
	m := x.idx.Mapping()
	return m.AnalyzerNamed(m.AnalyzerNameForPath(fieldText))
}

// newBatch returns an empty batch of this index.
func (x *sourceIndex) newBatch() *bleve.Batch { return x.idx.NewBatch() }

// docID names passage i of source id in the index.
func docID(sourceID string, i int) string { return sourceID + "/" + strconv.Itoa(i) }

// articleID names the article record of source id in the index.
func articleID(sourceID string) string { return sourceID + "/" + kindArticle }

// parseDocID splits a passage document id into source id and passage
// number; the passage number of an article record is -1.
func parseDocID(id string) (string, int, error) {
	src, n, ok := strings.Cut(id, "/")
	if !ok {
		return "", 0, fmt.Errorf("malformed passage id %q", id)
	}
	if n == kindArticle {
		return src, -1, nil
	}
	i, err := strconv.Atoi(n)
	if err != nil {
		return "", 0, fmt.Errorf("malformed passage id %q: %w", id, err)
	}
	return src, i, nil
}

// addToBatch adds every passage of src and its article record to b. One
// batch is applied atomically, so a source is in the index whole or not at
// all.
func addToBatch(b *bleve.Batch, src *corpus.Source) error {
	published := ""
	if len(src.Published) == len("2006-01-02") && src.Published[4] == '-' {
		published = src.Published
	}
	for i := range src.Passages {
		d := indexDoc{
			Text:      src.PassageText(i),
			Title:     src.Title,
			Source:    src.ID,
			Scope:     src.Scope,
			Outlet:    outletKey(src.Outlet),
			Published: published,
		}
		if err := b.Index(docID(src.ID, i), d); err != nil {
			return fmt.Errorf("indexing passage %d of %s: %w", i, src.ID, err)
		}
	}
	a := indexDoc{
		Article:   src.Title + "\n\n" + src.Text,
		Kind:      kindArticle,
		Source:    src.ID,
		Scope:     src.Scope,
		Outlet:    outletKey(src.Outlet),
		Published: published,
	}
	if err := b.Index(articleID(src.ID), a); err != nil {
		return fmt.Errorf("indexing the article record of %s: %w", src.ID, err)
	}
	return nil
}

// outletKey is the form an outlet is indexed and filtered by.
func outletKey(outlet string) string {
	return strings.ToLower(strings.Join(strings.Fields(outlet), " "))
}

// apply applies a batch, recording in it the store generation gen that the
// index reflects once the batch is applied.
func (x *sourceIndex) apply(b *bleve.Batch, gen uint64) error {
	b.SetInternal(keyGeneration, []byte(strconv.FormatUint(gen, 10)))
	return x.batch(b)
}

// applyPart applies one batch of a long run of them (rebuild, reconcile)
// whose last batch goes through apply: that one records the generation,
// and close waits for it, the batches before it being on disk by then.
func (x *sourceIndex) applyPart(b *bleve.Batch) error { return x.idx.Batch(b) }

// setInternal writes one key of the index's internal store, as a batch
// that close waits for like any other.
func (x *sourceIndex) setInternal(key, val []byte) error {
	b := x.idx.NewBatch()
	b.SetInternal(key, val)
	return x.batch(b)
}

// batch applies b and notes it as the batch close must see persisted.
func (x *sourceIndex) batch(b *bleve.Batch) error {
	done := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { done <- err })
	if err := x.idx.Batch(b); err != nil {
		return err
	}
	x.mu.Lock()
	x.persisted = done
	x.mu.Unlock()
	return nil
}

// generation returns the store generation recorded by the last applied
// batch; ok is false when none was recorded.
func (x *sourceIndex) generation() (gen uint64, ok bool, err error) {
	v, err := x.idx.GetInternal(keyGeneration)
	if err != nil {
		return 0, false, fmt.Errorf("reading the index generation: %w", err)
	}
	if v == nil {
		return 0, false, nil
	}
	gen, err = strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, false, nil
	}
	return gen, true, nil
}

// removeToBatch adds to b the deletion of every document (passages and
// article record) of a source.
func (x *sourceIndex) removeToBatch(ctx context.Context, b *bleve.Batch, sourceID string) error {
	ids, err := x.docsOf(ctx, sourceID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		b.Delete(id)
	}
	return nil
}

// docsOf returns the ids of the index documents (passages and article
// record) of a source.
func (x *sourceIndex) docsOf(ctx context.Context, sourceID string) ([]string, error) {
	var ids []string
	for from := 0; ; from += 1000 {
		q := bleve.NewTermQuery(sourceID)
		q.SetField(fieldSource)
		req := bleve.NewSearchRequestOptions(q, 1000, from, false)
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("listing passages of %s: %w", sourceID, err)
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < 1000 {
			return ids, nil
		}
	}
}

// whole reports whether the index holds exactly a source of n passages: its
// article record and passages 0 to n-1, each once. A nil s holds nothing.
func (s *indexedSource) whole(n int) bool {
	if s == nil || !s.Article || s.Malformed > 0 || s.Passages != n {
		return false
	}
	seen := make([]bool, n)
	for _, i := range s.Numbers {
		if i < 0 || i >= n || seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

// indexedSource is what the index holds of one source.
type indexedSource struct {
	// Passages counts the passage documents; Numbers are their passage
	// numbers, in no particular order.
	Passages int
	Numbers  []int
	// Article reports whether the article record is there.
	Article bool
	// Malformed counts documents whose id does not parse.
	Malformed int
}

// inventory reads the id of every document in the index and returns, per
// source, what the index holds of it. It reads every document id, so its
// cost grows with the index (0.4 s for the 112k documents of 100k passages): it is
// for reconciling and checking, not for answering.
func (x *sourceIndex) inventory(ctx context.Context) (map[string]*indexedSource, error) {
	v, err := x.view()
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	defer v.close()
	r := v.r
	all, err := r.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("reading the index's documents: %w", err)
	}
	defer all.Close()
	out := map[string]*indexedSource{}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		internal, err := all.Next()
		if err != nil {
			return nil, fmt.Errorf("reading the index's documents: %w", err)
		}
		if internal == nil {
			return out, nil
		}
		ext, err := r.ExternalID(internal)
		if err != nil {
			return nil, fmt.Errorf("reading a document id: %w", err)
		}
		src, i, err := parseDocID(ext)
		s := out[src]
		if s == nil {
			s = &indexedSource{}
			out[src] = s
		}
		switch {
		case err != nil:
			s.Malformed++
		case i < 0:
			s.Article = true
		default:
			s.Passages++
			s.Numbers = append(s.Numbers, i)
		}
	}
}

// docCount returns the number of passages in the index (article records
// not counted).
func (x *sourceIndex) docCount() (uint64, error) {
	n, err := x.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("counting indexed passages: %w", err)
	}
	res, err := x.idx.Search(bleve.NewSearchRequestOptions(termQuery(fieldKind, kindArticle, 0), 0, 0, false))
	if err != nil {
		return 0, fmt.Errorf("counting indexed articles: %w", err)
	}
	return n - min(n, res.Total), nil
}

// close waits (at most persistWait) for the last applied batch to be on
// disk, then closes the index.
func (x *sourceIndex) close() error {
	x.mu.Lock()
	done := x.persisted
	x.persisted = nil
	x.mu.Unlock()
	if done != nil {
		select {
		case err := <-done:
			if err != nil {
				x.log.Warn("the search index could not save its last changes; the next start repairs it", "err", err)
			}
		case <-time.After(persistWait):
			x.log.Warn("the search index took too long to save its last changes; the next start repairs it")
		}
	}
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("closing search index: %w", err)
	}
	return nil
}

// termQuery is a TermQuery on a field with the given boost.
func termQuery(field, term string, boost float64) *query.TermQuery {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}
