package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Request size limits.
const (
	maxRequestBytes = 64 << 20 // the fake reads at most this much of a body
	maxFileBytes    = 10 << 20 // Discord's default upload limit per file
	maxFiles        = 10
)

// Discord JSON error codes the fake answers with
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
const (
	codeGeneral                 = 0
	codeUnknownChannel          = 10003
	codeUnknownGuild            = 10004
	codeUnknownMember           = 10007
	codeUnknownMessage          = 10008
	codeUnknownUser             = 10013
	codeUnknownWebhook          = 10015
	codeUnknownInteraction      = 10062
	codeUnknownCommand          = 10063
	codeRequestTooLarge         = 40005
	codeAlreadyAcknowledged     = 40060
	codeMissingAccess           = 50001
	codeCannotEditOthersMessage = 50005
	codeEmptyMessage            = 50006
	codeInvalidWebhookToken     = 50027
	codeInvalidRecipients       = 50033
	codeInvalidFormBody         = 50035
	codeInvalidJSON             = 50109
)

// exchange is one REST request being answered.
type exchange struct {
	s   *Server
	w   http.ResponseWriter
	r   *http.Request
	rec *Request
}

type exchangeKey struct{}

// serveREST records a request, checks authorization, holds it if asked,
// applies injected faults and routes it.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	host := r.Header.Get(originalHostHeader)
	if host == "" {
		host = r.Host
	}
	rec := &Request{
		Method: r.Method,
		Host:   host,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
	}
	var decodeErr error
	if readErr == nil && len(body) > 0 {
		rec.Body, rec.Files, decodeErr = decodeBody(r.Header.Get("Content-Type"), body)
		if decodeErr == nil && len(rec.Body) > 0 {
			decodeErr = json.Unmarshal(rec.Body, &rec.JSON)
		}
	}
	s.mu.Lock()
	s.requestSeq++
	rec.Seq = s.requestSeq
	rec.Time = s.now()
	s.requests = append(s.requests, rec)
	s.notifyLocked()
	s.mu.Unlock()

	ex := &exchange{s: s, w: w, r: r, rec: rec}
	switch {
	case readErr != nil:
		ex.fail(http.StatusRequestEntityTooLarge, codeRequestTooLarge, "Request entity too large")
	case strings.HasPrefix(r.URL.Path, "/api/") && r.Header.Get("Authorization") != "Bot "+s.cfg.token:
		ex.fail(http.StatusUnauthorized, codeGeneral, "401: Unauthorized")
	case decodeErr != nil:
		ex.fail(http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.")
	default:
		s.holdIfAsked(ex)
		if !s.injectFault(ex) {
			s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex)))
		}
	}
}

// decodeBody returns the JSON part of a body and, for multipart bodies, the
// files, as Discord reads them: payload_json plus files[n].
func decodeBody(contentType string, body []byte) (jsonBody []byte, files []File, err error) {
	mt, params, _ := mime.ParseMediaType(contentType)
	if mt != "multipart/form-data" {
		return body, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return jsonBody, files, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading multipart body: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("reading multipart part %q: %w", part.FormName(), err)
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			jsonBody = data
		case part.FileName() != "":
			files = append(files, File{
				Field:       name,
				Name:        part.FileName(),
				ContentType: part.Header.Get("Content-Type"),
				Data:        data,
			})
		}
	}
}

