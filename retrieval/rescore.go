package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// The second stage of retrieval: the best candidates of bleve's query are
// scored again with textbook BM25, read from the index's postings (term
// frequency, field length from the norm, positions from the term vectors).
// bleve's own BM25 differs from the textbook (√tf, idf squared, coord, an
// average length computed from the number of distinct terms) and keeps k1
// and b in package globals; here they come from Tuning. Only the candidates
// are scored, so the cost is bounded by their number times the question's
// terms.

// maxRescorePositions caps the positions of one term in one document that
// the proximity evidence looks at.
const maxRescorePositions = 64

// rescoreDoc is one candidate document in the second stage.
type rescoreDoc struct {
	id     string
	iid    index.IndexInternalID
	length float64
	tf     []float64
	pos    [][]uint64
}

// rescore scores the documents hits of field for the analysed question terms
// (distinct, in question order): BM25 with Tuning's RescoreK1 and RescoreB,
// BM25+'s lower bound RescoreDelta for every matched term, and proximity
// evidence of adjacent question terms (ordered within ProximityGap
// positions, weighed by OrderedWeight; unordered within ProximityWindow,
// weighed by UnorderedWeight), each pair scored as a BM25 pseudo-term. docs
// is the number of documents of the field's kind in the index. The average
// length is the candidates' own: bleve keeps no total of field lengths.
// The hits come from a search of r itself, so their internal ids hold in
// r's postings.
func (l *Library) rescore(ctx context.Context, r index.IndexReader, field string, docs float64, terms []string, hits search.DocumentMatchCollection) (map[string]float64, error) {
	t := l.tuning
	prox := t.OrderedWeight > 0 || t.UnorderedWeight > 0 || t.SpanWeight > 0
	cands := make([]*rescoreDoc, 0, len(hits))
	for _, h := range hits {
		cands = append(cands, &rescoreDoc{id: h.ID, iid: h.IndexInternalID, tf: make([]float64, len(terms)), pos: make([][]uint64, len(terms))})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].iid.Compare(cands[j].iid) < 0 })
	idf := make([]float64, len(terms))
	for ti, term := range terms {
		var err error
		if idf[ti], err = readPostings(ctx, r, field, term, ti, docs, cands, prox); err != nil {
			return nil, err
		}
	}
	avg := averageLength(cands)
	out := make(map[string]float64, len(cands))
	for _, d := range cands {
		out[d.id] = d.score(&t, idf, avg, prox)
	}
	return out, nil
}

// readPostings reads the postings of question term number ti in field for
// the candidates (sorted by internal id) into their term frequencies,
// lengths and, with prox, positions; it returns the term's IDF among docs
// documents.
func readPostings(ctx context.Context, r index.IndexReader, field, term string, ti int, docs float64, cands []*rescoreDoc, prox bool) (float64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, true, true, prox)
	if err != nil {
		return 0, fmt.Errorf("reading term %q for rescoring: %w", term, err)
	}
	df := float64(tfr.Count())
	idf := math.Log(1 + (docs-df+0.5)/(df+0.5))
	if df > 0 {
		if err := readCandidates(tfr, ti, cands, prox); err != nil {
			tfr.Close()
			return 0, fmt.Errorf("reading term %q for rescoring: %w", term, err)
		}
	}
	if err := tfr.Close(); err != nil {
		return 0, fmt.Errorf("reading term %q for rescoring: %w", term, err)
	}
	return idf, nil
}

// readCandidates advances tfr, the postings of term number ti, through the
// candidates (sorted by internal id) and notes each one's frequency of the
// term, its length and, with prox, the term's first maxRescorePositions
// positions.
//
// It never asks tfr to go back: scorch's Advance to an id at or before the
// posting it is on opens the term's postings again in every segment. A
// candidate before the posting Advance landed on lacks the term; one at it
// is that posting.
func readCandidates(tfr index.TermFieldReader, ti int, cands []*rescoreDoc, prox bool) error {
	var tfd index.TermFieldDoc
	var m *index.TermFieldDoc
	for _, d := range cands {
		if m == nil || m.ID.Compare(d.iid) < 0 {
			var err error
			if m, err = tfr.Advance(d.iid, &tfd); err != nil {
				return err
			}
			if m == nil {
				return nil
			}
		}
		if m.ID.Compare(d.iid) != 0 {
			continue
		}
		d.tf[ti] = float64(m.Freq)
		if m.Norm > 0 {
			d.length = 1 / (m.Norm * m.Norm)
		}
		if prox {
			ps := make([]uint64, 0, min(len(m.Vectors), maxRescorePositions))
			for _, v := range m.Vectors[:min(len(m.Vectors), maxRescorePositions)] {
				ps = append(ps, v.Pos)
			}
			d.pos[ti] = ps
		}
	}
	return nil
}

