package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/verbatim-bot/verbatim/evaluation"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// answerabilitySet is what `eval --answerability` reports of one benchmark,
// or of all of them together ("all").
type answerabilitySet struct {
	Set     string `json:"set"`
	Covered int    `json:"covered"`
	Uncover int    `json:"not_covered"`
	// Shipped is the reporting half at the shipped min_confidence.
	Shipped evaluation.Point `json:"shipped"`
	// Compare is the old coverage cut against the confidence at 90% and
	// 95% of not-covered questions refused.
	Compare []evaluation.Comparison `json:"compare"`
}

// evalAnswerability measures the answer decision on BEIR sets split in
// halves (see evaluation.Answerability): the coverage cut of old against
// the confidence, with thresholds chosen on the choosing half of the
// questions and figures from the reporting half. With fit, the confidence
// model is first fit on the choosing halves and printed.
func evalAnswerability(ctx context.Context, e *env, dirs []string, split string, fit bool, dump string, asJSON bool) error {
	var all []evaluation.Case
	for _, dir := range dirs {
		cases, err := collectCases(ctx, e, dir, split)
		if err != nil {
			return err
		}
		all = append(all, cases...)
	}
	model := retrieval.DefaultTuning().Confidence
	if fit {
		choose, _ := evaluation.Halves(all)
		m, err := evaluation.Fit(choose, 0.01)
		if err != nil {
			return err
		}
		model = m
		fmt.Fprintf(e.stderr, "fitted model: %#v\n", m)
		for i := range all {
			for j := range all[i].Answers {
				all[i].Answers[j].Confidence = m.Confidence(all[i].Answers[j].Evidence)
			}
		}
	}
	if dump != "" {
		if err := dumpCases(dump, all); err != nil {
			return err
		}
	}
	minConf := retrieval.DefaultTuning().MinConfidence
	var out []answerabilitySet
	sets := append(setNames(all), "all")
	for _, name := range sets {
		var cases []evaluation.Case
		for _, c := range all {
			if name == "all" || c.Set == name {
				cases = append(cases, c)
			}
		}
		s := answerabilitySet{Set: name}
		for _, c := range cases {
			if c.Covered {
				s.Covered++
			} else {
				s.Uncover++
			}
		}
		_, report := evaluation.Halves(cases)
		s.Shipped = evaluation.At(report, evaluation.ByConfidence, minConf)
		for _, target := range []float64{0.90, 0.95} {
			s.Compare = append(s.Compare, evaluation.Compare(cases, target))
		}
		out = append(out, s)
	}
	if asJSON {
		return printJSON(e.stdout, map[string]any{"model": model, "min_confidence": minConf, "sets": out})
	}
	printAnswerability(e, out, minConf)
	return nil
}

// collectCases builds a library of the half-0 documents of one BEIR set and
// asks it every judged question with the decision cut off.
func collectCases(ctx context.Context, e *env, dir, split string) ([]evaluation.Case, error) {
	b, err := evaluation.LoadBEIR(dir, existingSplits(dir, split))
	if err != nil {
		return nil, err
	}
	name := filepath.Base(filepath.Clean(dir))
	var docs []evaluation.BEIRDoc
	for _, d := range b.Docs {
		if evaluation.DocHalf(d.ID) == 0 {
			docs = append(docs, d)
		}
	}
	inHalf := func(id string) bool { return evaluation.DocHalf(id) == 0 }
	cases, err := casesOf(ctx, e, name, b, docs, b.Queries, inHalf)
	if err != nil {
		return nil, err
	}
	smalls := evaluation.SmallLibraries(b, smallLibraries, smallTopics(b), 1)
	bar := newProgress(e.stderr, name+": small libraries", len(smalls))
	for i, s := range smalls {
		more, err := casesOf(ctx, nil, name+"/small", b, s.Docs, s.Queries, func(id string) bool { return s.In[id] })
		if err != nil {
			return nil, err
		}
		cases = append(cases, more...)
		bar.set(i + 1)
	}
	return cases, nil
}

// smallLibraries is how many small libraries each benchmark is also
// measured on (see evaluation.Small).
const smallLibraries = 80

