package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Records are small named values that belong to the library but are not
// sources: the state of each followed feed, say. They live in the store's
// file beside the sources, so they are as durable as the sources are, and
// each one is written whole or not at all, in one transaction. What a
// record holds is its owner's business (feeds keeps JSON there); the store
// only keys them by kind and key.
//
// Records are not part of a backup (export writes sources only).

var bucketRecords = []byte("records") // kind NUL key → value

// Record is one stored record.
type Record struct {
	Key   string
	Value []byte
}

// recordKey is the key of a record in the records bucket.
func recordKey(kind, key string) ([]byte, error) {
	if kind == "" || strings.ContainsRune(kind, 0) {
		return nil, fmt.Errorf("record kind %q: %w", kind, ErrInvalid)
	}
	if key == "" {
		return nil, fmt.Errorf("record key of kind %s is empty: %w", kind, ErrInvalid)
	}
	return []byte(kind + "\x00" + key), nil
}

// Records returns every record of a kind, in key order.
func (s *BoltStore) Records(ctx context.Context, kind string) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := []byte(kind + "\x00")
	var out []Record
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			out = append(out, Record{Key: string(k[len(prefix):]), Value: bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the %s records: %w", kind, err)
	}
	return out, nil
}

// Record returns one record's value, or an error wrapping ErrNotFound.
func (s *BoltStore) Record(ctx context.Context, kind, key string) ([]byte, error) {
	k, err := recordKey(kind, key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var v []byte
	err = s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketRecords); b != nil {
			v = bytes.Clone(b.Get(k))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%s %q: %w", kind, key, ErrNotFound)
	}
	return v, nil
}

// ErrKeepRecord, returned by an UpdateRecord function, leaves the record as
// it was and makes UpdateRecord return nil.
var ErrKeepRecord = errors.New("keep the record as it is")

// UpdateRecord reads a record and writes what fn makes of it, in one
// transaction: fn gets the stored value (nil when there is none) and
// returns the new value, or nil to delete the record, or ErrKeepRecord to
// change nothing. An error from fn changes nothing and is returned.
func (s *BoltStore) UpdateRecord(ctx context.Context, kind, key string, fn func(old []byte) ([]byte, error)) error {
	k, err := recordKey(kind, key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		var old []byte
		if b != nil {
			old = bytes.Clone(b.Get(k))
		}
		v, err := fn(old)
		if err != nil {
			return err
		}
		if v == nil {
			if b == nil {
				return nil
			}
			return b.Delete(k)
		}
		if b == nil {
			if b, err = tx.CreateBucket(bucketRecords); err != nil {
				return err
			}
		}
		return b.Put(k, v)
	})
	if errors.Is(err, ErrKeepRecord) {
		return nil
	}
	return err
}

// HasURL returns the id of the current source in scope whose canonical URL
// is rawURL's, or "" when there is none.
func (s *BoltStore) HasURL(ctx context.Context, scope, rawURL string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var id string
	err := s.view(func(tx *bolt.Tx) error {
		id = string(tx.Bucket(bucketURLs).Get(urlKey(scope, rawURL)))
		return nil
	})
	return id, err
}
