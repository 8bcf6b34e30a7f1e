package retrieval

import (
	"math"
	"sort"

	"github.com/verbatim-bot/verbatim/corpus"
)

// candidate is a passage the index returned, with its quote.
type candidate struct {
	src      *corpus.Source
	passage  int
	hitScore float64
	quote    quoteSpan
	coverage float64
	matched  int
	facts    quoteFacts
	// words are the passage's distinct terms, for telling the same story
	// told in other words (Tuning.SameStory).
	words     map[string]bool
	quoteSh   shingleSet
	passageSh shingleSet
}

// rankAnswers turns candidates into answers, best first, each with its
// confidence: candidates whose quote has none of the question are dropped
// and the rest ranked (found), syndicated copies are folded into one answer
// with "also carried by" (groupCopies), a second outlet comes before a
// second quote from one article when scores are close (diversify), and each
// answer's evidence is weighed (weigh). weight is the question's total
// term weight. Whether an answer is given is Ask's to decide, from the
// confidences.
func (l *Library) rankAnswers(cands []*candidate, terms []qterm, weight float64) []Answer {
	groups := l.diversify(l.groupCopies(l.found(cands, terms), cands))
	return l.weigh(groups, cands, terms, weight)
}

// found returns the candidates whose quote has at least one of the
// question's terms, best first (by score), down to Tuning.RelativeFloor of
// the best one's score.
func (l *Library) found(cands []*candidate, terms []qterm) []*candidate {
	var ok []*candidate
	for _, c := range cands {
		if c.matched > 0 && len(terms) > 0 {
			ok = append(ok, c)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].score() > ok[j].score() })
	if len(ok) > 0 {
		floor := ok[0].score() * l.tuning.RelativeFloor
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
	// members are the lead and every candidate it absorbed.
	members []*candidate
	// score is the lead's score after diversity.
	score float64
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
		g := &copies{lead: c, members: []*candidate{c}}
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
			g.members = append(g.members, o)
			if !seen[o.src.ID] {
				seen[o.src.ID] = true
				g.also = append(g.also, o.src.Info)
			}
		}
	}
	return groups
}

// diversify orders the groups greedily, each time taking the best score
// after discounting sources and outlets already used
// (Tuning.SameSourcePenalty, SameOutletPenalty), and notes that score.
func (l *Library) diversify(groups []*copies) []*copies {
	t := l.tuning
	var out []*copies
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
		g.score = bestScore
		out = append(out, g)
	}
	return out
}

// weigh makes the answers of the ordered groups, each with its evidence
// and confidence. An answer's lead is over the best candidate that is not
// the same story (its group's members: its own source, and copies of its
// text) and is not ranked above it (the members of earlier groups): for the
// first answer, over everything else the library offered.
func (l *Library) weigh(groups []*copies, cands []*candidate, terms []qterm, weight float64) []Answer {
	unseen := 0.0
	for _, t := range terms {
		if t.unseen {
			unseen += t.idf
		}
	}
	if weight > 0 {
		unseen /= weight
	}
	taken := map[*candidate]bool{}
	out := make([]Answer, 0, len(groups))
	for _, g := range groups {
		story := map[*candidate]bool{}
		for _, m := range g.members {
			story[m] = true
		}
		for _, o := range cands {
			if l.tuning.SameStory > 0 && jaccard(g.lead.words, o.words) >= l.tuning.SameStory {
				story[o] = true
			}
		}
		c := g.lead
		var otherHit, otherTitleFree float64
		for _, o := range cands {
			if story[o] || taken[o] || o.src.ID == c.src.ID {
				continue
			}
			otherHit = max(otherHit, o.score())
			otherTitleFree = max(otherTitleFree, o.facts.titleFree)
		}
		for _, m := range g.members {
			taken[m] = true
		}
		e := Evidence{
			Coverage:      c.coverage,
			TitleFree:     c.facts.titleFree,
			TitleFreeLead: c.facts.titleFree - otherTitleFree,
			Missing:       c.facts.missing,
			Pairs:         c.facts.pairs,
			Lead:          1,
			Unseen:        unseen,
			Matched:       c.matched,
			Terms:         len(terms),
		}
		if weight > 0 {
			e.Score = c.hitScore / weight
		}
		if s := c.score(); s > 0 {
			e.Lead = (s - otherHit) / s
		}
		a := c.answer(g.score, g.also)
		a.Evidence = e
		a.Confidence = l.tuning.Confidence.Confidence(e)
		out = append(out, a)
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
	para := c.src.ParagraphAt(c.quote.start)
	return Answer{
		Quote:         c.src.Text[c.quote.start:c.quote.end],
		Start:         c.quote.start,
		End:           c.quote.end,
		CutBefore:     c.quote.cutBefore,
		CutAfter:      c.quote.cutAfter,
		Paragraph:     para,
		ParagraphSpan: c.src.ParagraphSpan(para),
		Matches:       c.quote.matches,
		Score:         score,
		Coverage:      c.coverage,
		Source:        c.src.Info,
		AlsoCarriedBy: also,
	}
}

// jaccard is the share of two term sets' union that both have.
func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	both := 0
	for t := range a {
		if b[t] {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}
