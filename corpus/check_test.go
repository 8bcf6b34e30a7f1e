package corpus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestStoreCheck corrupts one record of a store of the seed articles (one
// with a URL and a snapshot) at a time, and checks that Check names the
// source and what is wrong — and that a whole store has no problem.
func TestStoreCheck(t *testing.T) {
	ctx := context.Background()
	srcs := seedSources(t)
	srcs[0].URL = "https://example.com/story"
	srcs[0].Snapshot = []byte("<html>the page</html>")
	sum := sha256.Sum256(srcs[0].Snapshot)
	srcs[0].SnapshotSHA256, srcs[0].SnapshotBytes = hex.EncodeToString(sum[:]), len(srcs[0].Snapshot)
	target := srcs[0].ID

	editBody := func(f func(*body)) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			bd, err := decodeBody(tx.Bucket(bucketBody).Get([]byte(target)))
			if err != nil {
				return err
			}
			f(&bd)
			return tx.Bucket(bucketBody).Put([]byte(target), encodeBody(bd))
		}
	}
	editInfo := func(f func(*Info)) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			var info Info
			if err := json.Unmarshal(tx.Bucket(bucketInfo).Get([]byte(target)), &info); err != nil {
				return err
			}
			f(&info)
			v, _ := json.Marshal(info)
			return tx.Bucket(bucketInfo).Put([]byte(target), v)
		}
	}
	put := func(bucket []byte, key, value string) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(key), []byte(value)) }
	}
	tests := []struct {
		name    string
		corrupt func(*bolt.Tx) error
		id      string // the source named
		want    string // in what is said
	}{
		{"whole", nil, "", ""},
		{"text edited", editBody(func(b *body) { b.Text = strings.Replace(b.Text, "Russia", "Prussia", 1) }), target, "sha256"},
		{"passage past the end", editBody(func(b *body) { b.Passages[0].End = len(b.Text) + 5 }), target, "passage 0"},
		{"sentence inside a rune", editBody(func(b *body) { b.Sentences[1].Start = runeMiddle(t, b.Text) }), target, "sentence 1"},
		{"passage count", editInfo(func(i *Info) { i.PassageCount++ }), target, "passages"},
		{"text missing", func(tx *bolt.Tx) error { return tx.Bucket(bucketBody).Delete([]byte(target)) }, target, "info without body"},
		{"info undecodable", put(bucketInfo, target, "{not json"), target, "cannot be decoded"},
		{"orphan text", put(bucketBody, "0123456789ab", "{}"), "0123456789ab", "text is stored without"},
		{"orphan snapshot", put(bucketSnap, "0123456789ab", "x"), "0123456789ab", "snapshot is stored without"},
		{"snapshot not gzip", put(bucketSnap, target, "not gzip"), target, "snapshot cannot be read"},
		{"snapshot swapped", func(tx *bolt.Tx) error {
			z, err := gzipBytes([]byte("<html>another page</html>"))
			if err != nil {
				return err
			}
			return tx.Bucket(bucketSnap).Put([]byte(target), z)
		}, target, "snapshot does not match"},
		{"snapshot missing", func(tx *bolt.Tx) error { return tx.Bucket(bucketSnap).Delete([]byte(target)) }, target, "snapshot is missing"},
		{"superseded by nothing", editInfo(func(i *Info) { i.SupersededBy = "ffffffffffff" }), target, "not stored"},
		{"URL entry dangling", put(bucketURLs, "global\x00https://example.com/gone", "ffffffffffff"), "ffffffffffff", "names a source that is not stored"},
		{"URL not recorded", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketURLs).Delete(urlKey(GlobalScope, "https://example.com/story"))
		}, target, "is not recorded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "library.db")
			s, err := OpenStore(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, _, err := s.PutMany(ctx, srcs); err != nil {
				t.Fatal(err)
			}
			if tt.corrupt != nil {
				if err := s.db.Update(tt.corrupt); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			counts, err := s.Check(ctx, func(id, what string) { got = append(got, id+": "+what) })
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("a whole store has problems: %q", got)
				}
				if counts.Sources != len(srcs) {
					t.Errorf("counted %d sources, stored %d", counts.Sources, len(srcs))
				}
				return
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.id+": ") || !strings.Contains(got[0], tt.want) {
				t.Errorf("problems = %q, want one about %s saying %q", got, tt.id, tt.want)
			}
		})
	}
}

