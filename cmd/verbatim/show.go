package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/verbatim-bot/verbatim/corpus"
)

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
	return printSource(e.stdout, &src)
}

// printSource prints a source as show does: its metadata (where its date
// came from, who added it when, its hashes and versions), then its text by
// paragraph.
func printSource(w io.Writer, src *corpus.Source) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
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
	fmt.Fprintln(w)
	// Every paragraph by its number: a passage may hold several short
	// paragraphs (Passage.LastParagraph), and one paragraph several passages.
	for n := 1; n <= src.ParagraphCount(); n++ {
		if sp := src.ParagraphSpan(n); sp.Start >= 0 {
			fmt.Fprintf(w, "¶%d  %s\n\n", n, src.Text[sp.Start:sp.End])
		}
	}
	return nil
}
