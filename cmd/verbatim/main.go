// Command verbatim answers questions about the news only with verbatim,
// attributed quotes from a library of articles: from the terminal (ask, add,
// remove, sources, show) or as a Discord bot (serve).
//
// This package holds flags and wiring only; the work is done by corpus,
// retrieval and bot.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
	"github.com/verbatim-bot/verbatim/usererr"
)

// command is one subcommand of verbatim.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: where to write, and how to open the
// library once its flags are parsed.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	getenv         func(string) string
	// now is the clock relative dates are read by (--after 7d) and the
	// library keeps; nil is time.Now.
	now func() time.Time
}

// clock returns the command's clock.
func (e *env) clock() func() time.Time {
	if e.now == nil {
		return time.Now
	}
	return e.now
}

// usageError is a mistake in how a command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// reportedError is a failure the command has already reported in its own
// form (ask --json prints it as JSON); run only sets the exit status.
type reportedError struct{ err error }

func (e reportedError) Error() string { return e.err.Error() }
func (e reportedError) Unwrap() error { return e.err }

// errorCode names the kind of a failure for a program reading it:
// "usage" for a mistake in the command line, "damaged" for a damaged or
// lost library, "locked" when another process has it open, else the
// usererr code ("invalid", "not_found", "unavailable", …; "internal").
func errorCode(err error) string {
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return "usage"
	case errors.Is(err, corpus.ErrDamaged), errors.Is(err, retrieval.ErrStoreLost):
		return "damaged"
	case errors.Is(err, corpus.ErrLocked):
		return "locked"
	case errors.Is(err, corpus.ErrNotFound):
		return string(usererr.NotFound)
	}
	return string(usererr.CodeOf(err))
}

// checkFilters refuses, as a usage mistake, a scope that is neither
// "global" nor a server id and a date that is not one (YYYY-MM-DD, or
// relative to today: 7d, 2w, 3m, 1y, today, yesterday; see
// retrieval.ResolveDate), or dates in the wrong order. It returns the dates
// as ISO dates on the calendar of now.
func checkFilters(scope, after, before string, now time.Time) (string, string, error) {
	if scope != "" && !corpus.ValidScope(scope) {
		return "", "", usageError{fmt.Sprintf("--scope must be %q or a server id, not %q", corpus.GlobalScope, scope)}
	}
	dates := []struct{ name, value string }{{"after", after}, {"before", before}}
	for i, d := range dates {
		if d.value == "" {
			continue
		}
		v, err := retrieval.ResolveDate("--"+d.name, d.value, now)
		if err != nil {
			return "", "", usageError{err.Error()}
		}
		dates[i].value = v
	}
	after, before = dates[0].value, dates[1].value
	if after != "" && before != "" && after > before {
		return "", "", usageError{fmt.Sprintf("--after (%s) is later than --before (%s)", after, before)}
	}
	return after, before, nil
}

func commands() []command {
	return []command{
		{"ask", "[flags] QUESTION...", "answer a question with verbatim quotes from the library", runAsk},
		{"add", "[flags] PATH|URL...", "add articles (.txt, .md, .html, .pdf files, directories of them, or web pages by URL) to the library", runAdd},
		{"remove", "[flags] ID...", "remove sources from the library", runRemove},
		{"sources", "[flags]", "list the sources in the library", runSources},
		{"show", "[flags] ID", "show a source: its metadata and its text", runShow},
		{"check", "[--repair]", "verify that store and index agree and every span cuts exactly; --repair rebuilds the index", runCheck},
		{"refresh", "[flags] ID... | --all", "fetch web sources again; a changed article becomes a new version (a stub is held back)", runRefresh},
		{"compact", "[flags]", "merge the search index into one segment after a bulk load: faster answers", runCompact},
		{"restore", "[flags] VERSION_ID", "make an earlier version of a refreshed article current again", runRestore},
		{"export", "[flags] > FILE", "write the whole library to standard output as a backup (JSON Lines)", runExport},
		{"import", "[flags] FILE|-", "restore a backup written by export (- reads standard input)", runImport},
		{"feeds", "add URL | list | remove ID | poll", "follow outlets' feeds: their new articles are added when they are polled", runFeeds},
		{"serve", "[--config FILE]", "run the Discord bot (token from DISCORD_TOKEN)", runServe},
		{"eval", "[flags] QUESTIONS.yaml | --beir DIR", "measure answer quality (questions file or BEIR benchmark)", runEval},
		{"bench", "[flags]", "measure speed and memory on a generated corpus", runBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	boundMemory(os.Getenv)
	code := run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run runs one command line and returns the exit status: 0 success, 1
// failure, 2 misuse. Every failure prints one line saying what was wrong.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintln(e.stdout, versionLine(debug.ReadBuildInfo()))
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		var ue usageError
		var re reportedError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &re):
			if errors.As(re.err, &ue) {
				return 2
			}
			return 1
		case errors.As(err, &ue):
			fmt.Fprintf(e.stderr, "verbatim %s: %s (see 'verbatim %s -h')\n", c.name, ue.msg, c.name)
			return 2
		default:
			fmt.Fprintf(e.stderr, "verbatim %s: %s\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "verbatim: unknown command %q (see 'verbatim -h')\n", args[0])
	return 2
}

// versionLine says which verbatim this is, from the build information Go
// records in the binary: the module version (a release, or a
// pseudo-version), else the VCS revision it was built from (and whether
// the tree had changes), and the Go version.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "verbatim (version unknown: built without module information)"
	}
	version := bi.Main.Version
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" && (version == "" || version == "(devel)") {
		version = "revision " + rev[:min(12, len(rev))]
		if t := settings["vcs.time"]; t != "" {
			version += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			version += ", with uncommitted changes"
		}
	}
	if version == "" || version == "(devel)" {
		version = "development build (no version or VCS revision recorded in this binary)"
	}
	return fmt.Sprintf("verbatim %s, %s", version, bi.GoVersion)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "verbatim answers questions only with verbatim, attributed quotes from a library of news articles.")
	fmt.Fprintln(w, "\nUsage: verbatim COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  version  print which verbatim this is (also --version)")
	fmt.Fprintln(w, "\nExit status: 0 done; 1 it failed, or part of it did; 2 a mistake in the command line.")
	fmt.Fprintln(w, "Every command takes -h. The library lives in --data DIR, else $VERBATIM_DATA, else $XDG_DATA_HOME/verbatim (~/.local/share/verbatim).")
	fmt.Fprintln(w, "With --store postgres://… (or $VERBATIM_STORE) its store of record is that PostgreSQL database, and the directory holds the search index alone.")
}

