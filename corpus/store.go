package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNotFound is returned for a source id the library does not hold.
var ErrNotFound = errors.New("no such source")

// ErrExists is wrapped by the error Put returns for a source whose id the
// library already holds; ExistsError carries that source's id.
var ErrExists = errors.New("already in the library")

// ExistsError says which source a refused duplicate already is.
type ExistsError struct{ ID, Title string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("already in the library as %s (%q)", e.ID, e.Title)
}

// Unwrap lets errors.Is(err, ErrExists) match.
func (e *ExistsError) Unwrap() error { return ErrExists }

// ErrLocked is returned when another process holds the library open.
var ErrLocked = errors.New("the library is open in another verbatim process (is `verbatim serve` running?)")

var (
	bucketInfo = []byte("info") // id → Info (JSON)
	bucketBody = []byte("body") // id → body (bodycodec.go): text, passages, sentences
	bucketMeta = []byte("meta") // library-wide flags
	bucketSnap = []byte("snap") // id → gzip of the bytes the source was made from
	bucketURLs = []byte("urls") // scope NUL canonical URL → id
	keySeeded  = []byte("seeded")
	keySchema  = []byte("schema")
)

// storeSchema is the version of the store's record layout: "2" since bodies
// are written compact (bodycodec.go). A store of schema "1" (JSON bodies
// only) is read as it is and marked "2" by the first write of a body, so
// that an older verbatim refuses it rather than misread it.
const (
	storeSchema   = "2"
	storeSchemaV1 = "1"
)

// markSchemaTx marks the store as of the current schema, in the
// transaction that writes a compact body, if it is not yet.
func markSchemaTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if string(meta.Get(keySchema)) == storeSchema {
		return nil
	}
	return meta.Put(keySchema, []byte(storeSchema))
}

// body is the stored part of a Source that listings do not need.
type body struct {
	Text      string    `json:"text"`
	Passages  []Passage `json:"passages"`
	Sentences []Span    `json:"sentences"`
}

// BoltStore is the embedded Store, the default: every source, whole, in one
// bbolt file (library.db). It is the source of truth; the search index is
// derived from it. Each Put and Remove is one transaction, so a source is
// stored whole or not at all, even if the process dies midway. A BoltStore
// is safe for concurrent use.
//
// A damaged file never takes the process down: OpenStore checks the file
// before bbolt maps it (inspectStore), and every read and write runs behind
// Guarded, so that what bbolt would panic or fault on becomes a
// *DamageError; once one was seen, writes are refused.
type BoltStore struct {
	db       *bolt.DB
	path     string
	readOnly bool
	damage   atomic.Pointer[DamageError]
	cache    sourceCache
}

// Generation returns a number that grows with every change committed to the
// store (it is bbolt's transaction id) and stays the same while nothing is
// written, opening and closing included. The search index records the
// generation it reflects, so a library can tell at open, without reading
// every source, whether its index may be behind its store.
func (s *BoltStore) Generation() (uint64, error) {
	var gen uint64
	err := s.view(func(tx *bolt.Tx) error {
		gen = uint64(tx.ID())
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reading the store generation: %w", err)
	}
	return gen, nil
}

// Put stores a source whole, after checking it (Validate). A source whose id
// is already stored is refused with an *ExistsError naming it.
func (s *BoltStore) Put(ctx context.Context, src Source) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		if e := existsTx(tx, src); e != nil {
			return e
		}
		return putTx(tx, src)
	})
}

// existsTx returns the ExistsError for a source already in the library: the
// same id (same text in the same scope), or the same canonical URL in the
// same scope.
func existsTx(tx *bolt.Tx, src Source) *ExistsError {
	id := []byte(src.ID)
	if src.URL != "" {
		if v := tx.Bucket(bucketURLs).Get(urlKey(src.Scope, src.URL)); v != nil {
			id = v
		}
	}
	v := tx.Bucket(bucketInfo).Get(id)
	if v == nil {
		return nil
	}
	var old Info
	_ = json.Unmarshal(v, &old)
	return &ExistsError{ID: old.ID, Title: old.Title}
}

// urlKey is the key of a source's URL in the urls bucket.
func urlKey(scope, rawURL string) []byte {
	return []byte(scope + "\x00" + CanonicalURL(rawURL))
}

