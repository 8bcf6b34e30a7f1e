package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/question"
	"github.com/verbatim-bot/verbatim/retrieval"
	"github.com/verbatim-bot/verbatim/usererr"
)

// Asking: /ask, the "Find sources" message command and mentions of the bot.
// All three ask the library the same way (answer) and are rate limited
// together; More (buttons.go) asks for the next quotes.

// ask answers /ask in the deferred reply (routes: rate limited, deferred
// publicly unless the member asked for privacy).
func (b *Bot) ask(r *request) error {
	return b.answerReply(r, retrieval.Question{
		Text:   r.optString("question"),
		Scope:  scopeOf(r.i.GuildID),
		Outlet: r.optString("outlet"),
		After:  r.optString("after"),
		Before: r.optString("before"),
		K:      b.cfg.MaxQuotes,
	})
}

// findSources answers the "Find sources" message command: the message's
// text is the question, and the answer replies to that message, publicly;
// the member who asked is told so privately (routes: a message with text,
// rate limited, deferred privately).
func (b *Bot) findSources(r *request) error {
	target := targetMessage(r.i)
	if target == nil {
		return errors.New("find sources: no target message (the route lacks withTargetText)")
	}
	m, err := b.answer(r.ctx, retrieval.Question{Text: target.Content, Scope: scopeOf(r.i.GuildID), K: b.cfg.MaxQuotes})
	if err != nil {
		return err
	}
	if err := b.sendReply(r.ctx, target.ChannelID, target.ID, r.i.GuildID, m); err != nil {
		// Cannot post in the channel (permissions): show it to the asker.
		b.log.Warn("could not reply to the message; answering privately", "interaction", r.i.ID, "err", err)
		return b.reply(r, m)
	}
	return b.reply(r, rendered{Content: "Sources posted as a reply to that message."})
}

// answerReply answers q as the request's reply.
func (b *Bot) answerReply(r *request, q retrieval.Question) error {
	m, err := b.answer(r.ctx, q)
	if err != nil {
		return err
	}
	return b.reply(r, m)
}

// answer asks the library and renders the result: the quotes (with a More
// button when there are more), or the no-answer sentence (with a Closest
// passages button when the library has passages close to the question,
// which are not an answer). What was wrong with the question is an error (a
// user error once toUserError has seen it).
func (b *Bot) answer(ctx context.Context, q retrieval.Question) (rendered, error) {
	q, res, err := b.lookUp(ctx, q)
	if err != nil {
		return rendered{}, err
	}
	if res.NoAnswer || len(res.Answers) == 0 {
		b.metrics.NoAnswers.Inc()
	} else {
		b.metrics.Answers.Inc()
	}
	more, closest := "", ""
	if res.More {
		next := q
		next.Skip = q.Skip + len(res.Answers)
		more = moreButton.format(moreArgs{Token: b.pending.put(next), Skip: next.Skip})
	}
	if res.NoAnswer && len(res.Closest) > 0 {
		closest = closestButton.format(closestArgs{Token: b.pending.put(q)})
	}
	return renderLinkedAnswers(res, more, closest, b.lib.QuoteLinks(ctx, res.Answers, q.Scope, maxEmbedURL)), nil
}

// lookUp asks the library q and returns q as asked, with its result. q.Text
// is what the member typed; lookUp reads the question out of it
// (questionOf), so that /ask, Find sources, mentions and the buttons that
// ask again all ask with the same words.
func (b *Bot) lookUp(ctx context.Context, q retrieval.Question) (retrieval.Question, retrieval.Result, error) {
	typed := q.Text
	if q.Text = questionOf(typed); q.Text == "" && strings.TrimSpace(typed) != "" {
		return q, retrieval.Result{}, errOnlyMarkup
	}
	ctx, cancel := context.WithTimeout(ctx, askTimeout)
	defer cancel()
	start := time.Now()
	res, err := b.lib.Ask(ctx, q)
	b.metrics.AnswerLatency.Observe(time.Since(start).Seconds())
	if err != nil {
		return q, retrieval.Result{}, failed("answering", err)
	}
	return q, res, nil
}

// questionOf reads the question out of what a member typed: Discord's
// markup (mentions of members, roles and channels, @everyone and @here,
// custom emoji, timestamps), links and Markdown are taken out
// (question.Clean), and a message longer than the library takes is cut at a
// word boundary to its first retrieval.MaxQuestionRunes characters
// (question.Cut). It is "" when nothing but markup was typed. Every way of
// asking goes through it (see lookUp), so markup never counts as a word of
// a question.
func questionOf(typed string) string {
	return question.Cut(question.Clean(typed), retrieval.MaxQuestionRunes)
}

// errOnlyMarkup refuses a question that had text but no words once its
// markup was taken out (only a link, mentions or emoji).
var errOnlyMarkup = usererr.New(usererr.Invalid, "That has no words to look for once mentions, links, emoji and formatting are taken out: ask it in words.")

// onMessage answers a message that mentions the bot, as a reply to it. It
// needs no privileged intent: Discord sends the content of messages that
// mention the bot. A member over the rate limit is told by DM.
func (b *Bot) onMessage(s *discordgo.Session, m *discordgo.MessageCreate) {
	if m == nil || m.Message == nil || m.Author == nil || m.Author.Bot || !b.cfg.Shards.Owns(m.GuildID) {
		return
	}
	user, _ := b.identity()
	me := user.ID
	if me == "" || !mentions(m.Message, me) {
		return
	}
	b.track(func() {
		ctx := b.ctx
		reply := func(r rendered) {
			if err := b.sendReply(ctx, m.ChannelID, m.ID, m.GuildID, r); err != nil {
				b.log.Error("replying to a mention failed", "message", m.ID, "err", err)
			}
		}
		if questionOf(m.Content) == "" {
			reply(rendered{Content: "Ask me a question after the mention, for example: did Russia interfere in the 2020 election?"})
			return
		}
		if wait, ok := b.limits.allow(m.Author.ID, m.GuildID); !ok {
			b.metrics.Refusals.WithLabelValues("rate_limit").Inc()
			b.tellPrivately(ctx, m.Author.ID, retryMessage(wait), "message", m.ID)
			return
		}
		answer, err := b.answer(ctx, retrieval.Question{Text: m.Content, Scope: scopeOf(m.GuildID), K: b.cfg.MaxQuotes})
		if err != nil {
			answer = rendered{Content: b.explain(ctx, err, "mention", "message", m.ID)}
		}
		reply(answer)
	})
}

// mentions reports whether m mentions the user userID.
func mentions(m *discordgo.Message, userID string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == userID {
			return true
		}
	}
	return false
}
