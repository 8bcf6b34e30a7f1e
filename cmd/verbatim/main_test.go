package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// cli runs verbatim with args against a data dir and returns the exit code,
// stdout and stderr.
func cli(t *testing.T, data string, args ...string) (int, string, string) {
	t.Helper()
	return cliStdin(t, data, "", args...)
}

func TestAskJSONQuotesAreStoredText(t *testing.T) {
	data := t.TempDir()
	code, out, errs := cli(t, data, "ask", "--json", "Did", "Mueller", "find", "that", "Trump", "colluded", "with", "Russia?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res jsonResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.NoAnswer || len(res.Answers) == 0 || res.Question != "Did Mueller find that Trump colluded with Russia?" {
		t.Fatalf("unexpected result: %+v", res)
	}
	a := res.Answers[0]
	if len(a.AlsoCarriedBy) == 0 || a.Source.Outlet != "TASS" || a.Source.Title == "" {
		t.Errorf("answer lacks attribution or also_carried_by: %+v", a)
	}
	// quote is exactly the stored text[start:end]
	_, shown, _ := cli(t, data, "show", "--json", a.Source.ID)
	var src corpus.Source
	if err := json.Unmarshal([]byte(shown), &src); err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Answers {
		if a.Source.ID == src.ID && src.Text[a.Start:a.End] != a.Quote {
			t.Errorf("quote is not text[%d:%d]", a.Start, a.End)
		}
	}
}