// smallTopics is how many topics make a small library of b: enough for
// about thirty documents in it.
func smallTopics(b *evaluation.BEIR) int {
	titles := map[string]bool{}
	for _, d := range b.Docs {
		titles[d.Title] = true
	}
	perTopic := float64(len(b.Docs)) / float64(max(1, len(titles)))
	return max(2, int(60/perTopic+0.5))
}

// casesOf builds a library of docs in a temporary directory and asks it
// queries with the decision cut off. e, when not nil, gets progress lines.
func casesOf(ctx context.Context, e *env, name string, b *evaluation.BEIR, docs []evaluation.BEIRDoc, queries []evaluation.BEIRQuery, in func(string) bool) ([]evaluation.Case, error) {
	tmp, err := os.MkdirTemp("", "verbatim-answerability-")
	if err != nil {
		return nil, fmt.Errorf("making a temporary library: %w", err)
	}
	defer os.RemoveAll(tmp)
	tuning := retrieval.DefaultTuning()
	tuning.MinConfidence = 0
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: tmp, NoSeed: true, Tuning: &tuning})
	if err != nil {
		return nil, err
	}
	defer lib.Close()
	var indexing, asking func(int)
	if e != nil {
		indexing = newProgress(e.stderr, name+": indexing half", len(docs)).set
		asking = newProgress(e.stderr, name+": asking", len(queries)).set
	}
	origin, err := evaluation.IndexBEIR(ctx, lib, docs, indexing)
	if err != nil {
		return nil, err
	}
	return evaluation.CollectCases(ctx, lib, name, b, queries, in, origin, asking)
}

// setNames lists the sets of the cases, in order of first appearance.
func setNames(cases []evaluation.Case) []string {
	var out []string
	for _, c := range cases {
		if !slices.Contains(out, c.Set) {
			out = append(out, c.Set)
		}
	}
	return out
}

// dumpCases writes cases as JSON Lines.
func dumpCases(path string, cases []evaluation.Case) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing cases: %w", err)
	}
	enc := json.NewEncoder(f)
	for _, c := range cases {
		if err := enc.Encode(c); err != nil {
			f.Close()
			return fmt.Errorf("writing cases: %w", err)
		}
	}
	return f.Close()
}

// printAnswerability prints the figures of each set.
func printAnswerability(e *env, sets []answerabilitySet, minConf float64) {
	for _, s := range sets {
		fmt.Fprintf(e.stdout, "%s: %d covered, %d not covered questions (reporting half below)\n", s.Set, s.Covered, s.Uncover)
		fmt.Fprintf(e.stdout, "  shipped min_confidence %.2f: answered %.1f%% of covered with a relevant quote, refused %.1f%% of not covered\n",
			minConf, 100*s.Shipped.Answered, 100*s.Shipped.Refused)
		for _, c := range s.Compare {
			fmt.Fprintf(e.stdout, "  at %.0f%% refused: coverage cut %.3f answers %.1f%% (refused %.1f%%); confidence %.3f answers %.1f%% (refused %.1f%%): ×%.2f\n",
				100*c.Target, c.Coverage.Setting, 100*c.Coverage.Answered, 100*c.Coverage.Refused,
				c.Confidence.Setting, 100*c.Confidence.Answered, 100*c.Confidence.Refused, c.Gain)
		}
	}
	fmt.Fprintln(e.stdout, strings.TrimSpace(`
Covered: every relevant document is in the library (half the corpus); not covered: none is.
Answered: the first quote comes from a relevant document. Settings chosen on the choosing half.`))
}

// existingSplits keeps of a comma-separated list of qrels splits those the
// set has (a set may have a test split only); all of them when it has none,
// so that loading says which is missing.
func existingSplits(dir, split string) string {
	var have []string
	for _, s := range strings.Split(split, ",") {
		if _, err := os.Stat(filepath.Join(dir, "qrels", strings.TrimSpace(s)+".tsv")); err == nil {
			have = append(have, strings.TrimSpace(s))
		}
	}
	if len(have) == 0 {
		return split
	}
	return strings.Join(have, ",")
}
