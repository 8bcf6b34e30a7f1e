// Command blevefloor measures the floor of Verbatim's add rate: how fast
// bleve alone indexes the passages `verbatim bench --export` wrote, doing
// less than a Verbatim add must — one analysed field per passage (the
// English analyser Verbatim uses), nothing stored, no store of record, no
// sentence splitting, no title, no keys for filters and no article
// records — in batches of 1,000 passages (--batch), as bench/fts5.py
// commits its inserts, applied by --workers goroutines side by side.
//
//	go run ./bench/blevefloor [--json] [--batch N] [--workers N] DIR
//
// It runs three times: one field without term vectors, the least bleve can
// index; one field with them, as Verbatim maps its passage text (the phrase
// clause of a question needs them); and what Verbatim's index holds of the
// same passages without its title field — each passage with term vectors
// and its keys for filters (source, scope, outlet, date), and each
// source's article record (its passages' text again, with term vectors). The index is bleve's usual one, on disk in a temporary
// directory; the rate is passages per wall-clock second of the batches
// (reading the file and saving the last segments at close are not timed;
// an in-memory bleve index is far slower: with no persister, nothing
// merges its segments). bench/compare.sh prints it beside FTS5's insert
// rate: where bleve alone stays near half of FTS5's rate, no add built on
// bleve that indexes more than this reaches it.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// run is one timed indexing of the passages.
type run struct {
	Name        string  `json:"name"`
	PerSec      float64 `json:"insert_per_sec"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	Passages    int     `json:"passages"`
	Batch       int     `json:"batch"`
	Workers     int     `json:"workers"`
}

// passage is one exported passage; its id is "SOURCE/N".
type passage struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// layout is what an index holds of the passages.
type layout struct {
	name string
	// mapping is the index mapping; docs the documents of passages[i:j]
	// (j is at a source's end or the end of the list).
	mapping func() *mapping.IndexMappingImpl
	docs    func(ps []passage) []doc
}

// doc is one document to index.
type doc struct {
	id   string
	body any
}

func main() {
	asJSON := flag.Bool("json", false, "print the figures as JSON")
	workers := flag.Int("workers", 1, "batches applied side by side")
	batch := flag.Int("batch", 1000, "passages per batch (fts5.py commits every 1,000 rows)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: blevefloor [--json] [--batch N] [--workers N] DIR (what verbatim bench --export wrote)")
		os.Exit(2)
	}
	if err := measure(filepath.Join(flag.Arg(0), "passages.jsonl"), max(1, *batch), max(1, *workers), *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "blevefloor:", err)
		os.Exit(1)
	}
}

// measure indexes the passages of path in each layout and prints the rates.
func measure(path string, batch, workers int, asJSON bool) error {
	ps, err := readPassages(path)
	if err != nil {
		return err
	}
	var out []run
	for _, l := range layouts() {
		r, err := index1(ps, l, batch, workers)
		if err != nil {
			return fmt.Errorf("%s: %w", l.name, err)
		}
		out = append(out, r)
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"runs": out, "gomaxprocs": runtime.GOMAXPROCS(0)})
	}
	for _, r := range out {
		fmt.Printf("%s: %d passages, %.0f/s (%.1f CPU-s, %.1f s)\n", r.Name, r.Passages, r.PerSec, r.CPUSeconds, r.WallSeconds)
	}
	return nil
}

// layouts are the three indexes measured, from the least to what Verbatim
// holds (without its title field: the export has no titles).
func layouts() []layout {
	onlyText := func(ps []passage) []doc {
		out := make([]doc, len(ps))
		for i, p := range ps {
			out[i] = doc{p.ID, struct {
				Text string `json:"text"`
			}{p.Text}}
		}
		return out
	}
	return []layout{
		{name: "bleve alone, one field", mapping: func() *mapping.IndexMappingImpl { return newMapping(false) }, docs: onlyText},
		{name: "bleve alone, one field, term vectors", mapping: func() *mapping.IndexMappingImpl { return newMapping(true) }, docs: onlyText},
		{name: "bleve alone, Verbatim's fields but the title", mapping: verbatimMapping, docs: verbatimDocs},
	}
}

// newMapping is an index of one English text field, with or without term
// vectors.
func newMapping(termVectors bool) *mapping.IndexMappingImpl {
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", textField(termVectors))
	return indexMapping(doc)
}

// verbatimMapping is Verbatim's mapping (retrieval/index.go) without the
// title: text and article with term vectors, and keys.
func verbatimMapping() *mapping.IndexMappingImpl {
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", textField(true))
	doc.AddFieldMappingsAt("article", textField(true))
	for _, f := range []string{"source", "scope", "outlet", "published", "kind"} {
		k := bleve.NewKeywordFieldMapping()
		k.Analyzer = keyword.Name
		k.Store, k.IncludeTermVectors, k.IncludeInAll, k.DocValues = false, false, false, false
		doc.AddFieldMappingsAt(f, k)
	}
	return indexMapping(doc)
}

// verbatimDocs are the documents Verbatim indexes for passages: one per
// passage and, at the end of each source, its article record.
func verbatimDocs(ps []passage) []doc {
	type passageDoc struct {
		Text      string `json:"text"`
		Source    string `json:"source"`
		Scope     string `json:"scope"`
		Outlet    string `json:"outlet"`
		Published string `json:"published"`
	}
	type articleDoc struct {
		Article   string `json:"article"`
		Kind      string `json:"kind"`
		Source    string `json:"source"`
		Scope     string `json:"scope"`
		Outlet    string `json:"outlet"`
		Published string `json:"published"`
	}
	var out []doc
	var article []string
	for i, p := range ps {
		src, _, _ := strings.Cut(p.ID, "/")
		out = append(out, doc{p.ID, passageDoc{p.Text, src, "global", "outlet", "2026-01-01"}})
		article = append(article, p.Text)
		if i+1 == len(ps) || !strings.HasPrefix(ps[i+1].ID, src+"/") {
			out = append(out, doc{src + "/article", articleDoc{strings.Join(article, "\n\n"), "article", src, "global", "outlet", "2026-01-01"}})
			article = article[:0]
		}
	}
	return out
}

func textField(termVectors bool) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = en.AnalyzerName
	f.Store = false
	f.IncludeTermVectors = termVectors
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

func indexMapping(doc *mapping.DocumentMapping) *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = index.BM25Scoring
	return m
}

// readPassages reads passages.jsonl.
func readPassages(path string) ([]passage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading passages: %w", err)
	}
	defer f.Close()
	var out []passage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var p passage
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("reading passages: line %d: %w", len(out)+1, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading passages: %w", err)
	}
	return out, nil
}

// index1 indexes the passages in a layout into a new index in a temporary
// directory, about batch passages per batch (a batch ends with a source),
// and times it.
func index1(ps []passage, l layout, batch, workers int) (run, error) {
	dir, err := os.MkdirTemp("", "blevefloor-")
	if err != nil {
		return run{}, fmt.Errorf("making a directory for the index: %w", err)
	}
	defer os.RemoveAll(dir)
	idx, err := bleve.New(filepath.Join(dir, "index.bleve"), l.mapping())
	if err != nil {
		return run{}, fmt.Errorf("making an index: %w", err)
	}
	defer idx.Close()
	// The documents are made before the clock starts: only indexing is
	// timed.
	var parts [][]doc
	for i := 0; i < len(ps); {
		j := min(i+batch, len(ps))
		for j < len(ps) && sameSource(ps[j-1].ID, ps[j].ID) {
			j++
		}
		parts = append(parts, l.docs(ps[i:j]))
		i = j
	}
	start, cpu := time.Now(), cpuSeconds()
	// Batches are applied by workers goroutines side by side (scorch
	// builds each batch's segment on the goroutine that applies it).
	work := make(chan []doc)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := range work {
				b := idx.NewBatch()
				for _, d := range part {
					if err := b.Index(d.id, d.body); err != nil {
						errs <- fmt.Errorf("indexing %s: %w", d.id, err)
						return
					}
				}
				if err := idx.Batch(b); err != nil {
					errs <- fmt.Errorf("applying a batch: %w", err)
					return
				}
			}
		}()
	}
	for _, part := range parts {
		work <- part
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return run{}, err
	}
	wall := time.Since(start).Seconds()
	return run{Name: l.name, PerSec: float64(len(ps)) / wall, CPUSeconds: cpuSeconds() - cpu,
		WallSeconds: wall, Passages: len(ps), Batch: batch, Workers: workers}, nil
}

// sameSource reports whether two passage ids are of one source.
func sameSource(a, b string) bool {
	sa, _, _ := strings.Cut(a, "/")
	sb, _, _ := strings.Cut(b, "/")
	return sa == sb
}

// cpuSeconds is the CPU time (user and system) the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
