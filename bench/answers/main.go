// Command answers asks a library every question of a file and prints each
// whole result as one JSON line, so that two versions of the code can be
// shown to give byte-identical answers (diff their outputs), and so that the
// answer path alone can be profiled and timed on a library built once.
//
//	go run ./bench/answers [--dir LIB] [--cpuprofile F] QUESTIONS...
//
// QUESTIONS are JSON Lines of {"text"} (what `verbatim bench --export`
// writes) or YAML lists of {question} (evaluation/testdata/seed-*.yaml).
// Without --dir the library is the embedded seeds, in a temporary directory.
// The answer latencies (p50/p99) and CPU go to standard error.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/verbatim-bot/verbatim/retrieval"
)

func main() {
	dir := flag.String("dir", "", "library directory (default: the embedded seeds in a temporary directory)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the questions to this file")
	repeat := flag.Int("repeat", 1, "ask every question this many times (answers are printed once)")
	flag.Parse()
	if err := run(*dir, *cpuProfile, *repeat, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "answers:", err)
		os.Exit(1)
	}
}

func run(dir, cpuProfile string, repeat int, files []string) error {
	ctx := context.Background()
	var qs []string
	for _, f := range files {
		more, err := questions(f)
		if err != nil {
			return err
		}
		qs = append(qs, more...)
	}
	opts := retrieval.Options{Dir: dir, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "verbatim-answers-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		opts.Dir = tmp
	} else {
		opts.NoSeed = true
	}
	lib, err := retrieval.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer lib.Close()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var lat []float64
	for r := range max(repeat, 1) {
		for _, q := range qs {
			t := time.Now()
			res, err := lib.Ask(ctx, retrieval.Question{Text: q})
			lat = append(lat, float64(time.Since(t).Nanoseconds())/1e6)
			if r > 0 {
				continue
			}
			line := map[string]any{"question": q, "result": res}
			if err != nil {
				line = map[string]any{"question": q, "error": err.Error()}
			}
			b, err := json.Marshal(line)
			if err != nil {
				return err
			}
			out.Write(append(b, '\n'))
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		at := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))+0.999999)-1)] }
		fmt.Fprintf(os.Stderr, "%d answers: ms p50 %.2f p95 %.2f p99 %.2f max %.2f\n", len(lat), at(0.5), at(0.95), at(0.99), lat[len(lat)-1])
	}
	return nil
}

// questions reads a questions file: JSON Lines of {"text"}, or YAML.
func questions(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
		var items []struct {
			Question string `yaml:"question"`
		}
		if err := yaml.Unmarshal(b, &items); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, it := range items {
			out = append(out, it.Question)
		}
		return out, nil
	}
	for line := range strings.Lines(string(b)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var q struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, q.Text)
	}
	return out, nil
}
