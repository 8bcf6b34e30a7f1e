package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/corpus/storetest"
	"github.com/verbatim-bot/verbatim/pgstore"
	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
)

// TestPruneChangeLog: the changes logged longer ago than the retention
// are deleted, and only those; a follower current with the log reads on as
// before, across the pruning, while one whose generation was pruned past is
// told so (ErrChangesPruned), never handed a log with a hole in it.
func TestPruneChangeLog(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	s, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// A library on the database follows it all along, as serve's does.
	lib := openLibrary(t, url)

	start, err := s.Generation()
	if err != nil {
		t.Fatal(err)
	}
	var gens []uint64 // the generation of each put
	var srcs []corpus.Source
	for n := range 4 {
		src := storetest.NewSource(t, fmt.Sprintf("Ferry report %d\n\nThe %s committee approved %d grants for the island ferry on Tuesday, officials said.", n, committee(n), 10+n), corpus.Meta{Scope: corpus.GlobalScope}, 0)
		if err := s.Put(ctx, src); err != nil {
			t.Fatal(err)
		}
		g, err := s.Generation()
		if err != nil {
			t.Fatal(err)
		}
		gens, srcs = append(gens, g), append(srcs, src)
	}
	// The follower has followed them (a live follower is seconds behind).
	carried := func(n int) string { return "How many grants did the " + committee(n) + " committee approve?" }
	for n, src := range srcs {
		within(t, 5*time.Second, "following a put", func() bool { return answers(t, lib, carried(n), corpus.GlobalScope, src.ID) })
	}
	// The first two were logged two hours ago.
	if _, err := conn.Exec(ctx, `UPDATE changes SET at = now() - interval '2 hours' WHERE generation <= $1`, int64(gens[1])); err != nil {
		t.Fatal(err)
	}
	if through, err := s.PruneChangeLog(ctx, time.Hour); err != nil || through != gens[1] {
		t.Fatalf("PruneChangeLog(1h) = %d, %v; want pruned through %d", through, err, gens[1])
	}
	// Pruning again finds nothing older and keeps the mark.
	if through, err := s.PruneChangeLog(ctx, time.Hour); err != nil || through != gens[1] {
		t.Fatalf("PruneChangeLog(1h) again = %d, %v; want %d", through, err, gens[1])
	}
	for _, tc := range []struct {
		since  uint64
		want   []uint64 // generations returned
		pruned bool
	}{
		{start, nil, true},
		{gens[0], nil, true},
		{gens[1], gens[2:], false},
		{gens[2], gens[3:], false},
		{gens[3], nil, false},
	} {
		changes, err := s.ChangesSince(ctx, tc.since, 100)
		if tc.pruned {
			if !errors.Is(err, pgstore.ErrChangesPruned) {
				t.Errorf("since %d: %+v, %v; want ErrChangesPruned", tc.since, changes, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("since %d: %v", tc.since, err)
			continue
		}
		var got []uint64
		for _, c := range changes {
			got = append(got, c.Generation)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("since %d: generations %v, want %v", tc.since, got, tc.want)
		}
	}
	// The follower goes on: a change after the pruning reaches it.
	late := storetest.NewSource(t, "Ferry timetable\n\nThe quelvane timetable adds a night crossing on Fridays, the harbour office said.", corpus.Meta{Scope: corpus.GlobalScope}, 0)
	if err := s.Put(ctx, late); err != nil {
		t.Fatal(err)
	}
	within(t, 5*time.Second, "following a put after the pruning", func() bool {
		return answers(t, lib, "when does the quelvane timetable add a night crossing", corpus.GlobalScope, late.ID)
	})
	for n, src := range srcs {
		if !answers(t, lib, carried(n), corpus.GlobalScope, src.ID) {
			t.Errorf("after the pruning, the follower does not answer with ferry report %d", n)
		}
	}
	// Pruning past the store's generation prunes through it, no further.
	if err := s.PruneChanges(ctx, 1<<40); err != nil {
		t.Fatal(err)
	}
	now, err := s.Generation()
	if err != nil {
		t.Fatal(err)
	}
	if changes, err := s.ChangesSince(ctx, now, 100); err != nil || len(changes) != 0 {
		t.Errorf("since the present generation after pruning all: %+v, %v", changes, err)
	}
}

// committee is the made-up name of the committee of ferry report n, so
// that one question finds that report and no other.
func committee(n int) string { return "ferrovax" + string(rune('a'+n)) + "ine" }
