package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresenceUpdate = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// Gateway close codes the fake uses.
const (
	closeUnknownOpcode        = 4001
	closeDecodeError          = 4002
	closeAuthenticationFailed = 4004
	closeAlreadyAuthenticated = 4005
	closeInvalidShard         = 4010
	closeInvalidAPIVersion    = 4012
)

// ErrNoGatewaySession is returned by Dispatch when no bot has identified on
// the gateway (call Open on the discordgo session first).
var ErrNoGatewaySession = errors.New("discordtest: no gateway session: the bot has not identified (call Open first)")

// gatewaySession is one identified gateway session: its sequence, the
// dispatches sent in it (replayed on RESUME) and its current connection.
type gatewaySession struct {
	id string
	// shard is the [shard_id, num_shards] the IDENTIFY named; nil for an
	// unsharded session, which receives every guild's events.
	shard *[2]int
	seq   int64
	log   []dispatched
	conn  *gatewayConn // nil while the bot is disconnected
}

// forgetReceived drops from the replay log the dispatches up to the sequence
// a heartbeat carries: the bot has received them, and a RESUME replays only
// what comes after the sequence it sends, which is never lower. Without it
// the log would grow with every event over a long test.
func (g *gatewaySession) forgetReceived(heartbeatData json.RawMessage) {
	var seq int64
	if json.Unmarshal(heartbeatData, &seq) != nil || seq <= 0 { // null before the first dispatch
		return
	}
	n := 0
	for n < len(g.log) && g.log[n].seq <= seq {
		n++
	}
	if n > 0 {
		g.log = append(g.log[:0:0], g.log[n:]...)
	}
}

// dispatched is one event sent in a session, kept for replay on RESUME.
type dispatched struct {
	seq   int64
	event string
	data  json.RawMessage
}

// getGateway handles GET /gateway: the fake's own gateway address.
func (s *Server) getGateway(ex *exchange) {
	ex.reply(http.StatusOK, map[string]any{"url": s.GatewayURL()})
}

// getGatewayBot handles GET /gateway/bot: the gateway address, one shard,
// and a session start limit with 999 of 1000 left.
func (s *Server) getGatewayBot(ex *exchange) {
	ex.reply(http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": 1,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
		},
	})
}

// serveGateway upgrades to a WebSocket and runs the gateway protocol until the
// connection ends.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	c := &gatewayConn{
		ws:      ws,
		out:     make(chan outFrame, 1024),
		done:    make(chan struct{}),
		version: r.URL.Query().Get("v"),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.kill()
		return
	}
	s.conns[c] = struct{}{}
	s.connects++
	s.notifyLocked()
	s.mu.Unlock()

	go c.writeLoop()
	defer s.connectionEnded(c, 0)

	switch {
	case c.version != "9" && c.version != "10":
		c.hangUp(closeInvalidAPIVersion, "Invalid API version")
		return
	case r.URL.Query().Get("encoding") != "json":
		c.hangUp(closeDecodeError, "only encoding=json is supported")
		return
	}
	ms := s.cfg.heartbeatInterval.Milliseconds()
	c.send(outFrame{data: mustPayload(opHello, map[string]int64{"heartbeat_interval": ms}, nil, "")})

	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			code := 0
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				code = ce.Code
			}
			s.connectionEnded(c, code)
			return
		}
		var p gatewayPayload
		if err := json.Unmarshal(data, &p); err != nil {
			c.hangUp(closeDecodeError, "Decode error")
			return
		}
		s.handleGatewayOp(c, p)
	}
}

// handleGatewayOp answers one payload from the bot.
func (s *Server) handleGatewayOp(c *gatewayConn, p gatewayPayload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	switch p.Op {
	case opHeartbeat:
		s.heartbeats++
		c.beats++
		if c.dropPending {
			c.kill() // already detached from its session by DropConnection
			return
		}
		c.sendOpLocked(opHeartbeatACK, nil)
		if c.session != nil {
			c.session.forgetReceived(p.Data)
		}
		if c.reconnectPending {
			c.reconnectPending = false
			c.sendOpLocked(opReconnect, nil)
		}
	case opIdentify:
		s.identifyLocked(c, p.Data)
	case opResume:
		s.resumeLocked(c, p.Data)
	case opPresenceUpdate, opVoiceState, opRequestMembers:
		// Accepted and ignored: the fake has no presences, voice or member lists.
	default:
		c.send(outFrame{closeCode: closeUnknownOpcode, closeText: "Unknown opcode"})
	}
}

// tokenOK checks a gateway token; discordgo sends it with its "Bot " prefix,
// which Discord tolerates.
func (s *Server) tokenOK(token string) bool {
	return strings.TrimPrefix(token, "Bot ") == s.cfg.token
}

