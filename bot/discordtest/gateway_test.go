package discordtest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestOpenReceivesReadyThenGuildCreate opens a session on a fake with one
// guild: READY lists the guild unavailable, GUILD_CREATE brings it in full,
// a guild added later and any event by name are dispatched at once.
func TestOpenReceivesReadyThenGuildCreate(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	err := srv.AddGuild(&discordgo.Guild{
		ID:       guildID,
		Name:     "News Room",
		Channels: []*discordgo.Channel{{ID: channelID, Name: "general", Type: discordgo.ChannelTypeGuildText}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := srv.Session(t, "")
	// discordgo's State keeps READY's guild objects and fills them in from
	// GUILD_CREATE on another goroutine: copy READY in a synchronous handler.
	s.SyncEvents = true
	ready := make(chan discordgo.Ready, 1)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		cp := *r
		cp.Guilds = nil
		for _, g := range r.Guilds {
			cp.Guilds = append(cp.Guilds, &discordgo.Guild{ID: g.ID, Unavailable: g.Unavailable})
		}
		ready <- cp
	})
	guilds := make(chan *discordgo.GuildCreate, 1)
	s.AddHandler(forward(guilds))

	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := recv(ctx, t, ready, "READY")
	if r.SessionID == "" {
		t.Error("READY has no session_id")
	}
	if r.User == nil || r.User.ID != srv.BotUser().ID || !r.User.Bot {
		t.Errorf("READY user = %+v, want the bot user %s", r.User, srv.BotUser().ID)
	}
	if r.Application == nil || r.Application.ID != srv.ApplicationID() {
		t.Errorf("READY application = %+v, want id %s", r.Application, srv.ApplicationID())
	}
	if len(r.Guilds) != 1 || r.Guilds[0].ID != guildID || !r.Guilds[0].Unavailable {
		t.Errorf("READY guilds = %+v, want one unavailable guild %s", r.Guilds, guildID)
	}
	g := recv(ctx, t, guilds, "GUILD_CREATE")
	if g.Name != "News Room" || len(g.Channels) != 1 {
		t.Errorf("GUILD_CREATE = %+v, want the full guild", g.Guild)
	}

	// A guild joined while connected, and any event by name.
	if err := srv.AddGuild(&discordgo.Guild{ID: "3000000000000000099", Name: "Second"}); err != nil {
		t.Fatal(err)
	}
	if g := recv(ctx, t, guilds, "second GUILD_CREATE"); g.Name != "Second" {
		t.Errorf("GUILD_CREATE = %q, want Second", g.Name)
	}
	typing := make(chan *discordgo.TypingStart, 1)
	s.AddHandler(forward(typing))
	if err := srv.Dispatch("TYPING_START", map[string]any{"channel_id": channelID, "user_id": alice().ID, "timestamp": 1}); err != nil {
		t.Fatal(err)
	}
	if ts := recv(ctx, t, typing, "TYPING_START"); ts.UserID != alice().ID {
		t.Errorf("TYPING_START user = %q, want alice", ts.UserID)
	}

	checkOneIdentify(ctx, t, srv)
	srv.AssertClean(t)
}

// checkOneIdentify checks how discordgo found the gateway and identified:
// GET /gateway on API v9, then one IDENTIFY with its "Bot " token, asking for
// compressed payloads.
func checkOneIdentify(ctx context.Context, t *testing.T, srv *Server) {
	t.Helper()
	if n := srv.IdentifyCount(); n != 1 {
		t.Fatalf("IdentifyCount = %d, want 1", n)
	}
	id := srv.Identifies()[0]
	if id.Token != "Bot "+srv.Token() {
		t.Errorf("identify token = %q, want discordgo's %q", id.Token, "Bot "+srv.Token())
	}
	if !id.Compress {
		t.Error("discordgo asked for no compression; the fake's zlib path went untested")
	}
	gw, err := srv.WaitFor(ctx, func(r Request) bool { return r.Is("GET /gateway") })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(gw.Path, "/api/v9/") {
		t.Errorf("discordgo asked %s; expected API v9", gw.Path)
	}
}

func TestHeartbeatsAreAcknowledged(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t, WithHeartbeatInterval(50*time.Millisecond))
	s := srv.Session(t, "")
	// Uncompressed this time: every other test runs with discordgo's default
	// zlib payload compression.
	s.Compress = false
	s.Identify.Compress = false
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := srv.Wait(ctx, func() bool { return srv.HeartbeatCount() >= 4 }); err != nil {
		t.Fatalf("heartbeats: got %d: %v", srv.HeartbeatCount(), err)
	}
	// discordgo reconnects when five intervals pass without an ACK; it did not.
	if n := srv.ConnectCount(); n != 1 {
		t.Errorf("ConnectCount = %d, want 1 (heartbeat ACKs missed?)", n)
	}
}

// eventLog records every dispatch discordgo sees. discordgo runs each handler
// call in its own goroutine, so events may reach it in any order: the log
// keeps them all and waits look through all of them.
type eventLog struct {
	mu      sync.Mutex
	seen    []*discordgo.Event
	changed chan struct{} // signalled (never blocking) on every event
}

func events(s *discordgo.Session) *eventLog {
	l := &eventLog{changed: make(chan struct{}, 1)}
	s.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) {
		l.mu.Lock()
		l.seen = append(l.seen, e)
		l.mu.Unlock()
		select {
		case l.changed <- struct{}{}:
		default:
		}
	})
	return l
}

