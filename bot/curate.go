package bot

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/retrieval"
)

const sourcesPerPage = 15

// handleSources answers /sources list and /sources show.
func (b *Bot) handleSources(i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if len(data.Options) == 0 {
		b.replyEphemeral(i, "Use /sources list or /sources show.")
		return
	}
	sub := data.Options[0]
	opts := options(sub.Options)
	ctx, cancel := context.WithTimeout(b.ctx, askTimeout)
	defer cancel()
	scope := scopeOf(i.GuildID)
	switch sub.Name {
	case "list":
		infos, err := b.lib.Sources(ctx, scope)
		if err != nil {
			b.log.Error("listing sources failed", "interaction", i.ID, "err", err)
			b.replyEphemeral(i, msgInternal)
			return
		}
		b.respond(i, discordgo.InteractionResponseChannelMessageWithSource, renderSourceList(infos, optInt(opts, "page", 1), sourcesPerPage), true)
	case "show":
		src, err := b.lib.Get(ctx, optString(opts, "id"), scope)
		if errors.Is(err, corpus.ErrNotFound) {
			b.replyEphemeral(i, "There is no such source in this server's library. Try /sources list.")
			return
		}
		if err != nil {
			b.log.Error("showing a source failed", "interaction", i.ID, "err", err)
			b.replyEphemeral(i, msgInternal)
			return
		}
		b.respond(i, discordgo.InteractionResponseChannelMessageWithSource, renderSource(src.Info), true)
	default:
		b.replyEphemeral(i, "Use /sources list or /sources show.")
	}
}

// onAutocomplete suggests sources by title or id for the id options of
// /sources show and /library remove (only what the server may see, and for
// remove only its own sources).
func (b *Bot) onAutocomplete(i *discordgo.Interaction) {
	data := i.ApplicationCommandData()
	if len(data.Options) == 0 {
		return
	}
	sub := data.Options[0]
	typed := ""
	for _, o := range sub.Options {
		if o.Focused {
			typed, _ = o.Value.(string)
		}
	}
	ctx, cancel := context.WithTimeout(b.ctx, askTimeout)
	defer cancel()
	infos, err := b.lib.Sources(ctx, scopeOf(i.GuildID))
	if err != nil {
		b.log.Error("autocomplete failed", "interaction", i.ID, "err", err)
		return
	}
	ownOnly := data.Name == cmdLibrary
	typed = strings.ToLower(strings.TrimSpace(typed))
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, s := range infos {
		if ownOnly && s.Scope != i.GuildID {
			continue
		}
		if typed != "" && !strings.Contains(strings.ToLower(s.Title), typed) && !strings.HasPrefix(s.ID, typed) &&
			!strings.Contains(strings.ToLower(s.Outlet), typed) {
			continue
		}
		name := truncate(plainText(s.Title)+" — "+orUnknownOutlet(s.Outlet), 100)
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: s.ID})
		if len(choices) == 25 {
			break
		}
	}
	err = b.interactionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		b.log.Warn("autocomplete response failed", "interaction", i.ID, "err", err)
	}
}

// handleLibrary answers /library add … and /library remove, for moderators.
func (b *Bot) handleLibrary(i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if i.GuildID == "" {
		b.replyEphemeral(i, "The library is curated per server: use this command in a server.")
		return
	}
	if !b.isModerator(i) {
		b.metrics.Refusals.WithLabelValues("not_moderator").Inc()
		b.replyEphemeral(i, msgNotMod)
		return
	}
	if len(data.Options) == 0 {
		b.replyEphemeral(i, "Use /library add or /library remove.")
		return
	}
	sub := data.Options[0]
	switch {
	case sub.Name == "remove":
		b.handleRemove(i, options(sub.Options))
	case sub.Name == "add" && len(sub.Options) > 0:
		kind := sub.Options[0]
		opts := options(kind.Options)
		switch kind.Name {
		case "text":
			if err := b.interactionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: addTextModal()}); err != nil {
				b.log.Error("opening the add form failed", "interaction", i.ID, "err", err)
			}
		case "file":
			b.handleAddFile(i, data, opts)
		case "url":
			b.handleAddURL(i, optString(opts, "url"))
		default:
			b.replyEphemeral(i, "Use /library add text, file or url.")
		}
	default:
		b.replyEphemeral(i, "Use /library add or /library remove.")
	}
}

// addedBy names a member for a source's added_by.
func addedBy(i *discordgo.Interaction) string {
	u := userOf(i)
	return fmt.Sprintf("%s (discord:%s)", u.Username, u.ID)
}

