package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

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

// Tuning holds the answer path's parameters. DefaultTuning is what ships;
// `verbatim eval` measures changes to it.
type Tuning struct {
	// Candidates is how many passages the index returns per question.
	Candidates int
	// RankPassagesPerSource is how many passages per wanted source
	// RankSources fetches before folding passages into sources.
	RankPassagesPerSource int
	// PhraseBoost weighs the question matched as a phrase.
	PhraseBoost float64
	// TitleBoost weighs the question's words in the article title.
	TitleBoost float64
	// ArticleWeight weighs the match of the question against the whole
	// article (title and text) in a passage's score and a source's rank.
	ArticleWeight float64
	// ArticleCandidates is the least number of articles scored per
	// question; a passage whose article is not among them gets no article
	// score.
	ArticleCandidates int
	// RescoreK1 and RescoreB are the BM25 parameters of the second stage,
	// which scores the best ArticleCandidates articles again from the
	// index's postings (see rescore); RescoreK1 0 keeps bleve's scores.
	// RescoreDelta is BM25+'s lower bound for a matched term.
	RescoreK1, RescoreB, RescoreDelta float64
	// OrderedWeight and UnorderedWeight weigh the proximity of adjacent
	// question terms in the second stage: the second term within
	// ProximityGap positions after the first, or both within
	// ProximityWindow positions in either order.
	OrderedWeight, UnorderedWeight float64
	ProximityGap, ProximityWindow  int
	// SpanWeight weighs the most question weight (IDF of distinct terms)
	// found within SpanWindow consecutive positions of the document.
	SpanWeight float64
	SpanWindow int
	// MinCoverage is the least share (IDF-weighted) of the question's content
	// words a quote must contain to be given at all.
	MinCoverage float64
	// MaxQuoteRunes is the longest quote, in characters, before a long
	// sentence is cut (and the cut marked).
	MaxQuoteRunes int
	// Syndication is the shingle containment above which two passages are the
	// same wire copy.
	Syndication float64
	// RelativeFloor drops answers scoring below this share of the best one:
	// a weak quote after a strong one is noise, not a second opinion.
	RelativeFloor float64
	// MaxSentences is the most sentences one quote may join (while it stays
	// within MaxQuoteRunes).
	MaxSentences int
	// SameSourcePenalty multiplies the score of a second quote from an
	// article already quoted; SameOutletPenalty of a second from an outlet.
	SameSourcePenalty float64
	SameOutletPenalty float64
	// Deadline bounds one search.
	Deadline time.Duration
	// MaxTermSearchers bounds the terms one search may open.
	MaxTermSearchers int
	// CommonTerms leaves out of the match queries (not the phrase) the
	// terms found in more than this fraction of passages and in more than
	// CommonTermsMin passages (of the article query: of articles): their postings are the longest to score and
	// their weight the smallest. The floor keeps small libraries, where
	// scoring is cheap anyway, exactly as they are. 0 keeps all terms.
	CommonTerms    float64
	CommonTermsMin uint64
}

// DefaultTuning returns the parameters Verbatim ships with.
func DefaultTuning() Tuning {
	return Tuning{
		Candidates:            40,
		RankPassagesPerSource: 1,
		PhraseBoost:           2,
		TitleBoost:            0.3,
		ArticleWeight:         0.7,
		ArticleCandidates:     100,
		RescoreK1:             1.2,
		RescoreB:              0.75,
		RescoreDelta:          0.25,
		OrderedWeight:         0.2,
		UnorderedWeight:       0.1,
		ProximityGap:          3,
		ProximityWindow:       8,
		SpanWeight:            0.3,
		SpanWindow:            20,
		MinCoverage:           0.5,
		MaxQuoteRunes:         400,
		Syndication:           0.7,
		RelativeFloor:         0.2,
		MaxSentences:          3,
		SameSourcePenalty:     0.75,
		SameOutletPenalty:     0.9,
		Deadline:              3 * time.Second,
		MaxTermSearchers:      256,
		CommonTerms:           0.05,
		CommonTermsMin:        5000,
	}
}

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
	// before these ISO dates. Sources without a full date are left out.
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
	Source          corpus.Info
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
	// More is true when further answers exist beyond Skip+K.
	More bool
}

