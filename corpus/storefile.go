package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// OpenStore opens (creating if needed) the store file at path. It waits at
// most a second for another process's lock and then returns ErrLocked. A
// file that is damaged (empty, cut short, without a valid meta record) is
// refused with a *DamageError; a file that can be read but not written (a
// read-only file system or file) is opened read-only, and then every write
// returns an error wrapping ErrReadOnly.
func OpenStore(path string) (*BoltStore, error) {
	if err := createStore(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	readOnly := false
	if err != nil && isReadOnlyFS(err) {
		f, err = os.Open(path)
		readOnly = true
	}
	if err != nil {
		return nil, fmt.Errorf("opening library store %s: %w", path, err)
	}
	err = inspectStore(path, f)
	f.Close()
	if err != nil {
		return nil, err
	}
	var db *bolt.DB
	p, err := Guarded(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: readOnly})
		return err
	})
	switch {
	case p != nil:
		return nil, &DamageError{Path: path, What: fmt.Sprintf("opening it failed (%v)", p), Salvage: true}
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("opening %s: %w", path, ErrLocked)
	case err != nil:
		return nil, fmt.Errorf("opening library store %s: %w", path, err)
	}
	s := &BoltStore{db: db, path: path, readOnly: readOnly}
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, fmt.Errorf("preparing library store %s: %w", path, err)
	}
	return s, nil
}

// createStore makes a new, prepared store file at path when there is none.
// The file is made under another name and linked into place whole, so that
// library.db is never an empty or half-made file: a library.db of 0 bytes
// is always damage, never a library being created.
func createStore(path string) error {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // there is one (or Open will say why it cannot be read)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("creating library store %s: %w", path, DiskFull(path, err))
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	db, err := bolt.Open(name, 0o600, &bolt.Options{Timeout: time.Second})
	if err == nil {
		err = prepareStore(db)
		err = errors.Join(err, db.Close())
	}
	if err == nil {
		// Link fails if another process made path meanwhile: then that one
		// is the store.
		if err = os.Link(name, path); errors.Is(err, fs.ErrExist) {
			err = nil
		}
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("creating library store %s: %w", path, DiskFull(path, err))
	}
	return nil
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// view runs a read transaction behind Guarded.
func (s *BoltStore) view(fn func(*bolt.Tx) error) error {
	p, err := Guarded(func() error { return s.db.View(fn) })
	if p != nil {
		return s.damaged(p)
	}
	return err
}

// update runs a write transaction behind Guarded. It refuses to write to a
// read-only store or one found damaged, and says a full disk as such.
func (s *BoltStore) update(fn func(*bolt.Tx) error) error {
	if s.readOnly {
		return readOnlyError(s.path)
	}
	if d := s.damage.Load(); d != nil {
		return d
	}
	// Emptied before and after: a Get between the two may not fill it
	// (sourceCache.put checks the epoch).
	s.cache.invalidate()
	defer s.cache.invalidate()
	p, err := Guarded(func() error { return s.db.Update(fn) })
	if p != nil {
		return s.damaged(p)
	}
	return DiskFull(s.path, err)
}

// damaged records that reading the store ran into damage (p is what bbolt
// panicked with) and returns the error that says so.
func (s *BoltStore) damaged(p any) error {
	what := strings.Join(strings.Fields(fmt.Sprint(p)), " ")
	d := &DamageError{Path: s.path, What: "reading it failed (" + what + ")", Salvage: true}
	if !s.damage.CompareAndSwap(nil, d) {
		return s.damage.Load()
	}
	return d
}

// corrupt records that source id's records are damaged (err says how) and
// returns the *DamageError that says so.
func (s *BoltStore) corrupt(id []byte, err error) error {
	what := strings.TrimPrefix(err.Error(), "source "+string(id)+": ")
	return s.damaged(fmt.Sprintf("source %s: %s", id, what))
}

// Damaged returns the *DamageError a read of the store ran into, or nil.
func (s *BoltStore) Damaged() error {
	if d := s.damage.Load(); d != nil {
		return d
	}
	return nil
}

// ReadOnly reports whether the store was opened read-only.
func (s *BoltStore) ReadOnly() bool { return s.readOnly }

// Path returns the store file's path.
func (s *BoltStore) Path() string { return s.path }

// prepare checks the store's schema and, for a store made by an older
// verbatim, creates what is missing.
func (s *BoltStore) prepare() error {
	if s.readOnly {
		return s.view(func(tx *bolt.Tx) error {
			ready, err := checkSchema(tx)
			if err == nil && !ready {
				err = errors.New("it holds no library records and cannot be written to make them")
			}
			return err
		})
	}
	p, err := Guarded(func() error { return prepareStore(s.db) })
	if p != nil {
		return s.damaged(p)
	}
	return err
}

// checkSchema checks the store's schema version and reports whether
// every bucket is there.
func checkSchema(tx *bolt.Tx) (ready bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return false, nil
	}
	if v := meta.Get(keySchema); v != nil && string(v) != storeSchema && string(v) != storeSchemaV1 {
		return false, fmt.Errorf("store schema %s, this verbatim reads %s", v, storeSchema)
	}
	ready = meta.Get(keySchema) != nil
	for _, b := range [][]byte{bucketInfo, bucketBody, bucketSnap, bucketURLs} {
		ready = ready && tx.Bucket(b) != nil
	}
	return ready, nil
}

// prepareStore checks the store's schema and creates its buckets. It writes
// only to a store that lacks them, so that opening an existing one leaves
// its Generation unchanged.
func prepareStore(db *bolt.DB) error {
	var ready bool
	err := db.View(func(tx *bolt.Tx) (err error) {
		ready, err = checkSchema(tx)
		return err
	})
	if err != nil || ready {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketInfo, bucketBody, bucketMeta, bucketSnap, bucketURLs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if _, err := checkSchema(tx); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(storeSchema))
	})
}

// Close closes the store file. A store found damaged is given a second to
// close: a bbolt that panicked midway may never let go of its locks, and
// the process's end releases the file anyway.
func (s *BoltStore) Close() error {
	done := make(chan error, 1)
	go func() {
		p, err := Guarded(s.db.Close)
		if p != nil {
			err = fmt.Errorf("%v", p)
		}
		done <- err
	}()
	var err error
	if s.damage.Load() == nil {
		err = <-done
	} else {
		select {
		case err = <-done:
		case <-time.After(time.Second):
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("closing library store: %w", err)
	}
	return nil
}
