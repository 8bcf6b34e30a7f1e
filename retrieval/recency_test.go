package retrieval

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// recencyClock is the day the recency tests are asked on.
var recencyClock = time.Date(2026, time.March, 20, 9, 0, 0, 0, time.UTC)

// bridgeStory is one story as first reported and as updated: near the same
// text, in one outlet, nine months apart.
const (
	bridgeFirst   = "Bridge Repair Approved\n\nThe river council approved the repair of the old stone bridge on Tuesday, at a cost of 2 million euros, after engineers found cracks in two arches.\n\nWork will start in the summer."
	bridgeUpdated = "Bridge Repair Approved\n\nThe river council approved the repair of the old stone bridge on Tuesday, at a cost of 3 million euros, after engineers found cracks in two arches.\n\nWork will start in the autumn."
)

func origins(answers []Answer) []string {
	var out []string
	for _, a := range answers {
		out = append(out, a.Source.Origin)
	}
	return out
}

// TestNewerVersionFirst: the same story in an old and a new version (two
// sources, near-identical text, different dates) is one answer, which
// quotes the newer version and names the older as also carrying it —
// whichever was added first, and whichever date is the newer.
func TestNewerVersionFirst(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		firstDate, updatedDate string
		want, also             string
		addUpdatedFirst        bool
	}{
		{"updated is newer", "2025-06-10", "2026-03-17", "updated.txt", "first.txt", false},
		{"updated is newer, added first", "2025-06-10", "2026-03-17", "updated.txt", "first.txt", true},
		{"first is newer", "2026-03-17", "2025-06-10", "first.txt", "updated.txt", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openLibraryAt(t, func() time.Time { return recencyClock })
			add := []func(){
				func() {
					addText(t, l, bridgeFirst, corpus.Meta{Outlet: "Valley Post", Published: tc.firstDate, Origin: "first.txt"})
				},
				func() {
					addText(t, l, bridgeUpdated, corpus.Meta{Outlet: "Valley Post", Published: tc.updatedDate, Origin: "updated.txt"})
				},
			}
			if tc.addUpdatedFirst {
				slices.Reverse(add)
			}
			for _, f := range add {
				f()
			}
			res := ask(t, l, Question{Text: "What did the river council approve for the stone bridge?"})
			if res.NoAnswer || len(res.Answers) == 0 {
				t.Fatalf("no answer: %s", res.Reason)
			}
			a := res.Answers[0]
			if a.Source.Origin != tc.want || len(a.AlsoCarriedBy) != 1 || a.AlsoCarriedBy[0].Origin != tc.also {
				t.Errorf("answer from %s, also carried by %v; want %s, also %s", a.Source.Origin, a.AlsoCarriedBy, tc.want, tc.also)
			}
			src, err := l.Get(t.Context(), a.Source.ID, "")
			if err != nil || src.Text[a.Start:a.End] != a.Quote {
				t.Errorf("the quote is not its source's text[%d:%d]: %v", a.Start, a.End, err)
			}
		})
	}
}

