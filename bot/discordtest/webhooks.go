package discordtest

import (
	"net/http"

	"github.com/bwmarrin/discordgo"
)

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

// getWebhookMessage handles GET /webhooks/{app}/{token}/messages/{message}.
func (s *Server) getWebhookMessage(ex *exchange) {
	if _, m, ok := s.webhookMessage(ex); ok {
		s.mu.Lock()
		out := cloneMessage(m)
		s.mu.Unlock()
		ex.reply(http.StatusOK, out)
	}
}

// patchWebhookMessage handles PATCH /webhooks/{app}/{token}/messages/{message}:
// editing @original (which ends a "thinking…" state) or a follow-up.
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

// deleteWebhookMessage handles DELETE /webhooks/{app}/{token}/messages/{message}.
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