// wait returns the sequence of the first dispatch of type typ (a
// MESSAGE_CREATE with the given content, when content is not "").
func (l *eventLog) wait(t *testing.T, typ, content string) int64 {
	t.Helper()
	ctx := testContext(t)
	for {
		l.mu.Lock()
		for _, e := range l.seen {
			if e.Type != typ {
				continue
			}
			if m, ok := e.Struct.(*discordgo.MessageCreate); content == "" || ok && m.Content == content {
				l.mu.Unlock()
				return e.Sequence
			}
		}
		l.mu.Unlock()
		select {
		case <-l.changed:
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s %s", typ, content)
		}
	}
}

func TestDroppedConnectionIsResumed(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	// The default (Discord's) heartbeat interval: with short ones, discordgo's
	// heartbeat goroutine may also notice the drop and reconnect a second
	// time after the listener has resumed, closing the resumed connection with
	// 1000, which ends the session (see WithHeartbeatInterval).
	srv := New(t)
	s := srv.Session(t, "")
	evs := events(s)
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := srv.DispatchMessage(UserMessage(guildID, channelID, alice(), "before")); err != nil {
		t.Fatal(err)
	}
	before := evs.wait(t, "MESSAGE_CREATE", "before")

	if err := srv.DropConnection(); err != nil {
		t.Fatal(err)
	}
	// Sent while the bot is disconnected: it must come with the replay.
	if err := srv.DispatchMessage(UserMessage(guildID, channelID, alice(), "during")); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(ctx, func() bool { return srv.ResumeCount() == 1 }); err != nil {
		t.Fatalf("no RESUME (identify count %d): %v", srv.IdentifyCount(), err)
	}
	during := evs.wait(t, "MESSAGE_CREATE", "during")
	resumed := evs.wait(t, "RESUMED", "")

	if during != before+1 || resumed != during+1 {
		t.Errorf("sequences before=%d during=%d RESUMED=%d, want consecutive", before, during, resumed)
	}
	if n := srv.IdentifyCount(); n != 1 {
		t.Errorf("IdentifyCount = %d, want 1 (the session should resume, not identify again)", n)
	}
	if err := srv.DispatchMessage(UserMessage(guildID, channelID, alice(), "after")); err != nil {
		t.Fatal(err)
	}
	if after := evs.wait(t, "MESSAGE_CREATE", "after"); after != resumed+1 {
		t.Errorf("sequence after resume = %d, want %d", after, resumed+1)
	}
}

func TestServerEvents(t *testing.T) {
	t.Parallel()
	// The default heartbeat interval (Discord's 41.25 s) matters for op 7:
	// with one of about a second, discordgo's heartbeat goroutine may
	// reconnect a second time and end the resumed session with a 1000 close
	// (see WithHeartbeatInterval and Reconnect).
	tests := []struct {
		name         string
		act          func(*Server) error
		wantIdentify int
		wantResume   int
		wantConnects int // op 9 is answered on the same connection
	}{
		{"op 7 reconnect resumes", (*Server).Reconnect, 1, 1, 2},
		{"op 9 not resumable identifies again", func(s *Server) error { return s.InvalidateSession(false) }, 2, 0, 1},
		{"op 9 resumable still identifies (discordgo ignores d)", func(s *Server) error { return s.InvalidateSession(true) }, 2, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			srv := New(t)
			s := srv.Session(t, "")
			evs := events(s)
			if err := s.Open(); err != nil {
				t.Fatalf("Open: %v", err)
			}
			if err := tc.act(srv); err != nil {
				t.Fatal(err)
			}
			err := srv.Wait(ctx, func() bool {
				return srv.IdentifyCount() == tc.wantIdentify && srv.ResumeCount() == tc.wantResume && srv.Connected()
			})
			if err != nil {
				t.Fatalf("identify=%d resume=%d connected=%v, want %d, %d, true: %v",
					srv.IdentifyCount(), srv.ResumeCount(), srv.Connected(), tc.wantIdentify, tc.wantResume, err)
			}
			if err := srv.DispatchMessage(UserMessage(guildID, channelID, alice(), "still there?")); err != nil {
				t.Fatal(err)
			}
			evs.wait(t, "MESSAGE_CREATE", "still there?")
			// A second reconnect would have meant a second connection.
			if n := srv.ConnectCount(); n != tc.wantConnects {
				t.Errorf("ConnectCount = %d, want %d (identify=%d resume=%d)",
					n, tc.wantConnects, srv.IdentifyCount(), srv.ResumeCount())
			}
		})
	}
}

func TestWrongTokenIsRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		restToken  string // "" for the right one
		identify   string // the identify token, "" for discordgo's default
		wantStatus int    // status of GET /gateway
	}{
		{"REST token", "not-the-token", "", 401},
		{"identify token", "", "Bot not-the-token", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			srv := New(t)
			s := srv.Session(t, tc.restToken)
			s.ShouldReconnectOnError = false
			if tc.identify != "" {
				s.Identify.Token = tc.identify
			}
			if err := s.Open(); err == nil {
				t.Fatal("Open with a wrong token succeeded")
			}
			if n := srv.IdentifyCount(); n != 0 {
				t.Errorf("IdentifyCount = %d, want 0", n)
			}
			r, err := srv.WaitFor(ctx, func(r Request) bool { return r.Is("GET /gateway") })
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.wantStatus {
				t.Errorf("GET /gateway answered %d, want %d", r.Status, tc.wantStatus)
			}
		})
	}
}

func TestDispatchWithoutSession(t *testing.T) {
	t.Parallel()
	srv := New(t)
	err := srv.DispatchInteraction(SlashCommand(InDM(dmID, alice()), "ask"))
	if err == nil || !strings.Contains(err.Error(), ErrNoGatewaySession.Error()) {
		t.Fatalf("DispatchInteraction before Open: err = %v, want ErrNoGatewaySession", err)
	}
}
