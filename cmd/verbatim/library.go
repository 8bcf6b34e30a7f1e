package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func runAdd(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "add", "[--title T] [--outlet O] [--published D] [--url U] [--scope S] [--note N] [--allow-host H] PATH|URL...",
		"Add articles to the library: files (.txt, .md, .html, .pdf), directories of them (recursively), or web pages by URL; given metadata wins over what is found in the article")
	var lf libFlags
	lf.register(f)
	var meta corpus.Meta
	f.StringVar(&meta.Title, "title", "", "the article's title")
	f.StringVar(&meta.Outlet, "outlet", "", "the outlet that published it")
	f.StringVar(&meta.Published, "published", "", "publication date (2021-03-17, or as written: February 25)")
	f.StringVar(&meta.URL, "url", "", "the article's address")
	f.StringVar(&meta.Author, "author", "", "the article's author")
	f.StringVar(&meta.Scope, "scope", corpus.GlobalScope, `"global" or the id of the Discord server that owns it`)
	f.StringVar(&meta.Note, "note", "", "a note kept with the source")
	f.StringVar(&meta.AddedBy, "added-by", "", "who adds it (default: cli:$USER)")
	var allow stringList
	f.Var(&allow, "allow-host", "a host that may be fetched even though it is private or loopback (repeatable; for local test servers)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"no file or directory given"}
	}
	if !corpus.ValidScope(meta.Scope) {
		return usageError{fmt.Sprintf("--scope must be %q or a server id, not %q", corpus.GlobalScope, meta.Scope)}
	}
	if meta.AddedBy == "" {
		meta.AddedBy = "cli:" + e.getenv("USER")
	}
	var urls, paths []string
	for _, p := range pos {
		if isURL(p) {
			urls = append(urls, p)
		} else {
			paths = append(paths, p)
		}
	}
	files, err := collectFiles(paths)
	if err != nil {
		return err
	}
	files = append(urls, files...)
	if len(files) == 0 {
		return fmt.Errorf("no %s files found in %s", strings.Join(corpus.SupportedExtensions, ", "), strings.Join(pos, " "))
	}
	if len(files) > 1 && (meta.Title != "" || meta.URL != "") {
		return usageError{fmt.Sprintf("--title and --url describe one article, but %d files were given", len(files))}
	}
	lib, err := lf.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()

	fetcher := corpus.NewFetcher(corpus.FetchOptions{AllowHosts: allow})
	var added, dups, refused int
	report := func(path string, src corpus.Source, err error) {
		var exists *corpus.ExistsError
		switch {
		case errors.As(err, &exists):
			dups++
			fmt.Fprintf(e.stdout, "duplicate  %s  already in the library as %s (%q)\n", path, exists.ID, exists.Title)
		case err != nil:
			refused++
			fmt.Fprintf(e.stdout, "refused    %s  %s\n", path, err)
		default:
			added++
			fmt.Fprintf(e.stdout, "added      %s  %s  %q (%s, %s, %d passages)\n", path, src.ID, src.Title,
				orUnknown(src.Outlet), orDash(src.Published), src.PassageCount)
		}
	}
	// Files are parsed one by one and stored in batches (one store
	// transaction and one index batch per 100 files); URLs one at a time.
	type parsed struct {
		path string
		src  corpus.Source
	}
	var batch []parsed
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		srcs := make([]corpus.Source, len(batch))
		for i, p := range batch {
			srcs[i] = p.src
		}
		dupErrs, err := lib.AddMany(ctx, srcs)
		if err != nil {
			return fmt.Errorf("storing %d files: %w", len(batch), err)
		}
		for i, p := range batch {
			if d, ok := dupErrs[i]; ok {
				report(p.path, p.src, d)
			} else {
				report(p.path, p.src, nil)
			}
		}
		batch = batch[:0]
		return nil
	}
	bar := newProgress(e.stderr, "adding", len(files))
	for n, path := range files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped after %d files: %w", added+dups+refused, err)
		}
		if isURL(path) {
			src, err := addURL(ctx, lib, fetcher, path, meta)
			report(path, src, err)
		} else if src, err := parseFile(ctx, lib, path, meta); err != nil {
			report(path, src, err)
		} else {
			batch = append(batch, parsed{path, src})
			if len(batch) == 100 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		bar.set(n + 1)
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d added, %d already in the library, %d refused\n", added, dups, refused)
	if refused > 0 {
		return fmt.Errorf("%d of %d files refused (reasons above)", refused, len(files))
	}
	return nil
}

