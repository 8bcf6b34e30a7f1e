package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// addBatch is how many files one store transaction and index batch take.
const addBatch = 100

// addOptions are what `verbatim add` was told besides its paths.
type addOptions struct {
	lib   libFlags
	meta  corpus.Meta
	allow stringList
}

func runAdd(ctx context.Context, e *env, args []string) error {
	o, pos, err := parseAddFlags(e, args)
	if err != nil {
		return err
	}
	items, pre, err := collectAddItems(pos)
	if err != nil {
		return err
	}
	if len(items) > 1 && (o.meta.Title != "" || o.meta.URL != "") {
		return usageError{fmt.Sprintf("--title and --url describe one article, but %d files were given", len(items))}
	}
	a := &adder{e: e, meta: o.meta, fetcher: corpus.NewFetcher(corpus.FetchOptions{AllowHosts: o.allow})}
	for _, n := range pre {
		a.note(n)
	}
	if len(items) > 0 {
		lib, err := o.lib.open(ctx, e)
		if err != nil {
			return err
		}
		defer lib.Close()
		a.lib = lib
		if err := a.addAll(ctx, items); err != nil {
			return err
		}
	}
	summary := fmt.Sprintf("%d added, %d already in the library, %d refused", a.added, a.dups, a.refused)
	if a.skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", a.skipped)
	}
	fmt.Fprintln(e.stdout, summary)
	if a.refused > 0 {
		return fmt.Errorf("%d of %d files refused (reasons above)", a.refused, len(items)+a.refusedEarly)
	}
	return nil
}

// parseAddFlags reads add's flags and returns them with the paths and URLs.
func parseAddFlags(e *env, args []string) (addOptions, []string, error) {
	f := newFlagSet(e, "add", "[--title T] [--outlet O] [--published D] [--url U] [--scope S] [--note N] [--allow-host H] PATH|URL...",
		"Add articles to the library: files (.txt, .md, .html, .pdf), directories of them (recursively), or web pages by URL; given metadata wins over what is found in the article")
	var o addOptions
	o.lib.register(f)
	m := &o.meta
	f.StringVar(&m.Title, "title", "", "the article's title")
	f.StringVar(&m.Outlet, "outlet", "", "the outlet that published it")
	f.StringVar(&m.Published, "published", "", "publication date (2021-03-17, or as written: February 25)")
	f.StringVar(&m.URL, "url", "", "the article's address")
	f.StringVar(&m.Author, "author", "", "the article's author")
	f.StringVar(&m.Scope, "scope", corpus.GlobalScope, `"global" or the id of the Discord server that owns it`)
	f.StringVar(&m.Note, "note", "", "a note kept with the source")
	f.StringVar(&m.AddedBy, "added-by", "", "who adds it (default: cli:$USER, else cli: and the account's name)")
	f.Var(&o.allow, "allow-host", "a host that may be fetched even though it is private or loopback (repeatable; for local test servers)")
	pos, err := f.parse(args)
	if err != nil {
		return o, nil, err
	}
	if len(pos) == 0 {
		return o, nil, usageError{"no file or directory given"}
	}
	if !corpus.ValidScope(m.Scope) {
		return o, nil, usageError{fmt.Sprintf("--scope must be %q or a server id, not %q", corpus.GlobalScope, m.Scope)}
	}
	if m.Published != "" {
		if err := corpus.CheckPublished(m.Published); err != nil {
			return o, nil, usageError{fmt.Sprintf("--published must be a date that exists, like 2021-03-17 or February 25, not %q", m.Published)}
		}
	}
	if m.AddedBy == "" {
		m.AddedBy = cliUser(e)
	}
	return o, pos, nil
}

// collectAddItems turns add's arguments into what to add, URLs first, then
// files (directories expanded). notes are the arguments and directory
// entries that will not be added, each with its reason: a path that cannot
// be read is refused, a file a directory walk passes over is skipped. Only
// when there is nothing to add and nothing to report is it an error.
func collectAddItems(pos []string) (items []string, notes []addNote, err error) {
	var urls, paths []string
	for _, p := range pos {
		if isURL(p) {
			urls = append(urls, p)
		} else {
			paths = append(paths, p)
		}
	}
	files, notes := collectFiles(paths)
	items = append(urls, files...)
	if len(items) == 0 && len(notes) == 0 {
		return nil, nil, fmt.Errorf("no %s files found in %s", strings.Join(corpus.SupportedExtensions, ", "), strings.Join(pos, " "))
	}
	return items, notes, nil
}

