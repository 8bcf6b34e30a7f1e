package bot

// Hostile use of the bot: Markdown and mentions in articles, members
// forging moderator actions, forged custom_ids, another server's sources,
// path tricks in attachment names, and ways around the rate limits.
// docs/security.md lists each case with what was seen.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/corpus"
)

const channelA2 = "200000000000000003" // a second channel in guild A

// hostileTitle and hostileText carry every Markdown and mention form
// Discord renders: mentions of everyone, a user, a role, a channel, a
// slash command, a timestamp; a masked link, a code fence, a spoiler, a
// heading and bold.
const (
	hostileTitle = "@everyone <@&987654321098765432> [Breaking](http://evil.example/t) ```x``` ||y|| **z**"
	hostileText  = "The council flyer told @everyone and @here to bring <@123456789012345678> and <@&987654321098765432> to the lighthouse meeting in <#200000000000000001> at <t:1700000000:R>.\n\n" +
		"# The lighthouse heading\n\n" +
		"```\nthe lighthouse code fence\n```\n\n" +
		"The lighthouse keeper said [click here](http://evil.example/phish) and ||the lighthouse spoiler|| and </lighthouse:1> and **bold lighthouse**."
)

// rawForms are what must never reach a rendered text unescaped.
var rawForms = []string{"@everyone", "@here", "<@1", "<@&", "<#2", "<t:", "</lighthouse", "](http", "```", "||", " **bold", "**z**"}

// assertInert checks that a text shown to members carries no raw Markdown
// or mention form of the hostile input, and no heading line.
func assertInert(t *testing.T, where, s string) {
	t.Helper()
	for _, raw := range rawForms {
		if strings.Contains(s, raw) {
			t.Errorf("%s shows %q unescaped: %q", where, raw, s)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimPrefix(line, "> "), "#") {
			t.Errorf("%s has a heading line: %q", where, line)
		}
	}
}

// shownTexts are the parts of a message Discord renders as Markdown:
// content, embed descriptions and field values. (Embed titles and footers
// are not checked here: footers are plain text and titles render neither
// links nor mentions; see docs/security.md.)
func shownTexts(m discordtest.Message) map[string]string {
	out := map[string]string{"content": m.Content}
	for i, e := range m.Embeds {
		out[fmt.Sprintf("embed %d description", i)] = e.Description
		for _, f := range e.Fields {
			out[fmt.Sprintf("embed %d field %q", i, f.Name)] = f.Value
		}
	}
	return out
}

// buttonIDs lists the custom_ids of a message's buttons.
func buttonIDs(m discordtest.Message) []string {
	var ids []string
	for _, row := range m.Components {
		for _, c := range row.(*discordgo.ActionsRow).Components {
			ids = append(ids, c.(*discordgo.Button).CustomID)
		}
	}
	return ids
}

func buttonWithPrefix(t *testing.T, m discordtest.Message, prefix string) string {
	t.Helper()
	for _, id := range buttonIDs(m) {
		if strings.HasPrefix(id, prefix+":") {
			return id
		}
	}
	t.Fatalf("no %s button in %v", prefix, buttonIDs(m))
	return ""
}

// addSource adds text to a scope directly, with the metadata given.
func (h *harness) addSource(text string, meta corpus.Meta) corpus.Source {
	h.t.Helper()
	doc, err := corpus.ParseText([]byte(text))
	if err != nil {
		h.t.Fatal(err)
	}
	src, err := h.lib.Add(context.Background(), corpus.Draft{Doc: doc, Meta: meta})
	if err != nil {
		h.t.Fatal(err)
	}
	return src
}

