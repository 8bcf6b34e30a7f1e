package synth

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/verbatim-bot/verbatim/corpus"
)

func TestSynthIsDeterministic(t *testing.T) {
	gen := func(seed uint64) ([]corpus.Document, []string) {
		g := New(seed, 25)
		var docs []corpus.Document
		for range 60 {
			docs = append(docs, g.Article(20))
		}
		return docs, g.Questions()
	}
	d1, q1 := gen(7)
	d2, q2 := gen(7)
	if !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(q1, q2) {
		t.Fatal("the same seed gave different corpora")
	}
	d3, q3 := gen(8)
	if reflect.DeepEqual(d1, d3) || reflect.DeepEqual(q1, q3) {
		t.Fatal("different seeds gave the same corpus")
	}
	if len(q1) != 25 {
		t.Errorf("%d questions, want 25", len(q1))
	}
}

func TestSynthShape(t *testing.T) {
	chunker, err := corpus.NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	g := New(1, 100)
	texts := map[string]bool{}
	syndicated := 0
	for i := range 300 {
		d := g.Article(8)
		if len(d.Paragraphs) < 1 || len(d.Paragraphs) > 8 {
			t.Fatalf("article %d: %d paragraphs, want 1–8", i, len(d.Paragraphs))
		}
		if d.Title == "" || d.Outlet == "" || len(d.Published) != len("2006-01-02") || !utf8.ValidString(d.Text) {
			t.Fatalf("article %d lacks metadata or is not UTF-8: %+v", i, d)
		}
		for _, p := range d.Paragraphs {
			para := d.Text[p.Start:p.End]
			if texts[para] {
				syndicated++
			}
			texts[para] = true
			if n := len(strings.Fields(para)); n < 8 || n > 130 {
				t.Fatalf("article %d: a paragraph of %d words", i, n)
			}
		}
		src, err := corpus.NewSource(d, corpus.Meta{}, chunker, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if src.PassageCount != len(d.Paragraphs) {
			t.Errorf("article %d: %d paragraphs became %d passages", i, len(d.Paragraphs), src.PassageCount)
		}
	}
	if syndicated == 0 {
		t.Error("no syndicated paragraphs in 300 articles")
	}
	unknown := 0
	for _, q := range g.Questions() {
		if strings.Contains(q, "qz") {
			unknown++
		}
	}
	if unknown < 3 || unknown > 25 {
		t.Errorf("%d of 100 questions have unknown words, want about 10", unknown)
	}
}
