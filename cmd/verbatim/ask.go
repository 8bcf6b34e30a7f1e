package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/question"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// jsonSource is a source as `ask --json` prints it.
type jsonSource struct {
	ID        string `json:"id"`
	Origin    string `json:"origin"`
	Title     string `json:"title"`
	Outlet    string `json:"outlet"`
	Published string `json:"published"`
	URL       string `json:"url"`
}

// jsonAnswer is one answer as `ask --json` prints it; Quote is exactly the
// stored text[Start:End] of the source.
type jsonAnswer struct {
	Quote         string             `json:"quote"`
	Start         int                `json:"start"`
	End           int                `json:"end"`
	CutBefore     bool               `json:"cut_before,omitempty"`
	CutAfter      bool               `json:"cut_after,omitempty"`
	Paragraph     int                `json:"paragraph"`
	Score         float64            `json:"score"`
	Confidence    float64            `json:"confidence"`
	Evidence      retrieval.Evidence `json:"evidence"`
	Source        jsonSource         `json:"source"`
	AlsoCarriedBy []jsonSource       `json:"also_carried_by"`
	// Link opens the source's page at the quote (a text fragment), when
	// the source has a URL.
	Link string `json:"link,omitempty"`
}

// jsonResult is what `ask --json` prints.
type jsonResult struct {
	Question string       `json:"question"`
	NoAnswer bool         `json:"no_answer"`
	Reason   string       `json:"reason,omitempty"`
	Answers  []jsonAnswer `json:"answers"`
	// Closest are, with no_answer, the best candidates all the same: they
	// may not answer the question.
	Closest []jsonAnswer `json:"closest,omitempty"`
}

func toJSONSource(i corpus.Info) jsonSource {
	return jsonSource{ID: i.ID, Origin: i.Origin, Title: i.Title, Outlet: i.Outlet, Published: i.Published, URL: i.URL}
}

// runAsk answers a question. With --json, a failure too is JSON on
// standard output ({"error", "code"}), with the same exit status.
func runAsk(ctx context.Context, e *env, args []string) error {
	err := askQuestion(ctx, e, args)
	if err == nil || errors.Is(err, flag.ErrHelp) || !wantsJSON(args) {
		return err
	}
	if perr := printJSON(e.stdout, jsonError{Error: err.Error(), Code: errorCode(err)}); perr != nil {
		return perr
	}
	return reportedError{err}
}

// jsonError is a failure as `ask --json` prints it.
type jsonError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// wantsJSON reports whether a command line asks for --json (before any
// "--"), even when its flags could not be parsed.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-json", "--json", "-json=true", "--json=true", "-json=1", "--json=1":
			return true
		}
	}
	return false
}

func askQuestion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "ask", "[--json] [-k N] [--scope S] [--outlet O] [--after D] [--before D] QUESTION...",
		"Answer a question with verbatim, attributed quotes from the library, or say that it has none")
	var lf libFlags
	lf.register(fs)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	closest := fs.Bool("closest", false, "when nothing answers, print the closest passages anyway (they may not answer the question)")
	k := fs.Int("k", 3, "how many quotes at most (1-25)")
	scope := fs.String("scope", "", `whose library: "global", or a server id (its sources and the global ones); default every source`)
	outlet := fs.String("outlet", "", "only sources from this outlet")
	after := fs.String("after", "", "only sources published on or after this date (2021-03-17, or relative: 7d, 2w, 3m, 1y, today, yesterday)")
	before := fs.String("before", "", "only sources published on or before this date (2021-03-17, or relative: 7d, 2w, 3m, 1y, today, yesterday)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"no question given"}
	}
	if *k < 1 || *k > 25 {
		return usageError{fmt.Sprintf("-k must be between 1 and 25, not %d", *k)}
	}
	from, to, err := checkFilters(*scope, *after, *before, e.clock()())
	if err != nil {
		return err
	}
	lib, err := lf.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	typed := strings.Join(pos, " ")
	text := question.Cut(question.Clean(typed), retrieval.MaxQuestionRunes)
	if text == "" {
		return usageError{"the question has no words once links, mentions and markup are taken out"}
	}
	res, err := lib.Ask(ctx, retrieval.Question{
		Text: text, Scope: *scope, Outlet: *outlet, After: from, Before: to, K: *k,
	})
	if errors.Is(err, retrieval.ErrBadFilter) {
		return usageError{err.Error()}
	}
	if err != nil {
		return err
	}
	res.Question = typed
	if *asJSON {
		out := toJSONResult(res)
		for i, link := range lib.QuoteLinks(ctx, res.Answers, *scope, corpus.MaxLinkBytes) {
			out.Answers[i].Link = link
		}
		return printJSON(e.stdout, out)
	}
	printAnswers(e.stdout, res, *closest)
	return nil
}

