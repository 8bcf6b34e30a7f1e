package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchJSON(t *testing.T) {
	export := t.TempDir()
	code, out, errs := cli(t, t.TempDir(), "bench", "--passages", "300", "--queries", "20", "--json", "--export", export, "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"passages", "index_per_sec", "index_bytes", "open_seconds", "answer_ms", "peak_rss_bytes"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, out)
		}
	}
	if got["passages"] != 300.0 {
		t.Errorf("passages %v, want 300", got["passages"])
	}
	for _, k := range []string{"index_per_sec", "index_bytes", "open_seconds"} {
		if v, _ := got[k].(float64); v <= 0 {
			t.Errorf("%s = %v, want > 0", k, got[k])
		}
	}
	ms, _ := got["answer_ms"].(map[string]any)
	for _, k := range []string{"p50", "p95", "p99"} {
		if v, _ := ms[k].(float64); v <= 0 {
			t.Errorf("answer_ms.%s = %v, want > 0", k, ms[k])
		}
	}
	if ms["p50"].(float64) > ms["p99"].(float64) {
		t.Errorf("p50 above p99: %v", ms)
	}
	// The built library is compacted before it is asked: one segment.
	if got["segments"] != 1.0 || got["segments_before_compact"] == nil {
		t.Errorf("segments %v (before compacting %v), want 1 after compacting", got["segments"], got["segments_before_compact"])
	}
	if _, err := os.Stat("/proc/self/status"); err == nil {
		if v, _ := got["peak_rss_bytes"].(float64); v <= 0 {
			t.Errorf("peak_rss_bytes = %v on Linux", got["peak_rss_bytes"])
		}
	}
	lines := func(name string) []string {
		b, err := os.ReadFile(filepath.Join(export, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	if n := len(lines("passages.jsonl")); n != 300 {
		t.Errorf("%d exported passages, want 300", n)
	}
	qs := lines("queries.jsonl")
	if len(qs) != 20 {
		t.Errorf("%d exported questions, want 20", len(qs))
	}
	var q struct{ Text string }
	if err := json.Unmarshal([]byte(qs[0]), &q); err != nil || q.Text == "" {
		t.Errorf("exported question %q: %v", qs[0], err)
	}

	// The same seed exports the same corpus; --no-compact asks the
	// library as built, and says so.
	again := t.TempDir()
	code, out, errs = cli(t, t.TempDir(), "bench", "--passages", "300", "--queries", "20", "--export", again, "--seed", "3", "--no-compact")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "(not compacted)") {
		t.Errorf("bench --no-compact does not say the index was not compacted:\n%s", out)
	}
	for _, f := range []string{"passages.jsonl", "queries.jsonl"} {
		a, _ := os.ReadFile(filepath.Join(export, f))
		b, _ := os.ReadFile(filepath.Join(again, f))
		if string(a) != string(b) {
			t.Errorf("%s differs between two runs with seed 3", f)
		}
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{{"bench", "--passages", "0"}, {"bench", "extra"}, {"bench", "--cpuprofile"}} {
		if code, _, errs := cli(t, t.TempDir(), args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

func TestParseVmHWM(t *testing.T) {
	if got := parseVmHWM("Name:\tx\nVmPeak:\t  999 kB\nVmHWM:\t   2048 kB\n"); got != 2048*1024 {
		t.Errorf("got %d", got)
	}
	if got := parseVmHWM("Name:\tx\n"); got != 0 {
		t.Errorf("got %d without VmHWM", got)
	}
}

func TestTakeHiddenFlag(t *testing.T) {
	rest, v, err := takeHiddenFlag([]string{"--json", "--cpuprofile", "x.pprof", "-seed=2"}, "cpuprofile")
	if err != nil || v != "x.pprof" || strings.Join(rest, " ") != "--json -seed=2" {
		t.Errorf("got %v %q %v", rest, v, err)
	}
	if _, v, _ := takeHiddenFlag([]string{"-cpuprofile=y"}, "cpuprofile"); v != "y" {
		t.Errorf("got %q", v)
	}
}

func TestParseStatCPU(t *testing.T) {
	stat := "1234 (verbatim x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 9 0 100 200 300"
	if got := parseStatCPU(stat); got != 3 {
		t.Errorf("got %v, want 3 s", got)
	}
	if got := parseStatCPU("garbage"); got != 0 {
		t.Errorf("got %v from garbage", got)
	}
}
