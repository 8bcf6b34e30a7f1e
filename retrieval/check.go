package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// Pending is true for a problem of the index that an interrupted write
	// explains: the index is behind the store (CheckReport.Behind), and the
	// next Open, or Repair, completes it. It is not damage.
	Pending bool
}

// CheckReport is what Check found.
type CheckReport struct {
	corpus.StoreCounts
	// IndexedSources counts the sources the index holds documents of.
	IndexedSources int
	// Behind is true when the index recorded an older store generation
	// than the store's (or none): a write was interrupted between the
	// store and the index (a crash, a kill, a full disk), and the next
	// Open completes the index.
	Behind bool
	// Problems lists what is wrong, store problems first, each group by
	// source id.
	Problems []Problem
}

// Clean reports whether Check found nothing wrong but what an interrupted
// write explains (Pending problems).
func (r CheckReport) Clean() bool { return r.Pending() == len(r.Problems) }

// Pending counts the problems that an interrupted write explains.
func (r CheckReport) Pending() int {
	n := 0
	for _, p := range r.Problems {
		if p.Pending {
			n++
		}
	}
	return n
}

// Check verifies, without changing anything, the library in dir: that the
// store file is sound page by page and every stored source is whole (its
// text matches its hash and every passage and sentence span cuts exactly
// from it; see corpus.Store.Check), that every segment of the search index
// matches its checksum, and that the index holds exactly the sources the
// store says answer — each current source whole (its article record and
// every passage, once), and nothing of a source removed or superseded.
// When the index is behind the store, the differences an interrupted write
// explains are Pending, not damage. A damaged store file is an error (a
// *corpus.DamageError), with what was found in rep.Problems. It needs the
// library not to be open elsewhere (a running `verbatim serve` holds it).
func Check(ctx context.Context, dir string) (CheckReport, error) {
	store, err := corpus.OpenStore(filepath.Join(dir, "library.db"))
	if err != nil {
		return CheckReport{}, err
	}
	defer store.Close()
	return CheckStore(ctx, store, dir)
}

// CheckStore is Check of the library whose store of record is store (a
// PostgreSQL store, say) and whose search index is in dir.
func CheckStore(ctx context.Context, store corpus.Store, dir string) (CheckReport, error) {
	return CheckPartition(ctx, store, dir, nil)
}

// CheckPartition is CheckStore of the index of a process that indexes a
// partition of the library (nil: all of it): the index must hold the
// partition's sources, and nothing of the others.
func CheckPartition(ctx context.Context, store corpus.Store, dir string, p *Partition) (CheckReport, error) {
	var rep CheckReport
	var err error
	var storeProblems []Problem
	rep.StoreCounts, err = store.Check(ctx, func(id, what string) {
		storeProblems = append(storeProblems, Problem{Source: id, What: what})
	})
	if err != nil {
		rep.Problems = storeProblems
		return rep, err
	}
	ic, err := checkIndex(ctx, store, filepath.Join(dir, "index.bleve"), &Library{partition: p})
	if err != nil {
		return rep, err
	}
	rep.IndexedSources, rep.Behind = ic.indexed, ic.behind
	for _, ps := range [][]Problem{storeProblems, ic.problems} {
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Source < ps[j].Source })
		rep.Problems = append(rep.Problems, ps...)
	}
	return rep, nil
}

// indexCheck is what checkIndex found.
type indexCheck struct {
	problems []Problem
	indexed  int  // sources the index holds
	behind   bool // the index recorded an older store generation
}

