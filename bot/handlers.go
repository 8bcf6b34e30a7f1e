package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// Time limits of the work behind one interaction. Discord's interaction
// token lasts 15 minutes; nothing here comes near it.
const (
	askTimeout = 20 * time.Second
	addTimeout = 60 * time.Second
)

// What members see when something fails on our side. The cause goes to the
// operator's log, with the interaction id.
const (
	msgInternal = "Something went wrong on Verbatim's side; please try again later."
	msgStopping = "Verbatim is restarting; please try again in a minute."
	msgNotMod   = "Only moderators (Manage Messages, Manage Server or Administrator, or a moderator role) can change this server's library."
	msgExpired  = "This answer has expired; please ask again."
	msgGone     = "That source is no longer in the library."
)

// onInteraction dispatches every interaction. Events with missing fields
// (no member and no user, no data) are logged and ignored.
func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil {
		return
	}
	i := ic.Interaction
	if userOf(i) == nil {
		b.log.Warn("interaction without a user", "interaction", i.ID)
		return
	}
	ran := b.track(func() {
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("handler panicked", "interaction", i.ID, "panic", r)
				b.replyEphemeral(i, msgInternal)
			}
		}()
		switch i.Type {
		case discordgo.InteractionApplicationCommand:
			b.onCommand(i)
		case discordgo.InteractionApplicationCommandAutocomplete:
			b.onAutocomplete(i)
		case discordgo.InteractionMessageComponent:
			b.onComponent(i)
		case discordgo.InteractionModalSubmit:
			b.onModal(i)
		}
	})
	if !ran && i.Type != discordgo.InteractionApplicationCommandAutocomplete {
		b.replyEphemeral(i, msgStopping)
	}
}

func (b *Bot) onCommand(i *discordgo.Interaction) {
	data := i.ApplicationCommandData()
	switch data.Name {
	case cmdAsk:
		b.handleAsk(i, data)
	case cmdFindSources:
		b.handleFindSources(i, data)
	case cmdSources:
		b.handleSources(i, data)
	case cmdLibrary:
		b.handleLibrary(i, data)
	default:
		b.log.Warn("unknown command", "interaction", i.ID, "command", data.Name)
		b.replyEphemeral(i, "That command is not known to this version of Verbatim.")
	}
}

