package bot

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares rendered embeds and components with a golden file
// in testdata/golden (go test ./bot -update rewrites them).
func checkGolden(t *testing.T, name string, embeds []*discordgo.MessageEmbed, comps []discordgo.MessageComponent) {
	t.Helper()
	checkGoldenReply(t, name, "", embeds, comps)
}

// cachedToken is the random token in the custom id of a button that stands
// for a question in the bot's cache (More, Closest passages).
var cachedToken = regexp.MustCompile(`"((?:more|near):)[A-Z2-7]+`)

// checkGoldenReply is checkGolden for a reply that has content too (kept
// in the file when not empty). Cache tokens in custom ids are blanked.
func checkGoldenReply(t *testing.T, name, content string, embeds []*discordgo.MessageEmbed, comps []discordgo.MessageComponent) {
	t.Helper()
	reply := map[string]any{"embeds": embeds, "components": comps}
	if content != "" {
		reply["content"] = content
	}
	got, err := json.MarshalIndent(reply, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	s := cachedToken.ReplaceAllString(string(got), `"${1}TOKEN`)
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, []byte(s+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run %s -update to create it)", err, t.Name())
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(s) {
		t.Errorf("rendering differs from %s (go test ./bot -update rewrites it):\n%s", path, s)
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := map[string]string{
		"plain words":              "plain words",
		"*bold* _it_ ~~s~~ `c`":    "\\*bold\\* \\_it\\_ \\~\\~s\\~\\~ \\`c\\`",
		"@everyone and @here":      "@\u200beveryone and @\u200bhere",
		"<@123> <#456> <:e:789>":   "\\<@\u200b123\\> \\<\\#456\\> \\<\\:e\\:789\\>",
		"[link](https://x.y)":      "\\[link\\]\\(https\\://x.y\\)",
		"> not a quote\n# heading": "\\> not a quote\n\\# heading",
		"||spoiler|| back\\slash":  "\\|\\|spoiler\\|\\| back\\\\slash",
		"Russia’s “no” – 232":      "Russia’s “no” \u2013 232",
	}
	for in, want := range tests {
		if got := escapeMarkdown(in); got != want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuoteMarkdownBoldsMatchesAndMarksCuts(t *testing.T) {
	text := "Intro. In the end, Mueller came up empty-handed.\nSecond line."
	start := strings.Index(text, "In the end")
	a := retrieval.Answer{
		Quote: text[start:], Start: start, End: len(text), CutBefore: true,
		Matches: []corpus.Span{
			{Start: strings.Index(text, "Mueller"), End: strings.Index(text, "Mueller") + 7},
			{Start: strings.Index(text, "empty"), End: strings.Index(text, "empty") + 5},
			{Start: 0, End: 5}, // outside the quote: ignored
		},
	}
	got := quoteMarkdown(a)
	want := "> …In the end, **Mueller** came up **empty**\\-handed.\n> Second line."
	if got != want {
		t.Errorf("quoteMarkdown = %q, want %q", got, want)
	}
}

func TestRenderedAnswersStayWithinDiscordLimits(t *testing.T) {
	long := strings.Repeat("word ", 2000)
	var answers []retrieval.Answer
	for i := 0; i < 12; i++ {
		src := corpus.Info{ID: "abcdef123456", Title: strings.Repeat("T", 400), Outlet: strings.Repeat("O", 300), Published: "2021-03-17", URL: "https://example.org/" + strings.Repeat("x", 100)}
		var also []corpus.Info
		for j := 0; j < 40; j++ {
			also = append(also, src)
		}
		answers = append(answers, retrieval.Answer{Quote: long, Start: 0, End: len(long), Paragraph: 3, Source: src, AlsoCarriedBy: also})
	}
	r := renderAnswers(retrieval.Result{Answers: answers, More: true}, "more:TOKEN:12", "")
	if len(r.Embeds) > maxEmbeds || len(r.Embeds) == 0 {
		t.Fatalf("%d embeds", len(r.Embeds))
	}
	total := 0
	for _, e := range r.Embeds {
		total += embedSize(e)
		if utf8.RuneCountInString(e.Title) > maxEmbedTitle || utf8.RuneCountInString(e.Description) > maxEmbedDescription ||
			utf8.RuneCountInString(e.Footer.Text) > maxFooter || len(e.Fields) > 25 {
			t.Errorf("embed over a limit")
		}
		for _, f := range e.Fields {
			if utf8.RuneCountInString(f.Value) > maxFieldValue {
				t.Errorf("field over 1024")
			}
		}
	}
	if total > maxEmbedsTotal {
		t.Errorf("embeds total %d > 6000", total)
	}
	if len(r.Components) > maxActionRows {
		t.Errorf("%d action rows", len(r.Components))
	}
	for _, row := range r.Components {
		ar := row.(discordgo.ActionsRow)
		if len(ar.Components) > maxButtonsPerRow {
			t.Errorf("%d buttons in a row", len(ar.Components))
		}
		for _, c := range ar.Components {
			if b := c.(discordgo.Button); len(b.CustomID) > maxCustomID || utf8.RuneCountInString(b.Label) > maxButtonLabel {
				t.Errorf("button %q over a limit", b.CustomID)
			}
		}
	}
}

func TestRenderNoAnswer(t *testing.T) {
	r := renderAnswers(retrieval.Result{NoAnswer: true, Reason: "Nothing in the library answers this."}, "", "")
	if r.Content != "The library has no quote that answers this." || len(r.Embeds) != 0 {
		t.Errorf("%+v", r)
	}
	// Closest passages are never shown with a no-answer: at most a button
	// offers them.
	closest := []retrieval.Answer{{Quote: "Nearby words.", End: 13, Source: corpus.Info{ID: "abc123abc123", Title: "Nearby"}}}
	r = renderAnswers(retrieval.Result{NoAnswer: true, Closest: closest}, "", "")
	if r.Content != msgNoAnswer || len(r.Embeds) != 0 || len(r.Components) != 0 {
		t.Errorf("no-answer with closest passages but no button: %+v", r)
	}
	r = renderAnswers(retrieval.Result{NoAnswer: true, Closest: closest}, "more:X:3", "near:TOKEN")
	if r.Content != msgNoDirectAnswer || len(r.Embeds) != 0 || len(r.Components) != 1 ||
		len(r.Components[0].(discordgo.ActionsRow).Components) != 1 || r.Components[0].(discordgo.ActionsRow).Components[0].(discordgo.Button).CustomID != "near:TOKEN" {
		t.Errorf("no-answer with closest passages: %+v", r)
	}
}

// TestContextOfAQuoteInMergedParagraphs: a passage may be a run of short
// paragraphs (a source with too many passages has them merged); Context of
// a quote from the third paragraph of such a run shows that paragraph, and
// says ¶ of it, not of the run's first.
func TestContextOfAQuoteInMergedParagraphs(t *testing.T) {
	doc, err := corpus.ParseText([]byte("Harbour News\n\nThe harbour opened at dawn.\n\nEleven trawlers came home.\n\nThe storm broke at noon.\n\nNo boat was lost."))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := corpus.NewChunker()
	if err != nil {
		t.Fatal(err)
	}
	ch.MaxPassages = 1 // merge every run of short paragraphs
	passages, _, err := ch.Chunk(doc)
	if err != nil {
		t.Fatal(err)
	}
	src := corpus.Source{Info: corpus.Info{ID: "abc123", Title: doc.Title, Outlet: "Harbour Gazette"}, Text: doc.Text, Passages: passages}
	if len(passages) != 1 || passages[0].LastParagraph <= passages[0].Paragraph {
		t.Fatalf("want one passage of merged paragraphs, got %+v", passages)
	}
	for _, quote := range []string{"Eleven trawlers came home.", "The storm broke at noon.", "No boat was lost."} {
		start := strings.Index(src.Text, quote)
		n := src.ParagraphAt(start)
		r, err := renderContext(src, start, start+len(quote))
		if err != nil {
			t.Fatal(err)
		}
		e := r.Embeds[0]
		if e.Description != "**"+escapeMarkdown(quote)+"**" {
			t.Errorf("context of %q: %q; want its paragraph alone", quote, e.Description)
		}
		if want := fmt.Sprintf("¶%d", n); !strings.HasSuffix(e.Footer.Text, want+" · source abc123") || n <= passages[0].Paragraph {
			t.Errorf("context of %q says %q; want %s (of %d paragraphs)", quote, e.Footer.Text, want, src.ParagraphCount())
		}
	}
	// A quote across two of the run's paragraphs shows both, whole.
	start := strings.Index(src.Text, "came home.")
	end := strings.Index(src.Text, "The storm") + len("The storm")
	r, err := renderContext(src, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Embeds[0].Description, "Eleven trawlers **came home.\n\nThe storm** broke at noon."; got != want {
		t.Errorf("context across paragraphs: %q, want %q", got, want)
	}
}