// routes registers every REST route the fake serves.
func (s *Server) routes() {
	s.handle("GET /api/{v}/gateway", s.getGateway)
	s.handle("GET /api/{v}/gateway/bot", s.getGatewayBot)
	s.handle("GET /api/{v}/users/@me", s.getMe)
	s.handle("GET /api/{v}/users/{user}", s.getUser)
	s.handle("POST /api/{v}/users/@me/channels", s.createDM)

	s.handle("GET /api/{v}/channels/{channel}", s.getChannel)
	s.handle("POST /api/{v}/channels/{channel}/messages", s.postChannelMessage)
	s.handle("GET /api/{v}/channels/{channel}/messages/{message}", s.getChannelMessage)
	s.handle("PATCH /api/{v}/channels/{channel}/messages/{message}", s.patchChannelMessage)
	s.handle("DELETE /api/{v}/channels/{channel}/messages/{message}", s.deleteChannelMessage)
	s.handle("GET /api/{v}/guilds/{guild}/members/{user}", s.getMember)

	for _, prefix := range []string{"/api/{v}/applications/{app}", "/api/{v}/applications/{app}/guilds/{guild}"} {
		s.handle("GET "+prefix+"/commands", s.getCommands)
		s.handle("PUT "+prefix+"/commands", s.putCommands)
		s.handle("POST "+prefix+"/commands", s.postCommand)
		s.handle("DELETE "+prefix+"/commands/{command}", s.deleteCommand)
	}

	s.handle("POST /api/{v}/interactions/{id}/{token}/callback", s.postCallback)
	s.handle("POST /api/{v}/webhooks/{app}/{token}", s.postFollowUp)
	s.handle("GET /api/{v}/webhooks/{app}/{token}/messages/{message}", s.getWebhookMessage)
	s.handle("PATCH /api/{v}/webhooks/{app}/{token}/messages/{message}", s.patchWebhookMessage)
	s.handle("DELETE /api/{v}/webhooks/{app}/{token}/messages/{message}", s.deleteWebhookMessage)

	s.handle("GET /attachments/{channel}/{attachment}/{filename}", s.getAttachment)

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		r.Context().Value(exchangeKey{}).(*exchange).unknown()
	})
}

// handle registers a route; only API versions 9 and 10 are served.
func (s *Server) handle(pattern string, h func(*exchange)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		ex := r.Context().Value(exchangeKey{}).(*exchange)
		ex.r = r // carries the path values
		if strings.Contains(pattern, "{v}") {
			if v := r.PathValue("v"); v != "v9" && v != "v10" {
				ex.unknown()
				return
			}
		}
		s.mu.Lock()
		ex.rec.Route = pattern
		s.mu.Unlock()
		h(ex)
	})
}

// reply answers with a JSON body (none for 204) and records the answer.
func (ex *exchange) reply(status int, v any) {
	var body []byte
	if status != http.StatusNoContent && v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			status = http.StatusInternalServerError
			body = []byte(fmt.Sprintf(`{"message":"discordtest: encoding response: %s","code":0}`, strings.ReplaceAll(err.Error(), `"`, `'`)))
		}
		ex.w.Header().Set("Content-Type", "application/json")
	}
	ex.w.WriteHeader(status)
	_, _ = ex.w.Write(body) // the client may have gone; the record still holds the answer
	ex.s.mu.Lock()
	ex.rec.Status = status
	ex.rec.Response = body
	ex.s.notifyLocked()
	ex.s.mu.Unlock()
}

// fail answers with Discord's error shape {"message": ..., "code": ...}.
func (ex *exchange) fail(status, code int, message string) {
	ex.reply(status, map[string]any{"message": message, "code": code})
}

// unknown answers 404 for a route the fake does not serve, and marks it.
func (ex *exchange) unknown() {
	ex.s.mu.Lock()
	ex.rec.Unknown = true
	ex.s.mu.Unlock()
	ex.fail(http.StatusNotFound, codeGeneral, "404: Not Found")
}

// violationLocked records a broken rule for this request.
func (ex *exchange) violationLocked(field, code, message string) {
	ex.s.violations = append(ex.s.violations, Violation{
		RequestSeq: ex.rec.Seq,
		Method:     ex.rec.Method,
		Path:       ex.rec.Path,
		Field:      field,
		Code:       code,
		Message:    message,
	})
}

// reject records a violation and answers with a plain Discord error.
// Call it without holding the lock.
func (ex *exchange) reject(status, code int, message string) {
	ex.s.mu.Lock()
	ex.violationLocked("", fmt.Sprint(code), message)
	ex.s.mu.Unlock()
	ex.fail(status, code, message)
}

// rejectForm records one violation per field error and answers 400 with
// Discord's "Invalid Form Body" (50035) error tree. Call it without the lock.
func (ex *exchange) rejectForm(errs []fieldError) {
	ex.s.mu.Lock()
	for _, e := range errs {
		ex.violationLocked(strings.Join(e.path, "."), e.code, e.message)
	}
	ex.s.mu.Unlock()
	ex.reply(http.StatusBadRequest, formErrorBody(errs))
}

