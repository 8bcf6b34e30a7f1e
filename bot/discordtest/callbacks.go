package discordtest

import (
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

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
