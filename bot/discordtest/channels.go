package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// AddChannel makes a channel known to GET /channels/{id} and lets the bot post in it.
func (s *Server) AddChannel(ch *discordgo.Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *ch
	s.channels[c.ID] = &c
}

// Channel returns a copy of a channel the fake knows: one added, seen in an
// event, or a DM the bot opened.
func (s *Server) Channel(channelID string) (*discordgo.Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return nil, false
	}
	out := *ch
	out.Recipients = append([]*discordgo.User(nil), ch.Recipients...)
	return &out, true
}

// ensureChannelLocked makes sure a channel seen in an event is known: a guild
// text channel, or a DM with the given user.
func (s *Server) ensureChannelLocked(channelID, guildID string, user *discordgo.User) {
	if channelID == "" || s.channels[channelID] != nil {
		return
	}
	ch := &discordgo.Channel{ID: channelID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText, Name: "general"}
	if guildID == "" {
		ch.Type = discordgo.ChannelTypeDM
		ch.Name = ""
		if user != nil {
			u := *user
			ch.Recipients = []*discordgo.User{&u}
		}
	}
	s.channels[channelID] = ch
	if guildID != "" && s.members[guildID] == nil {
		s.members[guildID] = map[string]*discordgo.Member{}
	}
}

// StoredMessage returns a copy of a message as the fake now holds it.
func (s *Server) StoredMessage(messageID string) (*discordgo.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.stored[messageID]
	if m == nil {
		return nil, false
	}
	return cloneMessage(m), true
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
	return s.dispatchGuildLocked(m.GuildID, "MESSAGE_CREATE", raw)
}

// getChannel handles GET /channels/{channel}.
func (s *Server) getChannel(ex *exchange) {
	s.mu.Lock()
	ch := s.channels[ex.r.PathValue("channel")]
	s.mu.Unlock()
	if ch == nil {
		ex.fail(http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
		return
	}
	ex.reply(http.StatusOK, ch)
}

// storedInChannelLocked finds a message by channel and ID.
func (s *Server) storedInChannelLocked(channelID, messageID string) *discordgo.Message {
	m := s.stored[messageID]
	if m == nil || m.ChannelID != channelID {
		return nil
	}
	return m
}

// getChannelMessage handles GET /channels/{channel}/messages/{message}.
func (s *Server) getChannelMessage(ex *exchange) {
	s.mu.Lock()
	m := s.storedInChannelLocked(ex.r.PathValue("channel"), ex.r.PathValue("message"))
	var out *discordgo.Message
	if m != nil {
		out = cloneMessage(m)
	}
	s.mu.Unlock()
	if out == nil {
		ex.fail(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		return
	}
	ex.reply(http.StatusOK, out)
}

// postChannelMessage handles POST /channels/{channel}/messages: a new
// message, or a reply when it has a message_reference (which must exist
// unless fail_if_not_exists is false).
func (s *Server) postChannelMessage(ex *exchange) {
	channelID := ex.r.PathValue("channel")
	p, ok := ex.messagePayload(ex.body(), true)
	if !ok {
		return
	}
	s.mu.Lock()
	if s.channels[channelID] == nil {
		s.mu.Unlock()
		ex.fail(http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
		return
	}
	if ref := p.msg.MessageReference; ref != nil {
		failIfMissing := ref.FailIfNotExists == nil || *ref.FailIfNotExists
		refChannel := ref.ChannelID
		if refChannel == "" {
			refChannel = channelID
		}
		if s.storedInChannelLocked(refChannel, ref.MessageID) == nil && failIfMissing {
			s.mu.Unlock()
			ex.rejectForm([]fieldError{{
				path: []string{"message_reference"}, code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", message: "Unknown message",
			}})
			return
		}
	}
	m := s.newMessageLocked(channelID, p)
	if p.msg.MessageReference != nil {
		m.Type = discordgo.MessageTypeReply
	}
	out := s.recordMessageLocked(ex, KindChannelMessage, p, m, "")
	s.mu.Unlock()
	ex.reply(http.StatusOK, out)
}

// patchChannelMessage handles PATCH /channels/{channel}/messages/{message}:
// the bot may edit only its own messages.
func (s *Server) patchChannelMessage(ex *exchange) {
	p, ok := ex.messagePayload(ex.body(), false)
	if !ok {
		return
	}
	s.mu.Lock()
	m := s.storedInChannelLocked(ex.r.PathValue("channel"), ex.r.PathValue("message"))
	switch {
	case m == nil:
		s.mu.Unlock()
		ex.fail(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		return
	case m.Author == nil || m.Author.ID != s.cfg.botUser.ID:
		s.mu.Unlock()
		ex.reject(http.StatusForbidden, codeCannotEditOthersMessage, "Cannot edit a message authored by another user")
		return
	}
	s.mu.Unlock()
	s.editMessage(ex, m, p, KindChannelEdit, "")
}

// deleteChannelMessage handles DELETE /channels/{channel}/messages/{message}.
func (s *Server) deleteChannelMessage(ex *exchange) {
	s.mu.Lock()
	m := s.storedInChannelLocked(ex.r.PathValue("channel"), ex.r.PathValue("message"))
	if m != nil {
		delete(s.stored, m.ID)
	}
	s.mu.Unlock()
	if m == nil {
		ex.fail(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		return
	}
	ex.reply(http.StatusNoContent, nil)
}
