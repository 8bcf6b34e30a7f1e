package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// restOnly starts a fake with one known text channel and a session that is
// not connected to the gateway (REST needs none).
func restOnly(t *testing.T, opts ...Option) (*Server, *discordgo.Session) {
	t.Helper()
	srv := New(t, opts...)
	srv.AddChannel(&discordgo.Channel{ID: channelID, GuildID: guildID, Type: discordgo.ChannelTypeGuildText, Name: "general"})
	return srv, srv.Session(t, "")
}

func TestBulkCommandOverwrite(t *testing.T) {
	t.Parallel()
	srv, s := restOnly(t)
	app := srv.ApplicationID()
	perm := int64(discordgo.PermissionManageGuild)
	cmds := []*discordgo.ApplicationCommand{
		{Name: "ask", Description: "Ask the library", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true},
		}},
		{Name: "add", Description: "Add an article", DefaultMemberPermissions: &perm},
		{Name: "Quote this", Type: discordgo.MessageApplicationCommand},
	}
	for _, guild := range []string{"", guildID} {
		created, err := s.ApplicationCommandBulkOverwrite(app, guild, cmds)
		if err != nil {
			t.Fatalf("bulk overwrite (guild %q): %v", guild, err)
		}
		if len(created) != 3 {
			t.Fatalf("created %d commands, want 3", len(created))
		}
		for _, c := range created {
			if c.ID == "" || c.ApplicationID != app || c.GuildID != guild || c.Version == "" {
				t.Errorf("created %+v, want id, application_id %s, guild_id %q, version", c, app, guild)
			}
		}
		listed, err := s.ApplicationCommands(app, guild)
		if err != nil || len(listed) != 3 {
			t.Fatalf("list (guild %q) = %d commands, %v; want 3", guild, len(listed), err)
		}
		// A second overwrite keeps the ID of a command with the same name and drops the rest.
		again, err := s.ApplicationCommandBulkOverwrite(app, guild, cmds[:1])
		if err != nil {
			t.Fatalf("second overwrite: %v", err)
		}
		if len(again) != 1 || again[0].ID != created[0].ID {
			t.Errorf("second overwrite = %+v, want only ask with id %s", again, created[0].ID)
		}
		if got := srv.Commands(guild); len(got) != 1 {
			t.Errorf("Commands(%q) = %d, want 1", guild, len(got))
		}
	}
	srv.AssertClean(t)

	bad := []*discordgo.ApplicationCommand{{Name: "Ask", Description: "Upper case is not allowed"}, {Name: "empty"}}
	_, err := s.ApplicationCommandBulkOverwrite(app, "", bad)
	if re := restErr(t, err); re.Message == nil || re.Message.Code != codeInvalidFormBody {
		t.Fatalf("invalid commands answered %s, want 50035", re.ResponseBody)
	}
	fields := map[string]bool{}
	for _, v := range srv.Violations() {
		fields[v.Field] = true
	}
	if !fields["0.name"] || !fields["1.description"] {
		t.Errorf("violations %v, want 0.name and 1.description", srv.Violations())
	}
}

// Builders of messages at and over Discord's limits, for TestMessageLimits.

// longText is n code points of a two-byte letter: Discord counts code
// points, not bytes.
func longText(n int) string { return strings.Repeat("é", n) }

// nEmbeds is n small embeds.
func nEmbeds(n int) []*discordgo.MessageEmbed {
	out := make([]*discordgo.MessageEmbed, n)
	for i := range out {
		out[i] = &discordgo.MessageEmbed{Description: "x"}
	}
	return out
}

// nFields is n small embed fields.
func nFields(n int) []*discordgo.MessageEmbedField {
	out := make([]*discordgo.MessageEmbedField, n)
	for i := range out {
		out[i] = &discordgo.MessageEmbedField{Name: "n", Value: "v"}
	}
	return out
}

// buttonRow is an action row of buttons with the given custom IDs.
func buttonRow(ids ...string) discordgo.MessageComponent {
	r := discordgo.ActionsRow{}
	for _, id := range ids {
		r.Components = append(r.Components, discordgo.Button{Label: "b", Style: discordgo.SecondaryButton, CustomID: id})
	}
	return r
}

// nRows is n action rows of one button each.
func nRows(n int) []discordgo.MessageComponent {
	out := make([]discordgo.MessageComponent, n)
	for i := range out {
		out[i] = buttonRow(string(rune('a' + i)))
	}
	return out
}