// parseFile reads and parses one file into a source (not yet added).
func parseFile(ctx context.Context, lib *retrieval.Library, path string, meta corpus.Meta) (corpus.Source, error) {
	data, err := readArticleFile(path)
	if err != nil {
		return corpus.Source{}, err
	}
	doc, err := corpus.ParseFile(ctx, filepath.Base(path), data)
	if err != nil {
		return corpus.Source{}, err
	}
	meta.Origin = filepath.Base(path)
	meta.Snapshot, meta.SnapshotType = data, corpus.MediaType(path)
	return lib.NewSource(doc, meta)
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

// addURL fetches a web page (through the guarded fetcher), parses it and
// adds it.
func addURL(ctx context.Context, lib *retrieval.Library, fetcher *corpus.Fetcher, raw string, meta corpus.Meta) (corpus.Source, error) {
	f, err := fetcher.Fetch(ctx, raw)
	if err != nil {
		return corpus.Source{}, err
	}
	doc, err := corpus.ParseFetched(ctx, f)
	if err != nil {
		return corpus.Source{}, err
	}
	meta.Origin = f.URL
	meta.Snapshot, meta.SnapshotType, meta.FetchedAt = f.Body, f.ContentType, f.FetchedAt
	src, err := lib.NewSource(doc, meta)
	if err != nil {
		return corpus.Source{}, err
	}
	if err := lib.Add(ctx, src); err != nil {
		return corpus.Source{}, err
	}
	return src, nil
}

// isURL reports whether an argument names a web page rather than a file.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// collectFiles expands directories (recursively, skipping hidden entries and
// files of other types) into files; files named explicitly are kept whatever
// their type so that the reason they are refused is reported.
func collectFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && corpus.Supported(d.Name()) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading directory %s: %w", p, err)
		}
	}
	sort.Strings(out)
	return out, nil
}

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

func runSources(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "sources", "[--json] [--scope S]", "List the sources in the library, newest first")
	var lf libFlags
	lf.register(f)
	asJSON := f.Bool("json", false, "print a JSON array")
	scope := f.String("scope", "", `"global", or a server id (its sources and the global ones); default every source`)
	if _, err := f.parse(args); err != nil {
		return err
	}
	lib, err := lf.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	infos, err := lib.Sources(ctx, *scope)
	if err != nil {
		return err
	}
	if *asJSON {
		if infos == nil {
			infos = []corpus.Info{}
		}
		return printJSON(e.stdout, infos)
	}
	if len(infos) == 0 {
		fmt.Fprintln(e.stdout, "The library is empty. Add articles with 'verbatim add FILE'.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tOUTLET\tPUBLISHED\tSCOPE\tPASSAGES\tTITLE")
	for _, s := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", s.ID, orDash(s.Outlet), orDash(s.Published), s.Scope, s.PassageCount, s.Title)
	}
	return tw.Flush()
}

func runShow(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "show", "[--json] ID", "Show a source: where it came from, who added it, and its text by paragraph")
	var lf libFlags
	lf.register(f)
	asJSON := f.Bool("json", false, "print the source as JSON (text, passages and sentences included)")
	snapshot := f.Bool("snapshot", false, "write the bytes the source was made from (the file or page as received) to standard output")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give exactly one source id"}
	}
	lib, err := lf.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	src, err := lib.Get(ctx, pos[0], "")
	if errors.Is(err, corpus.ErrNotFound) {
		return fmt.Errorf("no source %q in the library (see 'verbatim sources')", pos[0])
	}
	if err != nil {
		return err
	}
	if *snapshot {
		b, err := lib.Snapshot(ctx, src.ID)
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("source %s has no snapshot", src.ID)
		}
		_, err = e.stdout.Write(b)
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, src)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("id", src.ID)
	row("title", src.Title)
	row("outlet", orDash(src.Outlet))
	row("published", orDash(src.Published))
	if src.PublishedFrom != "" {
		row("date from", src.PublishedFrom)
	}
	row("author", src.Author)
	row("url", src.URL)
	row("origin", src.Origin)
	row("scope", src.Scope)
	row("language", src.Language)
	row("added by", src.AddedBy)
	row("added at", src.AddedAt.Format("2006-01-02 15:04:05 MST"))
	row("sha256", src.SHA256)
	if !src.FetchedAt.IsZero() {
		row("fetched at", src.FetchedAt.Format("2006-01-02 15:04:05 MST"))
	}
	if src.SnapshotSHA256 != "" {
		row("snapshot", fmt.Sprintf("%s, %d bytes, sha256 %s (verbatim show --snapshot %s)", src.SnapshotType, src.SnapshotBytes, src.SnapshotSHA256, src.ID))
	}
	row("note", src.Note)
	if src.SupersededBy != "" {
		row("replaced by", src.SupersededBy+" (a refresh found the article changed; this version no longer answers)")
	}
	row("previous version", src.Previous)
	row("passages", fmt.Sprint(src.PassageCount))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	last := 0
	for _, p := range src.Passages {
		if p.Paragraph == last {
			continue
		}
		last = p.Paragraph
		sp := src.ParagraphSpan(p.Paragraph)
		fmt.Fprintf(e.stdout, "¶%d  %s\n\n", p.Paragraph, src.Text[sp.Start:sp.End])
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
