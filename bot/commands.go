package bot

import (
	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/usererr"
)

// Command and option names.
const (
	cmdAsk         = "ask"
	cmdSources     = "sources"
	cmdLibrary     = "library"
	cmdFindSources = "Find sources"

	// modalAddText is the custom_id of the "add pasted text" modal.
	modalAddText = "addtext"
)

// Paths of the routes whose errors read differently (see toUserError).
const (
	routeShowSource = "/" + cmdSources + "/show"
	routeRemove     = "/" + cmdLibrary + "/remove"
	routeAddFile    = "/" + cmdLibrary + "/add/file"
	routeUnfollow   = "/" + cmdLibrary + "/unfollow"
)

// routes is where every interaction goes: the handler of each command,
// autocompletion, button and form, and the middleware it runs in, outermost
// first. What a route's middleware refuses costs the member nothing later
// in the chain: a member over the rate limit is not deferred, a forged
// button spends no rate limit (its id is read before any middleware).
func (b *Bot) routes() *router {
	rt := newRouter()
	rt.command("/"+cmdAsk, b.ask, b.rateLimited, b.deferred(privateIfAsked))
	rt.command("/"+cmdFindSources, b.findSources, withTargetText, b.rateLimited, b.deferred(privately))

	rt.command("/"+cmdSources, usage("Use /sources list or /sources show."))
	rt.command("/"+cmdSources+"/list", b.listSources)
	rt.command(routeShowSource, b.showSource)
	rt.autocomplete(routeShowSource, b.suggestSources(false))

	curators := []middleware{inServer, b.moderatorsOnly}
	rt.command("/"+cmdLibrary, usage("Use /library add, remove, follow, feeds or unfollow."), curators...)
	rt.command("/"+cmdLibrary+"/add", usage("Use /library add text, file or url."), curators...)
	rt.command("/"+cmdLibrary+"/add/text", b.openAddForm, curators...)
	rt.modal(modalAddText, b.addText, b.moderatorsOnly, b.deferred(privately))
	rt.command(routeAddFile, b.addFile, append(curators, b.checkedAttachment, b.deferred(privately))...)
	rt.command("/"+cmdLibrary+"/add/url", b.addURL, append(curators, b.deferred(privately))...)
	rt.command(routeRemove, b.confirmRemove, curators...)
	rt.autocomplete(routeRemove, b.suggestSources(true))
	rt.command("/"+cmdLibrary+"/follow", b.followFeed, append(curators, b.deferred(privately))...)
	rt.command("/"+cmdLibrary+"/feeds", b.listFeeds, append(curators, b.deferred(privately))...)
	rt.command(routeUnfollow, b.unfollowFeed, append(curators, b.deferred(privately))...)
	rt.autocomplete(routeUnfollow, b.suggestFeeds)

	button(rt, contextButton, b.showContext)
	resolvedButton(rt, moreButton, b.pendingQuestion, b.more, b.rateLimited, b.deferred(privately))
	resolvedButton(rt, closestButton, b.pendingClosest, b.closest, b.rateLimited, b.deferred(privately))
	button(rt, removeButton, b.remove, b.moderatorsOnly, updating)
	button(rt, cancelRemoveButton, b.keep, updating)
	return rt
}

// usage tells the member how to use a command they used incompletely.
func usage(text string) handler {
	return func(*request) error { return usererr.New(usererr.Invalid, text) }
}

// moderatorPermissions are the permissions that make a member a moderator of
// the library (any one of them).
const moderatorPermissions = discordgo.PermissionManageMessages | discordgo.PermissionManageGuild | discordgo.PermissionAdministrator