// libFlags are the flags every command that opens the library shares.
type libFlags struct {
	data  string
	store string
	// partition is the part of the library the index holds (check
	// --config of a process running some shards); nil: all of it.
	partition *retrieval.Partition
	verbose   bool
}

func (lf *libFlags) register(fs *cmdFlags) {
	fs.StringVar(&lf.data, "data", "", "library directory (default $VERBATIM_DATA, else $XDG_DATA_HOME/verbatim)")
	fs.StringVar(&lf.store, "store", "", "the store of record: a postgres:// URL (default $VERBATIM_STORE, else library.db in the data directory, which then holds the search index alone)")
	fs.BoolVar(&lf.verbose, "v", false, "log what the library does (to stderr)")
}

// dataDir resolves the library directory: --data, $VERBATIM_DATA,
// $XDG_DATA_HOME/verbatim, ~/.local/share/verbatim.
func (lf *libFlags) dataDir(e *env) (string, error) {
	if lf.data != "" {
		return lf.data, nil
	}
	if d := e.getenv("VERBATIM_DATA"); d != "" {
		return d, nil
	}
	if d := e.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "verbatim"), nil
	}
	home := e.getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no data directory: give --data DIR or set VERBATIM_DATA (%w)", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "verbatim"), nil
}

// logger is the logger the flags ask for: warnings, or with -v everything
// the library does, to stderr.
func (lf *libFlags) logger(e *env) *slog.Logger {
	level := slog.LevelWarn
	if lf.verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// open opens the library the flags name.
func (lf *libFlags) open(ctx context.Context, e *env) (*retrieval.Library, error) {
	dir, err := lf.dataDir(e)
	if err != nil {
		return nil, err
	}
	opts, err := lf.options(ctx, e, dir)
	if err != nil {
		return nil, err
	}
	lib, err := retrieval.Open(ctx, opts)
	if err != nil {
		return nil, openError(dir, err)
	}
	return lib, nil
}

// openError says in one line why the library in dir could not be opened.
// A damaged or lost store names its file and says what to do itself.
func openError(dir string, err error) error {
	if errors.Is(err, corpus.ErrDamaged) || errors.Is(err, retrieval.ErrStoreLost) {
		return err
	}
	return fmt.Errorf("opening the library in %s: %w", dir, err)
}

// cmdFlags is a command's flag set with its help text.
type cmdFlags struct {
	*flag.FlagSet
	e                   *env
	name, args, summary string
}

// newFlagSet returns the flag set of a command. Errors in flags are reported
// in one line by run; the full usage is printed only for -h.
func newFlagSet(e *env, name, args, summary string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &cmdFlags{FlagSet: fs, e: e, name: name, args: args, summary: summary}
}

// help prints a command's usage and flags.
func (f *cmdFlags) help() {
	fmt.Fprintf(f.e.stderr, "Usage: verbatim %s %s\n\n%s.\n\nFlags:\n", f.name, f.args, f.summary)
	f.SetOutput(f.e.stderr)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// parse parses a command's flags, allowing flags after positional arguments
// ("verbatim ask did russia interfere --json").
func (f *cmdFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.help()
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
