package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, data, "sources"); code != 0 {
		t.Fatalf("sources: exit %d: %s", code, errOut)
	}
	steps := []struct {
		name     string
		before   func()
		args     []string
		code     int
		out, err string
	}{
		{"clean", nil, []string{"check"}, 0, "ok: the store and the search index agree", ""},
		{"index gone", func() {
			if err := os.RemoveAll(filepath.Join(data, "index.bleve")); err != nil {
				t.Fatal(err)
			}
		}, []string{"check"}, 1, "problem  index  library       there is no search index", "run verbatim check --repair"},
		{"still gone: check changes nothing", nil, []string{"check"}, 1, "there is no search index", "check --repair"},
		{"repair", nil, []string{"check", "--repair"}, 0, "repairing the search index", ""},
		{"clean after repair", nil, []string{"check"}, 0, "5 sources in the search index", ""},
		{"arguments", nil, []string{"check", "extra"}, 2, "", "check takes no arguments"},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		code, out, errOut := cli(t, data, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errOut, s.err) {
			t.Errorf("%s: %v: exit %d\nstdout: %s\nstderr: %s\nwant exit %d, stdout with %q, stderr with %q", s.name, s.args, code, out, errOut, s.code, s.out, s.err)
		}
	}
	if code, _, errOut := cli(t, filepath.Join(data, "nothing-here"), "check"); code != 1 || !strings.Contains(errOut, "there is no library in") {
		t.Errorf("check of a missing library: exit %d, %s", code, errOut)
	}
}
