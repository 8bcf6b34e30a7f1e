package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	return s.dispatchAllLocked("INTERACTION_CREATE", raw)
}

// marshalInteraction encodes an interaction as Discord sends it. discordgo
// does not encode a modal submit's components (its field is tagged "-"), so
// they are added here.
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
	if md == nil {
		return raw, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("discordtest: re-decoding interaction: %w", err)
	}
	data, err := json.Marshal(map[string]any{"custom_id": md.CustomID, "components": md.Components})
	if err != nil {
		return nil, fmt.Errorf("discordtest: encoding modal submit components: %w", err)
	}
	obj["data"] = data
	raw, err = json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("discordtest: encoding interaction: %w", err)
	}
	return raw, nil
}

// DispatchMessage sends MESSAGE_CREATE for m, as Discord would when a user
// posts. ChannelID and Author are required; ID and Timestamp are filled in
// when absent. The message becomes known (so the bot may reply to it), as
// do its channel and author.
func (s *Server) DispatchMessage(m *discordgo.Message) error {
	switch {
	case m == nil:
		return errors.New("discordtest: dispatching message: nil message")
	case m.ChannelID == "":
		return errors.New("discordtest: dispatching message: ChannelID is not set")
	case m.Author == nil:
		return errors.New("discordtest: dispatching message: Author is not set")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sessions) == 0 {
		return fmt.Errorf("dispatching MESSAGE_CREATE: %w", ErrNoGatewaySession)
	}
	if m.ID == "" {
		m.ID = s.newIDLocked()
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = s.now()
	}
	u := *m.Author
	s.users[u.ID] = &u
	s.ensureChannelLocked(m.ChannelID, m.GuildID, m.Author)
	if m.Member != nil && m.GuildID != "" {
		mem := *m.Member
		mem.User = &u
		s.addMemberLocked(m.GuildID, &mem)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("discordtest: encoding message: %w", err)
	}
	s.stored[m.ID] = cloneMessage(m)
	return s.dispatchAllLocked("MESSAGE_CREATE", raw)
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

// callbackErrorLocked says why a callback for st cannot be accepted now, or
// returns status 0 when it can.
func (s *Server) callbackErrorLocked(st *interactionState) (status, code int, message string) {
	switch {
	case st.ackType != 0:
		return http.StatusBadRequest, codeAlreadyAcknowledged, "Interaction has already been acknowledged."
	case s.now().Sub(st.created) > s.cfg.interactionDeadline:
		return http.StatusNotFound, codeUnknownInteraction, "Unknown interaction"
	}
	return 0, 0, ""
}

// postCallback handles POST /interactions/{id}/{token}/callback.
func (s *Server) postCallback(ex *exchange) {
	s.mu.Lock()
	st := s.interactions[ex.r.PathValue("id")]
	if st == nil || st.i.Token != ex.r.PathValue("token") {
		s.mu.Unlock()
		ex.fail(http.StatusNotFound, codeUnknownInteraction, "Unknown interaction")
		return
	}
	status, code, msg := s.callbackErrorLocked(st)
	itype := st.i.Type
	hasMessage := st.i.Message != nil
	s.mu.Unlock()
	if status != 0 {
		ex.reject(status, code, msg)
		return
	}

	obj := ex.body()
	if obj == nil {
		obj = map[string]any{}
	}
	typNum, _ := obj["type"].(float64)
	typ := discordgo.InteractionResponseType(typNum)
	data, _ := obj["data"].(map[string]any)
	invalidType := func() {
		ex.rejectForm([]fieldError{{path: []string{"type"}, code: "INTERACTION_RESPONSE_TYPE_INVALID",
			message: fmt.Sprintf("Interaction response type %d is not valid for a %s interaction", typ, itype)}})
	}

	var p *payload
	switch typ {
	case discordgo.InteractionResponseChannelMessageWithSource:
		var ok bool
		if p, ok = ex.messagePayloadAt([]string{"data"}, data, true); !ok {
			return
		}
	case discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseDeferredMessageUpdate:
		var ok bool
		if p, ok = ex.messagePayloadAt([]string{"data"}, data, false); !ok {
			return
		}
		if typ == discordgo.InteractionResponseDeferredMessageUpdate && !hasMessage {
			invalidType()
			return
		}
	case discordgo.InteractionResponseUpdateMessage:
		if !hasMessage {
			invalidType()
			return
		}
		var ok bool
		if p, ok = ex.messagePayloadAt([]string{"data"}, data, false); !ok {
			return
		}
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if itype != discordgo.InteractionApplicationCommandAutocomplete {
			invalidType()
			return
		}
		if errs := validateChoices(data); len(errs) > 0 {
			ex.rejectForm(errs)
			return
		}
	case discordgo.InteractionResponseModal:
		if itype == discordgo.InteractionApplicationCommandAutocomplete || itype == discordgo.InteractionModalSubmit {
			invalidType()
			return
		}
		if errs := validateModal(data); len(errs) > 0 {
			ex.rejectForm(errs)
			return
		}
	default:
		ex.rejectForm([]fieldError{{path: []string{"type"}, code: "BASE_TYPE_CHOICES",
			message: "Value must be one of {4, 5, 6, 7, 8, 9}."}})
		return
	}

	s.mu.Lock()
	// Checked again: another callback may have been accepted meanwhile.
	if status, code, msg := s.callbackErrorLocked(st); status != 0 {
		s.mu.Unlock()
		ex.reject(status, code, msg)
		return
	}
	st.ackType = typ
	switch typ {
	case discordgo.InteractionResponseChannelMessageWithSource:
		m := s.newInteractionMessageLocked(st, p)
		st.originalID = m.ID
		s.recordMessageLocked(ex, KindInteractionReply, p, m, st.i.ID)
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		m := s.newInteractionMessageLocked(st, p)
		m.Content = ""
		m.Embeds = []*discordgo.MessageEmbed{}
		m.Components = nil
		m.Flags = m.Flags&discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsLoading
		st.originalID = m.ID
		st.loading = true
		s.recordMessageLocked(ex, KindDeferredReply, p, m, st.i.ID)
	case discordgo.InteractionResponseDeferredMessageUpdate:
		st.originalID = st.i.Message.ID
	case discordgo.InteractionResponseUpdateMessage:
		st.originalID = st.i.Message.ID
		if m := s.stored[st.originalID]; m != nil {
			s.applyEditLocked(m, p)
			s.recordMessageLocked(ex, KindComponentUpdate, p, m, st.i.ID)
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	ex.reply(http.StatusNoContent, nil)
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

// webhookStateLocked finds the interaction behind /webhooks/{app}/{token} and
// checks the token may be used; on failure it returns the error to answer.
func (s *Server) webhookStateLocked(ex *exchange) (st *interactionState, status, code int, message string) {
	if ex.r.PathValue("app") != s.cfg.appID {
		return nil, http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook"
	}
	st = s.byToken[ex.r.PathValue("token")]
	switch {
	case st == nil:
		return nil, http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook"
	case s.now().Sub(st.created) > s.cfg.tokenLifetime:
		return nil, http.StatusUnauthorized, codeInvalidWebhookToken, "Invalid Webhook Token"
	case st.ackType == 0 || st.ackType == discordgo.InteractionApplicationCommandAutocompleteResult:
		// The interaction's webhook exists only once it has been acknowledged.
		return nil, http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook"
	}
	return st, 0, 0, ""
}

// postFollowUp handles POST /webhooks/{app}/{token}. For interaction tokens
// Discord always answers with the message ("wait is always true"); discordgo
// ignores the body unless it asked with ?wait=true. The first follow-up after
// a deferred reply replaces the "thinking" message, as on Discord.
func (s *Server) postFollowUp(ex *exchange) {
	s.mu.Lock()
	_, status, code, msg := s.webhookStateLocked(ex)
	s.mu.Unlock()
	if status != 0 {
		ex.reject(status, code, msg)
		return
	}
	p, ok := ex.messagePayload(ex.body(), true)
	if !ok {
		return
	}
	s.mu.Lock()
	st, status, code, msg := s.webhookStateLocked(ex)
	if status != 0 {
		s.mu.Unlock()
		ex.reject(status, code, msg)
		return
	}
	var m *discordgo.Message
	if orig := s.stored[st.originalID]; st.loading && orig != nil {
		s.applyEditLocked(orig, p)
		orig.EditedTimestamp = nil
		st.loading = false
		m = orig
	} else {
		m = s.newInteractionMessageLocked(st, p)
		m.Type = discordgo.MessageTypeDefault
		st.followUps[m.ID] = true
	}
	out := s.recordMessageLocked(ex, KindFollowUp, p, m, st.i.ID)
	s.mu.Unlock()
	ex.reply(http.StatusOK, out)
}

// webhookMessage resolves /webhooks/{app}/{token}/messages/{message}
// (@original or a follow-up ID); on failure it has answered the request.
func (s *Server) webhookMessage(ex *exchange) (*interactionState, *discordgo.Message, bool) {
	s.mu.Lock()
	st, status, code, msg := s.webhookStateLocked(ex)
	if status != 0 {
		s.mu.Unlock()
		ex.reject(status, code, msg)
		return nil, nil, false
	}
	id := ex.r.PathValue("message")
	if id == "@original" {
		id = st.originalID
	} else if !st.followUps[id] && id != st.originalID {
		id = ""
	}
	m := s.stored[id]
	s.mu.Unlock()
	if m == nil {
		ex.fail(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		return nil, nil, false
	}
	return st, m, true
}

func (s *Server) getWebhookMessage(ex *exchange) {
	if _, m, ok := s.webhookMessage(ex); ok {
		s.mu.Lock()
		out := cloneMessage(m)
		s.mu.Unlock()
		ex.reply(http.StatusOK, out)
	}
}

func (s *Server) patchWebhookMessage(ex *exchange) {
	st, m, ok := s.webhookMessage(ex)
	if !ok {
		return
	}
	p, ok := ex.messagePayload(ex.body(), false)
	if !ok {
		return
	}
	kind := KindEditFollowUp
	if ex.r.PathValue("message") == "@original" {
		kind = KindEditOriginal
	}
	if s.editMessage(ex, m, p, kind, st.i.ID) {
		s.mu.Lock()
		if m.ID == st.originalID {
			st.loading = false
		}
		s.mu.Unlock()
	}
}

func (s *Server) deleteWebhookMessage(ex *exchange) {
	_, m, ok := s.webhookMessage(ex)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.stored, m.ID)
	s.notifyLocked()
	s.mu.Unlock()
	ex.reply(http.StatusNoContent, nil)
}
