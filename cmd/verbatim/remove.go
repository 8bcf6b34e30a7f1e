package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/verbatim-bot/verbatim/corpus"
)

func runRemove(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "remove", "ID...", "Remove sources from the library; they never answer again. Removing an article's current version removes its earlier versions too; removing an earlier version removes it alone")
	var lf libFlags
	lf.register(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"no source id given (see 'verbatim sources')"}
	}
	lib, err := lf.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	var missing []string
	removed := 0
	for _, id := range pos {
		info, err := lib.Remove(ctx, id, "")
		switch {
		case errors.Is(err, corpus.ErrNotFound):
			missing = append(missing, fmt.Sprintf("%q", id))
			fmt.Fprintf(e.stdout, "not found  %s  no such source in the library\n", id)
			continue
		case err != nil:
			// The library itself failed (read-only, a full disk, damage):
			// the other ids would fail the same way.
			if removed > 0 {
				return fmt.Errorf("removing %s: %w (%d removed before it)", id, err, removed)
			}
			return err
		case info.SupersededBy != "":
			fmt.Fprintf(e.stdout, "removed    %s  %q (an earlier version; the article stays)\n", info.ID, info.Title)
		default:
			fmt.Fprintf(e.stdout, "removed    %s  %q\n", info.ID, info.Title)
		}
		removed++
	}
	if len(missing) == 0 {
		return nil
	}
	msg := fmt.Sprintf("no source %s in the library (see 'verbatim sources')", strings.Join(missing, ", "))
	if removed > 0 {
		msg += fmt.Sprintf("; the other %d were removed", removed)
	}
	return errors.New(msg)
}
