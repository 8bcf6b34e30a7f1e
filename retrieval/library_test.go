package retrieval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// openSeeded opens a library with the seed articles in a temp dir.
func openSeeded(t testing.TB) (*Library, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

// addText parses text and adds it to the library with the given metadata.
func addText(t testing.TB, l *Library, text string, meta corpus.Meta) corpus.Source {
	t.Helper()
	doc, err := corpus.ParseText([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	src, err := l.Add(context.Background(), corpus.Draft{Doc: doc, Meta: meta})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func ask(t testing.TB, l *Library, q Question) Result {
	t.Helper()
	res, err := l.Ask(context.Background(), q)
	if err != nil {
		t.Fatalf("Ask(%q): %v", q.Text, err)
	}
	return res
}

func quotes(r Result) []string {
	var out []string
	for _, a := range r.Answers {
		out = append(out, a.Source.Origin+": "+a.Quote)
	}
	return out
}

// TestMuellerSyndication: 000 and 004 carry the same closing paragraphs
// (split differently); the answer is one quote, with the other copy named.
func TestMuellerSyndication(t *testing.T) {
	l, _ := openSeeded(t)
	res := ask(t, l, Question{Text: "Did Mueller find that Trump colluded with Russia?"})
	if res.NoAnswer || len(res.Answers) == 0 {
		t.Fatal("no answer")
	}
	a := res.Answers[0]
	if !strings.Contains(a.Quote, "Mueller came up empty-handed") {
		t.Fatalf("top quote = %q", a.Quote)
	}
	copies := map[string]bool{a.Source.Origin: true}
	for _, o := range a.AlsoCarriedBy {
		copies[o.Origin] = true
	}
	if !copies["000_3f4d416429b31785.txt"] || !copies["004_2ba33058579cacb3.txt"] {
		t.Errorf("answer from %s also carried by %v; want 000 and 004 together", a.Source.Origin, a.AlsoCarriedBy)
	}
	for _, b := range res.Answers[1:] {
		if strings.Contains(b.Quote, "empty-handed") {
			t.Errorf("the syndicated copy was given twice: %q from %s", b.Quote, b.Source.Origin)
		}
	}
	if a.Paragraph < 1 || a.ParagraphSpan.Start > a.Start || a.ParagraphSpan.End < a.End {
		t.Errorf("paragraph %d span %v does not hold quote [%d,%d)", a.Paragraph, a.ParagraphSpan, a.Start, a.End)
	}
}

func TestNoAnswer(t *testing.T) {
	l, _ := openSeeded(t)
	for _, q := range []string{
		"What is the capital of Australia?",
		"Who won the 2018 FIFA World Cup?",
		"How do I reset my router password?",
		"What is the capital of Russia?",
		"Did Russia interfere in the 2024 election?",
		"what is it?",
	} {
		res := ask(t, l, Question{Text: q})
		if !res.NoAnswer || len(res.Answers) != 0 || res.Reason == "" {
			t.Errorf("%q: want no answer with a reason, got %v", q, quotes(res))
		}
	}
}

// TestHostileQuestions: odd input gives an answer or a clear error, never a
// panic; query syntax is only plain words: a question with syntax gets
// exactly the answers of the same words written plainly.
func TestHostileQuestions(t *testing.T) {
	l, _ := openSeeded(t)
	tests := []struct {
		q       string
		wantErr error
		plain   string // the same words, without syntax
		answers bool   // must answer (its words are in the library)
	}{
		{q: "", wantErr: ErrEmptyQuestion},
		{q: "   \n\t ", wantErr: ErrEmptyQuestion},
		{q: strings.Repeat("Mueller ", 1250), wantErr: ErrQuestionTooLong},
		{q: "?!?... --- +++ ^^^ ~~~ /.*/", wantErr: ErrNoWords},
		{q: "Mueller?", answers: true, plain: "Mueller"},
		{q: "+Mueller -Trump", answers: true, plain: "Mueller Trump"},
		{q: "title:Mueller", plain: "title Mueller"},
		{q: "Mueller^100 empty-handed~2", plain: "Mueller 100 empty handed 2"},
		{q: "/.*Mueller.*/", answers: true, plain: "Mueller"},
		{q: "text:* OR _id:*", plain: "text OR id"},
		{q: `"unterminated phrase Mueller empty-handed`, plain: "unterminated phrase Mueller empty handed"},
		{q: "Вмешивалась ли Россия в выборы?"},
		{q: "俄罗斯干预了选举吗？"},
		{q: "🇷🇺🗳️🤔", wantErr: ErrNoWords},
		{q: "Mueller \x00 empty-handed", answers: true, plain: "Mueller empty-handed"},
		{q: "what is it?"},
		{q: strings.Repeat("a", MaxQuestionRunes)},
		// More distinct words than one search may open term searchers for
		// (a long message through "Find sources"): no error; words the
		// library lacks leave it unanswered (TestLongQuestion answers one).
		{q: manyWords(150) + " Mueller empty-handed"},
	}
	for _, tc := range tests {
		name := tc.q
		if len(name) > 30 {
			name = name[:30]
		}
		t.Run(name, func(t *testing.T) {
			res, err := l.Ask(context.Background(), Question{Text: tc.q})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.answers && (res.NoAnswer || len(res.Answers) == 0) {
				t.Fatalf("no answer")
			}
			if res.NoAnswer != (len(res.Answers) == 0) || (res.NoAnswer && res.Reason == "") {
				t.Errorf("no_answer %v with %d answers, reason %q", res.NoAnswer, len(res.Answers), res.Reason)
			}
			if tc.plain != "" {
				want := ask(t, l, Question{Text: tc.plain})
				if strings.Join(quotes(res), "|") != strings.Join(quotes(want), "|") {
					t.Errorf("syntax changed the answer:\n got %v\nwant %v", quotes(res), quotes(want))
				}
			}
		})
	}
}

func TestFiltersAndScope(t *testing.T) {
	l, _ := openSeeded(t)
	const guild, other = "111111111111111111", "222222222222222222"
	src := addText(t, l, "Zebra Crossing Rules\n\nPARIS, March 3, 2021 (Gazette) — The council voted to repaint every zebra crossing in the old town before the summer festival.",
		corpus.Meta{Scope: guild, AddedBy: "mod"})

	q := "zebra crossing repaint"
	for _, tc := range []struct {
		name string
		q    Question
		want bool
	}{
		{"owner guild sees it", Question{Text: q, Scope: guild}, true},
		{"other guild does not", Question{Text: q, Scope: other}, false},
		{"global only does not", Question{Text: q, Scope: corpus.GlobalScope}, false},
		{"operator sees all", Question{Text: q}, true},
		{"outlet match", Question{Text: q, Outlet: "gazette"}, true},
		{"outlet mismatch", Question{Text: q, Outlet: "TASS"}, false},
		{"after", Question{Text: q, After: "2021-03-01"}, true},
		{"after excludes", Question{Text: q, After: "2021-03-04"}, false},
		{"before", Question{Text: q, Before: "2021-03-03"}, true},
		{"before excludes", Question{Text: q, Before: "2021-03-02"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ask(t, l, tc.q)
			got := len(res.Answers) > 0 && res.Answers[0].Source.ID == src.ID
			if got != tc.want {
				t.Errorf("found = %v, want %v (%v)", got, tc.want, quotes(res))
			}
		})
	}
	// The guild still sees the global library.
	if res := ask(t, l, Question{Text: "When was Robert Mueller appointed special counsel?", Scope: guild}); res.NoAnswer {
		t.Error("a guild must see the global library")
	}
	for _, bad := range []Question{
		{Text: q, After: "March 2021"}, {Text: q, Before: "2021-13-01"},
		{Text: q, After: "2021-05-01", Before: "2021-01-01"}, {Text: q, Scope: "not a guild"},
	} {
		if _, err := l.Ask(context.Background(), bad); !errors.Is(err, ErrBadFilter) {
			t.Errorf("%+v: err = %v, want ErrBadFilter", bad, err)
		}
	}
	// Another guild can neither see nor remove it; its own guild can.
	if _, err := l.Get(context.Background(), src.ID, other); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("Get from other guild: %v", err)
	}
	if _, err := l.Remove(context.Background(), src.ID, other); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("Remove from other guild: %v", err)
	}
	seed := ask(t, l, Question{Text: "Mueller empty-handed"}).Answers[0].Source.ID
	if _, err := l.Remove(context.Background(), seed, guild); !errors.Is(err, ErrNotVisible) {
		t.Errorf("a guild removing a global source: %v", err)
	}
	if _, err := l.Remove(context.Background(), src.ID, guild); err != nil {
		t.Errorf("Remove by owner: %v", err)
	}
}

func TestRemovedSourceNeverAnswers(t *testing.T) {
	l, dir := openSeeded(t)
	q := Question{Text: "How many electoral votes did Trump receive in 2020?"}
	res := ask(t, l, q)
	if res.NoAnswer {
		t.Fatal("no answer before removal")
	}
	id := res.Answers[0].Source.ID
	if _, err := l.Remove(context.Background(), id, ""); err != nil {
		t.Fatal(err)
	}
	check := func(l *Library) {
		t.Helper()
		for _, a := range ask(t, l, q).Answers {
			if a.Source.ID == id {
				t.Fatalf("removed source %s answered: %q", id, a.Quote)
			}
		}
	}
	check(l)
	// Nor after a restart.
	l.Close()
	l2, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	check(l2)
	// And the seeds are not loaded again into a library that had them.
	if _, err := l2.Get(context.Background(), id, ""); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("removed seed came back: %v", err)
	}
}

func TestIndexRebuildAndReconcile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	q := Question{Text: "When was Robert Mueller appointed special counsel?"}
	want := ask(t, l, q).Answers[0].Quote

	// 1. Store has a source the index lacks (a crash between the two).
	c, _ := corpus.NewChunker()
	doc, _ := corpus.ParseText([]byte("Orphan Story\n\nThe lighthouse keeper counted eleven ships in the fog."))
	orphan, _ := corpus.NewSource(doc, corpus.Meta{Origin: "orphan.txt"}, c, time.Now())
	if err := l.store.Put(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	// 2. Index has a source the store lacks.
	doc, _ = corpus.ParseText([]byte("Ghost Story\n\nThe ghost ship sailed past the harbour at midnight."))
	ghost, _ := corpus.NewSource(doc, corpus.Meta{Origin: "ghost.txt"}, c, time.Now())
	b := l.index.newBatch()
	if err := addToBatch(b, &ghost); err != nil {
		t.Fatal(err)
	}
	if err := l.index.apply(b, 0); err != nil {
		t.Fatal(err)
	}
	l.Close()

	l, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res := ask(t, l, Question{Text: "lighthouse keeper ships fog"}); res.NoAnswer || res.Answers[0].Source.ID != orphan.ID {
		t.Errorf("stored source was not indexed at open: %v", quotes(res))
	}
	if ids, _ := l.index.docsOf(ctx, ghost.ID); len(ids) != 0 {
		t.Errorf("%d passages of a source not in the store are still indexed", len(ids))
	}
	inv, err := l.index.inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if inv[ghost.ID] != nil {
		t.Errorf("the index still holds %+v of a source not in the store", inv[ghost.ID])
	}
	if !inv[orphan.ID].whole(len(orphan.Passages)) {
		t.Errorf("the orphan is indexed as %+v, want %d passages and its article", inv[orphan.ID], len(orphan.Passages))
	}
	if current, err := l.indexCurrent(); err != nil || !current {
		t.Errorf("after reconciling, the index is not at the store's generation (%v)", err)
	}
	l.Close()

	// 3. Index of another mapping version is rebuilt.
	l, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.index.setInternal(keyVersion, []byte("0-old")); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := l.index.layout(); v != mappingVersion {
		t.Errorf("index version %q after rebuild", v)
	}
	if got := ask(t, l, q).Answers[0].Quote; got != want {
		t.Errorf("after rebuild: %q, want %q", got, want)
	}
	l.Close()

	// 4. A missing or corrupt index is rebuilt from the store.
	if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	l, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := ask(t, l, q).Answers[0].Quote; got != want {
		t.Errorf("after rebuild from nothing: %q, want %q", got, want)
	}
	st, err := l.Stats(ctx)
	if err != nil || st.Sources != 6 {
		t.Errorf("stats = %+v, %v; want 6 sources", st, err)
	}
	l.Close()
	if err := os.WriteFile(filepath.Join(dir, "index.bleve", "index_meta.json"), []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatalf("a corrupt index must be rebuilt, not fatal: %v", err)
	}
	defer l.Close()
	if got := ask(t, l, q).Answers[0].Quote; got != want {
		t.Errorf("after rebuild from corrupt: %q, want %q", got, want)
	}
}

func TestAddDuplicate(t *testing.T) {
	l, _ := openSeeded(t)
	text := "Duplicate Story\n\nThe mayor opened the new bridge on a rainy morning."
	src := addText(t, l, text, corpus.Meta{})
	doc, _ := corpus.ParseText([]byte(text))
	var exists *corpus.ExistsError
	if _, err := l.Add(context.Background(), corpus.Draft{Doc: doc, Meta: corpus.Meta{Title: "Other title"}}); !errors.As(err, &exists) || exists.ID != src.ID {
		t.Fatalf("re-adding the same text: %v", err)
	}
}

// TestQuotesAreExactSpans checks, over many questions, that every quote is
// the stored text at its span and that matches lie inside the quote.
func TestQuotesAreExactSpans(t *testing.T) {
	l, _ := openSeeded(t)
	for _, q := range []string{"Russia sanctions", "Peskov regret", "Krutskikh negotiating table", "interference report Putin",
		"Biden Trump election votes", "Kremlin paranoid reports", "megaphone diplomacy"} {
		res := ask(t, l, Question{Text: q, K: 10})
		for _, a := range res.Answers {
			src, err := l.Get(context.Background(), a.Source.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if src.Text[a.Start:a.End] != a.Quote {
				t.Errorf("%q: quote is not text[%d:%d]", q, a.Start, a.End)
			}
			if len([]rune(a.Quote)) > 600 {
				t.Errorf("%q: quote of %d characters", q, len([]rune(a.Quote)))
			}
			for _, m := range a.Matches {
				if m.Start < a.Start || m.End > a.End {
					t.Errorf("%q: match %v outside quote", q, m)
				}
			}
		}
	}
}

func TestCutAroundLongSentence(t *testing.T) {
	l, _ := openSeeded(t)
	long := "Long Sentence Story\n\nThe committee, " + strings.Repeat("having considered many reports and many letters from many people, ", 20) +
		"finally concluded that the quokka population had doubled, " + strings.Repeat("according to figures that were gathered over a decade by volunteers, ", 10) + "and adjourned."
	src := addText(t, l, long, corpus.Meta{})
	res := ask(t, l, Question{Text: "quokka population doubled"})
	if len(res.Answers) == 0 || res.Answers[0].Source.ID != src.ID {
		t.Fatalf("no answer from the long sentence")
	}
	a := res.Answers[0]
	if !a.CutBefore || !a.CutAfter || !strings.Contains(a.Quote, "quokka population had doubled") || len([]rune(a.Quote)) > 420 {
		t.Errorf("cut = %v/%v, %d chars: %q", a.CutBefore, a.CutAfter, len([]rune(a.Quote)), a.Quote)
	}
	if a.Quote != strings.TrimSpace(a.Quote) {
		t.Errorf("cut quote has surrounding space")
	}
}

// manyWords returns n distinct made-up words, separated by spaces.
func manyWords(n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = "qz" + strconv.Itoa(i)
	}
	return strings.Join(words, " ")
}

// TestLongQuestion asks with a whole seed paragraph pasted as the question (more distinct terms than one search may open term
// searchers for, with the limit lowered to make one paragraph enough): it
// must be answered from that article, not fail.
func TestLongQuestion(t *testing.T) {
	tuning := DefaultTuning()
	tuning.MaxTermSearchers = 40 // so that one paragraph is over it
	l, err := Open(context.Background(), Options{Dir: t.TempDir(), Tuning: &tuning})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	id := ask(t, l, Question{Text: "Mueller empty-handed"}).Answers[0].Source.ID
	src, err := l.Get(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	var q []rune
	for i := range src.Passages {
		if p := src.PassageText(i); strings.Contains(p, "empty-handed") {
			q = []rune(strings.Join(strings.Fields(p), " "))
		}
	}
	q = q[:min(len(q), MaxQuestionRunes)]
	if n := len(l.analyze(string(q))); n <= (l.tuning.MaxTermSearchers-16)/3 {
		t.Fatalf("the question has only %d distinct terms; it must have more than the limit", n)
	}
	res := ask(t, l, Question{Text: string(q)})
	if res.NoAnswer || res.Answers[0].Source.ID != id {
		t.Errorf("a pasted paragraph is answered by %v, want its own source %s first", quotes(res), id)
	}
}
