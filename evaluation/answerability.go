package evaluation

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// Answerability measures the answer decision, not the ranking: does the
// library answer the questions it covers, and refuse the ones it does not?
// A BEIR corpus is split in two halves by document id (DocHalf); only half
// 0 goes into the library. A question whose relevant documents are all in
// the library is covered, one whose relevant documents are all in the other
// half is not (a question with some in each is left out). The questions are
// split in two halves too (QueryHalf): settings — the confidence model's
// weights, a threshold — are chosen on the choosing half (0) and reported
// on the reporting half (1).

// DocHalf is the half (0: in the library, 1: left out) of a BEIR document.
func DocHalf(id string) int { return half(id) }

// QueryHalf is the half (0: choosing, 1: reporting) of a BEIR question.
func QueryHalf(id string) int { return half("q" + id) }

func half(s string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s)) // a hash never fails to write
	return int(h.Sum32() % 2)
}

// Case is one question of an answerability run: whether the library covers
// it, and what the library offered, best first, with the decision cut off
// (every candidate, whatever its confidence).
type Case struct {
	Set     string `json:"set"`
	QueryID string `json:"query_id"`
	Half    int    `json:"half"`
	Covered bool   `json:"covered"`
	// Question is the question as asked.
	Question string `json:"question"`
	// Answers are the library's answers, best first.
	Answers []CaseAnswer `json:"answers"`
}

// CaseAnswer is one answer offered for a Case.
type CaseAnswer struct {
	// Relevant says the quote's source is one of the question's relevant
	// documents.
	Relevant bool `json:"relevant"`
	// Quote is the answer's quote, for reading a dump of the cases.
	Quote      string             `json:"quote"`
	Confidence float64            `json:"confidence"`
	Evidence   retrieval.Evidence `json:"evidence"`
}

