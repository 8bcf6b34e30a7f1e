package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
)

// Discord faults (issue 7): whatever Discord does — drop the gateway,
// invalidate the session, answer 429 or 5xx — every question is answered or
// its failure is in the operator's log, and nothing is left running after
// the bot stops.

// steady is the gateway the harness gives every bot (and these tests ask
// for by name): a heartbeat of 3 s. With a heartbeat of 200 ms, discordgo
// reconnects when an ACK is 1 s late (a loaded machine, -race, tests run in
// parallel), and it does so with close code 1000, which ends the session, as
// on Discord: the events dispatched meanwhile are lost, and a test would see
// questions lost that the bot never received. 3 s is also longer than
// discordgo's 1 s sleep in Close (see TestGatewayDropIsResumed). discordgo
// sends its first heartbeat as it connects, so nothing waits for the
// interval.
var steady = discordtest.WithHeartbeatInterval(3 * time.Second)

// noLimits lets one member ask as often as a test needs.
var noLimits = Config{MemberPerMinute: 60000, MemberBurst: 10000, GuildPerMinute: 60000, GuildBurst: 10000}

// logRecord is one record of the bot's log (slog's text format), by key.
type logRecord map[string]string

// parseLogLine reads a line of slog's text format: key=value pairs, with
// values quoted (Go syntax) when they need it.
func parseLogLine(line string) logRecord {
	rec := logRecord{}
	for {
		line = strings.TrimLeft(line, " ")
		eq := strings.IndexByte(line, '=')
		if eq <= 0 {
			return rec
		}
		key, rest := line[:eq], line[eq+1:]
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return rec
			}
			rec[key], _ = strconv.Unquote(q) // QuotedPrefix returned a valid literal
			line = rest[len(q):]
			continue
		}
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		rec[key], line = rest[:end], rest[end:]
	}
}

