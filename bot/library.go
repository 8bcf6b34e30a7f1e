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
	"github.com/verbatim-bot/verbatim/usererr"
)

// /library: moderators grow and prune their server's library — add pasted
// text (a modal), an uploaded file or an article URL; remove a source after
// confirming (the Remove button is in buttons.go). Every route here is for
// moderators in a server (see routes).

// openAddForm answers /library add text with the form to paste an article.
func (b *Bot) openAddForm(r *request) error {
	err := b.interactionRespond(r.ctx, r.i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: addTextModal()})
	if err != nil {
		return unsent("opening the add form", err)
	}
	return nil
}

// addText adds the article of a submitted add form (routes: moderators
// only, deferred privately).
func (b *Bot) addText(r *request) error {
	fields := map[string]string{}
	for _, row := range r.i.ModalSubmitData().Components {
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
	doc, err := corpus.ParseText([]byte(fields["body"]))
	if err != nil {
		return notAdded(err, err.Error())
	}
	origin := "pasted text"
	if fields["url"] != "" {
		origin = fields["url"]
	}
	return b.addDraft(r, corpus.Draft{Doc: doc, Meta: corpus.Meta{
		Scope: r.i.GuildID, Origin: origin, Title: fields["title"], Outlet: fields["outlet"],
		Published: fields["date"], URL: fields["url"], AddedBy: addedBy(r.i),
		Snapshot: []byte(fields["body"]), SnapshotType: "text/plain",
	}})
}

// attachmentOf is the file attached to /library add file, or nil.
func attachmentOf(r *request) *discordgo.MessageAttachment {
	data := r.i.ApplicationCommandData()
	if o, ok := r.opts["file"]; ok && data.Resolved != nil {
		if id, ok := o.Value.(string); ok {
			return data.Resolved.Attachments[id]
		}
	}
	return nil
}

// checkedAttachment refuses /library add file before anything is
// downloaded when no file is attached, or one of a type Verbatim does not
// read, or one larger than the limit.
func (b *Bot) checkedAttachment(next handler) handler {
	return func(r *request) error {
		att := attachmentOf(r)
		if att == nil {
			return usererr.New(usererr.Invalid, "Attach the article file to the command.")
		}
		if name := attachmentName(att.Filename); !corpus.Supported(name) {
			return usererr.Errorf(usererr.Invalid, "Verbatim reads %s files; %q is not one.", strings.Join(corpus.SupportedExtensions, ", "), truncate(name, 80))
		}
		if int64(att.Size) > b.attachmentLimit() {
			return b.tooBig(nil)
		}
		return next(r)
	}
}

// addFile adds an uploaded article file (.txt, .md, .html or .pdf),
// downloaded from Discord's CDN through the guarded fetcher (routes:
// moderators only, a checked attachment, deferred privately).
func (b *Bot) addFile(r *request) error {
	att := attachmentOf(r)
	if att == nil {
		return errors.New("add file: no attachment (the route lacks checkedAttachment)")
	}
	name := attachmentName(att.Filename)
	ctx, cancel := context.WithTimeout(r.ctx, addTimeout)
	defer cancel()
	f, err := b.fetcher.Fetch(ctx, att.URL)
	if err != nil {
		return failed(fmt.Sprintf("downloading an attachment of %d bytes", att.Size), err)
	}
	d, err := corpus.FileDraft(ctx, name, f.Body, corpus.Meta{Scope: r.i.GuildID, AddedBy: addedBy(r.i)})
	if err != nil {
		return notAdded(err, err.Error())
	}
	return b.addDraft(r, d)
}

// tooBig refuses a file over the attachment limit.
func (b *Bot) tooBig(cause error) error {
	return usererr.Wrap(usererr.Invalid, cause, "Not added: that file is over the %s limit for an article file; upload just the article.", inMiB(b.attachmentLimit()))
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

// addURL fetches an article from the web through the guarded fetcher
// (public addresses only, size and time limits) and adds it (routes:
// moderators only, deferred privately).
func (b *Bot) addURL(r *request) error {
	ctx, cancel := context.WithTimeout(r.ctx, addTimeout)
	defer cancel()
	f, err := b.fetcher.Fetch(ctx, r.optString("url"))
	if err != nil {
		return failed("fetching an article", err)
	}
	d, err := corpus.FetchedDraft(ctx, f, corpus.Meta{Scope: r.i.GuildID, AddedBy: addedBy(r.i)})
	if err != nil {
		return notAdded(err, err.Error())
	}
	return b.addDraft(r, d)
}

// addDraft adds a draft to the library and tells the moderator what was
// stored.
func (b *Bot) addDraft(r *request, d corpus.Draft) error {
	ctx, cancel := context.WithTimeout(r.ctx, addTimeout)
	defer cancel()
	src, err := b.lib.Add(ctx, d)
	if err != nil {
		return failed("adding a source", err)
	}
	b.metrics.Adds.Inc()
	return b.reply(r, rendered{Content: fmt.Sprintf("Added **%s** (%s · %s) — %d passages, source `%s`.", escapeMarkdown(truncate(plainText(src.Title), 200)),
		escapeMarkdown(orUnknownOutlet(src.Outlet)), escapeMarkdown(orDash(src.Published)), src.PassageCount, src.ID)})
}

// addedBy names a member for a source's added_by.
func addedBy(i *discordgo.Interaction) string {
	u := userOf(i)
	return fmt.Sprintf("%s (discord:%s)", u.Username, u.ID)
}

// confirmRemove asks a moderator to confirm removing one of this server's
// sources, with Remove and Cancel buttons.
func (b *Bot) confirmRemove(r *request) error {
	ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
	defer cancel()
	src, err := b.lib.Get(ctx, r.optString("id"), r.i.GuildID)
	if err != nil {
		return failed("reading a source to remove", err)
	}
	if src.Scope != r.i.GuildID {
		return fmt.Errorf("source %s: %w", src.ID, retrieval.ErrNotVisible)
	}
	return b.reply(r, rendered{
		Content: fmt.Sprintf("Remove **%s** (%s, source `%s`) from this server's library? Its quotes will no longer be given.",
			escapeMarkdown(truncate(plainText(src.Title), 200)), escapeMarkdown(orUnknownOutlet(src.Outlet)), src.ID),
		Components: buttonRows([]discordgo.MessageComponent{
			discordgo.Button{Label: "Remove", Style: discordgo.DangerButton, CustomID: removeButton.format(removeArgs{Source: src.ID})},
			discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: cancelRemoveButton.format(struct{}{})},
		}),
	})
}
