package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-bot/verbatim/corpus"
)

// TestConcurrentAskWhileAddingAndRemoving runs askers against a writer that
// streams adds (Add and AddMany), removes and replaces, and checks that
//   - no Ask fails;
//   - no answer (nor an "also carried by") comes from a source whose Remove,
//     or a version whose Replace, had returned before the Ask began;
//   - every quote is exactly its source's text at the answer's span;
//   - an article whose Add had returned before an Ask began, and whose
//     removal had not begun before it ended, answers its own question;
//
// and at the end that each article answers its question exactly when it is
// still in the library, and that Check finds store and index in agreement.
//
// Order is kept with one atomic clock: the writer ticks it after a write
// returns and records the tick, an asker ticks it before Ask. A recorded tick
// lower than an ask's start proves the write returned before the ask began.
func TestConcurrentAskWhileAddingAndRemoving(t *testing.T) {
	const (
		askers   = 8
		writes   = 60 // writer operations
		maxFails = 20 // stop reporting after this many failures
	)
	ctx := t.Context()
	l, dir := openSeeded(t)
	c := &concurrencyCheck{t: t, versions: map[string]*cVersion{}}

	// The seeds: known texts (for checking quotes), and the two syndicated
	// Mueller copies, removed during the run while askers ask about them.
	infos, err := l.Sources(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var mueller []*cVersion
	for _, info := range infos {
		src, err := l.Get(ctx, info.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		v := c.register(src, "", "")
		v.added.Store(c.clock.Add(1))
		if strings.HasPrefix(info.Origin, "000_") || strings.HasPrefix(info.Origin, "004_") {
			mueller = append(mueller, v)
		}
	}
	if len(mueller) != 2 {
		t.Fatalf("found %d of the two syndicated Mueller seeds", len(mueller))
	}
	const muellerQ = "Did Mueller find that Trump colluded with Russia?"

	var fails atomic.Int64
	fail := func(format string, args ...any) {
		if fails.Add(1) <= maxFails {
			t.Errorf(format, args...)
		}
	}
	c.fail = fail

	var done atomic.Bool
	var asks atomic.Int64
	var wg sync.WaitGroup
	for i := range askers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for !done.Load() && fails.Load() < maxFails {
				target, q := c.pick(rng)
				if target == nil || rng.IntN(8) == 0 {
					target, q = nil, muellerQ
				}
				start := c.clock.Add(1)
				res, err := l.Ask(ctx, Question{Text: q})
				end := c.clock.Add(1)
				asks.Add(1)
				if err != nil {
					fail("Ask(%q): %v", q, err)
					continue
				}
				c.checkResult(q, res, target, start, end)
			}
		})
	}

	// The writer.
	began := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	var live []*cVersion // articles the writer made that are in the library
	next := 0
	newArticle := func() (corpus.Draft, corpus.Source, string) {
		next++
		word := madeUpWord(next)
		d, src := c.makeSource(l, word, rng, 0)
		return d, src, word
	}
	counts := map[string]int{}
	for op := 0; op < writes && fails.Load() < maxFails; op++ {
		kind := "add"
		switch r := rng.IntN(10); {
		case op == writes/2:
			kind = "remove mueller"
		case op%15 == 7:
			kind = "replace"
		case r < 3:
			kind = "add"
		case r < 5:
			kind = "addmany"
		case r < 8:
			kind = "remove"
		default:
			kind = "replace"
		}
		if (kind == "remove" || kind == "replace") && len(live) == 0 {
			kind = "add"
		}
		counts[kind]++
		switch kind {
		case "add":
			d, src, word := newArticle()
			v := c.register(src, word, questionFor(word))
			if _, err := l.Add(ctx, d); err != nil {
				t.Fatalf("Add: %v", err)
			}
			v.added.Store(c.clock.Add(1))
			live = append(live, v)
			c.mustAnswer(l, v)
		case "addmany":
			var drafts []corpus.Draft
			var vs []*cVersion
			for range 2 + rng.IntN(3) {
				d, src, word := newArticle()
				drafts = append(drafts, d)
				vs = append(vs, c.register(src, word, questionFor(word)))
			}
			added, err := l.AddMany(ctx, drafts)
			if err != nil {
				t.Fatalf("AddMany: %v", err)
			}
			for _, a := range added {
				if a.Err != nil {
					t.Fatalf("AddMany: %v", a.Err)
				}
			}
			tick := c.clock.Add(1)
			for _, v := range vs {
				v.added.Store(tick)
				c.mustAnswer(l, v)
			}
			live = append(live, vs...)
		case "remove", "remove mueller":
			var gone []*cVersion
			if kind == "remove mueller" {
				gone = mueller
			} else {
				i := rng.IntN(len(live))
				gone = []*cVersion{live[i]}
				live = append(live[:i], live[i+1:]...)
			}
			for _, v := range gone {
				v.removeBegun.Store(c.clock.Add(1))
				if _, err := l.Remove(ctx, v.id, ""); err != nil {
					t.Fatalf("Remove(%s): %v", v.id, err)
				}
				v.gone.Store(c.clock.Add(1))
				c.mustNotAnswer(l, v)
			}
		case "replace":
			i := rng.IntN(len(live))
			old := live[i]
			d, src := c.makeSource(l, old.word, rng, old.generation+1)
			v := c.register(src, old.word, questionFor(old.word))
			v.generation = old.generation + 1
			old.removeBegun.Store(c.clock.Add(1))
			got, _, err := l.Replace(ctx, old.id, d)
			if err != nil {
				t.Fatalf("Replace(%s): %v", old.id, err)
			}
			if got.ID != src.ID {
				t.Fatalf("Replace made %s, want %s", got.ID, src.ID)
			}
			tick := c.clock.Add(1)
			old.gone.Store(tick)
			v.added.Store(tick)
			live[i] = v
			c.mustAnswer(l, v)
			c.mustNotAnswer(l, old)
		}
	}
	writing := time.Since(began)
	done.Store(true)
	wg.Wait()
	t.Logf("%d writes %v in %v, %d asks by %d askers", writes, counts, writing.Round(time.Millisecond), asks.Load(), askers)
	if counts["replace"] == 0 || counts["remove"] == 0 || counts["add"]+counts["addmany"] == 0 {
		t.Errorf("the stream lacked a kind of write: %v", counts)
	}
	if t.Failed() {
		return
	}

	// The final pass: every article answers exactly while it is in the
	// library.
	c.mu.RLock()
	all := append([]*cVersion(nil), c.list...)
	c.mu.RUnlock()
	for _, v := range all {
		switch {
		case v.question == "":
		case v.gone.Load() != 0:
			c.mustNotAnswer(l, v)
		default:
			c.mustAnswer(l, v)
		}
	}
	res, err := l.Ask(ctx, Question{Text: muellerQ})
	if err != nil {
		t.Fatal(err)
	}
	c.checkResult(muellerQ, res, nil, c.clock.Add(1), c.clock.Add(1))

	// Store and index agree: nothing of a removed or replaced source is left
	// in the index, and every current source is in it whole.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := Check(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		t.Errorf("check after the run: source %s: %s", p.Source, p.What)
	}
}

