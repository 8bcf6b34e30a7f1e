package retrieval

import (
	"context"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
)

// TestTermLocationsMatchTheIndex checks that the term locations Ask computes
// by analysing a candidate's passage are exactly those the index reports
// for it (IncludeLocations), for the seed questions and a few more, so that
// quotes are cut where they were when the search read them.
func TestTermLocationsMatchTheIndex(t *testing.T) {
	l, _ := openSeeded(t)
	ctx := context.Background()
	questions := []string{
		"Did Mueller find that Trump colluded with Russia?",
		"When was Robert Mueller appointed special counsel?",
		"Who demanded that Pompeo and Mnuchin impose sanctions?",
		"How many electoral votes did Trump receive in 2020?",
		"What did the Kremlin spokesman say about interference?",
		"U.S. intelligence “disinformation” campaign, Feb. 25",
	}
	compared := 0
	for _, q := range questions {
		a, err := l.newAsking(q, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		defer a.close()
		if err := a.understand(ctx, q); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, qt := range a.terms {
			want[qt.term] = true
		}
		pq, _ := l.buildQuery(q, nil)
		hits, err := a.topMatches(ctx, pq, 40, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			id, pi, err := parseDocID(h.ID)
			if err != nil || pi < 0 {
				continue
			}
			src, err := l.store.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			fromIndex := search.TermLocationMap{}
			for term, locs := range h.Locations[fieldText] {
				if !want[term] {
					continue
				}
				for _, loc := range locs {
					fromIndex[term] = append(fromIndex[term], &search.Location{Pos: loc.Pos, Start: loc.Start, End: loc.End})
				}
			}
			got, _ := l.termLocations(src.PassageText(pi), want)
			for term := range fromIndex {
				compared++
				if !reflect.DeepEqual(got[term], fromIndex[term]) {
					t.Errorf("%q in %s: computed %v, the index says %v", term, h.ID, locs(got[term]), locs(fromIndex[term]))
				}
			}
			for term := range got {
				if _, ok := fromIndex[term]; !ok {
					t.Errorf("%q in %s: computed %v, the index has none", term, h.ID, locs(got[term]))
				}
			}
		}
	}
	if compared < 50 {
		t.Errorf("only %d term location lists compared", compared)
	}
}

func locs(ls search.Locations) []search.Location {
	out := make([]search.Location, len(ls))
	for i, l := range ls {
		out[i] = *l
	}
	return out
}

// TestMatchTextLeavesOutCommonTerms checks which words the match queries
// keep: a word in more than CommonTerms of the passages goes (when the
// library is over CommonTermsMin), the others stay in order, and a question
// made only of common words, or a library under the floor, keeps them all.
func TestMatchTextLeavesOutCommonTerms(t *testing.T) {
	ctx := context.Background()
	open := func(frac float64, floor uint64) *Library {
		tuning := DefaultTuning()
		tuning.CommonTerms, tuning.CommonTermsMin = frac, floor
		l, err := Open(ctx, Options{Dir: t.TempDir(), Tuning: &tuning})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	pruning, floored, off := open(0.2, 0), open(0.2, 1000), open(0, 0)
	tests := []struct {
		l          *Library
		text, want string
	}{
		// "Russia", "interfere" and "election" are in more than a fifth of
		// the seed passages, "Mueller" and "empty-handed" in few; stop words
		// make no terms, so they go too.
		{pruning, "Did Russia interfere in the election, Mueller empty-handed?", "Mueller empty handed"},
		{pruning, "Russia election", "Russia election"},
		{floored, "Did Russia interfere in the election, Mueller empty-handed?", "Did Russia interfere in the election, Mueller empty-handed?"},
		{off, "Did Russia interfere in the election, Mueller empty-handed?", "Did Russia interfere in the election, Mueller empty-handed?"},
	}
	for _, tt := range tests {
		got, _, err := matchTexts(ctx, tt.l, tt.text)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("matchTexts(%q) = %q, want %q (CommonTerms %v, floor %d)", tt.text, got, tt.want, tt.l.tuning.CommonTerms, tt.l.tuning.CommonTermsMin)
		}
	}
	// The article query counts articles: "Russia" is in all five seed
	// articles, "empty" only in the two copies of one wire story ("handed"
	// in more).
	_, articles, err := matchTexts(ctx, open(0.5, 0), "Russia empty-handed")
	if err != nil {
		t.Fatal(err)
	}
	if articles != "empty" {
		t.Errorf("article match text %q, want %q", articles, "empty")
	}
}

// matchTexts returns the match texts of a question searched with text.
func matchTexts(ctx context.Context, l *Library, text string) (passages, articles string, err error) {
	a, err := l.newAsking(text, nil, "")
	if err != nil {
		return "", "", err
	}
	defer a.close()
	return a.matchTexts(ctx)
}
