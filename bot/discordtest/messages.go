package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// payload is a message object as the bot sent it.
type payload struct {
	raw    json.RawMessage
	fields map[string]json.RawMessage
	msg    discordgo.Message // content, embeds, components, flags, message_reference
	files  []File
}

// has reports whether the payload contained the field key (even as null).
func (p *payload) has(key string) bool { _, ok := p.fields[key]; return ok }

// messagePayload validates a message object from the request and decodes it.
// create says whether it makes a new message (which must not be empty). On
// failure it has answered the request and returns false.
func (ex *exchange) messagePayload(obj map[string]any, create bool) (*payload, bool) {
	return ex.messagePayloadAt(nil, obj, create)
}

// messagePayloadAt is messagePayload for a message object found at base in
// the request (["data"] in a callback), which field errors are reported under.
func (ex *exchange) messagePayloadAt(base []string, obj map[string]any, create bool) (*payload, bool) {
	if obj == nil {
		obj = map[string]any{}
	}
	if errs := validateMessage(base, obj); len(errs) > 0 {
		ex.rejectForm(errs)
		return nil, false
	}
	files := ex.rec.Files
	if len(files) > maxFiles {
		ex.rejectForm([]fieldError{{path: []string{"files"}, code: "BASE_TYPE_MAX_LENGTH",
			message: fmt.Sprintf("Must be %d or fewer in length.", maxFiles)}})
		return nil, false
	}
	for _, f := range files {
		if len(f.Data) > maxFileBytes {
			ex.reject(http.StatusRequestEntityTooLarge, codeRequestTooLarge, "Request entity too large")
			return nil, false
		}
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		ex.fail(http.StatusInternalServerError, codeGeneral, "discordtest: re-encoding message: "+err.Error())
		return nil, false
	}
	p := &payload{raw: raw, files: files}
	if err := json.Unmarshal(raw, &p.fields); err != nil {
		ex.fail(http.StatusInternalServerError, codeGeneral, "discordtest: decoding message: "+err.Error())
		return nil, false
	}
	if err := json.Unmarshal(raw, &p.msg); err != nil {
		ex.rejectForm([]fieldError{{path: append(append([]string(nil), base...), "components"),
			code: "UNION_TYPE_CHOICES", message: "Value of field \"type\" must be one of the known component types."}})
		return nil, false
	}
	if create && isEmptyMessage(obj, len(files)) {
		ex.reject(http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message")
		return nil, false
	}
	return p, true
}

// newMessageLocked stores a new message from the bot in a channel.
func (s *Server) newMessageLocked(channelID string, p *payload) *discordgo.Message {
	var m discordgo.Message
	_ = json.Unmarshal(p.raw, &m) // decoded once already in messagePayload
	bot := s.cfg.botUser
	m.ID = s.newIDLocked()
	m.ChannelID = channelID
	if ch := s.channels[channelID]; ch != nil {
		m.GuildID = ch.GuildID
	}
	m.Author = &bot
	m.Timestamp = s.now()
	m.Type = discordgo.MessageTypeDefault
	m.Mentions = []*discordgo.User{}
	m.Attachments = s.storeFilesLocked(channelID, p.files)
	if m.Embeds == nil {
		m.Embeds = []*discordgo.MessageEmbed{}
	}
	s.stored[m.ID] = &m
	return &m
}

// editMessage applies an edit payload to a stored message, checks the result
// is not empty, records it and answers with the message. It reports whether
// the edit was accepted.
func (s *Server) editMessage(ex *exchange, m *discordgo.Message, p *payload, kind MessageKind, interactionID string) bool {
	s.mu.Lock()
	edited := cloneMessage(m)
	s.applyEditLocked(edited, p)
	if isEmptyStored(edited) {
		s.mu.Unlock()
		ex.reject(http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message")
		return false
	}
	*m = *edited
	out := s.recordMessageLocked(ex, kind, p, m, interactionID)
	s.mu.Unlock()
	ex.reply(http.StatusOK, out)
	return true
}

// applyEditLocked changes the fields an edit payload contains.
func (s *Server) applyEditLocked(m *discordgo.Message, p *payload) {
	if p.has("content") {
		m.Content = p.msg.Content
	}
	if p.has("embeds") {
		m.Embeds = p.msg.Embeds
		if m.Embeds == nil {
			m.Embeds = []*discordgo.MessageEmbed{}
		}
	}
	if p.has("components") {
		m.Components = p.msg.Components
	}
	if p.has("flags") {
		// Only SUPPRESS_EMBEDS may be changed by an edit.
		m.Flags = m.Flags&^discordgo.MessageFlagsSuppressEmbeds | p.msg.Flags&discordgo.MessageFlagsSuppressEmbeds
	}
	if p.has("attachments") {
		keep := map[string]bool{}
		for _, a := range p.msg.Attachments {
			keep[a.ID] = true
		}
		kept := []*discordgo.MessageAttachment{}
		for _, a := range m.Attachments {
			if keep[a.ID] {
				kept = append(kept, a)
			}
		}
		m.Attachments = kept
	}
	m.Attachments = append(m.Attachments, s.storeFilesLocked(m.ChannelID, p.files)...)
	m.Flags &^= discordgo.MessageFlagsLoading
	now := s.now()
	m.EditedTimestamp = &now
}

// recordMessageLocked records a message the bot sent and returns a copy of
// the stored message to answer with.
func (s *Server) recordMessageLocked(ex *exchange, kind MessageKind, p *payload, m *discordgo.Message, interactionID string) *discordgo.Message {
	rec := Message{
		Kind:          kind,
		ID:            m.ID,
		ChannelID:     m.ChannelID,
		InteractionID: interactionID,
		Content:       p.msg.Content,
		Embeds:        p.msg.Embeds,
		Components:    p.msg.Components,
		Flags:         p.msg.Flags,
		Reference:     p.msg.MessageReference,
		Files:         p.files,
		Payload:       p.raw,
		Result:        cloneMessage(m),
		RequestSeq:    ex.rec.Seq,
		Time:          s.now(),
	}
	if raw, ok := p.fields["allowed_mentions"]; ok {
		rec.AllowedMentionsJSON = raw
		var am *discordgo.MessageAllowedMentions
		if json.Unmarshal(raw, &am) == nil {
			rec.AllowedMentions = am
		}
	}
	s.messages = append(s.messages, rec)
	s.notifyLocked()
	return cloneMessage(m)
}

// cloneMessage deep-copies a message through JSON, so recorded and stored
// messages never share memory.
func cloneMessage(m *discordgo.Message) *discordgo.Message {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("discordtest: copying message: %v", err)) // a stored message always encodes
	}
	var out discordgo.Message
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("discordtest: copying message: %v", err))
	}
	return &out
}

// isEmptyMessage reports whether a new message has nothing to show, which
// Discord rejects with 50006.
func isEmptyMessage(obj map[string]any, files int) bool {
	content, _ := obj["content"].(string)
	embeds, _ := obj["embeds"].([]any)
	stickers, _ := obj["sticker_ids"].([]any)
	components, _ := obj["components"].([]any)
	flags, _ := obj["flags"].(float64)
	v2 := int64(flags)&int64(discordgo.MessageFlagsIsComponentsV2) != 0
	return strings.TrimSpace(content) == "" && len(embeds) == 0 && len(stickers) == 0 &&
		obj["poll"] == nil && files == 0 && !(v2 && len(components) > 0)
}

// isEmptyStored reports whether a stored message would be empty after an edit.
func isEmptyStored(m *discordgo.Message) bool {
	if m.Flags&discordgo.MessageFlagsLoading != 0 {
		return false
	}
	v2 := m.Flags&discordgo.MessageFlagsIsComponentsV2 != 0
	return strings.TrimSpace(m.Content) == "" && len(m.Embeds) == 0 && len(m.Attachments) == 0 &&
		len(m.StickerItems) == 0 && m.Poll == nil && !(v2 && len(m.Components) > 0)
}
