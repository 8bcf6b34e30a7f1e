package corpus_test

import (
	"path/filepath"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/corpus/storetest"
)

// TestBoltStoreContract holds the embedded store to the Store contract.
func TestBoltStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) corpus.Store {
		s, err := corpus.OpenStore(filepath.Join(t.TempDir(), "library.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func BenchmarkBoltStore(b *testing.B) {
	s, err := corpus.OpenStore(filepath.Join(b.TempDir(), "library.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.Bench(b, s)
}
