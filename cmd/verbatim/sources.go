package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/verbatim-bot/verbatim/corpus"
)

func runSources(ctx context.Context, e *env, args []string) error {
	f := newFlagSet(e, "sources", "[--json] [--scope S]", "List the sources in the library, newest first")
	var lf libFlags
	lf.register(f)
	asJSON := f.Bool("json", false, "print a JSON array")
	scope := f.String("scope", "", `"global", or a server id (its sources and the global ones); default every source`)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("sources takes no arguments, not %q (see 'verbatim show ID')", pos[0])}
	}
	if _, _, err := checkFilters(*scope, "", "", e.clock()()); err != nil {
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
