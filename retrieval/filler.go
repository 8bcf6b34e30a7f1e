package retrieval

import "strings"

// Words of a question that are not what it asks about. The analyser already
// drops English stop words ("the", "did", "what"); these are the rest of
// how people ask, and how they chat. They are not counted in a quote's
// coverage (the searches still see them: a question's phrase is its own).

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
// ask about.
var questionFiller = wordSet(`
	tell explain pleas pleas know think sai say said mani much realli actual ever also
	can could would will shall might must whose anoth besid wonder curiou whether
`)

// isFiller reports whether a question word (raw as typed, lower case; t as
// analysed) is filler.
func isFiller(raw, t string) bool {
	raw = strings.Trim(raw, `'’"`)
	return chatFiller[raw] || questionFiller[t]
}

// wordSet makes a set of the words of a list.
func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}
