package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func seedSources(t *testing.T) []Source {
	t.Helper()
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := SeedSources(c, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}

func TestStoreAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	srcs := seedSources(t)
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs[:3] {
		if err := s.Put(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	var exists *ExistsError
	if err := s.Put(ctx, srcs[0]); !errors.As(err, &exists) || exists.ID != srcs[0].ID || !errors.Is(err, ErrExists) {
		t.Fatalf("second Put = %v, want ExistsError for %s", err, srcs[0].ID)
	}
	if err := s.Remove(ctx, srcs[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, srcs[1].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Remove = %v, want ErrNotFound", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids, err := s.IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Fatalf("after reopen: %d sources, want 2", len(ids))
	}
	got, err := s.Get(ctx, srcs[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != srcs[2].Text || got.SHA256 != srcs[2].SHA256 || len(got.Passages) != len(srcs[2].Passages) ||
		len(got.Sentences) != len(srcs[2].Sentences) || !got.AddedAt.Equal(srcs[2].AddedAt) || got.Title != srcs[2].Title {
		t.Errorf("source changed across reopen")
	}
	if _, err := s.Get(ctx, srcs[1].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed source: %v", err)
	}
	infos, err := s.List(ctx)
	if err != nil || len(infos) != 2 {
		t.Fatalf("List = %d, %v", len(infos), err)
	}
}

func TestStoreRefusesBrokenSource(t *testing.T) {
	ctx := context.Background()
	s, err := OpenStore(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	src := seedSources(t)[0]
	bad := src
	bad.Text += " tampered"
	if err := s.Put(ctx, bad); err == nil {
		t.Error("stored a source whose text does not match its hash")
	}
	bad = src
	bad.Passages = append([]Passage(nil), src.Passages...)
	bad.Passages[0].End = len(src.Text) + 10
	if err := s.Put(ctx, bad); err == nil {
		t.Error("stored a source with a passage outside its text")
	}
	// A seed batch with one broken source stores nothing.
	if err := s.Seed(ctx, []Source{src, bad}); err == nil {
		t.Fatal("Seed accepted a broken source")
	}
	if ids, _ := s.IDs(ctx); len(ids) != 0 {
		t.Errorf("a failed seed left %d sources", len(ids))
	}
	if seeded, _ := s.Seeded(); seeded {
		t.Error("a failed seed marked the store seeded")
	}
}

func TestStoreLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := OpenStore(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open = %v, want ErrLocked", err)
	}
}

func TestEmbeddedSeedsMatchShared(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "seeds")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared/seeds is not beside this checkout")
	}
	files, names, err := SeedFiles()
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(names) {
		t.Fatalf("%d embedded seeds, %d in shared/seeds", len(names), len(entries))
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != string(files[n]) {
			t.Errorf("embedded %s differs from shared/seeds", n)
		}
	}
}

func TestStoreSnapshotAndURLDuplicates(t *testing.T) {
	ctx := context.Background()
	s, err := OpenStore(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := NewChunker()
	page := []byte("<html>the page as received</html>")
	doc, _ := ParseText([]byte("Story\n\nFirst version of the story text."))
	src, err := NewSource(doc, Meta{URL: "https://News.example.org/a/story/?utm_source=x#top", Snapshot: page, SnapshotType: "text/html", FetchedAt: time.Now()}, c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, src); err != nil {
		t.Fatal(err)
	}
	got, err := s.Snapshot(ctx, src.ID)
	if err != nil || string(got) != string(page) {
		t.Fatalf("snapshot = %q, %v", got, err)
	}
	info, _ := s.Info(ctx, src.ID)
	if info.SnapshotBytes != len(page) || info.SnapshotType != "text/html" || info.SnapshotSHA256 == "" || info.FetchedAt.IsZero() {
		t.Errorf("provenance: %+v", info)
	}
	// The same canonical URL with other text is the same article.
	doc2, _ := ParseText([]byte("Story\n\nA slightly edited version of the story text."))
	again, _ := NewSource(doc2, Meta{URL: "https://news.example.org/a/story"}, c, time.Now())
	var exists *ExistsError
	if err := s.Put(ctx, again); !errors.As(err, &exists) || exists.ID != src.ID {
		t.Errorf("same canonical URL: %v", err)
	}
	// In another scope it is another server's copy.
	other, _ := NewSource(doc2, Meta{URL: "https://news.example.org/a/story", Scope: "123"}, c, time.Now())
	if err := s.Put(ctx, other); err != nil {
		t.Errorf("same URL in another scope: %v", err)
	}
	// Removing frees the URL and drops the snapshot.
	if err := s.Remove(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, again); err != nil {
		t.Errorf("URL not freed by remove: %v", err)
	}
	if _, err := s.Snapshot(ctx, src.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("snapshot of a removed source: %v", err)
	}
}

func TestCanonicalURL(t *testing.T) {
	for in, want := range map[string]string{
		"HTTPS://Example.ORG:443/a/b/?utm_source=x&id=3#frag": "https://example.org/a/b?id=3",
		"http://example.org/":                    "http://example.org",
		"https://user:pw@example.org/x?fbclid=1": "https://example.org/x",
		"not a url":                              "not a url",
	} {
		if got := CanonicalURL(in); got != want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", in, got, want)
		}
	}
}
