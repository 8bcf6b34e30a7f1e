package discordtest

import (
	"time"

	"github.com/bwmarrin/discordgo"
)

// DefaultAppPermissions are the permissions the bot has in the channel of an
// interaction built here: view, send, embed links, attach files, read history.
const DefaultAppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles | discordgo.PermissionReadMessageHistory

// NewUser returns a human user with the given ID and username.
func NewUser(id, username string) *discordgo.User {
	return &discordgo.User{ID: id, Username: username, GlobalName: username, Discriminator: "0"}
}

// Invoker says who triggered an interaction and where.
type Invoker struct {
	GuildID     string          // "" for a DM with the bot
	ChannelID   string          // the channel the interaction happens in
	User        *discordgo.User // who triggered it
	Permissions int64           // the member's permissions in the channel (guild only)
	Roles       []string        // the member's roles (guild only)
}

// InGuild is a member of guildID, with the given permissions, in channelID.
func InGuild(guildID, channelID string, user *discordgo.User, permissions int64) Invoker {
	return Invoker{GuildID: guildID, ChannelID: channelID, User: user, Permissions: permissions}
}

// InDM is a user in their DM channel with the bot.
func InDM(channelID string, user *discordgo.User) Invoker {
	return Invoker{ChannelID: channelID, User: user}
}

// interaction builds the parts every interaction shares: in a guild the
// invoker comes as Member (with permissions), in a DM as User, as on Discord.
func (inv Invoker) interaction(t discordgo.InteractionType, data discordgo.InteractionData) *discordgo.Interaction {
	i := &discordgo.Interaction{
		Type:           t,
		Data:           data,
		GuildID:        inv.GuildID,
		ChannelID:      inv.ChannelID,
		AppPermissions: DefaultAppPermissions,
		Locale:         discordgo.EnglishUS,
	}
	var user *discordgo.User
	if inv.User != nil {
		u := *inv.User
		user = &u
	}
	if inv.GuildID == "" {
		i.User = user
		i.Context = discordgo.InteractionContextBotDM
		return i
	}
	roles := append([]string{}, inv.Roles...)
	i.Member = &discordgo.Member{
		User:        user,
		Roles:       roles,
		Permissions: inv.Permissions,
		JoinedAt:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	locale := discordgo.EnglishUS
	i.GuildLocale = &locale
	i.Context = discordgo.InteractionContextGuild
	i.AuthorizingIntegrationOwners = map[discordgo.ApplicationIntegrationType]string{
		discordgo.ApplicationIntegrationGuildInstall: inv.GuildID,
	}
	return i
}

// SlashCommand is a chat-input command /name with options.
func SlashCommand(inv Invoker, name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return inv.interaction(discordgo.InteractionApplicationCommand, discordgo.ApplicationCommandInteractionData{
		Name:        name,
		CommandType: discordgo.ChatApplicationCommand,
		Options:     options,
	})
}

// Autocomplete is an autocomplete request for /name while the user types in
// one option; mark that option with Focused.
func Autocomplete(inv Invoker, name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return inv.interaction(discordgo.InteractionApplicationCommandAutocomplete, discordgo.ApplicationCommandInteractionData{
		Name:        name,
		CommandType: discordgo.ChatApplicationCommand,
		Options:     options,
	})
}

// MessageCommand is a message context-menu command run on target, which is
// sent in the resolved messages as Discord does.
func MessageCommand(inv Invoker, name string, target *discordgo.Message) *discordgo.Interaction {
	return inv.interaction(discordgo.InteractionApplicationCommand, discordgo.ApplicationCommandInteractionData{
		Name:        name,
		CommandType: discordgo.MessageApplicationCommand,
		TargetID:    target.ID,
		Resolved: &discordgo.ApplicationCommandInteractionDataResolved{
			Messages: map[string]*discordgo.Message{target.ID: target},
		},
	})
}

// ButtonPress is a click on the button customID of message (which must have an ID).
func ButtonPress(inv Invoker, message *discordgo.Message, customID string) *discordgo.Interaction {
	i := inv.interaction(discordgo.InteractionMessageComponent, discordgo.MessageComponentInteractionData{
		CustomID:      customID,
		ComponentType: discordgo.ButtonComponent,
	})
	i.Message = message
	return i
}

// SelectMenuChoice is a choice of values in the string select menu customID of message.
func SelectMenuChoice(inv Invoker, message *discordgo.Message, customID string, values ...string) *discordgo.Interaction {
	i := inv.interaction(discordgo.InteractionMessageComponent, discordgo.MessageComponentInteractionData{
		CustomID:      customID,
		ComponentType: discordgo.SelectMenuComponent,
		Values:        values,
	})
	i.Message = message
	return i
}

// Dataless is an interaction of type t (an autocomplete, a command, a
// component, a modal submit) with no "data" field at all. Discord sends
// data with each of these, but a Discord-compatible server may not, and
// discordgo then hands the handler an interaction whose Data is nil
// (ApplicationCommandData and the like panic on it).
func Dataless(inv Invoker, t discordgo.InteractionType) *discordgo.Interaction {
	return inv.interaction(t, nil)
}

// TextValue is what the user typed into one text input of a modal.
type TextValue struct {
	CustomID string // the text input's custom_id
	Value    string // what the user typed
}

// ModalSubmit is the submission of the modal customID, one text input per row.
func ModalSubmit(inv Invoker, customID string, values ...TextValue) *discordgo.Interaction {
	rows := make([]discordgo.MessageComponent, 0, len(values))
	for _, v := range values {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: v.CustomID, Value: v.Value},
		}})
	}
	return inv.interaction(discordgo.InteractionModalSubmit, discordgo.ModalSubmitInteractionData{
		CustomID:   customID,
		Components: rows,
	})
}

// StringOption is a string option as Discord sends it.
func StringOption(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

// IntegerOption is an integer option; JSON numbers decode as float64, so that
// is what a handler sees in Value (IntValue converts it).
func IntegerOption(name string, value int64) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionInteger, Value: float64(value)}
}

// BooleanOption is a boolean option.
func BooleanOption(name string, value bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: value}
}

// SubCommand is a sub-command option holding its own options.
func SubCommand(name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: options}
}

// Focused marks an option as the one being typed in an autocomplete request.
func Focused(o *discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	o.Focused = true
	return o
}

// UserMessage is a message from user in a channel (guildID "" for a DM),
// ready for DispatchMessage.
func UserMessage(guildID, channelID string, user *discordgo.User, content string) *discordgo.Message {
	return &discordgo.Message{
		GuildID:   guildID,
		ChannelID: channelID,
		Author:    user,
		Content:   content,
		Type:      discordgo.MessageTypeDefault,
	}
}
