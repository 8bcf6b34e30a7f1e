package retrieval

import (
	"context"
	"fmt"

	"github.com/verbatim-bot/verbatim/corpus"
)

// A Partition is the part of a shared library one process indexes: the
// global library always, and the scopes (servers) Holds says it holds.
// With Discord's sharding, a process holds the servers of its shards.
//
// The store keeps every scope; the partition limits only what the index
// holds: rebuilding, reconciling and following the store's changes skip
// the sources of other scopes, and an add or refresh in one of them is
// stored but not indexed here (the process that holds it indexes it as it
// follows the store).
//
// The index records the partition's Name. When a library is opened with a
// partition of another name (the shard count or the shards a process runs
// changed), Open reconciles the index with the store: the sources of the
// scopes it newly holds are indexed, those of the scopes it no longer holds
// deleted, and what it held before and still holds is left as it is — no
// index is rebuilt from scratch.
type Partition struct {
	// Name says which part this is, the same for the same Holds and
	// different for a different one: "shards 0,2 of 4", say.
	Name string
	// Holds reports whether the scope (a server's id) belongs here. The
	// global scope is held whatever it says.
	Holds func(scope string) bool
}

// keyPartition is the index's record of the partition it holds ("" or
// absent: the whole library).
var keyPartition = []byte("verbatim_partition")

// holds reports whether the library indexes sources of scope.
func (l *Library) holds(scope string) bool {
	p := l.partition
	return p == nil || p.Holds == nil || scope == corpus.GlobalScope || p.Holds(scope)
}

// partitionName is the name of the partition the library indexes, ""
// for the whole library.
func (l *Library) partitionName() string {
	if l.partition == nil || l.partition.Holds == nil {
		return ""
	}
	return l.partition.Name
}

// indexedPartition returns the partition name the index recorded.
func (x *sourceIndex) indexedPartition() (string, error) {
	var v []byte
	err := guardIndex(func() (err error) {
		v, err = x.idx.GetInternal(keyPartition)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("reading the index's partition: %w", err)
	}
	return string(v), nil
}

// samePartition reports whether the index holds the library's partition.
func (l *Library) samePartition() (bool, error) {
	have, err := l.index.indexedPartition()
	if err != nil {
		return false, err
	}
	return have == l.partitionName(), nil
}

// recordPartition records in the index the partition it now holds.
func (l *Library) recordPartition() error {
	have, err := l.index.indexedPartition()
	if err != nil || have == l.partitionName() {
		return err
	}
	if err := l.index.setInternal(keyPartition, []byte(l.partitionName())); err != nil {
		return fmt.Errorf("recording the index's partition: %w", err)
	}
	return nil
}

// heldIDs lists the ids of the stored sources the index holds: every id
// without a partition, else those of the scopes the partition holds.
func (l *Library) heldIDs(ctx context.Context) ([]string, error) {
	if l.partition == nil || l.partition.Holds == nil {
		return l.store.IDs(ctx)
	}
	infos, err := l.store.List(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(infos))
	for _, info := range infos {
		if l.holds(info.Scope) {
			ids = append(ids, info.ID)
		}
	}
	return ids, nil
}
