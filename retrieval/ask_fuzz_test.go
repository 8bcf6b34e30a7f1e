package retrieval

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/search/query"
)

// syntaxAround are ways of wrapping a word in query-string syntax that do
// not change the words the analyzer finds.
var syntaxAround = []string{"+%s", "-%s", `"%s`, `%s"`, `"%s"`, "%s^", "%s~", "%s*", "%s?", `\%s`, `%s\`,
	"(%s)", "/%s/", "%s:", ":* %s", "*:* %s", "!%s", "{%s TO *}", "[%s]", "%s &&", "%s ||", "%s.*", "/.*%s.*/"}

// FuzzAskQuery checks how a question reaches the index. For any question and
// outlet filter, the queries built are only analysed match and phrase
// queries of the question on the text, title and article fields, and term
// queries of the filters — never query syntax, wildcards, regular
// expressions or fuzzy matching. Ask never fails but for what is wrong with
// the question itself. And a question answers exactly as its words do
// without any syntax: the question against its words joined by spaces, and
// its words wrapped in syntax (chosen by decor) against the bare words,
// whenever the analyzer reads both alike.
// Seeds: testdata/fuzz/FuzzAskQuery.
func FuzzAskQuery(f *testing.F) {
	l, _ := openSeeded(f)
	f.Fuzz(func(t *testing.T, text, outlet string, decor []byte) {
		checkQueries(t, l, Question{Text: text, Outlet: outlet})
		plain := bareWords(text)
		if sameAnalysis(l, text, plain) {
			sameAnswers(t, l, text, plain)
		}
		if len(decor) == 0 || plain == "" {
			return
		}
		words := strings.Split(plain, " ")
		for i, w := range words {
			words[i] = fmt.Sprintf(syntaxAround[int(decor[i%len(decor)])%len(syntaxAround)], w)
		}
		dressed := strings.Join(words, " ")
		checkQueries(t, l, Question{Text: dressed})
		if sameAnalysis(l, dressed, plain) {
			sameAnswers(t, l, dressed, plain)
		}
	})
}

// checkQueries checks the queries built for q, as Ask builds them.
func checkQueries(t *testing.T, l *Library, q Question) {
	t.Helper()
	filters, err := l.filters(q)
	if err != nil {
		if !errors.Is(err, ErrBadFilter) {
			t.Fatalf("filters(%+v): %v", q, err)
		}
		return
	}
	text := strings.TrimSpace(q.Text)
	passages, articles := l.buildQuery(text, filters)
	for _, root := range []query.Query{passages, articles} {
		if err := onlyPlainQueries(root, text); err != nil {
			t.Fatalf("question %q, outlet %q: %v", q.Text, q.Outlet, err)
		}
	}
	if _, err := l.Ask(context.Background(), q); err != nil && !questionError(err) {
		t.Fatalf("Ask(%q, outlet %q): %v", q.Text, q.Outlet, err)
	}
}

// onlyPlainQueries walks a query tree and returns an error at the first
// query that is not a plain match or phrase query of text on an analysed
// field, a term query on a key field, or a date range, or their conjunction
// and disjunction.
func onlyPlainQueries(q query.Query, text string) error {
	switch q := q.(type) {
	case *query.DisjunctionQuery:
		return allPlain(q.Disjuncts, text)
	case *query.ConjunctionQuery:
		return allPlain(q.Conjuncts, text)
	case *query.MatchQuery:
		if q.Match != text || q.Analyzer != "" || q.Fuzziness != 0 || q.Prefix != 0 ||
			(q.FieldVal != fieldText && q.FieldVal != fieldTitle && q.FieldVal != fieldArticle) {
			return fmt.Errorf("match query %+v is not a plain match of the question on an analysed field", *q)
		}
	case *query.MatchPhraseQuery:
		if q.MatchPhrase != text || q.Analyzer != "" || q.Fuzziness != 0 || q.FieldVal != fieldText {
			return fmt.Errorf("phrase query %+v is not the question as a phrase on the text", *q)
		}
	case *query.TermQuery:
		if q.FieldVal != fieldScope && q.FieldVal != fieldOutlet {
			return fmt.Errorf("term query %+v is not a filter", *q)
		}
	case *query.TermRangeQuery:
		if q.FieldVal != fieldPublished {
			return fmt.Errorf("range query %+v is not a date filter", *q)
		}
	default:
		return fmt.Errorf("query of type %T built from a question", q)
	}
	return nil
}

func allPlain(qs []query.Query, text string) error {
	for _, q := range qs {
		if err := onlyPlainQueries(q, text); err != nil {
			return err
		}
	}
	return nil
}

// questionError reports whether err is about the question itself.
func questionError(err error) bool {
	return errors.Is(err, ErrEmptyQuestion) || errors.Is(err, ErrQuestionTooLong) || errors.Is(err, ErrNoWords)
}

// bareWords returns the words of text, as the tokenizer the analyzer starts
// with cuts them, joined by single spaces: the text without its punctuation
// and syntax.
func bareWords(text string) string {
	var words []string
	for _, tok := range unicode.NewUnicodeTokenizer().Tokenize([]byte(text)) {
		words = append(words, text[tok.Start:tok.End])
	}
	return strings.Join(words, " ")
}

// sameAnalysis reports whether the analyzer reads a and b alike: the same
// terms at the same positions, at least one of them, and both questions
// valid UTF-8 and short enough to ask.
func sameAnalysis(l *Library, a, b string) bool {
	key := func(ts analysis.TokenStream) []string {
		var out []string
		for _, tok := range ts {
			out = append(out, fmt.Sprintf("%d:%s", tok.Position, tok.Term))
		}
		return out
	}
	ka, kb := key(l.analyzer.Analyze([]byte(a))), key(l.analyzer.Analyze([]byte(b)))
	if len(ka) == 0 || !reflect.DeepEqual(ka, kb) {
		return false
	}
	for _, s := range []string{a, b} {
		if !utf8.ValidString(s) || utf8.RuneCountInString(strings.TrimSpace(s)) > MaxQuestionRunes {
			return false
		}
	}
	return true
}

// sameAnswers fails t unless questions a and b get the same result.
func sameAnswers(t *testing.T, l *Library, a, b string) {
	t.Helper()
	if diff := answerDiff(l, a, b); diff != "" {
		t.Fatal(diff)
	}
}

// answerDiff says how the results of questions a and b differ ("" if not).
func answerDiff(l *Library, a, b string) string {
	ra, errA := l.Ask(context.Background(), Question{Text: a})
	rb, errB := l.Ask(context.Background(), Question{Text: b})
	ra.Question, rb.Question = "", ""
	if errors.Is(errA, errB) && reflect.DeepEqual(ra, rb) {
		return ""
	}
	return fmt.Sprintf("%q and %q, read alike, answer differently:\n%v, %+v\n%v, %+v", a, b, errA, ra, errB, rb)
}

// TestFuzzAskQueryChecks shows that the checks of FuzzAskQuery can fail:
// queries with syntax, fuzziness or another field are refused, and two
// different questions answer differently.
func TestFuzzAskQueryChecks(t *testing.T) {
	l, _ := openSeeded(t)
	const q = "Mueller empty-handed"
	fuzzy := bleve.NewMatchQuery(q)
	fuzzy.SetField(fieldText)
	fuzzy.SetFuzziness(1)
	other := bleve.NewMatchQuery(q)
	other.SetField(fieldSource)
	passages, articles := l.buildQuery(q, nil)
	tests := []struct {
		name  string
		query query.Query
		ok    bool
	}{
		{"built passages query", passages, true},
		{"built articles query", articles, true},
		{"query string", bleve.NewDisjunctionQuery(passages, bleve.NewQueryStringQuery(q)), false},
		{"wildcard", bleve.NewWildcardQuery("muel*"), false},
		{"regexp", bleve.NewRegexpQuery("mu.*"), false},
		{"prefix", bleve.NewPrefixQuery("mu"), false},
		{"fuzzy match", fuzzy, false},
		{"match on a key field", other, false},
		{"match of other text", bleve.NewConjunctionQuery(bleve.NewMatchQuery("Putin")), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := onlyPlainQueries(tc.query, q); (err == nil) != tc.ok {
				t.Errorf("onlyPlainQueries = %v, want ok %v", err, tc.ok)
			}
		})
	}
	brief := `+title:x -foo "bar" field:* ^2 ~ \ Mueller`
	if !sameAnalysis(l, brief, bareWords(brief)) {
		t.Errorf("%q and %q are not read alike", brief, bareWords(brief))
	}
	if diff := answerDiff(l, "Did Mueller find collusion?", "Who demanded that Pompeo and Mnuchin impose sanctions?"); diff == "" {
		t.Errorf("two different questions answer alike")
	}
}
