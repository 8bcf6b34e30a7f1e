package retrieval

import "strings"

// irregularForms are the forms of common irregular English verbs that the
// stemmer does not bring together ("found" is not stemmed to "find", nor
// "said" to "say"). A question word of one form also counts as found where
// another form is: "did Mueller find collusion" is answered by "found no
// evidence". Each group is a verb's base form, past and past participle.
var irregularForms = [][]string{
	{"find", "found"}, {"win", "won"}, {"lose", "lost"}, {"say", "said"}, {"tell", "told"},
	{"give", "gave", "given"}, {"take", "took", "taken"}, {"make", "made"}, {"go", "went", "gone"},
	{"come", "came"}, {"see", "saw", "seen"}, {"know", "knew", "known"}, {"get", "got", "gotten"},
	{"buy", "bought"}, {"bring", "brought"}, {"think", "thought"}, {"teach", "taught"}, {"catch", "caught"},
	{"fight", "fought"}, {"seek", "sought"}, {"hold", "held"}, {"keep", "kept"}, {"leave", "left"},
	{"meet", "met"}, {"pay", "paid"}, {"sell", "sold"}, {"send", "sent"}, {"spend", "spent"},
	{"build", "built"}, {"lead", "led"}, {"feel", "felt"}, {"hear", "heard"}, {"mean", "meant"},
	{"write", "wrote", "written"}, {"speak", "spoke", "spoken"}, {"break", "broke", "broken"},
	{"choose", "chose", "chosen"}, {"drive", "drove", "driven"}, {"rise", "rose", "risen"},
	{"fall", "fell", "fallen"}, {"grow", "grew", "grown"}, {"throw", "threw", "thrown"},
	{"draw", "drew", "drawn"}, {"fly", "flew", "flown"}, {"begin", "began", "begun"},
	{"run", "ran"}, {"sink", "sank", "sunk"}, {"strike", "struck"}, {"steal", "stole", "stolen"},
	{"freeze", "froze", "frozen"}, {"hide", "hid", "hidden"}, {"shoot", "shot"}, {"stand", "stood"},
	{"understand", "understood"}, {"forbid", "forbade", "forbidden"}, {"forgive", "forgave", "forgiven"},
	{"withdraw", "withdrew", "withdrawn"}, {"bear", "bore", "borne"}, {"swear", "swore", "sworn"},
	{"tear", "tore", "torn"}, {"wear", "wore", "worn"}, {"sit", "sat"}, {"lie", "lay", "lain"},
	{"die", "died", "dead"}, {"kill", "killed"}, {"sue", "sued"}, {"flee", "fled"}, {"sleep", "slept"},
	{"deal", "dealt"}, {"feed", "fed"}, {"bind", "bound"}, {"wind", "wound"}, {"dig", "dug"},
	{"hang", "hung"}, {"light", "lit"}, {"shine", "shone"}, {"slide", "slid"}, {"spin", "spun"},
	{"stick", "stuck"}, {"sting", "stung"}, {"swing", "swung"}, {"weep", "wept"}, {"lend", "lent"},
	{"bend", "bent"}, {"quit", "quit"}, {"arise", "arose", "arisen"}, {"awake", "awoke", "awoken"},
}

// otherForms returns the other forms of an irregular verb (raw, lower case,
// as typed; t as analysed), each as a one-term set of analysed terms.
func (l *Library) otherForms(raw, t string) [][]string {
	raw = strings.Trim(raw, `'’"`)
	var out [][]string
	for _, group := range irregularForms {
		in := false
		for _, f := range group {
			if f == raw {
				in = true
			}
		}
		if !in {
			continue
		}
		for _, f := range group {
			for _, ft := range l.termSet(f) {
				if ft != t && !containsSet(out, []string{ft}) {
					out = append(out, []string{ft})
				}
			}
		}
	}
	return out
}

// Porter stems that the stemmer leaves apart although they are one word's
// noun and verb: "collusion" is stemmed to "collus", "colluded" to
// "collud"; so are decision/decide, invasion/invade, explosion/explode,
// inclusion/include. A stem ending in one of these (of at least
// minDerivedStem letters) has as its other form the stem ending in the
// other, when the library has it (derivedForms).
var derivedEndings = [][2]string{{"us", "ud"}, {"is", "id"}, {"as", "ad"}, {"os", "od"}}

// minDerivedStem is the shortest stem derivedStems changes: shorter ones
// ("clos" of close, "road") are too often two different words.
const minDerivedStem = 5

// derivedStems returns the stems that may be the other form (noun or verb)
// of the word whose stem is t: see derivedEndings.
func derivedStems(t string) []string {
	if len(t) < minDerivedStem || !isWordTerm(t) {
		return nil
	}
	var out []string
	for _, e := range derivedEndings {
		if stem, ok := strings.CutSuffix(t, e[0]); ok {
			out = append(out, stem+e[1])
		}
		if stem, ok := strings.CutSuffix(t, e[1]); ok {
			out = append(out, stem+e[0])
		}
	}
	return out
}
