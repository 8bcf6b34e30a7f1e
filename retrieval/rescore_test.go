package retrieval

import "testing"

func TestPairCounts(t *testing.T) {
	// b at 3 and 12 after a at 1 and 10: ordered within 3 twice; unordered
	// within 8: 1-3, 10-3, 10-12 (1-12 is too far).
	o, u := pairCounts([]uint64{1, 10}, []uint64{3, 12}, 3, 8)
	if o != 2 || u != 3 {
		t.Errorf("pairCounts = %v ordered, %v unordered; want 2, 3", o, u)
	}
}

func TestBestSpan(t *testing.T) {
	pos := [][]uint64{{1, 50}, {52}, {100}}
	idf := []float64{1, 2, 4}
	if got := bestSpan(pos, idf, 20); got != 4 {
		t.Errorf("bestSpan = %v, want 4 (term 3 alone outweighs terms 1 and 2 together)", got)
	}
	pos[2] = []uint64{60}
	if got := bestSpan(pos, idf, 20); got != 7 {
		t.Errorf("bestSpan = %v, want 7 (all three within 20 positions)", got)
	}
	if got := bestSpan([][]uint64{nil, nil}, []float64{1, 1}, 20); got != 0 {
		t.Errorf("bestSpan of nothing = %v, want 0", got)
	}
}
