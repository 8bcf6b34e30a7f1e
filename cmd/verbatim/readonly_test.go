package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// makeReadOnly makes the library in data read-only for this process: as
// root (whom file modes do not stop), by mounting data over itself
// read-only; otherwise by taking away every write permission.
func makeReadOnly(t *testing.T, data string) {
	t.Helper()
	if os.Geteuid() == 0 {
		if err := syscall.Mount(data, data, "", syscall.MS_BIND, ""); err != nil {
			t.Skipf("cannot bind-mount: %v", err)
		}
		t.Cleanup(func() { syscall.Unmount(data, syscall.MNT_DETACH) })
		if err := syscall.Mount("", data, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("remounting read-only: %v", err)
		}
		return
	}
	var paths []string
	filepath.WalkDir(data, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	for i := len(paths) - 1; i >= 0; i-- {
		os.Chmod(paths[i], 0o500)
	}
	t.Cleanup(func() {
		for _, p := range paths {
			os.Chmod(p, 0o700)
		}
	})
}

// TestReadOnlyLibrary: a library whose directory and files cannot be
// written still answers, lists, shows, exports and checks; a change is
// refused in one line that says why and that nothing changed. When its
// index would need rebuilding, a question is refused in one line that says
// so, and the rest still works.
func TestReadOnlyLibrary(t *testing.T) {
	whole := t.TempDir()
	buildLibrary(t, whole, 20)
	data := t.TempDir()
	copyDir(t, whole, data)
	makeReadOnly(t, data)

	if !askWord(t, data, 3) {
		t.Errorf("a read-only library does not answer")
	}
	code, out, errs := cli(t, data, "sources")
	if code != 0 || strings.Count(out, "\n") < 25 {
		t.Fatalf("sources: exit %d\n%s%s", code, out, errs)
	}
	id := strings.Fields(out[strings.Index(out, "\n")+1:])[0]
	if code, out, errs := cli(t, data, "show", id); code != 0 {
		t.Errorf("show %s: exit %d\n%s%s", id, code, out, errs)
	}
	code, backup, errs := cli(t, data, "export")
	if code != 0 {
		t.Errorf("export: exit %d\n%s", code, errs)
	}
	if code, out, errs := cliStdin(t, t.TempDir(), backup, "import", "-"); code != 0 || !strings.Contains(out, "imported 25 sources") {
		t.Errorf("importing the export of a read-only library: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := cli(t, data, "check"); code != 0 {
		t.Errorf("check: exit %d\n%s%s", code, out, errs)
	}
	text := filepath.Join(t.TempDir(), "new.txt")
	if err := os.WriteFile(text, []byte("New Story\n\nThe baker sold forty loaves before seven."), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", text}, {"remove", id}, {"compact"}} {
		code, out, errs := cli(t, data, args...)
		if code != 1 || !oneErrorLine(errs) || !strings.Contains(errs, "read-only") || !strings.Contains(errs, "nothing was changed") {
			t.Errorf("%v on a read-only library: exit %d\n%s%s", args, code, out, errs)
		}
	}

	// An index that needs rebuilding, in a library that cannot be written.
	data = t.TempDir()
	copyDir(t, whole, data)
	if err := os.RemoveAll(filepath.Join(data, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	makeReadOnly(t, data)
	code, out, errs = cli(t, data, "ask", "council")
	if code != 1 || !oneErrorLine(errs) || !strings.Contains(errs, "needs rebuilding") || !strings.Contains(errs, "read-only") {
		t.Errorf("ask with an index to rebuild, read-only: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := cli(t, data, "sources"); code != 0 || strings.Count(out, "\n") < 25 {
		t.Errorf("sources with an index to rebuild, read-only: exit %d\n%s%s", code, out, errs)
	}
}
