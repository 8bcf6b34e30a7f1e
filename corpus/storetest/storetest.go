// Package storetest is the contract every corpus.Store keeps, as one
// table of tests that each implementation runs against itself: the bbolt
// store in package corpus, the PostgreSQL store in package pgstore. A
// behaviour is part of the contract when it is tested here.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Open returns a new, empty store for one test; the test's cleanup closes
// it (a test may close it first).
type Open func(t *testing.T) corpus.Store

// Case is one promise of the contract.
type Case struct {
	Name string
	Run  func(t *testing.T, s corpus.Store)
}

// Cases are the contract's tests.
func Cases() []Case {
	return []Case{
		{"PutGetExact", putGetExact},
		{"Duplicates", duplicates},
		{"RefusesBroken", refusesBroken},
		{"PutManyWholeOrNothing", putManyWholeOrNothing},
		{"RemoveIsFinal", removeIsFinal},
		{"Versions", versions},
		{"RemoveEarlierVersion", removeEarlierVersion},
		{"ListOrder", listOrder},
		{"EachSource", eachSource},
		{"Restore", restoreExact},
		{"Seed", seed},
		{"Records", records},
		{"Generation", generation},
		{"Check", check},
		{"Cancelled", cancelled},
		{"ConcurrentPuts", concurrentPuts},
	}
}

// Run runs every case against a fresh store from open.
func Run(t *testing.T, open Open) {
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			s := open(t)
			c.Run(t, s)
		})
	}
}

var (
	chunkerOnce sync.Once
	chunker     *corpus.Chunker
	chunkerErr  error
)