// PutMany stores many sources in one transaction and returns the positions
// in srcs of those it stored. Sources already in the library (or repeated
// within srcs) are skipped and reported in dups by their position in srcs;
// if any other source cannot be stored, nothing is.
func (s *BoltStore) PutMany(ctx context.Context, srcs []Source) (stored []int, dups map[int]*ExistsError, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		stored, dups = nil, map[int]*ExistsError{}
		for i, src := range srcs {
			if e := existsTx(tx, src); e != nil {
				dups[i] = e
				continue
			}
			if err := putTx(tx, src); err != nil {
				return err
			}
			stored = append(stored, i)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return stored, dups, nil
}

// putTx checks a source and writes its info and body in transaction tx.
func putTx(tx *bolt.Tx, src Source) error {
	if err := src.Validate(); err != nil {
		return fmt.Errorf("storing source: %w", err)
	}
	info, err := json.Marshal(src.Info)
	if err != nil {
		return fmt.Errorf("encoding source %s: %w", src.ID, err)
	}
	if err := markSchemaTx(tx); err != nil {
		return fmt.Errorf("storing source %s: %w", src.ID, err)
	}
	bd := encodeBody(body{Text: src.Text, Passages: src.Passages, Sentences: src.Sentences})
	if err := tx.Bucket(bucketInfo).Put([]byte(src.ID), info); err != nil {
		return fmt.Errorf("storing source %s: %w", src.ID, err)
	}
	if err := tx.Bucket(bucketBody).Put([]byte(src.ID), bd); err != nil {
		return fmt.Errorf("storing source %s: %w", src.ID, err)
	}
	if src.URL != "" {
		if err := tx.Bucket(bucketURLs).Put(urlKey(src.Scope, src.URL), []byte(src.ID)); err != nil {
			return fmt.Errorf("storing source %s: %w", src.ID, err)
		}
	}
	if src.Snapshot != nil {
		z, err := gzipBytes(src.Snapshot)
		if err != nil {
			return fmt.Errorf("compressing the snapshot of %s: %w", src.ID, err)
		}
		if err := tx.Bucket(bucketSnap).Put([]byte(src.ID), z); err != nil {
			return fmt.Errorf("storing source %s: %w", src.ID, err)
		}
	}
	return nil
}

// Supersede stores next as the new version of the source old, in one
// transaction: next is stored (with Previous set to old), old is kept but
// marked SupersededBy next, and old's URL now names next.
func (s *BoltStore) Supersede(ctx context.Context, oldID string, next Source) (Source, error) {
	if err := ctx.Err(); err != nil {
		return Source{}, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketInfo).Get([]byte(oldID))
		if v == nil {
			return fmt.Errorf("source %q: %w", oldID, ErrNotFound)
		}
		var old Info
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("decoding source %s: %w", oldID, err)
		}
		if old.SupersededBy != "" {
			return fmt.Errorf("source %s was already replaced by %s", oldID, old.SupersededBy)
		}
		if tx.Bucket(bucketInfo).Get([]byte(next.ID)) != nil {
			return &ExistsError{ID: next.ID, Title: next.Title}
		}
		if old.URL != "" {
			if err := tx.Bucket(bucketURLs).Delete(urlKey(old.Scope, old.URL)); err != nil {
				return err
			}
		}
		next.Previous = oldID
		if err := putTx(tx, next); err != nil {
			return err
		}
		old.SupersededBy = next.ID
		b, err := json.Marshal(old)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketInfo).Put([]byte(oldID), b)
	})
	if err != nil {
		return Source{}, err
	}
	next.Previous = oldID
	return next, nil
}

// Snapshot returns the bytes a source was made from, or nil if it has none.
func (s *BoltStore) Snapshot(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var z []byte
	err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketInfo).Get([]byte(id)) == nil {
			return fmt.Errorf("source %q: %w", id, ErrNotFound)
		}
		if v := tx.Bucket(bucketSnap).Get([]byte(id)); v != nil {
			z = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil || z == nil {
		return nil, err
	}
	b, err := gunzipBytes(z)
	if err != nil {
		return nil, fmt.Errorf("reading the snapshot of %s: %w", id, err)
	}
	return b, nil
}