// body returns the request's JSON object, or nil when it is not an object.
func (ex *exchange) body() map[string]any {
	m, _ := ex.rec.JSON.(map[string]any)
	return m
}

// ---- Gateway and users ------------------------------------------------------

func (s *Server) getGateway(ex *exchange) {
	ex.reply(http.StatusOK, map[string]any{"url": s.GatewayURL()})
}

func (s *Server) getGatewayBot(ex *exchange) {
	ex.reply(http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": 1,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
		},
	})
}

func (s *Server) getMe(ex *exchange) { ex.reply(http.StatusOK, s.cfg.botUser) }

func (s *Server) getUser(ex *exchange) {
	s.mu.Lock()
	u := s.users[ex.r.PathValue("user")]
	s.mu.Unlock()
	if u == nil {
		ex.fail(http.StatusNotFound, codeUnknownUser, "Unknown User")
		return
	}
	ex.reply(http.StatusOK, u)
}

// createDM handles POST /users/@me/channels ({"recipient_id": ...}): the DM
// channel with a user, the one already open when there is one, as Discord
// answers it.
func (s *Server) createDM(ex *exchange) {
	id, _ := ex.body()["recipient_id"].(string)
	if id == "" {
		ex.rejectForm([]fieldError{{path: []string{"recipient_id"}, code: "BASE_TYPE_REQUIRED", message: "This field is required"}})
		return
	}
	s.mu.Lock()
	u := s.users[id]
	if u == nil || id == s.cfg.botUser.ID {
		s.mu.Unlock()
		ex.fail(http.StatusBadRequest, codeInvalidRecipients, "Invalid Recipient(s)")
		return
	}
	ch := s.dmChannelLocked(u)
	out := *ch
	s.mu.Unlock()
	ex.reply(http.StatusOK, &out)
}