// userOf returns who caused an interaction: the member's user in a server,
// the user in a DM, or nil.
func userOf(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// scopeOf is whose library an interaction sees: its server's, or in a DM
// the global library only.
func scopeOf(guildID string) string {
	if guildID == "" {
		return corpus.GlobalScope
	}
	return guildID
}

// isModerator checks, on the bot's side, whether the member may curate the
// library: Manage Messages, Manage Server or Administrator in this channel
// (as Discord computed them for this interaction), or a configured role.
func (b *Bot) isModerator(i *discordgo.Interaction) bool {
	if i.GuildID == "" || i.Member == nil {
		return false
	}
	if i.Member.Permissions&moderatorPermissions != 0 {
		return true
	}
	for _, r := range i.Member.Roles {
		for _, m := range b.cfg.ModeratorRoles {
			if r == m {
				return true
			}
		}
	}
	return false
}

// options maps the options of a command (or subcommand) by name.
func options(opts []*discordgo.ApplicationCommandInteractionDataOption) map[string]*discordgo.ApplicationCommandInteractionDataOption {
	m := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range opts {
		if o != nil {
			m[o.Name] = o
		}
	}
	return m
}

func optString(m map[string]*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	if o, ok := m[name]; ok {
		if s, ok := o.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func optBool(m map[string]*discordgo.ApplicationCommandInteractionDataOption, name string) bool {
	if o, ok := m[name]; ok {
		if v, ok := o.Value.(bool); ok {
			return v
		}
	}
	return false
}

func optInt(m map[string]*discordgo.ApplicationCommandInteractionDataOption, name string, def int) int {
	if o, ok := m[name]; ok {
		if v, ok := o.Value.(float64); ok {
			return int(v)
		}
	}
	return def
}

// ---- asking ----

// handleAsk answers /ask: defer (answers may take a moment), answer, edit.
func (b *Bot) handleAsk(i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	opts := options(data.Options)
	q := retrieval.Question{
		Text:   optString(opts, "question"),
		Scope:  scopeOf(i.GuildID),
		Outlet: optString(opts, "outlet"),
		After:  optString(opts, "after"),
		Before: optString(opts, "before"),
		K:      b.cfg.MaxQuotes,
	}
	if !b.allowAsk(i) {
		return
	}
	private := optBool(opts, "private")
	if !b.deferReply(i, private) {
		return
	}
	b.answerInto(i, q, func(r rendered) error { return b.editReply(i, r) })
}

// handleFindSources answers the "Find sources" message command: the
// message's text is the question, and the answer replies to that message.
func (b *Bot) handleFindSources(i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	var target *discordgo.Message
	if data.Resolved != nil {
		target = data.Resolved.Messages[data.TargetID]
	}
	if target == nil || strings.TrimSpace(target.Content) == "" {
		b.replyEphemeral(i, "That message has no text to find sources for.")
		return
	}
	if !b.allowAsk(i) {
		return
	}
	if !b.deferReply(i, true) {
		return
	}
	q := retrieval.Question{Text: questionFromText(target.Content), Scope: scopeOf(i.GuildID), K: b.cfg.MaxQuotes}
	b.answerInto(i, q, func(r rendered) error {
		err := b.sendReply(target.ChannelID, target.ID, i.GuildID, r)
		if err != nil {
			// Cannot post in the channel (permissions): show it to the asker.
			b.log.Warn("could not reply to the message; answering privately", "interaction", i.ID, "err", err)
			return b.editReply(i, r)
		}
		return b.editReply(i, rendered{Content: "Sources posted as a reply to that message."})
	})
}

// questionFromText makes a question of a message: at most the longest
// question the library takes, cut at a word boundary.
func questionFromText(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= retrieval.MaxQuestionRunes {
		return s
	}
	cut := string(r[:retrieval.MaxQuestionRunes])
	if i := strings.LastIndexAny(cut, " \n\t"); i > 0 {
		cut = cut[:i]
	}
	return cut
}

// answer asks the library and renders the result: the quotes (with a More
// button when there are more), the no-answer sentence, or what was wrong
// with the question. Other errors become msgInternal, with the cause in the
// log under logKey (the interaction or message id).
func (b *Bot) answer(q retrieval.Question, logKey ...any) rendered {
	ctx, cancel := context.WithTimeout(b.ctx, askTimeout)
	defer cancel()
	start := time.Now()
	res, err := b.lib.Ask(ctx, q)
	b.metrics.AnswerLatency.Observe(time.Since(start).Seconds())
	switch {
	case err != nil && questionError(err):
		return rendered{Content: userMessage(err)}
	case err != nil:
		b.log.Error("answering failed", append(logKey, "err", err)...)
		return rendered{Content: msgInternal}
	}
	if res.NoAnswer || len(res.Answers) == 0 {
		b.metrics.NoAnswers.Inc()
	} else {
		b.metrics.Answers.Inc()
	}
	more := ""
	if res.More {
		next := q
		next.Skip = q.Skip + len(res.Answers)
		more = moreID(b.pending.put(next), next.Skip)
	}
	return renderAnswers(res, more)
}

// answerInto answers q and sends the rendering with send.
func (b *Bot) answerInto(i *discordgo.Interaction, q retrieval.Question, send func(rendered) error) {
	if err := send(b.answer(q, "interaction", i.ID)); err != nil {
		b.log.Error("sending the answer failed", "interaction", i.ID, "err", err)
	}
}

// questionError reports whether err is about the question itself, with text
// fit for the asker.
func questionError(err error) bool {
	return errors.Is(err, retrieval.ErrEmptyQuestion) || errors.Is(err, retrieval.ErrQuestionTooLong) ||
		errors.Is(err, retrieval.ErrNoWords) || errors.Is(err, retrieval.ErrBadFilter)
}

// userMessage turns an error about the question into a sentence.
func userMessage(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, retrieval.ErrBadFilter.Error()+": ")
	if msg == "" {
		return msgInternal
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

// allowAsk applies the per-member and per-server rate limits; a refused
// member is told privately when to try again.
func (b *Bot) allowAsk(i *discordgo.Interaction) bool {
	wait, ok := b.limits.allow(userOf(i).ID, i.GuildID)
	if ok {
		return true
	}
	b.metrics.Refusals.WithLabelValues("rate_limit").Inc()
	b.replyEphemeral(i, retryMessage(wait))
	return false
}

func retryMessage(wait time.Duration) string {
	secs := int(wait.Seconds() + 0.999)
	return fmt.Sprintf("You're asking faster than Verbatim answers; please try again in %d s.", max(secs, 1))
}

// ---- mentions ----

// onMessage answers a message that mentions the bot, as a reply to it. It
// needs no privileged intent: Discord sends the content of messages that
// mention the bot.
func (b *Bot) onMessage(s *discordgo.Session, m *discordgo.MessageCreate) {
	if m == nil || m.Message == nil || m.Author == nil || m.Author.Bot {
		return
	}
	user, _ := b.identity()
	me := user.ID
	if me == "" {
		return
	}
	mentioned := false
	for _, u := range m.Mentions {
		if u != nil && u.ID == me {
			mentioned = true
		}
	}
	if !mentioned {
		return
	}
	b.track(func() {
		q := strings.NewReplacer("<@"+me+">", " ", "<@!"+me+">", " ").Replace(m.Content)
		q = questionFromText(q)
		reply := func(r rendered) {
			if err := b.sendReply(m.ChannelID, m.ID, m.GuildID, r); err != nil {
				b.log.Error("replying to a mention failed", "message", m.ID, "err", err)
			}
		}
		if q == "" {
			reply(rendered{Content: "Ask me a question after the mention, for example: did Russia interfere in the 2020 election?"})
			return
		}
		if wait, ok := b.limits.allow(m.Author.ID, m.GuildID); !ok {
			b.metrics.Refusals.WithLabelValues("rate_limit").Inc()
			b.tellPrivately(m.Author.ID, retryMessage(wait), "message", m.ID)
			return
		}
		reply(b.answer(retrieval.Question{Text: q, Scope: scopeOf(m.GuildID), K: b.cfg.MaxQuotes}, "message", m.ID))
	})
}

// sendReply posts r in a channel as a reply to message messageID.
func (b *Bot) sendReply(channelID, messageID, guildID string, r rendered) error {
	return withRetry(b.ctx, b.cfg.retryDelays, func() error {
		_, err := b.session.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content: r.Content, Embeds: r.Embeds, Components: r.Components,
			Reference:       &discordgo.MessageReference{MessageID: messageID, ChannelID: channelID, GuildID: guildID, FailIfNotExists: new(bool)},
			AllowedMentions: noMentions(),
		}, discordgo.WithContext(b.ctx))
		return err
	})
}

// tellPrivately sends a user a direct message, each step again after a
// server error as answers are; failures are only logged, under logKey (the
// message the user sent).
func (b *Bot) tellPrivately(userID, text string, logKey ...any) {
	var ch *discordgo.Channel
	err := withRetry(b.ctx, b.cfg.retryDelays, func() (err error) {
		ch, err = b.session.UserChannelCreate(userID, discordgo.WithContext(b.ctx))
		return err
	})
	if err == nil {
		err = withRetry(b.ctx, b.cfg.retryDelays, func() error {
			_, err := b.session.ChannelMessageSendComplex(ch.ID, &discordgo.MessageSend{Content: text, AllowedMentions: noMentions()}, discordgo.WithContext(b.ctx))
			return err
		})
	}
	if err != nil {
		b.log.Error("could not message a member privately", append(logKey, "user", userID, "err", err)...)
	}
}

// ---- buttons ----

// Custom-id prefixes of buttons.
const (
	idContext      = "ctx"
	idMore         = "more"
	idRemove       = "rm"
	idRemoveCancel = "rmcancel"
)

func moreID(token string, skip int) string { return fmt.Sprintf("%s:%s:%d", idMore, token, skip) }

// onComponent handles button presses. Every custom_id is parsed strictly; a
// forged or stale one gets a plain "expired" or "no longer" message.
func (b *Bot) onComponent(i *discordgo.Interaction) {
	id := i.MessageComponentData().CustomID
	parts := strings.Split(id, ":")
	switch parts[0] {
	case idContext:
		b.handleContext(i, parts)
	case idMore:
		b.handleMore(i, parts)
	case idRemove:
		b.handleRemoveConfirm(i, parts)
	case idRemoveCancel:
		b.updateMessage(i, rendered{Content: "Kept: nothing was removed."})
	default:
		b.log.Warn("unknown button", "interaction", i.ID, "custom_id", id)
		b.replyEphemeral(i, msgExpired)
	}
}

// handleContext shows the paragraph around a quote to whoever pressed.
func (b *Bot) handleContext(i *discordgo.Interaction, parts []string) {
	if len(parts) != 4 {
		b.replyEphemeral(i, msgExpired)
		return
	}
	start, err1 := strconv.Atoi(parts[2])
	end, err2 := strconv.Atoi(parts[3])
	if err1 != nil || err2 != nil {
		b.replyEphemeral(i, msgExpired)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, askTimeout)
	defer cancel()
	src, err := b.lib.Get(ctx, parts[1], scopeOf(i.GuildID))
	if errors.Is(err, corpus.ErrNotFound) {
		b.replyEphemeral(i, msgGone)
		return
	}
	if err != nil {
		b.log.Error("reading a source for context failed", "interaction", i.ID, "err", err)
		b.replyEphemeral(i, msgInternal)
		return
	}
	r, err := renderContext(src, start, end)
	if err != nil {
		b.log.Warn("context button with a bad span", "interaction", i.ID, "err", err)
		b.replyEphemeral(i, msgExpired)
		return
	}
	b.respond(i, discordgo.InteractionResponseChannelMessageWithSource, r, true)
}

// handleMore shows the next quotes of an earlier question to whoever pressed.
func (b *Bot) handleMore(i *discordgo.Interaction, parts []string) {
	if len(parts) != 3 {
		b.replyEphemeral(i, msgExpired)
		return
	}
	q, ok := b.pending.get(parts[1])
	skip, err := strconv.Atoi(parts[2])
	if !ok || err != nil || skip != q.Skip || q.Scope != scopeOf(i.GuildID) {
		b.replyEphemeral(i, msgExpired)
		return
	}
	if !b.allowAsk(i) {
		return
	}
	if !b.deferReply(i, true) {
		return
	}
	b.answerInto(i, q, func(r rendered) error { return b.editReply(i, r) })
}

// ---- Discord plumbing ----

// respond sends an interaction response of the given type.
func (b *Bot) respond(i *discordgo.Interaction, typ discordgo.InteractionResponseType, r rendered, private bool) bool {
	data := &discordgo.InteractionResponseData{
		Content: r.Content, Embeds: r.Embeds, Components: r.Components, AllowedMentions: noMentions(),
	}
	if private {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	err := withRetry(b.ctx, b.cfg.retryDelays, func() error {
		return b.interactionRespond(i, &discordgo.InteractionResponse{Type: typ, Data: data})
	})
	if err != nil {
		b.log.Error("responding to an interaction failed", "interaction", i.ID, "err", err)
		return false
	}
	return true
}

// callbackBuckets is how many rate-limit buckets interaction callbacks share.
const callbackBuckets = 16

// interactionRespond sends an interaction's callback, as
// Session.InteractionRespond does (for responses without files), but in one
// of callbackBuckets rate-limit buckets. discordgo keys the bucket by the
// callback's URL — the interaction's id and token — and never frees a
// bucket, so InteractionRespond keeps a few hundred bytes for every
// interaction the bot ever answers.
func (b *Bot) interactionRespond(i *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	h := fnv.New32a()
	_, _ = h.Write([]byte(i.ID)) // a hash never fails to write
	bucket := fmt.Sprintf("interaction callbacks %d", h.Sum32()%callbackBuckets)
	_, err := b.session.RequestWithBucketID(http.MethodPost, discordgo.EndpointInteractionResponse(i.ID, i.Token), resp, bucket, discordgo.WithContext(b.ctx))
	return err
}

// replyEphemeral answers an interaction with a short private sentence.
func (b *Bot) replyEphemeral(i *discordgo.Interaction, text string) {
	b.respond(i, discordgo.InteractionResponseChannelMessageWithSource, rendered{Content: text}, true)
}

// deferReply acknowledges an interaction now ("thinking…"); the answer
// comes with editReply.
func (b *Bot) deferReply(i *discordgo.Interaction, private bool) bool {
	data := &discordgo.InteractionResponseData{}
	if private {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	err := withRetry(b.ctx, b.cfg.retryDelays, func() error {
		return b.interactionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data})
	})
	if err != nil {
		b.log.Error("acknowledging an interaction failed", "interaction", i.ID, "err", err)
		return false
	}
	return true
}

// editReply replaces the deferred reply with the rendered message.
func (b *Bot) editReply(i *discordgo.Interaction, r rendered) error {
	content := r.Content
	embeds := r.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	comps := r.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	err := withRetry(b.ctx, b.cfg.retryDelays, func() error {
		_, err := b.session.InteractionResponseEdit(i, &discordgo.WebhookEdit{
			Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions(),
		}, discordgo.WithContext(b.ctx))
		return err
	})
	if err != nil {
		return fmt.Errorf("editing the reply: %w", err)
	}
	return nil
}

// updateMessage replaces the message a button is on.
func (b *Bot) updateMessage(i *discordgo.Interaction, r rendered) {
	if r.Components == nil {
		r.Components = []discordgo.MessageComponent{}
	}
	b.respond(i, discordgo.InteractionResponseUpdateMessage, r, false)
}
