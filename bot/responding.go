package bot

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// The Discord plumbing: every way the bot answers. Each call is tried again
// after a server error (withRetry) and sends no allowed mentions.

// reply answers a request with m as the request is answered (see
// replyMode): by editing the deferred reply, by replacing the pressed
// button's message, or with a new private message. Its error is unsent: the
// member could not be reached.
func (b *Bot) reply(r *request, m rendered) error {
	switch r.mode {
	case replyEdit:
		if err := b.editReply(r.ctx, r.i, m); err != nil {
			return unsent("sending the answer", err)
		}
	case replyUpdate:
		if m.Components == nil {
			m.Components = []discordgo.MessageComponent{}
		}
		if err := b.respond(r.ctx, r.i, discordgo.InteractionResponseUpdateMessage, m, false); err != nil {
			return unsent("responding to an interaction", err)
		}
	default:
		if err := b.respond(r.ctx, r.i, discordgo.InteractionResponseChannelMessageWithSource, m, true); err != nil {
			return unsent("responding to an interaction", err)
		}
	}
	return nil
}

// respond sends an interaction response of the given type.
func (b *Bot) respond(ctx context.Context, i *discordgo.Interaction, typ discordgo.InteractionResponseType, m rendered, private bool) error {
	data := &discordgo.InteractionResponseData{
		Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions(),
	}
	if private {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return withRetry(ctx, b.cfg.retryDelays, func() error {
		return b.interactionRespond(ctx, i, &discordgo.InteractionResponse{Type: typ, Data: data})
	})
}

// deferReply acknowledges an interaction now ("thinking…"); the answer
// comes with editReply.
func (b *Bot) deferReply(ctx context.Context, i *discordgo.Interaction, private bool) error {
	data := &discordgo.InteractionResponseData{}
	if private {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return withRetry(ctx, b.cfg.retryDelays, func() error {
		return b.interactionRespond(ctx, i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data})
	})
}

// editReply replaces the deferred reply with m.
func (b *Bot) editReply(ctx context.Context, i *discordgo.Interaction, m rendered) error {
	content := m.Content
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	comps := m.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	err := withRetry(ctx, b.cfg.retryDelays, func() error {
		_, err := b.session.InteractionResponseEdit(i, &discordgo.WebhookEdit{
			Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return fmt.Errorf("editing the reply: %w", err)
	}
	return nil
}

// callbackBuckets is how many rate-limit buckets interaction callbacks share.
const callbackBuckets = 16

// interactionRespond sends an interaction's callback, as
// Session.InteractionRespond does (for responses without files), but in one
// of callbackBuckets rate-limit buckets. discordgo keys the bucket by the
// callback's URL — the interaction's id and token — and never frees a
// bucket, so InteractionRespond keeps a few hundred bytes for every
// interaction the bot ever answers.
//
// resp is a *discordgo.InteractionResponse, or another body of the same
// shape (choicesResponse).
func (b *Bot) interactionRespond(ctx context.Context, i *discordgo.Interaction, resp any) error {
	h := fnv.New32a()
	_, _ = h.Write([]byte(i.ID)) // a hash never fails to write
	bucket := fmt.Sprintf("interaction callbacks %d", h.Sum32()%callbackBuckets)
	_, err := b.session.RequestWithBucketID(http.MethodPost, discordgo.EndpointInteractionResponse(i.ID, i.Token), resp, bucket, discordgo.WithContext(ctx))
	return err
}

// choicesResponse is an autocomplete's answer as Discord requires it: with
// its list of choices even when that is empty (discordgo's
// InteractionResponseData leaves an empty list out, and Discord refuses an
// answer without one).
type choicesResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

// answerChoices answers an autocomplete with choices, which may be none.
func (b *Bot) answerChoices(ctx context.Context, i *discordgo.Interaction, choices []*discordgo.ApplicationCommandOptionChoice) error {
	resp := choicesResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
	resp.Data.Choices = choices
	if resp.Data.Choices == nil {
		resp.Data.Choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	if err := b.interactionRespond(ctx, i, resp); err != nil {
		return unsent("autocomplete response", err)
	}
	return nil
}

// sendReply posts m in a channel as a reply to message messageID.
func (b *Bot) sendReply(ctx context.Context, channelID, messageID, guildID string, m rendered) error {
	return withRetry(ctx, b.cfg.retryDelays, func() error {
		_, err := b.session.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content: m.Content, Embeds: m.Embeds, Components: m.Components,
			Reference:       &discordgo.MessageReference{MessageID: messageID, ChannelID: channelID, GuildID: guildID, FailIfNotExists: new(bool)},
			AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		return err
	})
}

// tellPrivately sends a user a direct message, each step again after a
// server error as answers are; failures are only logged, under logKey (the
// message the user sent).
func (b *Bot) tellPrivately(ctx context.Context, userID, text string, logKey ...any) {
	var ch *discordgo.Channel
	err := withRetry(ctx, b.cfg.retryDelays, func() (err error) {
		ch, err = b.session.UserChannelCreate(userID, discordgo.WithContext(ctx))
		return err
	})
	if err == nil {
		err = withRetry(ctx, b.cfg.retryDelays, func() error {
			_, err := b.session.ChannelMessageSendComplex(ch.ID, &discordgo.MessageSend{Content: text, AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
			return err
		})
	}
	if err != nil {
		b.log.Error("could not message a member privately", append(logKey, "user", userID, "err", err)...)
	}
}
