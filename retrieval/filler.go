package retrieval

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Words of a question that are not what it asks about. The analyser already
// drops English stop words ("the", "did", "what"); these are the rest of
// how people ask, and how they chat. They are not counted in a quote's
// coverage. The searches still see question filler (a question's phrase
// is its own), not chat filler (see withoutChat).

// chatFiller are words of chat as typed (lower case, before analysis):
// greetings, interjections, chat abbreviations, hedges and contractions
// typed without an apostrophe. Only words that never carry what a news
// question is about belong here ("the sanctions stuff"); common words that
// may ("anything", "like", "world") are weighed like any other, and when the
// library lacks them count for little (see unseenWeight).
var chatFiller = wordSet(`
	hey hi hello hiya yo sup ok okay k kk lol lmao lmfao rofl haha hahaha hehe omg wtf wth
	tbh imo imho idk idc ikr btw fyi afaik iirc smh fr ngl nvm pls plz please thx thanks thank ty
	u ur ya yah yeah yep yup nah nope bro bruh dude guys fam folks yall y'all ppl
	gonna gotta wanna kinda sorta dunno lemme gimme bout abt cuz coz tho thru rn asap
	whats wats wat wut whos hows wheres whens whys thats theres heres isnt arent wasnt werent
	didnt doesnt dont cant wont couldnt shouldnt wouldnt aint im ive youre theyre
	stuff thing things
	basically literally actually really just so um uh hmm erm oh ah anyway anyways
	maybe perhaps probably seriously honestly
`)

// questionFiller are analysed terms of how people ask, not of what they
// ask about. Its second line are verbs (and their nouns) of saying and
// responding: "what did Ryabkov call the claims", "how did Moscow react",
// "what was the ministry's response" ask for what someone said, and the
// quote that answers is that saying, in its own words ("… are
// informational stuff", "Russia has rejected …"), seldom with the
// question's verb.
var questionFiller = wordSet(`
	tell explain pleas pleas know think sai say said mani much realli actual ever also
	call react reaction respond respons repli comment describ
	can could would will shall might must whose anoth besid wonder curiou whether
`)

// askingFrames match chat phrases of how a question asks, whose content-
// looking words (each regexp's groups) are not what it is about:
//
//   - whether what follows holds: "is it true (that)…", "is that really
//     true", "true or false" — the quote that answers says the thing, seldom
//     that it is true ("is the report true" is not a frame);
//   - what is going on: "what's the deal with…", "what's the story on…",
//     "what's going on with…", "what's happening with…";
//   - asking Verbatim itself for sources: "any sources on…", "a source for…",
//     "got a link about…", "what does the article say…" — the quote answers
//     with what the sources say, and held to the word "sources" it would be
//     "two sources told Reuters". "The sources of EU law" or "an article of
//     the constitution" are not frames.
var askingFrames = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(?:is|was|are|were|isn'?t|wasn'?t)\s+(?:it|that|this|these|those|they|any\s+of\s+(?:it|this|that))\s+(?:really\s+|actually\s+|even\s+)?(true)\b`),
	regexp.MustCompile(`(?i)\b(true)\s+or\s+(?:false|not)\b`),
	regexp.MustCompile(`(?i)\b(?:what(?:'|’)?s|what\s+is)\s+(?:the\s+)?(deal|story|situation)\s+(?:with|on|about)\b`),
	regexp.MustCompile(`(?i)\b(?:what(?:'|’)?s|what\s+is|anything|something)\s+(going)\s+on\b`),
	regexp.MustCompile(`(?i)\b(?:what(?:'|’)?s|what\s+is)\s+(happening)\s+(?:with|in|at|to)\b`),
	regexp.MustCompile(`(?i)\b(sources?|articles?|links?|quotes?)\s+(?:on|for|about|that\s+(?:say|says|said|show|shows))\b`),
	regexp.MustCompile(`(?i)\b(?:any|got|have|need|find|share|post|drop)\s+(?:a\s+|an\s+|any\s+|some\s+|me\s+(?:a\s+|an\s+|some\s+)?)?(sources?|articles?|links?|quotes?)\b`),
	regexp.MustCompile(`(?i)\b(?:the|this|that)\s+(article|story|piece)\s+(?:say|says|said)\b`),
}

// askingFrameWords are the words askingFrames leave out, as they begin: a
// question without any of them has no frame.
var askingFrameWords = []string{"true", "deal", "stor", "situation", "going", "happening", "source", "article", "link", "quote", "piece"}

// askingFrameSpans returns the byte spans of the words of text's
// askingFrames phrases that a question does not count.
func askingFrameSpans(text string) []span {
	lower := strings.ToLower(text)
	if !slices.ContainsFunc(askingFrameWords, func(w string) bool { return strings.Contains(lower, w) }) {
		return nil // most questions: no frame to look for
	}
	var out []span
	for _, re := range askingFrames {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			for g := 1; 2*g < len(m); g++ {
				if sp := (span{m[2*g], m[2*g+1]}); m[2*g] >= 0 && !slices.Contains(out, sp) {
					out = append(out, sp)
				}
			}
		}
	}
	return out
}