// onModal handles the add-text form.
func (b *Bot) onModal(i *discordgo.Interaction) {
	data := i.ModalSubmitData()
	if data.CustomID != modalAddText {
		b.replyEphemeral(i, msgExpired)
		return
	}
	if i.GuildID == "" || !b.isModerator(i) {
		b.metrics.Refusals.WithLabelValues("not_moderator").Inc()
		b.replyEphemeral(i, msgNotMod)
		return
	}
	fields := map[string]string{}
	for _, row := range data.Components {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if ti, ok := c.(*discordgo.TextInput); ok {
				fields[ti.CustomID] = strings.TrimSpace(ti.Value)
			}
		}
	}
	if !b.deferReply(i, true) {
		return
	}
	doc, err := corpus.ParseText([]byte(fields["body"]))
	if err != nil {
		b.finishAdd(i, corpus.Source{}, fmt.Errorf("%w: %w", corpus.ErrInvalid, err))
		return
	}
	origin := "pasted text"
	if fields["url"] != "" {
		origin = fields["url"]
	}
	b.addDraft(i, corpus.Draft{Doc: doc, Meta: corpus.Meta{
		Scope: i.GuildID, Origin: origin, Title: fields["title"], Outlet: fields["outlet"],
		Published: fields["date"], URL: fields["url"], AddedBy: addedBy(i),
		Snapshot: []byte(fields["body"]), SnapshotType: "text/plain",
	}})
}

// handleAddFile adds an uploaded .txt/.md file, downloaded from Discord's
// CDN through the guarded fetcher.
func (b *Bot) handleAddFile(i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData, opts map[string]*discordgo.ApplicationCommandInteractionDataOption) {
	var att *discordgo.MessageAttachment
	if o, ok := opts["file"]; ok && data.Resolved != nil {
		if id, ok := o.Value.(string); ok {
			att = data.Resolved.Attachments[id]
		}
	}
	if att == nil {
		b.replyEphemeral(i, "Attach the article file to the command.")
		return
	}
	name := attachmentName(att.Filename)
	if !corpus.Supported(name) {
		b.replyEphemeral(i, fmt.Sprintf("Verbatim reads %s files; %q is not one.", strings.Join(corpus.SupportedExtensions, ", "), truncate(name, 80)))
		return
	}
	limit := b.attachmentLimit()
	tooBig := fmt.Sprintf("Not added: that file is over the %s limit for an article file; upload just the article.", inMiB(limit))
	if int64(att.Size) > limit {
		b.replyEphemeral(i, tooBig)
		return
	}
	if !b.deferReply(i, true) {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, addTimeout)
	defer cancel()
	f, err := b.fetcher.Fetch(ctx, att.URL)
	if errors.Is(err, corpus.ErrTooLarge) { // larger than its declared size
		b.log.Warn("an attachment was larger than declared", "interaction", i.ID, "size", att.Size, "err", err)
		if err := b.editReply(i, rendered{Content: tooBig}); err != nil {
			b.log.Error("reporting an add failed", "interaction", i.ID, "err", err)
		}
		return
	}
	if err != nil {
		b.log.Warn("downloading an attachment failed", "interaction", i.ID, "err", err)
		b.finishAdd(i, corpus.Source{}, fmt.Errorf("%w: the file could not be downloaded from Discord", corpus.ErrInvalid))
		return
	}
	d, err := corpus.FileDraft(ctx, name, f.Body, corpus.Meta{Scope: i.GuildID, AddedBy: addedBy(i)})
	if err != nil {
		b.finishAdd(i, corpus.Source{}, fmt.Errorf("%w: %w", corpus.ErrInvalid, err))
		return
	}
	b.addDraft(i, d)
}