// TestMessageLimits sends messages at and just over each of Discord's
// message limits: the first are sent, the others refused with the error
// Discord gives and recorded as violations.
func TestMessageLimits(t *testing.T) {
	t.Parallel()
	srv, s := restOnly(t)
	big := strings.Repeat("x", 4000)

	tests := []struct {
		name      string
		msg       discordgo.MessageSend
		wantField string // "" when the message is valid
		wantCode  int
	}{
		{"content at the limit", discordgo.MessageSend{Content: longText(MaxContentLength)}, "", 0},
		{"content too long", discordgo.MessageSend{Content: longText(MaxContentLength + 1)}, "content", codeInvalidFormBody},
		{"empty message", discordgo.MessageSend{Content: "  "}, "", codeEmptyMessage},
		{"10 embeds", discordgo.MessageSend{Embeds: nEmbeds(10)}, "", 0},
		{"11 embeds", discordgo.MessageSend{Embeds: nEmbeds(11)}, "embeds", codeInvalidFormBody},
		{"title", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: longText(257)}}}, "embeds.0.title", codeInvalidFormBody},
		{"description", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: longText(4097)}}}, "embeds.0.description", codeInvalidFormBody},
		{"25 fields", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: nFields(25)}}}, "", 0},
		{"26 fields", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: nFields(26)}}}, "embeds.0.fields", codeInvalidFormBody},
		{"field name", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: longText(257), Value: "v"}}}}}, "embeds.0.fields.0.name", codeInvalidFormBody},
		{"field value", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: longText(1025)}}}}}, "embeds.0.fields.0.value", codeInvalidFormBody},
		{"empty field value", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "n"}}}}}, "embeds.0.fields.0.value", codeInvalidFormBody},
		{"footer", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Footer: &discordgo.MessageEmbedFooter{Text: longText(2049)}}}}, "embeds.0.footer.text", codeInvalidFormBody},
		{"author", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Author: &discordgo.MessageEmbedAuthor{Name: longText(257)}}}}, "embeds.0.author.name", codeInvalidFormBody},
		{"embed URL", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: "t", URL: "javascript:alert(1)"}}}, "embeds.0.url", codeInvalidFormBody},
		{"6000 characters in embeds", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: big}, {Description: strings.Repeat("x", 2000)}}}, "", 0},
		{"6001 characters in embeds", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: big}, {Description: strings.Repeat("x", 2000), Title: "y"}}}, "embeds", codeInvalidFormBody},
		{"5 rows of 5 buttons", discordgo.MessageSend{Content: "c", Components: []discordgo.MessageComponent{
			buttonRow("a1", "a2", "a3", "a4", "a5"), buttonRow("b1", "b2", "b3", "b4", "b5"), buttonRow("c1"), buttonRow("d1"), buttonRow("e1")}}, "", 0},
		{"6 rows", discordgo.MessageSend{Content: "c", Components: nRows(6)}, "components", codeInvalidFormBody},
		{"6 buttons in a row", discordgo.MessageSend{Content: "c", Components: []discordgo.MessageComponent{buttonRow("1", "2", "3", "4", "5", "6")}}, "components.0.components", codeInvalidFormBody},
		{"custom_id too long", discordgo.MessageSend{Content: "c", Components: []discordgo.MessageComponent{buttonRow(strings.Repeat("i", 101))}}, "components.0.components.0.custom_id", codeInvalidFormBody},
		{"duplicate custom_id", discordgo.MessageSend{Content: "c", Components: []discordgo.MessageComponent{buttonRow("same", "same")}}, "components.0.components.1.custom_id", codeInvalidFormBody},
		{"allowed mentions parse and users", discordgo.MessageSend{Content: "c", AllowedMentions: &discordgo.MessageAllowedMentions{
			Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}, Users: []string{"1"}}}, "allowed_mentions.parse", codeInvalidFormBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Violations())
			msgsBefore := len(srv.Messages())
			msg := tc.msg
			_, err := s.ChannelMessageSendComplex(channelID, &msg)
			if tc.wantCode == 0 {
				if err != nil {
					t.Fatalf("valid message refused: %v", err)
				}
				if got := len(srv.Messages()) - msgsBefore; got != 1 {
					t.Errorf("recorded %d messages, want 1", got)
				}
				return
			}
			re := restErr(t, err)
			if re.Response.StatusCode != http.StatusBadRequest || re.Message == nil || re.Message.Code != tc.wantCode {
				t.Fatalf("answered %d %s, want 400 with code %d", re.Response.StatusCode, re.ResponseBody, tc.wantCode)
			}
			if tc.wantField != "" && !errorTreeHas(t, re.ResponseBody, tc.wantField) {
				t.Errorf("error body %s has no _errors at %s", re.ResponseBody, tc.wantField)
			}
			added := srv.Violations()[before:]
			if len(added) == 0 || added[0].Field != tc.wantField {
				t.Errorf("violations %v, want one at %q", added, tc.wantField)
			}
			if len(srv.Messages()) != msgsBefore {
				t.Error("a refused message was recorded as sent")
			}
		})
	}
}

