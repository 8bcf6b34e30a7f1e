package wordfreq

import "testing"

func TestRank(t *testing.T) {
	tab, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() < 40000 {
		t.Fatalf("table has %d terms, want the whole list (about 41,000)", tab.Len())
	}
	// Terms as bleve's English analyzer gives them.
	tests := []struct {
		term    string
		atMost  int // rank no worse than this; 0: not in the table
		atLeast int
	}{
		{"gonna", 200, 1},
		{"hei", 200, 1}, // hey
		{"stuff", 1000, 1},
		{"elect", 10000, 2000},
		{"iran", 0, 20000},
		{"collud", 0, 10000},
		{"navalni", 0, 0},
		{"sancton", 0, 0},
	}
	for _, tt := range tests {
		r, ok := tab.Rank(tt.term)
		switch {
		case tt.atMost == 0 && tt.atLeast == 0:
			if ok {
				t.Errorf("%q: rank %d, want not in the table", tt.term, r)
			}
		case !ok:
			t.Errorf("%q: not in the table", tt.term)
		case tt.atMost > 0 && r > tt.atMost, r < tt.atLeast:
			t.Errorf("%q: rank %d, want between %d and %d", tt.term, r, tt.atLeast, tt.atMost)
		}
	}
}

func TestWord(t *testing.T) {
	tab, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		word string
		want bool
	}{
		{"election", true},
		{"naval", true},
		{"sanctions", true},
		{"elect", true},
		{"electon", false},  // a typo
		{"navally", false},  // not a word, though "naval" is its stem
		{"navalny", false},  // a name
		{"Election", false}, // the table is in lower case
	} {
		if got := tab.Word(tt.word); got != tt.want {
			t.Errorf("Word(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}
