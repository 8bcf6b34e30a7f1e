package bot

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// Discord's documented limits on what a message may carry.
const (
	maxContent          = 2000
	maxEmbedURL         = corpus.MaxLinkBytes
	maxEmbeds           = 10
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooter           = 2048
	maxEmbedsTotal      = 6000
	maxCustomID         = 100
	maxButtonLabel      = 80
	maxActionRows       = 5
	maxButtonsPerRow    = 5
)

// How much of a source's metadata is shown, in characters, so that an
// outlet or note of any length still leaves an embed within Discord's limits
// (the 6000 characters of all embeds above all: a quote's embed is at most
// 256 + 4096 + a footer of a few hundred).
const (
	maxOutletShown    = 200
	maxPublishedShown = 64
	maxNameShown      = 256 // an author or whoever added a source
	maxTypeShown      = 100
)

// Colours of the embeds: blue for an answer's quotes, grey for notes (a
// quote's context, a source) and a lighter grey for closest passages.
const (
	colourQuote   = 0x2B6CB0
	colourNote    = 0x718096
	colourClosest = 0xA0AEC0
)

// noMentions is sent with every message: an explicit empty list, so that
// nothing an article or a member wrote can ping anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// markdownSpecial are the characters Discord's Markdown gives meaning to.
const markdownSpecial = "\\*_~`|>#-[]()<:@"

// escapeMarkdown makes text show as itself in Discord: every Markdown
// character is escaped, and "@" gets a zero-width space after it so that
// "@everyone" in an article is text, never a mention (allowed mentions are
// empty too). The words are unchanged.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range s {
		switch {
		case r == '@':
			b.WriteString("@\u200b")
		case strings.ContainsRune(markdownSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// defuseMentions makes text for the fields Discord shows as plain text
// (embed titles and footers), where a Markdown escape would show: a
// zero-width space after every "@" and between "<" and "#", so that nothing
// in it reads as a mention ("@everyone", "<@id>", "<@&id>", "<#id>"). It
// looks the same.
var defuseMentions = strings.NewReplacer("@", "@\u200b", "<#", "<\u200b#").Replace

// plainField is s for a plain-text field: on one line, without mentions, at
// most n characters.
func plainField(s string, n int) string { return truncate(defuseMentions(plainText(s)), n) }

// quoteMarkdown renders a quote as a Markdown block quote, escaped, with the
// question's words in bold and "…" where it was cut inside a sentence.
func quoteMarkdown(a retrieval.Answer) string {
	// Spans of matched words relative to the quote, merged.
	var spans []corpus.Span
	for _, m := range a.Matches {
		s, e := m.Start-a.Start, m.End-a.Start
		if s < 0 || e > len(a.Quote) || s >= e {
			continue
		}
		spans = append(spans, corpus.Span{Start: s, End: e})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	var merged []corpus.Span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, sp.End)
			continue
		}
		merged = append(merged, sp)
	}
	var b strings.Builder
	if a.CutBefore {
		b.WriteString("…")
	}
	pos := 0
	for _, sp := range merged {
		b.WriteString(escapeMarkdown(a.Quote[pos:sp.Start]))
		b.WriteString("**")
		b.WriteString(escapeMarkdown(a.Quote[sp.Start:sp.End]))
		b.WriteString("**")
		pos = sp.End
	}
	b.WriteString(escapeMarkdown(a.Quote[pos:]))
	if a.CutAfter {
		b.WriteString("…")
	}
	// Every line of the quote is a block-quote line.
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = "> " + strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// sourceLine is the attribution of a source: outlet · date · ¶ · id, the
// outlet and date shortened so that the source id always shows.
func sourceLine(s corpus.Info, paragraph int) string {
	parts := []string{truncate(plainText(orUnknownOutlet(s.Outlet)), maxOutletShown)}
	if s.Published != "" {
		parts = append(parts, truncate(plainText(s.Published), maxPublishedShown))
	}
	if paragraph > 0 {
		parts = append(parts, fmt.Sprintf("¶%d", paragraph))
	}
	parts = append(parts, "source "+s.ID)
	return strings.Join(parts, " · ")
}

func orUnknownOutlet(o string) string {
	if strings.TrimSpace(o) == "" {
		return "outlet unknown"
	}
	return o
}

// linkURL returns the URL of a source when it is a web link Discord can show:
// http or https, with a host, and no white space or control characters
// (Discord refuses a message whose link is not well formed).
func linkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000 ||
		strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return ""
	}
	return raw
}