func TestParseLogLine(t *testing.T) {
	got := parseLogLine(`time=2026-11-03T12:00:00.000Z level=ERROR msg="sending the answer failed" interaction=123 err="editing the reply: HTTP 500 \"x\""`)
	want := logRecord{"time": "2026-11-03T12:00:00.000Z", "level": "ERROR", "msg": "sending the answer failed", "interaction": "123", "err": `editing the reply: HTTP 500 "x"`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
}

// logRecords returns the bot's log so far.
func (h *harness) logRecords() []logRecord {
	var out []logRecord
	for _, l := range strings.Split(h.logs.String(), "\n") {
		if l != "" {
			out = append(out, parseLogLine(l))
		}
	}
	return out
}

// failures returns the error records logged under key=id: what the operator
// sees of a member's question that could not be answered.
func failures(recs []logRecord, key, id string) []logRecord {
	var out []logRecord
	for _, r := range recs {
		if r["level"] == "ERROR" && r[key] == id {
			out = append(out, r)
		}
	}
	return out
}

// probe is one thing a member did, and how to tell its outcome: the message
// that answers it, or an error in the log under logKey=id.
type probe struct {
	what      string
	logKey    string // "interaction" or "message"
	id        string
	delivered func(discordtest.Message) bool
}

// outcome counts the messages that answered p and the failures logged for it.
func (p probe) outcome(msgs []discordtest.Message, recs []logRecord) (delivered, failed int) {
	for _, m := range msgs {
		if p.delivered(m) {
			delivered++
		}
	}
	return delivered, len(failures(recs, p.logKey, p.id))
}

// dispatch sends an interaction (a slash command or a button press) and
// returns its probe: answered by the first message that is not the deferral.
func (h *harness) dispatch(what string, i *discordgo.Interaction) probe {
	h.t.Helper()
	if err := h.fake.DispatchInteraction(i); err != nil {
		h.t.Fatal(err)
	}
	return probe{what: what, logKey: "interaction", id: i.ID, delivered: func(m discordtest.Message) bool {
		return m.InteractionID == i.ID && m.Kind != discordtest.KindDeferredReply
	}}
}

// mention posts a message that mentions the bot, from user in guild A, and
// returns its probe: answered by a reply to it.
func (h *harness) mention(user *discordgo.User, question string) probe {
	h.t.Helper()
	bot := h.fake.BotUser()
	msg := discordtest.UserMessage(guildA, channelA, user, "<@"+bot.ID+"> "+question)
	msg.Mentions = []*discordgo.User{&bot}
	if err := h.fake.DispatchMessage(msg); err != nil {
		h.t.Fatal(err)
	}
	return probe{what: "mention", logKey: "message", id: msg.ID, delivered: func(m discordtest.Message) bool {
		return m.Kind == discordtest.KindChannelMessage && m.Reference != nil && m.Reference.MessageID == msg.ID
	}}
}

// settle waits until every probe is answered or its failure logged, and
// returns how many were delivered and how many failed. It fails the test
// when one is neither (lost silently), or is answered twice.
func (h *harness) settle(ctx context.Context, probes []probe) (delivered, failed int) {
	h.t.Helper()
	done := func() bool {
		msgs, recs := h.fake.Messages(), h.logRecords()
		for _, p := range probes {
			if d, f := p.outcome(msgs, recs); d+f == 0 {
				return false
			}
		}
		return true
	}
	err := poll(ctx, done)
	msgs, recs := h.fake.Messages(), h.logRecords()
	for _, p := range probes {
		d, f := p.outcome(msgs, recs)
		switch {
		case d+f == 0:
			h.t.Errorf("%s %s: neither answered nor logged (lost silently): %v", p.what, p.id, err)
		case d > 1:
			h.t.Errorf("%s %s: answered %d times", p.what, p.id, d)
		case d == 1 && f > 0:
			h.t.Errorf("%s %s: answered, and also logged as failed: %v", p.what, p.id, failures(recs, p.logKey, p.id))
		}
		delivered += min(d, 1)
		if d == 0 && f > 0 {
			failed++
		}
	}
	return delivered, failed
}

// firstAnswer asks a question with a More button (MaxQuotes 1) and returns
// the answer, with the custom ids of its Context and More buttons.
func (h *harness) firstAnswer() (m discordtest.Message, ctxID, moreCustomID string) {
	h.t.Helper()
	m = h.send(ask(inGuildA, manyAnswers))
	for _, row := range m.Components {
		for _, c := range row.(*discordgo.ActionsRow).Components {
			b := c.(*discordgo.Button)
			switch {
			case strings.HasPrefix(b.CustomID, contextButton.prefix+":") && ctxID == "":
				ctxID = b.CustomID
			case strings.HasPrefix(b.CustomID, moreButton.prefix+":"):
				moreCustomID = b.CustomID
			}
		}
	}
	if ctxID == "" || moreCustomID == "" {
		h.t.Fatalf("the answer has no Context and More buttons: %+v", m.Components)
	}
	return m, ctxID, moreCustomID
}

// waitGateway waits until the bot has sent a heartbeat (so that a drop takes
// effect at once; see discordtest.DropConnection).
func (h *harness) waitGateway(ctx context.Context) {
	h.t.Helper()
	if err := h.fake.Wait(ctx, func() bool { return h.fake.HeartbeatCount() > 0 && h.fake.Connected() }); err != nil {
		h.t.Fatalf("no heartbeat: %v", err)
	}
}

// waitHeld waits until a held request has arrived.
func waitHeld(ctx context.Context, t *testing.T, hold *discordtest.Hold, what string) {
	t.Helper()
	select {
	case <-hold.Arrived():
	case <-ctx.Done():
		t.Fatalf("%s never arrived", what)
	}
}

const (
	routeCallback = "POST /interactions/*/*/callback"
	routeEdit     = "PATCH /webhooks/*/*/messages/*"
	routeSend     = "POST /channels/*/messages"
	routeOpenDM   = "POST /users/@me/channels"
)

const mentionQuestion = "when was Robert Mueller appointed special counsel?"

func TestGatewayDropWhileAnswering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		held    string                         // the request in flight when the gateway drops
		ask     func(h *harness) probe         // what the member does
		broken  func(fake *discordtest.Server) // what else goes wrong, after the drop
		wantErr string                         // "" when the answer must arrive; else the log message
	}{
		{"before the acknowledgement", routeCallback, askMueller, nil, ""},
		{"before the answer", routeEdit, askMueller, nil, ""},
		{"before a mention's reply", routeSend, func(h *harness) probe { return h.mention(member, mentionQuestion) }, nil, ""},
		{"before the answer, which then fails", routeEdit, askMueller,
			// The held edit and its three retries.
			func(fake *discordtest.Server) {
				fake.FailNext(routeEdit, http.StatusInternalServerError, 1+len(shortRetryDelays()))
			},
			"sending the answer failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			h := start(t, Config{}, steady)
			h.waitGateway(ctx)
			hold := h.fake.HoldNext(tc.held)
			p := tc.ask(h)
			waitHeld(ctx, t, hold, tc.held)
			if err := h.fake.DropConnection(); err != nil {
				t.Fatal(err)
			}
			if tc.broken != nil {
				tc.broken(h.fake)
			}
			hold.Release()

			delivered, failed := h.settle(ctx, []probe{p})
			switch {
			case tc.wantErr == "" && delivered != 1:
				t.Errorf("the answer in flight was not delivered")
			case tc.wantErr != "":
				recs := failures(h.logRecords(), p.logKey, p.id)
				if failed != 1 || len(recs) != 1 || recs[0]["msg"] != tc.wantErr || !strings.Contains(recs[0]["err"], "500") {
					t.Errorf("failures logged for %s: %v; want one %q naming the 500", p.id, recs, tc.wantErr)
				}
			}
			// The bot resumes, and answers the next question.
			if err := h.fake.Wait(ctx, func() bool { return h.fake.ResumeCount() >= 1 && h.fake.Connected() }); err != nil {
				t.Fatalf("no resume after the drop: %v", err)
			}
			if err := poll(ctx, h.bot.Ready); err != nil {
				t.Fatalf("bot not ready after the resume: %v", err)
			}
			h.assertQuotesVerbatim(h.send(ask(inGuildA, "When was Robert Mueller appointed special counsel?")))
			if n := h.fake.IdentifyCount(); n != 1 {
				t.Errorf("%d identifies; a drop should be resumed", n)
			}
		})
	}
}

