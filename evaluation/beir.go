package evaluation

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// BEIR is a retrieval benchmark in BEIR format: corpus.jsonl ({_id, title,
// text}), queries.jsonl ({_id, text}) and qrels/SPLIT.tsv (query-id,
// corpus-id, score, after a header line).
type BEIR struct {
	Docs    []BEIRDoc
	Queries []BEIRQuery // only the queries that have judgements in the split
	// Qrels maps a query id to its judged documents and their grades.
	Qrels map[string]map[string]int
}

// BEIRDoc is one document of a BEIR corpus.
type BEIRDoc struct {
	ID    string `json:"_id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// BEIRQuery is one query of a BEIR set.
type BEIRQuery struct {
	ID   string `json:"_id"`
	Text string `json:"text"`
}

// LoadBEIR reads a BEIR data set from dir, with the judgements of split (or
// of several, comma-separated: "test,train").
func LoadBEIR(dir, split string) (*BEIR, error) {
	b := &BEIR{Qrels: map[string]map[string]int{}}
	for _, s := range strings.Split(split, ",") {
		if err := b.readQrels(filepath.Join(dir, "qrels", strings.TrimSpace(s)+".tsv")); err != nil {
			return nil, err
		}
	}
	if err := readJSONL(filepath.Join(dir, "corpus.jsonl"), func(d BEIRDoc) { b.Docs = append(b.Docs, d) }); err != nil {
		return nil, err
	}
	err := readJSONL(filepath.Join(dir, "queries.jsonl"), func(q BEIRQuery) {
		if b.Qrels[q.ID] != nil {
			b.Queries = append(b.Queries, q)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(b.Docs) == 0 || len(b.Queries) == 0 {
		return nil, fmt.Errorf("%s: %d documents and %d judged queries; nothing to evaluate", dir, len(b.Docs), len(b.Queries))
	}
	return b, nil
}

// readQrels adds the judgements of one qrels file.
func (b *BEIR) readQrels(path string) error {
	qf, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading judgements: %w", err)
	}
	defer qf.Close()
	sc := bufio.NewScanner(qf)
	for line := 0; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if line == 0 && len(f) >= 1 && strings.HasPrefix(f[0], "query") {
			continue
		}
		if len(f) < 3 {
			return fmt.Errorf("%s line %d: want query-id, corpus-id, score", filepath.Base(path), line+1)
		}
		grade, err := strconv.Atoi(strings.TrimSpace(f[2]))
		if err != nil {
			return fmt.Errorf("%s line %d: score %q: %w", filepath.Base(path), line+1, f[2], err)
		}
		if b.Qrels[f[0]] == nil {
			b.Qrels[f[0]] = map[string]int{}
		}
		b.Qrels[f[0]][f[1]] = grade
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading judgements: %w", err)
	}
	return nil
}

func readJSONL[T any](path string, each func(T)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("%s line %d: %w", filepath.Base(path), n, err)
		}
		each(v)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Base(path), err)
	}
	return nil
}

// BEIRDraft makes the draft of a BEIR document: its title, and its text as
// one paragraph per line, with the document id as origin.
func BEIRDraft(d BEIRDoc) corpus.Draft {
	doc := corpus.Document{Title: d.Title}
	var b strings.Builder
	for _, line := range strings.Split(d.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || !utf8.ValidString(line) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		start := b.Len()
		b.WriteString(line)
		doc.Paragraphs = append(doc.Paragraphs, corpus.Span{Start: start, End: b.Len()})
	}
	doc.Text = b.String()
	if doc.Text == "" {
		// A document with a title only is still a document.
		doc.Text = strings.TrimSpace(d.Title)
		if doc.Text == "" {
			doc.Text = "(empty)"
		}
		doc.Paragraphs = []corpus.Span{{Start: 0, End: len(doc.Text)}}
	}
	return corpus.Draft{Doc: doc, Meta: corpus.Meta{Origin: d.ID, AddedBy: "beir"}}
}

// BEIRReport holds the figures of a BEIR run.
type BEIRReport struct {
	NDCGAt10      float64 `json:"ndcg_at_10"`
	RecallAt100   float64 `json:"recall_at_100"`
	MRRAt10       float64 `json:"mrr_at_10"`
	Queries       int     `json:"queries"`
	Docs          int     `json:"docs"`
	QueriesPerSec float64 `json:"queries_per_sec"`
}

// RunBEIR runs every judged query of b through lib's RankSources and scores
// the rankings. origin maps the library's source ids to BEIR document ids;
// progress, when not nil, is called after each query.
func RunBEIR(ctx context.Context, lib *retrieval.Library, b *BEIR, origin map[string]string, progress func(done int)) (BEIRReport, error) {
	rep := BEIRReport{Queries: len(b.Queries), Docs: len(b.Docs)}
	start := time.Now()
	for i, q := range b.Queries {
		ranked, err := lib.RankSources(ctx, q.Text, 100)
		if err != nil {
			return rep, fmt.Errorf("query %s: %w", q.ID, err)
		}
		docs := make([]string, len(ranked))
		for j, r := range ranked {
			docs[j] = origin[r.ID]
		}
		rel := b.Qrels[q.ID]
		rep.NDCGAt10 += ndcg(docs, rel, 10)
		rep.RecallAt100 += recall(docs, rel, 100)
		rep.MRRAt10 += mrr(docs, rel, 10)
		if progress != nil {
			progress(i + 1)
		}
	}
	elapsed := time.Since(start).Seconds()
	n := float64(len(b.Queries))
	rep.NDCGAt10 /= n
	rep.RecallAt100 /= n
	rep.MRRAt10 /= n
	if elapsed > 0 {
		rep.QueriesPerSec = n / elapsed
	}
	return rep, nil
}
