package discordtest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// noMentions is how the bot must send user-supplied text.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func TestInteractionReplyIsRecorded(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	s := srv.Session(t, "")
	// A handler as the bot would have it: it answers /ask in its own goroutine.
	handlerErr := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		q := ic.ApplicationCommandData().GetOption("question").StringValue()
		handlerErr <- s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content:         "You asked: " + q,
				AllowedMentions: noMentions(),
			},
		})
	})
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	i := SlashCommand(InGuild(guildID, channelID, alice(), discordgo.PermissionSendMessages), "ask",
		StringOption("question", "did anyone interfere?"))
	if err := srv.DispatchInteraction(i); err != nil {
		t.Fatal(err)
	}
	if err := recv(ctx, t, handlerErr, "the handler's InteractionRespond"); err != nil {
		t.Fatalf("InteractionRespond: %v", err)
	}
	m, err := srv.WaitMessage(ctx, func(m Message) bool { return m.InteractionID == i.ID })
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != KindInteractionReply || m.Content != "You asked: did anyone interfere?" || m.ChannelID != channelID {
		t.Errorf("recorded %s %q in %s, want an interaction reply in %s", m.Kind, m.Content, m.ChannelID, channelID)
	}
	if !m.MentionsSuppressed() {
		t.Errorf("allowed_mentions = %s, want parse []", m.AllowedMentionsJSON)
	}
	r, err := srv.WaitFor(ctx, func(r Request) bool { return r.Seq == m.RequestSeq })
	if err != nil {
		t.Fatal(err)
	}
	if !r.Is("POST /interactions/"+i.ID+"/*/callback") || r.Status != http.StatusNoContent {
		t.Errorf("request %s, want a 204 callback", r)
	}
	srv.AssertClean(t)
}