func TestAskText(t *testing.T) {
	data := t.TempDir()
	code, out, _ := cli(t, data, "ask", "Did Mueller find that Trump colluded with Russia?")
	if code != 0 || !strings.Contains(out, "“In the end, Mueller came up empty-handed") ||
		!strings.Contains(out, "also carried by") || !strings.Contains(out, "TASS") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	code, out, _ = cli(t, data, "ask", "What is the capital of Australia?")
	if code != 0 || strings.TrimSpace(out) != "Nothing in the library is about this." {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestAddShowRemove(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a.txt", "Harbour Story | THE HERALD\n\nThe harbour master counted eleven trawlers returning before the storm.")
	write("sub/b.md", "# Bridge Story\n\nThe new bridge over the estuary opened to cyclists on Sunday.")
	write("sub/.hidden.txt", "Hidden\n\nThis must not be added.")
	write("notes.docx", "binary-ish")
	corrupt := write("broken/report.pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntruncated")

	code, out, errs := cli(t, data, "add", dir)
	if code != 1 || !strings.Contains(out, "2 added, 0 already in the library, 1 refused") || !strings.Contains(out, "not a readable PDF") {
		t.Fatalf("add dir: exit %d\n%s%s", code, out, errs)
	}
	if err := os.Remove(corrupt); err != nil {
		t.Fatal(err)
	}
	code, out, _ = cli(t, data, "add", filepath.Join(dir, "a.txt"), filepath.Join(dir, "notes.docx"))
	if code != 1 || !strings.Contains(out, "already in the library as") || !strings.Contains(out, "unsupported file type .docx") {
		t.Errorf("add dup+docx: exit %d\n%s", code, out)
	}

	code, out, _ = cli(t, data, "sources", "--json")
	var infos []corpus.Info
	if code != 0 || json.Unmarshal([]byte(out), &infos) != nil || len(infos) != 7 {
		t.Fatalf("sources: exit %d, %d sources\n%s", code, len(infos), out)
	}
	var harbour corpus.Info
	for _, i := range infos {
		if i.Origin == "a.txt" {
			harbour = i
		}
	}
	if harbour.Title != "Harbour Story" || harbour.Outlet != "THE HERALD" || harbour.SHA256 == "" || harbour.AddedBy == "" || harbour.PassageCount != 1 {
		t.Errorf("harbour source: %+v", harbour)
	}
	code, out, _ = cli(t, data, "show", harbour.ID)
	if code != 0 || !strings.Contains(out, "THE HERALD") || !strings.Contains(out, "¶1  The harbour master") {
		t.Errorf("show: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, data, "ask", "--json", "how many trawlers did the harbour master count")
	if code != 0 || !strings.Contains(out, harbour.ID) {
		t.Errorf("ask new source: exit %d\n%s", code, out)
	}
	if code, _, _ = cli(t, data, "remove", harbour.ID); code != 0 {
		t.Fatalf("remove: exit %d", code)
	}
	_, out, _ = cli(t, data, "ask", "--json", "how many trawlers did the harbour master count")
	if strings.Contains(out, harbour.ID) {
		t.Errorf("removed source still answers:\n%s", out)
	}
	code, _, errs = cli(t, data, "remove", harbour.ID)
	if code != 1 || !strings.Contains(errs, "no source") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("remove again: exit %d, %q", code, errs)
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "Usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"ask"}, 2, "no question given"},
		{[]string{"ask", "--bogus", "x"}, 2, "flag provided but not defined"},
		{[]string{"ask", "-k", "0", "x"}, 2, "-k must be between"},
		{[]string{"ask", "--after", "March", "Mueller"}, 2, "--after must be a date like 2021-03-17"},
		{[]string{"ask", "?!"}, 1, "no words to look for"},
		{[]string{"add"}, 2, "no file or directory given"},
		{[]string{"add", "/nonexistent/file.txt"}, 1, "1 of 1 files refused"},
		{[]string{"add", "--scope", "my server", "x.txt"}, 2, "--scope must be"},
		{[]string{"show"}, 2, "exactly one source id"},
		{[]string{"show", "nope"}, 1, "no source \"nope\""},
	}
	for _, tc := range tests {
		code, _, errs := cli(t, data, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with %q", tc.args, code, errs, tc.code, tc.want)
		}
		if tc.code != 0 && len(tc.args) > 0 && strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: error is not one line: %q", tc.args, errs)
		}
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		code, _, errs := cli(t, t.TempDir(), c.name, "-h")
		if code != 0 || !strings.Contains(errs, "Usage: verbatim "+c.name) {
			t.Errorf("%s -h: exit %d, %q", c.name, code, errs)
		}
	}
}

func TestDataDir(t *testing.T) {
	tests := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"/x", map[string]string{"VERBATIM_DATA": "/y"}, "/x"},
		{"", map[string]string{"VERBATIM_DATA": "/y", "XDG_DATA_HOME": "/z"}, "/y"},
		{"", map[string]string{"XDG_DATA_HOME": "/z"}, "/z/verbatim"},
		{"", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/verbatim"},
	}
	for _, tc := range tests {
		lf := libFlags{data: tc.flag}
		got, err := lf.dataDir(&env{getenv: func(k string) string { return tc.env[k] }})
		if err != nil || got != tc.want {
			t.Errorf("dataDir(%q, %v) = %q, %v; want %q", tc.flag, tc.env, got, err, tc.want)
		}
	}
}

func TestEvalSeedPublic(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "eval", "seed-public.yaml")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join("..", "..", "evaluation", "testdata", "seed-public.yaml")
	}
	code, out, errs := cli(t, t.TempDir(), "eval", "--json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Questions   int     `json:"questions"`
		Hit3        float64 `json:"hit_at_3"`
		NAP         float64 `json:"no_answer_precision"`
		NAR         float64 `json:"no_answer_recall"`
		NotVerbatim int     `json:"not_verbatim"`
		Failures    []any   `json:"failures"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 10 || rep.Hit3 != 1 || rep.NAP != 1 || rep.NAR != 1 || rep.NotVerbatim != 0 || len(rep.Failures) != 0 {
		t.Errorf("eval: %s", out)
	}
}

func TestEvalBEIRTiny(t *testing.T) {
	code, out, errs := cli(t, t.TempDir(), "eval", "--json", "--beir", filepath.Join("..", "..", "evaluation", "testdata", "beir-tiny"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep map[string]float64
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ndcg_at_10", "recall_at_100", "mrr_at_10", "queries", "docs", "queries_per_sec"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("missing %s in %s", k, out)
		}
	}
	if rep["ndcg_at_10"] != 1 || rep["queries"] != 3 {
		t.Errorf("tiny BEIR: %s", out)
	}
}

func TestAddURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Canal Reopens</title><meta property="og:site_name" content="Town Post"></head><body><article><h1>Canal Reopens</h1><p>The canal reopened to narrowboats on Monday after a two-year restoration of its nine locks.</p></article></body></html>`)
	}))
	defer srv.Close()
	data := t.TempDir()
	// Without the allow-list a loopback address is refused, with the reason.
	code, out, _ := cli(t, data, "add", srv.URL+"/canal")
	if code != 1 || !strings.Contains(out, "loopback") {
		t.Errorf("loopback without allow-host: exit %d\n%s", code, out)
	}
	code, out, errs := cli(t, data, "add", "--allow-host", "127.0.0.1", srv.URL+"/canal")
	if code != 0 || !strings.Contains(out, `"Canal Reopens" (Town Post`) {
		t.Fatalf("add url: exit %d\n%s%s", code, out, errs)
	}
	_, out, _ = cli(t, data, "ask", "--json", "how many locks did the canal restoration cover")
	if !strings.Contains(out, "nine locks") || !strings.Contains(out, srv.URL+"/canal") {
		t.Errorf("ask: %s", out)
	}
}

