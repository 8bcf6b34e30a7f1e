package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/verbatim-bot/verbatim/corpus"
)

func runRestore(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "restore", "[flags] VERSION_ID",
		"Make an earlier version of a refreshed article current again (its id is the one refresh printed as kept, or 'previous version' in verbatim show); the version that was current is kept, no longer answering")
	var lf libFlags
	lf.register(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give exactly one version id (see 'previous version' in verbatim show ID)"}
	}
	lib, err := lf.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	id := pos[0]
	restored, replaced, err := lib.RestoreVersion(ctx, id)
	switch {
	case errors.Is(err, corpus.ErrNotFound):
		return fmt.Errorf("no source %q in the library (see 'verbatim sources')", id)
	case errors.Is(err, corpus.ErrCurrent):
		return fmt.Errorf("source %s is already the current version; restore takes an earlier one (see 'previous version' in verbatim show %s)", id, id)
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "restored   %s  %q is current again; %s is kept, no longer answering (verbatim remove %s removes that version alone)\n",
		restored.ID, restored.Title, replaced.ID, replaced.ID)
	return nil
}