// TestRecentQuestionPrefersRecent: a question that says "this week" or
// "latest" puts the answer published within its window first, though it
// scores lower; the same question on a later day (when neither is recent)
// orders by score. The answers given and their confidences are the same
// either way: recency orders, it does not choose.
func TestRecentQuestionPrefersRecent(t *testing.T) {
	clock := recencyClock
	l := openLibraryAt(t, func() time.Time { return clock })
	addText(t, l, "Stone Bridge Repair: River Council Approves Stone Bridge Budget\n\nThe river council approved the repair of the old stone bridge on Tuesday, at a cost of 2 million euros, after engineers found cracks in two arches of the stone bridge.\n\nWork will start in the summer.",
		corpus.Meta{Outlet: "Valley Post", Published: "2025-06-10", Origin: "old.txt"})
	addText(t, l, "Council Update\n\nOn Monday the river council approved a new plan for the stone bridge: the repair will now cost 3 million euros, since more cracks were found.\n\nWork will start in the autumn.",
		corpus.Meta{Outlet: "Valley Times", Published: "2026-03-17", Origin: "new.txt"})

	plain := ask(t, l, Question{Text: "What did the river council approve for the stone bridge?"})
	if got := origins(plain.Answers); !reflect.DeepEqual(got, []string{"old.txt", "new.txt"}) {
		t.Fatalf("without a word of when: %v, want the better score (old.txt) first", got)
	}
	if s := plain.Answers; s[1].Score >= s[0].Score*(1-DefaultTuning().RecencyTie) {
		t.Fatalf("scores %.3f and %.3f are close: the test needs the recent one clearly lower", s[0].Score, s[1].Score)
	}
	for _, tc := range []struct {
		q     string
		lower bool // the recent answer scores clearly lower than the other
	}{
		{"What did the river council approve for the stone bridge this week?", true},
		{"latest on the stone bridge repair", true},
		{"what did the river council decide about the stone bridge recently", true},
		{"whats new with the stone bridge repair", false},
	} {
		clock = recencyClock
		recent := ask(t, l, Question{Text: tc.q})
		if got := origins(recent.Answers); !reflect.DeepEqual(got, []string{"new.txt", "old.txt"}) {
			t.Errorf("%q: %v, want the recent one (new.txt) first and the other still given", tc.q, got)
			continue
		}
		if s := recent.Answers; tc.lower && s[0].Score >= s[1].Score*(1-DefaultTuning().RecencyTie) {
			t.Errorf("%q: scores %.3f and %.3f are close: the test needs the recent one clearly lower", tc.q, s[0].Score, s[1].Score)
		}
		clock = recencyClock.AddDate(1, 0, 0)
		later := ask(t, l, Question{Text: tc.q})
		if len(later.Answers) != 2 || later.Answers[0].Score < later.Answers[1].Score {
			t.Errorf("%q a year on: %v, want both, by score", tc.q, origins(later.Answers))
		}
		for _, a := range recent.Answers {
			i := slices.IndexFunc(later.Answers, func(b Answer) bool { return b.Source.ID == a.Source.ID })
			if i < 0 || later.Answers[i].Confidence != a.Confidence || later.Answers[i].Evidence != a.Evidence || later.Answers[i].Score != a.Score {
				t.Errorf("%q: %s weighed differently when recent: %+v", tc.q, a.Source.Origin, a.Evidence)
			}
		}
	}
}

// TestUndatedBehindDatedInTie: of two copies of one text, the dated one is
// quoted before the undated one, which scores a little higher (its article
// says "stone bridge" once more), whichever was added first.
func TestUndatedBehindDatedInTie(t *testing.T) {
	for _, datedFirst := range []bool{false, true} {
		l := openLibraryAt(t, func() time.Time { return recencyClock })
		add := []func(){
			func() {
				addText(t, l, bridgeFirst, corpus.Meta{Outlet: "River Wire", Published: "2019-01-05", Origin: "dated.txt"})
			},
			func() {
				addText(t, l, bridgeFirst+"\n\nThe stone bridge is the oldest in the valley.", corpus.Meta{Outlet: "Valley Post", Origin: "undated.txt"})
			},
		}
		if !datedFirst {
			slices.Reverse(add)
		}
		for _, f := range add {
			f()
		}
		res := ask(t, l, Question{Text: "What did the river council approve for the stone bridge?"})
		if len(res.Answers) == 0 || res.Answers[0].Source.Origin != "dated.txt" || len(res.Answers[0].AlsoCarriedBy) != 1 {
			t.Errorf("dated added first %v: answers %v; want dated.txt, also carried by undated.txt", datedFirst, origins(res.Answers))
		}
	}
}