// dmChannelLocked returns the DM channel with u, opening one if needed.
func (s *Server) dmChannelLocked(u *discordgo.User) *discordgo.Channel {
	for _, ch := range s.channels {
		if ch.Type == discordgo.ChannelTypeDM && len(ch.Recipients) == 1 && ch.Recipients[0].ID == u.ID {
			return ch
		}
	}
	cp := *u
	ch := &discordgo.Channel{ID: s.newIDLocked(), Type: discordgo.ChannelTypeDM, Recipients: []*discordgo.User{&cp}}
	s.channels[ch.ID] = ch
	return ch
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

// ---- Channels, messages, members --------------------------------------------

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

func (s *Server) getMember(ex *exchange) {
	s.mu.Lock()
	g, known := s.members[ex.r.PathValue("guild")]
	m := g[ex.r.PathValue("user")]
	s.mu.Unlock()
	switch {
	case !known:
		ex.fail(http.StatusNotFound, codeUnknownGuild, "Unknown Guild")
	case m == nil:
		ex.fail(http.StatusNotFound, codeUnknownMember, "Unknown Member")
	default:
		ex.reply(http.StatusOK, m)
	}
}

// storedInChannelLocked finds a message by channel and ID.
func (s *Server) storedInChannelLocked(channelID, messageID string) *discordgo.Message {
	m := s.stored[messageID]
	if m == nil || m.ChannelID != channelID {
		return nil
	}
	return m
}

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

func (s *Server) getAttachment(ex *exchange) {
	key := ex.r.PathValue("channel") + "/" + ex.r.PathValue("attachment") + "/" + ex.r.PathValue("filename")
	s.mu.Lock()
	data, ok := s.attachments[key]
	s.mu.Unlock()
	if !ok {
		ex.fail(http.StatusNotFound, codeGeneral, "404: Not Found")
		return
	}
	ex.w.Header().Set("Content-Type", "application/octet-stream")
	ex.w.WriteHeader(http.StatusOK)
	_, _ = ex.w.Write(data)
	s.mu.Lock()
	ex.rec.Status = http.StatusOK
	s.notifyLocked()
	s.mu.Unlock()
}

// ---- Message payloads ---------------------------------------------------------

// payload is a message object as the bot sent it.
type payload struct {
	raw    json.RawMessage
	fields map[string]json.RawMessage
	msg    discordgo.Message // content, embeds, components, flags, message_reference
	files  []File
}

func (p *payload) has(key string) bool { _, ok := p.fields[key]; return ok }

// messagePayload validates a message object from the request and decodes it.
// create says whether it makes a new message (which must not be empty). On
// failure it has answered the request and returns false.
func (ex *exchange) messagePayload(obj map[string]any, create bool) (*payload, bool) {
	return ex.messagePayloadAt(nil, obj, create)
}

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

// storeFilesLocked keeps uploaded files so the CDN route can serve them.
func (s *Server) storeFilesLocked(channelID string, files []File) []*discordgo.MessageAttachment {
	out := []*discordgo.MessageAttachment{}
	for _, f := range files {
		id := s.newIDLocked()
		s.attachments[channelID+"/"+id+"/"+f.Name] = f.Data
		p := "attachments/" + channelID + "/" + id + "/" + url.PathEscape(f.Name)
		out = append(out, &discordgo.MessageAttachment{
			ID:          id,
			Filename:    f.Name,
			ContentType: f.ContentType,
			Size:        len(f.Data),
			URL:         "https://cdn.discordapp.com/" + p,
			ProxyURL:    "https://media.discordapp.net/" + p,
		})
	}
	return out
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

// ---- Application commands -----------------------------------------------------

// commandsKey is "" for global commands, else the guild ID.
func commandsKey(ex *exchange) string { return ex.r.PathValue("guild") }

// checkApp answers 403 when the path's application is not the bot's.
func (s *Server) checkApp(ex *exchange) bool {
	if ex.r.PathValue("app") != s.cfg.appID {
		ex.fail(http.StatusForbidden, codeMissingAccess, "Missing Access")
		return false
	}
	return true
}

func (s *Server) getCommands(ex *exchange) {
	if !s.checkApp(ex) {
		return
	}
	s.mu.Lock()
	out := append([]*discordgo.ApplicationCommand{}, s.commands[commandsKey(ex)]...)
	s.mu.Unlock()
	ex.reply(http.StatusOK, out)
}

// putCommands is the bulk overwrite: the body replaces every command.
func (s *Server) putCommands(ex *exchange) {
	if !s.checkApp(ex) {
		return
	}
	list, ok := ex.rec.JSON.([]any)
	if !ok {
		ex.rejectForm([]fieldError{{code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType"}})
		return
	}
	if errs := validateCommands(list); len(errs) > 0 {
		ex.rejectForm(errs)
		return
	}
	var cmds []*discordgo.ApplicationCommand
	if err := json.Unmarshal(ex.rec.Body, &cmds); err != nil {
		ex.fail(http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.")
		return
	}
	key := commandsKey(ex)
	s.mu.Lock()
	old := s.commands[key]
	stored := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	for _, c := range cmds {
		stored = append(stored, s.storeCommandLocked(key, c, old))
	}
	s.commands[key] = stored
	out := append([]*discordgo.ApplicationCommand{}, stored...)
	s.notifyLocked()
	s.mu.Unlock()
	ex.reply(http.StatusOK, out)
}

// postCommand creates or replaces (by name and type) one command.
func (s *Server) postCommand(ex *exchange) {
	if !s.checkApp(ex) {
		return
	}
	obj := ex.body()
	if errs := validateCommands([]any{obj}); len(errs) > 0 {
		for i := range errs {
			errs[i].path = errs[i].path[1:] // a single command: no index
		}
		ex.rejectForm(errs)
		return
	}
	var c discordgo.ApplicationCommand
	if err := json.Unmarshal(ex.rec.Body, &c); err != nil {
		ex.fail(http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.")
		return
	}
	key := commandsKey(ex)
	s.mu.Lock()
	old := s.commands[key]
	sc := s.storeCommandLocked(key, &c, old)
	status := http.StatusCreated
	kept := []*discordgo.ApplicationCommand{}
	for _, o := range old {
		if o.ID == sc.ID {
			status = http.StatusOK
			continue
		}
		kept = append(kept, o)
	}
	s.commands[key] = append(kept, sc)
	s.notifyLocked()
	s.mu.Unlock()
	ex.reply(status, sc)
}

func (s *Server) deleteCommand(ex *exchange) {
	if !s.checkApp(ex) {
		return
	}
	key, id := commandsKey(ex), ex.r.PathValue("command")
	s.mu.Lock()
	found := false
	kept := []*discordgo.ApplicationCommand{}
	for _, c := range s.commands[key] {
		if c.ID == id {
			found = true
			continue
		}
		kept = append(kept, c)
	}
	s.commands[key] = kept
	s.notifyLocked()
	s.mu.Unlock()
	if !found {
		ex.fail(http.StatusNotFound, codeUnknownCommand, "Unknown application command")
		return
	}
	ex.reply(http.StatusNoContent, nil)
}

// storeCommandLocked fills in the fields Discord adds; a command with the
// same name and type as an existing one keeps its ID.
func (s *Server) storeCommandLocked(guildID string, c *discordgo.ApplicationCommand, old []*discordgo.ApplicationCommand) *discordgo.ApplicationCommand {
	out := *c
	if out.Type == 0 {
		out.Type = discordgo.ChatApplicationCommand
	}
	out.ID = ""
	for _, o := range old {
		if o.Name == out.Name && o.Type == out.Type {
			out.ID = o.ID
		}
	}
	if out.ID == "" {
		out.ID = s.newIDLocked()
	}
	out.ApplicationID = s.cfg.appID
	out.GuildID = guildID
	out.Version = s.newIDLocked()
	return &out
}

// Commands returns the commands registered for a guild, or the global ones
// when guildID is "".
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*discordgo.ApplicationCommand(nil), s.commands[guildID]...)
}

// commandIDLocked finds a registered command's ID by name, guild first.
func (s *Server) commandIDLocked(guildID, name string) string {
	for _, key := range []string{guildID, ""} {
		for _, c := range s.commands[key] {
			if c.Name == name {
				return c.ID
			}
		}
	}
	return ""
}

// ---- Fixtures -----------------------------------------------------------------

// AddGuild makes a guild known: it is listed (unavailable) in READY and sent
// in full as GUILD_CREATE after it, as Discord does; its channels and members
// become known to the REST routes. A guild added while the bot is connected
// is sent as GUILD_CREATE at once, as when the bot joins a guild.
func (s *Server) AddGuild(g *discordgo.Guild) error {
	raw, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("discordtest: encoding guild %s: %w", g.ID, err)
	}
	var cp discordgo.Guild // a deep copy: the caller keeps its guild
	if err := json.Unmarshal(raw, &cp); err != nil {
		return fmt.Errorf("discordtest: copying guild %s: %w", g.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.guilds[cp.ID]; !ok {
		s.guildOrder = append(s.guildOrder, cp.ID)
	}
	s.guilds[cp.ID] = &cp
	if s.members[cp.ID] == nil {
		s.members[cp.ID] = map[string]*discordgo.Member{}
	}
	for _, ch := range cp.Channels {
		c := *ch
		c.GuildID = cp.ID
		s.channels[c.ID] = &c
	}
	for _, m := range cp.Members {
		s.addMemberLocked(cp.ID, m)
	}
	if len(s.sessions) > 0 {
		return s.dispatchAllLocked("GUILD_CREATE", raw)
	}
	return nil
}

// AddChannel makes a channel known to GET /channels/{id} and lets the bot post in it.
func (s *Server) AddChannel(ch *discordgo.Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *ch
	s.channels[c.ID] = &c
}

// AddMember makes a guild member known to GET /guilds/{guild}/members/{user}.
func (s *Server) AddMember(guildID string, m *discordgo.Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addMemberLocked(guildID, m)
}

func (s *Server) addMemberLocked(guildID string, m *discordgo.Member) {
	if s.members[guildID] == nil {
		s.members[guildID] = map[string]*discordgo.Member{}
	}
	cp := *m
	cp.GuildID = guildID
	if cp.Roles == nil {
		cp.Roles = []string{}
	}
	if cp.User != nil {
		u := *cp.User
		cp.User = &u
		s.users[u.ID] = &u
		s.members[guildID][u.ID] = &cp
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
