package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

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
	if len(s.sessions) > 0 && s.ownerLocked(cp.ID) != nil {
		return s.dispatchGuildLocked(cp.ID, "GUILD_CREATE", raw)
	}
	return nil
}

// AddMember makes a guild member known to GET /guilds/{guild}/members/{user}.
func (s *Server) AddMember(guildID string, m *discordgo.Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addMemberLocked(guildID, m)
}

// addMemberLocked stores a copy of a member of guildID, and its user.
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

// getMember handles GET /guilds/{guild}/members/{user}.
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
