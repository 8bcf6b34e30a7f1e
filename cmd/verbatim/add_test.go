package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// add good.txt missing.txt adds the good file, says why the other was not
// added, and exits 1.
func TestAddGoesOnPastAMissingFile(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	good := filepath.Join(dir, "good.txt")
	if err := os.WriteFile(good, []byte("Ferry Timetable\n\nThe harbour ferry will run every twenty minutes from May."), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.txt")
	code, out, errs := cli(t, data, "add", missing, good)
	if code != 1 || !strings.Contains(out, "added      "+good) || !strings.Contains(out, "refused    "+missing) ||
		!strings.Contains(out, "no such file") || !strings.Contains(out, "1 added, 0 already in the library, 1 refused") ||
		!strings.Contains(errs, "1 of 2 files refused") {
		t.Fatalf("add missing good: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := cli(t, data, "ask", "how often will the harbour ferry run"); code != 0 || !strings.Contains(out, "twenty minutes") {
		t.Errorf("the good file does not answer: %s", out)
	}
}

// Any scheme:// argument is a URL: HTTP:// is fetched, ftp:// is refused as
// a URL, not looked for as a file; a loopback refusal says how to allow it.
func TestAddURLSchemes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Canal Reopens</title></head><body><article><h1>Canal Reopens</h1><p>The canal reopened to narrowboats on Monday after a two-year restoration of its nine locks.</p></article></body></html>`)
	}))
	defer srv.Close()
	data := t.TempDir()
	upper := "HTTP://" + strings.TrimPrefix(srv.URL, "http://") + "/canal"
	code, out, errs := cli(t, data, "add", upper)
	if code != 1 || !strings.Contains(out, "loopback") || !strings.Contains(out, "--allow-host 127.0.0.1") {
		t.Errorf("loopback refusal: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = cli(t, data, "add", "--allow-host", "127.0.0.1", upper)
	if code != 0 || !strings.Contains(out, `"Canal Reopens"`) {
		t.Errorf("add %s: exit %d\n%s%s", upper, code, out, errs)
	}
	for _, u := range []string{"ftp://example.com/story.txt", "file:///etc/passwd", "gopher://example.com/1"} {
		code, out, errs = cli(t, data, "add", u)
		if code != 1 || !strings.Contains(out, "only http and https") || strings.Contains(out+errs, "no such file") {
			t.Errorf("add %s: exit %d\n%s%s", u, code, out, errs)
		}
	}
}

// A directory add says which files it skipped, and why.
func TestAddDirectorySaysWhatItSkips(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	for name, text := range map[string]string{
		"a.txt":       "Ferry Timetable\n\nThe harbour ferry will run every twenty minutes from May.",
		"table.csv":   "year,ferries\n2021,4\n",
		".hidden.txt": "Hidden\n\nA hidden file is not added.",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, data, "add", dir)
	if code != 0 || !strings.Contains(out, "1 added, 0 already in the library, 0 refused, 3 skipped") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"skipped    " + filepath.Join(dir, "table.csv") + "  not an article file",
		"skipped    " + filepath.Join(dir, "link.txt") + "  a symbolic link",
		"skipped    " + filepath.Join(dir, ".hidden.txt") + "  a hidden file",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
}

// With $USER unset, a source is added by the account's name, never "cli:".
func TestAddedByWithoutUSER(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(p, []byte("Ferry Timetable\n\nThe harbour ferry will run every twenty minutes from May."), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, data, "add", p); code != 0 {
		t.Fatalf("add: %s%s", out, errs)
	}
	_, out, _ := cli(t, data, "sources", "--json")
	want := "cli"
	if u, err := user.Current(); err == nil && u.Username != "" {
		want = "cli:" + u.Username
	}
	if !strings.Contains(out, `"added_by": "`+want+`"`) {
		t.Errorf("added_by is not %q:\n%s", want, out)
	}
}
