package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/verbatim-bot/verbatim/corpus"
)

// ChangesSince returns the changes committed after generation gen, in
// order, at most limit generations of them. Since every write holds the
// store's write lock until it commits, generations commit in order: a
// change after gen is never committed once a later one was read.
func (s *Store) ChangesSince(ctx context.Context, gen uint64, limit int) ([]corpus.Change, error) {
	rows, err := s.pool.Query(ctx, `SELECT generation, array_agg(id ORDER BY id) FROM changes
		WHERE generation > $1 GROUP BY generation ORDER BY generation LIMIT $2`, int64(gen), limit)
	if err != nil {
		return nil, fmt.Errorf("reading the store's changes: %w", err)
	}
	var out []corpus.Change
	var g int64
	var ids []string
	_, err = pgx.ForEachRow(rows, []any{&g, &ids}, func() error {
		out = append(out, corpus.Change{Generation: uint64(g), IDs: ids})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the store's changes: %w", err)
	}
	return out, nil
}

// PruneChanges deletes the change log up to generation gen (keep it for
// as long as a process's index may be that far behind; an index further
// behind is reconciled with the whole store at its next start).
func (s *Store) PruneChanges(ctx context.Context, gen uint64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM changes WHERE generation <= $1`, int64(gen))
	return err
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
