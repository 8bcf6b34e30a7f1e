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

// rankAnswers turns candidates into answers: quotes that cover too little of the
// question are dropped, syndicated copies are folded into one answer with
// "also carried by", and a second outlet comes before a second quote from
// one article when scores are close.
func (l *Library) rankAnswers(cands []*candidate, terms []qterm) []Answer {
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
