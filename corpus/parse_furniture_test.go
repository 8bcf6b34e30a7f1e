package corpus

import (
	"html"
	"strings"
	"testing"
)

// furnitureCases are paragraphs of news text with site furniture at an
// edge, or prose that a furniture rule took for furniture. want is what of
// the paragraph is article prose ("" when none of it is): the furniture
// must not be in the text (it would be quotable as the article's), and the
// prose must be, byte for byte.
var furnitureCases = []struct {
	name, para, want string
}{
	{"photo credit in brackets",
		"Russian President Vladimir Putin attends a meeting in Moscow on Tuesday, where he denied the allegations. (Image credit: Getty Images)",
		"Russian President Vladimir Putin attends a meeting in Moscow on Tuesday, where he denied the allegations."},
	{"AP photo credit",
		"Protesters gathered outside the Russian embassy in Washington on Saturday to demand sanctions. (AP Photo/Jose Luis Magana)",
		"Protesters gathered outside the Russian embassy in Washington on Saturday to demand sanctions."},
	{"photographer and agency",
		"Kremlin spokesman Dmitry Peskov told reporters the report was \u201cabsolutely unfounded.\u201d (Evan Vucci/AP)",
		"Kremlin spokesman Dmitry Peskov told reporters the report was \u201cabsolutely unfounded.\u201d"},
	{"bare credit after the last sentence",
		"Putin spoke to reporters at the Kremlin on Monday after the summit. Mikhail Klimentyev/Sputnik/AFP via Getty Images",
		"Putin spoke to reporters at the Kremlin on Monday after the summit."},
	{"photo label after the last sentence",
		"The committee released its report on Tuesday after two years of work. Photo: Reuters",
		"The committee released its report on Tuesday after two years of work."},
	{"credit alone", "(Photo: Reuters)", ""},
	{"dated caption and credit",
		"Russian President Vladimir Putin speaks during a news conference in Moscow, Russia, Tuesday, March 16, 2021. (AP Photo/Alexander Zemlianichenko)",
		""},
	{"image credit line alone", "Image credit: Getty Images", ""},
	{"advertisement before prose",
		"Advertisement The Kremlin said on Tuesday that it had no plans to respond to the sanctions.",
		"The Kremlin said on Tuesday that it had no plans to respond to the sanctions."},
	{"advertisement after prose",
		"The Kremlin said on Tuesday that it had no plans to respond to the sanctions. ADVERTISEMENT",
		"The Kremlin said on Tuesday that it had no plans to respond to the sanctions."},
	{"advertisement alone", "Advertisement", ""},
	{"prose that starts with powered by",
		"Powered by cheap Russian gas, the plant produced record output last year, officials said.",
		"Powered by cheap Russian gas, the plant produced record output last year, officials said."},
	{"prose that starts with follow us on",
		"Follow us on this story as it develops: the Senate votes on the sanctions bill on Thursday.",
		"Follow us on this story as it develops: the Senate votes on the sanctions bill on Thursday."},
	{"prose about copyright",
		"Copyright law in Russia was rewritten in 2019 to cover online news sites.",
		"Copyright law in Russia was rewritten in 2019 to cover online news sites."},
	{"copyright line", "\u00a9 2021 Reuters. All rights reserved.", ""},
	{"prose that names Getty Images",
		"The image, distributed by Getty Images, was later withdrawn. (The photographer declined to comment.)",
		"The image, distributed by Getty Images, was later withdrawn. (The photographer declined to comment.)"},
	{"prose with an image in brackets",
		"Officials shared the picture widely on Monday (the image showed the two leaders shaking hands).",
		"Officials shared the picture widely on Monday (the image showed the two leaders shaking hands)."},
}

// TestFurnitureStrippedNotProse runs each case through the text and the
// HTML parser, between two paragraphs of prose.
func TestFurnitureStrippedNotProse(t *testing.T) {
	const before, after = "The Senate met on Monday to debate the bill.", "The vote is expected on Friday."
	for _, tc := range furnitureCases {
		t.Run(tc.name, func(t *testing.T) {
			want := []string{before, after}
			if tc.want != "" {
				want = []string{before, tc.want, after}
			}
			text := "Senate Debates Russia Sanctions\n\n" + before + "\n\n" + tc.para + "\n\n" + after + "\n"
			page := "<html><head><title>Senate Debates Russia Sanctions</title></head><body><article><h1>Senate Debates Russia Sanctions</h1><p>" +
				before + "</p><p>" + html.EscapeString(tc.para) + "</p><p>" + after + "</p></article></body></html>"
			for _, parser := range []struct {
				name string
				doc  func() (Document, error)
			}{
				{"text", func() (Document, error) { return ParseText([]byte(text)) }},
				{"html", func() (Document, error) { return ParseHTML([]byte(page), "") }},
			} {
				doc, err := parser.doc()
				if err != nil {
					t.Fatalf("%s: %v", parser.name, err)
				}
				var got []string
				for _, p := range doc.Paragraphs {
					got = append(got, doc.Text[p.Start:p.End])
				}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s: paragraphs\n %q\nwant\n %q", parser.name, got, want)
				}
			}
		})
	}
}
