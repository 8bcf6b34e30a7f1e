package retrieval

import (
	"context"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/synth"
)

// synthBenchPassages is the corpus size of the synthetic benchmarks: small
// enough for CI. `verbatim bench` measures larger libraries.
const synthBenchPassages = 2000

// synthDocs generates articles holding n passages in all, and questions.
func synthDocs(n, questions int) ([]corpus.Document, []string) {
	g := synth.New(1, questions)
	var docs []corpus.Document
	for planned := 0; planned < n; {
		d := g.Article(n - planned)
		docs = append(docs, d)
		planned += len(d.Paragraphs)
	}
	return docs, g.Questions()
}

// openSynth opens an empty library in a temporary directory.
func openSynth(b *testing.B) *Library {
	b.Helper()
	l, err := Open(context.Background(), Options{Dir: b.TempDir(), NoSeed: true,
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// addSynth adds docs through the real add path: AddMany in batches of 500
// drafts.
func addSynth(b *testing.B, l *Library, docs []corpus.Document) {
	b.Helper()
	ctx := context.Background()
	for i := 0; i < len(docs); i += 500 {
		var drafts []corpus.Draft
		for _, d := range docs[i:min(i+500, len(docs))] {
			drafts = append(drafts, corpus.Draft{Doc: d, Meta: corpus.Meta{Origin: d.URL, AddedBy: "bench"}})
		}
		if _, err := l.AddMany(ctx, drafts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexSynth measures the add path (chunking, store, index) for
// 2k generated passages into a new library; passages/s is reported.
func BenchmarkIndexSynth(b *testing.B) {
	docs, _ := synthDocs(synthBenchPassages, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		l := openSynth(b)
		b.StartTimer()
		addSynth(b, l, docs)
		b.StopTimer()
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(synthBenchPassages*b.N)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkAskSynth measures the whole answer path on a library of 2k
// generated passages, over generated questions (about a tenth with words
// the library lacks).
func BenchmarkAskSynth(b *testing.B) {
	docs, qs := synthDocs(synthBenchPassages, 200)
	l := openSynth(b)
	defer l.Close()
	addSynth(b, l, docs)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Ask(ctx, Question{Text: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
	}
}