func TestAddDirectoryOf500Files(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	words := []string{"harbour", "bridge", "council", "festival", "quarry", "canal", "ferry", "bakery", "museum", "library"}
	for i := 0; i < 500; i++ {
		text := fmt.Sprintf("Story number %d\n\nThe %s committee met on day %d and approved plan %d for the %s.",
			i, words[i%10], i, i*7, words[(i+3)%10])
		if i%100 == 99 { // five files repeat an earlier file's text
			text = "Story number 0\n\nThe harbour committee met on day 0 and approved plan 0 for the festival."
		}
		if i%125 == 7 { // four files are not text
			text = "\x00\x01binary"
		}
		sub := filepath.Join(dir, fmt.Sprintf("d%d", i%7))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := cli(t, data, "add", dir)
	if code != 1 || !strings.Contains(out, "491 added, 5 already in the library, 4 refused") {
		t.Fatalf("exit %d, summary: %s", code, out[max(0, len(out)-300):])
	}
	if strings.Count(out, "refused    ") != 4 || !strings.Contains(out, "not UTF-8 text") {
		t.Errorf("refusals do not say why")
	}
	_, out, _ = cli(t, data, "sources", "--json")
	var infos []corpus.Info
	if err := json.Unmarshal([]byte(out), &infos); err != nil || len(infos) != 496 {
		t.Fatalf("%d sources (want 491 + 5 seeds): %v", len(infos), err)
	}
	// Each source keeps the file it was made from.
	var one corpus.Info
	for _, i := range infos {
		if i.Origin == "f042.txt" {
			one = i
		}
	}
	_, snap, _ := cli(t, data, "show", "--snapshot", one.ID)
	want, _ := os.ReadFile(filepath.Join(dir, "d0", "f042.txt"))
	if snap != string(want) || one.SnapshotBytes != len(want) || one.SnapshotType != "text/plain" {
		t.Errorf("snapshot of f042.txt: %q (%+v)", snap, one)
	}
}

func TestRefreshMakesANewVersion(t *testing.T) {
	var mu sync.Mutex
	body := "<p>The museum will open its new wing in March, the director said.</p><p>Tickets go on sale next week.</p>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><head><title>Museum Wing</title></head><body><article><h1>Museum Wing</h1>%s</article></body></html>`, body)
	}))
	defer srv.Close()
	data := t.TempDir()
	if code, out, errs := cli(t, data, "add", "--allow-host", "127.0.0.1", srv.URL+"/museum"); code != 0 {
		t.Fatalf("add: %s%s", out, errs)
	}
	_, out, _ := cli(t, data, "ask", "--json", "when will the museum open its new wing")
	var before jsonResult
	if err := json.Unmarshal([]byte(out), &before); err != nil || len(before.Answers) == 0 {
		t.Fatalf("ask: %s", out)
	}
	oldID := before.Answers[0].Source.ID

	code, out, _ := cli(t, data, "refresh", "--allow-host", "127.0.0.1", oldID)
	if code != 0 || !strings.Contains(out, "unchanged") {
		t.Errorf("refresh of an unchanged page: %s", out)
	}
	mu.Lock()
	body = "<p>The museum will open its new wing in May, the director said, after a delay.</p><p>Tickets go on sale next week.</p>"
	mu.Unlock()
	code, out, _ = cli(t, data, "refresh", "--allow-host", "127.0.0.1", "--all")
	if code != 0 || !strings.Contains(out, "1 paragraphs changed, 0 added, 0 removed") {
		t.Fatalf("refresh of a changed page: exit %d %s", code, out)
	}
	_, out, _ = cli(t, data, "ask", "--json", "when will the museum open its new wing")
	var after jsonResult
	if err := json.Unmarshal([]byte(out), &after); err != nil || len(after.Answers) == 0 {
		t.Fatalf("ask after refresh: %s", out)
	}
	if a := after.Answers[0]; !strings.Contains(a.Quote, "May") {
		t.Errorf("answer after refresh: %+v", a)
	}
	for _, a := range after.Answers {
		if a.Source.ID == oldID {
			t.Errorf("the replaced version still answers (after a reopen and reconcile)")
		}
	}
	// The old version stays checkable: its text still holds the old quote.
	_, out, _ = cli(t, data, "show", "--json", oldID)
	var old corpus.Source
	if err := json.Unmarshal([]byte(out), &old); err != nil {
		t.Fatal(err)
	}
	q := before.Answers[0]
	if old.Text[q.Start:q.End] != q.Quote || old.SupersededBy == "" {
		t.Errorf("old version: superseded_by %q, quote checkable: %v", old.SupersededBy, old.Text[q.Start:q.End] == q.Quote)
	}
	if code, _, errs := cli(t, data, "refresh", "--allow-host", "127.0.0.1", oldID); code != 1 || !strings.Contains(errs, "could not be refreshed") {
		t.Errorf("refreshing an old version: %d %s", code, errs)
	}
}