// concurrencyCheck is what the askers and the writer of
// TestConcurrentAskWhileAddingAndRemoving share.
type concurrencyCheck struct {
	t     *testing.T
	fail  func(format string, args ...any)
	clock atomic.Int64

	mu       sync.RWMutex
	versions map[string]*cVersion // by source id
	list     []*cVersion          // those with a question, to pick from
}

// cVersion is a source the test knows: its text, the question only it
// answers, and the ticks of the clock at which it was added, its removal (or
// replacement) began, and its removal returned (0: not yet).
type cVersion struct {
	id, text, sha      string
	word, question     string
	generation         int
	added, removeBegun atomic.Int64
	gone               atomic.Int64
}

// register records a source before it is written, so that any answer from
// it can be checked.
func (c *concurrencyCheck) register(src corpus.Source, word, question string) *cVersion {
	sum := sha256.Sum256([]byte(src.Text))
	v := &cVersion{id: src.ID, text: src.Text, sha: hex.EncodeToString(sum[:]), word: word, question: question}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.versions[v.id] != nil {
		c.t.Fatalf("source %s made twice", v.id)
	}
	c.versions[v.id] = v
	if question != "" {
		c.list = append(c.list, v)
	}
	return v
}

func (c *concurrencyCheck) version(id string) *cVersion {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.versions[id]
}

// pick returns an article to ask about, and its question.
func (c *concurrencyCheck) pick(rng *rand.Rand) (*cVersion, string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.list) == 0 {
		return nil, ""
	}
	v := c.list[rng.IntN(len(c.list))]
	return v, v.question
}

