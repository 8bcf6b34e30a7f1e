package bot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// closestOnly is a question that nothing in the seed library answers
// directly (under the default tuning its best candidate's confidence is
// about 0.4), though some passages come close: its no-answer has closest
// passages.
// closestOnly shares one word ("series") with one seed passage: a quote with
// one of three question words gets no confidence, so it is a no-answer with
// closest passages whatever the model.
const closestOnly = "who won the world series"

// buttons returns the buttons of a message.
func buttons(m discordtest.Message) []*discordgo.Button {
	var out []*discordgo.Button
	for _, row := range m.Components {
		for _, c := range row.(*discordgo.ActionsRow).Components {
			out = append(out, c.(*discordgo.Button))
		}
	}
	return out
}

// closestButtonOf returns the custom id of a message's Closest passages
// button, or "".
func closestButtonOf(m discordtest.Message) string {
	for _, b := range buttons(m) {
		if strings.HasPrefix(b.CustomID, closestButton.prefix+":") {
			return b.CustomID
		}
	}
	return ""
}

// shownPrivately reports whether a message, as Discord now shows it, is
// seen only by the member it answers: its flags as sent, or (an edit of a
// deferred reply) those of the message it edited.
func shownPrivately(m discordtest.Message) bool {
	return m.Ephemeral() || m.Result != nil && m.Result.Flags&discordgo.MessageFlagsEphemeral != 0
}

// sourceIDs are the ids of the sources an answer's embeds name.
func sourceIDs(m discordtest.Message) []string {
	var out []string
	for _, e := range m.Embeds {
		out = append(out, e.Footer.Text[strings.LastIndex(e.Footer.Text, "source ")+len("source "):])
	}
	return out
}

// assertClosest checks a reply of closest passages: private, under the
// label (in the message and in each embed and its footer), each passage
// verbatim, and the library's closest passages for q, in its order.
func (h *harness) assertClosest(m discordtest.Message, q string) {
	h.t.Helper()
	if !shownPrivately(m) {
		h.t.Error("the closest passages were shown publicly")
	}
	if !strings.HasPrefix(m.Content, "**"+labelClosest+".**") {
		h.t.Errorf("closest passages not under the label: %q", m.Content)
	}
	h.assertQuotesVerbatim(m)
	for _, e := range m.Embeds {
		if e.Author == nil || e.Author.Name != labelClosestEmbed || !strings.HasPrefix(e.Footer.Text, labelClosestFooter+" · ") || e.Color == colourQuote {
			h.t.Errorf("a closest passage is not labelled as one: author %+v, footer %q", e.Author, e.Footer.Text)
		}
	}
	res, err := h.lib.Ask(context.Background(), retrieval.Question{Text: q, Scope: guildA, K: 3})
	if err != nil {
		h.t.Fatal(err)
	}
	var want []string
	for _, a := range res.Closest {
		want = append(want, a.Source.ID)
	}
	if got := sourceIDs(m); !res.NoAnswer || len(want) == 0 || !slices.Equal(got, want) {
		h.t.Errorf("closest passages from %v; the library's closest are from %v (no answer: %v)", got, want, res.NoAnswer)
	}
	for _, b := range buttons(m) {
		if !strings.HasPrefix(b.CustomID, contextButton.prefix+":") {
			h.t.Errorf("closest passages carry a button other than Context: %+v", b)
		}
	}
}

// TestClosestPassages: a question nothing answers directly gets the plain
// no-answer with a Closest passages button; pressing it shows the closest
// passages to the presser only, under the label that they may not answer.
// An answered question, and a no-answer with nothing close, have no such
// button.
func TestClosestPassages(t *testing.T) {
	t.Parallel()
	h := start(t, generous)
	m := h.send(ask(inGuildA, closestOnly))
	id := closestButtonOf(m)
	if m.Content != msgNoDirectAnswer || len(m.Embeds) != 0 || len(buttons(m)) != 1 || id == "" || buttons(m)[0].Label != labelClosestButton {
		t.Fatalf("no-answer: %q, %d embeds, buttons %+v; want %q and one Closest passages button", m.Content, len(m.Embeds), buttons(m), msgNoDirectAnswer)
	}
	if shownPrivately(m) {
		t.Error("a public /ask's no-answer came privately")
	}
	checkGoldenReply(t, "no_answer_closest", m.Content, m.Embeds, m.Components)

	// Another member presses it: they alone see the passages.
	other := discordtest.InGuild(guildA, channelA, moderator, discordgo.PermissionViewChannel)
	press := discordtest.ButtonPress(other, m.Result, id)
	c := h.send(press)
	h.assertClosest(c, closestOnly)
	for _, d := range h.fake.Messages() {
		if d.InteractionID == press.ID && !shownPrivately(d) {
			t.Errorf("a public %s for the closest passages", d.Kind)
		}
	}
	checkGoldenReply(t, "closest_passages", c.Content, c.Embeds, c.Components)

	// A Context button of a closest passage works as an answer's does.
	ctx := h.send(discordtest.ButtonPress(other, c.Result, buttons(c)[0].CustomID))
	if len(ctx.Embeds) != 1 || !strings.Contains(ctx.Embeds[0].Description, "**") || !shownPrivately(ctx) {
		t.Errorf("context of a closest passage: %q %+v", ctx.Content, ctx.Embeds)
	}

	// Pressed in another server, or forged: expired.
	for _, r := range []discordtest.Message{
		h.send(discordtest.ButtonPress(inGuildB, m.Result, id)),
		h.send(discordtest.ButtonPress(inGuildA, m.Result, closestButton.prefix+":NOSUCHTOKEN")),
		h.send(discordtest.ButtonPress(inGuildA, m.Result, closestButton.prefix+":"+strings.Split(id, ":")[1]+":1")),
	} {
		if r.Content != msgExpired || len(r.Embeds) != 0 {
			t.Errorf("a Closest passages button from elsewhere or forged: %q, %d embeds", r.Content, len(r.Embeds))
		}
	}

	// The same by a mention and by Find sources: the button is on the
	// public reply, the passages private to whoever presses.
	for _, w := range []way{viaMention, viaFindSources} {
		r := h.askVia(w, closestOnly)
		id := closestButtonOf(r)
		if r.Content != msgNoDirectAnswer || id == "" {
			t.Errorf("%s: %q, buttons %+v", w, r.Content, buttons(r))
			continue
		}
		h.assertClosest(h.send(discordtest.ButtonPress(other, r.Result, id)), closestOnly)
	}

	// No such button on an answer, with or without More, nor on a
	// no-answer with nothing close.
	for _, q := range []string{manyAnswers, "When was Robert Mueller appointed special counsel?", "What is the capital of Australia?"} {
		r := h.send(ask(inGuildA, q))
		if id := closestButtonOf(r); id != "" {
			t.Errorf("%q: a Closest passages button (%s) on %q with %d embeds", q, id, r.Content, len(r.Embeds))
		}
		if len(r.Embeds) == 0 && r.Content != msgNoAnswer {
			t.Errorf("%q: %q", q, r.Content)
		}
	}
	h.fake.AssertClean(t)
}
