package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
// term vectors of the article field (positions, for the second stage);
// version 5 holds at most the first maxArticleBytes of an article in its
// article record.
const mappingVersion = "5"

// maxArticleBytes bounds the text of an article record. Indexing one
// document takes memory in proportion to its text (term vectors of every
// word): a 100 MB source took 6.7 GB for its article record alone. A news
// article is far shorter than this; a longer source is ranked as a whole
// by its first 1 MiB, and all of its text is still in its passages.
const maxArticleBytes = 1 << 20

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
// the last batch to be persisted, so a clean shutdown loses nothing. Writes
// that must last (Add, AddMany, Import) wait for it themselves (sync), and
// scorch's errors in persisting reach asyncError (health.go).
func runtimeConfig() map[string]any {
	return map[string]any{"unsafe_batch": true, "asyncErrorCallbackName": asyncErrorCallback}
}

// readOnlyConfig is scorch's configuration for reading an index only. A
// read-only open waits for a writer's lock forever unless bolt_timeout is
// set.
func readOnlyConfig() map[string]any {
	return map[string]any{"read_only": true, "bolt_timeout": "1s"}
}

// persistWait is how long close waits for the last batch to reach the
// disk, unless persisting has failed (then it does not wait).
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
	dir string
	log *slog.Logger

	persist *persistState
	// trim bounds the resident pages of the index's segments while it is
	// written (resident.go), and with them the store's (dropStore, when
	// the store can).
	trim      residentTrim
	dropStore func() error
	// unusable says why an index that could not be opened (and, in a
	// read-only library, not rebuilt) cannot answer; idx then refuses
	// every read with it (unusableIndex).
	unusable error
	// tune, when set (by tests), adjusts scorch's configuration.
	tune func(map[string]any)
}

// config is scorch's configuration for this index (runtimeConfig, as tune
// adjusts it).
func (x *sourceIndex) config() map[string]any {
	m := runtimeConfig()
	if x.tune != nil {
		x.tune(m)
	}
	return m
}

// openIndex opens the index at dir, or builds it anew when it is missing,
// damaged (a segment that does not match its checksum, or that bleve
// cannot open), or of another mapping version. It does not reconcile.
func openIndex(dir string, log *slog.Logger, tune func(map[string]any)) (*sourceIndex, bool, error) {
	x := &sourceIndex{dir: dir, log: log, persist: newPersistState(), tune: tune}
	asyncRoutes.Store(scorchPath(dir), x)
	if beingCreated(dir) {
		log.Info("building the search index again: it was being created when verbatim stopped", "dir", dir)
		if err := x.create(); err != nil {
			asyncRoutes.CompareAndDelete(scorchPath(dir), x)
			return nil, false, err
		}
		return x, true, nil
	}
	err := guardIndex(func() (err error) {
		x.idx, err = bleve.OpenUsing(dir, x.config())
		return err
	})
	if err == nil {
		if err = x.verify(false, true); err != nil {
			x.idx.Close()
		}
	}
	if err == nil {
		v, verr := x.idx.GetInternal(keyVersion)
		if verr == nil && string(v) == mappingVersion {
			return x, false, nil
		}
		log.Info("rebuilding search index: mapping version changed", "have", string(v), "want", mappingVersion)
		x.idx.Close()
	} else if errors.Is(err, errIndexDamaged) {
		log.Warn("rebuilding search index from the store: it is damaged", "dir", dir, "err", err)
	} else if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		log.Warn("rebuilding search index from the store: it could not be opened", "dir", dir, "err", err)
	}
	if err := x.create(); err != nil {
		asyncRoutes.CompareAndDelete(scorchPath(dir), x)
		return nil, false, err
	}
	return x, true, nil
}

