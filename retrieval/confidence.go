package retrieval

import (
	"math"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Evidence is what an answer's confidence is made of: how the quote and its
// passage stand to the question and to the other candidates. Each is scaled
// so that it means the same in a library of five articles and of a million
// passages (shares, and scores divided by the question's own weight).
type Evidence struct {
	// Coverage is the IDF-weighted share of the question's content terms the
	// quote has (an abbreviation counts where what it stands for is).
	Coverage float64 `json:"coverage"`
	// Score is the passage's search score (its own BM25 plus its article's)
	// divided by the question's total weight. It is not in the model: its
	// scale follows the library's size and the length of its articles, so
	// a setting would not mean the same in a small library and a large one.
	Score float64 `json:"score"`
	// Lead is how far the passage's score (its search score times its
	// quote's coverage) stands above the best candidate
	// that is not the same story — not from the same source and not a copy
	// of the same text — and not ranked above it: (score − other) / score.
	// In a news library the runner-up is often the same wire story from
	// another outlet, which says nothing against the answer.
	Lead float64 `json:"lead"`
	// TitleFree is Coverage over the question's terms that are not in the
	// source's title: a question names its topic (which every article on
	// it matches) and then what it asks of it.
	TitleFree float64 `json:"title_free"`
	// TitleFreeLead is TitleFree less the best TitleFree of the candidates
	// Lead compares with.
	TitleFreeLead float64 `json:"title_free_lead"`
	// Missing is the weight of the weightiest question term the quote lacks,
	// as a share of the question's weightiest term: a quote without the
	// question's rarest word ("Navalny") rarely answers it.
	Missing float64 `json:"missing"`
	// Pairs counts the adjacent question terms that stand within three
	// words of each other in the quote, per pair of the question.
	Pairs float64 `json:"pairs"`
	// Unseen is the share of the question's weight on words the library has
	// never seen, nor anything they stand for (the same for every answer):
	// a name or rare word the library lacks says it does not cover the
	// question.
	Unseen float64 `json:"unseen"`
	// Matched is how many of the question's Terms the quote has (not a
	// feature of the model: the coverage cut of old used it).
	Matched int `json:"matched"`
	Terms   int `json:"terms"`
}

// ConfidenceModel turns Evidence into a confidence: a logistic model, whose
// output is the estimated chance that the quote comes from an article that
// answers the question. The weights are fit by `verbatim eval
// --answerability --fit` on the choosing half of two benchmarks (see
// docs/quality.md); DefaultTuning has them.
type ConfidenceModel struct {
	Bias, Coverage, Lead, TitleFree, TitleFreeLead, Missing, Pairs, Unseen float64
}

// Confidence is the model's estimate for an answer's evidence, in [0, 1].
// A quote that has only one of a question's three or more words gets 0,
// whatever else it has: on the choosing half of SQuAD-dev such a top quote
// answered 115 of 13,734 questions (0.8%), on SciFact 14 of 227 — one
// shared word ("series" in "who won the world series") is a coincidence,
// not an answer.
func (m ConfidenceModel) Confidence(e Evidence) float64 {
	if e.Terms >= 3 && e.Matched < 2 {
		return 0
	}
	z := m.Bias + m.Coverage*e.Coverage + m.Lead*e.Lead + m.TitleFree*e.TitleFree +
		m.TitleFreeLead*e.TitleFreeLead + m.Missing*e.Missing + m.Pairs*e.Pairs + m.Unseen*e.Unseen
	return 1 / (1 + math.Exp(-z))
}

// Features returns e as a vector in the order of the model's weights
// (without the bias), for fitting.
func (e Evidence) Features() []float64 {
	return []float64{e.Coverage, e.Lead, e.TitleFree, e.TitleFreeLead, e.Missing, e.Pairs, e.Unseen}
}

// ModelOf returns the model of a bias and weights in the order of
// Evidence.Features.
func ModelOf(bias float64, w []float64) ConfidenceModel {
	return ConfidenceModel{Bias: bias, Coverage: w[0], Lead: w[1], TitleFree: w[2],
		TitleFreeLead: w[3], Missing: w[4], Pairs: w[5], Unseen: w[6]}
}

// quoteFacts are what a candidate's quote has of the question, beyond its
// coverage: the share of its weight not in the title that it has, the
// weightiest term it lacks, and the adjacent pairs it keeps together.
type quoteFacts struct {
	titleFree, missing, pairs float64
}

// factsOf works out the quoteFacts of a quote [start, end) of passage p of
// src, from the occurrences of the question's terms in the passage.
func (l *Library) factsOf(src *corpus.Source, occs []occurrence, terms []qterm, start, end int) quoteFacts {
	found := foundIn(occs, terms, start, end)
	inTitle := map[string]bool{}
	for _, t := range l.termSet(src.Title) {
		inTitle[t] = true
	}
	var f quoteFacts
	var tw, tf, maxIDF, missing float64
	for i, qt := range terms {
		maxIDF = max(maxIDF, qt.idf)
		if found[i] < 0.5 {
			missing = max(missing, qt.idf)
		}
		if termInTitle(qt, inTitle) {
			continue
		}
		tw += qt.idf
		tf += qt.idf * found[i]
	}
	f.titleFree = coverageShare(tf, tw, found, terms)
	if maxIDF > 0 {
		f.missing = missing / maxIDF
	}
	if len(terms) > 1 {
		f.pairs = float64(nearPairs(occs, start, end)) / float64(len(terms)-1)
	}
	return f
}

// coverageShare is tf/tw, or when every term is in the title (tw 0), the
// plain coverage of found.
func coverageShare(tf, tw float64, found []float64, terms []qterm) float64 {
	if tw > 0 {
		return tf / tw
	}
	var w, all float64
	for i, qt := range terms {
		w += qt.idf * found[i]
		all += qt.idf
	}
	if all == 0 {
		return 0
	}
	return w / all
}

// termInTitle reports whether a question term, or one of its alternatives,
// is in a title's terms.
func termInTitle(qt qterm, inTitle map[string]bool) bool {
	if inTitle[qt.term] {
		return true
	}
	for _, set := range qt.alts {
		for _, t := range set {
			if inTitle[t] {
				return true
			}
		}
	}
	return false
}

// nearPairs counts the pairs of adjacent question terms (term i and i+1)
// that occur within three positions of each other inside [start, end).
func nearPairs(occs []occurrence, start, end int) int {
	pos := map[int][]int{}
	for _, o := range occs {
		if o.span.Start >= start && o.span.End <= end {
			pos[o.term] = append(pos[o.term], o.pos)
		}
	}
	n := 0
	for ti, ps := range pos {
		for _, a := range ps {
			for _, b := range pos[ti+1] {
				if d := b - a; d != 0 && d >= -3 && d <= 3 {
					n++
				}
			}
		}
	}
	return n
}

// defaultConfidence is the model Verbatim ships with, fit by `verbatim eval
// --answerability --fit` (see docs/quality.md for the data and figures).
var defaultConfidence = ConfidenceModel{Bias: -2.9803, Coverage: 1.9782, Lead: 3.2613, TitleFree: 1.0062,
	TitleFreeLead: -0.1293, Missing: -0.6147, Pairs: 1.3153, Unseen: -2.4459}
