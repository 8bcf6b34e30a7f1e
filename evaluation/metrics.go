package evaluation

import (
	"math"
	"sort"
)

// ndcg is nDCG@k with graded relevance (gain = grade, log2 discount).
func ndcg(docs []string, rel map[string]int, k int) float64 {
	dcg := 0.0
	for i, d := range docs[:min(k, len(docs))] {
		if g := rel[d]; g > 0 {
			dcg += float64(g) / math.Log2(float64(i+2))
		}
	}
	var grades []int
	for _, g := range rel {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	idcg := 0.0
	for i, g := range grades[:min(k, len(grades))] {
		idcg += float64(g) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// recall is the share of relevant documents found in the top k.
func recall(docs []string, rel map[string]int, k int) float64 {
	total, found := 0, 0
	for _, g := range rel {
		if g > 0 {
			total++
		}
	}
	for _, d := range docs[:min(k, len(docs))] {
		if rel[d] > 0 {
			found++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(found) / float64(total)
}

// mrr is the reciprocal rank of the first relevant document in the top k.
func mrr(docs []string, rel map[string]int, k int) float64 {
	for i, d := range docs[:min(k, len(docs))] {
		if rel[d] > 0 {
			return 1 / float64(i+1)
		}
	}
	return 0
}
