package retrieval

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

func TestNewSourcesMatchesNewSource(t *testing.T) {
	l, _ := openSeeded(t)
	var drafts []corpus.Draft
	for i := range 40 {
		text := fmt.Sprintf("Story %d\n\nThe council met on day %d. “We will vote,” said the mayor. Dr. Smith disagreed.\n\nA second paragraph of story %d.", i, i, i)
		doc, err := corpus.ParseText([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		drafts = append(drafts, corpus.Draft{Doc: doc, Meta: corpus.Meta{Origin: fmt.Sprintf("s%d.txt", i)}})
	}
	drafts[7].Meta.Scope = "not a scope"
	drafts[13].Doc = corpus.Document{}

	srcs, errs := l.newSources(context.Background(), drafts)
	if len(srcs) != len(drafts) || len(errs) != len(drafts) {
		t.Fatalf("got %d sources and %d errors for %d drafts", len(srcs), len(errs), len(drafts))
	}
	for i, d := range drafts {
		want, wantErr := l.newSource(d)
		if (errs[i] != nil) != (wantErr != nil) {
			t.Errorf("draft %d: error %v, NewSource says %v", i, errs[i], wantErr)
			continue
		}
		if wantErr != nil {
			if !errors.Is(errs[i], corpus.ErrInvalid) {
				t.Errorf("draft %d: error %v does not wrap ErrInvalid", i, errs[i])
			}
			continue
		}
		want.AddedAt = srcs[i].AddedAt // the two calls read the clock apart
		if !reflect.DeepEqual(srcs[i], want) {
			t.Errorf("draft %d: NewSources made %+v, NewSource %+v", i, srcs[i].Info, want.Info)
		}
	}
	for _, i := range []int{7, 13} {
		if errs[i] == nil {
			t.Errorf("draft %d is invalid but was made into a source", i)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs = l.newSources(ctx, drafts)
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("draft %d after cancel: %v, want context.Canceled", i, err)
		}
	}
}