// TestCallbackTypes sends every callback type for the interactions it suits,
// and for some it does not suit, through one session. It is long for its
// table, one case per callback type and interaction, each read on its own;
// what it does with them is the loop at the end.
func TestCallbackTypes(t *testing.T) {
	t.Parallel()
	srv, s, interactions := connected(t)
	guild := InGuild(guildID, channelID, alice(), discordgo.PermissionAdministrator)
	dm := InDM(dmID, bob())
	posted := &discordgo.Message{ID: "4000000000000000001", ChannelID: channelID, GuildID: guildID,
		Author: &discordgo.User{ID: srv.BotUser().ID, Bot: true}, Content: "a quote",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "More", Style: discordgo.PrimaryButton, CustomID: "more"}}}}}
	modal := &discordgo.InteractionResponseData{CustomID: "add", Title: "Add an article",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: "url", Label: "URL", Style: discordgo.TextInputShort}}}}}

	tests := []struct {
		name       string
		i          *discordgo.Interaction
		check      func(t *testing.T, got *discordgo.Interaction) // what the handler saw
		resp       discordgo.InteractionResponse
		wantStatus int
		wantKind   MessageKind // "" when no message is recorded
	}{
		{
			name: "slash command in a guild, reply",
			i:    SlashCommand(guild, "ask", StringOption("question", "q")),
			check: func(t *testing.T, got *discordgo.Interaction) {
				if got.Member == nil || got.Member.User.ID != alice().ID || got.Member.Permissions != discordgo.PermissionAdministrator {
					t.Errorf("member = %+v, want alice with administrator permissions", got.Member)
				}
			},
			resp:       discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "answer"}},
			wantStatus: 204, wantKind: KindInteractionReply,
		},
		{
			name: "slash command in a DM, deferred",
			i:    SlashCommand(dm, "ask"),
			check: func(t *testing.T, got *discordgo.Interaction) {
				if got.Member != nil || got.User == nil || got.User.ID != bob().ID {
					t.Errorf("DM interaction: member %+v user %+v, want only the user bob", got.Member, got.User)
				}
			},
			resp:       discordgo.InteractionResponse{Type: 5, Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}},
			wantStatus: 204, wantKind: KindDeferredReply,
		},
		{
			name: "message command, opens a modal",
			i:    MessageCommand(guild, "Quote this", &discordgo.Message{ID: "4000000000000000009", ChannelID: channelID, Content: "hello", Author: bob()}),
			check: func(t *testing.T, got *discordgo.Interaction) {
				d := got.ApplicationCommandData()
				if d.TargetID != "4000000000000000009" || d.Resolved == nil || d.Resolved.Messages[d.TargetID].Content != "hello" {
					t.Errorf("message command data = %+v, want the resolved target message", d)
				}
			},
			resp:       discordgo.InteractionResponse{Type: 9, Data: modal},
			wantStatus: 204,
		},
		{
			name: "button press, deferred update",
			i:    ButtonPress(guild, posted, "more"),
			check: func(t *testing.T, got *discordgo.Interaction) {
				if got.MessageComponentData().CustomID != "more" || got.Message == nil || got.Message.ID != posted.ID {
					t.Errorf("button data = %+v on %+v, want custom_id more on the posted message", got.MessageComponentData(), got.Message)
				}
			},
			resp:       discordgo.InteractionResponse{Type: 6},
			wantStatus: 204,
		},
		{
			name:       "button press, update",
			i:          ButtonPress(guild, posted, "more"),
			resp:       discordgo.InteractionResponse{Type: 7, Data: &discordgo.InteractionResponseData{Content: "more quotes"}},
			wantStatus: 204, wantKind: KindComponentUpdate,
		},
		{
			name: "autocomplete, choices",
			i:    Autocomplete(guild, "sources", Focused(StringOption("outlet", "ta"))),
			check: func(t *testing.T, got *discordgo.Interaction) {
				if o := got.ApplicationCommandData().Options[0]; !o.Focused || o.StringValue() != "ta" {
					t.Errorf("autocomplete option = %+v, want focused outlet=ta", o)
				}
			},
			resp: discordgo.InteractionResponse{Type: 8, Data: &discordgo.InteractionResponseData{
				Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "TASS", Value: "tass"}}}},
			wantStatus: 204,
		},
		{
			name: "modal submit, reply",
			i:    ModalSubmit(guild, "add", TextValue{CustomID: "url", Value: "https://example.org/a"}),
			check: func(t *testing.T, got *discordgo.Interaction) {
				d := got.ModalSubmitData()
				row, ok := d.Components[0].(*discordgo.ActionsRow)
				if !ok || row.Components[0].(*discordgo.TextInput).Value != "https://example.org/a" {
					t.Errorf("modal submit data = %+v, want url=https://example.org/a", d)
				}
			},
			resp:       discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "Added."}},
			wantStatus: 204, wantKind: KindInteractionReply,
		},
		{
			name:       "autocomplete result for a slash command is refused",
			i:          SlashCommand(guild, "ask"),
			resp:       discordgo.InteractionResponse{Type: 8, Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}},
			wantStatus: 400,
		},
		{
			name:       "update of a slash command is refused",
			i:          SlashCommand(guild, "ask"),
			resp:       discordgo.InteractionResponse{Type: 7, Data: &discordgo.InteractionResponseData{Content: "x"}},
			wantStatus: 400,
		},
		{
			name:       "modal for a modal submit is refused",
			i:          ModalSubmit(guild, "add"),
			resp:       discordgo.InteractionResponse{Type: 9, Data: modal},
			wantStatus: 400,
		},
		{
			name:       "empty reply is refused",
			i:          SlashCommand(guild, "ask"),
			resp:       discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{}},
			wantStatus: 400,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			got := dispatch(ctx, t, srv, interactions, tc.i)
			if tc.check != nil {
				tc.check(t, got)
			}
			before := len(srv.Messages())
			err := s.InteractionRespond(got, &tc.resp)
			status := http.StatusNoContent
			if err != nil {
				status = restErr(t, err).Response.StatusCode
			}
			if status != tc.wantStatus {
				t.Fatalf("callback type %d answered %d (%v), want %d", tc.resp.Type, status, err, tc.wantStatus)
			}
			msgs := srv.Messages()[before:]
			switch {
			case tc.wantKind == "" && len(msgs) != 0:
				t.Errorf("recorded %d messages, want none", len(msgs))
			case tc.wantKind != "" && (len(msgs) != 1 || msgs[0].Kind != tc.wantKind):
				t.Errorf("recorded %+v, want one %s", msgs, tc.wantKind)
			}
		})
	}
	if got, want := len(srv.Violations()), 4; got != want {
		t.Errorf("%d violations, want %d (one per refused callback): %v", got, want, srv.Violations())
	}
}

