package corpus

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzChunk checks that the chunker's offsets always round-trip. Any valid
// UTF-8 text is made into a document twice — its blank-line blocks as
// paragraphs, and what ParseText makes of it — and each goes through
// NewSource. Then: Validate passes; sentences lie inside their paragraph, in
// order, without overlap, trimmed, and cover every byte of it but white
// space; a paragraph's passages are the paragraph itself or runs of its
// whole sentences, in order, together from its first sentence to its last,
// or a run of whole paragraphs in which ParagraphSpan and ParagraphAt find
// each one; no sentence or passage is over the chunker's limits; and the source
// survives a JSON round trip (the store's encoding) whole. Each document is
// chunked twice: with the default limits, and with limits small enough
// that sentences are cut into pieces, paragraphs split and short ones
// merged on most inputs.
// Seeds: testdata/fuzz/FuzzChunk.
func FuzzChunk(f *testing.F) {
	chunker := mustChunker(f)
	small := mustChunker(f)
	small.TargetWords, small.MaxWords, small.MaxSentenceRunes, small.MaxPassageRunes, small.MaxPassages = 6, 10, 30, 50, 3
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return // no parser makes a document of invalid UTF-8
		}
		var paras []string
		for _, block := range strings.Split(text, "\n\n") {
			if b := strings.TrimSpace(block); b != "" {
				paras = append(paras, b)
			}
		}
		if len(paras) > 0 {
			var doc Document
			doc.Text, doc.Paragraphs = joinHTMLParagraphs(paras)
			checkChunks(t, chunker, doc)
			checkChunks(t, small, doc)
		}
		if doc, err := ParseText([]byte(text)); err == nil {
			checkChunks(t, chunker, doc)
			checkChunks(t, small, doc)
		}
	})
}

// checkChunks makes a source of doc and checks its passages and sentences.
func checkChunks(t *testing.T, chunker *Chunker, doc Document) {
	t.Helper()
	src, err := NewSource(doc, Meta{Origin: "fuzz.txt"}, chunker, time.Date(2021, 3, 17, 0, 0, 0, 0, time.UTC))
	if err != nil {
		if chunker.MaxPassages < 10 && errors.Is(err, ErrInvalid) && strings.Contains(err.Error(), "a source may have at most") {
			return // too many passages for the small limits
		}
		t.Fatalf("NewSource refused a document: %v", err)
	}
	if err := src.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if src.Text != doc.Text {
		t.Fatalf("the source's text differs from the document's")
	}
	if got := src.ParagraphCount(); got != len(doc.Paragraphs) {
		t.Fatalf("ParagraphCount = %d, want %d", got, len(doc.Paragraphs))
	}
	si, pi := 0, 0
	for n, para := range doc.Paragraphs {
		var sents []Span
		sents, si = paragraphSentences(t, chunker, &src, n, para, si)
		for _, s := range sents {
			if got := src.ParagraphAt(s.Start); got != n+1 {
				t.Fatalf("ParagraphAt(%d) = %d, want %d", s.Start, got, n+1)
			}
		}
		if pi < len(src.Passages) && src.Passages[pi].LastParagraph > 0 {
			pi = checkMergedPassage(t, &src, n, para, pi)
			continue
		}
		var ps []Passage
		for pi < len(src.Passages) && src.Passages[pi].Paragraph == n+1 {
			ps = append(ps, src.Passages[pi])
			pi++
		}
		checkParagraphPassages(t, chunker, &src, n, para, sents, ps)
	}
	if si != len(src.Sentences) || pi != len(src.Passages) {
		t.Fatalf("sentences %v or passages %v outside every paragraph", src.Sentences[si:], src.Passages[pi:])
	}

	checkJSONRoundTrip(t, &src)
}

