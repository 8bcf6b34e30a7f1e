package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// heldSend starts a REST-only fake and a message send that it holds, and
// returns once the request has arrived; the send's result comes on sent.
func heldSend(ctx context.Context, t *testing.T) (srv *Server, hold *Hold, sent <-chan error) {
	t.Helper()
	srv, s := restOnly(t)
	hold = srv.HoldNext("POST /channels/*/messages")
	ch := make(chan error, 1)
	go func() { _, err := s.ChannelMessageSend(channelID, "held"); ch <- err }()
	select {
	case <-hold.Arrived():
	case <-ctx.Done():
		t.Fatal("the request never arrived")
	}
	return srv, hold, ch
}

func TestHoldNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      func(*Server) // injected while the request is held
		wantStatus int           // what the held request is answered once released
	}{
		{"released to its route", func(*Server) {}, http.StatusOK},
		{"released to an injected fault", func(s *Server) { s.FailNext("POST /channels/*/messages", 500, 1) }, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			srv, hold, sent := heldSend(ctx, t)
			reqs := srv.Requests()
			if len(reqs) != 1 || reqs[0].Status != 0 || len(srv.Messages()) != 0 {
				t.Fatalf("while held: requests %v, %d messages; want one unanswered request and no message", reqs, len(srv.Messages()))
			}
			// A second request on the same route is not held (sent from
			// another session: discordgo holds a route's bucket while its
			// request is in flight).
			if _, err := srv.Session(t, "").ChannelMessageSend(channelID, "not held"); err != nil {
				t.Fatalf("second send: %v", err)
			}
			tc.fault(srv) // faults apply to a held request once it goes on
			hold.Release()
			hold.Release() // a second release is harmless
			err := recv(ctx, t, sent, "the held send to return")
			r, werr := srv.WaitFor(ctx, func(r Request) bool { return r.Seq == reqs[0].Seq })
			if werr != nil {
				t.Fatal(werr)
			}
			if r.Status != tc.wantStatus || (err == nil) != (tc.wantStatus == http.StatusOK) {
				t.Errorf("held request answered %d (send error %v), want %d", r.Status, err, tc.wantStatus)
			}
		})
	}
}

func TestCloseReleasesHeldRequests(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, _, sent := heldSend(ctx, t)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	recv(ctx, t, closed, "Close to return with a request held")
	recv(ctx, t, sent, "the held send to return")
	// A hold made after Close holds nothing.
	select {
	case <-srv.HoldNext("/x").released:
	default:
		t.Error("a hold made after Close is not released")
	}
}

func TestRateLimitStorm(t *testing.T) {
	t.Parallel()
	srv, s := restOnly(t)
	const storm = 4
	srv.RateLimitNextN("POST /channels/*/messages", 20*time.Millisecond, storm)
	if _, err := s.ChannelMessageSend(channelID, "through the storm"); err != nil {
		t.Fatalf("send: %v (discordgo should retry every 429)", err)
	}
	var statuses []int
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	if want := []int{429, 429, 429, 429, 200}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
}

func TestCreateDM(t *testing.T) {
	t.Parallel()
	srv, s := restOnly(t)
	srv.AddMember(guildID, &discordgo.Member{User: alice()})
	ch, err := s.UserChannelCreate(alice().ID)
	if err != nil {
		t.Fatalf("UserChannelCreate: %v", err)
	}
	if ch.Type != discordgo.ChannelTypeDM || len(ch.Recipients) != 1 || ch.Recipients[0].ID != alice().ID {
		t.Fatalf("DM channel %+v, want a DM with alice", ch)
	}
	again, err := s.UserChannelCreate(alice().ID)
	if err != nil || again.ID != ch.ID {
		t.Errorf("second UserChannelCreate = %+v, %v; want the same channel %s", again, err, ch.ID)
	}
	if _, err := s.ChannelMessageSend(ch.ID, "psst"); err != nil {
		t.Fatalf("sending in the DM: %v", err)
	}
	m := srv.Messages()
	if len(m) != 1 || m[0].ChannelID != ch.ID || m[0].Content != "psst" {
		t.Errorf("messages %+v, want the DM", m)
	}
	if got, ok := srv.Channel(ch.ID); !ok || got.Type != discordgo.ChannelTypeDM {
		t.Errorf("Channel(%s) = %+v, %v", ch.ID, got, ok)
	}

	// An unknown user, and the bot itself, cannot be messaged.
	for _, id := range []string{"999", srv.BotUser().ID} {
		_, err := s.UserChannelCreate(id)
		if re := restErr(t, err); re.Response.StatusCode != http.StatusBadRequest || re.Message == nil || re.Message.Code != codeInvalidRecipients {
			t.Errorf("DM with %s: %v, want 400 %d", id, err, codeInvalidRecipients)
		}
	}
	srv.AssertClean(t) // asking for an unknown recipient is not a broken rule
	// A request without recipient_id is malformed.
	if _, err := s.Request(http.MethodPost, discordgo.EndpointUserChannels("@me"), map[string]any{}); restErr(t, err).Response.StatusCode != http.StatusBadRequest {
		t.Errorf("no recipient_id: %v, want 400", err)
	}
	if v := srv.Violations(); len(v) != 1 || v[0].Field != "recipient_id" {
		t.Errorf("violations %v, want one for recipient_id", v)
	}
}

