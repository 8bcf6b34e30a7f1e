package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/verbatim-bot/verbatim/usererr"
)

// A refreshed article is a chain of versions: each version names the one
// it replaced (Previous) and each replaced version names its successor
// (SupersededBy); the version that names no successor is current and is
// the only one that answers.

// ErrCurrent is wrapped by the error Restore returns for a version that is
// already current.
var ErrCurrent = errors.New("already the current version")

// getInfoTx reads one source's info in transaction tx.
func getInfoTx(tx *bolt.Tx, id string) (Info, error) {
	v := tx.Bucket(bucketInfo).Get([]byte(id))
	if v == nil {
		return Info{}, fmt.Errorf("source %q: %w", id, ErrNotFound)
	}
	var info Info
	if err := json.Unmarshal(v, &info); err != nil {
		return Info{}, fmt.Errorf("decoding source %s: %w", id, err)
	}
	return info, nil
}

// putInfoTx writes one source's info in transaction tx.
func putInfoTx(tx *bolt.Tx, info Info) error {
	b, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("encoding source %s: %w", info.ID, err)
	}
	return tx.Bucket(bucketInfo).Put([]byte(info.ID), b)
}

// Remove deletes a source in one transaction. Removing the current version
// of an article removes the article: the earlier versions a refresh kept of
// it (its Previous chain) go with it, since they would otherwise be left
// superseded by a source that no longer exists. Removing an earlier version
// removes that version alone, and the chain closes over the gap: a stub a
// refresh was forced to take, once an earlier version is restored, can be
// removed without the good versions. It returns an error wrapping
// ErrNotFound when id is not stored.
func (s *BoltStore) Remove(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		info, err := getInfoTx(tx, id)
		if err != nil {
			return err
		}
		if info.SupersededBy != "" {
			return removeVersionTx(tx, info)
		}
		for next := ""; ; {
			if err := removeTx(tx, info); err != nil {
				return err
			}
			next, id = info.ID, info.Previous
			if id == "" || tx.Bucket(bucketInfo).Get([]byte(id)) == nil {
				return nil // the chain ends, or at a version removed before
			}
			if info, err = getInfoTx(tx, id); err != nil {
				return err
			}
			if info.SupersededBy != next {
				return nil // not an earlier version of this one
			}
		}
	})
}

// removeVersionTx removes the earlier version info alone, joining its
// successor to its predecessor.
func removeVersionTx(tx *bolt.Tx, info Info) error {
	if err := removeTx(tx, info); err != nil {
		return err
	}
	return unlinkTx(tx, info)
}

// unlinkTx takes the earlier version info out of its chain: its successor
// now names its predecessor as Previous, and its predecessor is superseded
// by its successor. info's own record is left as it is.
func unlinkTx(tx *bolt.Tx, info Info) error {
	next, err := getInfoTx(tx, info.SupersededBy)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if next.Previous == info.ID {
		next.Previous = info.Previous
		if err := putInfoTx(tx, next); err != nil {
			return err
		}
	}
	if info.Previous == "" {
		return nil
	}
	prev, err := getInfoTx(tx, info.Previous)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if prev.SupersededBy == info.ID {
		prev.SupersededBy = next.ID
		return putInfoTx(tx, prev)
	}
	return nil
}

// CurrentVersion follows the versions of an article from info to the
// current one (the head of its chain), reading each next version with get;
// every store's RestoreVersion needs it. A chain that loops is an error.
func CurrentVersion(info Info, get func(id string) (Info, error)) (Info, error) {
	head := info
	seen := map[string]bool{info.ID: true}
	for head.SupersededBy != "" {
		if seen[head.SupersededBy] {
			return Info{}, fmt.Errorf("the versions of source %s form a loop at %s", info.ID, head.SupersededBy)
		}
		seen[head.SupersededBy] = true
		next, err := get(head.SupersededBy)
		if err != nil {
			return Info{}, fmt.Errorf("following the versions of %s: %w", info.ID, err)
		}
		head = next
	}
	return head, nil
}

// RestoreVersion makes the earlier version id of an article current again, in one
// transaction, and returns the version it replaced. The version is taken
// out of its place in the chain and put at its head: it now names the
// version that was current as its Previous, that version is kept (quotes
// given from it stay checkable) but superseded by it, and the article's
// URL names it again. Nothing is removed. It returns an error wrapping
// ErrNotFound for an unknown id and ErrCurrent for a current one.
func (s *BoltStore) RestoreVersion(ctx context.Context, id string) (replaced Info, err error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		info, err := getInfoTx(tx, id)
		if err != nil {
			return err
		}
		if info.SupersededBy == "" {
			return fmt.Errorf("source %s: %w", id, ErrCurrent)
		}
		head, err := CurrentVersion(info, func(id string) (Info, error) { return getInfoTx(tx, id) })
		if err != nil {
			return err
		}
		if head.URL != "" {
			key := urlKey(head.Scope, head.URL)
			if string(tx.Bucket(bucketURLs).Get(key)) == head.ID {
				if err := tx.Bucket(bucketURLs).Delete(key); err != nil {
					return err
				}
			}
		}
		if info.URL != "" {
			key := urlKey(info.Scope, info.URL)
			if other := tx.Bucket(bucketURLs).Get(key); other != nil {
				return usererr.Errorf(usererr.Invalid, "Source %s cannot be made current again: its URL is now held by source %s.", id, other)
			}
			if err := tx.Bucket(bucketURLs).Put(key, []byte(info.ID)); err != nil {
				return err
			}
		}
		// Take info out of the chain: its successor follows its predecessor.
		if err := unlinkTx(tx, info); err != nil {
			return err
		}
		if head, err = getInfoTx(tx, head.ID); err != nil {
			return err
		}
		head.SupersededBy = info.ID
		if err := putInfoTx(tx, head); err != nil {
			return err
		}
		info.Previous, info.SupersededBy = head.ID, ""
		if err := putInfoTx(tx, info); err != nil {
			return err
		}
		replaced = head
		return nil
	})
	return replaced, err
}
