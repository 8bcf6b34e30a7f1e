package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"
)

// interactionState is what the fake knows about one dispatched interaction.
type interactionState struct {
	i       discordgo.Interaction // as dispatched
	created time.Time

	ackType    discordgo.InteractionResponseType // 0 until the first accepted callback
	originalID string                            // the @original message, "" if none
	loading    bool                              // @original is still the deferred "thinking" message
	followUps  map[string]bool                   // IDs of follow-up messages
}

// replyFlags are the message flags a bot may set on an interaction reply or follow-up.
const replyFlags = discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds |
	discordgo.MessageFlagsSuppressNotifications | discordgo.MessageFlagsIsComponentsV2

// DispatchInteraction sends INTERACTION_CREATE for i, as Discord would when a
// user runs a command, presses a button, submits a modal or types in an
// autocompleted option. It fills in, when absent, i.ID, i.Token, i.AppID,
// i.Version, i.Locale and the command ID (from the registered commands), so
// the caller can read them afterwards. The interaction's channel, member and
// message become known to the REST routes.
func (s *Server) DispatchInteraction(i *discordgo.Interaction) error {
	if i == nil {
		return errors.New("discordtest: dispatching interaction: nil interaction")
	}
	if i.Type == 0 {
		return errors.New("discordtest: dispatching interaction: Type is not set")
	}
	if i.Message != nil && i.Message.ID == "" {
		return errors.New("discordtest: dispatching interaction: Message has no ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sessions) == 0 {
		return fmt.Errorf("dispatching INTERACTION_CREATE: %w", ErrNoGatewaySession)
	}
	if i.ID == "" {
		i.ID = s.newIDLocked()
	}
	if _, dup := s.interactions[i.ID]; dup {
		return fmt.Errorf("discordtest: dispatching interaction: ID %s was already dispatched", i.ID)
	}
	if i.Token == "" {
		i.Token = randomToken("itok_")
	}
	if i.AppID == "" {
		i.AppID = s.cfg.appID
	}
	if i.Version == 0 {
		i.Version = 1
	}
	if i.Locale == "" {
		i.Locale = discordgo.EnglishUS
	}
	if d, ok := i.Data.(discordgo.ApplicationCommandInteractionData); ok && d.ID == "" {
		d.ID = s.commandIDLocked(i.GuildID, d.Name)
		if d.ID == "" {
			d.ID = s.newIDLocked()
		}
		i.Data = d
	}

	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if user != nil {
		u := *user
		s.users[u.ID] = &u
	}
	s.ensureChannelLocked(i.ChannelID, i.GuildID, user)
	if i.Member != nil && i.GuildID != "" {
		s.addMemberLocked(i.GuildID, i.Member)
	}
	if i.Message != nil && s.stored[i.Message.ID] == nil {
		s.stored[i.Message.ID] = cloneMessage(i.Message)
	}

	raw, err := marshalInteraction(i)
	if err != nil {
		return err
	}
	st := &interactionState{i: *i, created: s.now(), followUps: map[string]bool{}}
	s.interactions[i.ID] = st
	s.byToken[i.Token] = st
	return s.dispatchGuildLocked(i.GuildID, "INTERACTION_CREATE", raw)
}

// marshalInteraction encodes an interaction as Discord sends it. discordgo
// does not encode a modal submit's components (its field is tagged "-"), so
// they are added here. An interaction with nil Data is sent without a
// "data" field (discordgo would send "data": null), as an interaction
// without data comes (see Dataless).
func marshalInteraction(i *discordgo.Interaction) (json.RawMessage, error) {
	raw, err := json.Marshal(i)
	if err != nil {
		return nil, fmt.Errorf("discordtest: encoding interaction: %w", err)
	}
	var md *discordgo.ModalSubmitInteractionData
	switch d := i.Data.(type) {
	case discordgo.ModalSubmitInteractionData:
		md = &d
	case *discordgo.ModalSubmitInteractionData:
		md = d
	}
	if md == nil && i.Data != nil {
		return raw, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("discordtest: re-decoding interaction: %w", err)
	}
	if md == nil {
		delete(obj, "data")
	} else {
		data, err := json.Marshal(map[string]any{"custom_id": md.CustomID, "components": md.Components})
		if err != nil {
			return nil, fmt.Errorf("discordtest: encoding modal submit components: %w", err)
		}
		obj["data"] = data
	}
	raw, err = json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("discordtest: encoding interaction: %w", err)
	}
	return raw, nil
}

// Interaction returns the interaction as dispatched, by ID.
func (s *Server) Interaction(id string) (*discordgo.Interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[id]
	if st == nil {
		return nil, false
	}
	i := st.i
	return &i, true
}

// newInteractionMessageLocked stores a message sent through an interaction's webhook.
func (s *Server) newInteractionMessageLocked(st *interactionState, p *payload) *discordgo.Message {
	m := s.newMessageLocked(st.i.ChannelID, p)
	m.Flags = p.msg.Flags & replyFlags
	m.WebhookID = s.cfg.appID
	if st.i.Type == discordgo.InteractionApplicationCommand {
		m.Type = discordgo.MessageTypeChatInputCommand
		if d, ok := st.i.Data.(discordgo.ApplicationCommandInteractionData); ok && d.CommandType != discordgo.ChatApplicationCommand {
			m.Type = discordgo.MessageTypeContextMenuCommand
		}
	}
	return m
}
