package main

// Hostile paths given to `verbatim add`: special files, links, loops, path
// tricks and files over the limit. docs/security.md lists each case with
// what was seen.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

const article = "Harbour Story\n\nThe harbour master counted eleven trawlers returning before the storm."

// TestHostileAddPaths runs `verbatim add` on paths that are not plain
// article files. Each must end (a FIFO or a device must not block or read
// forever), exit as stated, and say why in its line.
func TestHostileAddPaths(t *testing.T) {
	dir := t.TempDir()
	link := func(target, name string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, corpus.MaxFileBytes+1); err != nil { // sparse: nothing to read
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		path   string
		code   int
		stdout string // in stdout ("" for none)
		stderr string // in stderr ("" for none)
	}{
		{"named pipe", fifo, 1, "refused    " + fifo + "  not a regular file (a named pipe)", ""},
		{"device behind a .txt link", link("/dev/null", "null.txt"), 1, "not a regular file (a device)", ""},
		{"device named directly", "/dev/null", 1, "not a regular file (a device)", ""},
		{"symlink loop", link("loop.txt", "loop.txt"), 1, "too many levels of symbolic links", "1 of 1 files refused"},
		{"dangling symlink", link("nowhere.txt", "dangling.txt"), 1, "no such file or directory", "1 of 1 files refused"},
		{"over the size limit (sparse)", big, 1, "over the 10 MiB limit for an article file (10485761 bytes)", ""},
		{"dot-dot in the path", filepath.Join(dir, "sub", "..", "sub", "b.txt"), 0, "1 added", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			type result struct {
				code     int
				out, err string
			}
			done := make(chan result, 1)
			go func() {
				code, out, errs := cli(t, t.TempDir(), "add", tc.path)
				done <- result{code, out, errs}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(2 * time.Minute): // a hang, not a slow run
				t.Fatalf("add %s did not return: it blocks on the file", tc.path)
			}
			t.Logf("seen: exit %d, %s%s", r.code, r.out, r.err)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d", r.code, tc.code)
			}
			if !strings.Contains(r.out, tc.stdout) || !strings.Contains(r.err, tc.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", r.out, r.err, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestHostileAddDirectory adds a directory holding a FIFO, a link to a file
// outside it, a link back up to itself, and a file whose name is a
// Markdown-and-mention trap. Links and special files are not followed, the
// walk ends, and a source's origin is its file's base name only.
func TestHostileAddDirectory(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("Secret Story\n\nThe private diary entry was never meant to be read by anyone."), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	trap := "**@everyone** [x](https:evil.example) `x`.txt"
	for name, text := range map[string]string{"a.txt": article, trap: "Trap Story\n\nThe lighthouse keeper retired after forty years on the rock."} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for target, name := range map[string]string{secret: "linked.txt", dir: "up", "..": "parent"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	done := make(chan struct{})
	var code int
	var out, errs string
	go func() {
		defer close(done)
		code, out, errs = cli(t, data, "add", dir)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute): // a hang, not a slow run
		t.Fatal("add of the directory did not return")
	}
	t.Logf("seen: exit %d\n%s%s", code, out, errs)
	if code != 0 || !strings.Contains(out, "2 added, 0 already in the library, 0 refused") {
		t.Fatalf("exit %d, want 0 with the 2 regular files added", code)
	}
	_, list, _ := cli(t, data, "sources", "--json")
	var infos []corpus.Info
	if err := json.Unmarshal([]byte(list), &infos); err != nil {
		t.Fatal(err)
	}
	origins := map[string]bool{}
	for _, i := range infos {
		origins[i.Origin] = true
		if strings.Contains(i.Title, "Secret") {
			t.Errorf("a linked file outside the directory was added: %+v", i)
		}
	}
	if !origins["a.txt"] || !origins[trap] {
		t.Errorf("origins %v; want the base names a.txt and %q", origins, trap)
	}
}