// checkIndex compares the index in dir with the store, reading the index
// only; a damaged index is a problem, not an error.
func checkIndex(ctx context.Context, store corpus.Store, dir string, part *Library) (indexCheck, error) {
	var ic indexCheck
	library := func(what string) (indexCheck, error) {
		ic.problems = []Problem{{What: what, InIndex: true}}
		return ic, nil
	}
	x, err := openIndexReadOnly(dir, slog.New(slog.DiscardHandler), true)
	switch {
	case errors.Is(err, errNoIndex):
		return library("there is no search index")
	case errors.Is(err, errIndexCreating):
		ic.problems = []Problem{{What: err.Error(), InIndex: true, Pending: true}}
		return ic, nil
	case errors.Is(err, errIndexDamaged):
		return library(fmt.Sprintf("%v: it must be rebuilt from the store", err))
	case err != nil:
		return library(fmt.Sprintf("the search index cannot be opened (%v)", err))
	}
	defer x.close()
	if v, err := x.layout(); err != nil || v != mappingVersion {
		return library(fmt.Sprintf("the search index is of layout %q, this verbatim uses %q", v, mappingVersion))
	}
	want, err := store.Generation()
	if err != nil {
		return ic, err
	}
	have, ok, err := x.generation()
	if err == nil {
		ic.behind = !ok || have < want
	}
	if name, err := x.indexedPartition(); err == nil && name != part.partitionName() {
		return library(fmt.Sprintf("the search index holds %s, not %s: the next start of its process indexes what it lacks", partitionLabel(name), partitionLabel(part.partitionName())))
	}
	held, err := x.inventory(ctx)
	if errors.Is(err, errIndexDamaged) {
		return library(fmt.Sprintf("%v: it must be rebuilt from the store", err))
	}
	if err != nil {
		return ic, err
	}
	infos, err := store.List(ctx)
	if err != nil {
		return ic, err
	}
	ic.problems, ic.indexed = compareIndex(infos, held, ic.behind, part.holds), len(held)
	return ic, nil
}

// compareIndex lists how what the index holds (held) differs from what the
// store says answers (infos). When the index is behind, the differences a
// lost batch explains are Pending.
func compareIndex(infos []corpus.Info, held map[string]*indexedSource, behind bool, holds func(scope string) bool) []Problem {
	var ps []Problem
	add := func(id, what string, h *indexedSource) {
		pending := behind && (h == nil || h.Malformed == 0)
		ps = append(ps, Problem{Source: id, What: what, InIndex: true, Pending: pending})
	}
	stored := make(map[string]corpus.Info, len(infos))
	for _, info := range infos {
		stored[info.ID] = info
		h := held[info.ID]
		switch {
		case !holds(info.Scope):
			if h != nil {
				add(info.ID, fmt.Sprintf("the search index holds %s of a source of server %s, outside its partition", h, info.Scope), h)
			}
		case info.SupersededBy != "":
			if h != nil {
				add(info.ID, fmt.Sprintf("superseded by %s but still in the search index", info.SupersededBy), h)
			}
		case h == nil:
			add(info.ID, "not in the search index, so it never answers", nil)
		case !h.whole(info.PassageCount):
			add(info.ID, fmt.Sprintf("the search index holds %s; the store has %d passages and the article record", h, info.PassageCount), h)
		}
	}
	for id, h := range held {
		if _, ok := stored[id]; !ok {
			add(id, fmt.Sprintf("the search index holds %s of a source the store does not have", h), h)
		}
	}
	return ps
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
// rebuilds an index that is missing, damaged or of another layout, and
// completes one that is behind), reconciles the index with the store, and
// waits until the index is on disk: a full disk is an error wrapping
// corpus.ErrDiskFull, with the store left as it was. Store problems are not
// derived and are left as they are.
func Repair(ctx context.Context, opts Options) error {
	opts.NoSeed, opts.reports = true, true
	l, err := Open(ctx, opts)
	if err != nil {
		return err
	}
	err = l.Reconcile(ctx)
	if err == nil {
		err = l.syncIndex(ctx)
	}
	return errors.Join(err, l.Close())
}

// partitionLabel names a partition for a problem report.
func partitionLabel(name string) string {
	if name == "" {
		return "the whole library"
	}
	return fmt.Sprintf("the partition %q", name)
}
