// Package pgstore is the library's store of record on PostgreSQL: the
// corpus.Store contract, for operators who run several verbatim processes
// (shards) on one library. The embedded bbolt file stays the default.
//
// Every source is one row, whole (info and body as the same JSON the
// embedded store keeps, the snapshot as received), written in one
// transaction with its URL entry, so a source is stored whole or not at
// all; ids and hashes are those corpus made. Every write transaction first
// locks the one store_state row, so writes are serialized across processes
// and each commits the next generation number, with a row in the changes
// table per source it touched and a NOTIFY on channel verbatim_changes:
// that is how the other processes bring their search indexes up to date
// (corpus.Changes). The schema is versioned (migrate.go).
package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/usererr"
)

// IsURL reports whether a store address names a PostgreSQL database
// (postgres:// or postgresql://).
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Store is a corpus.Store in a PostgreSQL database. It is safe for
// concurrent use, by many goroutines and many processes.
type Store struct {
	pool *pgxpool.Pool
	addr string // the URL without its password

	listenOnce sync.Once
	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on each notification
	stop       context.CancelFunc
	done       chan struct{}
}

var (
	_ corpus.Store   = (*Store)(nil)
	_ corpus.Changes = (*Store)(nil)
)

// Open connects to the database at rawURL and brings its schema up to
// date.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	addr := redact(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", addr, err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to %s: %w", addr, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("preparing the store in %s: %w", addr, err)
	}
	return &Store{pool: pool, addr: addr, changed: make(chan struct{})}, nil
}

// redact returns a database URL without its password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}

// Path returns the database's address without its password.
func (s *Store) Path() string { return s.addr }

// ReadOnly is false: a database the role cannot write to fails each write.
func (s *Store) ReadOnly() bool { return false }

// Damaged is nil: PostgreSQL keeps its own files sound.
func (s *Store) Damaged() error { return nil }

// Close stops listening for changes and closes the connections.
func (s *Store) Close() error {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	s.pool.Close()
	return nil
}

// body is the stored part of a source that listings do not need, encoded
// as the embedded store encodes it.
type body struct {
	Text      string           `json:"text"`
	Passages  []corpus.Passage `json:"passages"`
	Sentences []corpus.Span    `json:"sentences"`
}

