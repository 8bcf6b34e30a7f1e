package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestShowEveryParagraph: an article of more tiny paragraphs than a source
// may have passages is stored with paragraphs merged into passages; show
// still prints every paragraph, under its own number.
func TestShowEveryParagraph(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	const n = 25_000
	var b strings.Builder
	b.WriteString("Tiny Paragraphs Story\n\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "Ab %d.\n\n", i)
	}
	p := filepath.Join(dir, "tiny.txt")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := cli(t, data, "add", p); code != 0 {
		t.Fatalf("add: exit %d\n%s", code, out)
	}
	_, out, _ := cli(t, data, "sources", "--json")
	var infos []corpus.Info
	if err := json.Unmarshal([]byte(out), &infos); err != nil {
		t.Fatal(err)
	}
	var tiny corpus.Info
	for _, i := range infos {
		if i.Origin == "tiny.txt" {
			tiny = i
		}
	}
	if tiny.PassageCount >= n {
		t.Fatalf("the tiny paragraphs were not merged (%d passages); the test needs them merged", tiny.PassageCount)
	}
	code, out, _ := cli(t, data, "show", tiny.ID)
	if code != 0 {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	got := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "¶") {
			got++
			if want := fmt.Sprintf("¶%d  Ab %d.", got, got); line != want {
				t.Fatalf("paragraph %d shown as %q, want %q", got, line, want)
			}
		}
	}
	if got != n {
		t.Errorf("show printed %d paragraphs, want %d", got, n)
	}
}
