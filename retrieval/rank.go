package retrieval

import (
	"math"
	"sort"

	"github.com/verbatim-bot/verbatim/corpus"
)

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

// rankAnswers turns candidates into answers: quotes that cover too little
// of the question are dropped (keepCovering), syndicated copies are folded
// into one answer with "also carried by" (groupCopies), and a second outlet
// comes before a second quote from one article when scores are close
// (diversify).
func (l *Library) rankAnswers(cands []*candidate, terms []qterm) []Answer {
	return l.diversify(l.groupCopies(l.keepCovering(cands, terms), cands))
}

// keepCovering returns the candidates whose quote covers enough of the
// question (Tuning.MinCoverage of its weight, and two of its words when it
// has three or more), best first, down to Tuning.RelativeFloor of the best
// one's score.
func (l *Library) keepCovering(cands []*candidate, terms []qterm) []*candidate {
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
	return ok
}

// copies is an answer to be given and the other sources that carry its
// text.
type copies struct {
	lead *candidate
	also []corpus.Info
}

// groupCopies groups syndicated copies: each of the kept candidates ok, in
// order, leads a group unless an earlier one absorbed it, and absorbs every
// other candidate of cands (kept or not) that carries its quote, or whose
// quote it carries (Tuning.Syndication).
func (l *Library) groupCopies(ok, cands []*candidate) []*copies {
	for _, c := range cands {
		c.quoteSh = shingles(c.src.Text[c.quote.start:c.quote.end])
		c.passageSh = shingles(c.src.PassageText(c.passage))
	}
	var groups []*copies
	absorbed := map[*candidate]bool{}
	for _, c := range ok {
		if absorbed[c] {
			continue
		}
		g := &copies{lead: c}
		groups = append(groups, g)
		absorbed[c] = true
		seen := map[string]bool{c.src.ID: true}
		for _, o := range cands {
			if absorbed[o] && o != c {
				continue
			}
			if o == c || !sameCopy(c, o, l.tuning.Syndication) {
				continue
			}
			absorbed[o] = true
			if !seen[o.src.ID] {
				seen[o.src.ID] = true
				g.also = append(g.also, o.src.Info)
			}
		}
	}
	return groups
}

// diversify orders the groups into answers greedily, each time taking the
// best score after discounting sources and outlets already used
// (Tuning.SameSourcePenalty, SameOutletPenalty).
func (l *Library) diversify(groups []*copies) []Answer {
	t := l.tuning
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
