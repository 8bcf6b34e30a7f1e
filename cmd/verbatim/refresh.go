package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

func runRefresh(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "refresh", "[--all] [--force] [--allow-host H] [ID...]",
		"Fetch web sources again; when an article changed, its new text becomes a new version and the old one is kept (no longer answering) so quotes already given stay checkable")
	var lf libFlags
	lf.register(f)
	all := f.Bool("all", false, "refresh every source that came from the web")
	var allow stringList
	f.Var(&allow, "allow-host", "a host that may be fetched even though it is private or loopback (repeatable)")
	force := f.Bool("force", false, "take the new text even when it looks like a stub: a paywall, cookie-consent or \"moved\" notice, or under 40% of the current text")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *all == (len(pos) > 0) {
		return usageError{"give source ids, or --all"}
	}
	lib, err := lf.open(ctx, e)
	if err != nil {
		return err
	}
	defer lib.Close()
	ids := pos
	if *all {
		infos, err := lib.Sources(ctx, "")
		if err != nil {
			return err
		}
		for _, i := range infos {
			if isURL(i.Origin) {
				ids = append(ids, i.ID)
			}
		}
	}
	fetcher := corpus.NewFetcher(corpus.FetchOptions{AllowHosts: allow})
	failed, held := 0, 0
	for _, id := range ids {
		msg, err := refreshOne(ctx, lib, fetcher, id, *force)
		var he heldError
		switch {
		case errors.As(err, &he):
			held++
			fmt.Fprintf(e.stdout, "held back  %s  %q: %s; the current version is kept (verbatim refresh --force %s takes it anyway)\n", id, he.title, he.reason, id)
		case err != nil:
			failed++
			fmt.Fprintf(e.stdout, "failed     %s  %s\n", id, err)
		default:
			fmt.Fprintf(e.stdout, "%s\n", msg)
		}
	}
	var problems []string
	if held > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d sources held back as stubs", held, len(ids)))
	}
	if failed > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d sources could not be refreshed", failed, len(ids)))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s (reasons above)", strings.Join(problems, "; "))
	}
	return nil
}

// heldError is a refresh held back because the page fetched looks like a
// stub standing in for the article.
type heldError struct{ title, reason string }

func (e heldError) Error() string { return e.reason }

// refreshOne fetches one source again and replaces it when its text changed.
// Unless force is set, a page that reads as a stub (see
// corpus.SuspectRefresh) is not taken: the result is a heldError.
func refreshOne(ctx context.Context, lib *retrieval.Library, fetcher *corpus.Fetcher, id string, force bool) (string, error) {
	old, err := lib.Get(ctx, id, "")
	if errors.Is(err, corpus.ErrNotFound) {
		return "", errors.New("no such source")
	}
	if err != nil {
		return "", err
	}
	if old.SupersededBy != "" {
		return "", fmt.Errorf("an old version; refresh %s instead", old.SupersededBy)
	}
	if !isURL(old.Origin) {
		return fmt.Sprintf("skipped    %s  not from the web (%s)", id, old.Origin), nil
	}
	got, err := fetcher.Fetch(ctx, old.Origin)
	if err != nil {
		return "", err
	}
	meta := corpus.Meta{Scope: old.Scope, AddedBy: old.AddedBy, Note: old.Note}
	if old.PublishedFrom == "given" {
		meta.Published = old.Published
	}
	d, err := corpus.FetchedDraft(ctx, got, meta)
	if err != nil {
		return "", err
	}
	if reason := corpus.SuspectRefresh(old.Text, d.Doc.Text); reason != "" && !force {
		return "", heldError{title: old.Title, reason: reason}
	}
	next, replaced, err := lib.Replace(ctx, id, d)
	if err != nil {
		return "", err
	}
	if !replaced {
		return fmt.Sprintf("unchanged  %s  %q", id, old.Title), nil
	}
	changed, added, removed := paragraphChanges(&old, &next)
	return fmt.Sprintf("changed    %s → %s  %q: %d paragraphs changed, %d added, %d removed (the old version is kept: verbatim show %s; verbatim restore %s makes it current again)",
		id, next.ID, next.Title, changed, added, removed, id, id), nil
}

// paragraphChanges compares two versions paragraph by paragraph: how many
// paragraphs of the new one are changed versions of old ones, new, or gone.
func paragraphChanges(old, next *corpus.Source) (changed, added, removed int) {
	paras := func(s *corpus.Source) []string {
		var out []string
		for n := 1; n <= s.ParagraphCount(); n++ {
			if sp := s.ParagraphSpan(n); sp.Start >= 0 {
				out = append(out, s.Text[sp.Start:sp.End])
			}
		}
		return out
	}
	o, n := paras(old), paras(next)
	inOld := map[string]bool{}
	for _, p := range o {
		inOld[p] = true
	}
	inNew := map[string]bool{}
	fresh := 0
	for _, p := range n {
		inNew[p] = true
		if !inOld[p] {
			fresh++
		}
	}
	gone := 0
	for _, p := range o {
		if !inNew[p] {
			gone++
		}
	}
	changed = min(fresh, gone)
	return changed, fresh - changed, gone - changed
}
