package discordtest

import (
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"
)

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

// getAttachment serves GET /attachments/{channel}/{attachment}/{filename}
// on the CDN hosts: the bytes of a file the bot uploaded.
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