// TestByRecency orders answers: the more recent first among close scores
// (the dated before the undated), never past a clearly better score; with
// a window, the answers within it first.
func TestByRecency(t *testing.T) {
	l := &Library{tuning: DefaultTuning()} // RecencyTie 0.05
	ans := func(origin string, score float64, published string) Answer {
		return Answer{Score: score, Source: corpus.Info{Origin: origin, Published: published}}
	}
	undated := ans("undated", 1.00, "")
	partial := ans("partial", 0.99, "February 25") // not a full date: undated
	y2020 := ans("2020", 0.97, "2020-05-01")
	y2021 := ans("2021", 0.96, "2021-05-01")
	far := ans("far", 0.90, "2026-03-19") // 10% below: never before the others by date alone
	y2022 := ans("2022", 0.89, "2022-01-01")
	in := []Answer{undated, partial, y2020, y2021, far, y2022}
	for _, tc := range []struct {
		name  string
		since string
		want  []string
	}{
		{"ties", "", []string{"2021", "2020", "undated", "partial", "far", "2022"}},
		{"this week", "2026-03-13", []string{"far", "2021", "2020", "undated", "partial", "2022"}},
		{"nothing recent", "2026-03-20", []string{"2021", "2020", "undated", "partial", "far", "2022"}},
	} {
		if got := origins(l.byRecency(in, tc.since)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := origins(l.byRecency([]Answer{undated, partial}, "")); !reflect.DeepEqual(got, []string{"undated", "partial"}) {
		t.Errorf("all undated: %v, want their order", got)
	}
	l.tuning.RecencyTie = 0
	if got := origins(l.byRecency(in, "")); !reflect.DeepEqual(got, []string{"undated", "partial", "2020", "2021", "far", "2022"}) {
		t.Errorf("RecencyTie 0: %v, want by score", got)
	}
}

// TestRecencyOf reads the words of a question that say when.
func TestRecencyOf(t *testing.T) {
	for _, tc := range []struct {
		q     string
		days  int
		words []string
	}{
		{"what did the council decide this week", 7, []string{"this week"}},
		{"This week's news on the bridge", 7, []string{"This week's"}},
		{"any sanctions in the past month?", 31, []string{"past month"}},
		{"latest on the bridge", 30, []string{"latest"}},
		{"Latest on the bridge", 30, []string{"Latest"}},
		{"what happened today", 2, []string{"today"}},
		{"what did the senate say yesterday and this week", 2, []string{"yesterday", "this week"}},
		{"anything new on the sanctions", 30, []string{"new"}},
		{"what’s new", 30, []string{"new"}},
		{"has the court ruled recently?", 30, []string{"recently"}},
		{"whats the kremlin's take on the new york times story", 0, nil},
		{"new sanctions on russia", 0, nil},
		{"What did Russia Today report?", 0, nil},
		{"did USA Today say that", 0, nil},
		{"which week did the vote happen", 0, nil},
		{"the month of may", 0, nil},
		{"", 0, nil},
	} {
		days, spans := recencyOf(tc.q)
		var words []string
		for _, s := range spans {
			words = append(words, tc.q[s.start:s.end])
		}
		if days != tc.days || !reflect.DeepEqual(words, tc.words) {
			t.Errorf("recencyOf(%q) = %d %q, want %d %q", tc.q, days, words, tc.days, tc.words)
		}
	}
}

// TestRecencyWordsAreNotCounted: a quote need not say "week" to answer a
// question about this week; the words that say when are not terms.
func TestRecencyWordsAreNotCounted(t *testing.T) {
	l := openLibraryAt(t, func() time.Time { return recencyClock })
	a, err := l.newAsking("", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if err := a.understand(t.Context(), "What did the senators say this week about sanctions, lately?"); err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, qt := range a.terms {
		terms = append(terms, qt.term)
	}
	if a.recent != 7 || slices.Contains(terms, "week") || slices.Contains(terms, "late") || !slices.Contains(terms, "senat") {
		t.Errorf("recent %d, terms %v", a.recent, terms)
	}
}