// Commands returns the application commands Verbatim registers:
//
//   - /ask question [outlet] [after] [before] [private] — everyone, DMs too
//   - /sources list [page] | show id — everyone, in servers
//   - /library add text | add file file | add url url | remove id |
//     follow url | feeds | unfollow id — for
//     moderators: registered with default_member_permissions Manage
//     Messages so that other members do not see it (server admins can
//     grant it to more roles in Server Settings → Integrations), and
//     checked again on the bot's side for every use
//   - "Find sources" on a message — everyone
//
// Moderation is a separate command because Discord applies
// default_member_permissions to a whole command, not to its subcommands.
func Commands() []*discordgo.ApplicationCommand {
	yes, no := true, false
	modPerms := int64(discordgo.PermissionManageMessages)
	minPage := 1.0
	return []*discordgo.ApplicationCommand{
		{
			Name:         cmdAsk,
			Description:  "Answer a question with verbatim quotes from the library's articles",
			DMPermission: &yes,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "What do you want sources for?", Required: true, MaxLength: 500},
				{Type: discordgo.ApplicationCommandOptionString, Name: "outlet", Description: "Only quotes from this outlet", MaxLength: 100},
				{Type: discordgo.ApplicationCommandOptionString, Name: "after", Description: "Only articles published on or after: a date (2021-03-17), or 7d, 2w, 3m, 1y, today, yesterday", MaxLength: 10},
				{Type: discordgo.ApplicationCommandOptionString, Name: "before", Description: "Only articles published on or before: a date (2021-03-17), or 7d, 2w, 3m, 1y, today, yesterday", MaxLength: 10},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Show the answer only to you"},
			},
		},
		{
			Name:         cmdSources,
			Description:  "The articles this server's answers come from",
			DMPermission: &no,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "List the library: this server's sources and the global ones",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionInteger, Name: "page", Description: "Page number", MinValue: &minPage},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show one source: where it came from, who added it and when",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "id", Description: "The source (type to search titles)", Required: true, Autocomplete: true},
					}},
			},
		},
		{
			Name:                     cmdLibrary,
			Description:              "Grow or prune this server's library (moderators)",
			DMPermission:             &no,
			DefaultMemberPermissions: &modPerms,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: "add", Description: "Add an article to this server's library",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "text", Description: "Paste an article's text (opens a form)"},
						{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "file", Description: "Upload an article file (.txt, .md, .html or .pdf)",
							Options: []*discordgo.ApplicationCommandOption{
								{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "The article file", Required: true},
							}},
						{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "url", Description: "Fetch an article from the web",
							Options: []*discordgo.ApplicationCommandOption{
								{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The article's address (https://…)", Required: true, MaxLength: 2000},
							}},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Remove a source from this server's library",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "id", Description: "The source (type to search titles)", Required: true, Autocomplete: true},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "follow", Description: "Follow an outlet's feed: its new articles are added to this server's library",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The feed (RSS, Atom, JSON Feed) or a page that links to it", Required: true, MaxLength: 2000},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "feeds", Description: "The feeds this server follows: when read, what they added, their errors"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "unfollow", Description: "Stop following a feed (the articles it added stay)",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "feed", Description: "The feed (type to search)", Required: true, Autocomplete: true},
					}},
			},
		},
		{
			Type:         discordgo.MessageApplicationCommand,
			Name:         cmdFindSources,
			DMPermission: &yes,
		},
	}
}

// addTextModal is the form a moderator fills to add pasted text.
func addTextModal() *discordgo.InteractionResponseData {
	input := func(id, label, placeholder string, style discordgo.TextInputStyle, required bool, maxLen int) discordgo.MessageComponent {
		return discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
			CustomID: id, Label: label, Placeholder: placeholder, Style: style, Required: required, MaxLength: maxLen,
		}}}
	}
	return &discordgo.InteractionResponseData{
		CustomID: modalAddText,
		Title:    "Add an article",
		Components: []discordgo.MessageComponent{
			input("title", "Title", "The article's headline", discordgo.TextInputShort, true, 256),
			input("outlet", "Outlet", "Who published it (e.g. Reuters)", discordgo.TextInputShort, false, 100),
			input("date", "Date published", "2021-03-17", discordgo.TextInputShort, false, 40),
			input("url", "Link", "https://…", discordgo.TextInputShort, false, 1000),
			input("body", "Article text", "Paste the article's text, paragraphs separated by blank lines", discordgo.TextInputParagraph, true, 4000),
		},
	}
}
