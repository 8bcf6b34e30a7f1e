package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/feeds"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func runExport(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "export", "[--salvage] [flags] > FILE",
		"Write the whole library to standard output as a backup (JSON Lines): every source with its snapshot and provenance, superseded versions and seeds included, in id order; `verbatim import` restores it. With --salvage, read a damaged library.db page by page and write every source still whole")
	var lf libFlags
	lf.register(f)
	salvage := f.Bool("salvage", false, "read a damaged library.db without trusting it and write every source that can still be read whole (each checked as import checks it); those that cannot are named on standard error")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"export takes no arguments; it writes to standard output: verbatim export > backup.jsonl"}
	}
	if isTerminal(e.stdout) {
		return usageError{"standard output is a terminal; redirect it to a file: verbatim export > backup.jsonl"}
	}
	dir, err := lf.dataDir(e)
	if err != nil {
		return err
	}
	if *salvage && lf.shared(e) {
		return usageError{"--salvage reads a damaged library.db; it has no use with --store (PostgreSQL keeps its own files sound)"}
	}
	if !lf.shared(e) {
		if err := requireLibrary(dir, "export"); err != nil {
			return err
		}
	}
	if *salvage {
		return runSalvage(ctx, e, dir)
	}
	lib, err := openForBackup(ctx, e, dir, &lf)
	if err != nil {
		return err
	}
	defer lib.Close()
	n, err := lib.Export(ctx, e.stdout, feeds.RecordKind)
	if errors.Is(err, corpus.ErrDamaged) {
		return fmt.Errorf("the output is incomplete, %d sources: %w", n, err)
	}
	if err != nil {
		return fmt.Errorf("%w (the output is incomplete: export again)", err)
	}
	fmt.Fprintf(e.stderr, "exported %d sources\n", n)
	return nil
}

// runSalvage writes what can be read of a damaged store in dir as a backup,
// naming on stderr each source it could not save whole.
func runSalvage(ctx context.Context, e *env, dir string) error {
	n, err := corpus.Salvage(ctx, filepath.Join(dir, "library.db"), e.stdout, func(s corpus.SalvageNote) {
		what := "note"
		if s.Lost {
			what = "lost"
		}
		id, title := s.ID, ""
		if id == "" {
			id = "-"
		}
		if s.Title != "" {
			title = fmt.Sprintf(" %q", s.Title)
		}
		fmt.Fprintf(e.stderr, "%s     %-12s%s: %s\n", what, id, title, s.What)
	})
	if err != nil {
		return fmt.Errorf("%w (the output is incomplete)", err)
	}
	if n.Lost > 0 || n.DamagedPages > 0 {
		return fmt.Errorf("salvaged %d sources into a backup that imports as it is; %d more could not be read whole (named above): restore those from an older backup if you have one", n.Saved, n.Lost)
	}
	fmt.Fprintf(e.stderr, "salvaged %d sources, every one found whole\n", n.Saved)
	return nil
}

func runImport(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "import", "[flags] FILE|-",
		"Restore a backup written by `verbatim export` (from FILE, or standard input for -): every line is checked before anything is stored; sources already in the library are skipped. An empty library gets exactly what was exported, without the seed articles unless they were in it")
	var lf libFlags
	lf.register(f)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give one backup file, or - for standard input"}
	}
	name := pos[0]
	path, total := name, 0
	if name == "-" {
		name = "standard input"
		tmp, err := os.CreateTemp("", "verbatim-import-*.jsonl")
		if err != nil {
			return fmt.Errorf("keeping standard input to import it: %w (set TMPDIR to a writable directory)", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		path = tmp.Name()
		// Checked while it is copied, so a bad backup is refused without
		// reading it twice.
		_, total, err = corpus.VerifyBackup(ctx, io.TeeReader(e.stdin, tmp))
		if err == nil {
			err = tmp.Sync()
		}
		if err != nil {
			return importError(name, err)
		}
	}
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading the backup: %w", err)
	}
	defer file.Close()
	if name != "standard input" {
		if _, total, err = corpus.VerifyBackup(ctx, file); err != nil {
			return importError(name, err)
		}
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("reading the backup %s: %w", name, err)
		}
	}
	dir, err := lf.dataDir(e)
	if err != nil {
		return err
	}
	lib, err := openForBackup(ctx, e, dir, &lf)
	if err != nil {
		return err
	}
	defer lib.Close()
	bar := newProgress(e.stderr, "importing", total)
	st, err := lib.Import(ctx, file, func(st retrieval.ImportStats) { bar.set(st.Imported + st.Skipped) })
	if err != nil {
		return fmt.Errorf("%s: %w (%d sources were imported whole; importing again skips them)", name, err, st.Imported)
	}
	fmt.Fprintf(e.stdout, "imported %d sources (%d of them superseded versions, kept but not answering); skipped %d already in the library\n",
		st.Imported, st.Superseded, st.Skipped)
	if st.Records+st.RecordsSkipped > 0 {
		fmt.Fprintf(e.stdout, "imported %d followed feeds; kept %d the library already followed as they were\n", st.Records, st.RecordsSkipped)
	}
	return nil
}

// importError says why a backup was refused before anything was stored.
func importError(name string, err error) error {
	if errors.Is(err, corpus.ErrBadBackup) {
		return fmt.Errorf("%s: %w; nothing was imported (export the library again, or fix that line)", name, err)
	}
	return fmt.Errorf("reading the backup %s: %w; nothing was imported", name, err)
}

// openForBackup opens the library in dir without loading the seed articles:
// an export does not change the library, and an import into an empty one
// gives exactly what was exported.
func openForBackup(ctx context.Context, e *env, dir string, lf *libFlags) (*retrieval.Library, error) {
	opts, err := lf.options(ctx, e, dir)
	if err != nil {
		return nil, err
	}
	opts.NoSeed = true
	lib, err := retrieval.Open(ctx, opts)
	if err != nil {
		return nil, openError(dir, err)
	}
	return lib, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