// TestAskRelativeDates: --after and --before take dates relative to the
// command's clock (here three days after the seed of 2021-03-17).
func TestAskRelativeDates(t *testing.T) {
	data := t.TempDir()
	ask := func(args ...string) (int, jsonResult, string) {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: func(k string) string {
			if k == "VERBATIM_DATA" {
				return data
			}
			return ""
		}, now: func() time.Time { return time.Date(2021, time.March, 20, 12, 0, 0, 0, time.UTC) }}
		code := run(context.Background(), append([]string{"ask", "--json"}, args...), e)
		var res jsonResult
		if code == 0 {
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out.String())
			}
		}
		return code, res, out.String() + errb.String()
	}
	q := "Did the Justice Department find evidence of foreign influence on the 2020 election?"
	for _, tc := range []struct {
		flags []string
		found bool
	}{
		{[]string{"--after", "7d"}, true},
		{[]string{"--after", "2d"}, false},
		{[]string{"--before", "yesterday"}, true},
		{[]string{"--after", "1m", "--before", "today"}, true},
		{[]string{"--after", "1y", "--before", "1w"}, false},
	} {
		code, res, out := ask(append(tc.flags, q)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.flags, code, out)
		}
		found := len(res.Answers) > 0 && res.Answers[0].Source.Published == "2021-03-17"
		if found != tc.found {
			t.Errorf("%v: found %v, want %v: %s", tc.flags, found, tc.found, out)
		}
	}
	code, _, out := ask("--after", "today", "--before", "1w", q)
	if code != 2 || !strings.Contains(out, "--after (2021-03-20) is later than --before (2021-03-13)") {
		t.Errorf("after today before 1w: exit %d, %s", code, out)
	}
}