func TestDeferredThenFollowUpsAndEdits(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, s, interactions := connected(t)
	i := dispatch(ctx, t, srv, interactions, SlashCommand(InGuild(guildID, channelID, alice(), 0), "ask"))

	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatalf("defer: %v", err)
	}
	thinking, err := s.InteractionResponse(i)
	if err != nil {
		t.Fatalf("GET @original: %v", err)
	}
	if thinking.Flags&discordgo.MessageFlagsLoading == 0 {
		t.Errorf("deferred @original flags = %v, want LOADING", thinking.Flags)
	}

	answer := "Mueller found no evidence of collusion."
	edited, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &answer, AllowedMentions: noMentions()})
	if err != nil {
		t.Fatalf("edit @original: %v", err)
	}
	if edited.ID != thinking.ID || edited.Content != answer || edited.Flags&discordgo.MessageFlagsLoading != 0 {
		t.Errorf("edited @original = %s %q flags %v, want %s %q without LOADING", edited.ID, edited.Content, edited.Flags, thinking.ID, answer)
	}

	follow, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "also carried by TASS", AllowedMentions: noMentions()})
	if err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	if follow.ID == thinking.ID {
		t.Error("the follow-up replaced @original, which had already been edited")
	}
	more := "also carried by TASS and RT"
	if _, err := s.FollowupMessageEdit(i, follow.ID, &discordgo.WebhookEdit{Content: &more}); err != nil {
		t.Fatalf("edit follow-up: %v", err)
	}
	if err := s.FollowupMessageDelete(i, follow.ID); err != nil {
		t.Fatalf("delete follow-up: %v", err)
	}

	var kinds []MessageKind
	for _, m := range srv.Messages() {
		kinds = append(kinds, m.Kind)
	}
	want := []MessageKind{KindDeferredReply, KindEditOriginal, KindFollowUp, KindEditFollowUp}
	if strings.Join(kindStrings(kinds), ",") != strings.Join(kindStrings(want), ",") {
		t.Errorf("recorded kinds %v, want %v", kinds, want)
	}
	if got, err := s.InteractionResponse(i); err != nil || got.Content != answer {
		t.Errorf("GET @original = %+v, %v; want %q", got, err, answer)
	}

	// A 500 on a follow-up reaches the caller; nothing is posted.
	srv.FailNext("POST /webhooks/*/*", http.StatusInternalServerError, 1)
	_, err = s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "lost"})
	if re := restErr(t, err); re.Response.StatusCode != http.StatusInternalServerError {
		t.Errorf("follow-up during a fault answered %d, want 500", re.Response.StatusCode)
	}
	if _, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "retried"}); err != nil {
		t.Errorf("follow-up after the fault: %v", err)
	}
	for _, m := range srv.Messages() {
		if m.Content == "lost" {
			t.Error("a failed follow-up was recorded as sent")
		}
	}
	srv.AssertClean(t)
}

func TestFirstFollowUpAfterDeferFillsThinkingMessage(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, s, interactions := connected(t)
	i := dispatch(ctx, t, srv, interactions, SlashCommand(InDM(dmID, bob()), "ask"))
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	})
	if err != nil {
		t.Fatalf("defer: %v", err)
	}
	first, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "first"})
	if err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	orig, err := s.InteractionResponse(i)
	if err != nil {
		t.Fatalf("GET @original: %v", err)
	}
	if first.ID != orig.ID || orig.Content != "first" || orig.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("@original = %s %q flags %v; want the follow-up %s, still ephemeral", orig.ID, orig.Content, orig.Flags, first.ID)
	}
	second, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "second"})
	if err != nil {
		t.Fatalf("second follow-up: %v", err)
	}
	if second.ID == orig.ID {
		t.Error("the second follow-up replaced @original too")
	}
}

