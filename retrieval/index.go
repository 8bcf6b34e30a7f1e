package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/verbatim-bot/verbatim/corpus"
)

// mappingVersion names the layout of the index. Change it whenever the
// mapping or what is indexed changes: an index of another version is rebuilt
// from the store when it is opened.
const mappingVersion = "2"

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

var (
	keyVersion      = []byte("verbatim_mapping_version")
	internalSrcPref = "src/"
)

// passageDoc is what the index holds for one passage, or for a source's
// article record (Article and Kind set, Text and Title empty). Only Text,
// Title and Article are analysed; the rest are exact keys for filtering.
// Nothing is stored: the text to quote comes from the store.
type passageDoc struct {
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
	article.IncludeTermVectors = false
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

// passageIndex is the bleve index of the library's passages, derived from
// the store.
type passageIndex struct {
	idx bleve.Index
	log *slog.Logger
}

// openIndex opens the index at dir, or builds it anew when it is missing,
// unreadable or of another mapping version. It does not reconcile.
func openIndex(dir string, log *slog.Logger) (*passageIndex, bool, error) {
	idx, err := bleve.Open(dir)
	if err == nil {
		v, verr := idx.GetInternal(keyVersion)
		if verr == nil && string(v) == mappingVersion {
			return &passageIndex{idx: idx, log: log}, false, nil
		}
		log.Info("rebuilding search index: mapping version changed", "have", string(v), "want", mappingVersion)
		idx.Close()
	} else if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		log.Warn("rebuilding search index: it could not be opened", "dir", dir, "err", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, false, fmt.Errorf("removing old search index %s: %w", dir, err)
	}
	idx, err = bleve.New(dir, newMapping())
	if err != nil {
		return nil, false, fmt.Errorf("creating search index %s: %w", dir, err)
	}
	if err := idx.SetInternal(keyVersion, []byte(mappingVersion)); err != nil {
		idx.Close()
		return nil, false, fmt.Errorf("writing search index version: %w", err)
	}
	return &passageIndex{idx: idx, log: log}, true, nil
}

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

// addToBatch adds every passage of src and its article record to b, with the
// source's marker in the index's internal store. One batch is applied
// atomically, so a source is in the index whole or not at all.
func addToBatch(b *bleve.Batch, src *corpus.Source) error {
	published := ""
	if len(src.Published) == len("2006-01-02") && src.Published[4] == '-' {
		published = src.Published
	}
	for i := range src.Passages {
		d := passageDoc{
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
	a := passageDoc{
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
	b.SetInternal([]byte(internalSrcPref+src.ID), []byte(strconv.Itoa(len(src.Passages))))
	return nil
}

// outletKey is the form an outlet is indexed and filtered by.
func outletKey(outlet string) string {
	return strings.ToLower(strings.Join(strings.Fields(outlet), " "))
}

// add indexes every passage of a source, whole, in one batch.
func (x *passageIndex) add(src *corpus.Source) error {
	b := x.idx.NewBatch()
	if err := addToBatch(b, src); err != nil {
		return err
	}
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("indexing source %s: %w", src.ID, err)
	}
	return nil
}

// remove deletes every passage of a source, its article record and its
// marker, in one batch.
func (x *passageIndex) remove(ctx context.Context, sourceID string) error {
	ids, err := x.docsOf(ctx, sourceID)
	if err != nil {
		return err
	}
	b := x.idx.NewBatch()
	for _, id := range ids {
		b.Delete(id)
	}
	b.DeleteInternal([]byte(internalSrcPref + sourceID))
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("removing source %s from the index: %w", sourceID, err)
	}
	return nil
}

// docsOf returns the ids of the index documents (passages and article
// record) of a source.
func (x *passageIndex) docsOf(ctx context.Context, sourceID string) ([]string, error) {
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

// indexed returns the number of passages the index holds for a source
// (from its marker), or -1 when the source is not indexed.
func (x *passageIndex) indexed(sourceID string) (int, error) {
	v, err := x.idx.GetInternal([]byte(internalSrcPref + sourceID))
	if err != nil {
		return 0, fmt.Errorf("reading index marker of %s: %w", sourceID, err)
	}
	if v == nil {
		return -1, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return -1, nil
	}
	return n, nil
}

// sourceIDs returns the ids of every source with terms in the index. It may
// name a source whose passages were all deleted; callers check with docsOf.
func (x *passageIndex) sourceIDs() ([]string, error) {
	d, err := x.idx.FieldDict(fieldSource)
	if err != nil {
		return nil, fmt.Errorf("reading indexed sources: %w", err)
	}
	defer d.Close()
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("reading indexed sources: %w", err)
		}
		if e == nil {
			return out, nil
		}
		out = append(out, e.Term)
	}
}

// docCount returns the number of passages in the index (article records
// not counted).
func (x *passageIndex) docCount() (uint64, error) {
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

// close closes the index.
func (x *passageIndex) close() error {
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
