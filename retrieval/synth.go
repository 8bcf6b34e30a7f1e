package retrieval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/verbatim-bot/verbatim/corpus"
)

// Synth generates a deterministic corpus of news-like English articles, for
// measuring the library at sizes no real test corpus has. The same seed
// always gives the same articles and questions.
//
// Words follow a Zipf–Mandelbrot law over a fixed vocabulary: the most
// frequent ranks are real English function and news words; the rest are
// pronounceable pseudo-words built from a syllable inventory, so that the
// index sees a realistic share of stop words, common terms and a long tail
// of rare ones. Sentences have 8–35 words, paragraphs 2–6 sentences (at most
// synthMaxParaWords words, so that each paragraph is one passage), and some
// articles are syndicated copies of a recent one: the same paragraphs under
// another outlet, behind a new first paragraph.
type Synth struct {
	rng  *rand.Rand // articles
	qrng *rand.Rand // the sample of passages questions are asked about
	cdf  []float64  // cumulative Zipf weights over vocabulary ranks

	outlets []string
	recent  [][]string // paragraphs of recent articles, for syndication
	made    int        // articles made

	want   int      // how many passages to keep for questions
	seen   int      // passages offered to the sample
	sample []string // reservoir of passages (uniform over all seen)

	buf []byte
}

// Shape of the generated text.
const (
	synthVocabulary    = 300_000 // distinct word ranks
	synthZipfS         = 1.05    // Zipf exponent
	synthZipfQ         = 2.7     // Mandelbrot shift: flattens the head
	synthMaxParaWords  = 120     // below the chunker's MaxWords: one paragraph, one passage
	synthSyndicated    = 0.06    // share of articles that copy a recent one
	synthRecent        = 32      // how far back a syndicated copy may reach
	synthUnknownShare  = 0.10    // share of questions with words the corpus lacks
	synthQuoteSentence = 0.15    // share of sentences that are a quote with "said"
)

// synthHead are the most frequent ranks: real English words, roughly in the
// order of their frequency in news text.
var synthHead = dedupe(strings.Fields(`the of and to a in that is for on said was with he it as at by from
his have be has are an not but they who were had its this been will after their would more
which or we about also one new two year up last than out over when she into there all could her
some other told people percent years government first no can so what police state minister
president if before three them our now while week only against officials country between
since during under city company million report election court security public former group
most many where because any through national including four back time day called may just
news military party law month billion according united health leader support family early
five months world house political foreign local plan economic war force official say says
spokesman statement agency sources interview announced reported added`))

// dedupe returns words without repeats, in their first order.
func dedupe(words []string) []string {
	seen := map[string]bool{}
	out := words[:0]
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// synthOnsets, synthNuclei and synthCodas build pseudo-words: every
// syllable is an onset and a nucleus, and a word may end in a coda. Since no
// onset is a vowel and no nucleus a consonant, each word parses one way, so
// distinct ranks give distinct words.
var (
	synthOnsets = strings.Fields("b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr bl cl fl gl pl sl st sh ch th")
	synthNuclei = strings.Fields("a e i o u ai ea ou")
	synthCodas  = []string{"", "n", "r", "l", "t", "m", "k"}
)

// synthOutletSuffixes name the generated outlets.
var synthOutletSuffixes = strings.Fields("Times Post Herald Wire Tribune Gazette Journal News Observer Chronicle")

// NewSynth returns a generator for seed that keeps a uniform sample of
// questions passages to ask about (see Questions).
func NewSynth(seed uint64, questions int) *Synth {
	g := &Synth{
		rng:  rand.New(rand.NewPCG(seed, 0x5eed_a271c1e5)),
		qrng: rand.New(rand.NewPCG(seed, 0x9e57_10a5)),
		want: max(questions, 0),
	}
	g.cdf = make([]float64, synthVocabulary)
	sum := 0.0
	for r := range g.cdf {
		sum += 1 / math.Pow(float64(r)+1+synthZipfQ, synthZipfS)
		g.cdf[r] = sum
	}
	for r := range g.cdf {
		g.cdf[r] /= sum
	}
	for i := 0; i < 40; i++ {
		name := g.properName(len(synthHead) + 2000 + i*37)
		g.outlets = append(g.outlets, name+" "+synthOutletSuffixes[i%len(synthOutletSuffixes)])
	}
	return g
}

// Article returns the next article, of at most maxParagraphs paragraphs
// (at least one). Each paragraph becomes one passage when chunked.
func (g *Synth) Article(maxParagraphs int) corpus.Document {
	maxParagraphs = max(maxParagraphs, 1)
	g.made++
	outlet := g.outlets[g.rng.IntN(len(g.outlets))]
	date := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(11*365))
	var title string
	var paras []string
	if len(g.recent) > 0 && g.rng.Float64() < synthSyndicated && maxParagraphs >= 2 {
		// A wire copy: a new first paragraph, then the original's paragraphs
		// (perhaps trimmed at the end).
		orig := g.recent[g.rng.IntN(len(g.recent))]
		keep := min(len(orig), maxParagraphs-1)
		if keep > 2 && g.rng.IntN(2) == 0 {
			keep--
		}
		title = g.title()
		paras = append([]string{g.paragraph()}, orig[:keep]...)
	} else {
		n := min(3+g.rng.IntN(12), maxParagraphs)
		title = g.title()
		for range n {
			paras = append(paras, g.paragraph())
		}
	}
	if len(g.recent) == synthRecent {
		copy(g.recent, g.recent[1:])
		g.recent = g.recent[:synthRecent-1]
	}
	g.recent = append(g.recent, paras)

	doc := corpus.Document{
		Title:         title,
		Outlet:        outlet,
		Published:     date.Format(time.DateOnly),
		PublishedFrom: "given",
		Language:      "en",
		URL: fmt.Sprintf("https://%s.example/%s/%d", strings.ToLower(strings.ReplaceAll(outlet, " ", "-")),
			date.Format("2006/01/02"), g.made),
	}
	var b strings.Builder
	for i, p := range paras {
		if i > 0 {
			b.WriteString("\n\n")
		}
		start := b.Len()
		b.WriteString(p)
		doc.Paragraphs = append(doc.Paragraphs, corpus.Span{Start: start, End: b.Len()})
		g.offer(p)
	}
	doc.Text = b.String()
	return doc
}