// answerEmbed renders one answer as an embed: the quote as a block quote,
// the article title (linked when it has a URL), and outlet, date, paragraph
// and source id; syndicated copies in "Also carried by". link, when it is
// a web link, is the title's link (to the quote in the page, see
// corpus.QuoteLink) instead of the source's URL.
func answerEmbed(a retrieval.Answer, link string) *discordgo.MessageEmbed {
	href := linkURL(link)
	if href == "" || len(href) > maxEmbedURL {
		href = linkURL(a.Source.URL)
	}
	if len(href) > maxEmbedURL {
		href = ""
	}
	e := &discordgo.MessageEmbed{
		Title:       plainField(a.Source.Title, maxEmbedTitle),
		URL:         href,
		Description: truncate(quoteMarkdown(a), maxEmbedDescription),
		Color:       colourQuote,
		Footer:      &discordgo.MessageEmbedFooter{Text: plainField(sourceLine(a.Source, a.Paragraph), maxFooter)},
	}
	if len(a.AlsoCarriedBy) > 0 {
		var items []string
		for _, o := range a.AlsoCarriedBy {
			items = append(items, fmt.Sprintf("%s (%s · source %s)", escapeMarkdown(plainText(o.Title)), escapeMarkdown(orUnknownOutlet(o.Outlet)), o.ID))
		}
		e.Fields = []*discordgo.MessageEmbedField{{Name: "Also carried by", Value: truncate(strings.Join(items, "\n"), maxFieldValue)}}
	}
	return e
}

// plainText folds white space for one-line display (titles).
func plainText(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate shortens s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// embedSize counts the characters Discord counts towards the 6000 total.
func embedSize(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}

// rendered is a message ready to send: content, embeds and components.
type rendered struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

// What a no-answer says, and how the closest passages are labelled
// wherever they are shown, so that they are never taken for an answer.
const (
	msgNoAnswer        = "The library has no quote that answers this."
	msgNoDirectAnswer  = "No quote in the library answers this directly."
	msgNoMoreQuotes    = "There are no more quotes for this question."
	msgClosestGone     = "The library has nothing close to this question any more."
	labelClosest       = "These passages may not answer your question"
	labelClosestEmbed  = "Closest passage — it may not answer your question"
	labelClosestFooter = "May not answer your question"
	labelClosestButton = "Closest passages"
)

// renderAnswers renders a result as up to max embeds, one per quote, with a
// Context button per quote and a More button when there are more answers.
// moreID is the custom_id of the More button ("" for none). With no answer
// it renders one plain sentence; when the result has closest passages and
// closestID is set (the custom_id of the Closest passages button), the
// sentence says that no quote answers directly, and the button offers them.
func renderAnswers(res retrieval.Result, moreID, closestID string) rendered {
	return renderLinkedAnswers(res, moreID, closestID, nil)
}

// renderLinkedAnswers is renderAnswers with links[i], when set, as the
// link of answer i's title.
func renderLinkedAnswers(res retrieval.Result, moreID, closestID string, links []string) rendered {
	if res.NoAnswer || len(res.Answers) == 0 {
		if len(res.Closest) > 0 && closestID != "" {
			return rendered{Content: msgNoDirectAnswer, Components: buttonRows([]discordgo.MessageComponent{
				discordgo.Button{Label: labelClosestButton, Style: discordgo.SecondaryButton, CustomID: closestID},
			})}
		}
		msg := msgNoAnswer
		if res.Reason != "" && len(res.Answers) == 0 && !res.NoAnswer {
			msg = msgNoMoreQuotes
		}
		return rendered{Content: msg}
	}
	out, buttons := quoteEmbeds(res.Answers, links, answerEmbed)
	if moreID != "" && res.More {
		buttons = append(buttons, discordgo.Button{Label: "More results", Style: discordgo.PrimaryButton, CustomID: moreID})
	}
	out.Components = buttonRows(buttons)
	return out
}

// renderClosest renders the closest passages of a no-answer, for whoever
// pressed Closest passages: under the label that they may not answer the
// question, in the message and in each embed, in the grey of notes rather
// than the blue of answers, each with its Context button. A result that
// has answers after all (the library changed since) renders as answers,
// without More; one with neither says so.
func renderClosest(res retrieval.Result) rendered {
	if len(res.Closest) == 0 {
		if len(res.Answers) > 0 {
			return renderAnswers(res, "", "")
		}
		return rendered{Content: msgClosestGone}
	}
	out, buttons := quoteEmbeds(res.Closest, nil, closestEmbed)
	out.Content = "**" + labelClosest + ".** No quote in the library answers it directly; these are the passages closest to it."
	out.Components = buttonRows(buttons)
	return out
}

// closestEmbed renders a closest passage like an answer (see answerEmbed),
// labelled as one that may not answer: an author line above the quote and
// the footer's first words say so.
func closestEmbed(a retrieval.Answer, link string) *discordgo.MessageEmbed {
	e := answerEmbed(a, link)
	e.Color = colourClosest
	e.Author = &discordgo.MessageEmbedAuthor{Name: labelClosestEmbed}
	e.Footer.Text = plainField(labelClosestFooter+" · "+sourceLine(a.Source, a.Paragraph), maxFooter)
	return e
}

// quoteEmbeds renders answers as embeds (one per answer, made by embed with
// links[i] as its title's link when set), as many as Discord takes in one
// message, and a Context button for each.
func quoteEmbeds(answers []retrieval.Answer, links []string, embed func(retrieval.Answer, string) *discordgo.MessageEmbed) (rendered, []discordgo.MessageComponent) {
	var out rendered
	var buttons []discordgo.MessageComponent
	total := 0
	for i, a := range answers {
		if i == maxEmbeds {
			break
		}
		link := ""
		if i < len(links) {
			link = links[i]
		}
		e := embed(a, link)
		if total+embedSize(e) > maxEmbedsTotal {
			e.Fields = nil // drop "also carried by" before dropping a quote
			if total+embedSize(e) > maxEmbedsTotal {
				break
			}
		}
		total += embedSize(e)
		out.Embeds = append(out.Embeds, e)
		buttons = append(buttons, discordgo.Button{
			Label:    fmt.Sprintf("Context %d", i+1),
			Style:    discordgo.SecondaryButton,
			CustomID: contextID(a),
		})
	}
	return out, buttons
}

// buttonRows packs buttons into action rows of at most five, at most five
// rows.
func buttonRows(buttons []discordgo.MessageComponent) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	for len(buttons) > 0 && len(rows) < maxActionRows {
		n := min(len(buttons), maxButtonsPerRow)
		rows = append(rows, discordgo.ActionsRow{Components: buttons[:n]})
		buttons = buttons[n:]
	}
	return rows
}

