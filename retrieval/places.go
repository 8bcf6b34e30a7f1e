package retrieval

import "strings"

// placeGroups are the ways news names a country: the country, its people's
// adjective, its capital and the seat of its government ("Moscow reacted",
// "the Kremlin said", "Russian officials" are all Russia speaking). A
// question word in a group counts as found in a quote that has another word
// of the group (see expansions). Only single words; words that are also
// common English words ("china" the porcelain aside, "turkey" the bird) are
// kept where news uses them for the country far more often.
var placeGroups = [][]string{
	{"russia", "russian", "russians", "moscow", "kremlin"},
	{"ukraine", "ukrainian", "ukrainians", "kyiv", "kiev"},
	{"china", "chinese", "beijing"},
	{"iran", "iranian", "iranians", "tehran"},
	{"israel", "israeli", "israelis", "jerusalem"},
	{"britain", "british", "uk", "london"},
	{"france", "french", "paris", "elysee"},
	{"germany", "german", "germans", "berlin"},
	{"japan", "japanese", "tokyo"},
	{"turkey", "turkish", "ankara"},
	{"india", "indian", "indians", "delhi"},
	{"syria", "syrian", "syrians", "damascus"},
	{"egypt", "egyptian", "cairo"},
	{"mexico", "mexican", "mexicans"},
	{"canada", "canadian", "canadians", "ottawa"},
	{"pakistan", "pakistani", "islamabad"},
	{"afghanistan", "afghan", "kabul"},
	{"iraq", "iraqi", "baghdad"},
	{"venezuela", "venezuelan", "caracas"},
	{"poland", "polish", "warsaw"},
	{"belarus", "belarusian", "minsk"},
	{"taiwan", "taiwanese", "taipei"},
	{"korea", "korean", "seoul", "pyongyang"},
	{"vatican", "pope"},
}

// placeGroupOf returns the other words of raw's place group (raw as typed,
// lower case), or nil.
func placeGroupOf(raw string) []string {
	raw = strings.Trim(raw, `'’"`)
	for _, g := range placeGroups {
		for _, w := range g {
			if w == raw {
				var out []string
				for _, o := range g {
					if o != raw {
						out = append(out, o)
					}
				}
				return out
			}
		}
	}
	return nil
}