// offer puts a passage into the sample of passages to ask about
// (reservoir sampling: every passage seen is equally likely to be kept).
func (g *Synth) offer(p string) {
	g.seen++
	if len(g.sample) < g.want {
		g.sample = append(g.sample, p)
		return
	}
	if j := g.qrng.IntN(g.seen); j < g.want {
		g.sample[j] = p
	}
}

// Questions returns up to the number of questions asked for at NewSynth,
// about the passages generated so far: a few content words of one sentence
// of a sampled passage, in a question's words. About a tenth have words the
// corpus does not have (some only such words, which no passage answers).
func (g *Synth) Questions() []string {
	templates := []string{"What did %s?", "Why %s?", "Who said %s?", "%s?", "Is it true that %s?", "What happened with %s?", "Did %s?"}
	out := make([]string, 0, len(g.sample))
	for _, p := range g.sample {
		var words []string
		if g.qrng.Float64() < synthUnknownShare && g.qrng.IntN(2) == 0 {
			for range 2 + g.qrng.IntN(3) {
				words = append(words, g.unknownWord())
			}
		} else {
			words = g.contentWords(p)
			if g.qrng.Float64() < synthUnknownShare/2 {
				words = append(words, g.unknownWord())
			}
		}
		out = append(out, fmt.Sprintf(templates[g.qrng.IntN(len(templates))], strings.Join(words, " ")))
	}
	return out
}

// contentWords picks 3–6 words, in order, from one sentence of p, leaving
// out the most frequent (function) words.
func (g *Synth) contentWords(p string) []string {
	sents := strings.SplitAfter(p, ". ")
	s := sents[g.qrng.IntN(len(sents))]
	var cands []string
	for _, w := range strings.Fields(s) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w == "" || synthIsHead(strings.ToLower(w)) {
			continue
		}
		cands = append(cands, w)
	}
	if len(cands) == 0 {
		return strings.Fields(s)[:1]
	}
	n := min(3+g.qrng.IntN(4), len(cands))
	start := g.qrng.IntN(len(cands) - n + 1)
	return cands[start : start+n]
}

// synthHeadSet holds synthHead for lookups; built once, read-only.
var synthHeadSet = func() map[string]bool {
	m := make(map[string]bool, len(synthHead))
	for _, w := range synthHead {
		m[w] = true
	}
	return m
}()

func synthIsHead(w string) bool { return synthHeadSet[w] }

// unknownWord is a word no generated text contains: its onset "qz" is not
// in the inventory.
func (g *Synth) unknownWord() string {
	return "qz" + synthNuclei[g.qrng.IntN(len(synthNuclei))] + synthOnsets[g.qrng.IntN(len(synthOnsets))] +
		synthNuclei[g.qrng.IntN(len(synthNuclei))] + "x"
}

