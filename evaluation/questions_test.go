package evaluation

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// sharedFile returns the path of a file in ../shared, or the committed copy
// in testdata when the shared folder is not beside the checkout.
func sharedFile(rel, copyName string) string {
	p := filepath.Join("..", "..", "shared", rel)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return filepath.Join("testdata", copyName)
}

// readQuestions decodes and validates a questions file, as `verbatim eval`
// does.
func readQuestions(t *testing.T, path string) []Question {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var qs []Question
	if err := dec.Decode(&qs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := Validate(qs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return qs
}

// TestSeedPublic runs shared/eval/seed-public.yaml: every quote is
// word-for-word in its seed file, each expected text is in the top 3, and
// the none questions get no answer.
func TestSeedPublic(t *testing.T) {
	ctx := context.Background()
	l, err := retrieval.Open(ctx, retrieval.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	qs := readQuestions(t, sharedFile("eval/seed-public.yaml", "seed-public.yaml"))
	files, _, err := corpus.SeedFiles()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, l, qs)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rep.Outcomes {
		for _, a := range o.Result.Answers {
			raw, ok := files[a.Source.Origin]
			if !ok {
				t.Errorf("%q: answer from %q, not a seed file", o.Question.Question, a.Source.Origin)
				continue
			}
			if !strings.Contains(string(raw), a.Quote) {
				t.Errorf("%q: quote is not word-for-word in %s: %q", o.Question.Question, a.Source.Origin, a.Quote)
			}
		}
		if !o.Right {
			t.Errorf("%q: not answered as expected (rank %d); got %d answers: %v", o.Question.Question, o.Rank, len(o.Result.Answers), quotes(o.Result))
		}
	}
	if rep.NotVerbatim != 0 {
		t.Errorf("%d quotes not verbatim", rep.NotVerbatim)
	}
	if rep.HitAt3 != 1 || rep.NoAnswerRecall != 1 || rep.NoAnswerPrecision != 1 {
		t.Errorf("hit@3 %.2f, no-answer precision %.2f recall %.2f; want all 1", rep.HitAt3, rep.NoAnswerPrecision, rep.NoAnswerRecall)
	}
	t.Logf("seed-public: %d questions, hit@1 %.2f, hit@3 %.2f, no-answer P %.2f R %.2f, %d quotes verbatim",
		len(qs), rep.HitAt1, rep.HitAt3, rep.NoAnswerPrecision, rep.NoAnswerRecall, rep.Quotes)
}

func quotes(r retrieval.Result) []string {
	var out []string
	for _, a := range r.Answers {
		out = append(out, a.Source.Origin+": "+a.Quote)
	}
	return out
}

func TestCommittedEvalCopyMatchesShared(t *testing.T) {
	p := filepath.Join("..", "..", "shared", "eval", "seed-public.yaml")
	want, err := os.ReadFile(p)
	if err != nil {
		t.Skip("shared/eval is not beside this checkout")
	}
	got, err := os.ReadFile(filepath.Join("testdata", "seed-public.yaml"))
	if err != nil || string(got) != string(want) {
		t.Errorf("testdata/seed-public.yaml differs from shared/eval/seed-public.yaml: copy it again")
	}
}

// TestValidate checks that a question that cannot be scored is refused,
// by its number.
func TestValidate(t *testing.T) {
	tests := []struct {
		qs   []Question
		want string
	}{
		{[]Question{{Question: "Who?", Sources: []string{"a.txt"}, Contains: []string{"x"}}, {Question: "What?", None: true}}, ""},
		{[]Question{{Question: "Who?", None: true}, {Question: "  "}}, "question 2 has no text"},
		{[]Question{{Question: "Who?", Sources: []string{"a.txt"}}}, `question 1 ("Who?") needs sources and contains, or none: true`},
	}
	for _, tc := range tests {
		got := ""
		if err := Validate(tc.qs); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Validate(%+v) = %q, want %q", tc.qs, got, tc.want)
		}
	}
}
