package corpus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// StoreCounts are what Store.Check counted.
type StoreCounts struct {
	// Sources counts stored sources, Superseded those replaced by a newer
	// version, Passages the passages of the sources not superseded.
	Sources, Superseded, Passages int
}

// Check reads every record of the store and calls problem for each thing
// that is not as the store promises: a source whose text does not match its
// hash or whose passage and sentence spans do not cut exactly from its text
// (Source.Validate), an info without its body or a body or snapshot without
// its info, a snapshot that does not match its recorded hash or size, a
// version chain that names a missing source, a URL entry that names a
// missing source or another URL, or a source whose URL is not recorded. id is the source concerned. Check changes
// nothing and stops early only when ctx ends or the file cannot be read.
//
// It first reads the file's pages as bytes (checkFile): when a page of the
// store's tree is damaged, it says so (with id "") and returns a
// *DamageError without reading further, since bbolt cannot be trusted with
// the file; export --salvage can.
func (s *BoltStore) Check(ctx context.Context, problem func(id, what string)) (StoreCounts, error) {
	var n StoreCounts
	damaged, err := s.checkFile(ctx, problem)
	if err != nil {
		return n, err
	}
	if damaged > 0 {
		return n, &DamageError{Path: s.path, What: fmt.Sprintf("%d pages of its tree of records cannot be read", damaged), Salvage: true}
	}
	err = s.view(func(tx *bolt.Tx) error { return checkRecords(ctx, tx, &n, problem) })
	if err != nil {
		return n, fmt.Errorf("checking the library store: %w", err)
	}
	return n, nil
}

// checkRecords is Check's reading of every record, in transaction tx.
func checkRecords(ctx context.Context, tx *bolt.Tx, n *StoreCounts, problem func(id, what string)) error {
	infos, bodies, snaps := tx.Bucket(bucketInfo), tx.Bucket(bucketBody), tx.Bucket(bucketSnap)
	c := infos.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		id := string(k)
		n.Sources++
		var src Source
		if err := json.Unmarshal(v, &src.Info); err != nil {
			problem(id, fmt.Sprintf("its info cannot be decoded: %v", err))
			continue
		}
		if src.ID != id {
			problem(id, fmt.Sprintf("stored under %s but its info says id %s", id, src.ID))
		}
		if src.SupersededBy != "" {
			n.Superseded++
			if infos.Get([]byte(src.SupersededBy)) == nil {
				problem(id, fmt.Sprintf("superseded by %s, which is not stored", src.SupersededBy))
			}
		} else {
			n.Passages += src.PassageCount
		}
		bv := bodies.Get(k)
		if bv == nil {
			problem(id, "its text is missing (info without body)")
			continue
		}
		bd, err := decodeBody(bv)
		if err != nil {
			problem(id, fmt.Sprintf("its text cannot be decoded: %v", err))
			continue
		}
		src.Text, src.Passages, src.Sentences = bd.Text, bd.Passages, bd.Sentences
		if err := src.Validate(); err != nil {
			problem(id, err.Error())
		}
		if src.URL != "" && src.SupersededBy == "" {
			if v := tx.Bucket(bucketURLs).Get(urlKey(src.Scope, src.URL)); !bytes.Equal(v, k) {
				problem(id, fmt.Sprintf("its URL %q is not recorded for it, so the same page could be added twice", src.URL))
			}
		}
		if what := checkSnapshot(snaps.Get(k), src.Info); what != "" {
			problem(id, what)
		}
	}
	for _, b := range []struct {
		name   string
		bucket *bolt.Bucket
	}{{"text", bodies}, {"snapshot", snaps}} {
		c := b.bucket.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if infos.Get(k) == nil {
				problem(string(k), fmt.Sprintf("a %s is stored without its source's info", b.name))
			}
		}
	}
	c = tx.Bucket(bucketURLs).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		iv := infos.Get(v)
		if iv == nil {
			problem(string(v), fmt.Sprintf("the URL entry %q names a source that is not stored", bytes.ReplaceAll(k, []byte{0}, []byte(" "))))
			continue
		}
		var info Info
		if json.Unmarshal(iv, &info) == nil && !bytes.Equal(urlKey(info.Scope, info.URL), k) {
			problem(string(v), fmt.Sprintf("the URL entry %q does not match the source's URL %q", bytes.ReplaceAll(k, []byte{0}, []byte(" ")), info.URL))
		}
	}
	return nil
}

// maxPageProblems is how many damaged pages Check names one by one.
const maxPageProblems = 10

// checkFile reads every page of the store's tree as bytes, without bbolt,
// and tells problem of each one that is damaged; it returns how many are
// (1 for a file whose meta record or first pages are). Then the file
// cannot be read safely through bbolt.
func (s *BoltStore) checkFile(ctx context.Context, problem func(id, what string)) (damaged int, err error) {
	f, err := os.Open(s.path)
	if err != nil {
		return 0, fmt.Errorf("checking the library store: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("checking the library store: %w", err)
	}
	bf, err := openBoltFile(f, st.Size())
	if err != nil {
		return 0, fmt.Errorf("checking the library store: %w", err)
	}
	if err := bf.sound(s.path); err != nil {
		problem("", err.Error())
		return 1, nil
	}
	walk := &boltWalk{bf: bf, visited: map[uint64]bool{},
		kv: func(string, boltElem) {},
		damaged: func(bucket string, _ uint64, err error) {
			damaged++
			if damaged <= maxPageProblems {
				problem("", fmt.Sprintf("%s is damaged: %v (in the %q records)", filepath.Base(s.path), err, bucket))
			}
		},
	}
	walk.root()
	if damaged > maxPageProblems {
		problem("", fmt.Sprintf("%s has %d more damaged pages", filepath.Base(s.path), damaged-maxPageProblems))
	}
	return damaged, ctx.Err()
}

// checkSnapshot says what is wrong with a source's stored snapshot z (gzip),
// or "" when it matches the source's record of it.
func checkSnapshot(z []byte, info Info) string {
	if z == nil {
		if info.SnapshotSHA256 != "" {
			return "its snapshot is missing"
		}
		return ""
	}
	b, err := gunzipBytes(z)
	if err != nil {
		return fmt.Sprintf("its snapshot cannot be read: %v", err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != info.SnapshotSHA256 {
		return "its snapshot does not match its sha256"
	}
	if len(b) != info.SnapshotBytes {
		return fmt.Sprintf("its snapshot has %d bytes, its info says %d", len(b), info.SnapshotBytes)
	}
	return ""
}
