package retrieval

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// segmentedOptions opens an empty library in dir whose every add stays a
// segment of its own: segments this small are merged by scorch's
// background policy at once, and a floor of one document and a wide tier
// keep them.
func segmentedOptions(dir string) Options {
	return Options{Dir: dir, NoSeed: true, scorchConfig: func(m map[string]any) {
		m["scorchMergePlanOptions"] = map[string]any{"FloorSegmentSize": 1, "MaxSegmentsPerTier": 100, "SegmentsPerMergeTask": 100}
	}}
}

// TestCompactMergesSegmentsAndKeepsAnswers: a library built by several adds
// has several segments; Compact leaves one, the same questions get the same
// quotes from the same sources, check is clean, and a reopened library has
// the one segment, recorded as verified (open reads no segment again).
func TestCompactMergesSegmentsAndKeepsAnswers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := segmentedOptions(dir)
	l, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.Close() }()
	const batches, per = 5, 4
	var questions []string
	for b := range batches {
		var drafts []corpus.Draft
		for i := range per {
			n := b*per + i
			text := fmt.Sprintf("Harbour report %d\n\nThe harbour of town%d counted %d ships in the storm of year %d. "+
				"Its keeper, Captain Roan%d, said the pier of town%d would be rebuilt.\n\n"+
				"Fishermen of town%d asked the council for help with nets.", n, n, 10+n, 1900+n, n, n, n)
			doc, err := corpus.ParseText([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			drafts = append(drafts, corpus.Draft{Doc: doc, Meta: corpus.Meta{Origin: fmt.Sprintf("harbour-%d.txt", n)}})
			questions = append(questions, fmt.Sprintf("how many ships did the harbour of town%d count", n))
		}
		if _, err := l.AddMany(ctx, drafts); err != nil {
			t.Fatal(err)
		}
	}
	before, err := l.Segments()
	if err != nil {
		t.Fatal(err)
	}
	if before < 3 {
		t.Fatalf("%d adds made %d segments; the test needs several", batches, before)
	}
	answers := func() []string {
		var out []string
		for _, q := range questions {
			for _, a := range ask(t, l, Question{Text: q}).Answers {
				out = append(out, q+" → "+a.Source.Origin+": "+a.Quote)
			}
		}
		return out
	}
	want := answers()
	if len(want) < len(questions) {
		t.Fatalf("only %d answers to %d questions before compacting", len(want), len(questions))
	}

	rep, err := l.Compact(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SegmentsBefore != before || rep.SegmentsAfter != 1 {
		t.Errorf("Compact: %+v, want %d segments before and 1 after", rep, before)
	}
	if n, err := l.Segments(); err != nil || n != 1 {
		t.Errorf("after Compact: %d segments, %v", n, err)
	}
	if got := answers(); !slices.Equal(got, want) {
		t.Errorf("answers changed by compacting:\n got %q\nwant %q", got, want)
	}
	// Compacting one segment does nothing.
	if rep, err := l.Compact(ctx); err != nil || rep.SegmentsBefore != 1 || rep.SegmentsAfter != 1 {
		t.Errorf("second Compact: %+v, %v", rep, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	if crep, err := Check(ctx, dir); err != nil || len(crep.Problems) > 0 {
		t.Errorf("check after compacting: %+v %v", crep.Problems, err)
	}
	// Reopened, the index is the one segment, recorded as verified.
	if l, err = Open(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if n, err := l.Segments(); err != nil || n != 1 {
		t.Errorf("reopened after Compact: %d segments, %v", n, err)
	}
	paths, err := l.index.segmentPaths()
	if err != nil || len(paths) != 1 {
		t.Fatalf("segment paths %v, %v", paths, err)
	}
	if _, ok := readVerified(filepath.Join(dir, "index.bleve"))[filepath.Base(paths[0])]; !ok {
		t.Errorf("the compacted segment %s is not recorded as verified", filepath.Base(paths[0]))
	}
	if got := answers(); !slices.Equal(got, want) {
		t.Errorf("answers after reopening the compacted library:\n got %q\nwant %q", got, want)
	}
}

// TestScoresDoNotDependOnSegments: the same library, compacted from several
// segments into one, gives every question the same answers with the same
// scores to the last bit. bleve's own BM25 average length is the distinct
// terms summed over segments, which merging changes; the tuning's fixed
// lengths (Tuning.TextNorm) keep it out of the scores.
func TestScoresDoNotDependOnSegments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(ctx, segmentedOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Each batch brings words of its own, so that the segments' term
	// dictionaries differ and their distinct terms add up to more than
	// the merged one's.
	var questions []string
	for b := range 6 {
		var drafts []corpus.Draft
		for i := range 3 {
			n := b*3 + i
			text := fmt.Sprintf("Mill dispute %d\n\nThe mill at river%d paid weavers%d %d shillings a week in year %d, said the foreman, a man of %d years. "+
				"Weavers%d of the valley%d struck for a week, and the owners of batch%d mills met them.\n\n"+
				"Short paragraph of batch%d.", n, n, b, 10+n, 1800+n, 40+n, b, b, b, b)
			doc, err := corpus.ParseText([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			drafts = append(drafts, corpus.Draft{Doc: doc, Meta: corpus.Meta{Origin: fmt.Sprintf("mill-%d.txt", n)}})
			questions = append(questions, fmt.Sprintf("how many shillings did the mill at river%d pay weavers a week", n),
				fmt.Sprintf("why did the weavers%d of the valley strike", b))
		}
		if _, err := l.AddMany(ctx, drafts); err != nil {
			t.Fatal(err)
		}
	}
	results := func() []string {
		var out []string
		for _, q := range questions {
			res := ask(t, l, Question{Text: q})
			for _, a := range append(res.Answers, res.Closest...) {
				out = append(out, fmt.Sprintf("%s → %s %q score %b confidence %b", q, a.Source.Origin, a.Quote, a.Score, a.Confidence))
			}
		}
		return out
	}
	before := results()
	if n, _ := l.Segments(); n < 3 {
		t.Fatalf("%d segments; the test needs several", n)
	}
	if _, err := l.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if got := results(); !slices.Equal(got, before) {
		for i := range min(len(got), len(before)) {
			if got[i] != before[i] {
				t.Errorf("after compacting:\n got %s\nwant %s", got[i], before[i])
				break
			}
		}
		t.Errorf("%d answers before compacting, %d after; scores or answers changed", len(before), len(got))
	}
}