// IndexBEIR adds BEIR documents to a library (in batches, through the real
// add path) and returns the library's source id → document id. A document
// whose text repeats another's is the same source (the last id wins).
func IndexBEIR(ctx context.Context, lib *retrieval.Library, docs []BEIRDoc, progress func(done int)) (map[string]string, error) {
	origin := make(map[string]string, len(docs))
	var batch []corpus.Draft
	flush := func() error {
		added, err := lib.AddMany(ctx, batch)
		if err != nil {
			return fmt.Errorf("indexing the corpus: %w", err)
		}
		for i, a := range added {
			var exists *corpus.ExistsError
			switch {
			case errors.As(a.Err, &exists):
				origin[exists.ID] = batch[i].Meta.Origin
			case a.Err != nil:
				return fmt.Errorf("document %s: %w", batch[i].Meta.Origin, a.Err)
			default:
				origin[a.Source.ID] = batch[i].Meta.Origin
			}
		}
		batch = batch[:0]
		return nil
	}
	for i, d := range docs {
		batch = append(batch, BEIRDraft(d))
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if progress != nil {
			progress(i + 1)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return origin, nil
}

// CollectCases asks questions of b of a library (origin: its source id →
// document id) with the decision cut off (the library's Tuning must have
// MinConfidence 0), and returns the cases: a question is covered when all
// its relevant documents are in the library (inLibrary), not covered when
// none is, and left out otherwise. set names the benchmark.
func CollectCases(ctx context.Context, lib *retrieval.Library, set string, b *BEIR, queries []BEIRQuery, inLibrary func(docID string) bool, origin map[string]string, progress func(done int)) ([]Case, error) {
	var out []Case
	for i, q := range queries {
		if progress != nil {
			progress(i + 1)
		}
		in, out2 := 0, 0
		for d, g := range b.Qrels[q.ID] {
			if g <= 0 {
				continue
			}
			if inLibrary(d) {
				in++
			} else {
				out2++
			}
		}
		if in > 0 && out2 > 0 || in+out2 == 0 {
			continue
		}
		res, err := lib.Ask(ctx, retrieval.Question{Text: q.Text, K: 10})
		if err != nil && !errors.Is(err, retrieval.ErrNoWords) && !errors.Is(err, retrieval.ErrQuestionTooLong) {
			return nil, fmt.Errorf("question %s: %w", q.ID, err)
		}
		c := Case{Set: set, QueryID: q.ID, Half: QueryHalf(q.ID), Covered: in > 0, Question: q.Text}
		for _, a := range append(res.Answers, res.Closest...) {
			c.Answers = append(c.Answers, CaseAnswer{
				Relevant:   b.Qrels[q.ID][origin[a.Source.ID]] > 0,
				Quote:      a.Quote,
				Confidence: a.Confidence,
				Evidence:   a.Evidence,
			})
		}
		out = append(out, c)
	}
	return out, nil
}

// A Decision says, for a case, whether the library answers it and with
// which of its answers first (the index in Case.Answers), by a setting
// (a threshold) it is given.
type Decision func(c Case, setting float64) (answered bool, first int)

// ByConfidence answers when the best answer's confidence reaches the
// setting (the product's decision).
func ByConfidence(c Case, minConfidence float64) (bool, int) {
	if len(c.Answers) == 0 || c.Answers[0].Confidence < minConfidence {
		return false, 0
	}
	return true, 0
}

// ByCoverage is the decision Verbatim made before it had a confidence: the
// best-ranked answer whose quote covers at least the setting (IDF-weighted)
// of the question, and two of its words when it has three or more.
func ByCoverage(c Case, minCoverage float64) (bool, int) {
	for i, a := range c.Answers {
		e := a.Evidence
		if e.Coverage >= minCoverage && (e.Terms < 3 || e.Matched >= 2) {
			return true, i
		}
	}
	return false, 0
}

// Point is one point of an answerability curve.
type Point struct {
	// Setting is the threshold the decision was given.
	Setting float64 `json:"setting"`
	// Answered is the share of covered questions answered with a quote of a
	// relevant document first; Refused the share of not-covered questions
	// refused.
	Answered float64 `json:"answered"`
	Refused  float64 `json:"refused"`
}

// At measures a decision at one setting over cases.
func At(cases []Case, decide Decision, setting float64) Point {
	var cov, ans, unc, ref int
	for _, c := range cases {
		ok, first := decide(c, setting)
		if c.Covered {
			cov++
			if ok && c.Answers[first].Relevant {
				ans++
			}
		} else {
			unc++
			if !ok {
				ref++
			}
		}
	}
	return Point{Setting: setting, Answered: share(ans, cov), Refused: share(ref, unc)}
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// SettingFor returns the smallest setting among candidates at which the
// decision refuses at least refuse of the not-covered cases (the largest
// candidate when none does).
func SettingFor(cases []Case, decide Decision, candidates []float64, refuse float64) float64 {
	sort.Float64s(candidates)
	for _, s := range candidates {
		if At(cases, decide, s).Refused >= refuse {
			return s
		}
	}
	if len(candidates) == 0 {
		return 1
	}
	return candidates[len(candidates)-1]
}

// Grid is the settings tried when choosing a threshold: 0 to 1 in steps of
// 0.0025.
func Grid() []float64 {
	out := make([]float64, 0, 401)
	for i := 0; i <= 400; i++ {
		out = append(out, float64(i)/400)
	}
	return out
}

// Comparison is the answerability of the old decision (coverage cut) and
// the new one (confidence) at one refusal target: each threshold chosen on
// the choosing half to refuse the target share of its not-covered
// questions, and measured on the reporting half.
type Comparison struct {
	Target     float64 `json:"refuse_target"`
	Coverage   Point   `json:"coverage_cut"`
	Confidence Point   `json:"confidence"`
	// Gain is Confidence.Answered / Coverage.Answered.
	Gain float64 `json:"gain"`
}

// Compare makes the Comparison of the two decisions over cases at a target.
func Compare(cases []Case, target float64) Comparison {
	choose, report := Halves(cases)
	covSet := SettingFor(choose, ByCoverage, Grid(), target)
	confSet := SettingFor(choose, ByConfidence, Grid(), target)
	c := Comparison{Target: target, Coverage: At(report, ByCoverage, covSet), Confidence: At(report, ByConfidence, confSet)}
	if c.Coverage.Answered > 0 {
		c.Gain = c.Confidence.Answered / c.Coverage.Answered
	}
	return c
}

// Halves splits cases into the choosing and the reporting half.
func Halves(cases []Case) (choose, report []Case) {
	for _, c := range cases {
		if c.Half == 0 {
			choose = append(choose, c)
		} else {
			report = append(report, c)
		}
	}
	return choose, report
}