func TestCallbackRules(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv, s, interactions := connected(t, WithClock(clock.Now))
	reply := &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "ok"}}
	respond := func(i *discordgo.Interaction) error { return s.InteractionRespond(i, reply) }
	tests := []struct {
		name     string
		before   func(i *discordgo.Interaction)       // runs first
		act      func(i *discordgo.Interaction) error // the call Discord refuses
		wantHTTP int
		wantCode int // Discord's JSON error code
	}{
		{
			name:     "second callback",
			before:   func(i *discordgo.Interaction) { _ = respond(i) },
			act:      respond,
			wantHTTP: 400, wantCode: codeAlreadyAcknowledged,
		},
		{
			name:     "callback after the 3 s deadline",
			before:   func(*discordgo.Interaction) { clock.Advance(discordgo.InteractionDeadline + time.Millisecond) },
			act:      respond,
			wantHTTP: 404, wantCode: codeUnknownInteraction,
		},
		{
			name:   "follow-up before any callback",
			before: func(*discordgo.Interaction) {},
			act: func(i *discordgo.Interaction) error {
				_, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "too early"})
				return err
			},
			wantHTTP: 404, wantCode: codeUnknownWebhook,
		},
		{
			name:   "follow-up after the token expired",
			before: func(i *discordgo.Interaction) { _ = respond(i); clock.Advance(15*time.Minute + time.Second) },
			act: func(i *discordgo.Interaction) error {
				_, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "too late"})
				return err
			},
			wantHTTP: 401, wantCode: codeInvalidWebhookToken,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			i := dispatch(ctx, t, srv, interactions, SlashCommand(InGuild(guildID, channelID, alice(), 0), "ask"))
			tc.before(i)
			re := restErr(t, tc.act(i))
			if re.Response.StatusCode != tc.wantHTTP || re.Message == nil || re.Message.Code != tc.wantCode {
				t.Fatalf("answered %d %s, want %d with code %d", re.Response.StatusCode, re.ResponseBody, tc.wantHTTP, tc.wantCode)
			}
			v := srv.Violations()
			if len(v) == 0 || v[len(v)-1].Code != strconv.Itoa(tc.wantCode) {
				t.Errorf("violations %v, want the last with code %d", v, tc.wantCode)
			}
		})
	}
}

func TestRateLimitedCallbackIsRetried(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, s, interactions := connected(t)
	limited := make(chan *discordgo.RateLimit, 1)
	s.AddHandler(forward(limited))
	i := dispatch(ctx, t, srv, interactions, SlashCommand(InGuild(guildID, channelID, alice(), 0), "ask"))

	const retryAfter = 300 * time.Millisecond
	srv.RateLimitNext("POST /interactions/*/*/callback", retryAfter)
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "eventually"}})
	if err != nil {
		t.Fatalf("InteractionRespond: %v (discordgo should have retried the 429)", err)
	}
	rl := recv(ctx, t, limited, "discordgo's RateLimit event")
	if rl.RetryAfter != retryAfter {
		t.Errorf("discordgo read retry_after %v, want %v", rl.RetryAfter, retryAfter)
	}
	var calls []Request
	for _, r := range srv.Requests() {
		if r.Is("POST /interactions/*/*/callback") {
			calls = append(calls, r)
		}
	}
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || calls[1].Status != http.StatusNoContent {
		t.Fatalf("callback requests %v, want a 429 then a 204", calls)
	}
	if gap := calls[1].Time.Sub(calls[0].Time); gap < retryAfter-20*time.Millisecond {
		t.Errorf("retried after %v, want at least %v", gap, retryAfter)
	}
	if _, err := srv.WaitMessage(ctx, func(m Message) bool { return m.Content == "eventually" }); err != nil {
		t.Fatal(err)
	}
	srv.AssertClean(t)
}

func kindStrings(ks []MessageKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// TestDatalessInteraction: Dataless sends an interaction without a "data"
// field, which discordgo hands on with Data nil; the interaction can still
// be answered (an autocomplete with an empty list of choices).
func TestDatalessInteraction(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, s, interactions := connected(t)
	guild := InGuild(guildID, channelID, alice(), 0)
	for _, typ := range []discordgo.InteractionType{discordgo.InteractionApplicationCommandAutocomplete,
		discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit} {
		i := Dataless(guild, typ)
		got := dispatch(ctx, t, srv, interactions, i)
		if got.Data != nil || got.Type != typ || got.Member == nil || got.Member.User.ID != alice().ID {
			t.Errorf("%s: the bot received data %#v, type %s, member %+v; want no data", typ, got.Data, got.Type, got.Member)
		}
	}
	ac := Dataless(guild, discordgo.InteractionApplicationCommandAutocomplete)
	got := dispatch(ctx, t, srv, interactions, ac)
	err := s.InteractionRespond(got, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "none", Value: "none"}}}})
	if err != nil {
		t.Fatalf("answering a dataless autocomplete: %v", err)
	}
	r, err := srv.WaitFor(ctx, func(r Request) bool { return r.Is("POST /interactions/" + ac.ID + "/*/callback") })
	if err != nil || r.Status != http.StatusNoContent {
		t.Errorf("callback %v, %v; want 204", r, err)
	}
}