// isFiller reports whether a question word (raw as typed, lower case; t as
// analysed) is filler.
func isFiller(raw, t string) bool {
	return isChat(raw) || questionFiller[t]
}

// isChat reports whether a word as typed is a word of chat (chatFiller),
// whatever its case and quotes around it.
func isChat(raw string) bool {
	return chatFiller[strings.Trim(strings.ToLower(raw), `'’"`)]
}

// wordSet makes a set of the words of a list.
func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

// Words of a question that say when: a question that asks for "the latest"
// or about "this week" prefers sources published within that many days
// before now (see Tuning.RecencyTie and byRecency). Like filler, they are
// not counted in a quote's coverage: an article answers "what did the
// council decide this week" without saying "week". They are properties of
// the language, as the filler lists are.
var (
	// recencyWords are the words that say when on their own.
	recencyWords = map[string]int{
		"today": 2, "tonight": 2, "yesterday": 2,
		"latest": 30, "newest": 30, "recent": 30, "recently": 30, "lately": 30,
	}
	// recencyPeriods say when after one of recencyPeriodOpeners: "this
	// week", "past month".
	recencyPeriods       = map[string]int{"week": 7, "month": 31}
	recencyPeriodOpeners = wordSet(`this last past`)
	// "new" says when only where it is not part of a name or the news
	// itself ("new york", "new sanctions", "what new evidence"): at the
	// end of the question, after one of newOpeners ("what's new", "anything
	// new") or before one of newClosers ("new on the sanctions", "new
	// today").
	newOpeners = wordSet(`what's whats anything something nothing`)
	newClosers = wordSet(`on about with in regarding re from for today this lately recently since`)
)

// recencyNewDays is the window of "new" where it says when.
const recencyNewDays = 30

// span is a byte range of a question's text.
type span struct{ start, end int }

// recencyOf reads what a question says about when: the window in days of
// its narrowest recency word or phrase (0 when it has none) and the byte
// spans of their words, which the question does not count. A single word
// typed with a capital inside a sentence is part of a name ("Russia
// Today", "USA Today", "New York") and says nothing about when.
func recencyOf(text string) (int, []span) {
	type word struct {
		// w is the word in lower case with straight apostrophes; base
		// without a possessive ("today's": "today").
		w, base    string
		start, end int
	}
	var words []word
	start := -1
	for i, r := range text + " " {
		inWord := unicode.IsLetter(r) || unicode.IsNumber(r) || (start >= 0 && (r == '\'' || r == '’'))
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			w := strings.ToLower(strings.ReplaceAll(strings.TrimRight(text[start:i], `'’`), "’", "'"))
			words = append(words, word{w: w, base: strings.TrimSuffix(w, "'s"), start: start, end: i})
			start = -1
		}
	}
	days := 0
	var spans []span
	found := func(d int, from, to word) {
		if days == 0 || d < days {
			days = d
		}
		spans = append(spans, span{from.start, to.end})
	}
	for i, w := range words {
		name := typedAsName(text, w.start)
		switch {
		case recencyWords[w.base] > 0 && !name:
			found(recencyWords[w.base], w, w)
		case recencyPeriods[w.base] > 0 && i > 0 && recencyPeriodOpeners[words[i-1].w]:
			found(recencyPeriods[w.base], words[i-1], w)
		case w.w == "new" && !name:
			after := i+1 == len(words) || newClosers[words[i+1].w]
			before := i > 0 && newOpeners[words[i-1].w]
			if after || before {
				found(recencyNewDays, w, w)
			}
		}
	}
	return days, spans
}

// inSpans reports whether the byte offset at is within one of spans.
func inSpans(at int, spans []span) bool {
	for _, s := range spans {
		if at >= s.start && at < s.end {
			return true
		}
	}
	return false
}
