package retrieval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Compacting the index after a bulk load. scorch writes each batch as a
// segment and merges segments in the background by a tiered policy that
// favours cheap writes: a library built by many adds keeps many segments
// (19 at 1M passages, 6 at 100k), and every question looks each of its
// words up in every segment. Merging them into one costs one rewrite of
// the index (30–45 s at 1M passages on two cores) and makes answers
// 8–13% (100k) to 18–26% (1M) faster (docs/performance.md). It is what an
// operator runs after loading many sources at once; the background policy
// is left as it is, so that each later add stays cheap.

// CompactReport says what Compact did.
type CompactReport struct {
	// SegmentsBefore and SegmentsAfter count the index's segments.
	SegmentsBefore, SegmentsAfter int
	// Took is how long compacting took, waiting for the index to be saved
	// included.
	Took time.Duration
}

// Compact merges the search index's segments into one and waits until the
// merged index is saved and its segment checked against its checksum.
// Questions are answered meanwhile (from the segments as they were until
// the merged one replaces them); writes wait. A library opened read-only
// refuses with an error wrapping corpus.ErrReadOnly.
func (l *Library) Compact(ctx context.Context) (CompactReport, error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.readOnly {
		return CompactReport{}, fmt.Errorf("%w: its files cannot be written, so the search index was not compacted and nothing was changed", corpus.ErrReadOnly)
	}
	if l.closed {
		return CompactReport{}, errors.New("compacting the search index: the library is closed")
	}
	return l.index.compact(ctx)
}

// Segments counts the search index's saved segments (those not yet saved
// are not counted).
func (l *Library) Segments() (int, error) {
	paths, err := l.index.segmentPaths()
	if err != nil {
		return 0, fmt.Errorf("counting the search index's segments: %w", err)
	}
	return len(paths), nil
}

// compact merges the index's segments into one (see Library.Compact).
func (x *sourceIndex) compact(ctx context.Context) (CompactReport, error) {
	start := time.Now()
	defer x.reporting()()
	// What the last batches wrote must be on disk first: only saved
	// segments are merged.
	if err := x.sync(ctx); err != nil {
		return CompactReport{}, fmt.Errorf("compacting the search index: %w", err)
	}
	before, err := x.segmentPaths()
	if err != nil {
		return CompactReport{}, fmt.Errorf("compacting the search index: %w", err)
	}
	rep := CompactReport{SegmentsBefore: len(before), SegmentsAfter: len(before)}
	if len(before) > 1 {
		s, err := x.scorch()
		if err != nil {
			return rep, err
		}
		// One merge task of every segment: each document is written once.
		// scorch's own single-segment plan merges ten at a time, which
		// at 1M passages leaves two segments and a second pass rewrites
		// everything again.
		opts := mergeplan.SingleSegmentMergePlanOptions
		opts.SegmentsPerMergeTask = len(before)
		opts.MaxSegmentsPerTier = 1
		// The merger reads every segment: bound the resident pages as a
		// bulk write does (resident.go).
		x.trim.wrote(x.dropResident)
		err = x.forceMerge(ctx, s, &opts)
		x.trim.wrote(x.dropResident)
		if err != nil {
			return rep, fmt.Errorf("compacting the search index: %w", err)
		}
		// The merged segment is in use, but scorch saves which segments
		// the index is made of in the background: a batch written now
		// and waited for is saved with it, or a close right after would
		// reopen the segments as they were.
		if err := x.setInternal(keyVersion, []byte(mappingVersion)); err != nil {
			return rep, fmt.Errorf("saving the compacted search index: %w", err)
		}
		if err := x.sync(ctx); err != nil {
			return rep, fmt.Errorf("saving the compacted search index: %w", err)
		}
	}
	// The merged segment is checked now and recorded as checked, so that
	// the next open does not read it again.
	if err := x.verify(false, true); err != nil {
		return rep, fmt.Errorf("checking the compacted search index: %w", err)
	}
	after, err := x.segmentPaths()
	if err != nil {
		return rep, fmt.Errorf("compacting the search index: %w", err)
	}
	rep.SegmentsAfter = len(after)
	rep.Took = time.Since(start)
	x.log.Info("compacted the search index", "segments_before", rep.SegmentsBefore, "segments_after", rep.SegmentsAfter,
		"took", rep.Took.Round(time.Millisecond))
	return rep, nil
}

// forceMerge runs scorch's merger on every segment by opts and waits for it,
// for ctx, or for the merge to fail. scorch retries a failed forced merge
// until the index is closed (its failures reach asyncError as failures to
// save, which slows the retrying), and would pass a cancelled context to
// every retry: the merge is asked with a context of its own, and an error
// or a cancelled ctx returns at once, leaving the merge to end when the
// library closes. The segments as they were answer meanwhile.
func (x *sourceIndex) forceMerge(ctx context.Context, s *scorch.Scorch, opts *mergeplan.MergePlanOptions) error {
	done := make(chan error, 1)
	go func() { done <- guardIndex(func() error { return s.ForceMerge(context.Background(), opts) }) }()
	x.persist.mu.Lock()
	failed := x.persist.failed
	x.persist.mu.Unlock()
	select {
	case err := <-done:
		return err
	case <-failed:
		return x.health()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scorch returns the index's scorch engine.
func (x *sourceIndex) scorch() (*scorch.Scorch, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("reaching the search index's engine: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil, fmt.Errorf("the search index's engine is %T, not scorch", adv)
	}
	return s, nil
}