// errorTreeHas reports whether a 50035 body has _errors at a dotted path.
func errorTreeHas(t *testing.T, body []byte, field string) bool {
	t.Helper()
	var e struct {
		Errors map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	var node any = e.Errors
	for _, part := range strings.Split(field, ".") {
		m, ok := node.(map[string]any)
		if !ok {
			return false
		}
		node = m[part]
	}
	m, ok := node.(map[string]any)
	return ok && m["_errors"] != nil
}

func TestAllowedMentionsAsSent(t *testing.T) {
	t.Parallel()
	srv, s := restOnly(t)
	tests := []struct {
		name       string
		am         *discordgo.MessageAllowedMentions
		wantJSON   string // "" when absent
		suppressed bool
	}{
		{"absent", nil, "", false},
		{"empty struct sends parse null", &discordgo.MessageAllowedMentions{}, `{"parse":null,"replied_user":false}`, false},
		{"empty slice sends parse []", noMentions(), `{"parse":[],"replied_user":false}`, true},
		{"users", &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}}, `{"parse":["users"],"replied_user":false}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sent, err := s.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{Content: tc.name, AllowedMentions: tc.am})
			if err != nil {
				t.Fatal(err)
			}
			m, err := srv.WaitMessage(testContext(t), func(m Message) bool { return m.ID == sent.ID })
			if err != nil {
				t.Fatal(err)
			}
			if got := string(m.AllowedMentionsJSON); got != tc.wantJSON {
				t.Errorf("allowed_mentions as sent = %s, want %s", got, tc.wantJSON)
			}
			if m.MentionsSuppressed() != tc.suppressed {
				t.Errorf("MentionsSuppressed = %v, want %v", m.MentionsSuppressed(), tc.suppressed)
			}
		})
	}
}

func TestRepliesAndFiles(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv, s := restOnly(t)
	first, err := s.ChannelMessageSend(channelID, "the quote")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := s.ChannelMessageSendReply(channelID, "context", first.Reference())
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if reply.Type != discordgo.MessageTypeReply || reply.MessageReference == nil || reply.MessageReference.MessageID != first.ID {
		t.Errorf("reply = type %d ref %+v, want a reply to %s", reply.Type, reply.MessageReference, first.ID)
	}
	_, err = s.ChannelMessageSendReply(channelID, "to nothing", &discordgo.MessageReference{MessageID: "123", ChannelID: channelID})
	if re := restErr(t, err); re.Message == nil || re.Message.Code != codeInvalidFormBody {
		t.Errorf("reply to an unknown message answered %s, want 50035", re.ResponseBody)
	}

	sent, err := s.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
		Content: "the article",
		Files:   []*discordgo.File{{Name: "article.txt", ContentType: "text/plain", Reader: strings.NewReader("Moscow denied it.")}},
	})
	if err != nil {
		t.Fatalf("send with a file: %v", err)
	}
	m, err := srv.WaitMessage(ctx, func(m Message) bool { return m.ID == sent.ID })
	if err != nil {
		t.Fatal(err)
	}
	if m.Content != "the article" || len(m.Files) != 1 || string(m.Files[0].Data) != "Moscow denied it." || m.Files[0].Field != "files[0]" {
		t.Errorf("recorded %q with files %+v, want the payload_json content and files[0]", m.Content, m.Files)
	}
	if len(sent.Attachments) != 1 {
		t.Fatalf("attachments = %+v, want 1", sent.Attachments)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sent.Attachments[0].URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", sent.Attachments[0].URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, []byte("Moscow denied it.")) {
		t.Errorf("CDN answered %d %q, want the file", resp.StatusCode, body)
	}

	got, err := s.ChannelMessage(channelID, first.ID)
	if err != nil || got.Content != "the quote" {
		t.Errorf("GET message = %+v, %v", got, err)
	}
	edited, err := s.ChannelMessageEdit(channelID, first.ID, "the quote, corrected")
	if err != nil || edited.Content != "the quote, corrected" || edited.EditedTimestamp == nil {
		t.Errorf("edit = %+v, %v", edited, err)
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	srv, s := restOnly(t)
	srv.AddMember(guildID, &discordgo.Member{User: alice(), Permissions: discordgo.PermissionManageGuild})

	me, err := s.User("@me")
	if err != nil || me.ID != srv.BotUser().ID || !me.Bot {
		t.Errorf("GET /users/@me = %+v, %v", me, err)
	}
	ch, err := s.Channel(channelID)
	if err != nil || ch.GuildID != guildID {
		t.Errorf("GET /channels/%s = %+v, %v", channelID, ch, err)
	}
	mem, err := s.GuildMember(guildID, alice().ID)
	if err != nil || mem.User.ID != alice().ID {
		t.Errorf("GET member = %+v, %v", mem, err)
	}
	for name, call := range map[string]func() error{
		"unknown channel": func() error { _, err := s.Channel("999"); return err },
		"unknown member":  func() error { _, err := s.GuildMember(guildID, "999"); return err },
		"unknown message": func() error { _, err := s.ChannelMessage(channelID, "999"); return err },
	} {
		if re := restErr(t, call()); re.Response.StatusCode != http.StatusNotFound {
			t.Errorf("%s answered %d, want 404", name, re.Response.StatusCode)
		}
	}
}

func TestUnknownRoutesAndAuth(t *testing.T) {
	t.Parallel()
	srv, s := restOnly(t)
	_, err := s.Request(http.MethodGet, discordgo.EndpointAPI+"no/such/route", nil)
	re := restErr(t, err)
	if re.Response.StatusCode != http.StatusNotFound || string(re.ResponseBody) != `{"code":0,"message":"404: Not Found"}` {
		t.Errorf("unknown route answered %d %s", re.Response.StatusCode, re.ResponseBody)
	}
	if u := srv.UnknownRequests(); len(u) != 1 || u[0].APIPath() != "/no/such/route" {
		t.Errorf("UnknownRequests = %v, want the one request", u)
	}

	wrong := srv.Session(t, "wrong")
	if _, err := wrong.User("@me"); restErr(t, err).Response.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %v, want 401", err)
	}

	if _, err := srv.Client().Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "only Discord hosts") {
		t.Errorf("request to example.com: %v, want refused", err)
	}
}

func TestServerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		inject       func(*Server)
		wantStatus   int // 0 when the send should succeed
		wantRequests int
	}{
		{"500 is returned at once", func(s *Server) { s.FailNext("POST /channels/*/messages", 500, 1) }, 500, 1},
		{"502 is retried", func(s *Server) { s.FailNext("POST /channels/*/messages", 502, 2) }, 0, 3},
		{"502 beyond MaxRestRetries", func(s *Server) { s.FailNext("POST /channels/*/messages", 502, 4) }, -1, 4},
		{"route not matched", func(s *Server) { s.FailNext("GET /channels/*/messages", 500, 1) }, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, s := restOnly(t)
			tc.inject(srv)
			_, err := s.ChannelMessageSend(channelID, "hello")
			switch {
			case tc.wantStatus == 0 && err != nil:
				t.Fatalf("send failed: %v", err)
			case tc.wantStatus > 0:
				if re := restErr(t, err); re.Response.StatusCode != tc.wantStatus {
					t.Fatalf("answered %d, want %d", re.Response.StatusCode, tc.wantStatus)
				}
			case tc.wantStatus < 0 && (err == nil || !strings.Contains(err.Error(), "Exceeded Max retries")):
				t.Fatalf("err = %v, want discordgo's Exceeded Max retries", err)
			}
			if n := len(srv.Requests()); n != tc.wantRequests {
				t.Errorf("%d requests, want %d: %v", n, tc.wantRequests, srv.Requests())
			}
		})
	}

	t.Run("FailEvery alternates", func(t *testing.T) {
		t.Parallel()
		srv, s := restOnly(t)
		srv.FailEvery(2, http.StatusServiceUnavailable)
		var statuses []int
		for range 4 {
			_, err := s.ChannelMessageSend(channelID, "hi")
			status := 200
			if err != nil {
				status = restErr(t, err).Response.StatusCode
			}
			statuses = append(statuses, status)
		}
		if want := []int{200, 503, 200, 503}; !slices.Equal(statuses, want) {
			t.Errorf("statuses %v, want %v", statuses, want)
		}
	})
}

func TestWaitForTimesOutWithContext(t *testing.T) {
	t.Parallel()
	srv, _ := restOnly(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := srv.WaitFor(ctx, func(Request) bool { return false })
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("WaitFor with a cancelled context: %v", err)
	}
}