// TestHostileMarkdownAndMentions puts every Markdown and mention form in an
// article's text, title, outlet, author, note and adder, then follows it
// through each place the bot shows it: an answer (with "also carried by"),
// the Context button, /sources show and list, the remove confirmation and
// its result, and the add reply. Nothing may render or ping.
func TestHostileMarkdownAndMentions(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	meta := corpus.Meta{Scope: guildA, Title: hostileTitle, Outlet: "<@123456789012345678> News", Author: "**Bold** @here",
		Note: "[note](http://evil.example/n)", AddedBy: "@everyone (discord:1)", URL: "https://example.org/flyer"}
	src := h.addSource(hostileText, meta)
	copyMeta := meta
	copyMeta.Outlet, copyMeta.URL = "||Wire|| ```copy```", "https://example.org/flyer-copy"
	h.addSource("Reprinted from the wire.\n\n"+hostileText, copyMeta)

	seen := map[string]discordtest.Message{}
	ans := h.send(ask(inGuildA, "who did the council flyer tell to bring to the lighthouse meeting"))
	if len(ans.Embeds) == 0 || len(ans.Embeds[0].Fields) == 0 {
		t.Fatalf("want a quote with also carried by; got %q %+v", ans.Content, ans.Embeds)
	}
	seen["answer"] = ans
	seen["context button"] = h.send(discordtest.ButtonPress(inGuildA, ans.Result, buttonWithPrefix(t, ans, contextButton.prefix)))
	seen["/sources show"] = h.send(discordtest.SlashCommand(inGuildA, cmdSources, discordtest.SubCommand("show", discordtest.StringOption("id", src.ID))))
	seen["/sources list"] = h.send(discordtest.SlashCommand(inGuildA, cmdSources, discordtest.SubCommand("list")))
	confirm := h.send(discordtest.SlashCommand(modInGuildA, cmdLibrary, discordtest.SubCommand("remove", discordtest.StringOption("id", src.ID))))
	seen["remove confirmation"] = confirm
	seen["remove result"] = h.send(discordtest.ButtonPress(modInGuildA, confirm.Result, removeButton.prefix+":"+src.ID))
	seen["add reply"] = h.send(discordtest.ModalSubmit(modInGuildA, modalAddText,
		discordtest.TextValue{CustomID: "title", Value: hostileTitle},
		discordtest.TextValue{CustomID: "outlet", Value: "<@&987654321098765432>"},
		discordtest.TextValue{CustomID: "body", Value: hostileText}))
	for where, m := range seen {
		assertNoPings(t, m)
		for part, s := range shownTexts(m) {
			assertInert(t, where+", "+part, s)
		}
		t.Logf("seen (%s): content %q", where, m.Content)
	}
	if d := ans.Embeds[0].Description; !strings.Contains(d, "everyone") || !strings.Contains(d, "flyer") {
		t.Errorf("the quote lost its words: %q", d)
	}
	t.Logf("seen (answer): %q", ans.Embeds[0].Description)
	t.Logf("seen (also carried by): %q", ans.Embeds[0].Fields[0].Value)
	if r := seen["remove result"]; !strings.Contains(r.Content, "Removed") {
		t.Errorf("remove: %q", r.Content)
	}
	if r := seen["add reply"]; !strings.HasPrefix(r.Content, "Added ") {
		t.Errorf("add: %q", r.Content)
	}
}

// TestHostileMemberActsAsModerator sends moderator actions as a member
// without Manage Messages (the client hides /library, but an interaction
// can be forged), as a "member" with no member object, and from a DM.
// Each is refused and the library is unchanged.
func TestHostileMemberActsAsModerator(t *testing.T) {
	t.Parallel()
	h := startFetching(t, Config{}, fetchLocal())
	src := h.addSource("Quarry Story\n\nThe quarry closed after ninety years of blasting granite.", corpus.Meta{Scope: guildA, AddedBy: "test"})
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "Forged Story\n\nA member tried to add this article without permission.")
	}))
	defer srv.Close()
	noMember := func(i *discordgo.Interaction) *discordgo.Interaction {
		i.User, i.Member = member, nil
		return i
	}
	tests := []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"member: /library remove", discordtest.SlashCommand(inGuildA, cmdLibrary, discordtest.SubCommand("remove", discordtest.StringOption("id", src.ID))), msgNotMod},
		{"member: /library add url", libraryAdd(inGuildA, "url", discordtest.StringOption("url", srv.URL+"/a")), msgNotMod},
		{"member: /library add file", attach(libraryAdd(inGuildA, "file", attachmentOption("f")), "f", "a.txt", 80, srv.URL+"/a.txt"), msgNotMod},
		{"member: add form submitted", discordtest.ModalSubmit(inGuildA, modalAddText, discordtest.TextValue{CustomID: "body", Value: "Forged body text."}), msgNotMod},
		{"member: remove button", discordtest.ButtonPress(inGuildA, &discordgo.Message{ID: "700000000000000001", ChannelID: channelA}, removeButton.prefix+":"+src.ID), msgNotMod},
		{"guild interaction without a member", noMember(discordtest.SlashCommand(modInGuildA, cmdLibrary, discordtest.SubCommand("remove", discordtest.StringOption("id", src.ID)))), msgNotMod},
		{"remove button without a member", noMember(discordtest.ButtonPress(modInGuildA, &discordgo.Message{ID: "700000000000000002", ChannelID: channelA}, removeButton.prefix+":"+src.ID)), msgNotMod},
		{"/library from a DM", discordtest.SlashCommand(inDM, cmdLibrary, discordtest.SubCommand("remove", discordtest.StringOption("id", src.ID))), "use this command in a server"},
		{"moderator: forged form id", discordtest.ModalSubmit(modInGuildA, "library-add-evil", discordtest.TextValue{CustomID: "body", Value: "Forged body text."}), msgExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := h.send(tc.i)
			t.Logf("seen: %q", m.Content)
			if !strings.Contains(m.Content, tc.want) {
				t.Errorf("reply %q, want %q", m.Content, tc.want)
			}
			if m.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Error("the refusal is not private")
			}
		})
	}
	if _, err := h.lib.Get(context.Background(), src.ID, ""); err != nil {
		t.Errorf("the source is gone: %v", err)
	}
	if srcs, _ := h.lib.Sources(context.Background(), guildA); len(srcs) != 6 {
		t.Errorf("guild A sees %d sources, want the 5 seeds and the quarry", len(srcs))
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("%d fetches made for refused members", n)
	}
}