// addNote is a path add does not take, and why: refused (a mistake: the
// run exits 1) or skipped (a directory entry passed over on purpose).
type addNote struct {
	path, reason string
	refused      bool
}

// adder adds files and URLs to a library, reporting a line for each, and
// counts the outcomes. Files are parsed one by one and stored in batches of
// addBatch; URLs are fetched and added one at a time.
type adder struct {
	lib     *retrieval.Library
	e       *env
	meta    corpus.Meta
	fetcher *corpus.Fetcher

	batch                []corpus.Draft
	paths                []string // batch[i] came from paths[i]
	added, dups, refused int
	skipped              int
	refusedEarly         int // paths refused before the library was opened
}

// note prints the line of a path that is not added and counts it.
func (a *adder) note(n addNote) {
	if n.refused {
		a.refused++
		a.refusedEarly++
		fmt.Fprintf(a.e.stdout, "refused    %s  %s\n", n.path, n.reason)
		return
	}
	a.skipped++
	fmt.Fprintf(a.e.stdout, "skipped    %s  %s\n", n.path, n.reason)
}

// addAll adds every item (a path or a URL), with a progress line.
func (a *adder) addAll(ctx context.Context, items []string) error {
	bar := newProgress(a.e.stderr, "adding", len(items))
	for n, item := range items {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped after %d files: %w", a.added+a.dups+a.refused, err)
		}
		if err := a.addItem(ctx, item); err != nil {
			return err
		}
		bar.set(n + 1)
	}
	return a.flush(ctx)
}

// addItem adds a URL at once, or parses a file into the batch (storing the
// batch when it is full). Only the library failing is an error; an item
// refused is reported and counted.
func (a *adder) addItem(ctx context.Context, item string) error {
	if isURL(item) {
		if err := webScheme(item); err != nil {
			a.report(item, corpus.Source{}, err)
			return nil
		}
		src, err := a.addURL(ctx, item)
		a.report(item, src, err)
		return nil
	}
	d, err := a.parseFile(ctx, item)
	if err != nil {
		a.report(item, corpus.Source{}, err)
		return nil
	}
	a.batch = append(a.batch, d)
	a.paths = append(a.paths, item)
	if len(a.batch) < addBatch {
		return nil
	}
	return a.flush(ctx)
}

// addURL fetches a web page through the guarded fetcher and adds it.
func (a *adder) addURL(ctx context.Context, raw string) (corpus.Source, error) {
	f, err := a.fetcher.Fetch(ctx, raw)
	if errors.Is(err, corpus.ErrBlockedAddress) {
		host := "HOST"
		if u, perr := url.Parse(raw); perr == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		return corpus.Source{}, fmt.Errorf("%w (to add from a server on this machine or network, as for a test, give --allow-host %s)", err, host)
	}
	if err != nil {
		return corpus.Source{}, err
	}
	d, err := corpus.FetchedDraft(ctx, f, a.meta)
	if err != nil {
		return corpus.Source{}, err
	}
	return a.lib.Add(ctx, d)
}

// parseFile reads and parses one file into a draft.
func (a *adder) parseFile(ctx context.Context, path string) (corpus.Draft, error) {
	data, err := readArticleFile(path)
	if err != nil {
		return corpus.Draft{}, err
	}
	return corpus.FileDraft(ctx, path, data, a.meta)
}

// flush stores the batch of parsed files in one go and reports each.
func (a *adder) flush(ctx context.Context) error {
	if len(a.batch) == 0 {
		return nil
	}
	added, err := a.lib.AddMany(ctx, a.batch)
	if err != nil {
		return fmt.Errorf("storing %d files: %w", len(a.batch), err)
	}
	for i, r := range added {
		a.report(a.paths[i], r.Source, r.Err)
	}
	a.batch, a.paths = a.batch[:0], a.paths[:0]
	return nil
}