func toJSONResult(res retrieval.Result) jsonResult {
	out := jsonResult{Question: res.Question, NoAnswer: res.NoAnswer, Reason: res.Reason, Answers: []jsonAnswer{}}
	for _, a := range res.Answers {
		out.Answers = append(out.Answers, toJSONAnswer(a))
	}
	for _, a := range res.Closest {
		out.Closest = append(out.Closest, toJSONAnswer(a))
	}
	return out
}

func toJSONAnswer(a retrieval.Answer) jsonAnswer {
	ja := jsonAnswer{
		Quote: a.Quote, Start: a.Start, End: a.End, CutBefore: a.CutBefore, CutAfter: a.CutAfter,
		Paragraph: a.Paragraph, Score: a.Score, Confidence: a.Confidence, Evidence: a.Evidence,
		Source: toJSONSource(a.Source), AlsoCarriedBy: []jsonSource{},
	}
	for _, o := range a.AlsoCarriedBy {
		ja.AlsoCarriedBy = append(ja.AlsoCarriedBy, toJSONSource(o))
	}
	return ja
}

// printAnswers prints answers for a person: each quote, then where it is
// from; with no answer, the reason, and with closest the closest passages
// under a label that says they may not answer.
func printAnswers(w io.Writer, res retrieval.Result, closest bool) {
	if res.NoAnswer || len(res.Answers) == 0 {
		reason := res.Reason
		if reason == "" {
			reason = "No quote in the library answers this."
		}
		fmt.Fprintln(w, reason)
		switch {
		case closest && len(res.Closest) > 0:
			fmt.Fprintf(w, "\nClosest passages — these may not answer your question:\n\n")
			printQuotes(w, res.Closest)
		case len(res.Closest) > 0:
			fmt.Fprintln(w, "(--closest shows the closest passages, which may not answer it.)")
		}
		return
	}
	printQuotes(w, res.Answers)
}

// printQuotes prints each answer's quote and where it is from.
func printQuotes(w io.Writer, answers []retrieval.Answer) {
	for i, a := range answers {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n", quoted(a))
		fmt.Fprintf(w, "  — %s\n", a.Source.Title)
		fmt.Fprintf(w, "    %s\n", attribution(a.Source, a.Paragraph))
		if a.Source.URL != "" {
			fmt.Fprintf(w, "    %s\n", a.Source.URL)
		}
		if len(a.AlsoCarriedBy) > 0 {
			var names []string
			for _, o := range a.AlsoCarriedBy {
				names = append(names, fmt.Sprintf("%s (%s, %s)", o.Title, orUnknown(o.Outlet), o.ID))
			}
			fmt.Fprintf(w, "    also carried by: %s\n", strings.Join(names, "; "))
		}
	}
}

// attribution is the line under a quote: outlet · date · ¶ · id · origin.
func attribution(s corpus.Info, paragraph int) string {
	parts := []string{orUnknown(s.Outlet)}
	if s.Published != "" {
		parts = append(parts, s.Published)
	}
	if paragraph > 0 {
		parts = append(parts, fmt.Sprintf("¶%d", paragraph))
	}
	parts = append(parts, "source "+s.ID)
	if s.Origin != "" && s.Origin != s.URL {
		parts = append(parts, s.Origin)
	}
	return strings.Join(parts, " · ")
}

// quoted returns a quote between quotation marks, "…" marking a cut: a
// quote that itself begins and ends with quotation marks (a quoted
// statement) is shown in its own, not doubled.
func quoted(a retrieval.Answer) string {
	q := a.Quote
	open, close := "“", "”"
	if r, _ := utf8.DecodeRuneInString(q); !a.CutBefore && strings.ContainsRune(`"“«`, r) {
		if l, _ := utf8.DecodeLastRuneInString(q); !a.CutAfter && strings.ContainsRune(`"”»`, l) {
			open, close = "", ""
		}
	}
	if a.CutBefore {
		q = "…" + q
	}
	if a.CutAfter {
		q += "…"
	}
	return open + q + close
}
