// Package synth generates a deterministic corpus of news-like English
// articles, and questions about them, for measuring the library at sizes no
// real test corpus has (`verbatim bench` and the retrieval benchmarks). It
// owns the generator alone; what is measured with it is its callers' part.
package synth

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

// Generator makes the articles and questions of one seed: the same seed
// always gives the same articles and questions.
//
// Words follow a Zipf–Mandelbrot law over a fixed vocabulary: the most
// frequent ranks are real English function and news words; the rest are
// pronounceable pseudo-words built from a syllable inventory, so that the
// index sees a realistic share of stop words, common terms and a long tail
// of rare ones. Sentences have 8–35 words, paragraphs 2–6 sentences (at most
// maxParaWords words, so that each paragraph is one passage), and some
// articles are syndicated copies of a recent one: the same paragraphs under
// another outlet, behind a new first paragraph.
type Generator struct {
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
	vocabulary      = 300_000 // distinct word ranks
	zipfS           = 1.05    // Zipf exponent
	zipfQ           = 2.7     // Mandelbrot shift: flattens the head
	maxParaWords    = 120     // below the chunker's MaxWords: one paragraph, one passage
	syndicatedShare = 0.06    // share of articles that copy a recent one
	maxRecent       = 32      // how far back a syndicated copy may reach
	unknownShare    = 0.10    // share of questions with words the corpus lacks
	quoteShare      = 0.15    // share of sentences that are a quote with "said"
)

