package retrieval

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// TestCreateForgetsTheOldIndexsSaveFailure: a damaged index's merger fails
// as soon as the index is opened, before the damage is found and the index
// rebuilt in the same place. The rebuilt index starts healthy: the old
// one's failure to save is not carried over to it (it made opening fail
// with "the search index cannot save its changes" now and then).
func TestCreateForgetsTheOldIndexsSaveFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index.bleve")
	x := &sourceIndex{dir: dir, log: slog.New(slog.NewTextHandler(io.Discard, nil)), persist: newPersistState()}
	x.asyncError(&scorch.ScorchError{Source: "merger", ErrMsg: "merging err: error loading roaring bitmap", ErrType: scorch.ErrPersist})
	if x.health() == nil {
		t.Fatal("a failed save did not make the index unhealthy; the test needs it to")
	}
	if err := x.create(); err != nil {
		t.Fatalf("create after the old index failed to save: %v", err)
	}
	defer x.idx.Close()
	if err := x.health(); err != nil {
		t.Errorf("the new index is unhealthy: %v", err)
	}
}