// qterm is a content word of the question, as analysed, with its weight.
type qterm struct {
	term string
	idf  float64
}

// candidate is a passage the index returned, with its quote.
type candidate struct {
	src       *corpus.Source
	passage   int
	hitScore  float64
	quote     quoteSpan
	coverage  float64
	matched   int
	quoteSh   shingleSet
	passageSh shingleSet
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
	terms, err := l.weigh(ctx, contentTerms(l.analyze(text)))
	if err != nil {
		return res, err
	}
	if len(terms) == 0 {
		res.NoAnswer = true
		res.Reason = "The question has no words specific enough to look for."
		return res, nil
	}

	cands, err := l.search(ctx, l.queryText(text, terms), filters, q.Scope, terms)
	if err != nil {
		return res, err
	}
	answers := l.rank(cands, terms)
	if len(answers) == 0 {
		res.NoAnswer = true
		res.Reason = "Nothing in the library answers this."
		return res, nil
	}
	if q.Skip >= len(answers) {
		return res, nil
	}
	end := min(q.Skip+q.K, len(answers))
	res.Answers = answers[q.Skip:end]
	res.More = end < len(answers)
	return res, nil
}

// queryText returns the text the index is searched with: the question
// itself, or, when it has more distinct terms than one search may open term
// searchers for (each term opens three: text, phrase and title), the words
// of its rarest content terms (highest IDF) only, in the question's order.
// A long pasted message ("Find sources") then still gets an answer instead
// of bleve's "too many term searchers".
func (l *Library) queryText(text string, terms []qterm) string {
	limit := max(1, (l.tuning.MaxTermSearchers-16)/3)
	toks := l.analyzer.Analyze([]byte(text))
	distinct := map[string]bool{}
	for _, tok := range toks {
		distinct[string(tok.Term)] = true
	}
	if len(distinct) <= limit {
		return text
	}
	rare := slices.Clone(terms)
	sort.SliceStable(rare, func(i, j int) bool { return rare[i].idf > rare[j].idf })
	keep := map[string]bool{}
	for _, t := range rare[:min(limit, len(rare))] {
		keep[t.term] = true
	}
	var b strings.Builder
	for _, tok := range toks {
		if t := string(tok.Term); keep[t] {
			delete(keep, t)
			b.WriteString(text[tok.Start:tok.End])
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// filters builds the filter queries of a question (scope, outlet, dates).
func (l *Library) filters(q Question) ([]query.Query, error) {
	var fs []query.Query
	switch {
	case q.Scope == "":
	case q.Scope == corpus.GlobalScope:
		fs = append(fs, termQuery(fieldScope, corpus.GlobalScope, 0))
	case corpus.ValidScope(q.Scope):
		fs = append(fs, bleve.NewDisjunctionQuery(termQuery(fieldScope, corpus.GlobalScope, 0), termQuery(fieldScope, q.Scope, 0)))
	default:
		return nil, fmt.Errorf("%w: scope %q is neither %q nor a server id", ErrBadFilter, q.Scope, corpus.GlobalScope)
	}
	if o := outletKey(q.Outlet); o != "" {
		fs = append(fs, termQuery(fieldOutlet, o, 0))
	}
	if q.After != "" || q.Before != "" {
		for name, d := range map[string]string{"after": q.After, "before": q.Before} {
			if d == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, fmt.Errorf("%w: %s must be a date like 2021-03-17, not %q", ErrBadFilter, name, d)
			}
		}
		if q.After != "" && q.Before != "" && q.After > q.Before {
			return nil, fmt.Errorf("%w: after (%s) is later than before (%s)", ErrBadFilter, q.After, q.Before)
		}
		lo, hi := q.After, q.Before
		if hi == "" {
			hi = "9999-12-31"
		}
		if lo == "" {
			lo = "0000-01-01"
		}
		yes := true
		r := bleve.NewTermRangeInclusiveQuery(lo, hi, &yes, &yes)
		r.SetField(fieldPublished)
		r.SetBoost(0)
		fs = append(fs, r)
	}
	return fs, nil
}

// analyze returns the distinct terms of text as the index analyses it.
func (l *Library) analyze(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, tok := range l.analyzer.Analyze([]byte(text)) {
		t := string(tok.Term)
		if t == "" || seen[t] || !hasLetterOrDigit(t) {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func hasLetterOrDigit(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

// questionFiller are (analysed) words of how people ask, not of what they
// ask about; they do not count towards a quote's coverage.
var questionFiller = map[string]bool{
	"tell": true, "explain": true, "pleas": true, "please": true, "know": true, "think": true,
	"sai": true, "say": true, "said": true, "mani": true, "much": true, "realli": true, "actual": true, "ever": true, "also": true,
	"can": true, "could": true, "would": true, "will": true, "shall": true, "might": true, "must": true,
}

// contentTerms drops question filler from analysed terms.
func contentTerms(all []string) []string {
	var out []string
	for _, t := range all {
		if !questionFiller[t] {
			out = append(out, t)
		}
	}
	return out
}

// reader opens a reader of the index's current snapshot; close it.
func (l *Library) reader() (index.IndexReader, error) {
	adv, err := l.index.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("opening index reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("opening index reader: %w", err)
	}
	return r, nil
}

// weigh gives each content term its BM25 IDF in the passage index; a term
// the index does not have gets the highest weight, since no quote can cover it.
func (l *Library) weigh(ctx context.Context, terms []string) ([]qterm, error) {
	r, err := l.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	n, err := passageCount(ctx, r)
	if err != nil {
		return nil, err
	}
	out := make([]qterm, 0, len(terms))
	for _, t := range terms {
		tfr, err := r.TermFieldReader(ctx, []byte(t), fieldText, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("reading term %q: %w", t, err)
		}
		df := tfr.Count()
		tfr.Close()
		df = min(df, n)
		idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
		out = append(out, qterm{term: t, idf: idf})
	}
	return out, nil
}

// articleCount returns the number of article records (one per indexed
// source) that reader r sees, from the posting list of kind=article.
func articleCount(ctx context.Context, r index.IndexReader) (uint64, error) {
	kinds, err := r.TermFieldReader(ctx, []byte(kindArticle), fieldKind, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("counting articles: %w", err)
	}
	defer kinds.Close()
	return kinds.Count(), nil
}

// passageCount returns the number of passages reader r sees: every document
// but the article records. Unlike passageIndex.docCount it runs no search,
// so each question can afford it.
func passageCount(ctx context.Context, r index.IndexReader) (uint64, error) {
	all, err := r.DocCount()
	if err != nil {
		return 0, fmt.Errorf("counting indexed passages: %w", err)
	}
	a, err := articleCount(ctx, r)
	if err != nil {
		return 0, err
	}
	return all - min(all, a), nil
}

// buildQuery makes the bleve queries of a question. The passage query is an
// analysed match on the passage text, the question as a boosted phrase, and
// a title match; the article query is an analysed match on whole articles
// (article records). Both are narrowed by the filters. The question reaches
// bleve only as analysed match and phrase queries on named fields, never as
// query syntax.
func (l *Library) buildQuery(text string, filters []query.Query) (passages, articles query.Query) {
	return l.buildQueryWith(text, text, text, filters)
}

// buildQueryWith is buildQuery with the texts of the match queries given
// apart from the question, which the phrase uses: pmatch for the passage
// text and title, amatch for the article.
func (l *Library) buildQueryWith(text, pmatch, amatch string, filters []query.Query) (passages, articles query.Query) {
	t := l.tuning
	body := bleve.NewMatchQuery(pmatch)
	body.SetField(fieldText)
	phrase := bleve.NewMatchPhraseQuery(text)
	phrase.SetField(fieldText)
	phrase.SetBoost(t.PhraseBoost)
	title := bleve.NewMatchQuery(pmatch)
	title.SetField(fieldTitle)
	title.SetBoost(t.TitleBoost)
	article := bleve.NewMatchQuery(amatch)
	article.SetField(fieldArticle)
	passages, articles = bleve.NewDisjunctionQuery(body, phrase, title), article
	if len(filters) > 0 {
		passages = bleve.NewConjunctionQuery(append([]query.Query{passages}, filters...)...)
		articles = bleve.NewConjunctionQuery(append([]query.Query{articles}, filters...)...)
	}
	return passages, articles
}

// matchTexts returns the texts of the match queries: the words of text
// whose terms are in at most Tuning.CommonTerms of the passages (or at most
// CommonTermsMin), and likewise of the article records for the article
// query. Scoring a term costs its posting list, so the commonest words make
// the slowest searches while adding the least (their IDF is lowest). A text
// is the question itself when nothing in it is that common, or everything.
func (l *Library) matchTexts(ctx context.Context, text string) (passages, articles string, err error) {
	if l.tuning.CommonTerms <= 0 {
		return text, text, nil
	}
	r, err := l.reader()
	if err != nil {
		return "", "", err
	}
	defer r.Close()
	np, err := passageCount(ctx, r)
	if err != nil {
		return "", "", err
	}
	na, err := articleCount(ctx, r)
	if err != nil {
		return "", "", err
	}
	toks := l.analyzer.Analyze([]byte(text))
	if passages, err = l.withoutCommon(ctx, r, text, toks, fieldText, np); err != nil {
		return "", "", err
	}
	if articles, err = l.withoutCommon(ctx, r, text, toks, fieldArticle, na); err != nil {
		return "", "", err
	}
	return passages, articles, nil
}

// withoutCommon returns the words of text (tokens toks) whose terms are in
// at most the tuning's share of the n documents of field (see matchTexts).
func (l *Library) withoutCommon(ctx context.Context, r index.IndexReader, text string, toks analysis.TokenStream, field string, n uint64) (string, error) {
	if n <= l.tuning.CommonTermsMin {
		return text, nil
	}
	limit := max(l.tuning.CommonTerms*float64(n), float64(l.tuning.CommonTermsMin))
	common := map[string]bool{}
	for _, tok := range toks {
		t := string(tok.Term)
		if _, seen := common[t]; seen {
			continue
		}
		tfr, err := r.TermFieldReader(ctx, tok.Term, field, false, false, false)
		if err != nil {
			return "", fmt.Errorf("reading term %q: %w", t, err)
		}
		common[t] = float64(tfr.Count()) > limit
		tfr.Close()
	}
	var b strings.Builder
	dropped := false
	for _, tok := range toks {
		if common[string(tok.Term)] {
			dropped = true
			continue
		}
		b.WriteString(text[tok.Start:tok.End])
		b.WriteByte(' ')
	}
	if !dropped || b.Len() == 0 {
		return text, nil
	}
	return strings.TrimSpace(b.String()), nil
}

// passageHit is a passage the index returned for a question.
type passageHit struct {
	source  string
	passage int
	// score is the passage's own score plus ArticleWeight times its
	// article's.
	score float64
}

// retrieve runs both queries of a question: the best n passages, and the
// best articles (at least n). A passage's score adds ArticleWeight times
// its article's score, so a passage of an article that is about the
// question as a whole ranks above a lone mention; articles maps a source id
// to ArticleWeight times its article score. The article score is the second
// stage's (rescore) unless Tuning.RescoreK1 is 0.
func (l *Library) retrieve(ctx context.Context, text string, filters []query.Query, n int) ([]passageHit, map[string]float64, error) {
	t := l.tuning
	pmatch, amatch, err := l.matchTexts(ctx, text)
	if err != nil {
		return nil, nil, err
	}
	pq, aq := l.buildQueryWith(text, pmatch, amatch, filters)
	ap := &readerProbe{Query: aq}
	ahits, err := l.hits(ctx, ap, max(n, t.ArticleCandidates), false)
	if err != nil {
		return nil, nil, err
	}
	phits, err := l.hits(ctx, pq, n, false)
	if err != nil {
		return nil, nil, err
	}
	var rescored map[string]float64
	if t.RescoreK1 > 0 {
		if rescored, err = l.rescoreArticles(ctx, text, ahits, ap.reader); err != nil {
			return nil, nil, err
		}
	}
	articles := make(map[string]float64, len(ahits))
	for _, h := range ahits {
		if id, pi, err := parseDocID(h.ID); err == nil && pi < 0 {
			s := h.Score
			if rescored != nil {
				s = rescored[h.ID]
			}
			articles[id] = t.ArticleWeight * s
		}
	}
	out := make([]passageHit, 0, len(phits))
	for _, h := range phits {
		id, pi, err := parseDocID(h.ID)
		if err != nil || pi < 0 {
			l.log.Warn("skipping malformed index entry", "id", h.ID)
			continue
		}
		out = append(out, passageHit{source: id, passage: pi, score: h.Score + articles[id]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out, articles, nil
}

// rescoreArticles scores the candidate articles again in the second stage
// (see rescore); ar is the reader their search ran on.
func (l *Library) rescoreArticles(ctx context.Context, text string, ahits search.DocumentMatchCollection, ar index.IndexReader) (map[string]float64, error) {
	r, err := l.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	n, err := articleCount(ctx, r)
	if err != nil {
		return nil, err
	}
	return l.rescore(ctx, r, fieldArticle, float64(n), l.analyze(text), ahits, ar == r)
}

// hits runs a query with the deadline and term limit of the tuning.
func (l *Library) hits(ctx context.Context, q query.Query, size int, locations bool) (search.DocumentMatchCollection, error) {
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	req.IncludeLocations = locations
	sctx, cancel := context.WithTimeout(ctx, l.tuning.Deadline)
	defer cancel()
	sctx = context.WithValue(sctx, search.MaxTermSearchersKey, l.tuning.MaxTermSearchers)
	res, err := l.index.idx.SearchInContext(sctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching the library: %w", err)
	}
	return res.Hits, nil
}

// search runs the question against the index and returns its candidate
// passages with their quotes.
func (l *Library) search(ctx context.Context, text string, filters []query.Query, scope string, terms []qterm) ([]*candidate, error) {
	t := l.tuning
	// The search does not read term locations (IncludeLocations): that cost
	// grows with every matching passage, while only the candidates need
	// them, and analysing a candidate's passage gives the same locations.
	hits, _, err := l.retrieve(ctx, text, filters, t.Candidates)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(terms))
	for _, qt := range terms {
		want[qt.term] = true
	}
	sources := map[string]*corpus.Source{}
	var cands []*candidate
	for _, h := range hits {
		id, pi := h.source, h.passage
		src, ok := sources[id]
		if !ok {
			s, err := l.store.Get(ctx, id)
			switch {
			case errors.Is(err, corpus.ErrNotFound):
				// Removed after the search began, or a leftover the next
				// start deletes: never answer from it.
				sources[id] = nil
				continue
			case err != nil:
				return nil, err
			}
			src = &s
			sources[id] = src
		}
		if src == nil || pi >= len(src.Passages) || !visible(src.Scope, scope) {
			continue
		}
		c := &candidate{src: src, passage: pi, hitScore: h.score}
		locs := l.termLocations(src.PassageText(pi), want)
		c.quote, c.coverage, c.matched = selectQuote(src, pi, locs, terms, t.MaxQuoteRunes, t.MaxSentences)
		cands = append(cands, c)
	}
	return cands, nil
}

// termLocations returns where the terms in want occur in a passage's text,
// as the index would report them for its text field: the same analyser on
// the same text gives the same tokens, byte offsets and positions.
func (l *Library) termLocations(text string, want map[string]bool) search.TermLocationMap {
	out := search.TermLocationMap{}
	for _, tok := range l.analyzer.Analyze([]byte(text)) {
		if t := string(tok.Term); want[t] {
			out[t] = append(out[t], &search.Location{Pos: uint64(tok.Position), Start: uint64(tok.Start), End: uint64(tok.End)})
		}
	}
	return out
}

// rank turns candidates into answers: quotes that cover too little of the
// question are dropped, syndicated copies are folded into one answer with
// "also carried by", and a second outlet comes before a second quote from
// one article when scores are close.
func (l *Library) rank(cands []*candidate, terms []qterm) []Answer {
	t := l.tuning
	var ok []*candidate
	for _, c := range cands {
		if c.coverage < t.MinCoverage || (len(terms) >= 3 && c.matched < 2) {
			continue
		}
		ok = append(ok, c)
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].score() > ok[j].score() })
	if len(ok) > 0 {
		floor := ok[0].score() * t.RelativeFloor
		n := sort.Search(len(ok), func(i int) bool { return ok[i].score() < floor })
		ok = ok[:n]
	}

	for _, c := range cands {
		c.quoteSh = shingles(c.src.Text[c.quote.start:c.quote.end])
		c.passageSh = shingles(c.src.PassageText(c.passage))
	}

	// Group copies: an answer absorbs every other candidate (given or not)
	// that carries its quote, or whose quote it carries.
	type group struct {
		lead *candidate
		also []corpus.Info
	}
	var groups []*group
	absorbed := map[*candidate]bool{}
	for _, c := range ok {
		if absorbed[c] {
			continue
		}
		g := &group{lead: c}
		groups = append(groups, g)
		absorbed[c] = true
		seen := map[string]bool{c.src.ID: true}
		for _, o := range cands {
			if absorbed[o] && o != c {
				continue
			}
			if o == c || !sameCopy(c, o, t.Syndication) {
				continue
			}
			absorbed[o] = true
			if !seen[o.src.ID] {
				seen[o.src.ID] = true
				g.also = append(g.also, o.src.Info)
			}
		}
	}

	// Diversity: pick greedily, discounting sources and outlets already used.
	var out []Answer
	usedSrc, usedOutlet := map[string]int{}, map[string]int{}
	for len(groups) > 0 {
		best, bestScore := -1, -1.0
		for i, g := range groups {
			s := g.lead.score() *
				math.Pow(t.SameSourcePenalty, float64(usedSrc[g.lead.src.ID])) *
				math.Pow(t.SameOutletPenalty, float64(usedOutlet[outletKey(g.lead.src.Outlet)]))
			if s > bestScore {
				best, bestScore = i, s
			}
		}
		g := groups[best]
		groups = append(groups[:best], groups[best+1:]...)
		usedSrc[g.lead.src.ID]++
		if o := outletKey(g.lead.src.Outlet); o != "" {
			usedOutlet[o]++
		}
		out = append(out, g.lead.answer(bestScore, g.also))
	}
	return out
}

// score is a candidate's rank before diversity: the index's score weighed by
// how much of the question the quote covers.
func (c *candidate) score() float64 { return c.hitScore * c.coverage }

// sameCopy reports whether two candidates are the same text: one's quote is
// (nearly) contained in the other's passage.
func sameCopy(a, b *candidate, threshold float64) bool {
	return containment(a.quoteSh, b.passageSh) >= threshold || containment(b.quoteSh, a.passageSh) >= threshold
}

// answer makes the Answer of a candidate.
func (c *candidate) answer(score float64, also []corpus.Info) Answer {
	p := c.src.Passages[c.passage]
	return Answer{
		Quote:         c.src.Text[c.quote.start:c.quote.end],
		Start:         c.quote.start,
		End:           c.quote.end,
		CutBefore:     c.quote.cutBefore,
		CutAfter:      c.quote.cutAfter,
		Paragraph:     p.Paragraph,
		ParagraphSpan: c.src.ParagraphSpan(p.Paragraph),
		Matches:       c.quote.matches,
		Score:         score,
		Coverage:      c.coverage,
		Source:        c.src.Info,
		AlsoCarriedBy: also,
	}
}
