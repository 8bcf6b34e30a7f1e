package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bigStore makes a store of n sources (a few pages each) at path and
// closes it.
func bigStore(t *testing.T, path string, n int) {
	t.Helper()
	c, err := NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		text := fmt.Sprintf("Report %d\n\n%s", i, strings.Repeat(fmt.Sprintf("The committee of district %d met again and approved the budget. ", i), 60))
		doc, err := ParseText([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		src, err := NewSource(doc, Meta{Origin: fmt.Sprintf("r%d.txt", i), Snapshot: []byte(text), SnapshotType: "text/plain"}, c, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put(context.Background(), src); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenStoreRefusesDamagedFiles: a store file that is empty, cut short,
// or without a valid meta record is refused at open with a *DamageError
// naming the file — never a panic or a fault, and never taken for a new
// library.
func TestOpenStoreRefusesDamagedFiles(t *testing.T) {
	whole := filepath.Join(t.TempDir(), "library.db")
	bigStore(t, whole, 120)
	b, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	for name, damaged := range map[string][]byte{
		"empty":            nil,
		"cut to half":      b[:len(b)/2],
		"meta pages wiped": append(make([]byte, 2*os.Getpagesize()), b[2*os.Getpagesize():]...),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "library.db")
			if err := os.WriteFile(path, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := OpenStore(path)
			var d *DamageError
			if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) || d.Path != path || !strings.Contains(err.Error(), "verbatim import") {
				t.Fatalf("OpenStore = %v, want a *DamageError naming %s", err, path)
			}
			if s != nil {
				t.Error("a store was returned with the error")
			}
			if st, _ := os.Stat(path); st.Size() != int64(len(damaged)) {
				t.Errorf("opening changed the damaged file (%d bytes, was %d)", st.Size(), len(damaged))
			}
		})
	}
}

// TestDamagedPagesAreErrorsNotCrashes writes random bytes over pages in
// the middle of a store, where the cheap check at open cannot see them:
// reading every source through bbolt then returns a *DamageError (bbolt's
// panics and faults are recovered), after which writes are refused; Check
// names damaged pages or sources; Salvage saves what is whole.
func TestDamagedPagesAreErrorsNotCrashes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	bigStore(t, path, 120)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	// Eight pages in use from the middle of the file on: a fixed stretch
	// of bytes there may fall on free pages only, which bbolt never reads.
	for _, off := range livePages(t, path, len(b)/2, 8) {
		for i := off; i < off+pageSize(t, path); i++ {
			b[i] = byte(rng.Uint32())
		}
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(path)
	if err != nil {
		t.Fatalf("the cheap check at open should not read the middle of the file: %v", err)
	}
	defer s.Close()
	err = s.EachSource(ctx, func(Source) error { return nil })
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("reading every source of a damaged store: %v, want a *DamageError", err)
	}
	if s.Damaged() == nil {
		t.Error("Damaged() is nil after a damaged read")
	}
	if err := s.MarkSeeded(ctx); !errors.Is(err, ErrDamaged) {
		t.Errorf("a write after damage was seen: %v, want refused", err)
	}
	var problems []string
	_, err = s.Check(ctx, func(id, what string) { problems = append(problems, id+": "+what) })
	if len(problems) == 0 {
		t.Errorf("Check found nothing (err %v)", err)
	}
	var out bytes.Buffer
	var lost []SalvageNote
	n, err := Salvage(ctx, path, &out, func(sn SalvageNote) { lost = append(lost, sn) })
	if err != nil {
		t.Fatal(err)
	}
	if n.Saved == 0 || n.Saved+n.Lost > 120 || (n.Lost == 0 && n.DamagedPages == 0) {
		t.Errorf("Salvage: %+v", n)
	}
	h, count, err := VerifyBackup(ctx, &out)
	if err != nil || count != n.Saved || h.Seeded {
		t.Errorf("the salvage is not a whole backup of %d sources of a store never seeded: %d, %v (header %+v)", n.Saved, count, err, h)
	}
}

// pageSize returns the page size of the bbolt file at path.
func pageSize(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Info().PageSize
}

// livePages returns the byte offsets of up to n leaf pages in use (not
// free, not meta, not the freelist, not the root bucket's page, which the
// check at open reads) of the bbolt file at path, the first at or after
// byte from.
func livePages(t *testing.T, path string, from, n int) []int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := db.Info().PageSize
	var out []int
	err = db.View(func(tx *bolt.Tx) error {
		// The root bucket's page is read by the check at open; a page
		// bbolt reads only when a source is read is what is wanted.
		root := int(tx.Cursor().Bucket().Root())
		for id := from / size; len(out) < n; id++ {
			p, err := tx.Page(id)
			if err != nil {
				return err
			}
			if p == nil {
				break // past the last page
			}
			if p.Type == "leaf" && id != root {
				out = append(out, id*size)
			}
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("finding pages in use from byte %d: %d found, %v", from, len(out), err)
	}
	return out
}

// TestSalvageOfAWholeStore: Salvage of a store that is not damaged writes
// exactly what an export writes, and says nothing.
func TestSalvageOfAWholeStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.db")
	bigStore(t, path, 30)
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	bw, err := NewBackupWriter(&want, BackupHeader{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EachSource(ctx, bw.Write); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var got bytes.Buffer
	n, err := Salvage(ctx, path, &got, func(sn SalvageNote) { t.Errorf("note on a whole store: %+v", sn) })
	if err != nil || n.Saved != 30 || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("Salvage of a whole store: %+v, %v; same as export: %v", n, err, bytes.Equal(got.Bytes(), want.Bytes()))
	}
}

// TestNewStoreIsNeverEmpty: OpenStore makes a new store under another
// name and links it into place whole, so library.db is never an empty
// file (which would be damage), and nothing is left beside it.
func TestNewStoreIsNeverEmpty(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "library.db")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 {
		t.Fatalf("new store: %v, %v", st, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left beside the new store: %v", entries)
	}
	if seeded, err := reopenSeeded(t, path); err != nil || seeded {
		t.Errorf("a new store reopens: seeded %v, %v", seeded, err)
	}
}

func reopenSeeded(t *testing.T, path string) (bool, error) {
	t.Helper()
	s, err := OpenStore(path)
	if err != nil {
		return false, err
	}
	defer s.Close()
	return s.Seeded()
}