func attachmentOption(id string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: id}
}

// attach resolves attachment id of a /library add file interaction.
func attach(i *discordgo.Interaction, id, name string, size int, url string) *discordgo.Interaction {
	data := i.Data.(discordgo.ApplicationCommandInteractionData)
	data.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
		id: {ID: id, Filename: name, Size: size, URL: url},
	}}
	i.Data = data
	return i
}

// TestHostileCustomIDs presses buttons with forged custom_ids: unknown
// prefixes, wrong arity, bad and huge numbers, spans outside the text,
// another server's source, path-like ids. Each gets a plain private
// "expired" or "no longer" sentence and changes nothing.
func TestHostileCustomIDs(t *testing.T) {
	t.Parallel()
	h := start(t, Config{MaxQuotes: 1})
	other := h.addSource("Ferry Story\n\nThe ferry crews voted on Wednesday to end the strike.", corpus.Meta{Scope: guildB, AddedBy: "test"})
	m := h.send(ask(inGuildA, manyAnswers))
	ctxID, moreID := buttonWithPrefix(t, m, contextButton.prefix), buttonWithPrefix(t, m, moreButton.prefix)
	ctxParts, moreParts := strings.Split(ctxID, ":"), strings.Split(moreID, ":")
	id, tok := ctxParts[1], moreParts[1]
	tests := []struct{ customID, want string }{
		{"", msgExpired},
		{":", msgExpired},
		{"::::", msgExpired},
		{"admin:1", msgExpired},
		{"CTX:" + id + ":0:10", msgExpired},
		{strings.Repeat("x", 4000), msgExpired},
		{"ctx", msgExpired},
		{"ctx:" + id, msgExpired},
		{"ctx:" + id + ":0", msgExpired},
		{"ctx:" + id + ":0:10:20", msgExpired},
		{"ctx:" + id + ":a:b", msgExpired},
		{"ctx:" + id + ":-5:10", msgExpired},
		{"ctx:" + id + ":10:5", msgExpired},
		{"ctx:" + id + ":0:99999999999999999999", msgExpired},
		{"ctx:" + id + ":9223372036854775806:9223372036854775807", msgExpired},
		{"ctx:" + other.ID + ":0:10", msgGone},
		{"ctx:../../library.db:0:10", msgGone},
		{"ctx:\x00:0:1", msgGone},
		{"more", msgExpired},
		{"more:" + tok, msgExpired},
		{"more:" + tok + ":1:2", msgExpired},
		{"more:" + tok + ":-1", msgExpired},
		{"more:" + tok + ":0", msgExpired},
		{"more:" + tok + ":99999999999999999999", msgExpired},
		{"more:AAAAAAAAAAAAAAAA:1", msgExpired},
		{"rm", msgExpired},
		{"rm:" + other.ID + ":x", msgExpired},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%.40q", tc.customID), func(t *testing.T) {
			r := h.send(discordtest.ButtonPress(inGuildA, m.Result, tc.customID))
			if r.Content != tc.want || r.Flags&discordgo.MessageFlagsEphemeral == 0 || len(r.Embeds) != 0 {
				t.Errorf("reply %q (flags %d, %d embeds), want private %q", r.Content, r.Flags, len(r.Embeds), tc.want)
			}
		})
	}
	if _, err := h.lib.Get(context.Background(), other.ID, ""); err != nil {
		t.Errorf("guild B's source is gone: %v", err)
	}
	// Another member of the same server may press a public answer's More
	// button (it is public); the next quotes go to them, privately.
	press := discordtest.ButtonPress(discordtest.InGuild(guildA, channelA, moderator, 0), m.Result, moreID)
	r := h.send(press)
	deferred := h.waitMessage(func(d discordtest.Message) bool {
		return d.InteractionID == press.ID && d.Kind == discordtest.KindDeferredReply
	})
	t.Logf("seen (another member's More): %d embeds, deferred with flags %d", len(r.Embeds), deferred.Flags)
	if len(r.Embeds) == 0 || deferred.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("More by another member: %q, %d embeds, deferred with flags %d", r.Content, len(r.Embeds), deferred.Flags)
	}
}

