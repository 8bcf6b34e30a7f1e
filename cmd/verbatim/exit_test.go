package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// A mistake in the command line exits 2 in every command, with one line
// naming the flag; anything else that fails exits 1.
func TestUsageMistakesExit2(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ask", "--scope", "bogus", "did russia interfere"}, `--scope must be "global" or a server id, not "bogus"`},
		{[]string{"ask", "--after", "2021-13-45", "did russia interfere"}, `--after must be a date like 2021-03-17, or relative to today: 7d, 2w, 3m, 1y, today or yesterday; not "2021-13-45"`},
		{[]string{"ask", "--before", "soon", "did russia interfere"}, `--before must be a date`},
		{[]string{"ask", "--after", "2021-03-01", "--before", "2021-02-01", "did russia interfere"}, "is later than --before"},
		{[]string{"ask", "-k", "0", "x"}, "-k must be between 1 and 25"},
		{[]string{"ask", "--nosuch", "x"}, "flag provided but not defined"},
		{[]string{"add", "--scope", "bogus", "x.txt"}, `--scope must be "global" or a server id`},
		{[]string{"add", "--published", "2021-13-45", "x.txt"}, `--published must be a date that exists`},
		{[]string{"sources", "--scope", "bogus"}, `--scope must be "global" or a server id, not "bogus"`},
		{[]string{"remove"}, "no source id given"},
		{[]string{"restore"}, "give exactly one version id"},
		{[]string{"refresh"}, "give source ids, or --all"},
		{[]string{"nosuch"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := cli(t, data, tt.args...)
			if code != 2 || !strings.Contains(errs, tt.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("exit %d, want 2 and one line with %q\n%s%s", code, tt.want, out, errs)
			}
		})
	}
	// Not a usage mistake: the library says no.
	if code, _, errs := cli(t, data, "show", "000000000000"); code != 1 {
		t.Errorf("show of an unknown id: exit %d %s", code, errs)
	}
}

// ask --json reports a failure as JSON on stdout, with the exit status it
// would have had.
func TestAskJSONErrors(t *testing.T) {
	data := t.TempDir()
	type jerr struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	check := func(name string, wantExit int, wantCode, wantText string, args ...string) {
		t.Helper()
		code, out, errs := cli(t, data, args...)
		var got jerr
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Errorf("%s: stdout is not JSON (%v): %q, stderr %q", name, err, out, errs)
			return
		}
		if code != wantExit || got.Code != wantCode || !strings.Contains(got.Error, wantText) {
			t.Errorf("%s: exit %d %+v; want exit %d code %q error with %q", name, code, got, wantExit, wantCode, wantText)
		}
	}
	check("bad scope", 2, "usage", `--scope must be`, "ask", "--json", "--scope", "bogus", "did russia interfere")
	check("bad date", 2, "usage", `--after must be a date`, "ask", "did russia interfere", "--json", "--after", "2021-13-45")
	check("unknown flag", 2, "usage", "flag provided but not defined", "ask", "--json", "--nosuch", "x")
	check("no question", 2, "usage", "no question given", "ask", "--json")

	// A damaged library.
	if code, _, errs := cli(t, data, "ask", "did russia interfere"); code != 0 {
		t.Fatalf("ask: %s", errs)
	}
	db := filepath.Join(data, "library.db")
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 8192), 0); err != nil { // both meta pages
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	check("damaged library", 1, "damaged", "library.db", "ask", "--json", "did russia interfere")
	// Without --json, the same failure is one line on stderr.
	if code, out, errs := cli(t, data, "ask", "did russia interfere"); code != 1 || out != "" || !strings.Contains(errs, "library.db") {
		t.Errorf("damaged library without --json: exit %d %q %q", code, out, errs)
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		code, out, errs := cli(t, t.TempDir(), arg)
		if code != 0 || !strings.HasPrefix(out, "verbatim ") || !strings.Contains(out, "go1.") || errs != "" {
			t.Errorf("%s: exit %d %q %q", arg, code, out, errs)
		}
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/verbatim-bot/verbatim", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionLine(bi, true), "verbatim revision 0123456789ab (2026-12-01T10:00:00Z), with uncommitted changes, go1.26.0"; got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
	bi.Main.Version = "v1.2.0"
	if got, want := versionLine(bi, true), "verbatim v1.2.0, go1.26.0"; got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
}

// README and verbatim -h agree: every command -h lists has its place in
// README, and every file type add reads is named there.
func TestReadmeNamesEveryCommand(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, usage := cli(t, t.TempDir(), "-h")
	for _, c := range commands() {
		if !strings.Contains(usage, "  "+c.name+" ") {
			t.Errorf("verbatim -h does not list %s", c.name)
		}
		if !strings.Contains(string(readme), "verbatim "+c.name) {
			t.Errorf("README does not mention verbatim %s", c.name)
		}
	}
	for _, w := range []string{".txt", ".md", ".html", "PDF", "URL", "--allow-host", "show --snapshot", "refresh", "restore", "--version"} {
		if !strings.Contains(string(readme), w) {
			t.Errorf("README does not mention %s", w)
		}
	}
}