// runeMiddle returns a byte offset inside the first multi-byte character of
// s.
func runeMiddle(t *testing.T, s string) int {
	t.Helper()
	for i, r := range s {
		if r > 0x7f {
			return i + 1
		}
	}
	t.Fatal("no multi-byte character in the text")
	return 0
}

// TestNewSourceRefusesBrokenDocuments checks that NewSource refuses what
// the store could not keep word for word (bytes that are not UTF-8) and
// paragraph spans that do not cut the text, instead of storing a source
// that fails its own check after a round trip, or panicking in the chunker.
func TestNewSourceRefusesBrokenDocuments(t *testing.T) {
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	text := "Café prose here. More prose follows."
	tests := []struct {
		name string
		doc  Document
	}{
		{"not UTF-8", Document{Text: "Caf\xe9 prose here.", Paragraphs: []Span{{0, 16}}}},
		{"span past the end", Document{Text: text, Paragraphs: []Span{{0, len(text) + 1}}}},
		{"span inside a character", Document{Text: text, Paragraphs: []Span{{0, 4}}}},
		{"empty span", Document{Text: text, Paragraphs: []Span{{3, 3}}}},
		{"spans out of order", Document{Text: text, Paragraphs: []Span{{18, len(text)}, {0, 17}}}},
		{"negative start", Document{Text: text, Paragraphs: []Span{{-1, 5}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSource(tt.doc, Meta{}, c, time.Now()); !errors.Is(err, ErrInvalid) {
				t.Errorf("NewSource = %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := NewSource(Document{Text: text, Paragraphs: []Span{{0, 17}, {18, len(text)}}}, Meta{}, c, time.Now()); err != nil {
		t.Errorf("a whole document is refused: %v", err)
	}
}

// TestSnapshotInflationIsBounded checks that reading back a stored snapshot
// that inflates past any size verbatim writes (a tampered store) is refused
// instead of filling memory.
func TestSnapshotInflationIsBounded(t *testing.T) {
	small, err := gzipBytes(bytes.Repeat([]byte("a"), 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := gunzipBytes(small); err != nil || len(b) != 1<<20 {
		t.Fatalf("a 1 MiB snapshot: %d bytes, %v", len(b), err)
	}
	bomb, err := gzipBytes(make([]byte, maxSnapshotBytes+1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gunzipBytes(bomb); err == nil || !strings.Contains(err.Error(), "larger than any snapshot") {
		t.Errorf("a %d KiB gzip of %d MiB: %v, want it refused", len(bomb)>>10, (maxSnapshotBytes+1)>>20, err)
	}
}

// TestRemoveTakesEarlierVersions checks that removing an article refreshed
// twice removes its earlier versions too, leaving a store Check finds whole
// (not old versions superseded by a source no longer stored), and that
// removing an old version removes that version alone: the others stay,
// their chain closed over the gap.
func TestRemoveTakesEarlierVersions(t *testing.T) {
	ctx := context.Background()
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	version := func(n int) Source {
		doc, err := ParseText([]byte(fmt.Sprintf("Harbour Story\n\nThe harbour master logged %d tugboats before dawn.", n)))
		if err != nil {
			t.Fatal(err)
		}
		src, err := NewSource(doc, Meta{URL: "https://example.com/harbour"}, c, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	other := seedSources(t)[0]
	for _, tt := range []struct {
		name   string
		remove int   // which version: 0 the first, 2 the current
		left   []int // versions left
	}{
		{"the current version", 2, nil},
		{"the middle version", 1, []int{0, 2}},
		{"the first version", 0, []int{1, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenStore(filepath.Join(t.TempDir(), "library.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Put(ctx, other); err != nil {
				t.Fatal(err)
			}
			vs := []Source{version(1)}
			if err := s.Put(ctx, vs[0]); err != nil {
				t.Fatal(err)
			}
			for n := 2; n <= 3; n++ {
				next, err := s.Supersede(ctx, vs[len(vs)-1].ID, version(n))
				if err != nil {
					t.Fatal(err)
				}
				vs = append(vs, next)
			}
			if err := s.Remove(ctx, vs[tt.remove].ID); err != nil {
				t.Fatal(err)
			}
			ids, err := s.IDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{other.ID}
			for _, i := range tt.left {
				want = append(want, vs[i].ID)
			}
			if !sameSet(ids, want) {
				t.Errorf("left %v, want %v", ids, want)
			}
			if _, err := s.Check(ctx, func(id, what string) { t.Errorf("check: %s: %s", id, what) }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