// report prints the line of one item and counts it.
func (a *adder) report(path string, src corpus.Source, err error) {
	var exists *corpus.ExistsError
	switch {
	case errors.As(err, &exists):
		a.dups++
		fmt.Fprintf(a.e.stdout, "duplicate  %s  already in the library as %s (%q)\n", path, exists.ID, exists.Title)
	case err != nil:
		a.refused++
		fmt.Fprintf(a.e.stdout, "refused    %s  %s\n", path, err)
	default:
		a.added++
		fmt.Fprintf(a.e.stdout, "added      %s  %s  %q (%s, %s, %d passages)\n", path, src.ID, src.Title,
			orUnknown(src.Outlet), orDash(src.Published), src.PassageCount)
	}
}

// readArticleFile reads a regular file of at most corpus.MaxFileBytes. A
// FIFO would block the run and a device (/dev/zero) would never end, so
// anything but a regular file is refused before it is opened, and the read
// stops past the limit even if the file grows meanwhile.
func readArticleFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if err := regularFile(st); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if err := regularFile(st); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, corpus.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if len(data) > corpus.MaxFileBytes {
		return nil, fmt.Errorf("over the %d MiB limit for an article file (%d bytes or more); add just the article", corpus.MaxFileBytes>>20, len(data))
	}
	return data, nil
}

// regularFile refuses what is not a regular file, or is over the size limit.
func regularFile(st fs.FileInfo) error {
	if !st.Mode().IsRegular() {
		kind := "a special file"
		switch m := st.Mode(); {
		case m&fs.ModeNamedPipe != 0:
			kind = "a named pipe"
		case m&fs.ModeDevice != 0:
			kind = "a device"
		case m&fs.ModeSocket != 0:
			kind = "a socket"
		}
		return fmt.Errorf("not a regular file (%s); add article files or directories of them", kind)
	}
	if st.Size() > corpus.MaxFileBytes {
		return fmt.Errorf("over the %d MiB limit for an article file (%d bytes); add just the article", corpus.MaxFileBytes>>20, st.Size())
	}
	return nil
}

// schemeRe matches an argument that begins like a URL (scheme://).
var schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// isURL reports whether an argument names a web page rather than a file:
// anything that begins scheme:// (HTTP://, ftp://) is taken for a URL, so
// that a URL of a scheme add cannot fetch is refused as one rather than
// looked for on disk.
func isURL(s string) bool { return schemeRe.MatchString(s) }

// webScheme refuses a URL that is not http or https (in any case).
func webScheme(raw string) error {
	scheme, _, _ := strings.Cut(raw, "://")
	if s := strings.ToLower(scheme); s != "http" && s != "https" {
		return fmt.Errorf("only http and https URLs can be added, not %s://", s)
	}
	return nil
}

// cliUser is who adds from the command line when --added-by is not given:
// cli:$USER, else cli: and the account's name, else cli.
func cliUser(e *env) string {
	if u := e.getenv("USER"); u != "" {
		return "cli:" + u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// collectFiles expands directories (recursively) into files; files named
// explicitly are kept whatever their type so that the reason they are
// refused is reported. A path that cannot be read is refused; inside a
// directory, hidden entries, links (never followed), special files and
// files of other types are skipped, each with a note saying so.
func collectFiles(paths []string) (out []string, notes []addNote) {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			notes = append(notes, addNote{path: p, reason: "cannot read it: " + pathError(err), refused: true})
			continue
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == p {
					return err
				}
				notes = append(notes, addNote{path: path, reason: "cannot read it: " + pathError(err), refused: true})
				return nil
			}
			if path == p {
				return nil
			}
			skip := func(reason string) error {
				notes = append(notes, addNote{path: path, reason: reason})
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			switch t := d.Type(); {
			case strings.HasPrefix(d.Name(), "."):
				if d.IsDir() {
					return skip("a hidden directory (not searched)")
				}
				return skip("a hidden file")
			case t&fs.ModeSymlink != 0:
				return skip("a symbolic link (links are not followed; add its target by name)")
			case d.IsDir():
				return nil
			case !t.IsRegular():
				return skip("not a regular file")
			case !corpus.Supported(d.Name()):
				return skip(fmt.Sprintf("not an article file (add %s files)", strings.Join(corpus.SupportedExtensions, ", ")))
			}
			out = append(out, path)
			return nil
		})
		if err != nil {
			notes = append(notes, addNote{path: p, reason: "cannot read the directory: " + pathError(err), refused: true})
		}
	}
	sort.Strings(out)
	return out, notes
}

// pathError is the reason of a file system error without the path, which
// the line it is printed on already names.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
