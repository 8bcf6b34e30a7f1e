package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/verbatim-bot/verbatim/corpus"
)

// ErrChangesPruned is what ChangesSince returns (wrapped) when the change
// log no longer holds every change after the generation asked for: the
// index that followed the log only that far must be reconciled with the
// whole store, which opening the library does (restart the process).
var ErrChangesPruned = errors.New("the store's change log was pruned past the generation this index followed")

// ChangesSince returns the changes committed after generation gen, in
// order, at most limit generations of them. Since every write holds the
// store's write lock until it commits, generations commit in order: a
// change after gen is never committed once a later one was read. When
// changes after gen were pruned, it returns ErrChangesPruned.
func (s *Store) ChangesSince(ctx context.Context, gen uint64, limit int) ([]corpus.Change, error) {
	// One statement, so the pruning mark and the log are read in one
	// snapshot.
	rows, err := s.pool.Query(ctx, `SELECT st.changes_pruned_through, c.generation, c.ids FROM store_state st
		LEFT JOIN LATERAL (SELECT generation, array_agg(id ORDER BY id) AS ids FROM changes
			WHERE generation > $1 GROUP BY generation ORDER BY generation LIMIT $2) c ON true
		ORDER BY c.generation`, int64(gen), limit)
	if err != nil {
		return nil, fmt.Errorf("reading the store's changes: %w", err)
	}
	var out []corpus.Change
	var pruned int64
	var g *int64
	var ids []string
	_, err = pgx.ForEachRow(rows, []any{&pruned, &g, &ids}, func() error {
		if g != nil {
			out = append(out, corpus.Change{Generation: uint64(*g), IDs: ids})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the store's changes: %w", err)
	}
	if int64(gen) < pruned {
		return nil, fmt.Errorf("%w (changes through generation %d were pruned, the index followed to %d): restart the process, which reconciles its index with the store",
			ErrChangesPruned, pruned, gen)
	}
	return out, nil
}

// PruneChanges deletes the change log through generation gen (at most the
// store's present generation) and records that it did: ChangesSince of an
// earlier generation then returns ErrChangesPruned.
func (s *Store) PruneChanges(ctx context.Context, gen uint64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var through int64
		if err := tx.QueryRow(ctx, `UPDATE store_state SET changes_pruned_through = GREATEST(changes_pruned_through, LEAST($1, generation))
			RETURNING changes_pruned_through`, int64(gen)).Scan(&through); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM changes WHERE generation <= $1`, through)
		return err
	})
	if err != nil {
		return fmt.Errorf("pruning the store's change log: %w", err)
	}
	return nil
}

// PruneChangeLog deletes the changes logged more than keep ago, and
// returns the generation the log is now pruned through (0: never pruned).
// A process following the log is at most seconds behind it; one that is
// further behind than keep (stalled, or its database connection lost that
// long) is told by ChangesSince, and reconciles its index when restarted.
func (s *Store) PruneChangeLog(ctx context.Context, keep time.Duration) (uint64, error) {
	var old *int64
	if err := s.pool.QueryRow(ctx, `SELECT max(generation) FROM changes WHERE at < now() - $1::interval`, keep).Scan(&old); err != nil {
		return 0, fmt.Errorf("pruning the store's change log: %w", err)
	}
	if old != nil {
		if err := s.PruneChanges(ctx, uint64(*old)); err != nil {
			return 0, err
		}
	}
	var through int64
	if err := s.pool.QueryRow(ctx, `SELECT changes_pruned_through FROM store_state`).Scan(&through); err != nil {
		return 0, fmt.Errorf("pruning the store's change log: %w", err)
	}
	return uint64(through), nil
}

// pollEvery is how often WaitChange looks at the generation when no
// notification comes (a listening connection lost, say).
const pollEvery = 2 * time.Second

// WaitChange returns when the store's generation may have passed gen: at
// once when it has, else on the next NOTIFY from a writer or the next poll,
// or when ctx ends.
func (s *Store) WaitChange(ctx context.Context, gen uint64) error {
	s.listenOnce.Do(s.startListening)
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if g, err := s.Generation(); err == nil && g > gen {
			return nil
		}
		t := time.NewTimer(pollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-ch:
			t.Stop()
		case <-t.C:
		}
	}
}

// startListening starts a goroutine that LISTENs on verbatim_changes and
// wakes WaitChange on each notification, reconnecting when the connection
// is lost; Close stops it.
func (s *Store) startListening() {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.mu.Lock()
	s.stop, s.done = stop, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			s.listen(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

// listen holds one connection listening until it fails or ctx ends.
func (s *Store) listen(ctx context.Context) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `LISTEN verbatim_changes`); err != nil {
		return
	}
	defer func() {
		// The connection goes back to the pool: stop listening on it.
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(c, `UNLISTEN *`); err != nil {
			conn.Conn().Close(c)
		}
	}()
	s.wake() // changes may have come while not listening
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			return
		}
		s.wake()
	}
}

// wake wakes every WaitChange.
func (s *Store) wake() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}
