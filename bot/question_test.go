package bot

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/usererr"
)

// way is one of the three ways a member asks: /ask, a mention of the bot,
// and Find sources on a message.
type way string

const (
	viaAsk         way = "/ask"
	viaMention     way = "mention"
	viaFindSources way = "Find sources"
)

var ways = []way{viaAsk, viaMention, viaFindSources}

// targetIDs numbers the messages Find sources is used on.
var targetIDs atomic.Int64

// msgMentionHelp starts what a mention without a question is told.
const msgMentionHelp = "Ask me a question after the mention"

// askVia asks text the given way, in guild A as member, and returns the
// message the member reads: the answer (the edited reply of /ask, the reply
// to the message of a mention or of Find sources), or the refusal.
func (h *harness) askVia(w way, text string) discordtest.Message {
	h.t.Helper()
	switch w {
	case viaAsk:
		return h.send(ask(inGuildA, text))
	case viaMention:
		bot := h.fake.BotUser()
		msg := discordtest.UserMessage(guildA, channelA, member, "<@"+bot.ID+"> "+text)
		msg.Mentions = []*discordgo.User{&bot}
		if err := h.fake.DispatchMessage(msg); err != nil {
			h.t.Fatal(err)
		}
		return h.waitMessage(func(m discordtest.Message) bool {
			return m.Kind == discordtest.KindChannelMessage && m.Reference != nil && m.Reference.MessageID == msg.ID
		})
	case viaFindSources:
		target := discordtest.UserMessage(guildA, channelA, member, text)
		target.ID = fmt.Sprint(556000000000000000 + targetIDs.Add(1))
		m := h.send(discordtest.MessageCommand(inGuildA, cmdFindSources, target))
		if m.Content != "Sources posted as a reply to that message." {
			return m // refused, or answered privately
		}
		return h.waitMessage(func(m discordtest.Message) bool {
			return m.Kind == discordtest.KindChannelMessage && m.Reference != nil && m.Reference.MessageID == target.ID
		})
	}
	h.t.Fatalf("no way %q", w)
	return discordtest.Message{}
}

// quotesOf is what an answer shows of each quote: its text and where it is
// from.
func quotesOf(m discordtest.Message) []string {
	var out []string
	for _, e := range m.Embeds {
		out = append(out, e.Description+"\n"+e.Footer.Text)
	}
	return out
}

// generous lets one member ask as often as a test needs.
var generous = Config{MemberPerMinute: 6000, MemberBurst: 1000, GuildPerMinute: 6000, GuildBurst: 1000}

// TestMarkupIsNotAQuestion asks with every form of Discord markup, each of
// /ask, a mention and Find sources. Markup alone is not a question (though
// its names are words the library knows: an emoji called "election", a link
// to ".../russia-election-interference"), and markup around a question
// changes nothing of its answer.
func TestMarkupIsNotAQuestion(t *testing.T) {
	t.Parallel()
	h := start(t, generous)
	const plain = "Did Mueller find that Trump colluded with Russia?"
	forms := []struct{ name, alone, around string }{
		{"@everyone", "@everyone", "@everyone " + plain},
		{"@here", "@here", plain + " @here"},
		{"user", "<@300000000000000002>", "<@300000000000000002> " + plain},
		{"user, nickname form", "<@!300000000000000002>", plain + " <@!300000000000000002>"},
		{"role", "<@&400000000000000001>", "<@&400000000000000001> " + plain},
		{"channel", "<#200000000000000002>", plain + " <#200000000000000002>"},
		{"custom emoji", "<:election:500000000000000001>", "<:election:500000000000000001> " + plain},
		{"animated emoji", "<a:russia:500000000000000002>", plain + " <a:russia:500000000000000002>"},
		{"timestamp", "<t:1618953630>", "<t:1618953630> " + plain},
		{"styled timestamp", "<t:1618953630:R>", plain + " <t:1618953630:R>"},
		{"link", "https://example.org/2021/russia-election-interference?mueller=1", plain + " https://example.org/2021/russia-election-interference"},
		{"markdown", "```\nRussia election interference\n```", "> **Did Mueller** find that ~~Trump~~ __colluded__ with ||Russia||?"},
		{"all at once", "@everyone <@&400000000000000001> <#200000000000000002> <:election:500000000000000001> <t:1618953630:R> https://example.org/mueller",
			"@here <@300000000000000002> " + plain + " <a:russia:500000000000000002> <t:1618953630> www.example.org/russia"},
	}
	refusal := map[way]string{
		viaAsk:         usererr.MessageOf(errOnlyMarkup),
		viaMention:     msgMentionHelp,
		viaFindSources: "That message has no text to find sources for.",
	}
	want := quotesOf(h.askVia(viaAsk, plain))
	if len(want) == 0 {
		t.Fatalf("%q has no answer to compare with", plain)
	}
	for _, f := range forms {
		for _, w := range ways {
			t.Run(fmt.Sprintf("%s/%s", f.name, w), func(t *testing.T) {
				if m := h.askVia(w, f.alone); !strings.HasPrefix(m.Content, refusal[w]) || len(m.Embeds) != 0 {
					t.Errorf("%q alone: %q with %d embeds; want %q", f.alone, m.Content, len(m.Embeds), refusal[w])
				}
				m := h.askVia(w, f.around)
				if got := quotesOf(m); strings.Join(got, "\n\n") != strings.Join(want, "\n\n") {
					t.Errorf("%q: the answer differs from that of the question alone:\n%q\nwant\n%q", f.around, got, want)
				}
			})
		}
	}
}