// identifyLocked starts a new session: READY, then a GUILD_CREATE per guild.
func (s *Server) identifyLocked(c *gatewayConn, d json.RawMessage) {
	if c.session != nil {
		c.send(outFrame{closeCode: closeAlreadyAuthenticated, closeText: "Already authenticated"})
		return
	}
	// Not decoded into discordgo.Identify: discordgo sends a zero "presence"
	// whose game.created_at is a time string its own type cannot decode.
	var in struct {
		Token          string                       `json:"token"`
		Properties     discordgo.IdentifyProperties `json:"properties"`
		Compress       bool                         `json:"compress"`
		LargeThreshold int                          `json:"large_threshold"`
		Shard          *[2]int                      `json:"shard"`
		Intents        discordgo.Intent             `json:"intents"`
	}
	if err := json.Unmarshal(d, &in); err != nil {
		c.send(outFrame{closeCode: closeDecodeError, closeText: "Decode error"})
		return
	}
	id := discordgo.Identify{
		Token: in.Token, Properties: in.Properties, Compress: in.Compress,
		LargeThreshold: in.LargeThreshold, Shard: in.Shard, Intents: in.Intents,
	}
	if !s.tokenOK(id.Token) {
		c.send(outFrame{closeCode: closeAuthenticationFailed, closeText: "Authentication failed"})
		return
	}
	if sh := id.Shard; sh != nil && (sh[1] < 1 || sh[0] < 0 || sh[0] >= sh[1]) {
		c.send(outFrame{closeCode: closeInvalidShard, closeText: "Invalid shard"})
		return
	}
	s.identifies = append(s.identifies, id)

	sess := &gatewaySession{id: randomToken(""), conn: c, shard: id.Shard}
	s.sessions[sess.id] = sess
	c.session = sess
	c.compress = id.Compress

	var guilds []string // the guilds of the session's shard
	for _, gid := range s.guildOrder {
		if sess.receives(gid) {
			guilds = append(guilds, gid)
		}
	}
	unavailable := make([]map[string]any, 0, len(guilds))
	for _, gid := range guilds {
		unavailable = append(unavailable, map[string]any{"id": gid, "unavailable": true})
	}
	version := 9
	if c.version == "10" {
		version = 10
	}
	ready := map[string]any{
		"v":                  version,
		"user":               s.cfg.botUser,
		"guilds":             unavailable,
		"session_id":         sess.id,
		"session_type":       "normal",
		"resume_gateway_url": s.GatewayURL(),
		"private_channels":   []any{},
		"application":        map[string]any{"id": s.cfg.appID, "flags": 0},
	}
	if id.Shard != nil {
		ready["shard"] = id.Shard
	}
	s.dispatchLocked(sess, "READY", mustJSON(ready))
	for _, gid := range guilds {
		s.dispatchLocked(sess, "GUILD_CREATE", mustJSON(s.guilds[gid]))
	}
}

// resumeLocked reattaches a session and replays what the bot missed, then
// sends RESUMED. An unknown session gets op 9 (not resumable), as on Discord.
func (s *Server) resumeLocked(c *gatewayConn, d json.RawMessage) {
	var rp struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &rp); err != nil {
		c.send(outFrame{closeCode: closeDecodeError, closeText: "Decode error"})
		return
	}
	if !s.tokenOK(rp.Token) {
		c.send(outFrame{closeCode: closeAuthenticationFailed, closeText: "Authentication failed"})
		return
	}
	sess := s.sessions[rp.SessionID]
	if sess == nil || rp.Seq > sess.seq {
		c.sendOpLocked(opInvalidSession, false)
		return
	}
	if old := sess.conn; old != nil && old != c {
		old.session = nil
		old.kill()
	}
	sess.conn = c
	c.session = sess
	s.resumes++
	for _, ev := range sess.log {
		if ev.seq > rp.Seq {
			seq := ev.seq
			c.send(outFrame{data: mustPayload(opDispatch, ev.data, &seq, ev.event), compress: c.compress})
		}
	}
	// RESUMED takes the next sequence number (discordgo stores the s of every
	// dispatch, so a null would reset it) but is not itself replayed later.
	sess.seq++
	seq := sess.seq
	c.send(outFrame{data: mustPayload(opDispatch, map[string]any{}, &seq, "RESUMED"), compress: c.compress})
}

// connectionEnded detaches a finished connection. A clean close by the bot
// (1000 or 1001) ends its session, as on Discord; any other end keeps the
// session resumable.
func (s *Server) connectionEnded(c *gatewayConn, closeCode int) {
	c.kill()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; !ok {
		return
	}
	delete(s.conns, c)
	if sess := c.session; sess != nil {
		if sess.conn == c {
			sess.conn = nil
		}
		if closeCode == websocket.CloseNormalClosure || closeCode == websocket.CloseGoingAway {
			delete(s.sessions, sess.id)
		}
		c.session = nil
	}
	s.notifyLocked()
}

