package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliStdin runs verbatim with args against a data dir, with stdin as its
// standard input, and returns the exit code, stdout and stderr.
func cliStdin(t *testing.T, data, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(stdin), getenv: func(k string) string {
		if k == "VERBATIM_DATA" {
			return data
		}
		return ""
	}}
	code := run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func TestExportImport(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bridge := write("bridge.txt", "Council Votes on Bridge\n\nThe council voted 7 to 2 to repair the river bridge.\n")
	ferry := write("ferry.txt", "Ferry Timetable\n\nThe harbour ferry will run every twenty minutes from May.\n")
	if code, out, errs := cli(t, data, "add", "--scope", "123456789012345678", bridge, ferry); code != 0 {
		t.Fatalf("add: %s%s", out, errs)
	}
	_, list, _ := cli(t, data, "sources")
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, "Ferry Timetable") {
			if code, out, errs := cli(t, data, "remove", strings.Fields(line)[0]); code != 0 {
				t.Fatalf("remove: %s%s", out, errs)
			}
		}
	}
	code, exported, errs := cli(t, data, "export")
	if code != 0 || !strings.Contains(errs, "exported 6 sources") {
		t.Fatalf("export: exit %d %s", code, errs)
	}
	if strings.Contains(exported, "Ferry Timetable") || !strings.Contains(exported, `"scope":"123456789012345678"`) {
		t.Errorf("export holds the removed source, or lacks the guild's")
	}
	backup := write("backup.jsonl", exported)

	for _, c := range []struct{ name, arg, stdin string }{{"file", backup, ""}, {"stdin", "-", exported}} {
		t.Run(c.name, func(t *testing.T) {
			restored := t.TempDir()
			code, out, errs := cliStdin(t, restored, c.stdin, "import", c.arg)
			if code != 0 || !strings.Contains(out, "imported 6 sources") {
				t.Fatalf("import: exit %d %s%s", code, out, errs)
			}
			if _, again, _ := cli(t, restored, "export"); again != exported {
				t.Errorf("export → import → export is not byte-identical")
			}
			// Every other command opens it as it was: no seeds on top.
			if _, got, _ := cli(t, restored, "sources"); got != withoutLine(list, "Ferry Timetable") {
				t.Errorf("sources after import:\n%s\nwant:\n%s", got, withoutLine(list, "Ferry Timetable"))
			}
			code, out, _ = cli(t, restored, "import", backup)
			if code != 0 || !strings.Contains(out, "imported 0 sources") || !strings.Contains(out, "skipped 6") {
				t.Errorf("second import: exit %d %s", code, out)
			}
		})
	}
}

// lineOf returns the line of s that holds sub, with its newline.
func lineOf(s, sub string) string {
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// withoutLine returns s without the line that holds sub.
func withoutLine(s, sub string) string { return strings.Replace(s, lineOf(s, sub), "", 1) }

// TestImportRefusesBadBackups: a bad backup is refused with its line, from
// a file or standard input, and nothing is imported: the library directory
// is not even created.
func TestImportRefusesBadBackups(t *testing.T) {
	seeded := t.TempDir()
	cli(t, seeded, "sources") // opening it loads the seeds
	_, good, _ := cli(t, seeded, "export")
	lines := strings.SplitAfter(good, "\n")
	cases := []struct{ name, backup, want string }{
		{"corrupted line", strings.Replace(good, lines[2], "{\"source\":\n", 1), "line 3: not a valid record"},
		{"wrong hash", strings.Replace(good, `"sha256":"`, `"sha256":"0`, 1), "line 2: source"},
		{"truncated", strings.Join(lines[:4], ""), "line 4: the file ends after 3 sources without its end record"},
		{"unknown version", strings.Replace(good, `"version":2`, `"version":7`, 1), "line 1: backup format version 7"},
	}
	for _, c := range cases {
		for _, stdin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stdin=%v", c.name, stdin), func(t *testing.T) {
				data := filepath.Join(t.TempDir(), "lib")
				arg, in := filepath.Join(t.TempDir(), "bad.jsonl"), ""
				if err := os.WriteFile(arg, []byte(c.backup), 0o600); err != nil {
					t.Fatal(err)
				}
				if stdin {
					arg, in = "-", c.backup
				}
				code, out, errs := cliStdin(t, data, in, "import", arg)
				if code != 1 || !strings.Contains(errs, c.want) || !strings.Contains(errs, "nothing was imported") || strings.Count(errs, "\n") != 1 {
					t.Errorf("import %s: exit %d, stdout %q, stderr %q; want %q", arg, code, out, errs, c.want)
				}
				if _, err := os.Stat(data); !os.IsNotExist(err) {
					t.Errorf("a refused import created the library directory (%v)", err)
				}
			})
		}
	}
}

func TestBackupMistakes(t *testing.T) {
	data := filepath.Join(t.TempDir(), "none")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export"}, 1, "there is no library in"},
		{[]string{"export", "out.jsonl"}, 2, "writes to standard output"},
		{[]string{"import"}, 2, "give one backup file"},
		{[]string{"import", filepath.Join(data, "missing.jsonl")}, 1, "reading the backup"},
	} {
		code, _, errs := cli(t, data, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("verbatim %s: exit %d %q; want %d and %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
	}
}
