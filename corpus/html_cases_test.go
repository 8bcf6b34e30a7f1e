package corpus

// htmlCase is one hand-made news page in testdata/html and what a good
// extractor makes of it. The same table scores the extractor candidates
// recorded in docs/ingest.md.
type htmlCase struct {
	file          string
	url           string // where the page was "fetched" from
	title         string
	outlet        string
	author        string
	published     string
	publishedFrom string // "" = do not check
	language      string
	canonical     string
	include       []string // must be in Text (each a whole paragraph unless noted)
	exclude       []string // must not be in Text
}

var htmlCases = []htmlCase{
	{
		file:          "article_full.html",
		url:           "https://www.harborledger.example/politics/2020/02/25/senators-press-treasury-sanctions?utm_source=x",
		title:         "Senators press Treasury on election interference sanctions",
		outlet:        "The Harbor Ledger",
		author:        "Dana Whitfield",
		published:     "2020-02-25",
		publishedFrom: "meta article:published_time",
		language:      "en",
		canonical:     "https://www.harborledger.example/politics/2020/02/25/senators-press-treasury-sanctions",
		include: []string{
			"WASHINGTON — Three senior Senate Democrats on Tuesday asked the Treasury and State departments to identify and sanction everyone found responsible for interfering in American elections, escalating a fight with the administration over how to answer foreign meddling.",
			"In a letter sent to both departments, the senators wrote that “doing anything less would be an abdication of responsibility,” and asked for a briefing within 30 days.",
			"The request follows a closed briefing in which intelligence officials told House members that foreign actors were again trying to influence the campaign. Officials familiar with the briefing said it had focused on social media operations.",
			"A Treasury spokesperson said the department “takes these concerns seriously” and would respond to the senators directly. The State Department did not reply to a request for comment.",
			"Sanctions experts said the letter was unlikely to change policy before the election but would put the departments on record. “The question is whether anyone is willing to attach names to the findings,” said Lena Park, a former Treasury official.",
		},
		exclude: []string{
			"Skip to main content", "Storm warning", "Breaking", "Politics", "Subscribe for $1",
			"By Dana Whitfield", "2:03 p.m.", "Share on Facebook", "Email this story", "Copy link",
			"Related:", "Lawmakers were warned of new interference", "More from Politics",
			"Inside the fight over election security money", "Comments (3)", "political theater",
			"asking the right questions", "patriot1776", "Privacy policy", "© 2024", "All rights reserved",
		},
	},
	{
		file:          "liveblog.html",
		url:           "https://northfieldtribune.example/news/live/election-night-2021",
		title:         "Election night live: results as they come in",
		outlet:        "Northfield Tribune",
		author:        "Priya Raman",
		published:     "2021-05-06",
		publishedFrom: "json-ld datePublished",
		language:      "en",
		canonical:     "https://northfieldtribune.example/news/live/election-night-2021",
		include: []string{
			"Counting paused until morning",
			"Officials at the count have paused for the night with nine of fourteen wards declared. Counting will resume at nine o'clock.",
			"First ward declared",
			"Riverside ward has been declared for the independent candidate, Margaret Osei, by a margin of 212 votes.",
			"Ms Osei told supporters the result showed that “people here want someone who answers the phone.”",
			"Ballot boxes from the northern wards have started arriving at the leisure centre, where the count is being held.",
			"Polls closed at ten o'clock. Good evening and welcome to our coverage of the council elections, where all fourteen seats are being contested.",
		},
		exclude: []string{
			"We use cookies", "Accept all", "Share this post", "Load more updates", "Most read",
			"Bus lane fines", "Last updated", "LIVE", "02:14", "Mill Lane", "© 2021",
		},
	},
	{
		file:          "paywall.html",
		url:           "https://meridianreview.example/tech/2021/03/inside-the-lab",
		title:         "Inside the lab tracking disinformation networks",
		outlet:        "The Meridian Review",
		author:        "Samuel Ortega",
		published:     "2021-03-17",
		publishedFrom: "meta article:published_time",
		language:      "en",
		canonical:     "https://meridianreview.example/tech/2021/03/inside-the-lab",
		include: []string{
			"On the fourth floor of an unremarkable office building, a team of eleven researchers spends its days mapping accounts that appear, disappear and reappear under new names.",
			"Their work has become a quiet reference point for reporters and election officials alike, who rely on the lab's weekly notes to decide which rumours deserve an answer and which are better left alone.",
		},
		exclude: []string{
			"Subscribe to continue reading", "unlimited access", "Cancel anytime", "subscription options",
			"Already a subscriber", "Log in", "8 min read", "Technology", "Recommended for you",
			"fax machine", "Copyright", "March 17, 2021",
		},
	},
	{
		file:          "nodate_footer.html",
		url:           "https://riversidecourier.example/2020/01/local-newsrooms-share-election-data/",
		title:         "Why local newsrooms are sharing their election data",
		outlet:        "Riverside Courier",
		author:        "Kwame Mensah",
		published:     "", // the footer's "© 2019" and "Site last updated on 12 January 2020" are not publication dates
		publishedFrom: "",
		language:      "en",
		canonical:     "https://riversidecourier.example/2020/01/local-newsrooms-share-election-data/",
		include: []string{
			"For years, every small newsroom in the valley built its own spreadsheet of precinct results, typing numbers from the county website into columns late on election night.",
			"This spring, six of them agreed to stop. They now share a single public dataset, checked by two people from different newsrooms before anything is published.",
			"The editors say the arrangement has freed reporters to spend election night talking to voters instead of copying figures, and that corrections have fallen sharply.",
			"Other regions have asked for the code, which the group plans to publish under an open licence.",
		},
		exclude: []string{
			"Independent since 1921", "Donate", "Posted in", "Kwame Mensah", "Tags:", "elections, data",
			"Archives", "December 2019", "Sign up to get the Courier", "© 2019", "Site last updated",
			"Powered by WordPress",
		},
	},
	{
		file:          "german.html",
		url:           "https://www.rheinischer-anzeiger.example/politik/bundestag-desinformation-wahlen-100.html",
		title:         "Bundestag debattiert über Schutz der Wahlen vor Desinformation",
		outlet:        "Rheinischer Anzeiger",
		author:        "Anna Schmidt",
		published:     "2021-03-04",
		publishedFrom: "meta date",
		language:      "de",
		canonical:     "https://www.rheinischer-anzeiger.example/politik/bundestag-desinformation-wahlen-100.html",
		include: []string{
			"Ein halbes Jahr vor der Bundestagswahl hat das Parlament über Maßnahmen gegen gezielte Falschinformationen im Wahlkampf beraten.",
			"Die Bundesregierung verwies auf eine neue Arbeitsgruppe, die Hinweise auf ausländische Einflussnahme bündeln und die Öffentlichkeit schneller informieren soll.",
			"Mehrere Abgeordnete der Opposition kritisierten, die Pläne kämen zu spät. „Wir reden seit Jahren darüber, aber passiert ist wenig“, sagte eine Abgeordnete im Plenum.",
			"Plattformbetreiber sollen nach dem Willen der Koalition verpflichtet werden, politische Werbung deutlich zu kennzeichnen und zu archivieren.",
		},
		exclude: []string{
			"Wirtschaft", "Von Anna Schmidt", "Stand: 04.03.2021", "Auf Facebook teilen", "Per E-Mail versenden",
			"Mehr zum Thema", "Wie Falschmeldungen sich verbreiten", "Impressum", "Datenschutz",
		},
	},
	{
		file:          "jsonld.html",
		url:           "https://eastwire.example/world/2021/03/17/kremlin-rejects-claims",
		title:         "Kremlin rejects claims of interference in US vote",
		outlet:        "EastWire News Agency",
		author:        "Irina Volkova",
		published:     "2021-03-17",
		publishedFrom: "json-ld datePublished",
		language:      "en",
		canonical:     "https://eastwire.example/world/2021/03/17/kremlin-rejects-claims",
		include: []string{
			"MOSCOW, March 17. The Kremlin on Wednesday rejected a US intelligence report that accused Moscow of trying to sway the 2020 presidential election, calling its conclusions groundless.",
			"“We do not agree with the conclusions of this report,” a Kremlin spokesman told reporters. “Russia did not interfere in the previous elections and is not interfering now.”",
			"The report, released on Tuesday by the Office of the Director of National Intelligence, said Russian officials had approved influence operations aimed at denigrating one candidate.",
			"The spokesman said such accusations were being used as a pretext for new sanctions, and that Moscow would respond if measures were taken against it.",
		},
		exclude: []string{
			"Economy", "17 March 2021, 09:45", "Topics:", "Latest news", "Oil prices rise",
			"Parliament approves", "Reproduction permitted", "Last update of this site",
		},
	},
	{
		file:          "ad_caption.html",
		url:           "https://capitoldispatch.example/2021/03/16/intelligence-report-influence",
		title:         "Intelligence report details foreign influence campaigns",
		outlet:        "Capitol Dispatch",
		author:        "Robert Keane",
		published:     "2021-03-16",
		publishedFrom: "time datetime",
		language:      "en",
		canonical:     "https://capitoldispatch.example/2021/03/16/intelligence-report-influence",
		include: []string{
			"WASHINGTON, March 16 — A declassified intelligence assessment released on Tuesday concluded that several foreign governments tried to influence the 2020 election, though none altered vote tallies.",
			"The 15-page report said investigators found no indication that any foreign actor had tried to change “any technical aspect of the voting process,” including voter registration and ballot casting.",
			"Instead, the assessment said, influence efforts relied on intermediaries, media outlets and social networks to spread misleading claims about candidates.",
			"Lawmakers from both parties said the findings should shape new legislation on election security before the 2022 midterms.",
			"“This should shape the next bill,” said Renée Castillo, a spokeswoman for the committee’s chair.",
		},
		exclude: []string{
			"White House", "Advertisement", "advertisement", "By Robert Keane", "Staff Reporter",
			"McLean, Virginia", "Photo: J. Doe", "Reuters", "A chart from the report", "illustration",
			"Tags:", "national security", "Sign up for our morning newsletter", "All rights reserved",
		},
	},
	{
		file:          "french.html",
		url:           "https://gazettedulittoral.example/politique/ingerence-electorale-paris-protege-le-scrutin",
		title:         "Ingérence électorale : Paris veut mieux protéger le scrutin",
		outlet:        "La Gazette du Littoral",
		author:        "Claire Dubois",
		published:     "2021-03-17",
		publishedFrom: "date line",
		language:      "fr",
		canonical:     "https://gazettedulittoral.example/politique/ingerence-electorale-paris-protege-le-scrutin",
		include: []string{
			"Le gouvernement a présenté mercredi un ensemble de mesures destinées à protéger les prochaines élections contre les tentatives d’ingérence étrangère.",
			"Une cellule de veille sera chargée de repérer les campagnes de désinformation et d’alerter rapidement les autorités électorales.",
			"« Nous ne laisserons pas des acteurs étrangers décider à la place des électeurs », a déclaré la ministre lors d’une conférence de presse.",
		},
		exclude: []string{
			"Politique", "S'abonner", "Par Claire Dubois", "Publié le", "Partager", "Facebook",
			"À lire aussi", "Les réseaux sociaux", "© 2019", "Mentions légales",
		},
	},
}
