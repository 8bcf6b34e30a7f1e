package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/verbatim-bot/verbatim/corpus"
)

func runRemove(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "remove", "ID...", "Remove sources from the library; they never answer again")
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
	for _, id := range pos {
		info, err := lib.Remove(ctx, id, "")
		if errors.Is(err, corpus.ErrNotFound) {
			return fmt.Errorf("no source %q in the library (see 'verbatim sources')", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s %q\n", info.ID, info.Title)
	}
	return nil
}
