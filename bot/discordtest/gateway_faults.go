package discordtest

import (
	"errors"
)

// DropConnection closes every identified gateway connection abruptly, without
// a close frame, as a network failure would. Sessions stay resumable and keep
// the events dispatched meanwhile. It fails when no connection is open.
//
// The sessions are detached at once, so nothing dispatched after
// DropConnection returns goes out before the bot resumes; but a connection
// the bot has not yet sent a heartbeat on is closed only when that first
// heartbeat arrives, for the reason given at Reconnect.
func (s *Server) DropConnection() error {
	s.mu.Lock()
	conns := s.liveConnsLocked()
	var now []*gatewayConn
	for _, c := range conns {
		if c.session.conn == c {
			c.session.conn = nil
		}
		c.session = nil
		if c.beats == 0 {
			c.dropPending = true
		} else {
			now = append(now, c)
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	if len(conns) == 0 {
		return errors.New("discordtest: dropping connection: no identified gateway connection")
	}
	for _, c := range now {
		c.kill()
	}
	return nil
}

// Reconnect sends op 7 (Reconnect) on every identified connection: the bot
// should close the connection and resume. On a connection the bot has not yet
// sent a heartbeat on, op 7 is sent right after its first heartbeat instead,
// so Reconnect may return before op 7 is sent; wait for ResumeCount.
//
// Why: discordgo starts its heartbeat goroutine as Open returns. If op 7
// closes the connection before that goroutine's first beat, the goroutine
// later writes to the closed connection, fails, and calls Close (close code
// 1000) and reconnect a second time, possibly on the connection the bot has
// just resumed on. A 1000 close ends the session, as on Discord, so the bot
// identifies again and misses what was dispatched to the resumed session.
func (s *Server) Reconnect() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns := s.liveConnsLocked()
	if len(conns) == 0 {
		return errors.New("discordtest: sending op 7: no identified gateway connection")
	}
	for _, c := range conns {
		if c.beats == 0 {
			c.reconnectPending = true
			continue
		}
		c.sendOpLocked(opReconnect, nil)
	}
	return nil
}

// InvalidateSession sends op 9 (Invalid Session) with d = resumable on every
// identified connection and detaches the connections from their sessions; a
// session not resumable is forgotten. The bot should identify again.
func (s *Server) InvalidateSession(resumable bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns := s.liveConnsLocked()
	if len(conns) == 0 {
		return errors.New("discordtest: sending op 9: no identified gateway connection")
	}
	for _, c := range conns {
		sess := c.session
		if sess.conn == c {
			sess.conn = nil
		}
		c.session = nil
		if !resumable {
			delete(s.sessions, sess.id)
		}
		c.sendOpLocked(opInvalidSession, resumable)
	}
	s.notifyLocked()
	return nil
}
