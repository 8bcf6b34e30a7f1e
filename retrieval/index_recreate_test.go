package retrieval

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/verbatim-bot/verbatim/corpus"
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

// TestInterruptedCreationIsBuiltAgain: a process stopped while bleve laid
// out a new index leaves a directory that looks damaged. With the mark
// that creation was under way, check calls it pending, not damage, and the
// next start builds the index again and answers from the store.
func TestInterruptedCreationIsBuiltAgain(t *testing.T) {
	l, dir := openEmpty(t)
	addText(t, l, "Harbour Reopens\n\nThe harbour reopened on Monday after the storm damage was repaired.", corpus.Meta{Origin: "harbour.txt"})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(dir, "index.bleve")
	// What a kill in bleve.NewUsing leaves: the metadata cut short, no store.
	if err := os.RemoveAll(index); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(index, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(index, "index_meta.json"), []byte(`{"storage":"sco`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creatingMarker(index), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Check(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() || len(rep.Problems) != 1 || !rep.Problems[0].Pending {
		t.Errorf("check of an index whose creation was interrupted: %+v, want one pending problem", rep.Problems)
	}
	l2, err := Open(t.Context(), Options{Dir: dir, NoSeed: true})
	if err != nil {
		t.Fatalf("opening after an interrupted creation: %v", err)
	}
	if beingCreated(index) {
		t.Error("the mark of creation is still there after the index was built")
	}
	res, err := l2.Ask(t.Context(), Question{Text: "when did the harbour reopen", K: 1})
	if err != nil || res.NoAnswer {
		t.Errorf("after the rebuild: %+v, %v; want the harbour answer", res, err)
	}
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
	if rep, err := Check(t.Context(), dir); err != nil || len(rep.Problems) != 0 {
		t.Errorf("check after the rebuild: %+v, %v", rep.Problems, err)
	}
}
