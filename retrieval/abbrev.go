package retrieval

// newsAbbreviations are abbreviations and short forms common in news and in
// chat about it, with what they stand for. A question word that is one of
// them (lower case, as typed) counts as found in a quote that has it, or
// what it stands for (see understand). Abbreviations an article defines
// itself ("the Office of the Director of National Intelligence (ODNI)") are
// read from the library's own text instead (definedAcronym). Words that are
// also common English words ("us", "who", "ice", "sec", "pm") are left out:
// typed in lower case they are that word.
var newsAbbreviations = map[string]string{
	// Governments, their branches and agencies
	"doj": "Department of Justice", "fbi": "Federal Bureau of Investigation",
	"cia": "Central Intelligence Agency", "nsa": "National Security Agency",
	"dhs": "Department of Homeland Security", "odni": "Office of the Director of National Intelligence",
	"dni": "Director of National Intelligence", "dod": "Department of Defense", "pentagon": "Department of Defense",
	"irs": "Internal Revenue Service", "fda": "Food and Drug Administration",
	"cdc": "Centers for Disease Control", "epa": "Environmental Protection Agency",
	"fec": "Federal Election Commission", "gru": "Russian military intelligence",
	"fsb": "Federal Security Service", "kgb": "Soviet security service", "nhs": "National Health Service",
	"scotus": "Supreme Court", "potus": "President", "flotus": "First Lady", "vp": "Vice President",
	"gov": "government", "govt": "government", "gov't": "government", "admin": "administration",
	"intel": "intelligence", "pres": "president", "prez": "president", "sen": "senator",
	"dems": "Democrats", "repubs": "Republicans", "gop": "Republican Party",
	"dnc": "Democratic National Committee", "rnc": "Republican National Committee",
	"mps": "members of parliament",
	// Countries and unions of them
	"usa": "United States", "uk": "United Kingdom", "eu": "European Union", "un": "United Nations",
	"uae": "United Arab Emirates", "ussr": "Soviet Union", "dprk": "North Korea", "prc": "China",
	"nato": "North Atlantic Treaty Organization", "imf": "International Monetary Fund",
	"wto": "World Trade Organization", "opec": "Organization of the Petroleum Exporting Countries",
	"icc": "International Criminal Court", "iaea": "International Atomic Energy Agency",
	// Media
	"nyt": "New York Times", "wapo": "Washington Post", "wsj": "Wall Street Journal",
	"afp": "Agence France-Presse", "bbc": "British Broadcasting Corporation",
	// Chat short forms of news words
	"elex": "election", "econ": "economy", "covid": "coronavirus", "info": "information",
	"dept": "department", "ops": "operations", "psyops": "psychological operations", "psyop": "psychological operation",
	"jan": "January", "feb": "February", "mar": "March", "apr": "April", "jun": "June", "jul": "July",
	"aug": "August", "sept": "September", "oct": "October", "nov": "November", "dec": "December", "natl": "national", "intl": "international", "corp": "corporation",
}