// askMueller asks a question with an answer in the seed library.
func askMueller(h *harness) probe {
	return h.dispatch("/ask", ask(inGuildA, "When was Robert Mueller appointed special counsel?"))
}

func TestInvalidSessionIdentifiesAgain(t *testing.T) {
	t.Parallel()
	for _, resumable := range []bool{false, true} {
		t.Run(fmt.Sprintf("resumable=%v", resumable), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			h := start(t, Config{}, steady)
			// An answer in flight across the invalidation still arrives.
			hold := h.fake.HoldNext(routeEdit)
			p := askMueller(h)
			waitHeld(ctx, t, hold, "the answer")
			if err := h.fake.InvalidateSession(resumable); err != nil {
				t.Fatal(err)
			}
			if err := h.fake.Wait(ctx, func() bool { return h.fake.IdentifyCount() == 2 && h.fake.Connected() }); err != nil {
				t.Fatalf("the bot did not identify again after op 9: %v", err)
			}
			hold.Release()
			if delivered, _ := h.settle(ctx, []probe{p}); delivered != 1 {
				t.Error("the answer in flight was lost to op 9")
			}
			// The new session carries interactions and mentions.
			if err := poll(ctx, h.bot.Ready); err != nil {
				t.Fatalf("bot not ready: %v", err)
			}
			h.assertQuotesVerbatim(h.send(ask(inGuildA, "When was Robert Mueller appointed special counsel?")))
			if d, _ := h.settle(ctx, []probe{h.mention(member, mentionQuestion)}); d != 1 {
				t.Error("a mention after op 9 was not answered")
			}
			if n := h.fake.ResumeCount(); n != 0 {
				t.Errorf("%d resumes; op 9 asks for a new identify", n)
			}
			h.fake.AssertClean(t)
		})
	}
}

