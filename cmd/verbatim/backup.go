package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func runExport(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "export", "[flags] > FILE",
		"Write the whole library to standard output as a backup (JSON Lines): every source with its snapshot and provenance, superseded versions and seeds included, in id order; `verbatim import` restores it")
	var lf libFlags
	lf.register(f)
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
	if _, err := os.Stat(filepath.Join(dir, "library.db")); err != nil {
		return fmt.Errorf("there is no library in %s to export: give --data DIR or set VERBATIM_DATA", dir)
	}
	lib, err := openForBackup(ctx, e, dir, &lf)
	if err != nil {
		return err
	}
	defer lib.Close()
	n, err := lib.Export(ctx, e.stdout)
	if err != nil {
		return fmt.Errorf("%w (the output is incomplete: export again)", err)
	}
	fmt.Fprintf(e.stderr, "exported %d sources\n", n)
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
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: dir, Logger: lf.logger(e), NoSeed: true})
	if err != nil {
		return nil, fmt.Errorf("opening the library in %s: %w", dir, err)
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
