package discordtest

import (
	"encoding/json"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

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

// getCommands handles GET .../commands: the registered commands.
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

// deleteCommand handles DELETE .../commands/{command}.
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