// offsetClock is a clock that runs with real time, plus what a test adds.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func TestRateLimitStorms(t *testing.T) {
	t.Parallel()
	const retryAfter = 50 * time.Millisecond
	tests := []struct {
		name   string
		askers int
		storm  map[string]int // 429s queued per route
	}{
		{"on the acknowledgement", 1, map[string]int{routeCallback: 6}},
		{"on the answer", 1, map[string]int{routeEdit: 6}},
		{"on both, many askers", 6, map[string]int{routeCallback: 12, routeEdit: 12}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			h := start(t, noLimits, steady)
			storm := 0
			for route, n := range tc.storm {
				h.fake.RateLimitNextN(route, retryAfter, n)
				storm += n
			}
			var probes []probe
			for range tc.askers {
				probes = append(probes, askMueller(h))
			}
			if delivered, failed := h.settle(ctx, probes); delivered != tc.askers || failed != 0 {
				t.Errorf("%d of %d answers delivered, %d failed; want all delivered after the retries", delivered, tc.askers, failed)
			}
			if n := count(h.fake.Requests(), func(r discordtest.Request) bool { return r.Status == http.StatusTooManyRequests }); n != storm {
				t.Errorf("%d requests met a 429, want the whole storm of %d", n, storm)
			}
			// Not wedged: the next question is answered.
			h.assertQuotesVerbatim(h.send(ask(inGuildA, "When was Robert Mueller appointed special counsel?")))
			h.fake.AssertClean(t)
		})
	}

	t.Run("outlasting the 3 s deadline", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		clock := &offsetClock{}
		h := start(t, Config{}, steady, discordtest.WithClock(clock.Now))
		hold := h.fake.HoldNext(routeCallback)
		h.fake.RateLimitNextN(routeCallback, retryAfter, 3)
		p := askMueller(h)
		waitHeld(ctx, t, hold, "the acknowledgement")
		clock.Advance(4 * time.Second) // the storm has lasted past the deadline
		hold.Release()
		if _, failed := h.settle(ctx, []probe{p}); failed != 1 {
			t.Fatal("the lost interaction was not logged")
		}
		if recs := failures(h.logRecords(), p.logKey, p.id); len(recs) != 1 || recs[0]["msg"] != "acknowledging an interaction failed" || !strings.Contains(recs[0]["err"], "Unknown interaction") {
			t.Errorf("logged %v; want the failed acknowledgement and Discord's reason", recs)
		}
		if v := h.fake.Violations(); len(v) != 1 || v[0].Code != "10062" {
			t.Errorf("violations %v; want only the late callback", v)
		}
		h.assertQuotesVerbatim(h.send(ask(inGuildA, "When was Robert Mueller appointed special counsel?")))
	})
}

// count returns how many of xs satisfy pred.
func count[T any](xs []T, pred func(T) bool) int {
	n := 0
	for _, x := range xs {
		if pred(x) {
			n++
		}
	}
	return n
}

// startMixed starts a bot for mixed questions — no member limits, one
// quote per answer so that answers have a More button, a steady gateway — asks a first
// question, and returns a function that does n things members do: /ask, a
// mention, More and Context on that first answer, in turn, from different
// members.
func startMixed(t *testing.T, opts ...discordtest.Option) (*harness, func(n int) []probe) {
	t.Helper()
	cfg := noLimits
	cfg.MaxQuotes = 1
	h := start(t, cfg, append([]discordtest.Option{steady}, opts...)...)
	answer, ctxID, moreCustomID := h.firstAnswer()
	return h, func(n int) []probe {
		h.t.Helper()
		var probes []probe
		for k := range n {
			u := discordtest.NewUser(fmt.Sprintf("31%016d", k%50), fmt.Sprintf("asker%d", k%50))
			inv := discordtest.InGuild(guildA, channelA, u, discordgo.PermissionViewChannel|discordgo.PermissionSendMessages)
			switch k % 4 {
			case 0:
				probes = append(probes, h.dispatch("/ask", ask(inv, "When was Robert Mueller appointed special counsel?")))
			case 1:
				probes = append(probes, h.mention(u, mentionQuestion))
			case 2:
				probes = append(probes, h.dispatch("More", discordtest.ButtonPress(inv, answer.Result, moreCustomID)))
			case 3:
				probes = append(probes, h.dispatch("Context", discordtest.ButtonPress(inv, answer.Result, ctxID)))
			}
		}
		return probes
	}
}

func TestEveryThirdRequestFails(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h, mixed := startMixed(t)
	before := len(h.fake.Requests())

	h.fake.FailEvery(3, http.StatusInternalServerError)
	const n = 24
	probes := mixed(n)
	delivered, failed := h.settle(ctx, probes)
	h.fake.FailEvery(0, 0)

	reqs := h.fake.Requests()[before:]
	faults := count(reqs, func(r discordtest.Request) bool { return r.Fault != "" })
	t.Logf("%d asks: %d answered, %d failures logged; %d requests, %d answered 500", n, delivered, failed, len(reqs), faults)
	if delivered+failed != n {
		t.Errorf("%d answered + %d logged != %d asked", delivered, failed, n)
	}
	if faults < len(reqs)/3-1 || faults == 0 {
		t.Errorf("%d of %d requests failed; the fault did not apply", faults, len(reqs))
	}
	// A failure is an answer that met a 500 on each of its attempts (or
	// whose acknowledgement came back after the 3 s deadline); it says so.
	for _, p := range probes {
		for _, r := range failures(h.logRecords(), p.logKey, p.id) {
			if !strings.Contains(r["err"], "500") && !strings.Contains(r["err"], "Unknown interaction") {
				t.Errorf("%s %s failed for another reason: %v", p.what, p.id, r)
			}
		}
	}
	if delivered < n/2 {
		t.Errorf("only %d of %d answered: 500s are not retried", delivered, n)
	}
}

