package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func runCheck(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "check", "[flags]",
		"Verify that the store and the search index agree and that every passage and sentence span cuts exactly from its source's text; with --repair, rebuild what is derived (the index). Exits 1 when a problem remains")
	var lf libFlags
	lf.register(f)
	repair := f.Bool("repair", false, "rebuild the search index where it disagrees with the store, then check again")
	cfgPath := f.String("config", "", "serve's config file: check the index of a process that runs some of the shards (discord.shards) against the store it names")
	shardIDs := f.String("shards", "", "with --config: the shards the process runs, as given to its serve --shards")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if err := cfg.setShardIDs(*shardIDs); err != nil {
		return err
	}
	if lf.store == "" {
		lf.store = cfg.Store
	}
	if lf.data == "" {
		lf.data = cfg.DataDir
	}
	lf.partition = cfg.shards().Partition()
	if len(pos) > 0 {
		return usageError{"check takes no arguments: verbatim check [--repair] [--data DIR]"}
	}
	dir, err := lf.dataDir(e)
	if err != nil {
		return err
	}
	if !lf.shared(e) {
		if err := requireLibrary(dir, "check"); err != nil {
			return err
		}
	}
	rep, err := lf.check(ctx, e, dir)
	if err != nil {
		return checkError(e, dir, rep, err)
	}
	printCheck(e, rep)
	if rep.Clean() && (!*repair || rep.Pending() == 0) {
		return nil
	}
	if !*repair {
		if indexOnly(rep) {
			return fmt.Errorf("%d problems, all in the search index: run verbatim check --repair (the next start also repairs them)", len(rep.Problems)-rep.Pending())
		}
		return storeError(rep, "")
	}
	fmt.Fprintln(e.stdout, "repairing the search index…")
	opts, err := lf.options(ctx, e, dir)
	if err != nil {
		return err
	}
	if err := retrieval.Repair(ctx, opts); err != nil {
		return repairError(dir, rep, err)
	}
	if rep, err = lf.check(ctx, e, dir); err != nil {
		return checkError(e, dir, rep, err)
	}
	printCheck(e, rep)
	switch {
	case rep.Clean():
		return nil
	case indexOnly(rep):
		return fmt.Errorf("%d problems remain in the search index after repairing it: run verbatim check --repair again; if they stay, report it", len(rep.Problems)-rep.Pending())
	}
	return storeError(rep, " remain after repairing")
}

// storeError says what to do about problems in the store: the sources
// concerned are damaged in library.db and cannot be rebuilt.
func storeError(rep retrieval.CheckReport, remain string) error {
	ids := map[string]bool{}
	for _, p := range rep.Problems {
		if !p.InIndex {
			ids[p.Source] = true
		}
	}
	return fmt.Errorf("%d problems%s; library.db is damaged in %d sources (above), which cannot be rebuilt: restore them from a backup (verbatim import) or remove them (verbatim remove ID...), or save every whole source with verbatim export --salvage > salvage.jsonl and import that into a new data directory",
		len(rep.Problems)-rep.Pending(), remain, len(ids))
}

// requireLibrary returns why there is no library in dir for a command
// (verb) to work on: none at all, or a store lost next to its index.
func requireLibrary(dir, verb string) error {
	if _, err := os.Stat(filepath.Join(dir, "library.db")); err == nil {
		return nil
	}
	if err := retrieval.LostStore(dir); err != nil {
		return err
	}
	return fmt.Errorf("there is no library in %s to %s: give --data DIR or set VERBATIM_DATA", dir, verb)
}

// checkError says in one line why a check could not be done. A damaged
// store file names itself and what to do; the damaged pages are printed
// first.
func checkError(e *env, dir string, rep retrieval.CheckReport, err error) error {
	if errors.Is(err, corpus.ErrDamaged) || errors.Is(err, retrieval.ErrStoreLost) {
		for _, p := range rep.Problems {
			printProblem(e, p)
		}
		return err
	}
	return fmt.Errorf("checking the library in %s: %w", dir, err)
}

// repairError says why a repair failed, with what to do. A full disk
// leaves the store as it was: the advice is to free space, not to restore.
func repairError(dir string, rep retrieval.CheckReport, err error) error {
	if corpus.IsDiskFull(err) && !storeProblems(rep) {
		return fmt.Errorf("repairing the search index in %s: %w. The store is intact: once there is space, run verbatim check --repair", dir, err)
	}
	return fmt.Errorf("repairing the library in %s: %w", dir, openError(dir, err))
}

// indexOnly reports whether every problem is in the (derived) index.
func indexOnly(rep retrieval.CheckReport) bool { return !storeProblems(rep) }

// storeProblems reports whether any problem is in the store.
func storeProblems(rep retrieval.CheckReport) bool {
	for _, p := range rep.Problems {
		if !p.InIndex {
			return true
		}
	}
	return false
}

// printCheck prints a check's counts and each problem, one per line; the
// problems an interrupted write explains, in one line.
func printCheck(e *env, rep retrieval.CheckReport) {
	fmt.Fprintf(e.stdout, "%d sources (%d superseded), %d passages; %d sources in the search index\n",
		rep.Sources, rep.Superseded, rep.Passages, rep.IndexedSources)
	behind := 0
	for _, p := range rep.Problems {
		switch {
		case !p.Pending:
			printProblem(e, p)
		case p.Source == "":
			// The whole index is pending (its creation was interrupted):
			// the problem says so itself.
			fmt.Fprintf(e.stdout, "behind   index  library       %s\n", p.What)
		default:
			behind++
		}
	}
	if n := behind; n > 0 {
		fmt.Fprintf(e.stdout, "behind   index  library       the search index is behind the store after an interrupted write (%d sources not yet brought up to date); the next start, or verbatim check --repair, completes it\n", n)
	}
	switch {
	case rep.Clean() && rep.Pending() > 0:
		fmt.Fprintln(e.stdout, "ok: every stored source is whole and nothing is lost; the search index is behind the store, and the next start completes it")
	case rep.Clean():
		fmt.Fprintln(e.stdout, "ok: the store and the search index agree, and every span cuts exactly from its text")
	}
}

// printProblem prints one problem on its line.
func printProblem(e *env, p retrieval.Problem) {
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
