package corpus

// Span is a half-open byte range [Start, End) into a text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Document is what a parser makes of one article: the clean text that will be
// stored and quoted, where its paragraphs are, and the metadata it could find.
//
// Text holds only article prose: every byte of every paragraph is copied from
// the input unchanged, so a quote cut from Text is word-for-word in the
// article. Paragraphs are separated in Text by a blank line ("\n\n").
type Document struct {
	Title     string
	Outlet    string
	Author    string
	Published string // ISO date (2021-03-17) when the full date is known, else as written ("February 25")
	// PublishedFrom says where Published came from (e.g. "dateline",
	// "date line", "meta article:published_time"), so a guess can be judged.
	PublishedFrom string
	Language      string // BCP 47 tag when known ("en")
	URL           string // canonical URL when the document names one
	Text          string
	Paragraphs    []Span // byte ranges of paragraphs in Text, in order
}
