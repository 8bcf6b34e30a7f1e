package retrieval

import "testing"

func TestContainment(t *testing.T) {
	wire := "In the end, Mueller came up empty-handed, admitting that there was no evidence that US President Donald Trump had colluded with the Russian government to win the election."
	tests := []struct {
		name string
		a, b string
		min  float64
		max  float64
	}{
		{"same text", wire, wire, 1, 1},
		{"republished with intro", wire, "MOSCOW (TASS) — Some new intro sentence here. " + wire + " And more.", 1, 1},
		{"quotes and case folded", "Russia’s answer WAS “no”", "russias answer was \"no\"", 1, 1},
		{"different write-up", wire, "The special counsel did not establish a conspiracy between the campaign and Moscow, his report said.", 0, 0},
		{"short texts", "Mueller", "mueller", 1, 1},
		{"empty", "", wire, 0, 0},
	}
	for _, tc := range tests {
		got := containment(shingles(tc.a), shingles(tc.b))
		if got < tc.min || got > tc.max {
			t.Errorf("%s: containment = %.2f, want [%.2f, %.2f]", tc.name, got, tc.min, tc.max)
		}
	}
}
