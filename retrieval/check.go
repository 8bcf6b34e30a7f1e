package retrieval

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Problem is one thing Check found wrong in a library.
type Problem struct {
	// Source is the id of the source concerned, or "" for the library as a
	// whole.
	Source string
	// What says what is wrong, in words for the operator.
	What string
	// InIndex is true for a problem of the search index, which is derived
	// from the store and can be rebuilt (Repair); a problem of the store
	// cannot.
	InIndex bool
}

// CheckReport is what Check found.
type CheckReport struct {
	corpus.StoreCounts
	// IndexedSources counts the sources the index holds documents of.
	IndexedSources int
	// Problems lists what is wrong, store problems first, each group by
	// source id.
	Problems []Problem
}

// Clean reports whether Check found nothing wrong.
func (r CheckReport) Clean() bool { return len(r.Problems) == 0 }

// Check verifies, without changing anything, the library in dir: that every
// stored source is whole (its text matches its hash and every passage and
// sentence span cuts exactly from it; see corpus.Store.Check), and that the
// search index holds exactly the sources the store says answer — each
// current source whole (its article record and every passage, once), and
// nothing of a source removed or superseded. It needs the library not to be
// open elsewhere (a running `verbatim serve` holds it).
func Check(ctx context.Context, dir string) (CheckReport, error) {
	var rep CheckReport
	store, err := corpus.OpenStore(filepath.Join(dir, "library.db"))
	if err != nil {
		return rep, err
	}
	defer store.Close()
	var storeProblems []Problem
	rep.StoreCounts, err = store.Check(ctx, func(id, what string) {
		storeProblems = append(storeProblems, Problem{Source: id, What: what})
	})
	if err != nil {
		return rep, err
	}
	indexProblems, indexed, err := checkIndex(ctx, store, filepath.Join(dir, "index.bleve"))
	if err != nil {
		return rep, err
	}
	rep.IndexedSources = indexed
	for _, ps := range [][]Problem{storeProblems, indexProblems} {
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Source < ps[j].Source })
		rep.Problems = append(rep.Problems, ps...)
	}
	return rep, nil
}

// checkIndex compares the index in dir with the store, reading the index
// only. It returns the problems found and the number of sources indexed.
func checkIndex(ctx context.Context, store *corpus.Store, dir string) ([]Problem, int, error) {
	x, err := openIndexReadOnly(dir)
	if err != nil {
		what := fmt.Sprintf("the search index cannot be opened (%v)", err)
		if errors.Is(err, errNoIndex) {
			what = "there is no search index"
		}
		return []Problem{{What: what, InIndex: true}}, 0, nil
	}
	defer x.close()
	if v, err := x.layout(); err != nil || v != mappingVersion {
		return []Problem{{What: fmt.Sprintf("the search index is of layout %q, this verbatim uses %q", v, mappingVersion), InIndex: true}}, 0, nil
	}
	have, err := x.inventory(ctx)
	if err != nil {
		return nil, 0, err
	}
	infos, err := store.List(ctx)
	if err != nil {
		return nil, 0, err
	}
	var ps []Problem
	add := func(id, what string) { ps = append(ps, Problem{Source: id, What: what, InIndex: true}) }
	stored := make(map[string]corpus.Info, len(infos))
	for _, info := range infos {
		stored[info.ID] = info
		h := have[info.ID]
		switch {
		case info.SupersededBy != "":
			if h != nil {
				add(info.ID, fmt.Sprintf("superseded by %s but still in the search index", info.SupersededBy))
			}
		case h == nil:
			add(info.ID, "not in the search index, so it never answers")
		case !h.whole(info.PassageCount):
			add(info.ID, fmt.Sprintf("the search index holds %s; the store has %d passages and the article record", h, info.PassageCount))
		}
	}
	for id, h := range have {
		if _, ok := stored[id]; !ok {
			add(id, fmt.Sprintf("the search index holds %s of a source the store does not have", h))
		}
	}
	return ps, len(have), nil
}

// String says what the index holds of a source, for a problem report.
func (s *indexedSource) String() string {
	what := fmt.Sprintf("%d passages", s.Passages)
	if s.Article {
		what += " and the article record"
	}
	if s.Malformed > 0 {
		what += fmt.Sprintf(" and %d documents with malformed ids", s.Malformed)
	}
	return what
}

// Repair rebuilds what is derived: it opens the library in opts.Dir (which
// rebuilds an index that is missing, unreadable or of another layout) and
// reconciles the index with the store. Store problems are not derived and
// are left as they are.
func Repair(ctx context.Context, opts Options) error {
	opts.NoSeed = true
	l, err := Open(ctx, opts)
	if err != nil {
		return err
	}
	if err := l.Reconcile(ctx); err != nil {
		l.Close()
		return err
	}
	return l.Close()
}