// headWords are the most frequent ranks: real English words, roughly in the
// order of their frequency in news text.
var headWords = dedupe(strings.Fields(`the of and to a in that is for on said was with he it as at by from
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

// onsets, nuclei and codas build pseudo-words: every
// syllable is an onset and a nucleus, and a word may end in a coda. Since no
// onset is a vowel and no nucleus a consonant, each word parses one way, so
// distinct ranks give distinct words.
var (
	onsets = strings.Fields("b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr bl cl fl gl pl sl st sh ch th")
	nuclei = strings.Fields("a e i o u ai ea ou")
	codas  = []string{"", "n", "r", "l", "t", "m", "k"}
)

// outletSuffixes name the generated outlets.
var outletSuffixes = strings.Fields("Times Post Herald Wire Tribune Gazette Journal News Observer Chronicle")

// New returns a generator for seed that keeps a uniform sample of
// questions passages to ask about (see Questions).
func New(seed uint64, questions int) *Generator {
	g := &Generator{
		rng:  rand.New(rand.NewPCG(seed, 0x5eed_a271c1e5)),
		qrng: rand.New(rand.NewPCG(seed, 0x9e57_10a5)),
		want: max(questions, 0),
	}
	g.cdf = make([]float64, vocabulary)
	sum := 0.0
	for r := range g.cdf {
		sum += 1 / math.Pow(float64(r)+1+zipfQ, zipfS)
		g.cdf[r] = sum
	}
	for r := range g.cdf {
		g.cdf[r] /= sum
	}
	for i := 0; i < 40; i++ {
		name := g.properName(len(headWords) + 2000 + i*37)
		g.outlets = append(g.outlets, name+" "+outletSuffixes[i%len(outletSuffixes)])
	}
	return g
}

// Article returns the next article, of at most maxParagraphs paragraphs
// (at least one). Each paragraph becomes one passage when chunked.
func (g *Generator) Article(maxParagraphs int) corpus.Document {
	maxParagraphs = max(maxParagraphs, 1)
	g.made++
	outlet := g.outlets[g.rng.IntN(len(g.outlets))]
	date := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(11*365))
	var title string
	var paras []string
	if len(g.recent) > 0 && g.rng.Float64() < syndicatedShare && maxParagraphs >= 2 {
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
	if len(g.recent) == maxRecent {
		copy(g.recent, g.recent[1:])
		g.recent = g.recent[:maxRecent-1]
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
func (g *Generator) offer(p string) {
	g.seen++
	if len(g.sample) < g.want {
		g.sample = append(g.sample, p)
		return
	}
	if j := g.qrng.IntN(g.seen); j < g.want {
		g.sample[j] = p
	}
}

// Questions returns up to the number of questions asked for at New,
// about the passages generated so far: a few content words of one sentence
// of a sampled passage, in a question's words. About a tenth have words the
// corpus does not have (some only such words, which no passage answers).
func (g *Generator) Questions() []string {
	templates := []string{"What did %s?", "Why %s?", "Who said %s?", "%s?", "Is it true that %s?", "What happened with %s?", "Did %s?"}
	out := make([]string, 0, len(g.sample))
	for _, p := range g.sample {
		var words []string
		if g.qrng.Float64() < unknownShare && g.qrng.IntN(2) == 0 {
			for range 2 + g.qrng.IntN(3) {
				words = append(words, g.unknownWord())
			}
		} else {
			words = g.contentWords(p)
			if g.qrng.Float64() < unknownShare/2 {
				words = append(words, g.unknownWord())
			}
		}
		out = append(out, fmt.Sprintf(templates[g.qrng.IntN(len(templates))], strings.Join(words, " ")))
	}
	return out
}

// contentWords picks 3–6 words, in order, from one sentence of p, leaving
// out the most frequent (function) words.
func (g *Generator) contentWords(p string) []string {
	sents := strings.SplitAfter(p, ". ")
	s := sents[g.qrng.IntN(len(sents))]
	var cands []string
	for _, w := range strings.Fields(s) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w == "" || isHead(strings.ToLower(w)) {
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

// headSet holds headWords for lookups; built once, read-only.
var headSet = func() map[string]bool {
	m := make(map[string]bool, len(headWords))
	for _, w := range headWords {
		m[w] = true
	}
	return m
}()

func isHead(w string) bool { return headSet[w] }

// unknownWord is a word no generated text contains: its onset "qz" is not
// in the inventory.
func (g *Generator) unknownWord() string {
	return "qz" + nuclei[g.qrng.IntN(len(nuclei))] + onsets[g.qrng.IntN(len(onsets))] +
		nuclei[g.qrng.IntN(len(nuclei))] + "x"
}

// title is a headline of 6–12 words in title case.
func (g *Generator) title() string {
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

// paragraph is 2–6 sentences of 8–35 words, at most maxParaWords words.
func (g *Generator) paragraph() string {
	n := 2 + g.rng.IntN(5)
	g.buf = g.buf[:0]
	words := 0
	for i := range n {
		w := 8 + g.rng.IntN(10) + g.rng.IntN(10) + g.rng.IntN(10)
		if i > 0 && words+w > maxParaWords {
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
func (g *Generator) appendSentence(b []byte, n int) []byte {
	quote := g.rng.Float64() < quoteShare
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
			if i == 0 || (r >= len(headWords)+1000 && x > 0.92) {
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
func (g *Generator) appendNumber(b []byte) []byte {
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
func (g *Generator) rank() int {
	return sort.SearchFloat64s(g.cdf, g.rng.Float64())
}

// properName is the word of rank r (moved past the head) capitalized.
func (g *Generator) properName(r int) string {
	if r < len(headWords) {
		r += len(headWords)
	}
	b := g.appendWord(nil, r)
	capitalize(b)
	return string(b)
}

// appendWord appends the word of vocabulary rank r: a head word, or a
// pseudo-word of one syllable (the next most frequent ranks), two, or three.
func (g *Generator) appendWord(b []byte, r int) []byte {
	if r < len(headWords) {
		return append(b, headWords[r]...)
	}
	k := r - len(headWords)
	coda := codas[k%len(codas)]
	k /= len(codas)
	nSyl := len(onsets) * len(nuclei)
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
		b = append(b, onsets[s/len(nuclei)]...)
		b = append(b, nuclei[s%len(nuclei)]...)
	}
	return append(b, coda...)
}

// capitalize upper-cases the first letter of an ASCII word in place.
func capitalize(w []byte) {
	if len(w) > 0 && w[0] < utf8.RuneSelf && 'a' <= w[0] && w[0] <= 'z' {
		w[0] -= 'a' - 'A'
	}
}
