package retrieval

import (
	"context"
	"testing"
)

// BenchmarkAskSeeds measures the whole answer path (search, quote
// selection, grouping) on the seed library.
func BenchmarkAskSeeds(b *testing.B) {
	l, _ := openSeeded(b)
	qs := []string{
		"Did Mueller find that Trump colluded with Russia?",
		"Who demanded that Pompeo and Mnuchin impose sanctions?",
		"What is the capital of Australia?",
		"Is Russia ready to negotiate with the US about the accusations?",
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Ask(ctx, Question{Text: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
	}
}
