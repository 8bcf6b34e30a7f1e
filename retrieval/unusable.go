package retrieval

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// unusableIndex stands in for a search index that cannot be used as it is
// and cannot be rebuilt (the library is read-only): every read of it
// returns why, so a question is answered with that error — never with an
// empty "no answer", and never with a crash. It wraps an empty in-memory
// index for what is not a read (a mapping, a batch to be refused).
type unusableIndex struct {
	memIndex
	err error
}

// memIndex names the embedded index, whose field name would otherwise be
// Index, the name of one of its methods.
type memIndex = bleve.Index

// newUnusableIndex returns a sourceIndex whose every read fails with err.
func newUnusableIndex(dir string, log *slog.Logger, err error) (*sourceIndex, error) {
	mem, merr := bleve.NewMemOnly(newMapping())
	if merr != nil {
		return nil, fmt.Errorf("opening the search index: %w", merr)
	}
	return &sourceIndex{idx: &unusableIndex{memIndex: mem, err: err}, dir: dir, log: log, persist: newPersistState(), unusable: err}, nil
}

func (u *unusableIndex) Advanced() (index.Index, error)       { return nil, u.err }
func (u *unusableIndex) DocCount() (uint64, error)            { return 0, u.err }
func (u *unusableIndex) GetInternal(_ []byte) ([]byte, error) { return nil, u.err }
func (u *unusableIndex) Batch(_ *bleve.Batch) error           { return u.err }

func (u *unusableIndex) Search(_ *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return nil, u.err
}

func (u *unusableIndex) SearchInContext(_ context.Context, _ *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return nil, u.err
}
