package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/verbatim-bot/verbatim/evaluation"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func runEval(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "eval", "[--json] QUESTIONS.yaml | --beir DIR [--split test]",
		"Measure answer quality on the real answer path: a questions file over the library (default: the embedded seeds), or a BEIR benchmark")
	data := f.String("data", "", "library to evaluate questions over (default: the embedded seeds in a temporary directory)")
	asJSON := f.Bool("json", false, "print the figures as JSON")
	beir := f.String("beir", "", "a BEIR data set directory (corpus.jsonl, queries.jsonl, qrels/)")
	split := f.String("split", "test", "which qrels splits of the BEIR set to use (comma-separated: test,train)")
	var answerability stringList
	f.Var(&answerability, "answerability", "measure the answer decision on a BEIR set split in halves (repeatable; see docs/quality.md)")
	fit := f.Bool("fit", false, "with --answerability: fit the confidence model on the choosing halves and print it")
	dump := f.String("dump", "", "with --answerability: write every case (JSON Lines) to this file")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(answerability) > 0 && (*beir != "" || len(pos) > 0):
		return usageError{"give --answerability alone (with --split, --fit, --dump)"}
	case len(answerability) > 0:
		return evalAnswerability(ctx, e, answerability, *split, *fit, *dump, *asJSON)
	case *beir != "" && len(pos) > 0:
		return usageError{"give either a questions file or --beir DIR, not both"}
	case *beir != "":
		return evalBEIR(ctx, e, *beir, *split, *asJSON)
	case len(pos) != 1:
		return usageError{"give one questions file (like shared/eval/seed-public.yaml) or --beir DIR"}
	}
	qs, err := loadQuestions(pos[0])
	if err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "verbatim-eval-")
		if err != nil {
			return fmt.Errorf("making a temporary library: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: dir})
	if err != nil {
		return fmt.Errorf("opening the library in %s: %w", dir, err)
	}
	defer lib.Close()
	rep, err := evaluation.Run(ctx, lib, qs)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(e.stdout, evalJSON(rep)); err != nil {
			return err
		}
	} else {
		printEval(e, rep)
	}
	if rep.NotVerbatim > 0 {
		return fmt.Errorf("%d of %d quotes are not verbatim in their source", rep.NotVerbatim, rep.Quotes)
	}
	return nil
}

// loadQuestions reads a questions file (the format of
// shared/eval/seed-public.yaml). Unknown keys are errors, so a typo cannot
// silently make a question easier.
func loadQuestions(path string) ([]evaluation.Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading questions: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var qs []evaluation.Question
	if err := dec.Decode(&qs); err != nil {
		return nil, fmt.Errorf("reading questions from %s: %w", path, err)
	}
	if err := evaluation.Validate(qs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return qs, nil
}

// evalFailure is a question not answered as expected, for --json.
type evalFailure struct {
	Question    string   `json:"question"`
	Expected    string   `json:"expected"`
	Got         []string `json:"got"`
	NotVerbatim []string `json:"not_verbatim,omitempty"`
}

func evalJSON(rep *evaluation.Report) any {
	failures := []evalFailure{}
	for _, o := range rep.Outcomes {
		if !o.Right || len(o.NotVerbatim) > 0 {
			failures = append(failures, evalFailure{Question: o.Question.Question, Expected: expected(o.Question), Got: returned(o.Result), NotVerbatim: o.NotVerbatim})
		}
	}
	return struct {
		Questions         int           `json:"questions"`
		Answerable        int           `json:"answerable"`
		HitAt1            float64       `json:"hit_at_1"`
		HitAt3            float64       `json:"hit_at_3"`
		NoAnswerPrecision float64       `json:"no_answer_precision"`
		NoAnswerRecall    float64       `json:"no_answer_recall"`
		Quotes            int           `json:"quotes"`
		NotVerbatim       int           `json:"not_verbatim"`
		Failures          []evalFailure `json:"failures"`
	}{len(rep.Outcomes), rep.Answerable, rep.HitAt1, rep.HitAt3, rep.NoAnswerPrecision, rep.NoAnswerRecall, rep.Quotes, rep.NotVerbatim, failures}
}

func expected(q evaluation.Question) string {
	if q.None {
		return "no answer"
	}
	return fmt.Sprintf("%s in a quote from %s", strings.Join(q.Contains, " + "), strings.Join(q.Sources, " or "))
}

func returned(r retrieval.Result) []string {
	out := []string{}
	for _, a := range r.Answers {
		out = append(out, fmt.Sprintf("%s: %q", a.Source.Origin, a.Quote))
	}
	return out
}

func printEval(e *env, rep *evaluation.Report) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "QUESTION\tRANK\tRESULT")
	for _, o := range rep.Outcomes {
		rank, result := "-", "ok"
		if o.Rank > 0 {
			rank = fmt.Sprint(o.Rank)
		}
		if o.Question.None {
			rank = "none"
		}
		if !o.Right {
			result = "WRONG"
		}
		if len(o.NotVerbatim) > 0 {
			result = "NOT VERBATIM"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Question.Question, rank, result)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\nhit@1 %.2f  hit@3 %.2f  (%d answerable)  no-answer precision %.2f  recall %.2f  quotes %d, not verbatim %d\n",
		rep.HitAt1, rep.HitAt3, rep.Answerable, rep.NoAnswerPrecision, rep.NoAnswerRecall, rep.Quotes, rep.NotVerbatim)
	for _, o := range rep.Outcomes {
		if o.Right && len(o.NotVerbatim) == 0 {
			continue
		}
		fmt.Fprintf(e.stdout, "\n✗ %s\n  expected: %s\n", o.Question.Question, expected(o.Question))
		if len(o.Result.Answers) == 0 {
			fmt.Fprintln(e.stdout, "  got: no answer")
		}
		for _, g := range returned(o.Result) {
			fmt.Fprintf(e.stdout, "  got: %s\n", g)
		}
		for _, nv := range o.NotVerbatim {
			fmt.Fprintf(e.stdout, "  not verbatim: %s\n", nv)
		}
	}
}

// evalBEIR indexes a BEIR corpus into a temporary library through the real
// add path and ranks every judged query with the real query.
func evalBEIR(ctx context.Context, e *env, dir, split string, asJSON bool) error {
	b, err := evaluation.LoadBEIR(dir, split)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "verbatim-beir-")
	if err != nil {
		return fmt.Errorf("making a temporary library: %w", err)
	}
	defer os.RemoveAll(tmp)
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: tmp, NoSeed: true})
	if err != nil {
		return err
	}
	defer lib.Close()

	bar := newProgress(e.stderr, "indexing", len(b.Docs))
	origin, err := evaluation.IndexBEIR(ctx, lib, b.Docs, bar.set)
	if err != nil {
		return err
	}
	qbar := newProgress(e.stderr, "querying", len(b.Queries))
	rep, err := evaluation.RunBEIR(ctx, lib, b, origin, qbar.set)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "%s (%s): %d documents, %d queries\nnDCG@10 %.4f  Recall@100 %.4f  MRR@10 %.4f  %.0f queries/s\n",
		dir, split, rep.Docs, rep.Queries, rep.NDCGAt10, rep.RecallAt100, rep.MRRAt10, rep.QueriesPerSec)
	return nil
}
