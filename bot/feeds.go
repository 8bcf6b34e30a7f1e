package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/feeds"
	"github.com/verbatim-bot/verbatim/usererr"
)

// /library follow, feeds and unfollow: moderators follow outlets' feeds for
// their server; the feeds service (package feeds) reads them and adds their
// new articles. Every route here is for moderators in a server (see routes).

// msgNoFeeds is said when the operator runs the bot without feeds.
const msgNoFeeds = "Following feeds is turned off on this bot."

// SetFeeds gives the bot the feeds service that /library follow, feeds and
// unfollow use; without one, they say following is off.
func (b *Bot) SetFeeds(s *feeds.Service) { b.feeds.Store(s) }

// followFeed follows the feed at the url option for the server (routes:
// moderators only, deferred privately).
func (b *Bot) followFeed(r *request) error {
	svc := b.feeds.Load()
	if svc == nil {
		return usererr.New(usererr.Invalid, msgNoFeeds)
	}
	ctx, cancel := context.WithTimeout(r.ctx, addTimeout)
	defer cancel()
	f, err := svc.Follow(ctx, feeds.FollowRequest{URL: r.optString("url"), Scope: r.i.GuildID, AddedBy: addedBy(r.i)})
	if err != nil {
		return feedError("following a feed", err)
	}
	title := f.Title
	if title == "" {
		title = f.FeedURL
	}
	return b.reply(r, rendered{Content: fmt.Sprintf("Following **%s** (feed `%s`): it is read every %s, and its new articles are added to this server's library. See /library feeds.",
		escapeMarkdown(truncate(plainText(title), 200)), f.ID, shortDuration(f.Every.String()))})
}

// feedError says what was wrong with a feed a moderator asked for, or
// returns the error as it is when it is not theirs to fix.
func feedError(op string, err error) error {
	switch cause := underneath(err); {
	case errors.Is(err, feeds.ErrAlreadyFollowed):
		return usererr.Wrap(usererr.Exists, err, "This server already follows that feed. See /library feeds.")
	case errors.Is(err, feeds.ErrTooManyFeeds):
		return usererr.Wrap(usererr.Invalid, err, "Not followed: this server follows as many feeds as it may. Unfollow one first (/library unfollow).")
	case errors.Is(err, feeds.ErrNoFeed):
		return usererr.Wrap(usererr.Invalid, err, "Not followed: that address is not a feed (RSS, Atom or JSON Feed), and no feed is advertised on the page.")
	case errors.Is(err, feeds.ErrNotFollowed):
		return usererr.Wrap(usererr.NotFound, err, "This server follows no such feed. See /library feeds.")
	case isFetchError(err):
		return usererr.Wrap(usererr.Invalid, err, "Not followed: %s.", escapeMarkdown(cause.Error()))
	}
	return failed(op, err)
}

// shortDuration shows a time.Duration's text without zero units ("15m0s" → "15m").
func shortDuration(s string) string {
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// listFeeds shows the feeds the server follows: when each was read, how
// many articles it brought, its last error (routes: moderators only).
func (b *Bot) listFeeds(r *request) error {
	svc := b.feeds.Load()
	if svc == nil {
		return usererr.New(usererr.Invalid, msgNoFeeds)
	}
	ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
	defer cancel()
	all, err := svc.List(ctx, r.i.GuildID)
	if err != nil {
		return failed("listing feeds", err)
	}
	if len(all) == 0 {
		return b.reply(r, rendered{Content: "This server follows no feeds. Follow one with /library follow."})
	}
	var sb strings.Builder
	for _, f := range all {
		title := f.Title
		if title == "" {
			title = f.FeedURL
		}
		line := fmt.Sprintf("`%s` **%s** — every %s, %d articles", f.ID, escapeMarkdown(truncate(plainText(title), 80)), shortDuration(f.Every.String()), f.Added)
		if f.LastPolled.IsZero() {
			line += ", not read yet"
		} else {
			line += fmt.Sprintf(", read <t:%d:R>", f.LastPolled.Unix())
		}
		if n := len(f.Failed()); n > 0 {
			line += fmt.Sprintf(", %d items could not be read", n)
		}
		if f.LastError != "" {
			line += "\n  ⚠ " + escapeMarkdown(truncate(f.LastError, 160))
		}
		if sb.Len()+len(line) > 3900 {
			sb.WriteString("…")
			break
		}
		sb.WriteString(line + "\n")
	}
	return b.reply(r, rendered{Embeds: []*discordgo.MessageEmbed{{
		Title:       fmt.Sprintf("Feeds this server follows (%d)", len(all)),
		Description: sb.String(),
	}}})
}

// unfollowFeed stops following one of the server's feeds (routes:
// moderators only).
func (b *Bot) unfollowFeed(r *request) error {
	svc := b.feeds.Load()
	if svc == nil {
		return usererr.New(usererr.Invalid, msgNoFeeds)
	}
	ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
	defer cancel()
	f, err := svc.Unfollow(ctx, r.i.GuildID, r.optString("feed"))
	if err != nil {
		return feedError("unfollowing a feed", err)
	}
	title := f.Title
	if title == "" {
		title = f.FeedURL
	}
	return b.reply(r, rendered{Content: fmt.Sprintf("No longer following **%s**. The %d articles it added stay in the library.",
		escapeMarkdown(truncate(plainText(title), 200)), f.Added)})
}

// suggestFeeds completes /library unfollow's id with the server's feeds.
func (b *Bot) suggestFeeds(r *request) error {
	var choices []*discordgo.ApplicationCommandOptionChoice
	if svc := b.feeds.Load(); svc != nil {
		typed := ""
		for _, o := range r.opts {
			if o.Focused {
				typed, _ = o.Value.(string)
			}
		}
		typed = strings.ToLower(strings.TrimSpace(typed))
		ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
		defer cancel()
		all, err := svc.List(ctx, r.i.GuildID)
		if err != nil {
			return failed("autocomplete", err)
		}
		for _, f := range all {
			name := f.Title + " — " + f.FeedURL
			if typed != "" && !strings.Contains(strings.ToLower(name), typed) && !strings.HasPrefix(f.ID, typed) {
				continue
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(plainText(name), 100), Value: f.ID})
			if len(choices) == 25 {
				break
			}
		}
	}
	err := b.interactionRespond(r.ctx, r.i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		return unsent("autocomplete response", err)
	}
	return nil
}
