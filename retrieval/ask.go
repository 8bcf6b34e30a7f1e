package retrieval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/verbatim-bot/verbatim/corpus"
)

// MaxQuestionRunes is the longest question Ask accepts, in characters.
const MaxQuestionRunes = 1000

// Errors about a question itself. Their text is fit to show the asker.
var (
	ErrEmptyQuestion   = errors.New("the question is empty: ask something, for example \"Did Mueller find collusion?\"")
	ErrQuestionTooLong = fmt.Errorf("the question is longer than %d characters: ask it in fewer words", MaxQuestionRunes)
	ErrNoWords         = errors.New("the question has no words to look for")
	ErrBadFilter       = errors.New("bad filter")
)

// Question is what a member asks, with the filters that narrow it.
type Question struct {
	Text string
	// Scope is whose library is searched: "" every source (the operator),
	// corpus.GlobalScope the global library only, a guild id that guild's
	// sources and the global library.
	Scope string
	// Outlet keeps only sources of this outlet (case-insensitive).
	Outlet string
	// After and Before keep only sources published on or after / on or
	// before these dates: ISO dates, or relative to the library's clock
	// (7d, 2w, 3m, 1y, today, yesterday; see ResolveDate). Sources without
	// a full date are left out.
	After, Before string
	// K is how many answers to return (default 3); Skip how many of the
	// best to pass over (for "more results").
	K, Skip int
}

// Answer is one verbatim, attributed quote.
type Answer struct {
	// Quote is exactly Source text[Start:End].
	Quote      string
	Start, End int
	// CutBefore and CutAfter say the quote begins or ends inside a sentence;
	// show them as "…".
	CutBefore, CutAfter bool
	// Paragraph is the 1-based paragraph of the article the quote is from;
	// ParagraphSpan its byte range in the source text (for context).
	Paragraph     int
	ParagraphSpan corpus.Span
	// Matches are the byte spans (in the source text) of the question's
	// words found in the quote.
	Matches []corpus.Span
	// Score ranks answers; Coverage is the IDF-weighted share of the
	// question's content words in the quote.
	Score, Coverage float64
	// Confidence is the estimated chance that the quote's article answers
	// the question (see ConfidenceModel); Evidence is what it was made of.
	Confidence float64
	Evidence   Evidence
	Source     corpus.Info
	// AlsoCarriedBy are other sources carrying the same (syndicated) text.
	AlsoCarriedBy []corpus.Info
}

// Result is the library's answer to a question.
type Result struct {
	Question string
	// NoAnswer is true when the library does not answer the question; Reason
	// says why, for a person.
	NoAnswer bool
	Reason   string
	Answers  []Answer
	// Closest are, with a no-answer, the best candidates all the same:
	// passages that may not answer the question, never to be shown as an
	// answer (they are for "Closest passages", under that label).
	Closest []Answer
	// More is true when further answers exist beyond Skip+K.
	More bool
}

// Ask answers a question with verbatim quotes, or says that the library does
// not answer it. Errors about the question itself (empty, too long, no words,
// bad filters) have text fit for the asker; other errors are internal.
func (l *Library) Ask(ctx context.Context, q Question) (Result, error) {
	res := Result{Question: q.Text}
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return res, ErrEmptyQuestion
	}
	if utf8.RuneCountInString(text) > MaxQuestionRunes {
		return res, ErrQuestionTooLong
	}
	if !utf8.ValidString(text) {
		return res, ErrNoWords
	}
	filters, err := l.filters(q)
	if err != nil {
		return res, err
	}
	if q.K <= 0 {
		q.K = 3
	}
	q.K = min(q.K, 25)
	q.Skip = max(q.Skip, 0)

	if !hasLetterOrDigit(text) {
		return res, ErrNoWords
	}
	a, err := l.newAsking(text, filters, q.Scope)
	if err != nil {
		return res, err
	}
	defer a.close()
	var cands []*candidate
	err = guardIndex(func() error {
		if err := a.understand(ctx, text); err != nil || len(a.terms) == 0 {
			return err
		}
		a.text = l.queryText(text, a.terms, len(a.extra))
		cands, err = a.quoteCandidates(ctx)
		return err
	})
	if err != nil {
		return res, err
	}
	if len(a.terms) == 0 {
		res.NoAnswer = true
		res.Reason = "The question has no words specific enough to look for."
		return res, nil
	}
	since := recentSince(l.now(), a.recent)
	return l.decide(res, q, l.rankAnswers(cands, a.terms, a.weight(), since), since), nil
}