// attachmentName is the name an attachment is kept under (its origin): the
// last element of the name as sent, "/" or "\\" separated, without control
// characters, and at most 120 characters with its extension kept.
func attachmentName(sent string) string {
	name := path.Base(strings.ReplaceAll(sent, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 120 {
		ext := []rune(path.Ext(name))
		if len(ext) > 10 {
			ext = nil
		}
		name = string(r[:119-len(ext)]) + "…" + string(ext)
	}
	return name
}

// attachmentLimit is the largest attachment that can be added: the article
// file limit, or the fetcher's body limit when that is smaller (an
// attachment is downloaded through the fetcher).
func (b *Bot) attachmentLimit() int64 {
	fetchMax := b.cfg.MaxAttachmentBytes
	if fetchMax <= 0 {
		fetchMax = corpus.DefaultFetchMaxBytes
	}
	return min(int64(corpus.MaxFileBytes), fetchMax)
}

// inMiB shows a byte count in MiB ("5 MiB", "2.5 MiB").
func inMiB(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + " MiB"
}

// handleAddURL fetches an article from the web through the guarded
// fetcher (public addresses only, size and time limits) and adds it.
func (b *Bot) handleAddURL(i *discordgo.Interaction, raw string) {
	if !b.deferReply(i, true) {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, addTimeout)
	defer cancel()
	f, err := b.fetcher.Fetch(ctx, raw)
	if err != nil {
		// The fetcher's errors say what was refused and why, without
		// internals (address class, status, size, type).
		b.log.Info("fetching a URL refused or failed", "interaction", i.ID, "err", err)
		b.finishAdd(i, corpus.Source{}, fmt.Errorf("%w: %w", corpus.ErrInvalid, err))
		return
	}
	d, err := corpus.FetchedDraft(ctx, f, corpus.Meta{Scope: i.GuildID, AddedBy: addedBy(i)})
	if err != nil {
		b.finishAdd(i, corpus.Source{}, fmt.Errorf("%w: %w", corpus.ErrInvalid, err))
		return
	}
	b.addDraft(i, d)
}

// addDraft adds a draft to the library, then edits the deferred reply with
// what was stored.
func (b *Bot) addDraft(i *discordgo.Interaction, d corpus.Draft) {
	ctx, cancel := context.WithTimeout(b.ctx, addTimeout)
	defer cancel()
	src, err := b.lib.Add(ctx, d)
	b.finishAdd(i, src, err)
}

// finishAdd reports the outcome of an add to the moderator.
func (b *Bot) finishAdd(i *discordgo.Interaction, src corpus.Source, err error) {
	var exists *corpus.ExistsError
	var msg string
	switch {
	case err == nil:
		b.metrics.Adds.Inc()
		msg = fmt.Sprintf("Added **%s** (%s · %s) — %d passages, source `%s`.", escapeMarkdown(truncate(plainText(src.Title), 200)),
			escapeMarkdown(orUnknownOutlet(src.Outlet)), escapeMarkdown(orDash(src.Published)), src.PassageCount, src.ID)
	case errors.As(err, &exists):
		msg = fmt.Sprintf("Already in the library as `%s` (**%s**).", exists.ID, escapeMarkdown(truncate(exists.Title, 200)))
	case errors.Is(err, corpus.ErrInvalid):
		msg = "Not added: " + escapeMarkdown(strings.TrimPrefix(err.Error(), corpus.ErrInvalid.Error()+": ")) + "."
	default:
		b.log.Error("adding a source failed", "interaction", i.ID, "err", err)
		msg = msgInternal
	}
	if err := b.editReply(i, rendered{Content: msg}); err != nil {
		b.log.Error("reporting an add failed", "interaction", i.ID, "err", err)
	}
}

// handleRemove asks a moderator to confirm removing one of this server's
// sources.
func (b *Bot) handleRemove(i *discordgo.Interaction, opts map[string]*discordgo.ApplicationCommandInteractionDataOption) {
	ctx, cancel := context.WithTimeout(b.ctx, askTimeout)
	defer cancel()
	id := optString(opts, "id")
	src, err := b.lib.Get(ctx, id, i.GuildID)
	switch {
	case errors.Is(err, corpus.ErrNotFound):
		b.replyEphemeral(i, "There is no such source in this server's library.")
		return
	case err != nil:
		b.log.Error("reading a source to remove failed", "interaction", i.ID, "err", err)
		b.replyEphemeral(i, msgInternal)
		return
	case src.Scope != i.GuildID:
		b.replyEphemeral(i, "That source is in the global library, which only the operator can change.")
		return
	}
	r := rendered{
		Content: fmt.Sprintf("Remove **%s** (%s, source `%s`) from this server's library? Its quotes will no longer be given.",
			escapeMarkdown(truncate(plainText(src.Title), 200)), escapeMarkdown(orUnknownOutlet(src.Outlet)), src.ID),
		Components: buttonRows([]discordgo.MessageComponent{
			discordgo.Button{Label: "Remove", Style: discordgo.DangerButton, CustomID: idRemove + ":" + src.ID},
			discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: idRemoveCancel},
		}),
	}
	b.respond(i, discordgo.InteractionResponseChannelMessageWithSource, r, true)
}

// handleRemoveConfirm removes a source when a moderator confirms. The
// permission is checked again: the button says nothing about who pressed it.
func (b *Bot) handleRemoveConfirm(i *discordgo.Interaction, parts []string) {
	if len(parts) != 2 {
		b.replyEphemeral(i, msgExpired)
		return
	}
	if !b.isModerator(i) {
		b.metrics.Refusals.WithLabelValues("not_moderator").Inc()
		b.replyEphemeral(i, msgNotMod)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, askTimeout)
	defer cancel()
	info, err := b.lib.Remove(ctx, parts[1], i.GuildID)
	switch {
	case errors.Is(err, corpus.ErrNotFound):
		b.updateMessage(i, rendered{Content: msgGone})
	case errors.Is(err, retrieval.ErrNotVisible):
		b.updateMessage(i, rendered{Content: "That source is in the global library, which only the operator can change."})
	case err != nil:
		b.log.Error("removing a source failed", "interaction", i.ID, "err", err)
		b.updateMessage(i, rendered{Content: msgInternal})
	default:
		b.log.Info("source removed", "id", info.ID, "guild", i.GuildID, "by", addedBy(i))
		b.updateMessage(i, rendered{Content: fmt.Sprintf("Removed **%s** (source `%s`).", escapeMarkdown(truncate(plainText(info.Title), 200)), info.ID)})
	}
}