// contextID is the custom_id of an answer's Context button.
func contextID(a retrieval.Answer) string {
	return contextButton.format(contextArgs{Source: a.Source.ID, Start: a.Start, End: a.End})
}

// renderContext renders the paragraph around a quote, the quote in bold:
// the paragraph of the source that holds its start, through the one that
// holds its end. A passage may be a run of short paragraphs (see
// corpus.Passage), so the paragraphs are found by offset
// (Source.ParagraphAt), never by the passage's first paragraph.
func renderContext(src corpus.Source, start, end int) (rendered, error) {
	if start < 0 || end > len(src.Text) || start >= end {
		return rendered{}, fmt.Errorf("span [%d,%d) outside source %s", start, end, src.ID)
	}
	para := corpus.Span{Start: start, End: end}
	n, last := src.ParagraphAt(start), src.ParagraphAt(end-1)
	if first := src.ParagraphSpan(n); n > 0 && first.Start >= 0 {
		para.Start = min(para.Start, first.Start)
		para.End = max(para.End, first.End)
	}
	if ls := src.ParagraphSpan(last); last > n && ls.Start >= 0 {
		para.End = max(para.End, ls.End)
	}
	desc := escapeMarkdown(src.Text[para.Start:start]) + "**" + escapeMarkdown(src.Text[start:end]) + "**" + escapeMarkdown(src.Text[end:para.End])
	e := &discordgo.MessageEmbed{
		Title:       plainField(src.Title, maxEmbedTitle),
		URL:         linkURL(src.URL),
		Description: truncate(desc, maxEmbedDescription),
		Color:       colourNote,
		Footer:      &discordgo.MessageEmbedFooter{Text: plainField(sourceLine(src.Info, n), maxFooter)},
	}
	return rendered{Embeds: []*discordgo.MessageEmbed{e}}, nil
}

