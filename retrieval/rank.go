package retrieval

import (
	"math"
	"slices"
	"sort"
	"time"

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
// confidences, in this order; byRecency then orders the answers given by
// when their sources were published, where scores are close or the
// question asks for the recent (since: see recentSince). Of syndicated
// copies, the answer quotes the most recent of those close in score
// (shown).
func (l *Library) rankAnswers(cands []*candidate, terms []qterm, weight float64, since string) []Answer {
	groups := l.diversify(l.groupCopies(l.found(cands, terms), cands))
	return l.weigh(groups, cands, terms, weight, since)
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
// first answer, over everything else the library offered. The evidence is
// the lead's; the quote shown may be a more recent copy of its text
// (shown).
func (l *Library) weigh(groups []*copies, cands []*candidate, terms []qterm, weight float64, since string) []Answer {
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
		shown := l.shown(g, since)
		a := shown.answer(g.score, g.alsoFor(shown))
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

// recentSince is the first day (an ISO date) of the days back a question
// asks about (recencyOf), on the calendar of now; "" when it does not say.
func recentSince(now time.Time, days int) string {
	if days <= 0 {
		return ""
	}
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days).Format(time.DateOnly)
}

// before reports whether, by when they were published, a source comes
// before b among answers close in score: one published on or after since
// (when the question asks for the recent) before one that is not, then the
// later published before the earlier, the dated before the undated. An
// equal date (or two undated) is no reason to come before.
func before(a, b corpus.Info, since string) bool {
	da, db := publishedKey(a.Published), publishedKey(b.Published)
	if since != "" {
		if ra, rb := da >= since, db >= since; ra != rb {
			return ra
		}
	}
	switch {
	case da == db || da == "":
		return false
	case db == "":
		return true
	}
	return da > db
}

// closeScore reports whether score s is close to the better score best
// (Tuning.RecencyTie).
func (l *Library) closeScore(s, best float64) bool {
	return s >= best*(1-l.tuning.RecencyTie)
}

// byRecency orders answers (best first) by when their sources were
// published where that does not overrule their scores: when the question
// asks for the recent (since), those published since come first, each part
// in its order; and within each, every next answer is, of those whose
// score is close to the best left (closeScore), the one that comes first by
// before. Answers that are all undated, or all far apart in score, keep
// their order. It neither drops nor adds an answer.
func (l *Library) byRecency(answers []Answer, since string) []Answer {
	if since == "" {
		return l.closeByDate(answers)
	}
	var recent, rest []Answer
	for _, a := range answers {
		if publishedKey(a.Source.Published) >= since {
			recent = append(recent, a)
		} else {
			rest = append(rest, a)
		}
	}
	return append(l.closeByDate(recent), l.closeByDate(rest)...)
}

// closeByDate orders answers so that among those close in score the more
// recent come first (see byRecency).
func (l *Library) closeByDate(answers []Answer) []Answer {
	rest := slices.Clone(answers)
	out := make([]Answer, 0, len(rest))
	for len(rest) > 0 {
		top := 0
		for i, a := range rest {
			if a.Score > rest[top].Score {
				top = i
			}
		}
		pick := top
		for i, a := range rest {
			if i != top && l.closeScore(a.Score, rest[top].Score) && before(a.Source, rest[pick].Source, "") {
				pick = i
			}
		}
		out = append(out, rest[pick])
		rest = slices.Delete(rest, pick, pick+1)
	}
	return out
}

// shown is the member of a group whose quote its answer shows: the lead,
// or a copy of the lead's text that comes before it by when it was
// published (before), whose quote has some of the question, and whose
// score is close to the lead's — or, when the question asks for the recent
// and the copy was published since, at least Tuning.RelativeFloor of it.
func (l *Library) shown(g *copies, since string) *candidate {
	lead := g.lead
	pick := lead
	for _, m := range g.members[1:] {
		if m.matched == 0 {
			continue
		}
		near := l.closeScore(m.score(), lead.score()) ||
			since != "" && publishedKey(m.src.Published) >= since && m.score() >= lead.score()*l.tuning.RelativeFloor
		if near && before(m.src.Info, pick.src.Info, since) {
			pick = m
		}
	}
	return pick
}

// alsoFor is the "also carried by" of the group's answer when it shows
// shown's quote: the group's other sources, the lead's first.
func (g *copies) alsoFor(shown *candidate) []corpus.Info {
	if shown.src.ID == g.lead.src.ID {
		return g.also
	}
	also := []corpus.Info{g.lead.src.Info}
	for _, o := range g.also {
		if o.ID != shown.src.ID {
			also = append(also, o)
		}
	}
	return also
}
