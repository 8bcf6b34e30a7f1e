package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
)

// TestMain gives the tests that need one a PostgreSQL server (started by
// the first of them, stopped at the end).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// cliEnv runs verbatim with args, stdin and the environment variables
// vars, and returns the exit code, stdout and stderr.
func cliEnv(t *testing.T, vars map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(stdin), getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

// TestMoveLibraryToPostgres: a library moves from library.db to PostgreSQL
// and back with one pipe (export | import), byte for byte; every command
// works against the database with --store or $VERBATIM_STORE, and its data
// directory then holds the search index alone.
func TestMoveLibraryToPostgres(t *testing.T) {
	bolt, files := t.TempDir(), t.TempDir()
	article := filepath.Join(files, "bridge.txt")
	if err := os.WriteFile(article, []byte("Council Votes on Bridge\n\nThe council voted 7 to 2 to repair the river bridge before winter.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, bolt, "add", "--scope", "123456789012345678", article); code != 0 {
		t.Fatalf("add: %s%s", out, errs)
	}
	code, exported, errs := cli(t, bolt, "export")
	if code != 0 {
		t.Fatalf("export: %s", errs)
	}

	url := pgtest.Database(t)
	pgIndex := t.TempDir()
	flags := []string{"--data", pgIndex, "--store", url}
	code, out, errs := cliEnv(t, nil, exported, append([]string{"import"}, append(flags, "-")...)...)
	if code != 0 || !strings.Contains(out, "imported 6 sources") {
		t.Fatalf("import into PostgreSQL: exit %d %s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(pgIndex, "library.db")); !os.IsNotExist(err) {
		t.Errorf("a library.db was made next to the index of a PostgreSQL library (%v)", err)
	}
	vars := map[string]string{"VERBATIM_DATA": pgIndex, "VERBATIM_STORE": url}
	if code, again, errs := cliEnv(t, vars, "", "export"); code != 0 || again != exported {
		t.Fatalf("export from PostgreSQL (exit %d, %s) differs from the export of library.db", code, errs)
	}
	_, boltList, _ := cli(t, bolt, "sources")
	if _, list, _ := cliEnv(t, vars, "", "sources"); list != boltList {
		t.Errorf("sources on PostgreSQL:\n%s\nwant:\n%s", list, boltList)
	}
	code, out, errs = cliEnv(t, vars, "", "ask", "--scope", "123456789012345678", "did the council vote to repair the bridge?")
	if code != 0 || !strings.Contains(out, "voted 7 to 2") {
		t.Errorf("ask on PostgreSQL: exit %d %s%s", code, out, errs)
	}
	if code, out, errs := cliEnv(t, vars, "", "check"); code != 0 {
		t.Errorf("check on PostgreSQL: exit %d %s%s", code, out, errs)
	}
	// A new index directory is built from the database.
	vars2 := map[string]string{"VERBATIM_DATA": t.TempDir(), "VERBATIM_STORE": url}
	if code, list, errs := cliEnv(t, vars2, "", "sources"); code != 0 || list != boltList {
		t.Errorf("sources with a new index directory: exit %d %s%s", code, list, errs)
	}

	// And back to a library.db.
	back := t.TempDir()
	if code, out, errs := cliStdin(t, back, exported, "import", "-"); code != 0 {
		t.Fatalf("import back: %s%s", out, errs)
	}
	if _, again, _ := cli(t, back, "export"); again != exported {
		t.Errorf("bolt → PostgreSQL → bolt is not byte-identical")
	}
	if code, _, errs := cliEnv(t, nil, "", "sources", "--store", "mysql://x"); code != 2 || !strings.Contains(errs, "postgres://") {
		t.Errorf("a store that is not PostgreSQL: exit %d %s", code, errs)
	}
}