// fieldValue is s for an embed field's value: escaped, "—" when blank, at
// most n characters.
func fieldValue(s string, n int) string { return truncate(escapeMarkdown(orDash(s)), n) }

// renderSource renders /sources show: provenance and attribution of one
// source. Each value is shortened so that the embed stays within Discord's
// 6000 characters whatever the source says.
func renderSource(s corpus.Info) rendered {
	fields := []*discordgo.MessageEmbedField{
		{Name: "Outlet", Value: fieldValue(orUnknownOutlet(s.Outlet), maxOutletShown), Inline: true},
		{Name: "Published", Value: fieldValue(s.Published, maxPublishedShown), Inline: true},
		{Name: "Passages", Value: fmt.Sprint(s.PassageCount), Inline: true},
		{Name: "Added", Value: fmt.Sprintf("%s by %s", s.AddedAt.Format("2006-01-02 15:04 MST"), fieldValue(s.AddedBy, maxNameShown)), Inline: false},
		{Name: "Library", Value: scopeName(s.Scope), Inline: true},
		{Name: "Origin", Value: fieldValue(s.Origin, maxFieldValue), Inline: true},
		{Name: "SHA-256 of stored text", Value: "`" + truncate(s.SHA256, 64) + "`", Inline: false},
	}
	if !s.FetchedAt.IsZero() {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "Fetched", Value: s.FetchedAt.Format("2006-01-02 15:04 MST"), Inline: true})
	}
	if s.SnapshotSHA256 != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "Snapshot kept", Value: fmt.Sprintf("%s, %d bytes, SHA-256 `%s`",
			fieldValue(s.SnapshotType, maxTypeShown), s.SnapshotBytes, truncate(s.SnapshotSHA256, 64))})
	}
	if strings.TrimSpace(s.Author) != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "Author", Value: fieldValue(s.Author, maxNameShown), Inline: true})
	}
	if strings.TrimSpace(s.Note) != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "Note", Value: fieldValue(s.Note, maxFieldValue)})
	}
	return rendered{Embeds: []*discordgo.MessageEmbed{{
		Title:  plainField(s.Title, maxEmbedTitle),
		URL:    linkURL(s.URL),
		Color:  colourNote,
		Fields: fields,
		Footer: &discordgo.MessageEmbedFooter{Text: plainField("source "+s.ID, maxFooter)},
	}}}
}

// Characters of a /sources list line given to each part, escaped: with the
// id, date and the words between, a line is at most 256 characters, so that
// a page of 15 sources always fits in an embed's description.
const (
	listTitleShown  = 90
	listOutletShown = 40
	listDateShown   = 20
	listAdderShown  = 40
)

// listPart is s for a line of the source list: on one line, escaped, at most
// n characters.
func listPart(s string, n int) string { return truncate(escapeMarkdown(plainText(s)), n) }

// renderSourceList renders one page of /sources list.
func renderSourceList(infos []corpus.Info, page, perPage int) rendered {
	pages := max((len(infos)+perPage-1)/perPage, 1)
	page = min(max(page, 1), pages)
	if len(infos) == 0 {
		return rendered{Content: "The library is empty."}
	}
	var b strings.Builder
	n := 0
	for _, s := range infos[(page-1)*perPage : min(page*perPage, len(infos))] {
		line := fmt.Sprintf("`%s` **%s** — %s · %s · %s, added %s by %s\n", s.ID, listPart(s.Title, listTitleShown),
			listPart(orUnknownOutlet(s.Outlet), listOutletShown), listPart(orDash(s.Published), listDateShown), scopeName(s.Scope),
			s.AddedAt.Format("2006-01-02"), listPart(orDash(s.AddedBy), listAdderShown))
		if n += utf8.RuneCountInString(line); n > maxEmbedDescription-100 {
			break
		}
		b.WriteString(line)
	}
	return rendered{Embeds: []*discordgo.MessageEmbed{{
		Title:       fmt.Sprintf("Library — %d sources", len(infos)),
		Description: b.String(),
		Color:       colourNote,
		Footer:      &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("page %d of %d · /sources show id:… for one source", page, pages)},
	}}}
}

func scopeName(scope string) string {
	if scope == corpus.GlobalScope {
		return "global library"
	}
	return "this server"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
