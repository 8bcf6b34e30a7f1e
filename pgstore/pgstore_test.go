package pgstore_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/corpus/storetest"
	"github.com/verbatim-bot/verbatim/pgstore"
	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens a store in a new database.
func open(t *testing.T) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestContract holds the PostgreSQL store to the Store contract, against a
// real server.
func TestContract(t *testing.T) {
	t.Log(pgtest.Version())
	storetest.Run(t, func(t *testing.T) corpus.Store { return open(t) })
}

// TestMigrations: opening a database twice applies the schema once; a
// database of a newer schema is refused.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	for range 2 {
		s, err := pgstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, v int
	if err := conn.QueryRow(ctx, `SELECT count(*), max(version) FROM schema_version`).Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != pgstore.SchemaVersion() || v != pgstore.SchemaVersion() {
		t.Errorf("schema_version holds %d rows up to %d, want %d", n, v, pgstore.SchemaVersion())
	}
	if _, err := conn.Exec(ctx, `INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')`, v+1); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Open(ctx, url); err == nil || !strings.Contains(err.Error(), "newer than this verbatim knows") {
		t.Errorf("a newer schema: %v", err)
	}
}

// TestChangesReachAnotherProcess: what one store writes, another store on
// the same database hears of within a second (NOTIFY), with the ids it
// touched in its change log.
func TestChangesReachAnotherProcess(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	a, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	gen, err := a.Generation()
	if err != nil {
		t.Fatal(err)
	}
	src := storetest.NewSource(t, "A story\n\nThe council met on Tuesday to discuss the budget in full.", corpus.Meta{}, 0)
	woke := make(chan time.Time, 1)
	go func() {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := a.WaitChange(c, gen); err != nil {
			t.Error(err)
		}
		woke <- time.Now()
	}()
	time.Sleep(200 * time.Millisecond) // let a listen
	start := time.Now()
	if err := b.Put(ctx, src); err != nil {
		t.Fatal(err)
	}
	took := (<-woke).Sub(start)
	t.Logf("a heard of b's change after %s", took)
	if took > time.Second {
		t.Errorf("a heard of the change after %s", took)
	}
	if err := b.Remove(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	changes, err := a.ChangesSince(ctx, gen, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].Generation != gen+1 || changes[1].Generation != gen+2 ||
		len(changes[0].IDs) != 1 || changes[0].IDs[0] != src.ID || changes[1].IDs[0] != src.ID {
		t.Errorf("changes since %d: %+v", gen, changes)
	}
	if err := a.PruneChanges(ctx, gen+1); err != nil {
		t.Fatal(err)
	}
	if changes, err := a.ChangesSince(ctx, gen+1, 100); err != nil || len(changes) != 1 {
		t.Errorf("after pruning: %+v, %v", changes, err)
	}
	if _, err := a.ChangesSince(ctx, gen, 100); !errors.Is(err, pgstore.ErrChangesPruned) {
		t.Errorf("changes since a pruned generation: %v", err)
	}
}

func BenchmarkStore(b *testing.B) {
	s, err := pgstore.Open(context.Background(), pgtest.Database(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.Bench(b, s)
}
