package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/verbatim-bot/verbatim/corpus"
)

// checkRecordKey refuses what the embedded store refuses as a record key.
func checkRecordKey(kind, key string) error {
	if kind == "" || strings.ContainsRune(kind, 0) {
		return fmt.Errorf("record kind %q: %w", kind, corpus.ErrInvalid)
	}
	if key == "" {
		return fmt.Errorf("record key of kind %s is empty: %w", kind, corpus.ErrInvalid)
	}
	return nil
}

// Records returns every record of a kind, in key (byte) order.
func (s *Store) Records(ctx context.Context, kind string) ([]corpus.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT key, value FROM records WHERE kind = $1 ORDER BY key`, []byte(kind))
	if err != nil {
		return nil, fmt.Errorf("reading the %s records: %w", kind, err)
	}
	var out []corpus.Record
	var key, value []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &value}, func() error {
		out = append(out, corpus.Record{Key: string(key), Value: append([]byte(nil), value...)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the %s records: %w", kind, err)
	}
	return out, nil
}

// Record returns one record's value, or an error wrapping
// corpus.ErrNotFound.
func (s *Store) Record(ctx context.Context, kind, key string) ([]byte, error) {
	if err := checkRecordKey(kind, key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM records WHERE kind = $1 AND key = $2`, []byte(kind), []byte(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s %q: %w", kind, key, corpus.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateRecord reads a record and writes what fn makes of it, in one
// transaction that holds the store's write lock, so that two processes
// updating one record do not both read the old value.
func (s *Store) UpdateRecord(ctx context.Context, kind, key string, fn func(old []byte) ([]byte, error)) error {
	if err := checkRecordKey(kind, key); err != nil {
		return err
	}
	err := s.write(ctx, func(w *writeTx) error {
		var old []byte
		err := w.tx.QueryRow(ctx, `SELECT value FROM records WHERE kind = $1 AND key = $2`, []byte(kind), []byte(key)).Scan(&old)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		v, err := fn(old)
		if err != nil {
			return err
		}
		if v == nil {
			_, err = w.tx.Exec(ctx, `DELETE FROM records WHERE kind = $1 AND key = $2`, []byte(kind), []byte(key))
			return err
		}
		_, err = w.tx.Exec(ctx, `INSERT INTO records (kind, key, value) VALUES ($1, $2, $3)
			ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value`, []byte(kind), []byte(key), v)
		return err
	})
	if errors.Is(err, corpus.ErrKeepRecord) {
		return nil
	}
	return err
}
