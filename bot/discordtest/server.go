package discordtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// DefaultToken is the bot token the fake accepts unless WithToken says otherwise.
const DefaultToken = "discordtest-bot-token"

// DefaultBotUserID is the ID of the fake's bot user and, unless
// WithApplicationID says otherwise, of its application.
const DefaultBotUserID = "1100000000000000001"

// discordEpochMs is the first second of 2015, the epoch of Discord snowflakes.
const discordEpochMs = 1420070400000

// originalHostHeader carries the host a request was addressed to before the
// transport rewrote it, so the fake can record it.
const originalHostHeader = "X-Discordtest-Original-Host"

// Option configures a Server.
type Option func(*config)

// config is what the Options set.
type config struct {
	token               string
	botUser             discordgo.User
	appID               string
	heartbeatInterval   time.Duration
	interactionDeadline time.Duration
	tokenLifetime       time.Duration
	now                 func() time.Time
}

// WithToken sets the bot token the fake accepts, without the "Bot " prefix.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithBotUser sets the bot's own user, returned by GET /users/@me and in READY.
// Bot is forced to true.
func WithBotUser(u discordgo.User) Option {
	return func(c *config) { c.botUser = u; c.botUser.Bot = true }
}

// WithApplicationID sets the application ID (default: the bot user's ID).
func WithApplicationID(id string) Option {
	return func(c *config) { c.appID = id }
}

// WithHeartbeatInterval sets the heartbeat_interval sent in HELLO (default
// 41.25 s, as Discord sends). discordgo reconnects when no ACK came for five
// intervals.
//
// Short intervals (around discordgo's 1 s Close sleep or less) can make
// discordgo reconnect twice after a drop or op 7: Close sleeps 1 s holding the
// session lock; a heartbeat goroutine that Close caught between beats rather
// than waiting for the next one then finds its ticker fired, writes to the
// closed connection, and calls Close (close code 1000, which ends the
// session, as on Discord) and reconnect, possibly after the bot has already
// resumed. The bot then identifies again and misses the events dispatched
// meanwhile. Use short intervals only in tests that need heartbeats.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeatInterval = d }
}

// WithInteractionDeadline sets how long after an interaction was dispatched its
// first callback is accepted (default 3 s, as on Discord).
func WithInteractionDeadline(d time.Duration) Option {
	return func(c *config) { c.interactionDeadline = d }
}

// WithTokenLifetime sets how long an interaction token may be used for
// follow-ups and edits (default 15 minutes, as on Discord).
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.tokenLifetime = d }
}

// WithClock replaces the server's clock, so a test can move time forward (for
// example past the interaction deadline) without sleeping.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Server is a fake Discord: REST API, CDN and gateway on one local HTTP server.
// All methods are safe for concurrent use.
type Server struct {
	cfg       config
	http      *httptest.Server
	mux       *http.ServeMux
	transport *http.Transport
	upgrader  websocket.Upgrader

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced whenever recorded state changes
	lastID  int64

	// Recording (see record.go).
	requestSeq int // Seq of the last request received
	requests   []*Request
	messages   []Message
	violations []Violation

	// REST state, one resource a file: users.go, guilds.go, channels.go
	// (with messages.go), attachments.go, interactions.go, commands.go.
	users        map[string]*discordgo.User
	guilds       map[string]*discordgo.Guild
	guildOrder   []string
	channels     map[string]*discordgo.Channel
	members      map[string]map[string]*discordgo.Member    // guild ID → user ID → member
	stored       map[string]*discordgo.Message              // message ID → message
	attachments  map[string][]byte                          // "channel/attachment/filename" → bytes
	interactions map[string]*interactionState               // interaction ID → state
	byToken      map[string]*interactionState               // interaction token → state
	commands     map[string][]*discordgo.ApplicationCommand // guild ID ("" for global) → commands

	// Fault injection (see faults.go).
	holds           []*Hold
	faults          []*fault
	failEvery       int
	failEveryStatus int
	failEveryCount  int

	// Gateway (see gateway.go).
	sessions   map[string]*gatewaySession
	conns      map[*gatewayConn]struct{}
	identifies []discordgo.Identify
	resumes    int
	heartbeats int
	connects   int
}

// New starts a Server and closes it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a Server on 127.0.0.1. Call Close when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		token:               DefaultToken,
		botUser:             discordgo.User{ID: DefaultBotUserID, Username: "verbatim", Discriminator: "0", Bot: true},
		heartbeatInterval:   41250 * time.Millisecond, // Discord's usual value
		interactionDeadline: discordgo.InteractionDeadline,
		tokenLifetime:       15 * time.Minute,
		now:                 time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.appID == "" {
		cfg.appID = cfg.botUser.ID
	}
	s := &Server{
		cfg:          cfg,
		mux:          http.NewServeMux(),
		changed:      make(chan struct{}),
		users:        map[string]*discordgo.User{},
		guilds:       map[string]*discordgo.Guild{},
		channels:     map[string]*discordgo.Channel{},
		members:      map[string]map[string]*discordgo.Member{},
		stored:       map[string]*discordgo.Message{},
		attachments:  map[string][]byte{},
		interactions: map[string]*interactionState{},
		byToken:      map[string]*interactionState{},
		commands:     map[string][]*discordgo.ApplicationCommand{},
		sessions:     map[string]*gatewaySession{},
		conns:        map[*gatewayConn]struct{}{},
		upgrader: websocket.Upgrader{
			CheckOrigin: func(*http.Request) bool { return true },
		},
	}
	bot := cfg.botUser
	s.users[bot.ID] = &bot
	s.routes()
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.transport = &http.Transport{
		Proxy:               nil, // never send test traffic through an environment proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
	}
	return s
}

