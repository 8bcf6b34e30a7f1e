package discordtest

import (
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// callback is one interaction callback (POST /interactions/{id}/{token}/callback)
// being answered.
type callback struct {
	st         *interactionState
	itype      discordgo.InteractionType // the interaction's type
	hasMessage bool                      // the interaction came from a message's component

	typ  discordgo.InteractionResponseType // the callback's "type"
	data map[string]any                    // the callback's "data"; nil when absent
	p    *payload                          // data as a message, for the types that carry one
}

// postCallback handles POST /interactions/{id}/{token}/callback: it finds the
// interaction, checks the callback against it, and accepts it as the
// interaction's one acknowledgement, answering 204 as Discord does.
func (s *Server) postCallback(ex *exchange) {
	cb, ok := s.callbackTarget(ex)
	if !ok {
		return
	}
	if !ex.checkCallback(cb) {
		return
	}
	if !s.acceptCallback(ex, cb) {
		return
	}
	ex.reply(http.StatusNoContent, nil)
}

// callbackTarget finds the interaction a callback is for and checks that it
// may still be acknowledged: a known interaction whose token matches, not
// yet acknowledged, within the deadline. On failure it has answered the
// request and returns false.
func (s *Server) callbackTarget(ex *exchange) (*callback, bool) {
	s.mu.Lock()
	st := s.interactions[ex.r.PathValue("id")]
	if st == nil || st.i.Token != ex.r.PathValue("token") {
		s.mu.Unlock()
		ex.fail(http.StatusNotFound, codeUnknownInteraction, "Unknown interaction")
		return nil, false
	}
	status, code, msg := s.callbackErrorLocked(st)
	cb := &callback{st: st, itype: st.i.Type, hasMessage: st.i.Message != nil}
	s.mu.Unlock()
	if status != 0 {
		ex.reject(status, code, msg)
		return nil, false
	}
	return cb, true
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

// checkCallback reads the callback's type and data from the request and
// checks them as Discord does: the type must suit the interaction (an update
// needs a message, choices need an autocomplete, ...) and the data must be a
// valid message, choice list or modal. It fills cb.typ, cb.data and, for the
// types that carry a message, cb.p. On failure it has answered the request
// and returns false.
func (ex *exchange) checkCallback(cb *callback) bool {
	obj := ex.body()
	if obj == nil {
		obj = map[string]any{}
	}
	typNum, _ := obj["type"].(float64)
	cb.typ = discordgo.InteractionResponseType(typNum)
	cb.data, _ = obj["data"].(map[string]any)

	var ok bool
	switch cb.typ {
	case discordgo.InteractionResponseChannelMessageWithSource:
		cb.p, ok = ex.messagePayloadAt([]string{"data"}, cb.data, true)
		return ok
	case discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseDeferredMessageUpdate:
		if cb.p, ok = ex.messagePayloadAt([]string{"data"}, cb.data, false); !ok {
			return false
		}
		if cb.typ == discordgo.InteractionResponseDeferredMessageUpdate && !cb.hasMessage {
			return ex.rejectCallbackType(cb)
		}
		return true
	case discordgo.InteractionResponseUpdateMessage:
		if !cb.hasMessage {
			return ex.rejectCallbackType(cb)
		}
		cb.p, ok = ex.messagePayloadAt([]string{"data"}, cb.data, false)
		return ok
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if cb.itype != discordgo.InteractionApplicationCommandAutocomplete {
			return ex.rejectCallbackType(cb)
		}
		return ex.rejectFormIf(validateChoices(cb.data))
	case discordgo.InteractionResponseModal:
		if cb.itype == discordgo.InteractionApplicationCommandAutocomplete || cb.itype == discordgo.InteractionModalSubmit {
			return ex.rejectCallbackType(cb)
		}
		return ex.rejectFormIf(validateModal(cb.data))
	default:
		ex.rejectForm([]fieldError{{path: []string{"type"}, code: "BASE_TYPE_CHOICES",
			message: "Value must be one of {4, 5, 6, 7, 8, 9}."}})
		return false
	}
}

// rejectCallbackType answers that the callback's type is not valid for its
// interaction, and returns false.
func (ex *exchange) rejectCallbackType(cb *callback) bool {
	ex.rejectForm([]fieldError{{path: []string{"type"}, code: "INTERACTION_RESPONSE_TYPE_INVALID",
		message: fmt.Sprintf("Interaction response type %d is not valid for a %s interaction", cb.typ, cb.itype)}})
	return false
}

// rejectFormIf answers with errs when there are any, and reports whether
// there were none.
func (ex *exchange) rejectFormIf(errs []fieldError) bool {
	if len(errs) > 0 {
		ex.rejectForm(errs)
		return false
	}
	return true
}

// acceptCallback records a checked callback as the interaction's
// acknowledgement and makes the message it creates or updates. It checks
// the interaction again first, since another callback may have been
// accepted while this one was checked; then it has answered the request and
// returns false.
func (s *Server) acceptCallback(ex *exchange, cb *callback) bool {
	s.mu.Lock()
	if status, code, msg := s.callbackErrorLocked(cb.st); status != 0 {
		s.mu.Unlock()
		ex.reject(status, code, msg)
		return false
	}
	cb.st.ackType = cb.typ
	s.applyCallbackLocked(ex, cb)
	s.notifyLocked()
	s.mu.Unlock()
	return true
}

// applyCallbackLocked makes what an accepted callback shows: the reply (4),
// the "thinking…" message (5), or the update of the component's message (7);
// a deferred update (6) only names that message as the one later edits change.
// Autocomplete results and modals show no message.
func (s *Server) applyCallbackLocked(ex *exchange, cb *callback) {
	st, p := cb.st, cb.p
	switch cb.typ {
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
}