// checkResult checks the answers of an ask that began at tick start and
// ended at tick end, about target (nil for a question of the seeds).
func (c *concurrencyCheck) checkResult(q string, res Result, target *cVersion, start, end int64) {
	answered := false
	for _, a := range res.Answers {
		v := c.version(a.Source.ID)
		if v == nil {
			c.fail("%q: answer from %s, a source never added", q, a.Source.ID)
			continue
		}
		switch {
		case a.Start < 0 || a.End > len(v.text) || a.Start > a.End:
			c.fail("%q: answer from %s has span [%d,%d) outside its text of %d bytes", q, v.id, a.Start, a.End, len(v.text))
		case v.text[a.Start:a.End] != a.Quote:
			c.fail("%q: quote from %s is not its text at [%d,%d): %q", q, v.id, a.Start, a.End, a.Quote)
		}
		if a.Source.SHA256 != v.sha {
			c.fail("%q: answer from %s names text sha256 %s, stored %s", q, v.id, a.Source.SHA256, v.sha)
		}
		for _, info := range append([]corpus.Info{a.Source}, a.AlsoCarriedBy...) {
			w := c.version(info.ID)
			if w == nil {
				c.fail("%q: %s, never added, carries an answer", q, info.ID)
				continue
			}
			if g := w.gone.Load(); g != 0 && g < start {
				c.fail("%q: answer from %s, removed or replaced at tick %d, before the ask began at tick %d: %q", q, w.id, g, start, a.Quote)
			}
			if w == target {
				answered = true
			}
		}
	}
	if target == nil || answered {
		return
	}
	added, begun := target.added.Load(), target.removeBegun.Load()
	if added != 0 && added < start && (begun == 0 || begun > end) {
		c.fail("%q: %s, added at tick %d and in the library throughout the ask (ticks %d-%d), does not answer; got %v", q, target.id, added, start, end, quotes(res))
	}
}

// mustAnswer asks v's question now and wants an answer from v.
func (c *concurrencyCheck) mustAnswer(l *Library, v *cVersion) {
	c.t.Helper()
	start := c.clock.Add(1)
	res, err := l.Ask(c.t.Context(), Question{Text: v.question})
	if err != nil {
		c.fail("Ask(%q): %v", v.question, err)
		return
	}
	c.checkResult(v.question, res, v, start, c.clock.Add(1))
}

// mustNotAnswer asks v's question now (v is gone) and checks that no answer
// comes from v.
func (c *concurrencyCheck) mustNotAnswer(l *Library, v *cVersion) {
	c.t.Helper()
	q := v.question
	if q == "" {
		q = "Did Mueller find that Trump colluded with Russia?"
	}
	start := c.clock.Add(1)
	res, err := l.Ask(c.t.Context(), Question{Text: q})
	if err != nil {
		c.fail("Ask(%q): %v", q, err)
		return
	}
	c.checkResult(q, res, nil, start, c.clock.Add(1))
}

// makeSource makes an article about word: a sentence only it has (its
// generation changes the rest, so that a new version has other text), among
// random words that give it no wire copy.
func (c *concurrencyCheck) makeSource(l *Library, word string, rng *rand.Rand, generation int) (corpus.Draft, corpus.Source) {
	c.t.Helper()
	sentence := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = fillerWords[rng.IntN(len(fillerWords))]
		}
		ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
		return strings.Join(ws, " ") + "."
	}
	title := strings.ToUpper(word[:1]) + word[1:] + " report"
	found := strings.ToLower(sentence(10))
	text := fmt.Sprintf("%s\n\n%s %s\n\nThe %s inquiry found that %s\n\n%s (version %d)\n",
		title, sentence(14), sentence(11), word, found, sentence(12), generation+1)
	doc, err := corpus.ParseText([]byte(text))
	if err != nil {
		c.t.Fatal(err)
	}
	d := corpus.Draft{Doc: doc, Meta: corpus.Meta{Origin: word + ".txt"}}
	src, err := l.newSource(d)
	if err != nil {
		c.t.Fatal(err)
	}
	return d, src
}

// questionFor is the question only the article about word answers.
func questionFor(word string) string {
	return "What was found by the " + word + " inquiry?"
}

// madeUpWord is a word in no dictionary, one for each n: syllables of n's
// digits between a fixed start and end (ending in x, which no stemmer
// touches).
func madeUpWord(n int) string {
	syl := []string{"ba", "ke", "di", "lo", "mu", "ra", "si", "to", "vu", "ze"}
	var b strings.Builder
	b.WriteString("zorv")
	for _, d := range fmt.Sprintf("%03d", n) {
		b.WriteString(syl[d-'0'])
	}
	b.WriteString("nax")
	return b.String()
}

// fillerWords make the rest of a test article.
var fillerWords = strings.Fields(`harbour council bridge winter ferry budget
	river market orchard tunnel railway canal lantern granary quarry meadow
	mayor teacher farmer baker miller sailor clerk warden pilot tailor
	built closed opened painted repaired counted carried moved sold bought
	seven twelve forty ninety hundred eleven thirty sixty
	quiet early late northern eastern wooden copper narrow broad old
	tuesday april morning evening village county district coast valley hill`)