// TestHostileOtherServersSource reaches for guild A's source from guild B
// and from a DM: by /sources show, by a Context button, by /library remove
// and its button, and through autocomplete. None may see or change it.
func TestHostileOtherServersSource(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	src := h.addSource("Trawler Story\n\nThe harbour master counted eleven trawlers returning before the storm.", corpus.Meta{Scope: guildA, AddedBy: "test"})
	modB := discordtest.InGuild(guildB, channelB, moderator, discordgo.PermissionManageMessages)
	msg := &discordgo.Message{ID: "700000000000000003", ChannelID: channelB}
	tests := []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"/sources show from guild B", discordtest.SlashCommand(inGuildB, cmdSources, discordtest.SubCommand("show", discordtest.StringOption("id", src.ID))), "There is no such source in this server's library"},
		{"/sources show from a DM", discordtest.SlashCommand(inDM, cmdSources, discordtest.SubCommand("show", discordtest.StringOption("id", src.ID))), "There is no such source in this server's library"},
		{"Context button from guild B", discordtest.ButtonPress(inGuildB, msg, fmt.Sprintf("ctx:%s:0:10", src.ID)), msgGone},
		{"Context button from a DM", discordtest.ButtonPress(inDM, msg, fmt.Sprintf("ctx:%s:0:10", src.ID)), msgGone},
		{"/library remove by guild B's moderator", discordtest.SlashCommand(modB, cmdLibrary, discordtest.SubCommand("remove", discordtest.StringOption("id", src.ID))), "There is no such source in this server's library"},
		{"remove button by guild B's moderator", discordtest.ButtonPress(modB, msg, removeButton.prefix+":"+src.ID), msgGone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := h.send(tc.i)
			t.Logf("seen: %q", m.Content)
			if !strings.Contains(m.Content, tc.want) || len(m.Embeds) != 0 {
				t.Errorf("reply %q with %d embeds, want %q", m.Content, len(m.Embeds), tc.want)
			}
		})
	}
	for _, inv := range []discordtest.Invoker{inGuildB, modB} {
		for _, cmd := range []string{cmdSources, cmdLibrary} {
			sub := "show"
			if cmd == cmdLibrary {
				sub = "remove"
			}
			ac := discordtest.Autocomplete(inv, cmd, discordtest.SubCommand(sub, discordtest.Focused(discordtest.StringOption("id", "trawler"))))
			if err := h.fake.DispatchInteraction(ac); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10e9)
			req, err := h.fake.WaitFor(ctx, func(r discordtest.Request) bool {
				return strings.Contains(r.Path, "/interactions/"+ac.ID+"/")
			})
			cancel()
			if err != nil {
				t.Fatalf("no autocomplete answer: %v", err)
			}
			if strings.Contains(string(req.Body), src.ID) || strings.Contains(string(req.Body), "Trawler") {
				t.Errorf("%s autocomplete in guild B offers guild A's source: %s", cmd, req.Body)
			}
		}
	}
	if _, err := h.lib.Get(context.Background(), src.ID, ""); err != nil {
		t.Errorf("guild A's source is gone: %v", err)
	}
}