// Close closes every gateway connection and shuts the server down.
// Close a discordgo session first (Session does so on cleanup): a session
// left open keeps trying to reconnect.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.releaseHoldsLocked() // http.Close waits for the requests being answered
	conns := make([]*gatewayConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.notifyLocked()
	s.mu.Unlock()

	for _, c := range conns {
		c.kill()
	}
	s.http.Close()
	s.transport.CloseIdleConnections()
}

// URL is the base URL of the fake, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.http.URL }

// GatewayURL is the WebSocket address the fake returns from GET /gateway.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gateway"
}

// Token is the bot token the fake accepts (without the "Bot " prefix).
func (s *Server) Token() string { return s.cfg.token }

// BotUser returns the bot's own user.
func (s *Server) BotUser() discordgo.User { return s.cfg.botUser }

// ApplicationID returns the bot's application ID.
func (s *Server) ApplicationID() string { return s.cfg.appID }

// Transport returns a RoundTripper that sends every request for discord.com
// (and its canary/ptb hosts, discordapp.com, cdn.discordapp.com and
// media.discordapp.net) to the fake. Requests for any other host fail, so a
// test can never reach the internet by mistake.
func (s *Server) Transport() http.RoundTripper {
	target, _ := url.Parse(s.http.URL) // httptest always gives a valid URL
	return &rewriteTransport{target: target, base: s.transport}
}

// Client returns an *http.Client using Transport, with discordgo's 20 s timeout.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 20 * time.Second}
}

// Session builds a real discordgo session for the bot token (the fake's own
// token when token is ""), wired to the fake: its HTTP client goes through
// Transport and its WebSocket dialer ignores proxies. It does not call Open.
// The session is closed when the test ends (before the server is).
func (s *Server) Session(t testing.TB, token string) *discordgo.Session {
	t.Helper()
	if token == "" {
		token = s.cfg.token
	}
	dg, err := discordgo.New("Bot " + token)
	if err != nil {
		t.Fatalf("discordtest: creating discordgo session: %v", err)
	}
	dg.Client = s.Client()
	dg.Dialer = &websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	dg.ShouldRetryOnRateLimit = true
	t.Cleanup(func() {
		// A Close that catches discordgo's heartbeat goroutine before its
		// first beat makes that goroutine reconnect afterwards, and keep
		// reconnecting once the fake is gone (see Reconnect).
		s.waitFirstHeartbeats(5 * time.Second)
		if err := dg.Close(); err != nil {
			t.Logf("discordtest: closing discordgo session: %v", err)
		}
	})
	return dg
}

// CloseIdleConnections closes the idle keep-alive connections of the
// clients that Client and Session make, as Close does; the fake goes on
// serving. A test that counts goroutines calls it first: each idle
// connection keeps goroutines on both ends.
func (s *Server) CloseIdleConnections() { s.transport.CloseIdleConnections() }

// rewriteTransport sends requests for Discord hosts to the fake.
type rewriteTransport struct {
	target *url.URL
	base   http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (rt *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !isDiscordHost(req.URL.Hostname()) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("discordtest: refusing request to %s: only Discord hosts are routed to the fake", req.URL.Host)
	}
	r := req.Clone(req.Context())
	r.Header.Set(originalHostHeader, req.URL.Host)
	r.URL.Scheme = rt.target.Scheme
	r.URL.Host = rt.target.Host
	r.Host = rt.target.Host
	return rt.base.RoundTrip(r)
}

// isDiscordHost reports whether host is one the fake stands in for.
func isDiscordHost(host string) bool {
	switch strings.ToLower(host) {
	case "discord.com", "canary.discord.com", "ptb.discord.com", "discordapp.com",
		"cdn.discordapp.com", "media.discordapp.net":
		return true
	}
	return false
}

// serveHTTP sends WebSocket upgrades to the gateway and everything else to REST.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/gateway") && websocket.IsWebSocketUpgrade(r) {
		s.serveGateway(w, r)
		return
	}
	s.serveREST(w, r)
}

// now reads the configured clock.
func (s *Server) now() time.Time { return s.cfg.now() }

// newIDLocked returns a fresh snowflake, increasing across the server's life.
func (s *Server) newIDLocked() string {
	id := (s.now().UnixMilli() - discordEpochMs) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return fmt.Sprint(id)
}

// randomToken returns a random hex string with a prefix.
func randomToken(prefix string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("discordtest: reading random bytes: %v", err)) // crypto/rand never fails on Linux
	}
	return prefix + hex.EncodeToString(b)
}

// notifyLocked wakes every waiter (WaitFor, WaitMessage, Wait).
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond returns true or ctx ends. cond is evaluated now and
// again after every change the fake records (a request, a message, a gateway
// event), so it may call the Server's accessors.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("discordtest: waiting for condition: %w", ctx.Err())
		case <-ch:
		}
	}
}