// dispatchLocked appends an event to a session and sends it if connected.
func (s *Server) dispatchLocked(sess *gatewaySession, event string, data json.RawMessage) {
	sess.seq++
	sess.log = append(sess.log, dispatched{seq: sess.seq, event: event, data: data})
	if c := sess.conn; c != nil {
		seq := sess.seq
		c.send(outFrame{data: mustPayload(opDispatch, data, &seq, event), compress: c.compress})
	}
}

// mustJSON encodes one of the fake's own values, which always encode.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("discordtest: encoding %T: %v", v, err)) // only our own values reach here
	}
	return b
}

// Dispatch sends a gateway event (op 0) named eventName, e.g. "GUILD_CREATE",
// with data encoded as JSON, to every gateway session of the shard of the
// event's guild (its "guild_id", or for a GUILD_ event its "id"; see
// ShardOf). A session whose connection is down keeps the event and replays
// it on RESUME.
func (s *Server) Dispatch(eventName string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("discordtest: encoding %s event: %w", eventName, err)
	}
	var ids struct {
		GuildID string `json:"guild_id"`
		ID      string `json:"id"`
	}
	_ = json.Unmarshal(raw, &ids) // an event that is not an object belongs to no guild
	guild := ids.GuildID
	if guild == "" && strings.HasPrefix(eventName, "GUILD_") {
		guild = ids.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dispatchGuildLocked(guild, eventName, raw)
}

// ShardOf is the shard of count that receives a guild's events, by
// Discord's rule: (guild_id >> 22) % count. Events of no guild (direct
// messages) go to shard 0, and so do those of a guild whose id is not a
// snowflake.
func ShardOf(guildID string, count int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || count <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// receives reports whether the session receives the events of a guild
// ("": of no guild): an unsharded session receives every event.
func (g *gatewaySession) receives(guildID string) bool {
	return g.shard == nil || g.shard[0] == ShardOf(guildID, g.shard[1])
}

// ownerLocked returns a session that receives the events of a guild, or nil.
func (s *Server) ownerLocked(guildID string) *gatewaySession {
	for _, sess := range s.sessions {
		if sess.receives(guildID) {
			return sess
		}
	}
	return nil
}

// dispatchGuildLocked sends an encoded event of a guild ("": of none) to
// every session of the guild's shard, as Discord does, or fails with
// ErrNoGatewaySession when there is none.
func (s *Server) dispatchGuildLocked(guildID, eventName string, raw json.RawMessage) error {
	if len(s.sessions) == 0 {
		return fmt.Errorf("dispatching %s: %w", eventName, ErrNoGatewaySession)
	}
	sent := false
	for _, sess := range s.sessions {
		if sess.receives(guildID) {
			s.dispatchLocked(sess, eventName, raw)
			sent = true
		}
	}
	if !sent {
		return fmt.Errorf("dispatching %s of guild %s: no session of its shard: %w", eventName, guildID, ErrNoGatewaySession)
	}
	s.notifyLocked()
	return nil
}

// liveConnsLocked lists the connections that belong to a session.
func (s *Server) liveConnsLocked() []*gatewayConn {
	var out []*gatewayConn
	for c := range s.conns {
		if c.session != nil {
			out = append(out, c)
		}
	}
	return out
}

// waitFirstHeartbeats waits, at most d, until the bot has sent a heartbeat on
// every gateway connection it has identified or resumed on.
func (s *Server) waitFirstHeartbeats(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_ = s.Wait(ctx, func() bool { // on timeout, the caller goes on regardless
		s.mu.Lock()
		defer s.mu.Unlock()
		for c := range s.conns {
			if (c.session != nil || c.dropPending) && c.beats == 0 {
				return false
			}
		}
		return true
	})
}

// IdentifyCount is the number of accepted IDENTIFY (op 2) payloads.
func (s *Server) IdentifyCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.identifies)
}

// Identifies returns the accepted IDENTIFY payloads, in order (without their
// presence, which the fake does not decode).
func (s *Server) Identifies() []discordgo.Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]discordgo.Identify(nil), s.identifies...)
}

// ResumeCount is the number of successful RESUMEs (op 6).
func (s *Server) ResumeCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// HeartbeatCount is the number of heartbeats (op 1) received.
func (s *Server) HeartbeatCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}

// ConnectCount is the number of gateway WebSocket connections accepted.
func (s *Server) ConnectCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// Connected reports whether some gateway connection is identified or resumed.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.liveConnsLocked()) > 0
}