// Get returns the source with the given id, or an error wrapping ErrNotFound.
// Recently read sources come from a cache (sourceCache) that every write
// empties; the source's slices may be shared with other callers, so do not
// modify them.
func (s *BoltStore) Get(ctx context.Context, id string) (Source, error) {
	if err := ctx.Err(); err != nil {
		return Source{}, err
	}
	if s.damage.Load() == nil {
		if src, ok := s.cache.get(id); ok {
			return src, nil
		}
	}
	epoch := s.cache.now()
	var src Source
	err := s.view(func(tx *bolt.Tx) error {
		iv := tx.Bucket(bucketInfo).Get([]byte(id))
		bv := tx.Bucket(bucketBody).Get([]byte(id))
		if iv == nil || bv == nil {
			return fmt.Errorf("source %q: %w", id, ErrNotFound)
		}
		if err := json.Unmarshal(iv, &src.Info); err != nil {
			return s.corrupt([]byte(id), fmt.Errorf("its record cannot be decoded: %w", err))
		}
		bd, err := decodeBody(bv)
		if err != nil {
			return s.corrupt([]byte(id), fmt.Errorf("its text cannot be decoded: %w", err))
		}
		src.Text, src.Passages, src.Sentences = bd.Text, bd.Passages, bd.Sentences
		return nil
	})
	if err == nil {
		s.cache.put(epoch, src)
	}
	return src, err
}

// Info returns what the library knows of a source apart from its text.
func (s *BoltStore) Info(ctx context.Context, id string) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	var info Info
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketInfo).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("source %q: %w", id, ErrNotFound)
		}
		if err := json.Unmarshal(v, &info); err != nil {
			return s.corrupt([]byte(id), fmt.Errorf("its record cannot be decoded: %w", err))
		}
		return nil
	})
	return info, err
}

// List returns the Info of every source, newest first (then by id).
func (s *BoltStore) List(ctx context.Context) ([]Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Info
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInfo).ForEach(func(k, v []byte) error {
			var info Info
			if err := json.Unmarshal(v, &info); err != nil {
				return s.corrupt(k, fmt.Errorf("its record cannot be decoded: %w", err))
			}
			out = append(out, info)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	SortNewestFirst(out)
	return out, nil
}

// SortNewestFirst sorts sources in the order every store's List gives:
// the most recently added first, then by id.
func SortNewestFirst(infos []Info) {
	sort.Slice(infos, func(i, j int) bool {
		if !infos[i].AddedAt.Equal(infos[j].AddedAt) {
			return infos[i].AddedAt.After(infos[j].AddedAt)
		}
		return infos[i].ID < infos[j].ID
	})
}

// IDs returns the id of every stored source, in byte order.
func (s *BoltStore) IDs(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInfo).ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	return out, err
}

// removeTx deletes one source's records in transaction tx.
func removeTx(tx *bolt.Tx, info Info) error {
	id := []byte(info.ID)
	for _, b := range [][]byte{bucketInfo, bucketBody, bucketSnap} {
		if err := tx.Bucket(b).Delete(id); err != nil {
			return fmt.Errorf("removing source %s: %w", info.ID, err)
		}
	}
	if info.URL != "" && info.SupersededBy == "" {
		key := urlKey(info.Scope, info.URL)
		if string(tx.Bucket(bucketURLs).Get(key)) == info.ID {
			if err := tx.Bucket(bucketURLs).Delete(key); err != nil {
				return fmt.Errorf("removing source %s: %w", info.ID, err)
			}
		}
	}
	return nil
}

// Seeded reports whether the seed library was ever loaded into this store,
// so that a library whose owner removed the seeds is not seeded again.
func (s *BoltStore) Seeded() (bool, error) {
	var seeded bool
	err := s.view(func(tx *bolt.Tx) error {
		seeded = tx.Bucket(bucketMeta).Get(keySeeded) != nil
		return nil
	})
	return seeded, err
}

// Seed stores the given sources and marks the store seeded, in one
// transaction: either all of them are stored and the mark set, or nothing.
func (s *BoltStore) Seed(ctx context.Context, srcs []Source) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, src := range srcs {
			if err := putTx(tx, src); err != nil {
				return fmt.Errorf("seeding: %w", err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySeeded, []byte(time.Now().UTC().Format(time.RFC3339)))
	})
}