// TestHostileAttachments sends /library add file with names that try path
// tricks, control characters, Markdown and great length, and attachments
// whose URL or size lies. Names are reduced to a clean base name; lies
// are refused with a sentence that says what to do.
func TestHostileAttachments(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		if strings.HasSuffix(r.URL.Path, "/big") {
			w.Write([]byte(strings.Repeat("Word ", 6<<20/5)))
			return
		}
		fmt.Fprintf(w, "Story %d\n\nThe attachment number %d carried an ordinary article about the harbour.", hits.Load(), hits.Load())
	}))
	defer srv.Close()
	h := startFetching(t, Config{}, fetchLocal())
	long := strings.Repeat("a", 1000) + ".txt"
	tests := []struct {
		name, file string
		size       int
		url        string
		reply      string // the reply starts with it
		origin     string // the stored origin ("" when nothing is stored)
		fetched    bool
	}{
		{"dot-dot to /etc/passwd", "../../etc/passwd", 80, srv.URL + "/1", "Verbatim reads", "", false},
		{"dot-dot to a .txt", "../../etc/passwd.txt", 80, srv.URL + "/2", "Added", "passwd.txt", true},
		{"dot-dot inside", "a/../b.txt", 80, srv.URL + "/3", "Added", "b.txt", true},
		{"backslashes", `..\..\windows\win.txt`, 80, srv.URL + "/4", "Added", "win.txt", true},
		{"NUL and newline", "nul\x00by\nte.txt", 80, srv.URL + "/5", "Added", "nulbyte.txt", true},
		{"NUL before the extension", "evil.exe\x00.txt", 80, srv.URL + "/6", "Added", "evil.exe.txt", true},
		{"1000-character name", long, 80, srv.URL + "/7", "Added", strings.Repeat("a", 115) + "….txt", true},
		{"Markdown and mentions", "**@everyone** [x](evil) `y`.txt", 80, srv.URL + "/8", "Added", "**@everyone** [x](evil) `y`.txt", true},
		{"URL to cloud metadata", "meta.txt", 80, "http://169.254.169.254/latest/meta-data/x.txt", "Not added: the file could not be downloaded from Discord", "", false},
		{"declared over the limit", "big.txt", 11 << 20, srv.URL + "/big", "Not added: that file is over the 5 MiB limit", "", false},
		{"declared 7 MiB, over the download limit", "seven.txt", 7 << 20, srv.URL + "/big", "Not added: that file is over the 5 MiB limit", "", false},
		{"declared small, body 6 MiB", "small.txt", 80, srv.URL + "/big", "Not added: that file is over the 5 MiB limit", "", true},
	}
	for n, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			m := h.send(attach(libraryAdd(modInGuildA, "file", attachmentOption(fmt.Sprint(n))), fmt.Sprint(n), tc.file, tc.size, tc.url))
			t.Logf("seen: %q", m.Content)
			if !strings.HasPrefix(m.Content, tc.reply) {
				t.Errorf("reply %q, want it to start with %q", m.Content, tc.reply)
			}
			assertNoPings(t, m)
			assertInert(t, "reply", m.Content)
			if got := hits.Load() > before; got != tc.fetched {
				t.Errorf("downloaded: %v, want %v", got, tc.fetched)
			}
			if tc.origin == "" {
				return
			}
			_, id, _ := strings.Cut(m.Content, "source `")
			id = strings.TrimSuffix(id, "`.")
			src, err := h.lib.Get(context.Background(), id, guildA)
			if err != nil {
				t.Fatalf("the source the reply names: %v", err)
			}
			if src.Origin != tc.origin {
				t.Errorf("origin %q, want %q", src.Origin, tc.origin)
			}
			show := h.send(discordtest.SlashCommand(inGuildA, cmdSources, discordtest.SubCommand("show", discordtest.StringOption("id", id))))
			for part, s := range shownTexts(show) {
				assertInert(t, "/sources show "+part, s)
			}
		})
	}
	if srcs, _ := h.lib.Sources(context.Background(), guildA); len(srcs) != 5+7 {
		t.Errorf("%d sources in guild A, want the 5 seeds and 7 added", len(srcs))
	}
}