// When is the clock of every source the cases make.
var When = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// NewSource makes a source of text (a title line, a blank line, then
// paragraphs) with meta, added at When plus age.
func NewSource(t testing.TB, text string, meta corpus.Meta, age time.Duration) corpus.Source {
	t.Helper()
	chunkerOnce.Do(func() { chunker, chunkerErr = corpus.NewChunker() })
	if chunkerErr != nil {
		t.Fatal(chunkerErr)
	}
	doc, err := corpus.ParseText([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	src, err := corpus.NewSource(doc, meta, chunker, When.Add(age))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// story is the text of a short article numbered n.
func story(n int, extra string) string {
	return fmt.Sprintf("Story number %d\n\nThe council met on Tuesday to discuss item %d of the budget.%s\n\nMembers agreed that the report on item %d should be published in full next week.", n, n, extra, n)
}

func mustPut(t *testing.T, s corpus.Store, srcs ...corpus.Source) {
	t.Helper()
	for _, src := range srcs {
		if err := s.Put(context.Background(), src); err != nil {
			t.Fatalf("Put %s: %v", src.ID, err)
		}
	}
}

// same reports whether two sources are the same, byte for byte, as their
// JSON (times compared as instants) and snapshots say.
func same(a, b corpus.Source) bool {
	a.AddedAt, b.AddedAt = a.AddedAt.UTC(), b.AddedAt.UTC()
	a.FetchedAt, b.FetchedAt = a.FetchedAt.UTC(), b.FetchedAt.UTC()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func ids(t *testing.T, s corpus.Store) []string {
	t.Helper()
	out, err := s.IDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func putGetExact(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	page := []byte("<html><body><p>the page as received, \x00 with odd bytes \xff</p></body></html>")
	src := NewSource(t, story(1, " Ünïcode “quotes” — and a dash."), corpus.Meta{
		Scope: "123456789012345678", URL: "https://News.example.org/a/story/?utm_source=x#top", Outlet: "Example News",
		Author: "A. Writer", Published: "2021-02-25", AddedBy: "moderator#1", Note: "a note",
		Snapshot: page, SnapshotType: "text/html", FetchedAt: When.Add(-time.Hour),
	}, 0)
	src.Feed = &corpus.FeedItem{FeedID: "f1", FeedURL: "https://news.example.org/feed", GUID: "g1", Link: "https://news.example.org/a/story", Date: "2021-02-25T10:00:00Z"}
	wantID, wantSum := src.ID, src.SHA256
	mustPut(t, s, src)
	got, err := s.Get(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != wantID || got.SHA256 != wantSum {
		t.Errorf("id and hash changed: %s %s, want %s %s", got.ID, got.SHA256, wantID, wantSum)
	}
	want := src
	want.Snapshot = nil
	if !same(got, want) {
		t.Errorf("Get returned another source:\n got %+v\nwant %+v", got.Info, want.Info)
	}
	info, err := s.Info(ctx, src.ID)
	if err != nil || !same(corpus.Source{Info: info}, corpus.Source{Info: src.Info}) {
		t.Errorf("Info = %+v, %v", info, err)
	}
	snap, err := s.Snapshot(ctx, src.ID)
	if err != nil || string(snap) != string(page) {
		t.Errorf("Snapshot = %q, %v", snap, err)
	}
	if id, err := s.HasURL(ctx, src.Scope, "https://news.example.org/a/story"); err != nil || id != src.ID {
		t.Errorf("HasURL = %q, %v", id, err)
	}
	if id, err := s.HasURL(ctx, corpus.GlobalScope, "https://news.example.org/a/story"); err != nil || id != "" {
		t.Errorf("HasURL in another scope = %q, %v", id, err)
	}
	plain := NewSource(t, story(2, ""), corpus.Meta{}, 0)
	mustPut(t, s, plain)
	if snap, err := s.Snapshot(ctx, plain.ID); err != nil || snap != nil {
		t.Errorf("Snapshot of a source without one = %q, %v", snap, err)
	}
	for _, f := range []func() error{
		func() error { _, err := s.Get(ctx, "nosuchid"); return err },
		func() error { _, err := s.Info(ctx, "nosuchid"); return err },
		func() error { _, err := s.Snapshot(ctx, "nosuchid"); return err },
	} {
		if err := f(); !errors.Is(err, corpus.ErrNotFound) {
			t.Errorf("reading an unknown id: %v, want ErrNotFound", err)
		}
	}
}

func duplicates(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	src := NewSource(t, story(1, ""), corpus.Meta{URL: "https://news.example.org/a/story"}, 0)
	mustPut(t, s, src)
	var exists *corpus.ExistsError
	if err := s.Put(ctx, src); !errors.As(err, &exists) || exists.ID != src.ID || exists.Title != src.Title || !errors.Is(err, corpus.ErrExists) {
		t.Errorf("the same source again: %v", err)
	}
	edited := NewSource(t, story(1, " Edited."), corpus.Meta{URL: "https://NEWS.example.org/a/story/?utm_medium=y"}, 0)
	if err := s.Put(ctx, edited); !errors.As(err, &exists) || exists.ID != src.ID {
		t.Errorf("the same canonical URL with other text: %v", err)
	}
	other := NewSource(t, story(1, " Edited."), corpus.Meta{URL: "https://news.example.org/a/story", Scope: "42"}, 0)
	mustPut(t, s, other)
	if got := ids(t, s); len(got) != 2 {
		t.Errorf("ids = %v", got)
	}
}

func refusesBroken(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	src := NewSource(t, story(1, ""), corpus.Meta{}, 0)
	bad := src
	bad.Text += " tampered"
	if err := s.Put(ctx, bad); err == nil {
		t.Error("stored a source whose text does not match its hash")
	}
	bad = src
	bad.Passages = slices.Clone(src.Passages)
	bad.Passages[0].End = len(src.Text) + 10
	if err := s.Put(ctx, bad); err == nil {
		t.Error("stored a source with a passage outside its text")
	}
	if err := s.Seed(ctx, []corpus.Source{src, bad}); err == nil {
		t.Error("Seed accepted a broken source")
	}
	if got := ids(t, s); len(got) != 0 {
		t.Errorf("refused writes left %v", got)
	}
	if seeded, err := s.Seeded(); err != nil || seeded {
		t.Errorf("a failed seed: seeded %v, %v", seeded, err)
	}
}

func putManyWholeOrNothing(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	a := NewSource(t, story(1, ""), corpus.Meta{}, 0)
	b := NewSource(t, story(2, ""), corpus.Meta{URL: "https://example.org/b"}, 0)
	c := NewSource(t, story(3, ""), corpus.Meta{URL: "https://example.org/b/"}, 0) // b's URL
	mustPut(t, s, a)
	stored, dups, err := s.PutMany(ctx, []corpus.Source{a, b, b, c})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored, []int{1}) || len(dups) != 3 || dups[0].ID != a.ID || dups[2].ID != b.ID || dups[3].ID != b.ID {
		t.Errorf("PutMany = %v, %v", stored, dups)
	}
	d := NewSource(t, story(4, ""), corpus.Meta{}, 0)
	bad := NewSource(t, story(5, ""), corpus.Meta{}, 0)
	bad.SHA256 = "0000"
	if _, _, err := s.PutMany(ctx, []corpus.Source{d, bad}); err == nil {
		t.Error("PutMany stored a batch with a broken source")
	}
	if got := ids(t, s); len(got) != 2 {
		t.Errorf("after a refused batch: %v, want a and b only", got)
	}
}

func removeIsFinal(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	src := NewSource(t, story(1, ""), corpus.Meta{URL: "https://example.org/a", Snapshot: []byte("page"), SnapshotType: "text/plain"}, 0)
	keep := NewSource(t, story(2, ""), corpus.Meta{}, 0)
	mustPut(t, s, src, keep)
	if err := s.Remove(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, src.ID); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("second Remove = %v", err)
	}
	if _, err := s.Get(ctx, src.ID); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("Get after Remove = %v", err)
	}
	if _, err := s.Snapshot(ctx, src.ID); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("Snapshot after Remove = %v", err)
	}
	if id, _ := s.HasURL(ctx, corpus.GlobalScope, src.URL); id != "" {
		t.Errorf("HasURL after Remove = %q", id)
	}
	infos, err := s.List(ctx)
	if err != nil || len(infos) != 1 || infos[0].ID != keep.ID {
		t.Errorf("List after Remove = %v, %v", infos, err)
	}
	n := 0
	if err := s.EachSource(ctx, func(corpus.Source) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("EachSource after Remove saw %d, %v", n, err)
	}
	// The URL is free again.
	again := NewSource(t, story(1, " Again."), corpus.Meta{URL: "https://example.org/a"}, 0)
	mustPut(t, s, again)
}

// chain stores v1 and supersedes it by v2 then v3, all with one URL.
func chain(t *testing.T, s corpus.Store) (v1, v2, v3 corpus.Source) {
	t.Helper()
	ctx := context.Background()
	meta := corpus.Meta{URL: "https://example.org/story"}
	v1 = NewSource(t, story(1, ""), meta, 0)
	v2 = NewSource(t, story(1, " Updated once."), meta, time.Hour)
	v3 = NewSource(t, story(1, " Updated twice."), meta, 2*time.Hour)
	mustPut(t, s, v1)
	var err error
	if v2, err = s.Supersede(ctx, v1.ID, v2); err != nil {
		t.Fatal(err)
	}
	if v3, err = s.Supersede(ctx, v2.ID, v3); err != nil {
		t.Fatal(err)
	}
	return v1, v2, v3
}

func info(t *testing.T, s corpus.Store, id string) corpus.Info {
	t.Helper()
	i, err := s.Info(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func versions(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	v1, v2, v3 := chain(t, s)
	if v2.Previous != v1.ID || v3.Previous != v2.ID {
		t.Errorf("Supersede returned Previous %q, %q", v2.Previous, v3.Previous)
	}
	if i := info(t, s, v1.ID); i.SupersededBy != v2.ID {
		t.Errorf("v1 superseded by %q", i.SupersededBy)
	}
	if i := info(t, s, v2.ID); i.SupersededBy != v3.ID || i.Previous != v1.ID {
		t.Errorf("v2: %+v", i)
	}
	if id, _ := s.HasURL(ctx, corpus.GlobalScope, v1.URL); id != v3.ID {
		t.Errorf("the URL names %q, want the newest %s", id, v3.ID)
	}
	if _, err := s.Supersede(ctx, v1.ID, NewSource(t, story(1, " Other."), corpus.Meta{}, 0)); err == nil {
		t.Error("superseded a version already superseded")
	}
	if _, err := s.Supersede(ctx, "nosuchid", NewSource(t, story(9, ""), corpus.Meta{}, 0)); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("Supersede of an unknown id: %v", err)
	}
	if _, err := s.RestoreVersion(ctx, v3.ID); !errors.Is(err, corpus.ErrCurrent) {
		t.Errorf("restoring the current version: %v", err)
	}
	replaced, err := s.RestoreVersion(ctx, v1.ID)
	if err != nil || replaced.ID != v3.ID {
		t.Fatalf("RestoreVersion = %v, %v", replaced.ID, err)
	}
	if i := info(t, s, v1.ID); i.SupersededBy != "" || i.Previous != v3.ID {
		t.Errorf("restored v1: %+v", i)
	}
	if i := info(t, s, v3.ID); i.SupersededBy != v1.ID {
		t.Errorf("v3 after restore: %+v", i)
	}
	if i := info(t, s, v2.ID); i.SupersededBy != v3.ID || i.Previous != "" {
		t.Errorf("v2 after restore: %+v", i)
	}
	if id, _ := s.HasURL(ctx, corpus.GlobalScope, v1.URL); id != v1.ID {
		t.Errorf("the URL names %q after restore, want %s", id, v1.ID)
	}
	// Removing the current version removes the whole article.
	if err := s.Remove(ctx, v1.ID); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, s); len(got) != 0 {
		t.Errorf("after removing the current version: %v", got)
	}
	if id, _ := s.HasURL(ctx, corpus.GlobalScope, v1.URL); id != "" {
		t.Errorf("the URL still names %q", id)
	}
}

func removeEarlierVersion(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	v1, v2, v3 := chain(t, s)
	if err := s.Remove(ctx, v2.ID); err != nil {
		t.Fatal(err)
	}
	if i := info(t, s, v1.ID); i.SupersededBy != v3.ID {
		t.Errorf("v1 after removing v2: %+v", i)
	}
	if i := info(t, s, v3.ID); i.Previous != v1.ID || i.SupersededBy != "" {
		t.Errorf("v3 after removing v2: %+v", i)
	}
	if id, _ := s.HasURL(ctx, corpus.GlobalScope, v3.URL); id != v3.ID {
		t.Errorf("the URL names %q", id)
	}
	if got := ids(t, s); len(got) != 2 {
		t.Errorf("ids = %v", got)
	}
}

func listOrder(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	var srcs []corpus.Source
	for i := range 6 {
		srcs = append(srcs, NewSource(t, story(i, ""), corpus.Meta{}, time.Duration(i%3)*time.Minute))
	}
	mustPut(t, s, srcs...)
	infos, err := s.List(ctx)
	if err != nil || len(infos) != len(srcs) {
		t.Fatalf("List = %d, %v", len(infos), err)
	}
	for i := 1; i < len(infos); i++ {
		a, b := infos[i-1], infos[i]
		if a.AddedAt.Before(b.AddedAt) || (a.AddedAt.Equal(b.AddedAt) && a.ID > b.ID) {
			t.Errorf("List out of order at %d: %s %s, %s %s", i, a.AddedAt, a.ID, b.AddedAt, b.ID)
		}
	}
	got := ids(t, s)
	if !slices.IsSorted(got) || len(got) != len(srcs) {
		t.Errorf("IDs not in byte order: %v", got)
	}
}

func eachSource(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	var want []string
	for i := range 150 {
		src := NewSource(t, story(i, ""), corpus.Meta{Snapshot: fmt.Appendf(nil, "page %d", i), SnapshotType: "text/plain"}, 0)
		want = append(want, src.ID)
		mustPut(t, s, src)
	}
	slices.Sort(want)
	var got []string
	err := s.EachSource(ctx, func(src corpus.Source) error {
		if err := corpus.CheckWhole(&src); err != nil {
			return err
		}
		if src.Snapshot == nil {
			return fmt.Errorf("%s without its snapshot", src.ID)
		}
		got = append(got, src.ID)
		return nil
	})
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("EachSource: %d sources, %v", len(got), err)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.EachSource(ctx, func(corpus.Source) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("EachSource after fn's error: %d calls, %v", n, err)
	}
}

func restoreExact(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	// Make a chain in a scratch way: sources as a backup holds them.
	v1 := NewSource(t, story(1, ""), corpus.Meta{URL: "https://example.org/story"}, 0)
	v2 := NewSource(t, story(1, " Updated."), corpus.Meta{URL: "https://example.org/story"}, time.Hour)
	v1.SupersededBy, v2.Previous = v2.ID, v1.ID
	plain := NewSource(t, story(2, ""), corpus.Meta{Snapshot: []byte("x"), SnapshotType: "text/plain"}, 0)
	stored, dups, err := s.Restore(ctx, []corpus.Source{v2, v1, plain})
	if err != nil || len(stored) != 3 || len(dups) != 0 {
		t.Fatalf("Restore = %v, %v, %v", stored, dups, err)
	}
	for _, want := range []corpus.Source{v1, v2} {
		got, err := s.Get(ctx, want.ID)
		if err != nil || !same(got, want) {
			t.Errorf("restored %s differs (%v)", want.ID, err)
		}
	}
	if id, _ := s.HasURL(ctx, corpus.GlobalScope, v1.URL); id != v2.ID {
		t.Errorf("the URL names %q, want the current version %s", id, v2.ID)
	}
	stored, dups, err = s.Restore(ctx, []corpus.Source{v1, plain})
	if err != nil || len(stored) != 0 || len(dups) != 2 {
		t.Errorf("Restore again = %v, %v, %v", stored, dups, err)
	}
}

func seed(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	if seeded, err := s.Seeded(); err != nil || seeded {
		t.Fatalf("a new store: seeded %v, %v", seeded, err)
	}
	srcs := []corpus.Source{NewSource(t, story(1, ""), corpus.Meta{}, 0), NewSource(t, story(2, ""), corpus.Meta{}, 0)}
	if err := s.Seed(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	if seeded, err := s.Seeded(); err != nil || !seeded {
		t.Errorf("after Seed: seeded %v, %v", seeded, err)
	}
	if got := ids(t, s); len(got) != 2 {
		t.Errorf("after Seed: %v", got)
	}
	if err := s.MarkSeeded(ctx); err != nil {
		t.Error(err)
	}
}

func records(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	if recs, err := s.Records(ctx, "feed"); err != nil || len(recs) != 0 {
		t.Fatalf("a new store has records %v (%v)", recs, err)
	}
	put := func(kind, key, v string) {
		t.Helper()
		if err := s.UpdateRecord(ctx, kind, key, func([]byte) ([]byte, error) { return []byte(v), nil }); err != nil {
			t.Fatal(err)
		}
	}
	put("feed", "b", "2")
	put("feed", "a", "1")
	put("other", "a", "x")
	put("feed", "c\x00d", "3")
	boom := errors.New("boom")
	if err := s.UpdateRecord(ctx, "feed", "a", func(old []byte) ([]byte, error) {
		if string(old) != "1" {
			t.Errorf("old value %q", old)
		}
		return []byte("changed"), boom
	}); !errors.Is(err, boom) {
		t.Fatalf("UpdateRecord = %v", err)
	}
	if err := s.UpdateRecord(ctx, "feed", "b", func([]byte) ([]byte, error) { return []byte("no"), corpus.ErrKeepRecord }); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRecord(ctx, "feed", "new", func(old []byte) ([]byte, error) {
		if old != nil {
			t.Errorf("a missing record's old value is %q, want nil", old)
		}
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records(ctx, "feed")
	if err != nil || len(recs) != 3 || recs[0].Key != "a" || string(recs[0].Value) != "1" || string(recs[1].Value) != "2" || recs[2].Key != "c\x00d" {
		t.Fatalf("records: %q (%v)", recs, err)
	}
	if v, err := s.Record(ctx, "other", "a"); err != nil || string(v) != "x" {
		t.Errorf("Record = %q, %v", v, err)
	}
	if err := s.UpdateRecord(ctx, "feed", "a", func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(ctx, "feed", "a"); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("a deleted record: %v", err)
	}
	if _, err := s.Record(ctx, "", "a"); !errors.Is(err, corpus.ErrInvalid) {
		t.Errorf("an empty kind: %v", err)
	}
	if err := s.UpdateRecord(ctx, "feed", "", func([]byte) ([]byte, error) { return []byte("x"), nil }); !errors.Is(err, corpus.ErrInvalid) {
		t.Errorf("an empty key: %v", err)
	}
}

func generation(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	gen := func() uint64 {
		t.Helper()
		g, err := s.Generation()
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := gen()
	src := NewSource(t, story(1, ""), corpus.Meta{}, 0)
	mustPut(t, s, src)
	g1 := gen()
	if g1 <= g0 {
		t.Errorf("Put: generation %d → %d", g0, g1)
	}
	_, _ = s.Get(ctx, src.ID)
	_, _ = s.List(ctx)
	if g := gen(); g != g1 {
		t.Errorf("reads changed the generation %d → %d", g1, g)
	}
	if err := s.Remove(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	g2 := gen()
	if g2 <= g1 {
		t.Errorf("Remove: generation %d → %d", g1, g2)
	}
	if err := s.Seed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if g := gen(); g <= g2 {
		t.Errorf("Seed: generation %d → %d", g2, g)
	}
}

func check(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	chain(t, s)
	mustPut(t, s, NewSource(t, story(7, ""), corpus.Meta{Snapshot: []byte("page"), SnapshotType: "text/plain"}, 0))
	var problems []string
	n, err := s.Check(ctx, func(id, what string) { problems = append(problems, id+": "+what) })
	if err != nil || len(problems) > 0 {
		t.Errorf("Check of a sound store: %v, %v", problems, err)
	}
	if n.Sources != 4 || n.Superseded != 2 || n.Passages == 0 {
		t.Errorf("Check counted %+v", n)
	}
	if s.Damaged() != nil || s.ReadOnly() || s.Path() == "" {
		t.Errorf("Damaged %v, ReadOnly %v, Path %q", s.Damaged(), s.ReadOnly(), s.Path())
	}
}

func cancelled(t *testing.T, s corpus.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := NewSource(t, story(1, ""), corpus.Meta{}, 0)
	if err := s.Put(ctx, src); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with an ended context: %v", err)
	}
	if _, err := s.Get(ctx, src.ID); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with an ended context: %v", err)
	}
	if got := ids(t, s); len(got) != 0 {
		t.Errorf("stored %v", got)
	}
}

func concurrentPuts(t *testing.T, s corpus.Store) {
	ctx := context.Background()
	src := NewSource(t, story(1, ""), corpus.Meta{URL: "https://example.org/a"}, 0)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			if i%2 == 0 {
				errs[i] = s.Put(ctx, src)
			} else {
				_, _, errs[i] = s.PutMany(ctx, []corpus.Source{src, NewSource(t, story(100+i, ""), corpus.Meta{}, 0)})
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, corpus.ErrExists) {
			t.Errorf("Put %d: %v", i, err)
		}
	}
	if got := ids(t, s); len(got) != 5 {
		t.Errorf("after concurrent puts: %d sources, want 5", len(got))
	}
}

// Bench measures a store: b.N sources stored 100 per PutMany, then read
// back with Get, reported as sources per second and microseconds per Get.
func Bench(b *testing.B, s corpus.Store) {
	ctx := context.Background()
	srcs := make([]corpus.Source, b.N)
	for i := range srcs {
		srcs[i] = NewSource(b, story(i, " "+fmt.Sprint(b.N)), corpus.Meta{}, 0)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < len(srcs); i += 100 {
		if _, _, err := s.PutMany(ctx, srcs[i:min(i+100, len(srcs))]); err != nil {
			b.Fatal(err)
		}
	}
	put := time.Since(start)
	start = time.Now()
	for _, src := range srcs {
		if _, err := s.Get(ctx, src.ID); err != nil {
			b.Fatal(err)
		}
	}
	get := time.Since(start)
	b.ReportMetric(float64(len(srcs))/put.Seconds(), "puts/s")
	b.ReportMetric(float64(get.Microseconds())/float64(len(srcs)), "µs/get")
}
