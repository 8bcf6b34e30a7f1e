package retrieval

import "time"

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
	// MinConfidence is the least confidence an answer must have to be
	// given; when the best has less, the question gets a no-answer (with
	// its closest passages). See ConfidenceModel and docs/quality.md.
	MinConfidence float64
	// Confidence weighs an answer's evidence into its confidence.
	Confidence ConfidenceModel
	// SameStory is the share of their terms (Jaccard) above which two
	// passages tell the same story in other words (two outlets' write-ups
	// of one statement): an answer's Lead is not over the same story. 0
	// counts only the same source and copies of the same text.
	SameStory float64
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
	// RecencyTie is how close two answers' scores are, as a share of the
	// better one, for the more recently published to come first (and a
	// dated source before an undated one); of syndicated copies of one
	// text, the most recent is quoted. It orders the answers the
	// confidence model has already weighed: which are given does not
	// change. 0 orders only equal scores by date.
	RecencyTie float64
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
	// TextNorm, TitleNorm and ArticleNorm are the "average length" by
	// which the first stage's BM25 divides a passage's, a title's and an
	// article record's length: the larger, the less a long one is
	// penalised. bleve works it out from the index itself, as the
	// distinct terms of the field summed over the index's segments per
	// document, rounded up; that moved whenever scorch merged segments
	// (and with the library's vocabulary), so the same question over the
	// same sources scored differently from one day to the next, and a
	// compacted index answered differently. They are fixed at the values
	// bleve's figure had on the benchmarks the answer path was tuned on;
	// ranking hardly depends on them (docs/quality.md). 0 leaves the
	// figure to bleve.
	TextNorm, TitleNorm, ArticleNorm float64
}

// lengthNorms returns the fields whose BM25 average length the tuning
// fixes, with the length.
func (t *Tuning) lengthNorms() map[string]float64 {
	out := map[string]float64{}
	for f, n := range map[string]float64{fieldText: t.TextNorm, fieldTitle: t.TitleNorm, fieldArticle: t.ArticleNorm} {
		if n > 0 {
			out[f] = n
		}
	}
	return out
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
		MinConfidence:         0.42,
		Confidence:            defaultConfidence,
		SameStory:             0.3,
		MaxQuoteRunes:         400,
		Syndication:           0.7,
		RelativeFloor:         0.2,
		MaxSentences:          3,
		TextNorm:              4,
		TitleNorm:             1,
		ArticleNorm:           4,
		SameSourcePenalty:     0.75,
		SameOutletPenalty:     0.9,
		RecencyTie:            0.05,
		Deadline:              3 * time.Second,
		MaxTermSearchers:      256,
		CommonTerms:           0.05,
		CommonTermsMin:        5000,
	}
}
