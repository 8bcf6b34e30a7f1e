package bot

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// Discord's limits that render.go has no constant for.
const (
	maxFields     = 25
	maxAuthorName = 256
)

// mention matches what Discord turns into a mention: @everyone, @here, a
// user (<@id>, <@!id>), a role (<@&id>) or a channel (<#id>).
var mention = regexp.MustCompile(`@everyone|@here|<@[!&]?[0-9]+>|<#[0-9]+>`)

// liveMention returns the first mention in s that would be live: in a field
// Discord reads as Markdown, one not escaped by a backslash; in a plain-text
// field (titles, footers, names, labels), any.
func liveMention(s string, markdown bool) string {
	for _, loc := range mention.FindAllStringIndex(s, -1) {
		slashes := 0
		for i := loc[0] - 1; i >= 0 && s[i] == '\\'; i-- {
			slashes++
		}
		if !markdown || slashes%2 == 0 {
			return s[loc[0]:loc[1]]
		}
	}
	return ""
}

// checkMessage fails t unless r is a message Discord accepts and that pings
// no one: within every length and count limit, with well-formed links and
// unique button ids, and without a live mention in any text.
func checkMessage(t *testing.T, what string, r rendered) {
	t.Helper()
	text := func(field, s string, limit int, markdown bool) {
		t.Helper()
		if n := utf8.RuneCountInString(s); n > limit {
			t.Errorf("%s: %s is %d characters, over Discord's %d", what, field, n, limit)
		}
		if m := liveMention(s, markdown); m != "" {
			t.Errorf("%s: %s holds a live mention %q: %q", what, field, m, s)
		}
	}
	text("content", r.Content, maxContent, true)
	if r.Content == "" && len(r.Embeds) == 0 {
		t.Errorf("%s: an empty message", what)
	}
	if len(r.Embeds) > maxEmbeds {
		t.Errorf("%s: %d embeds, over Discord's %d", what, len(r.Embeds), maxEmbeds)
	}
	total := 0
	for i, e := range r.Embeds {
		field := func(name string) string { return fmt.Sprintf("embed %d %s", i, name) }
		text(field("title"), e.Title, maxEmbedTitle, false)
		text(field("description"), e.Description, maxEmbedDescription, true)
		if e.Footer != nil {
			text(field("footer"), e.Footer.Text, maxFooter, false)
		}
		if e.Author != nil {
			text(field("author"), e.Author.Name, maxAuthorName, false)
		}
		if len(e.Fields) > maxFields {
			t.Errorf("%s: embed %d has %d fields, over Discord's %d", what, i, len(e.Fields), maxFields)
		}
		for j, f := range e.Fields {
			text(field(fmt.Sprintf("field %d name", j)), f.Name, maxFieldName, false)
			text(field(fmt.Sprintf("field %d value", j)), f.Value, maxFieldValue, true)
			if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
				t.Errorf("%s: embed %d field %d is blank: %q: %q", what, i, j, f.Name, f.Value)
			}
		}
		if e.URL != "" {
			u, err := url.Parse(e.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				strings.ContainsFunc(e.URL, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				t.Errorf("%s: embed %d links to %q, not a well-formed web address", what, i, e.URL)
			}
		}
		total += embedSize(e)
	}
	if total > maxEmbedsTotal {
		t.Errorf("%s: the embeds hold %d characters, over Discord's %d", what, total, maxEmbedsTotal)
	}
	if len(r.Components) > maxActionRows {
		t.Errorf("%s: %d action rows, over Discord's %d", what, len(r.Components), maxActionRows)
	}
	ids := map[string]bool{}
	for _, c := range r.Components {
		row, ok := c.(discordgo.ActionsRow)
		if !ok || len(row.Components) == 0 || len(row.Components) > maxButtonsPerRow {
			t.Errorf("%s: component %#v is not a row of 1 to %d buttons", what, c, maxButtonsPerRow)
			continue
		}
		for _, b := range row.Components {
			btn, ok := b.(discordgo.Button)
			if !ok {
				t.Errorf("%s: %#v is not a button", what, b)
				continue
			}
			text("button label", btn.Label, maxButtonLabel, false)
			if btn.Label == "" || btn.CustomID == "" || len(btn.CustomID) > maxCustomID || ids[btn.CustomID] {
				t.Errorf("%s: button %q with custom_id %q (of at most %d, unique)", what, btn.Label, btn.CustomID, maxCustomID)
			}
			ids[btn.CustomID] = true
		}
	}
}

// checkNoMentions returns an error unless am, as sent to Discord, parses no
// mention from the text and names no user or role to ping, nor the author
// of a message replied to.
func checkNoMentions(am *discordgo.MessageAllowedMentions) error {
	b, err := json.Marshal(am)
	if err != nil {
		return fmt.Errorf("encoding allowed mentions: %w", err)
	}
	var sent struct {
		Parse       *[]string `json:"parse"`
		Users       []string  `json:"users"`
		Roles       []string  `json:"roles"`
		RepliedUser bool      `json:"replied_user"`
	}
	if err := json.Unmarshal(b, &sent); err != nil {
		return fmt.Errorf("decoding allowed mentions %s: %w", b, err)
	}
	if sent.Parse == nil || len(*sent.Parse) > 0 || len(sent.Users) > 0 || len(sent.Roles) > 0 || sent.RepliedUser {
		return fmt.Errorf("allowed mentions %s may ping: want an empty parse list and nothing else", b)
	}
	return nil
}