func TestRateLimitedMentionIsToldByDM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   func(*discordtest.Server)
		wantDM  bool
		wantLog string
	}{
		{"told by DM", nil, true, ""},
		{"opening the DM fails once", func(s *discordtest.Server) { s.FailNext(routeOpenDM, http.StatusInternalServerError, 1) }, true, ""},
		{"sending the DM fails once", func(s *discordtest.Server) { s.FailNext(routeSend, http.StatusInternalServerError, 1) }, true, ""},
		// discordgo retries a 502 three times at once, then gives up.
		{"a burst of 502s outlasts discordgo's retries", func(s *discordtest.Server) { s.FailNext(routeSend, http.StatusBadGateway, 5) }, true, ""},
		{"DMs are closed", func(s *discordtest.Server) { s.FailNext(routeSend, http.StatusForbidden, 1) }, false, "could not message a member privately"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			h := start(t, Config{MemberPerMinute: 1, MemberBurst: 1}, steady)
			if d, _ := h.settle(ctx, []probe{h.mention(member, mentionQuestion)}); d != 1 {
				t.Fatal("the first mention was not answered")
			}
			if tc.fault != nil {
				tc.fault(h.fake)
			}
			second := h.mention(member, mentionQuestion)
			isDM := func(m discordtest.Message) bool {
				ch, ok := h.fake.Channel(m.ChannelID)
				return m.Kind == discordtest.KindChannelMessage && ok && ch.Type == discordgo.ChannelTypeDM &&
					len(ch.Recipients) == 1 && ch.Recipients[0].ID == member.ID
			}
			if !tc.wantDM {
				if err := poll(ctx, func() bool { return len(failures(h.logRecords(), "message", second.id)) > 0 }); err != nil {
					t.Fatalf("the failed DM was not logged: %v\n%s", err, h.logs.String())
				}
				if recs := failures(h.logRecords(), "message", second.id); recs[0]["msg"] != tc.wantLog || recs[0]["user"] != member.ID {
					t.Errorf("logged %v, want %q for user %s", recs, tc.wantLog, member.ID)
				}
				if n := count(h.fake.Messages(), isDM); n != 0 {
					t.Errorf("%d DMs recorded, want none", n)
				}
				return
			}
			dm := h.waitMessage(isDM)
			if !strings.Contains(dm.Content, "please try again in") || !strings.HasSuffix(dm.Content, " s.") || !dm.MentionsSuppressed() {
				t.Errorf("DM %q (mentions suppressed: %v); want when to retry, pinging nobody", dm.Content, dm.MentionsSuppressed())
			}
			if n := count(h.fake.Messages(), second.delivered); n != 0 {
				t.Errorf("the refused mention got %d replies in the channel, want none", n)
			}
			if n := count(h.fake.Messages(), isDM); n != 1 {
				t.Errorf("%d DMs, want 1", n)
			}
			h.fake.AssertClean(t)
		})
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	s.MaxRestRetries = 3
	srv.AddChannel(&discordgo.Channel{ID: channelA, GuildID: guildA, Type: discordgo.ChannelTypeGuildText})
	tests := []struct {
		name       string
		status, n  int
		wantErr    bool
		wantServer bool // the error, if any, is a server error
	}{
		{"500 once", 500, 1, false, true},
		{"503 twice", 503, 2, false, true},
		{"500 on every attempt", 500, 1 + len(shortRetryDelays()), true, true},
		{"502 beyond discordgo's retries", 502, 5, false, true},
		{"403 is not retried", 403, 1, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.FailNext(routeSend, tc.status, tc.n)
			calls := 0
			err := withRetry(context.Background(), shortRetryDelays(), func() error {
				calls++
				_, err := s.ChannelMessageSend(channelA, "hello")
				return err
			})
			srv.ClearFaults()
			if (err != nil) != tc.wantErr {
				t.Fatalf("withRetry = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && serverError(err) != tc.wantServer {
				t.Errorf("serverError(%v) = %v", err, !tc.wantServer)
			}
			if tc.status == 403 && calls != 1 {
				t.Errorf("a 403 was tried %d times", calls)
			}
		})
	}
	if err := withRetry(context.Background(), shortRetryDelays(), func() error { return errors.New("no route to host") }); err == nil || serverError(err) {
		t.Errorf("a network error: %v, serverError %v", err, err != nil && serverError(err))
	}
}