// averageLength is the mean length of the candidates whose length is known,
// summed in the order of their ids, so that the last bit of it does not
// depend on the order the index happens to hold them in.
func averageLength(cands []*rescoreDoc) float64 {
	byID := slices.Clone(cands)
	slices.SortFunc(byID, func(a, b *rescoreDoc) int { return strings.Compare(a.id, b.id) })
	avg, n := 0.0, 0.0
	for _, d := range byID {
		if d.length > 0 {
			avg += d.length
			n++
		}
	}
	if n > 0 {
		avg /= n
	}
	return avg
}

// score is the candidate's second-stage score (see rescore) given the
// terms' IDF and the candidates' average length avg; prox adds the
// proximity evidence.
func (d *rescoreDoc) score(t *Tuning, idf []float64, avg float64, prox bool) float64 {
	norm := 1.0
	if avg > 0 && d.length > 0 {
		norm = 1 - t.RescoreB + t.RescoreB*d.length/avg
	}
	sat := func(tf float64) float64 { return tf * (t.RescoreK1 + 1) / (tf + t.RescoreK1*norm) }
	s := 0.0
	for ti, tf := range d.tf {
		if tf > 0 {
			s += idf[ti] * (sat(tf) + t.RescoreDelta)
		}
	}
	if t.SpanWeight > 0 {
		s += t.SpanWeight * bestSpan(d.pos, idf, t.SpanWindow)
	}
	if !prox {
		return s
	}
	for ti := 0; ti+1 < len(d.tf); ti++ {
		a, b := d.pos[ti], d.pos[ti+1]
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		ordered, unordered := pairCounts(a, b, t.ProximityGap, t.ProximityWindow)
		w := (idf[ti] + idf[ti+1]) / 2
		if ordered > 0 {
			s += t.OrderedWeight * w * sat(ordered)
		}
		if unordered > 0 {
			s += t.UnorderedWeight * w * sat(unordered)
		}
	}
	return s
}

// pairCounts counts the occurrences of term b after term a within gap
// positions (ordered), and of the two within window positions of each other
// in either order (unordered).
func pairCounts(a, b []uint64, gap, window int) (ordered, unordered float64) {
	for _, pa := range a {
		for _, pb := range b {
			d := int(pb) - int(pa)
			if d > 0 && d <= gap {
				ordered++
			}
			if d != 0 && d <= window && d >= -window {
				unordered++
			}
		}
	}
	return ordered, unordered
}

// bestSpan is the most question weight (the IDF of distinct question terms)
// found within window consecutive positions of a document: the evidence of
// one sentence that says what the question asks.
func bestSpan(pos [][]uint64, idf []float64, window int) float64 {
	type event struct {
		pos  uint64
		term int
	}
	var ev []event
	for ti, ps := range pos {
		for _, p := range ps {
			ev = append(ev, event{p, ti})
		}
	}
	sort.Slice(ev, func(i, j int) bool { return ev[i].pos < ev[j].pos })
	count := make([]int, len(pos))
	best, cur, lo := 0.0, 0.0, 0
	for _, e := range ev {
		if count[e.term] == 0 {
			cur += idf[e.term]
		}
		count[e.term]++
		for e.pos-ev[lo].pos >= uint64(window) {
			count[ev[lo].term]--
			if count[ev[lo].term] == 0 {
				cur -= idf[ev[lo].term]
			}
			lo++
		}
		best = max(best, cur)
	}
	return best
}