// write runs fn in one transaction that holds the store's write lock; the
// generation grows and the changes are logged when fn touched a source or
// the seed mark (w.bump).
func (s *Store) write(ctx context.Context, fn func(w *writeTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		w := &writeTx{ctx: ctx, tx: tx}
		if err := tx.QueryRow(ctx, `SELECT generation FROM store_state FOR UPDATE`).Scan(&w.gen); err != nil {
			return fmt.Errorf("locking the store: %w", err)
		}
		if err := fn(w); err != nil {
			return err
		}
		if !w.bump && len(w.touched) == 0 {
			return nil
		}
		gen := w.gen + 1
		if _, err := tx.Exec(ctx, `UPDATE store_state SET generation = $1`, gen); err != nil {
			return err
		}
		if len(w.touched) > 0 {
			ids := make([]string, 0, len(w.touched))
			for id := range w.touched {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			if _, err := tx.Exec(ctx, `INSERT INTO changes (generation, id) SELECT $1, unnest($2::text[])`, gen, ids); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify('verbatim_changes', $1)`, fmt.Sprint(gen))
		return err
	})
}

// writeTx is one write transaction.
type writeTx struct {
	ctx     context.Context
	tx      pgx.Tx
	gen     int64
	bump    bool
	touched map[string]bool
}

func (w *writeTx) touch(id string) {
	if w.touched == nil {
		w.touched = map[string]bool{}
	}
	w.touched[id] = true
}

// info reads one source's info.
func (w *writeTx) info(id string) (corpus.Info, error) {
	var b []byte
	err := w.tx.QueryRow(w.ctx, `SELECT info FROM sources WHERE id = $1`, id).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return corpus.Info{}, fmt.Errorf("source %q: %w", id, corpus.ErrNotFound)
	}
	if err != nil {
		return corpus.Info{}, err
	}
	var info corpus.Info
	if err := json.Unmarshal(b, &info); err != nil {
		return corpus.Info{}, fmt.Errorf("decoding source %s: %w", id, err)
	}
	return info, nil
}

// has reports whether source id is stored.
func (w *writeTx) has(id string) (bool, error) {
	var one int
	err := w.tx.QueryRow(w.ctx, `SELECT 1 FROM sources WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// putInfo rewrites one source's info (its version links).
func (w *writeTx) putInfo(info corpus.Info) error {
	b, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("encoding source %s: %w", info.ID, err)
	}
	w.touch(info.ID)
	_, err = w.tx.Exec(w.ctx, `UPDATE sources SET info = $2, superseded_by = $3 WHERE id = $1`, info.ID, b, info.SupersededBy)
	return err
}

// urlOwner returns the id the URL entry of (scope, rawURL) names, or "".
func (w *writeTx) urlOwner(scope, rawURL string) (string, error) {
	var id string
	err := w.tx.QueryRow(w.ctx, `SELECT id FROM source_urls WHERE scope = $1 AND url = $2`, scope, []byte(corpus.CanonicalURL(rawURL))).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

func (w *writeTx) setURL(scope, rawURL, id string) error {
	_, err := w.tx.Exec(w.ctx, `INSERT INTO source_urls (scope, url, id) VALUES ($1, $2, $3)
		ON CONFLICT (scope, url) DO UPDATE SET id = excluded.id`, scope, []byte(corpus.CanonicalURL(rawURL)), id)
	return err
}

func (w *writeTx) deleteURL(scope, rawURL string) error {
	_, err := w.tx.Exec(w.ctx, `DELETE FROM source_urls WHERE scope = $1 AND url = $2`, scope, []byte(corpus.CanonicalURL(rawURL)))
	return err
}

// exists returns the ExistsError for a source already in the library: the
// same id, or the same canonical URL in the same scope.
func (w *writeTx) exists(src corpus.Source) (*corpus.ExistsError, error) {
	id := src.ID
	if src.URL != "" {
		owner, err := w.urlOwner(src.Scope, src.URL)
		if err != nil {
			return nil, err
		}
		if owner != "" {
			id = owner
		}
	}
	info, err := w.info(id)
	if errors.Is(err, corpus.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &corpus.ExistsError{ID: info.ID, Title: info.Title}, nil
}

// put checks a source and writes it whole (over a source of the same id,
// as the embedded store does for seeds), with its URL entry.
func (w *writeTx) put(src corpus.Source) error {
	if err := src.Validate(); err != nil {
		return fmt.Errorf("storing source: %w", err)
	}
	info, err := json.Marshal(src.Info)
	if err != nil {
		return fmt.Errorf("encoding source %s: %w", src.ID, err)
	}
	bd, err := json.Marshal(body{Text: src.Text, Passages: src.Passages, Sentences: src.Sentences})
	if err != nil {
		return fmt.Errorf("encoding source %s: %w", src.ID, err)
	}
	_, err = w.tx.Exec(w.ctx, `INSERT INTO sources (id, scope, added_at, superseded_by, info, body, snapshot)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, added_at = excluded.added_at,
			superseded_by = excluded.superseded_by, info = excluded.info, body = excluded.body, snapshot = excluded.snapshot`,
		src.ID, src.Scope, src.AddedAt, src.SupersededBy, info, bd, src.Snapshot)
	if err != nil {
		return fmt.Errorf("storing source %s: %w", src.ID, err)
	}
	if src.URL != "" {
		if err := w.setURL(src.Scope, src.URL, src.ID); err != nil {
			return fmt.Errorf("storing source %s: %w", src.ID, err)
		}
	}
	w.touch(src.ID)
	return nil
}

// remove deletes one source's row (its URL entries go with it).
func (w *writeTx) remove(id string) error {
	w.touch(id)
	if _, err := w.tx.Exec(w.ctx, `DELETE FROM sources WHERE id = $1`, id); err != nil {
		return fmt.Errorf("removing source %s: %w", id, err)
	}
	return nil
}

// Put stores a source whole, after checking it; a source already held is
// refused with an *corpus.ExistsError.
func (s *Store) Put(ctx context.Context, src corpus.Source) error {
	return s.write(ctx, func(w *writeTx) error {
		e, err := w.exists(src)
		if err != nil {
			return err
		}
		if e != nil {
			return e
		}
		return w.put(src)
	})
}

// PutMany stores many sources in one transaction (see corpus.Store).
func (s *Store) PutMany(ctx context.Context, srcs []corpus.Source) (stored []int, dups map[int]*corpus.ExistsError, err error) {
	err = s.write(ctx, func(w *writeTx) error {
		stored, dups = nil, map[int]*corpus.ExistsError{}
		for i, src := range srcs {
			e, err := w.exists(src)
			if err != nil {
				return err
			}
			if e != nil {
				dups[i] = e
				continue
			}
			if err := w.put(src); err != nil {
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

// Supersede stores next as the new version of old, in one transaction.
func (s *Store) Supersede(ctx context.Context, oldID string, next corpus.Source) (corpus.Source, error) {
	err := s.write(ctx, func(w *writeTx) error {
		old, err := w.info(oldID)
		if err != nil {
			return err
		}
		if old.SupersededBy != "" {
			return fmt.Errorf("source %s was already replaced by %s", oldID, old.SupersededBy)
		}
		if ok, err := w.has(next.ID); err != nil || ok {
			if err == nil {
				err = &corpus.ExistsError{ID: next.ID, Title: next.Title}
			}
			return err
		}
		if old.URL != "" {
			if err := w.deleteURL(old.Scope, old.URL); err != nil {
				return err
			}
		}
		next.Previous = oldID
		if err := w.put(next); err != nil {
			return err
		}
		old.SupersededBy = next.ID
		return w.putInfo(old)
	})
	if err != nil {
		return corpus.Source{}, err
	}
	next.Previous = oldID
	return next, nil
}

// Remove deletes a source in one transaction: a current version with the
// earlier versions of its chain, an earlier version alone (the chain
// closes over the gap).
func (s *Store) Remove(ctx context.Context, id string) error {
	return s.write(ctx, func(w *writeTx) error {
		info, err := w.info(id)
		if err != nil {
			return err
		}
		if info.SupersededBy != "" {
			if err := w.remove(info.ID); err != nil {
				return err
			}
			return w.unlink(info)
		}
		for next := ""; ; {
			if err := w.remove(info.ID); err != nil {
				return err
			}
			next, id = info.ID, info.Previous
			if id == "" {
				return nil
			}
			if info, err = w.info(id); errors.Is(err, corpus.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			if info.SupersededBy != next {
				return nil
			}
		}
	})
}

// unlink takes the earlier version info out of its chain.
func (w *writeTx) unlink(info corpus.Info) error {
	next, err := w.info(info.SupersededBy)
	if errors.Is(err, corpus.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if next.Previous == info.ID {
		next.Previous = info.Previous
		if err := w.putInfo(next); err != nil {
			return err
		}
	}
	if info.Previous == "" {
		return nil
	}
	prev, err := w.info(info.Previous)
	if errors.Is(err, corpus.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if prev.SupersededBy == info.ID {
		prev.SupersededBy = next.ID
		return w.putInfo(prev)
	}
	return nil
}

// RestoreVersion makes the earlier version id current again (see
// corpus.BoltStore.RestoreVersion).
func (s *Store) RestoreVersion(ctx context.Context, id string) (replaced corpus.Info, err error) {
	err = s.write(ctx, func(w *writeTx) error {
		info, err := w.info(id)
		if err != nil {
			return err
		}
		if info.SupersededBy == "" {
			return fmt.Errorf("source %s: %w", id, corpus.ErrCurrent)
		}
		head, err := corpus.CurrentVersion(info, w.info)
		if err != nil {
			return err
		}
		if head.URL != "" {
			owner, err := w.urlOwner(head.Scope, head.URL)
			if err != nil {
				return err
			}
			if owner == head.ID {
				if err := w.deleteURL(head.Scope, head.URL); err != nil {
					return err
				}
			}
		}
		if info.URL != "" {
			other, err := w.urlOwner(info.Scope, info.URL)
			if err != nil {
				return err
			}
			if other != "" {
				return usererr.Errorf(usererr.Invalid, "Source %s cannot be made current again: its URL is now held by source %s.", id, other)
			}
			if err := w.setURL(info.Scope, info.URL, info.ID); err != nil {
				return err
			}
		}
		if err := w.unlink(info); err != nil {
			return err
		}
		if head, err = w.info(head.ID); err != nil {
			return err
		}
		head.SupersededBy = info.ID
		if err := w.putInfo(head); err != nil {
			return err
		}
		info.Previous, info.SupersededBy = head.ID, ""
		if err := w.putInfo(info); err != nil {
			return err
		}
		replaced = head
		return nil
	})
	return replaced, err
}

// Restore stores sources read from a backup exactly as they are, in one
// transaction (see corpus.BoltStore.Restore).
func (s *Store) Restore(ctx context.Context, srcs []corpus.Source) (stored []int, dups map[int]*corpus.ExistsError, err error) {
	err = s.write(ctx, func(w *writeTx) error {
		stored, dups = nil, map[int]*corpus.ExistsError{}
		for i, src := range srcs {
			var e *corpus.ExistsError
			if src.SupersededBy == "" {
				if e, err = w.exists(src); err != nil {
					return err
				}
			} else if ok, err := w.has(src.ID); err != nil {
				return err
			} else if ok {
				e = &corpus.ExistsError{ID: src.ID, Title: src.Title}
			}
			if e != nil {
				dups[i] = e
				continue
			}
			if err := w.restore(src); err != nil {
				return err
			}
			stored = append(stored, i)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("restoring %d sources: %w", len(srcs), err)
	}
	return stored, dups, nil
}

// restore writes a restored source as put does, except that a superseded
// version leaves its URL to whoever had it (or to no one).
func (w *writeTx) restore(src corpus.Source) error {
	if src.SupersededBy == "" || src.URL == "" {
		return w.put(src)
	}
	prev, err := w.urlOwner(src.Scope, src.URL)
	if err != nil {
		return err
	}
	if err := w.put(src); err != nil {
		return err
	}
	if prev != "" {
		return w.setURL(src.Scope, src.URL, prev)
	}
	return w.deleteURL(src.Scope, src.URL)
}

// read checks ctx before a read (each read is one statement, so it needs
// no transaction).
func (s *Store) read(ctx context.Context) error { return ctx.Err() }

// Get returns the source with the given id, or an error wrapping
// corpus.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (corpus.Source, error) {
	if err := s.read(ctx); err != nil {
		return corpus.Source{}, err
	}
	var iv, bv []byte
	err := s.pool.QueryRow(ctx, `SELECT info, body FROM sources WHERE id = $1`, id).Scan(&iv, &bv)
	if errors.Is(err, pgx.ErrNoRows) {
		return corpus.Source{}, fmt.Errorf("source %q: %w", id, corpus.ErrNotFound)
	}
	if err != nil {
		return corpus.Source{}, fmt.Errorf("reading source %s: %w", id, err)
	}
	return decode(id, iv, bv)
}

// decode makes a source of its stored info and body.
func decode(id string, iv, bv []byte) (corpus.Source, error) {
	var src corpus.Source
	var bd body
	if err := json.Unmarshal(iv, &src.Info); err != nil {
		return src, fmt.Errorf("source %s: its record cannot be decoded: %w", id, err)
	}
	if err := json.Unmarshal(bv, &bd); err != nil {
		return src, fmt.Errorf("source %s: its text cannot be decoded: %w", id, err)
	}
	src.Text, src.Passages, src.Sentences = bd.Text, bd.Passages, bd.Sentences
	return src, nil
}

// Info returns what the library knows of a source apart from its text.
func (s *Store) Info(ctx context.Context, id string) (corpus.Info, error) {
	if err := s.read(ctx); err != nil {
		return corpus.Info{}, err
	}
	var iv []byte
	err := s.pool.QueryRow(ctx, `SELECT info FROM sources WHERE id = $1`, id).Scan(&iv)
	if errors.Is(err, pgx.ErrNoRows) {
		return corpus.Info{}, fmt.Errorf("source %q: %w", id, corpus.ErrNotFound)
	}
	if err != nil {
		return corpus.Info{}, fmt.Errorf("reading source %s: %w", id, err)
	}
	var info corpus.Info
	if err := json.Unmarshal(iv, &info); err != nil {
		return info, fmt.Errorf("source %s: its record cannot be decoded: %w", id, err)
	}
	return info, nil
}

// Snapshot returns the bytes a source was made from, or nil if it has none.
func (s *Store) Snapshot(ctx context.Context, id string) ([]byte, error) {
	if err := s.read(ctx); err != nil {
		return nil, err
	}
	var snap []byte
	err := s.pool.QueryRow(ctx, `SELECT snapshot FROM sources WHERE id = $1`, id).Scan(&snap)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("source %q: %w", id, corpus.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the snapshot of %s: %w", id, err)
	}
	return snap, nil
}

// List returns the Info of every source, newest first (then by id).
func (s *Store) List(ctx context.Context) ([]corpus.Info, error) {
	if err := s.read(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, info FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	var out []corpus.Info
	var id string
	var iv []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &iv}, func() error {
		var info corpus.Info
		if err := json.Unmarshal(iv, &info); err != nil {
			return fmt.Errorf("source %s: its record cannot be decoded: %w", id, err)
		}
		out = append(out, info)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	corpus.SortNewestFirst(out)
	return out, nil
}

// IDs returns the id of every stored source, in byte order.
func (s *Store) IDs(ctx context.Context) ([]string, error) {
	if err := s.read(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM sources ORDER BY id`)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	return out, nil
}

// HasURL returns the id of the current source in scope whose canonical URL
// is rawURL's, or "".
func (s *Store) HasURL(ctx context.Context, scope, rawURL string) (string, error) {
	if err := s.read(ctx); err != nil {
		return "", err
	}
	var id string
	err := s.pool.QueryRow(ctx, `SELECT id FROM source_urls WHERE scope = $1 AND url = $2`, scope, []byte(corpus.CanonicalURL(rawURL))).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// walkSources is how many sources EachSource reads per query.
const walkSources = 64

// EachSource calls fn with every stored source, whole and with its
// snapshot, in id order, reading a few per query and calling fn outside
// it. A source that is not whole (corpus.CheckWhole) stops the walk.
func (s *Store) EachSource(ctx context.Context, fn func(corpus.Source) error) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, err := s.pool.Query(ctx, `SELECT id, info, body, snapshot FROM sources WHERE id > $1 ORDER BY id LIMIT $2`, after, walkSources)
		if err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		var chunk []corpus.Source
		var id string
		var iv, bv, snap []byte
		_, err = pgx.ForEachRow(rows, []any{&id, &iv, &bv, &snap}, func() error {
			src, err := decode(id, iv, bv)
			if err != nil {
				return err
			}
			src.Snapshot = snap
			if err := corpus.CheckWhole(&src); err != nil {
				return fmt.Errorf("source %s in %s is not whole: %w", id, s.addr, err)
			}
			chunk = append(chunk, src)
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		if len(chunk) == 0 {
			return nil
		}
		for _, src := range chunk {
			if err := fn(src); err != nil {
				return err
			}
		}
		after = chunk[len(chunk)-1].ID
	}
}

// Seeded reports whether the seed library was ever loaded.
func (s *Store) Seeded() (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var seeded bool
	err := s.pool.QueryRow(ctx, `SELECT seeded_at IS NOT NULL FROM store_state`).Scan(&seeded)
	return seeded, err
}

// Seed stores the given sources and marks the store seeded, in one
// transaction.
func (s *Store) Seed(ctx context.Context, srcs []corpus.Source) error {
	return s.write(ctx, func(w *writeTx) error {
		for _, src := range srcs {
			if err := w.put(src); err != nil {
				return fmt.Errorf("seeding: %w", err)
			}
		}
		w.bump = true
		_, err := w.tx.Exec(ctx, `UPDATE store_state SET seeded_at = now()`)
		return err
	})
}

// MarkSeeded records that the library had the seed articles; an earlier
// mark is kept.
func (s *Store) MarkSeeded(ctx context.Context) error {
	err := s.write(ctx, func(w *writeTx) error {
		tag, err := w.tx.Exec(ctx, `UPDATE store_state SET seeded_at = now() WHERE seeded_at IS NULL`)
		w.bump = err == nil && tag.RowsAffected() > 0
		return err
	})
	if err != nil {
		return fmt.Errorf("marking the library seeded: %w", err)
	}
	return nil
}

// Generation returns the number of the last committed change.
func (s *Store) Generation() (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var gen int64
	if err := s.pool.QueryRow(ctx, `SELECT generation FROM store_state`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("reading the store generation: %w", err)
	}
	return uint64(gen), nil
}
