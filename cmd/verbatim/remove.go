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
	failed := 0
	for _, id := range pos {
		info, err := lib.Remove(ctx, id, "")
		switch {
		case errors.Is(err, corpus.ErrNotFound):
			missing = append(missing, fmt.Sprintf("%q", id))
			fmt.Fprintf(e.stdout, "not found  %s  no such source in the library\n", id)
		case err != nil:
			failed++
			fmt.Fprintf(e.stdout, "failed     %s  %s\n", id, err)
		case info.SupersededBy != "":
			fmt.Fprintf(e.stdout, "removed    %s  %q (an earlier version; the article stays)\n", info.ID, info.Title)
		default:
			fmt.Fprintf(e.stdout, "removed    %s  %q\n", info.ID, info.Title)
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("no source %s in the library (see 'verbatim sources')", strings.Join(missing, ", ")))
	}
	if failed > 0 {
		problems = append(problems, fmt.Sprintf("%d could not be removed (reasons above)", failed))
	}
	if len(problems) == 0 {
		return nil
	}
	if done := len(pos) - len(missing) - failed; done > 0 {
		problems = append(problems, fmt.Sprintf("the other %d were removed", done))
	}
	return errors.New(strings.Join(problems, "; "))
}
