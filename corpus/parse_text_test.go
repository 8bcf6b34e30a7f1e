package corpus

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTextSeeds(t *testing.T) {
	files, _, err := SeedFiles()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file      string
		title     string
		outlet    string
		published string
		// removed must not be in the clean text: it is not article prose.
		removed []string
		// kept must be in the clean text.
		kept []string
	}{
		{
			file:      "000_3f4d416429b31785.txt",
			title:     "US Democratic Party senators urge sanctioning Russia for alleged election interference",
			outlet:    "TASS",
			published: "February 25",
			removed:   []string{"All news"},
			kept:      []string{"WASHINGTON, February 25. /TASS/. US Senate Democratic leaders", "Moscow has also refuted these allegations."},
		},
		{
			file:    "001_969307ade84956c6.txt",
			title:   "Foreign Ministry says there is evidence of Russia’s non-interference in U.S. elections",
			outlet:  "TOP-NEWS",
			removed: []string{"| TOP-NEWS", "Putin's autograph sold at auction", "Leave a Reply", "Your email address will not be published", "Required fields are marked", "Social Share Buttons", "Ultimatelysocial"},
			kept:    []string{"The report concluded that there was no collusion between Trump and Russia."},
		},
		{
			file:      "002_01b363c9ba3300dd.txt",
			published: "2021-03-17",
			removed:   []string{"date 2021-03-17"},
			kept:      []string{"The Kremlin considers the report", "and Donald Trump – 232."},
		},
		{
			file: "003_1a56f56eaf788eeb.txt",
			kept: []string{"Russia rejected those claims, too."},
		},
		{
			file:    "004_2ba33058579cacb3.txt",
			title:   "Russia Denies Interfering in US Elections, Domestic Affairs",
			outlet:  "TASS",
			removed: []string{"Advertisement", "AP Photo", "Pablo Martinez Monsivais", "press conference after their meeting"},
			kept:    []string{"MOSCOW (TASS) — Russia strictly observes", "Moscow has also refuted these allegations."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			doc, err := ParseText(files[tc.file])
			if err != nil {
				t.Fatal(err)
			}
			if tc.title != "" && doc.Title != tc.title {
				t.Errorf("title = %q, want %q", doc.Title, tc.title)
			}
			if doc.Title == "" {
				t.Error("no title")
			}
			if doc.Outlet != tc.outlet {
				t.Errorf("outlet = %q, want %q", doc.Outlet, tc.outlet)
			}
			if doc.Published != tc.published {
				t.Errorf("published = %q, want %q", doc.Published, tc.published)
			}
			if doc.Language != "en" {
				t.Errorf("language = %q, want en", doc.Language)
			}
			for _, r := range tc.removed {
				if strings.Contains(doc.Text, r) {
					t.Errorf("clean text still has %q", r)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(doc.Text, k) {
					t.Errorf("clean text lost %q", k)
				}
			}
			// Every paragraph is word-for-word in the file.
			raw := strings.ReplaceAll(string(files[tc.file]), "\r\n", "\n")
			for i, p := range doc.Paragraphs {
				para := doc.Text[p.Start:p.End]
				if !strings.Contains(raw, para) {
					t.Errorf("paragraph %d is not verbatim in the file: %q", i+1, para)
				}
				if strings.TrimSpace(para) != para || para == "" {
					t.Errorf("paragraph %d has surrounding space or is empty: %q", i+1, para)
				}
			}
			if doc.Title != "" && strings.HasPrefix(doc.Text, doc.Title) {
				t.Errorf("the headline is still in the body")
			}
		})
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		title     string
		outlet    string
		published string
		author    string
		paras     []string
		err       error
	}{
		{
			name:  "markdown heading and front matter",
			in:    "---\ntitle: Given Title\noutlet: The Daily\ndate: March 3, 2021\n---\n# Heading in file\n\nFirst paragraph is here.\n\n## A section\n\nSecond paragraph.\n",
			title: "Given Title", outlet: "The Daily", published: "2021-03-03",
			paras: []string{"First paragraph is here.", "Second paragraph."},
		},
		{
			name:  "hard-wrapped paragraph stays one",
			in:    "A Headline Here\n\nThis line is wrapped at a fixed width and\nruns on to the next line without a break\nuntil the sentence ends.\n\nNext one.",
			title: "A Headline Here",
			paras: []string{"This line is wrapped at a fixed width and\nruns on to the next line without a break\nuntil the sentence ends.", "Next one."},
		},
		{
			name:  "CRLF and byline",
			in:    "Title Words Only\r\n\r\nBy Jane Doe\r\n\r\nLONDON, Monday, February 24 (Reuters) - Something happened today.\r\n",
			title: "Title Words Only", author: "Jane Doe", outlet: "Reuters", published: "Monday, February 24",
			paras: []string{"LONDON, Monday, February 24 (Reuters) - Something happened today."},
		},
		{
			name:  "dateline with a full date gives an ISO date",
			in:    "Big News Today\n\nPARIS, March 3, 2021 (AFP) — Things were said.",
			title: "Big News Today", outlet: "AFP", published: "2021-03-03",
			paras: []string{"PARIS, March 3, 2021 (AFP) — Things were said."},
		},
		{
			name:  "comment section and share widgets dropped",
			in:    "Headline\n\nBody sentence one.\n\nShare this:\n\nBody sentence two.\n\nComments (3)\n\nGreat article!",
			title: "Headline",
			paras: []string{"Body sentence one.", "Body sentence two."},
		},
		{
			name:  "list items kept",
			in:    "Headline\n\nThe points were:\n- first point\n- second point",
			title: "Headline",
			paras: []string{"The points were:", "- first point", "- second point"},
		},
		{
			name:  "dateline of a place and a full date",
			in:    "Senate Panel Backs Report\n\nWASHINGTON, March 18, 2021. The Senate intelligence committee endorsed the assessment.",
			title: "Senate Panel Backs Report", published: "2021-03-18",
			paras: []string{"WASHINGTON, March 18, 2021. The Senate intelligence committee endorsed the assessment."},
		},
		{name: "binary", in: "PK\x03\x04\x00\x00garbage", err: ErrNotText},
		{name: "invalid utf-8", in: "caf\xe9 au lait", err: ErrNotText},
		{name: "empty", in: "", err: ErrEmpty},
		{name: "only furniture", in: "All news\n\nAdvertisement\n\nLeave a Reply\n\nsome comment.", err: ErrEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseText([]byte(tc.in))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tc.title || doc.Outlet != tc.outlet || doc.Published != tc.published || doc.Author != tc.author {
				t.Errorf("meta = %q/%q/%q/%q, want %q/%q/%q/%q", doc.Title, doc.Outlet, doc.Published, doc.Author,
					tc.title, tc.outlet, tc.published, tc.author)
			}
			var got []string
			for _, p := range doc.Paragraphs {
				got = append(got, doc.Text[p.Start:p.End])
			}
			if strings.Join(got, "|") != strings.Join(tc.paras, "|") {
				t.Errorf("paragraphs = %q, want %q", got, tc.paras)
			}
			if strings.Join(got, "\n\n") != doc.Text {
				t.Errorf("text is not its paragraphs joined by blank lines")
			}
		})
	}
}

