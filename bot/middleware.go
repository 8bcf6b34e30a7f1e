package bot

import (
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/usererr"
)

// Middleware of the routes (see router.go). Each refuses with a
// *usererr.Error, which Bot.fail shows the member as it is.

// inServer refuses an interaction from a DM: the library is curated per
// server.
func inServer(next handler) handler {
	return func(r *request) error {
		if r.i.GuildID == "" {
			return usererr.New(usererr.Forbidden, "The library is curated per server: use this command in a server.")
		}
		return next(r)
	}
}

// moderatorsOnly refuses members who may not curate the library (see
// isModerator). It runs on every use: Discord's default_member_permissions
// hide /library from members, but an interaction can be forged, and a button
// says nothing of who pressed it.
func (b *Bot) moderatorsOnly(next handler) handler {
	return func(r *request) error {
		if !b.isModerator(r.i) {
			b.metrics.Refusals.WithLabelValues("not_moderator").Inc()
			return usererr.New(usererr.Forbidden, msgNotMod)
		}
		return next(r)
	}
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

// rateLimited applies the per-member and per-server limits of asking; a
// refused member is told privately when to try again.
func (b *Bot) rateLimited(next handler) handler {
	return func(r *request) error {
		if wait, ok := b.limits.allow(userOf(r.i).ID, r.i.GuildID); !ok {
			b.metrics.Refusals.WithLabelValues("rate_limit").Inc()
			return usererr.New(usererr.Unavailable, retryMessage(wait))
		}
		return next(r)
	}
}

// retryMessage tells a rate-limited member when to try again.
func retryMessage(wait time.Duration) string {
	secs := int(wait.Seconds() + 0.999)
	return fmt.Sprintf("You're asking faster than Verbatim answers; please try again in %d s.", max(secs, 1))
}

// visibility says whether a deferred reply is private to the member.
type visibility func(r *request) bool

// privately: only the member sees the reply.
func privately(*request) bool { return true }

// privateIfAsked: the reply is public unless the command's "private" option
// is set.
func privateIfAsked(r *request) bool { return r.optBool("private") }

// deferred acknowledges the interaction at once ("thinking…"), privately or
// not as v says, for work that may outlast Discord's 3 s; from then on the
// member is answered by editing that reply.
func (b *Bot) deferred(v visibility) middleware {
	return func(next handler) handler {
		return func(r *request) error {
			if err := b.deferReply(r.ctx, r.i, v(r)); err != nil {
				return unsent("acknowledging an interaction", err)
			}
			r.mode = replyEdit
			return next(r)
		}
	}
}

// updating answers by replacing the message the pressed button is on (what
// the routes before it refuse is still said privately).
func updating(next handler) handler {
	return func(r *request) error {
		r.mode = replyUpdate
		return next(r)
	}
}

// withTargetText refuses a message command on a message with no text, or
// none once its markup is taken out (see questionOf).
func withTargetText(next handler) handler {
	return func(r *request) error {
		if target := targetMessage(r.i); target == nil || questionOf(target.Content) == "" {
			return usererr.New(usererr.Invalid, "That message has no text to find sources for.")
		}
		return next(r)
	}
}

// targetMessage is the message a message command was used on, or nil.
func targetMessage(i *discordgo.Interaction) *discordgo.Message {
	data := i.ApplicationCommandData()
	if data.Resolved == nil {
		return nil
	}
	return data.Resolved.Messages[data.TargetID]
}
