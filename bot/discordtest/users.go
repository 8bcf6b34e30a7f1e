package discordtest

import (
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// getMe handles GET /users/@me: the bot's own user.
func (s *Server) getMe(ex *exchange) { ex.reply(http.StatusOK, s.cfg.botUser) }

// getUser handles GET /users/{user} for the users the fake has seen.
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