// paragraphSentences checks the sentences of paragraph n of src, from
// src.Sentences[si] on: inside the paragraph, in order, trimmed, within
// the limit, covering every byte but white space. It returns them and the
// index of the next paragraph's first sentence.
func paragraphSentences(t *testing.T, chunker *Chunker, src *Source, n int, para Span, si int) ([]Span, int) {
	t.Helper()
	var sents []Span
	covered := para.Start
	for si < len(src.Sentences) && src.Sentences[si].Start < para.End {
		s := src.Sentences[si]
		if s.Start < covered || s.End > para.End || s.Start >= s.End {
			t.Fatalf("sentence %d %v is not inside paragraph %d %v after %d", si, s, n+1, para, covered)
		}
		if n := utf8.RuneCountInString(src.Text[s.Start:s.End]); n > chunker.MaxSentenceRunes {
			t.Errorf("sentence %d is %d runes, over %d", si, n, chunker.MaxSentenceRunes)
		}
		if isSpaceByte(src.Text[s.Start]) || isSpaceByte(src.Text[s.End-1]) {
			t.Errorf("sentence %d is not trimmed: %q", si, src.Text[s.Start:s.End])
		}
		if gap := src.Text[covered:s.Start]; strings.TrimLeft(gap, " \n\t\r\f\v") != "" {
			t.Errorf("no sentence covers %q before sentence %d", gap, si)
		}
		covered = s.End
		sents = append(sents, s)
		si++
	}
	if rest := src.Text[covered:para.End]; strings.TrimLeft(rest, " \n\t\r\f\v") != "" {
		t.Errorf("no sentence covers %q at the end of paragraph %d", rest, n+1)
	}
	return sents, si
}

// checkMergedPassage checks paragraph n of src, which is part of the run of
// short paragraphs src.Passages[pi]: the run begins with its first
// paragraph and ends with its last, and ParagraphSpan finds the paragraph
// in it. It returns the index of the next paragraph's passage.
func checkMergedPassage(t *testing.T, src *Source, n int, para Span, pi int) int {
	t.Helper()
	p := src.Passages[pi]
	if p.Paragraph > n+1 || p.LastParagraph < n+1 || p.LastParagraph <= p.Paragraph {
		t.Fatalf("passage %d %+v is not a run of paragraphs holding paragraph %d", pi, p, n+1)
	}
	if p.Paragraph == n+1 && p.Start != para.Start {
		t.Fatalf("passage %d %+v does not begin with paragraph %d %v", pi, p, n+1, para)
	}
	if got := src.ParagraphSpan(n + 1); got != para {
		t.Fatalf("ParagraphSpan(%d) = %v, want %v", n+1, got, para)
	}
	if p.LastParagraph > n+1 {
		return pi
	}
	if p.End != para.End {
		t.Fatalf("passage %d %+v does not end with paragraph %d %v", pi, p, n+1, para)
	}
	return pi + 1
}

// checkParagraphPassages checks the passages ps of paragraph n of src: the
// paragraph itself, or runs of its whole sentences, from its first
// sentence to its last, within the limit.
func checkParagraphPassages(t *testing.T, chunker *Chunker, src *Source, n int, para Span, sents []Span, ps []Passage) {
	t.Helper()
	if len(ps) == 0 {
		t.Fatalf("paragraph %d has no passage", n+1)
	}
	for _, p := range ps {
		if r := utf8.RuneCountInString(src.Text[p.Start:p.End]); r > chunker.MaxPassageRunes && len(sents) > 0 {
			t.Errorf("passage %v of paragraph %d is %d runes, over %d", p, n+1, r, chunker.MaxPassageRunes)
		}
	}
	if len(ps) == 1 && ps[0].Start == para.Start && ps[0].End == para.End {
		return
	}
	k := 0
	for _, p := range ps {
		if k >= len(sents) || p.Start != sents[k].Start {
			t.Fatalf("passage %v of paragraph %d does not begin a sentence (sentences %v)", p, n+1, sents)
		}
		for k < len(sents) && sents[k].End < p.End {
			k++
		}
		if k == len(sents) || sents[k].End != p.End {
			t.Fatalf("passage %v of paragraph %d does not end a sentence (sentences %v)", p, n+1, sents)
		}
		k++
	}
	if k != len(sents) {
		t.Fatalf("paragraph %d: sentences %v after its last passage %v", n+1, sents[k:], ps[len(ps)-1])
	}
}

// checkJSONRoundTrip checks that src survives the store's encoding whole.
func checkJSONRoundTrip(t *testing.T, src *Source) {
	t.Helper()
	b, err := json.Marshal(src)
	if err != nil {
		t.Fatalf("encoding the source: %v", err)
	}
	var back Source
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("decoding the source: %v", err)
	}
	if err := back.Validate(); err != nil {
		t.Fatalf("Validate after a JSON round trip: %v", err)
	}
	if back.Text != src.Text || !reflect.DeepEqual(back.Passages, src.Passages) || !reflect.DeepEqual(back.Sentences, src.Sentences) {
		t.Fatalf("the source changed in a JSON round trip")
	}
}
