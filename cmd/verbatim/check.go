package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/verbatim-bot/verbatim/retrieval"
)

func runCheck(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "check", "[flags]",
		"Verify that the store and the search index agree and that every passage and sentence span cuts exactly from its source's text; with --repair, rebuild what is derived (the index). Exits 1 when a problem remains")
	var lf libFlags
	lf.register(f)
	repair := f.Bool("repair", false, "rebuild the search index where it disagrees with the store, then check again")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"check takes no arguments: verbatim check [--repair] [--data DIR]"}
	}
	dir, err := lf.dataDir(e)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "library.db")); err != nil {
		return fmt.Errorf("there is no library in %s to check: give --data DIR or set VERBATIM_DATA", dir)
	}
	rep, err := retrieval.Check(ctx, dir)
	if err != nil {
		return fmt.Errorf("checking the library in %s: %w", dir, err)
	}
	printCheck(e, rep)
	if rep.Clean() {
		return nil
	}
	if !*repair {
		if indexOnly(rep) {
			return fmt.Errorf("%d problems, all in the search index: run verbatim check --repair (the next start also repairs them)", len(rep.Problems))
		}
		return fmt.Errorf("%d problems; the store's cannot be rebuilt: restore those sources from a backup (verbatim import) or remove them", len(rep.Problems))
	}
	fmt.Fprintln(e.stdout, "repairing the search index…")
	if err := retrieval.Repair(ctx, retrieval.Options{Dir: dir, Logger: lf.logger(e)}); err != nil {
		return fmt.Errorf("repairing the library in %s: %w", dir, err)
	}
	if rep, err = retrieval.Check(ctx, dir); err != nil {
		return fmt.Errorf("checking the library in %s after repairing: %w", dir, err)
	}
	printCheck(e, rep)
	if !rep.Clean() {
		return fmt.Errorf("%d problems remain after repairing; the store's cannot be rebuilt: restore those sources from a backup (verbatim import) or remove them", len(rep.Problems))
	}
	return nil
}

// indexOnly reports whether every problem is in the (derived) index.
func indexOnly(rep retrieval.CheckReport) bool {
	for _, p := range rep.Problems {
		if !p.InIndex {
			return false
		}
	}
	return true
}

// printCheck prints a check's counts and each problem, one per line.
func printCheck(e *env, rep retrieval.CheckReport) {
	fmt.Fprintf(e.stdout, "%d sources (%d superseded), %d passages; %d sources in the search index\n",
		rep.Sources, rep.Superseded, rep.Passages, rep.IndexedSources)
	for _, p := range rep.Problems {
		where := "store"
		if p.InIndex {
			where = "index"
		}
		id := p.Source
		if id == "" {
			id = "library"
		}
		fmt.Fprintf(e.stdout, "problem  %-5s  %-12s  %s\n", where, id, p.What)
	}
	if rep.Clean() {
		fmt.Fprintln(e.stdout, "ok: the store and the search index agree, and every span cuts exactly from its text")
	}
}
