package bot

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
)

// /sources: what the library holds, for everyone, read only; and the
// autocompletion of source ids for /sources show and /library remove.

const sourcesPerPage = 15

// listSources answers /sources list [page].
func (b *Bot) listSources(r *request) error {
	ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
	defer cancel()
	infos, err := b.lib.Sources(ctx, scopeOf(r.i.GuildID))
	if err != nil {
		return failed("listing sources", err)
	}
	return b.reply(r, renderSourceList(infos, r.optInt("page", 1), sourcesPerPage))
}

// showSource answers /sources show id.
func (b *Bot) showSource(r *request) error {
	ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
	defer cancel()
	src, err := b.lib.Get(ctx, r.optString("id"), scopeOf(r.i.GuildID))
	if err != nil {
		return failed("showing a source", err)
	}
	return b.reply(r, renderSource(src.Info))
}

// suggestSources suggests sources by title, outlet or id for the id option
// being typed: what the server may see, or with ownOnly (for removal) only
// its own sources.
func (b *Bot) suggestSources(ownOnly bool) handler {
	return func(r *request) error {
		typed := ""
		for _, o := range r.opts {
			if o.Focused {
				typed, _ = o.Value.(string)
			}
		}
		ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
		defer cancel()
		infos, err := b.lib.Sources(ctx, scopeOf(r.i.GuildID))
		if err != nil {
			return failed("autocomplete", err)
		}
		typed = strings.ToLower(strings.TrimSpace(typed))
		var choices []*discordgo.ApplicationCommandOptionChoice
		for _, s := range infos {
			if ownOnly && s.Scope != r.i.GuildID || !matchesTyped(s, typed) {
				continue
			}
			name := truncate(plainText(s.Title)+" — "+orUnknownOutlet(s.Outlet), 100)
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: s.ID})
			if len(choices) == 25 {
				break
			}
		}
		return b.answerChoices(r.ctx, r.i, choices)
	}
}

// matchesTyped reports whether a source matches what a member has typed
// (lower case): in its title or outlet, or the start of its id.
func matchesTyped(s corpus.Info, typed string) bool {
	return typed == "" || strings.Contains(strings.ToLower(s.Title), typed) || strings.HasPrefix(s.ID, typed) ||
		strings.Contains(strings.ToLower(s.Outlet), typed)
}