// fuzzShape reads the numbers of a rendering case from fuzz bytes.
type fuzzShape []byte

// n returns the i-th number of the shape, below limit (0 when it has none).
func (s fuzzShape) n(i, limit int) int {
	if len(s) == 0 {
		return 0
	}
	return int(s[i%len(s)]) % limit
}

// FuzzRender renders answers, context, a source and a source list whose
// quote, title, outlet, URL, author and note are any strings, with a shape
// (fuzz bytes) that sets how many answers and syndicated copies there are,
// where the question's words were found, and where quotes were cut. Every
// message must stay within Discord's limits and never hold a live mention;
// a page of the source list names every source on it; and every message
// is sent with allowed mentions that parse nothing.
// Seeds: testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	if err := checkNoMentions(noMentions()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, quote, title, outlet, link, author, note string, shape []byte) {
		sh := fuzzShape(shape)
		info := func(i int) corpus.Info {
			return corpus.Info{
				ID: fmt.Sprintf("%012x", 0xa63fed43acb5+i), Scope: []string{corpus.GlobalScope, "123456789012345678"}[sh.n(i, 2)],
				Origin: link, URL: link, Title: title, Outlet: outlet, Author: author, Note: note,
				Published: []string{"", "2021-03-17", "February 25", outlet}[sh.n(i+1, 4)],
				AddedBy:   author, AddedAt: time.Date(2021, 3, 17, 12, 0, 0, 0, time.UTC),
				SHA256: strings.Repeat("ab", 32), SnapshotSHA256: strings.Repeat("cd", 32), SnapshotType: outlet,
				SnapshotBytes: len(quote), PassageCount: sh.n(i+2, 50),
			}
		}
		res := retrieval.Result{Question: quote, More: sh.n(0, 2) == 1}
		for i := range 1 + sh.n(1, 12) {
			start := 1000 * i
			a := retrieval.Answer{
				Quote: quote, Start: start, End: start + len(quote),
				CutBefore: sh.n(i+2, 2) == 1, CutAfter: sh.n(i+3, 2) == 1,
				Paragraph: sh.n(i+4, 30), Source: info(i),
			}
			for j := range sh.n(i+5, 4) {
				s := start + sh.n(i+j+6, max(len(quote), 1))
				a.Matches = append(a.Matches, corpus.Span{Start: s, End: s + sh.n(i+j+7, 40)})
			}
			for j := range sh.n(i+6, 30) {
				a.AlsoCarriedBy = append(a.AlsoCarriedBy, info(100+j))
			}
			res.Answers = append(res.Answers, a)
		}
		checkMessage(t, "answers", renderAnswers(res, moreButton.format(moreArgs{Token: "ABCDEFGHIJKLMNOP", Skip: 3 + sh.n(2, 100)}), ""))
		checkMessage(t, "no answer", renderAnswers(retrieval.Result{Question: quote, NoAnswer: true, Reason: note}, "", ""))
		near := retrieval.Result{Question: quote, NoAnswer: true, Reason: note, Closest: res.Answers}
		checkMessage(t, "no answer with closest", renderAnswers(near, "", closestButton.format(closestArgs{Token: "ABCDEFGHIJKLMNOP"})))
		checkMessage(t, "closest", renderClosest(near))

		src := corpus.Source{Info: info(0), Text: title + "\n\n" + quote + "\n\n" + note}
		src.Passages = []corpus.Passage{
			{Start: 0, End: len(title), Paragraph: 1},
			{Start: len(title) + 2, End: len(title) + 2 + len(quote), Paragraph: 2},
			{Start: len(title) + 4 + len(quote), End: len(src.Text), Paragraph: 3},
		}
		start := sh.n(3, len(src.Text)+1)
		end := start + sh.n(4, len(src.Text)+1-start)
		if r, err := renderContext(src, start, end); err == nil {
			checkMessage(t, "context", r)
		} else if start < end {
			t.Errorf("renderContext refused span [%d,%d) of %d bytes: %v", start, end, len(src.Text), err)
		}

		checkMessage(t, "source", renderSource(info(0)))
		var infos []corpus.Info
		for i := range sh.n(5, 40) {
			infos = append(infos, info(i))
		}
		page := 1 + sh.n(6, 3)
		list := renderSourceList(infos, page, sourcesPerPage)
		checkMessage(t, "source list", list)
		if first := (page - 1) * sourcesPerPage; first < len(infos) {
			for _, s := range infos[first:min(first+sourcesPerPage, len(infos))] {
				if !strings.Contains(list.Embeds[0].Description, "`"+s.ID+"`") {
					t.Errorf("source list page %d leaves out source %s:\n%s", page, s.ID, list.Embeds[0].Description)
				}
			}
		}
	})
}