// title is a headline of 6–12 words in title case.
func (g *Synth) title() string {
	n := 6 + g.rng.IntN(7)
	g.buf = g.buf[:0]
	for i := range n {
		if i > 0 {
			g.buf = append(g.buf, ' ')
		}
		start := len(g.buf)
		g.buf = g.appendWord(g.buf, g.rank())
		capitalize(g.buf[start:])
	}
	return string(g.buf)
}

// paragraph is 2–6 sentences of 8–35 words, at most synthMaxParaWords words.
func (g *Synth) paragraph() string {
	n := 2 + g.rng.IntN(5)
	g.buf = g.buf[:0]
	words := 0
	for i := range n {
		w := 8 + g.rng.IntN(10) + g.rng.IntN(10) + g.rng.IntN(10)
		if i > 0 && words+w > synthMaxParaWords {
			break
		}
		if i > 0 {
			g.buf = append(g.buf, ' ')
		}
		g.buf = g.appendSentence(g.buf, w)
		words += w
	}
	return string(g.buf)
}

// appendSentence appends a sentence of n words: plain, or (sometimes) a
// quote followed by who said it.
func (g *Synth) appendSentence(b []byte, n int) []byte {
	quote := g.rng.Float64() < synthQuoteSentence
	body := n
	if quote {
		body = n - 3 // "said First Last"
		b = append(b, "“"...)
	}
	for i := range body {
		if i > 0 {
			if g.rng.Float64() < 0.06 && i < body-1 {
				b = append(b, ',')
			}
			b = append(b, ' ')
		}
		start := len(b)
		switch x := g.rng.Float64(); {
		case x < 0.015:
			b = g.appendNumber(b)
		default:
			r := g.rank()
			b = g.appendWord(b, r)
			if i == 0 || (r >= len(synthHead)+1000 && x > 0.92) {
				capitalize(b[start:])
			}
		}
	}
	if quote {
		b = append(b, ",” said "...)
		b = append(b, g.properName(g.rank())...)
		b = append(b, ' ')
		b = append(b, g.properName(g.rank())...)
	}
	return append(b, '.')
}

// appendNumber appends a figure as news prints it: a year, a count, a share.
func (g *Synth) appendNumber(b []byte) []byte {
	switch g.rng.IntN(3) {
	case 0:
		return strconv.AppendInt(b, int64(1990+g.rng.IntN(36)), 10)
	case 1:
		return strconv.AppendInt(b, int64(2+g.rng.IntN(998)), 10)
	default:
		b = strconv.AppendInt(b, int64(1+g.rng.IntN(99)), 10)
		return append(b, " percent"...)
	}
}

// rank draws a vocabulary rank from the Zipf law.
func (g *Synth) rank() int {
	return sort.SearchFloat64s(g.cdf, g.rng.Float64())
}

// properName is the word of rank r (moved past the head) capitalized.
func (g *Synth) properName(r int) string {
	if r < len(synthHead) {
		r += len(synthHead)
	}
	b := g.appendWord(nil, r)
	capitalize(b)
	return string(b)
}

// appendWord appends the word of vocabulary rank r: a head word, or a
// pseudo-word of one syllable (the next most frequent ranks), two, or three.
func (g *Synth) appendWord(b []byte, r int) []byte {
	if r < len(synthHead) {
		return append(b, synthHead[r]...)
	}
	k := r - len(synthHead)
	coda := synthCodas[k%len(synthCodas)]
	k /= len(synthCodas)
	nSyl := len(synthOnsets) * len(synthNuclei)
	syllables := 1
	switch {
	case k < nSyl:
	case k < nSyl+nSyl*nSyl/4:
		syllables, k = 2, k-nSyl
	default:
		syllables, k = 3, k-nSyl-nSyl*nSyl/4
	}
	for range syllables {
		s := k % nSyl
		k /= nSyl
		b = append(b, synthOnsets[s/len(synthNuclei)]...)
		b = append(b, synthNuclei[s%len(synthNuclei)]...)
	}
	return append(b, coda...)
}

// capitalize upper-cases the first letter of an ASCII word in place.
func capitalize(w []byte) {
	if len(w) > 0 && w[0] < utf8.RuneSelf && 'a' <= w[0] && w[0] <= 'z' {
		w[0] -= 'a' - 'A'
	}
}