// answeredOrPlainNo checks that m is an answer (verbatim quotes) or a
// plain no-answer sentence (with its Closest passages button when it says
// no quote answers directly), and that nothing was logged as an error.
func (h *harness) answeredOrPlainNo(what string, m discordtest.Message) {
	h.t.Helper()
	switch {
	case len(m.Embeds) > 0:
		h.assertQuotesVerbatim(m)
	case m.Content == msgNoAnswer && len(m.Components) == 0:
	case m.Content == msgNoDirectAnswer && closestButtonOf(m) != "" && len(buttons(m)) == 1:
	default:
		h.t.Errorf("%s: %q, %d buttons; want an answer or %q or %q", what, m.Content, len(buttons(m)), msgNoAnswer, msgNoDirectAnswer)
	}
	for _, r := range h.logRecords() {
		if r["level"] == "ERROR" {
			h.t.Errorf("%s: error logged: %v", what, r)
		}
	}
}

// TestLongQuestionsAreAnswered asks long questions each way: the longest
// the library takes, a message of about 150 words, one word said 90 times,
// and a message longer than the library takes (cut to its first 1,000
// characters, /ask's too: Discord holds /ask to 500, a Discord-compatible
// server may not). Each gets an answer or the plain no-answer, never an error.
func TestLongQuestionsAreAnswered(t *testing.T) {
	t.Parallel()
	h := start(t, generous)
	sentence := "Did Robert Mueller find that the Russian government interfered in the 2016 election, and what did the Kremlin say? "
	fill := func(n int) string {
		s := strings.Repeat(sentence, n/len(sentence)+1)[:n]
		return s[:n-1] + "?" // not a space at the end, so not trimmed
	}
	words150 := "My uncle keeps telling everyone at dinner that the whole story about Russia and the election was invented by reporters, " +
		"and that no investigator ever found anything at all, so I would like to settle it with real sources this time. " +
		"What did the special counsel actually conclude about contacts between the campaign and Moscow, did the Senate committee agree, " +
		"what did the intelligence agencies say about hacking and social media, how did the Kremlin and the Foreign Ministry respond, " +
		"were there sanctions afterwards, which diplomats were expelled, and did anything similar happen again in 2020 " +
		"according to the reports that came out later that year? Please quote the articles directly so he can read them himself, " +
		"because he says he trusts no summary and wants the exact words of the people who said them, with the dates and the names of the papers."
	if n := len(strings.Fields(words150)); n < 140 || len(words150) >= 1000 {
		t.Fatalf("the 150-word message has %d words and %d characters", n, len(words150))
	}
	questions := map[string]string{
		"1,000 characters":     fill(1000),
		"about 150 words":      words150,
		"90 times one word":    strings.TrimSpace(strings.Repeat("election ", 90)),
		"1,500 characters":     fill(1500),
		"90 times a stop word": strings.TrimSpace(strings.Repeat("the ", 90)),
	}
	for name, q := range questions {
		for _, w := range ways {
			h.answeredOrPlainNo(fmt.Sprintf("%s via %s", name, w), h.askVia(w, q))
		}
	}
}
