package retrieval

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// holding is a partition that holds the given scopes.
func holding(scopes ...string) *Partition {
	set := map[string]bool{}
	for _, s := range scopes {
		set[s] = true
	}
	return &Partition{Name: "holding " + strings.Join(scopes, ","), Holds: func(s string) bool { return set[s] }}
}

// TestPartition: a library opened with a partition indexes the global
// library and the scopes it holds only; an add in another scope is stored
// but not indexed; opening with another partition indexes the scopes newly
// held and deletes those no longer held, and nothing else.
func TestPartition(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const ga, gb = "111111111111111111", "222222222222222222"
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	open := func(p *Partition) *Library {
		t.Helper()
		logs.Reset()
		l, err := Open(ctx, Options{Dir: dir, Partition: p, Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := open(holding(ga))
	seeds, err := l.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := addText(t, l, "Zebra Crossing Rules\n\nPARIS, March 3, 2021 (Gazette) — The council voted to repaint every zebra crossing in the old town before the summer festival.", corpus.Meta{Scope: ga, AddedBy: "mod"})
	b := addText(t, l, "Harbour Dredging\n\nOSLO, May 4, 2021 (Courier) — The port authority approved the dredging of the northern harbour channel after a decade of delays.", corpus.Meta{Scope: gb, AddedBy: "mod"})
	found := func(l *Library, q, scope, id string) bool {
		res := ask(t, l, Question{Text: q, Scope: scope})
		for _, x := range append(res.Answers, res.Closest...) {
			if x.Source.ID == id {
				return true
			}
		}
		return false
	}
	const qa, qb = "zebra crossing repaint", "harbour dredging port authority"
	if !found(l, qa, ga, a.ID) {
		t.Error("the held scope's add does not answer")
	}
	if found(l, qb, gb, b.ID) {
		t.Error("another scope's add answers in a process that does not hold it")
	}
	st, err := l.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sources != seeds.Sources+2 || st.Passages != seeds.Passages+uint64(len(a.Passages)) {
		t.Errorf("stats %+v: want both sources stored, only %s's %d passages indexed (seeds: %+v)", st, ga, len(a.Passages), seeds)
	}
	l.Close()

	// check: clean for its partition; another partition (or the whole
	// library) is told the index holds something else.
	st2, err := corpus.OpenStore(filepath.Join(dir, "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckPartition(ctx, st2, dir, holding(ga))
	if err != nil || !rep.Clean() || rep.IndexedSources != seeds.Sources+1 {
		t.Errorf("check of the partition: %+v, %v", rep, err)
	}
	for _, p := range []*Partition{nil, holding(gb)} {
		rep, err := CheckPartition(ctx, st2, dir, p)
		if err != nil || rep.Clean() || !strings.Contains(rep.Problems[0].What, `the search index holds the partition "holding `+ga+`"`) {
			t.Errorf("check of %v: %+v, %v", p, rep, err)
		}
	}
	st2.Close()

	// Same partition again: nothing to do.
	l = open(holding(ga))
	if strings.Contains(logs.String(), "reconciled") {
		t.Errorf("reopening with the same partition reconciled:\n%s", logs.String())
	}
	l.Close()

	// Now holding both: only b is indexed.
	l = open(holding(ga, gb))
	if !strings.Contains(logs.String(), "indexed=1 deleted=0") {
		t.Errorf("holding %s too: want one source indexed, none deleted; log:\n%s", gb, logs.String())
	}
	if !found(l, qb, gb, b.ID) || !found(l, qa, ga, a.ID) {
		t.Error("holding both scopes, not both answer")
	}
	l.Close()

	// Holding b only: a's documents go, nothing is indexed.
	l = open(holding(gb))
	if !strings.Contains(logs.String(), "indexed=0 deleted=1") {
		t.Errorf("holding %s only: want none indexed, one deleted; log:\n%s", gb, logs.String())
	}
	if found(l, qa, ga, a.ID) || !found(l, qb, gb, b.ID) {
		t.Error("holding only b: a still answers or b does not")
	}
	res := ask(t, l, Question{Text: "did mueller find that trump colluded with russia?", Scope: gb})
	if res.NoAnswer {
		t.Error("the global library does not answer in a partition")
	}
	l.Close()

	// No partition: the whole library again.
	l = open(nil)
	defer l.Close()
	if !found(l, qa, ga, a.ID) || !found(l, qb, gb, b.ID) {
		t.Error("without a partition, not every scope answers")
	}
}