func TestTitleFromText(t *testing.T) {
	long := "The Kremlin considers the report of American intelligence on Moscow’s interference in the US presidential elections to be unsubstantiated; these statements are used."
	got := titleFromText(long)
	if !strings.HasSuffix(got, "…") || len([]rune(got)) > 102 || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("titleFromText = %q", got)
	}
	if got := titleFromText("Short first sentence. Then more."); got != "Short first sentence." {
		t.Errorf("titleFromText = %q", got)
	}
}

// TestParseTextSaysWhyNotText: a text file with a NUL byte was reported as
// "not UTF-8"; it is a binary file, and the error now says so. UTF-16 text
// (which is full of NUL bytes) is named as such, with what to do.
func TestParseTextSaysWhyNotText(t *testing.T) {
	tests := []struct {
		name, in string
		says     []string
	}{
		{"NUL byte", "Title\n\nSome text\x00with a NUL byte in the middle of it.", []string{"NUL bytes", "a binary file"}},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", []string{"NUL bytes", "a binary file"}},
		{"UTF-16 little-endian", "\xff\xfeH\x00e\x00l\x00l\x00o\x00.\x00", []string{"UTF-16", "save it as UTF-8"}},
		{"UTF-16 big-endian", "\xfe\xff\x00H\x00e\x00l\x00l\x00o\x00.", []string{"UTF-16", "save it as UTF-8"}},
		{"Latin-1", "Caf\xe9 society\n\nThe caf\xe9 reopened.", []string{"not UTF-8 text", "byte 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseText([]byte(tc.in))
			t.Logf("seen: %v", err)
			if !errors.Is(err, ErrNotText) {
				t.Fatalf("err = %v, want ErrNotText", err)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}