// decide fills a result from the ranked answers: none is a no-answer; a
// best answer below Tuning.MinConfidence is a no-answer whose Closest are
// the best candidates, labelled as such by whoever shows them; otherwise
// the answers at or above it, from q.Skip, at most q.K. The decision is
// made on the answers in their order (by score); the answers given are then
// ordered by recency (byRecency, since). The closest passages, which are
// not answers, keep their order by score.
func (l *Library) decide(res Result, q Question, answers []Answer, since string) Result {
	filtered := q.Outlet != "" || q.After != "" || q.Before != ""
	switch {
	case len(answers) == 0 && filtered:
		res.NoAnswer = true
		res.Reason = "Nothing in the library matches this with those filters (outlet or dates); without them it may."
		return res
	case len(answers) == 0:
		res.NoAnswer = true
		res.Reason = "Nothing in the library is about this."
		return res
	case answers[0].Confidence < l.tuning.MinConfidence:
		res.NoAnswer = true
		res.Reason = "No quote in the library answers this directly."
		res.Closest = answers[:min(len(answers), q.K)]
		return res
	}
	given := answers[:0:0]
	for _, a := range answers {
		if a.Confidence >= l.tuning.MinConfidence {
			given = append(given, a)
		}
	}
	if q.Skip >= len(given) {
		return res
	}
	given = l.byRecency(given, since)
	end := min(q.Skip+q.K, len(given))
	res.Answers = given[q.Skip:end]
	res.More = end < len(given)
	return res
}

// weight is the question's total term weight.
func (a *asking) weight() float64 {
	w := 0.0
	for _, t := range a.terms {
		w += t.idf
	}
	return w
}

// asking is one question on its way to an answer: Ask (and RankSources)
// make one per question and close it when the question is answered. It
// holds the one view of the index that every step of the question reads —
// the terms' weights, the common-term check, the article and passage
// searches and the second stage — so that all of them see the same
// documents, whatever is added or removed meanwhile, and the internal ids
// of the searches' hits hold in the second stage's postings.
type asking struct {
	l    *Library
	view *indexView
	// text is what the index is searched with: the question, or only its
	// rarest words when it has more than one search may look for (see
	// queryText).
	text string
	// filters narrow both searches (scope, outlet, dates); scope is whose
	// sources may answer, checked again against the store.
	filters []query.Query
	scope   string
	// terms are the question's content terms with their weights
	// (understand): what a quote must cover. RankSources has none.
	terms []qterm
	// extra are terms the searches look for besides the question's words:
	// corrections of typos and the terms of expansions.
	extra []string
	// recent is how many days back the question asks about ("this week":
	// 7; see recencyOf), 0 when it does not say.
	recent int
}

// newAsking opens a view of the index for a question searched with
// text, narrowed by filters and scope.
func (l *Library) newAsking(text string, filters []query.Query, scope string) (*asking, error) {
	view, err := l.index.view()
	if err != nil {
		return nil, err
	}
	view.norms = l.norms
	return &asking{l: l, view: view, text: text, filters: filters, scope: scope}, nil
}

// close releases the question's view of the index.
func (a *asking) close() {
	if err := a.view.close(); err != nil {
		a.l.log.Warn("releasing a question's view of the index", "err", err)
	}
}