func TestRetryWaitsAreJittered(t *testing.T) {
	const d = time.Second
	seen := map[time.Duration]bool{}
	for range 1000 {
		j := jitter(d)
		if j < d/2 || j >= 3*d/2 {
			t.Fatalf("jitter(%v) = %v, outside [%v, %v)", d, j, d/2, 3*d/2)
		}
		seen[j] = true
	}
	if len(seen) < 900 {
		t.Errorf("1000 jittered waits took only %d values: calls that failed together would retry together", len(seen))
	}
}

// goroutineIDs returns the ids of the running goroutines, and their stacks.
func goroutineIDs() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		if id, _, ok := strings.Cut(strings.TrimPrefix(g, "goroutine "), " "); ok {
			out[id] = g
		}
	}
	return out
}

// leftovers returns the stacks of goroutines not in baseline.
func leftovers(baseline map[string]string) []string {
	var out []string
	for id, stack := range goroutineIDs() {
		if _, ok := baseline[id]; !ok {
			out = append(out, stack)
		}
	}
	slices.Sort(out)
	return out
}

// assertNoLeak waits (at most 20 s) until no goroutine started since
// baseline is left and the count is back to the baseline's, then reports the
// stacks of those that are.
func assertNoLeak(t *testing.T, baseline map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := poll(ctx, func() bool { return len(leftovers(baseline)) == 0 && runtime.NumGoroutine() <= len(baseline) })
	if err != nil {
		left := leftovers(baseline)
		t.Errorf("%d goroutines after the bot stopped, %d before; %d left over:\n\n%s",
			runtime.NumGoroutine(), len(baseline), len(left), strings.Join(left, "\n\n"))
	}
}

func TestNoGoroutineLeakAfterFaults(t *testing.T) {
	// One bot run first, so that what starts once per process (HTTP and
	// index machinery) is in the baseline.
	t.Run("warm-up", func(t *testing.T) { start(t, Config{}, steady).send(ask(inGuildA, "Mueller")) })
	baseline := goroutineIDs()

	t.Run("faults", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		h, mixed := startMixed(t)
		h.waitGateway(ctx)

		// A drop with an answer in flight.
		hold := h.fake.HoldNext(routeEdit)
		inFlight := askMueller(h)
		waitHeld(ctx, t, hold, "the answer")
		if err := h.fake.DropConnection(); err != nil {
			t.Fatal(err)
		}
		hold.Release()
		if err := h.fake.Wait(ctx, func() bool { return h.fake.ResumeCount() == 1 && h.fake.Connected() }); err != nil {
			t.Fatal(err)
		}
		// A storm of 429s and a 500 every third request, then op 9.
		h.fake.RateLimitNextN(routeCallback, 20*time.Millisecond, 5)
		h.fake.RateLimitNextN(routeEdit, 20*time.Millisecond, 5)
		h.fake.FailEvery(3, http.StatusInternalServerError)
		probes := append(mixed(12), inFlight)
		h.settle(ctx, probes)
		h.fake.FailEvery(0, 0)
		if err := h.fake.InvalidateSession(false); err != nil {
			t.Fatal(err)
		}
		if err := h.fake.Wait(ctx, func() bool { return h.fake.IdentifyCount() == 2 && h.fake.Connected() }); err != nil {
			t.Fatal(err)
		}
		// And one answer in flight when the bot is told to stop.
		hold = h.fake.HoldNext(routeEdit)
		last := askMueller(h)
		waitHeld(ctx, t, hold, "the last answer")
		h.stop()
		hold.Release()
		if d, _ := h.settle(ctx, []probe{last}); d != 1 {
			t.Error("the answer in flight at the stop was not delivered")
		}
		// The harness's cleanup waits for Run to return and closes the
		// library and the fake.
	})
	assertNoLeak(t, baseline)
}

func TestRetryDelaysDefault(t *testing.T) {
	want := []time.Duration{200 * time.Millisecond, time.Second, 3 * time.Second}
	if got := (Config{}).withDefaults().retryDelays; !slices.Equal(got, want) {
		t.Errorf("default retry delays %v, want %v", got, want)
	}
	short := shortRetryDelays()
	if got := (Config{retryDelays: short}).withDefaults().retryDelays; !slices.Equal(got, short) {
		t.Errorf("retry delays set by a test became %v", got)
	}
}
