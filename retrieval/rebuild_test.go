package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// longSource makes a source of n one-passage paragraphs; paragraph i
// names the made-up word "zorbel<i>".
func longSource(n int) corpus.Source {
	var b strings.Builder
	var src corpus.Source
	for i := range n {
		start := b.Len()
		fmt.Fprintf(&b, "The council of zorbel%d approved the harbour budget after a long debate about roads and schools.", i)
		src.Passages = append(src.Passages, corpus.Passage{Start: start, End: b.Len(), Paragraph: i + 1})
		src.Sentences = append(src.Sentences, corpus.Span{Start: start, End: b.Len()})
		b.WriteString("\n\n")
	}
	src.Text = strings.TrimRight(b.String(), "\n")
	sum := sha256.Sum256([]byte(src.Text))
	src.Scope, src.Title, src.Origin, src.AddedBy = corpus.GlobalScope, "The long minutes", "long.txt", "test"
	src.ID = corpus.SourceID(src.Scope, src.Text)
	src.SHA256, src.PassageCount, src.AddedAt = hex.EncodeToString(sum[:]), n, time.Now().UTC()
	return src
}

// TestRebuildInBoundedBatchesWithProgress rebuilds the index of a library
// with one source of 12,000 passages (1.2 MB of text, more than an article
// record holds): the rebuild goes in several batches, not one per source,
// reports its progress to Options.Progress up to the last source, and logs
// it; every passage answers afterwards, the last one included.
func TestRebuildInBoundedBatchesWithProgress(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	long := longSource(12000)
	if err := l.store.Put(ctx, long); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var seen []Progress
	l, err = Open(ctx, Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if len(seen) == 0 || seen[len(seen)-1].Done != 6 || seen[len(seen)-1].Total != 6 || seen[len(seen)-1].Passages < 12000 {
		t.Fatalf("progress: %+v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Done < seen[i-1].Done || seen[i].Passages < seen[i-1].Passages {
			t.Fatalf("progress went back: %+v then %+v", seen[i-1], seen[i])
		}
	}
	m := regexp.MustCompile(`msg="built search index" sources=6 passages=(\d+) batches=(\d+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("the rebuild was not logged:\n%s", logs.String())
	}
	if n, _ := strconv.Atoi(m[2]); n < 3 {
		t.Errorf("12,000 passages went in %d batches", n)
	}
	for _, i := range []int{0, 6000, 11999} {
		res := ask(t, l, Question{Text: fmt.Sprintf("What did the council of zorbel%d approve?", i)})
		if res.NoAnswer || !strings.Contains(res.Answers[0].Quote, fmt.Sprintf("zorbel%d ", i)) {
			t.Errorf("passage %d does not answer: %+v", i, res.Answers)
		}
	}
}
