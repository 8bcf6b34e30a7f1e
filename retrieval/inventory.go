package retrieval

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
)

// whole reports whether the index holds exactly a source of n passages: its
// article record and passages 0 to n-1, each once. A nil s holds nothing.
func (s *indexedSource) whole(n int) bool {
	if s == nil || !s.Article || s.Malformed > 0 || s.Passages != n {
		return false
	}
	seen := make([]bool, n)
	for _, i := range s.Numbers {
		if i < 0 || i >= n || seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

// indexedSource is what the index holds of one source.
type indexedSource struct {
	// Passages counts the passage documents; Numbers are their passage
	// numbers, in no particular order.
	Passages int
	Numbers  []int
	// Article reports whether the article record is there.
	Article bool
	// Malformed counts documents whose id does not parse.
	Malformed int
}

// inventory reads the id of every document in the index and returns, per
// source, what the index holds of it. It reads every document id, so its
// cost grows with the index (0.4 s for the 112k documents of 100k passages): it is
// for reconciling and checking, not for answering.
func (x *sourceIndex) inventory(ctx context.Context) (out map[string]*indexedSource, err error) {
	err = guardIndex(func() (err error) {
		out, err = x.readInventory(ctx)
		return err
	})
	return out, err
}

// readInventory is inventory, unguarded.
func (x *sourceIndex) readInventory(ctx context.Context) (map[string]*indexedSource, error) {
	v, err := x.view()
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	defer v.close()
	r := v.r
	all, err := r.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("reading the index's documents: %w", err)
	}
	defer all.Close()
	out := map[string]*indexedSource{}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		internal, err := all.Next()
		if err != nil {
			return nil, fmt.Errorf("reading the index's documents: %w", err)
		}
		if internal == nil {
			return out, nil
		}
		ext, err := r.ExternalID(internal)
		if err != nil {
			return nil, fmt.Errorf("reading a document id: %w", err)
		}
		src, i, err := parseDocID(ext)
		s := out[src]
		if s == nil {
			s = &indexedSource{}
			out[src] = s
		}
		switch {
		case err != nil:
			s.Malformed++
		case i < 0:
			s.Article = true
		default:
			s.Passages++
			s.Numbers = append(s.Numbers, i)
		}
	}
}

// docCount returns the number of passages in the index (article records
// not counted).
func (x *sourceIndex) docCount() (n uint64, err error) {
	err = guardIndex(func() (err error) {
		n, err = x.countPassages()
		return err
	})
	return n, err
}

// countPassages is docCount, unguarded.
func (x *sourceIndex) countPassages() (uint64, error) {
	n, err := x.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("counting indexed passages: %w", err)
	}
	a, err := x.countArticles()
	if err != nil {
		return 0, err
	}
	return n - min(n, a), nil
}

// articleCount returns the number of article records: the sources the
// index holds.
func (x *sourceIndex) articleCount() (n uint64, err error) {
	err = guardIndex(func() (err error) {
		n, err = x.countArticles()
		return err
	})
	return n, err
}

// countArticles is articleCount, unguarded.
func (x *sourceIndex) countArticles() (uint64, error) {
	res, err := x.idx.Search(bleve.NewSearchRequestOptions(termQuery(fieldKind, kindArticle, 0), 0, 0, false))
	if err != nil {
		return 0, fmt.Errorf("counting indexed articles: %w", err)
	}
	return res.Total, nil
}
