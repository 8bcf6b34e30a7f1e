package evaluation

import (
	"context"
	"fmt"
	"strings"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/question"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// Question is one question of a questions file (the format of
// shared/eval/seed-public.yaml, whose keys the yaml tags name; the caller
// decodes the file): the answer must come from one of Sources (matched on a
// source's origin or id) in one quote containing every string of Contains;
// or, when None is set, the library must not answer at all.
type Question struct {
	Question string   `yaml:"question"`
	Sources  []string `yaml:"sources"`
	Contains []string `yaml:"contains"`
	None     bool     `yaml:"none"`
}

// Validate checks that every question can be scored: it has text, and
// sources and strings to find, or none set. The error names the first
// question that cannot, by its 1-based number.
func Validate(qs []Question) error {
	for i, q := range qs {
		if strings.TrimSpace(q.Question) == "" {
			return fmt.Errorf("question %d has no text", i+1)
		}
		if !q.None && (len(q.Sources) == 0 || len(q.Contains) == 0) {
			return fmt.Errorf("question %d (%q) needs sources and contains, or none: true", i+1, q.Question)
		}
	}
	return nil
}

// Outcome is what the library did with one question.
type Outcome struct {
	Question Question
	Result   retrieval.Result
	// Rank is the 1-based rank of the first right answer, 0 if none.
	Rank int
	// Right is true when the question was answered as expected: a right
	// answer in the top 3, or no answer for a none question.
	Right bool
	// NotVerbatim lists answers whose quote is not exactly its source's
	// stored text at its span.
	NotVerbatim []string
}

// Report sums up the run of a questions file.
type Report struct {
	Outcomes []Outcome
	// Answerable is the number of questions that have an answer; HitAt1 and
	// HitAt3 the share of those answered right at rank 1 / within 3.
	Answerable     int
	HitAt1, HitAt3 float64
	// NoAnswerPrecision is the share of the library's no-answers that were
	// right; NoAnswerRecall the share of none questions it declined.
	NoAnswerPrecision, NoAnswerRecall float64
	// Quotes is the number of quotes checked; NotVerbatim how many were not
	// exactly in their source.
	Quotes, NotVerbatim int
}

// AllRight reports whether every question was answered as expected and
// every quote was verbatim.
func (r *Report) AllRight() bool {
	for _, o := range r.Outcomes {
		if !o.Right {
			return false
		}
	}
	return r.NotVerbatim == 0
}

// Run asks lib each question through the real answer path (Ask, top 3,
// every source visible) and scores the answers.
func Run(ctx context.Context, lib *retrieval.Library, qs []Question) (*Report, error) {
	rep := &Report{}
	var hit1, hit3, declined, declinedRight, none int
	for _, q := range qs {
		// Asked as the bot and `verbatim ask` ask it: markup and links out.
		text := question.Cut(question.Clean(q.Question), retrieval.MaxQuestionRunes)
		res, err := lib.Ask(ctx, retrieval.Question{Text: text, K: 3})
		if err != nil {
			return nil, fmt.Errorf("asking %q: %w", q.Question, err)
		}
		o := Outcome{Question: q, Result: res}
		for i, a := range res.Answers {
			rep.Quotes++
			if err := checkVerbatim(ctx, lib, a); err != nil {
				rep.NotVerbatim++
				o.NotVerbatim = append(o.NotVerbatim, err.Error())
			}
			if o.Rank == 0 && !q.None && answerMatches(a, q) {
				o.Rank = i + 1
			}
		}
		noAnswer := len(res.Answers) == 0
		if noAnswer {
			declined++
		}
		if q.None {
			none++
			o.Right = noAnswer
			if noAnswer {
				declinedRight++
			}
		} else {
			rep.Answerable++
			o.Right = o.Rank >= 1 && o.Rank <= 3
			if o.Rank == 1 {
				hit1++
			}
			if o.Right {
				hit3++
			}
		}
		rep.Outcomes = append(rep.Outcomes, o)
	}
	if rep.Answerable > 0 {
		rep.HitAt1 = float64(hit1) / float64(rep.Answerable)
		rep.HitAt3 = float64(hit3) / float64(rep.Answerable)
	}
	rep.NoAnswerPrecision, rep.NoAnswerRecall = 1, 1
	if declined > 0 {
		rep.NoAnswerPrecision = float64(declinedRight) / float64(declined)
	}
	if none > 0 {
		rep.NoAnswerRecall = float64(declinedRight) / float64(none)
	}
	return rep, nil
}

// checkVerbatim checks an answer against the stored source: the quote is
// exactly the text at its span, and the text is the one its hash names.
func checkVerbatim(ctx context.Context, lib *retrieval.Library, a retrieval.Answer) error {
	src, err := lib.Get(ctx, a.Source.ID, "")
	if err != nil {
		return fmt.Errorf("quote from %s: %w", a.Source.ID, err)
	}
	if err := src.Validate(); err != nil {
		return err
	}
	if a.Start < 0 || a.End > len(src.Text) || a.Start >= a.End || src.Text[a.Start:a.End] != a.Quote {
		return fmt.Errorf("quote from %s [%d,%d) is not the stored text there", a.Source.ID, a.Start, a.End)
	}
	return nil
}

// answerMatches reports whether an answer is from one of the expected
// sources and contains every expected string (white space folded, curly
// and straight quotes alike).
func answerMatches(a retrieval.Answer, q Question) bool {
	fromExpected := false
	for _, s := range q.Sources {
		if a.Source.Origin == s || a.Source.ID == s {
			fromExpected = true
		}
	}
	if !fromExpected {
		return false
	}
	quote := corpus.FoldForMatch(a.Quote)
	for _, c := range q.Contains {
		if !strings.Contains(quote, corpus.FoldForMatch(c)) {
			return false
		}
	}
	return true
}