// create replaces whatever is at x.dir with a new, empty index. What the
// old index reported of its saving (a damaged index's merger fails as soon
// as it is opened) is forgotten with it: the new one starts healthy.
//
// A process stopped while bleve lays out a new index leaves a directory
// that looks damaged (no root.bolt, metadata cut short, no layout). So
// creating is marked (creatingMarker) until the new index has saved its
// layout: the next start sees the mark and creates it again, and check
// says the index was being created, not that it is damaged.
func (x *sourceIndex) create() error {
	x.persist = newPersistState()
	marker := creatingMarker(x.dir)
	if err := os.WriteFile(marker, []byte("the search index next to this file was being created; the next start builds it again\n"), 0o600); err != nil {
		return fmt.Errorf("marking the search index %s as being created: %w", x.dir, corpus.DiskFull(x.dir, err))
	}
	if err := os.RemoveAll(x.dir); err != nil {
		return fmt.Errorf("removing old search index %s: %w", x.dir, err)
	}
	idx, err := bleve.NewUsing(x.dir, newMapping(), scorch.Name, scorch.Name, x.config())
	if err != nil {
		return fmt.Errorf("creating search index %s: %w", x.dir, corpus.DiskFull(x.dir, err))
	}
	x.idx = idx
	if err := x.setInternal(keyVersion, []byte(mappingVersion)); err != nil {
		idx.Close()
		return fmt.Errorf("writing search index version: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), persistWait)
	defer cancel()
	if err := x.sync(ctx); err != nil {
		idx.Close()
		return fmt.Errorf("saving the new search index %s: %w", x.dir, err)
	}
	if err := os.Remove(marker); err != nil {
		idx.Close()
		return fmt.Errorf("unmarking the new search index %s: %w", x.dir, err)
	}
	return nil
}

// creatingMarker is the file beside the index directory dir that says
// the index there is being created (see create).
func creatingMarker(dir string) string { return filepath.Clean(dir) + ".creating" }

// beingCreated reports whether the index at dir was being created when its
// process stopped.
func beingCreated(dir string) bool {
	_, err := os.Stat(creatingMarker(dir))
	return err == nil
}

// errNoIndex is openIndexReadOnly's error when there is no index at all.
var errNoIndex = errors.New("there is no search index")

// errIndexCreating is openIndexReadOnly's error when the index was being
// created when its process stopped: the next start builds it.
var errIndexCreating = errors.New("the search index was being created when verbatim stopped; the next start (or verbatim check --repair) builds it from the store")

// openIndexReadOnly opens the index at dir for reading only, as it is: it
// neither builds nor repairs it. With all, every segment is checked against
// its checksum (check); otherwise those verified before are trusted.
func openIndexReadOnly(dir string, log *slog.Logger, all bool) (*sourceIndex, error) {
	if beingCreated(dir) {
		return nil, errIndexCreating
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, errNoIndex
	}
	x := &sourceIndex{dir: dir, log: log, persist: newPersistState()}
	err := guardIndex(func() (err error) {
		x.idx, err = bleve.OpenUsing(dir, readOnlyConfig())
		return err
	})
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, errNoIndex
	}
	if err != nil {
		return nil, err
	}
	if err := x.verify(all, false); err != nil {
		x.idx.Close()
		return nil, err
	}
	return x, nil
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
// all (a batcher splits large sources; see batcher).
func addToBatch(b *bleve.Batch, src *corpus.Source) error {
	published := publishedKey(src.Published)
	for i := range src.Passages {
		if err := b.Index(docID(src.ID, i), passageDoc(src, i, published)); err != nil {
			return fmt.Errorf("indexing passage %d of %s: %w", i, src.ID, err)
		}
	}
	if err := b.Index(articleID(src.ID), articleDoc(src, published)); err != nil {
		return fmt.Errorf("indexing the article record of %s: %w", src.ID, err)
	}
	return nil
}

// publishedKey is the form a publication date is indexed and filtered by:
// a full ISO date, or "" for any other.
func publishedKey(published string) string {
	if len(published) == len("2006-01-02") && published[4] == '-' {
		return published
	}
	return ""
}

// passageDoc is the index document of passage i of src.
func passageDoc(src *corpus.Source, i int, published string) indexDoc {
	return indexDoc{
		Text:      src.PassageText(i),
		Title:     src.Title,
		Source:    src.ID,
		Scope:     src.Scope,
		Outlet:    outletKey(src.Outlet),
		Published: published,
	}
}

// articleDoc is the index document of src's article record: its title and
// text, the text cut after maxArticleBytes (at a space when there is one).
func articleDoc(src *corpus.Source, published string) indexDoc {
	text := src.Text
	if len(text) > maxArticleBytes {
		cut := maxArticleBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if sp := strings.LastIndexAny(text[:cut], " \n"); sp > cut/2 {
			cut = sp
		}
		text = text[:cut]
	}
	return indexDoc{
		Article:   src.Title + "\n\n" + text,
		Kind:      kindArticle,
		Source:    src.ID,
		Scope:     src.Scope,
		Outlet:    outletKey(src.Outlet),
		Published: published,
	}
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
func (x *sourceIndex) applyPart(b *bleve.Batch) error {
	if err := x.health(); err != nil {
		return err
	}
	if err := guardIndex(func() error { return x.idx.Batch(b) }); err != nil {
		return err
	}
	x.trim.wrote(x.dropResident)
	return nil
}

// setInternal writes one key of the index's internal store, as a batch
// that close waits for like any other.
func (x *sourceIndex) setInternal(key, val []byte) error {
	b := x.idx.NewBatch()
	b.SetInternal(key, val)
	return x.batch(b)
}

// generation returns the store generation recorded by the last applied
// batch; ok is false when none was recorded.
func (x *sourceIndex) generation() (gen uint64, ok bool, err error) {
	var v []byte
	err = guardIndex(func() (err error) {
		v, err = x.idx.GetInternal(keyGeneration)
		return err
	})
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
		var res *bleve.SearchResult
		err := guardIndex(func() (err error) {
			res, err = x.idx.SearchInContext(ctx, req)
			return err
		})
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

// close waits (at most persistWait, and not at all once persisting has
// failed) for the last applied batch to be on disk, then closes the index.
func (x *sourceIndex) close() error {
	p := x.persist
	p.mu.Lock()
	done, failed := p.last, p.failed
	p.last = nil
	p.mu.Unlock()
	told := func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.told
	}
	if done != nil {
		select {
		case err := <-done:
			if err != nil {
				x.log.Warn("the search index could not save its last changes; the next start repairs it", "err", err)
			}
		case <-failed:
			if !told() {
				x.log.Warn("the search index could not save its last changes; the next start repairs them from the store", "err", x.health())
			}
		case <-time.After(persistWait):
			x.log.Warn("the search index took too long to save its last changes; the next start repairs it")
		}
	}
	p.closeOnce.Do(func() { close(p.closing) })
	x.trim.close()
	defer asyncRoutes.CompareAndDelete(scorchPath(x.dir), x)
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