// TestHostileRateLimitEvasion spends one member's budget through every way
// of asking — /ask, a mention, Find sources, the More button — in several
// channels, servers and a DM: they share one budget. A server's budget is
// shared by its members.
func TestHostileRateLimitEvasion(t *testing.T) {
	t.Parallel()
	h := start(t, Config{MemberPerMinute: 1, MemberBurst: 3, MaxQuotes: 1})
	bot := h.fake.BotUser()
	mention := func(channel, text string) discordtest.Message {
		msg := discordtest.UserMessage(guildA, channel, member, "<@"+bot.ID+"> "+text)
		msg.Mentions = []*discordgo.User{&bot}
		if err := h.fake.DispatchMessage(msg); err != nil {
			t.Fatal(err)
		}
		return h.waitMessage(func(m discordtest.Message) bool {
			return m.Reference != nil && m.Reference.MessageID == msg.ID || m.ChannelID != channelA && m.ChannelID != channelA2 && strings.Contains(m.Content, "try again")
		})
	}
	first := h.send(ask(inGuildA, manyAnswers))
	if len(first.Embeds) == 0 {
		t.Fatalf("first ask: %q", first.Content)
	}
	if m := mention(channelA2, "when was Robert Mueller appointed special counsel?"); len(m.Embeds) == 0 {
		t.Fatalf("mention (2nd question): %q", m.Content)
	}
	target := discordtest.UserMessage(guildA, channelA, member, "Mueller was appointed special counsel")
	target.ID = "555000000000000002"
	if m := h.send(discordtest.MessageCommand(inGuildA, cmdFindSources, target)); strings.Contains(m.Content, "try again") {
		t.Fatalf("Find sources (3rd question) refused: %q", m.Content)
	}
	// The budget of 3 is spent: every further way is refused.
	inA2 := discordtest.InGuild(guildA, channelA2, member, discordgo.PermissionViewChannel)
	refusedInteractions := map[string]*discordgo.Interaction{
		"More button":         discordtest.ButtonPress(inGuildA, first.Result, buttonWithPrefix(t, first, moreButton.prefix)),
		"/ask, other channel": ask(inA2, "Mueller"),
		"/ask, other server":  ask(inGuildB, "Mueller"),
		"/ask in a DM":        ask(inDM, "Mueller"),
		"Find sources again":  discordtest.MessageCommand(inA2, cmdFindSources, target),
	}
	for name, i := range refusedInteractions {
		m := h.send(i)
		t.Logf("seen (%s): %q", name, m.Content)
		if !strings.Contains(m.Content, "try again in") || m.Flags&discordgo.MessageFlagsEphemeral == 0 || len(m.Embeds) != 0 {
			t.Errorf("%s: %q, want a private refusal", name, m.Content)
		}
	}
	m := mention(channelA2, "when was Robert Mueller appointed special counsel?")
	t.Logf("seen (mention): %q in channel %s", m.Content, m.ChannelID)
	if m.Reference != nil || !strings.Contains(m.Content, "try again in") {
		t.Errorf("a mention past the limit was answered, or not refused privately: %+v", m)
	}

	// The server's budget: two members spend it, a third is refused, and
	// another server is not affected.
	h2 := start(t, Config{GuildPerMinute: 1, GuildBurst: 2})
	for n, u := range []*discordgo.User{member, moderator} {
		if m := h2.send(ask(discordtest.InGuild(guildA, channelA, u, 0), "Mueller")); len(m.Embeds) == 0 {
			t.Fatalf("member %d refused: %q", n, m.Content)
		}
	}
	third := discordtest.NewUser("300000000000000003", "third")
	if m := h2.send(ask(discordtest.InGuild(guildA, channelA2, third, 0), "Mueller")); !strings.Contains(m.Content, "try again in") {
		t.Errorf("third member past the server's budget: %q", m.Content)
	} else {
		t.Logf("seen (server budget spent): %q", m.Content)
	}
	if m := h2.send(ask(discordtest.InGuild(guildB, channelB, third, 0), "Mueller")); len(m.Embeds) == 0 {
		t.Errorf("another server refused: %q", m.Content)
	}
}
