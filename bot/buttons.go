package bot

import (
	"context"
	"fmt"

	"github.com/verbatim-bot/verbatim/retrieval"
)

// Buttons: Context and More under an answer, Closest passages under a
// no-answer that has some, Remove and Cancel under a moderator's removal.
// Each button's custom id is declared once, as an idSpec, which both writes
// and reads it.

// contextArgs is what a Context button carries: the quote's span in its
// source.
type contextArgs struct {
	Source     string
	Start, End int
}

// contextButton is "ctx:<source id>:<start>:<end>".
var contextButton = idSpec[contextArgs]{prefix: "ctx", parts: func(a *contextArgs) []idPart {
	return []idPart{textPart(&a.Source), numberPart(&a.Start), numberPart(&a.End)}
}}

// moreArgs is what a More button carries: the token of the question in the
// bot's cache, and how many quotes were shown before.
type moreArgs struct {
	Token string
	Skip  int
}

// moreButton is "more:<token>:<skip>".
var moreButton = idSpec[moreArgs]{prefix: "more", parts: func(a *moreArgs) []idPart {
	return []idPart{textPart(&a.Token), numberPart(&a.Skip)}
}}

// closestArgs is what a Closest passages button carries: the token of the
// question in the bot's cache.
type closestArgs struct{ Token string }

// closestButton is "near:<token>".
var closestButton = idSpec[closestArgs]{prefix: "near", parts: func(a *closestArgs) []idPart {
	return []idPart{textPart(&a.Token)}
}}

// removeArgs is what a Remove button carries: the source to remove.
type removeArgs struct{ Source string }

// removeButton is "rm:<source id>".
var removeButton = idSpec[removeArgs]{prefix: "rm", parts: func(a *removeArgs) []idPart {
	return []idPart{textPart(&a.Source)}
}}

// cancelRemoveButton is "rmcancel".
var cancelRemoveButton = idSpec[struct{}]{prefix: "rmcancel"}

// showContext shows the paragraph around a quote to whoever pressed, privately.
func (b *Bot) showContext(r *request, a contextArgs) error {
	ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
	defer cancel()
	src, err := b.lib.Get(ctx, a.Source, scopeOf(r.i.GuildID))
	if err != nil {
		return failed("reading a source for context", err)
	}
	m, err := renderContext(src, a.Start, a.End)
	if err != nil {
		return expired(err)
	}
	return b.reply(r, m)
}

// pendingQuestion resolves a More button to its question: one still in the
// cache, at the same place, asked in this server (or DM).
func (b *Bot) pendingQuestion(r *request, a moreArgs) (retrieval.Question, error) {
	q, ok := b.pending.get(a.Token)
	if !ok || a.Skip != q.Skip || q.Scope != scopeOf(r.i.GuildID) {
		return q, expired(fmt.Errorf("no question %s at %d in scope %s", a.Token, a.Skip, scopeOf(r.i.GuildID)))
	}
	return q, nil
}

// more shows the next quotes of an earlier question to whoever pressed
// (routes: rate limited, deferred privately).
func (b *Bot) more(r *request, q retrieval.Question) error { return b.answerReply(r, q) }

// pendingClosest resolves a Closest passages button to its question: one
// still in the cache, asked in this server (or DM).
func (b *Bot) pendingClosest(r *request, a closestArgs) (retrieval.Question, error) {
	return b.pendingQuestion(r, moreArgs{Token: a.Token})
}

// closest shows the closest passages of an earlier question that nothing
// answered directly, under the label that they may not answer it, to
// whoever pressed only (routes: rate limited, deferred privately). The
// library is asked again, as for More: the passages are those it holds now.
func (b *Bot) closest(r *request, q retrieval.Question) error {
	_, res, err := b.lookUp(r.ctx, q)
	if err != nil {
		return err
	}
	return b.reply(r, renderClosest(res))
}

// remove removes a source when a moderator confirms (routes: moderators
// only, updating the confirmation).
func (b *Bot) remove(r *request, a removeArgs) error {
	ctx, cancel := context.WithTimeout(r.ctx, askTimeout)
	defer cancel()
	info, err := b.lib.Remove(ctx, a.Source, r.i.GuildID)
	if err != nil {
		return failed("removing a source", err)
	}
	b.log.Info("source removed", "id", info.ID, "guild", r.i.GuildID, "by", addedBy(r.i))
	return b.reply(r, rendered{Content: fmt.Sprintf("Removed **%s** (source `%s`).", escapeMarkdown(truncate(plainText(info.Title), 200)), info.ID)})
}

// keep answers Cancel on a removal (routes: updating the confirmation).
func (b *Bot) keep(r *request, _ struct{}) error {
	return b.reply(r, rendered{Content: "Kept: nothing was removed."})
}