func TestForgetHistory(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, s, interactions := connected(t)
	old := dispatch(ctx, t, srv, interactions, SlashCommand(InGuild(guildID, channelID, alice(), 0), "ask"))
	if _, err := s.ChannelMessageSend(channelID, "before"); err != nil {
		t.Fatal(err)
	}
	last := srv.Requests()[len(srv.Requests())-1].Seq

	srv.ForgetHistory()
	if r, m := srv.Requests(), srv.Messages(); len(r) != 0 || len(m) != 0 {
		t.Fatalf("after ForgetHistory: %d requests, %d messages; want none", len(r), len(m))
	}
	// The interaction dispatched before is forgotten, as an expired one is.
	err := s.InteractionRespond(old, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "late"}})
	if re := restErr(t, err); re.Response.StatusCode != http.StatusNotFound {
		t.Errorf("answering a forgotten interaction: %v, want 404", err)
	}
	// Sequences go on, and the gateway and the channels still work.
	if r := srv.Requests(); len(r) != 1 || r[0].Seq != last+1 {
		t.Errorf("requests after ForgetHistory %v, want one with Seq %d", r, last+1)
	}
	i := dispatch(ctx, t, srv, interactions, SlashCommand(InGuild(guildID, channelID, alice(), 0), "ask"))
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "fresh"}}); err != nil {
		t.Fatalf("answering a new interaction: %v", err)
	}
	if _, err := s.ChannelMessageSend(channelID, "after"); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages(); len(m) != 2 || m[0].Content != "fresh" || m[1].Content != "after" {
		t.Errorf("messages %+v, want fresh and after", m)
	}
}

func TestHeartbeatsTrimTheReplayLog(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, _, interactions := connected(t, WithHeartbeatInterval(100*time.Millisecond))
	for range 3 {
		dispatch(ctx, t, srv, interactions, SlashCommand(InGuild(guildID, channelID, alice(), 0), "ask"))
	}
	logged := func() (n int) {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		for _, sess := range srv.sessions {
			n += len(sess.log)
		}
		return n
	}
	// The bot has received every dispatch; its next heartbeat says so.
	if err := srv.Wait(ctx, func() bool { return logged() == 0 }); err != nil {
		t.Fatalf("replay log still holds %d dispatches the bot acknowledged: %v", logged(), err)
	}
}

func TestForgetReceived(t *testing.T) {
	t.Parallel()
	tests := []struct {
		heartbeat string
		want      []int64
	}{
		{"null", []int64{3, 4, 5}},
		{"2", []int64{3, 4, 5}},
		{"4", []int64{5}},
		{"9", nil},
		{`"junk"`, []int64{3, 4, 5}},
	}
	for _, tc := range tests {
		g := &gatewaySession{log: []dispatched{{seq: 3}, {seq: 4}, {seq: 5}}}
		g.forgetReceived(json.RawMessage(tc.heartbeat))
		var got []int64
		for _, d := range g.log {
			got = append(got, d.seq)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("heartbeat %s left %v, want %v", tc.heartbeat, got, tc.want)
		}
	}
}
