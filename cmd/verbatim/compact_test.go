package main

import (
	"regexp"
	"testing"
)

// TestCompactCommand: `verbatim compact` leaves the index one segment, says
// what it did, and the library still checks clean and answers; extra
// arguments are a usage mistake.
func TestCompactCommand(t *testing.T) {
	data := t.TempDir()
	buildLibrary(t, data, 120)
	code, out, errs := cli(t, data, "compact")
	said := regexp.MustCompile(`^(compacted the search index from \d+ segments to 1 in \S+|the search index is already one segment: nothing to do)\n$`)
	if code != 0 || !said.MatchString(out) {
		t.Fatalf("compact: exit %d\n%s%s", code, out, errs)
	}
	// What the index is made of was saved: a second compact finds one
	// segment.
	if code, out, errs := cli(t, data, "compact"); code != 0 || out != "the search index is already one segment: nothing to do\n" {
		t.Errorf("compact again: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := cli(t, data, "check"); code != 0 {
		t.Errorf("check after compact: exit %d\n%s%s", code, out, errs)
	}
	for _, i := range []int{0, 57, 119} {
		if !askWord(t, data, i) {
			t.Errorf("article %d does not answer after compact", i)
		}
	}
	if code, _, errs := cli(t, data, "compact", "now"); code != 2 || !oneErrorLine(errs) {
		t.Errorf("compact now: exit %d, want 2\n%s", code, errs)
	}
}
