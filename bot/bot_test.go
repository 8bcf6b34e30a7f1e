package bot

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
	"github.com/verbatim-bot/verbatim/retrieval"
)

const (
	guildA   = "100000000000000001"
	guildB   = "100000000000000002"
	channelA = "200000000000000001"
	channelB = "200000000000000002"
	dmChan   = "200000000000000009"
)

// manyAnswers is a question with more confident answers in the seed
// library (under the default tuning) than any test shows at once, so its
// answer has a More button.
const manyAnswers = "election interference"

var (
	member    = discordtest.NewUser("300000000000000001", "member")
	moderator = discordtest.NewUser("300000000000000002", "mod")
)

// TestMain runs this package's tests eight at a time (or GOMAXPROCS, if
// more) unless -parallel says otherwise. Most of them wait rather than
// compute: each bot's Run ends with discordgo's Close, which sleeps a whole
// second after the close frame, so at the default of GOMAXPROCS a 2-core
// machine would spend most of the run asleep. Tests that measure the whole
// process (goroutines, heap) do not call t.Parallel, and so run alone,
// before the parallel ones.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(max(8, runtime.GOMAXPROCS(0)))); err != nil {
			fmt.Fprintln(os.Stderr, "setting -test.parallel:", err)
			os.Exit(2)
		}
	}
	os.Exit(pgtest.Main(m))
}

// harness is a running bot against the fake Discord, over a real library.
type harness struct {
	t    *testing.T
	fake *discordtest.Server
	bot  *Bot
	lib  *retrieval.Library
	logs *syncBuffer
	stop context.CancelFunc
	done chan error
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// shortRetryDelays are the harness's waits between attempts of a Discord
// call that met a server error: the shape of the default (growing), at a
// fiftieth of its length, so that a test that makes every attempt fail does
// not wait out seconds.
func shortRetryDelays() []time.Duration {
	return []time.Duration{4 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond}
}

// start runs a bot with cfg against a new fake Discord (opts configure the
// fake), over a new library of the seed articles. Its fetcher reaches only
// public addresses.
func start(t *testing.T, cfg Config, opts ...discordtest.Option) *harness {
	t.Helper()
	return startFetching(t, cfg, corpus.FetchOptions{}, opts...)
}

// fetchLocal lets the fetcher reach httptest servers on 127.0.0.1.
func fetchLocal() corpus.FetchOptions { return corpus.FetchOptions{AllowHosts: []string{"127.0.0.1"}} }

// startFetching is start with a fetcher made with fetch.
func startFetching(t *testing.T, cfg Config, fetch corpus.FetchOptions, opts ...discordtest.Option) *harness {
	t.Helper()
	fake := discordtest.New(t, append([]discordtest.Option{steady}, opts...)...)
	lib, err := retrieval.Open(context.Background(), retrieval.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg.Token = fake.Token()
	cfg.HTTPClient = fake.Client()
	if cfg.retryDelays == nil {
		cfg.retryDelays = shortRetryDelays()
	}
	if cfg.GuildIDs == nil {
		cfg.GuildIDs = []string{guildA, guildB}
	}
	cfg.MaxAttachmentBytes = fetch.MaxBytes
	b, err := New(cfg, lib, corpus.NewFetcher(fetch), slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, fake: fake, bot: b, lib: lib, logs: logs, stop: cancel, done: make(chan error, 1)}
	go func() { h.done <- b.Run(ctx, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("bot did not stop within 10 s")
		}
		lib.Close()
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	// Serving once the commands of both guilds are registered.
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := poll(wctx, func() bool { return len(fake.Commands(guildB)) > 0 && b.Ready() }); err != nil {
		t.Fatalf("bot did not come up: %v\n%s", err, logs.String())
	}
	return h
}

// poll checks cond every 10 ms until it holds or ctx is done. It is for
// conditions on the bot's own state, which the fake is not told about.
func poll(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// send dispatches an interaction and waits for the message that finishes
// it: the first reply that is not a "thinking…" deferral.
func (h *harness) send(i *discordgo.Interaction) discordtest.Message {
	h.t.Helper()
	if err := h.fake.DispatchInteraction(i); err != nil {
		h.t.Fatal(err)
	}
	return h.waitMessage(func(m discordtest.Message) bool {
		return m.InteractionID == i.ID && m.Kind != discordtest.KindDeferredReply
	})
}

func (h *harness) waitMessage(pred func(discordtest.Message) bool) discordtest.Message {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m, err := h.fake.WaitMessage(ctx, pred)
	if err != nil {
		h.t.Fatalf("no such message: %v\nlog:\n%s", err, h.logs.String())
	}
	return m
}

func ask(inv discordtest.Invoker, q string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return discordtest.SlashCommand(inv, cmdAsk, append([]*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("question", q)}, opts...)...)
}

// libraryAdd builds /library add <kind> [options].
func libraryAdd(inv discordtest.Invoker, kind string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return discordtest.SlashCommand(inv, cmdLibrary, &discordgo.ApplicationCommandInteractionDataOption{
		Name: "add", Type: discordgo.ApplicationCommandOptionSubCommandGroup,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.SubCommand(kind, opts...)},
	})
}

var (
	inGuildA    = discordtest.InGuild(guildA, channelA, member, discordgo.PermissionViewChannel|discordgo.PermissionSendMessages)
	modInGuildA = discordtest.InGuild(guildA, channelA, moderator, discordgo.PermissionViewChannel|discordgo.PermissionManageMessages)
	inGuildB    = discordtest.InGuild(guildB, channelB, member, discordgo.PermissionViewChannel)
	inDM        = discordtest.InDM(dmChan, member)
)

// unrender undoes the display of a quote (block quote, bold, escapes and
// the zero-width space after "@") to get back the words shown.
func unrender(desc string) string {
	var lines []string
	for _, l := range strings.Split(desc, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "> "))
	}
	s := strings.Join(lines, "\n")
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "@\u200b", "@")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return strings.Trim(b.String(), "…")
}

// assertQuotesVerbatim checks that every embed's quote is word-for-word in
// the stored text of the source its footer names.
func (h *harness) assertQuotesVerbatim(m discordtest.Message) {
	h.t.Helper()
	if len(m.Embeds) == 0 {
		h.t.Fatalf("no embeds; content %q", m.Content)
	}
	for _, e := range m.Embeds {
		id := e.Footer.Text[strings.LastIndex(e.Footer.Text, "source ")+len("source "):]
		src, err := h.lib.Get(context.Background(), id, "")
		if err != nil {
			h.t.Fatalf("footer %q names no source: %v", e.Footer.Text, err)
		}
		if q := unrender(e.Description); !strings.Contains(src.Text, q) {
			h.t.Errorf("quote is not verbatim in %s:\n%q", id, q)
		}
	}
}

// assertNoPings checks that a message was sent with allowed_mentions
// {"parse": []} — an explicit empty list, not null or absent.
func assertNoPings(t *testing.T, m discordtest.Message) {
	t.Helper()
	var am map[string]any
	if err := json.Unmarshal(m.AllowedMentionsJSON, &am); err != nil {
		t.Fatalf("allowed_mentions %s: %v", m.AllowedMentionsJSON, err)
	}
	parse, ok := am["parse"].([]any)
	if !ok || len(parse) != 0 {
		t.Errorf("allowed_mentions = %s, want {\"parse\":[]}", m.AllowedMentionsJSON)
	}
}

func TestAskInGuild(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	m := h.send(ask(inGuildA, "Did Mueller find that Trump colluded with Russia?"))
	if m.Kind != discordtest.KindEditOriginal {
		t.Errorf("answer came as %s; want the deferred reply edited", m.Kind)
	}
	h.assertQuotesVerbatim(m)
	assertNoPings(t, m)
	first := m.Embeds[0]
	if !strings.Contains(first.Description, "empty\\-handed") || len(first.Fields) == 0 || first.Fields[0].Name != "Also carried by" ||
		!strings.Contains(first.Footer.Text, "TASS") || !strings.Contains(first.Footer.Text, "¶") {
		t.Errorf("first embed lacks quote, attribution or also carried by: %+v", first)
	}
	if !strings.Contains(first.Description, "**Mueller**") {
		t.Errorf("matched words are not bold: %q", first.Description)
	}
	if m.Flags&discordgo.MessageFlagsEphemeral != 0 {
		t.Error("a public /ask answered privately")
	}
	h.fake.AssertClean(t)
	checkGolden(t, "ask_mueller", m.Embeds, m.Components)
}

func TestNoAnswerIsOnePlainSentence(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	m := h.send(ask(inGuildA, "What is the capital of Australia?"))
	if len(m.Embeds) != 0 || len(m.Components) != 0 || !strings.Contains(m.Content, "no quote") || strings.Count(m.Content, ".") != 1 {
		t.Errorf("no-answer reply: %q, %d embeds", m.Content, len(m.Embeds))
	}
	assertNoPings(t, m)
}

func TestQuestionErrorsAreShownPlainly(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	m := h.send(ask(inGuildA, "Mueller", discordtest.StringOption("after", "last spring")))
	if !strings.Contains(m.Content, "After must be a date like 2021-03-17") || strings.Contains(m.Content, "bad filter") {
		t.Errorf("reply: %q", m.Content)
	}
	m = h.send(ask(inGuildA, "?!?"))
	if !strings.Contains(m.Content, "no words to look for") {
		t.Errorf("reply: %q", m.Content)
	}
}

func TestPrivateAsk(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	i := ask(inGuildA, "When was Robert Mueller appointed special counsel?", discordtest.BooleanOption("private", true))
	if err := h.fake.DispatchInteraction(i); err != nil {
		t.Fatal(err)
	}
	d := h.waitMessage(func(m discordtest.Message) bool {
		return m.InteractionID == i.ID && m.Kind == discordtest.KindDeferredReply
	})
	if d.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Error("private /ask was not deferred as ephemeral")
	}
}

func TestModeratorAddsTextSeenInItsGuildOnly(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	open := libraryAdd(modInGuildA, "text")
	if err := h.fake.DispatchInteraction(open); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.fake.WaitFor(ctx, func(r discordtest.Request) bool {
		return strings.Contains(r.Path, "/interactions/"+open.ID+"/") && strings.Contains(string(r.Body), `"type":9`) && strings.Contains(string(r.Body), modalAddText)
	}); err != nil {
		t.Fatalf("the add form did not open: %v", err)
	}
	var m discordtest.Message
	body := "The harbour master counted eleven trawlers returning before the storm on Tuesday night.\n\nThe coastguard said no boat was lost."
	submit := func() *discordgo.Interaction {
		return discordtest.ModalSubmit(modInGuildA, modalAddText,
			discordtest.TextValue{CustomID: "title", Value: "Trawlers beat the storm"},
			discordtest.TextValue{CustomID: "outlet", Value: "Harbour Gazette"},
			discordtest.TextValue{CustomID: "date", Value: "2024-02-06"},
			discordtest.TextValue{CustomID: "url", Value: "https://example.org/trawlers"},
			discordtest.TextValue{CustomID: "body", Value: body})
	}
	m = h.send(submit())
	if !strings.Contains(m.Content, "Added **Trawlers beat the storm**") || !strings.Contains(m.Content, "Harbour Gazette") || !strings.Contains(m.Content, `2024\-02\-06`) {
		t.Fatalf("add reply: %q", m.Content)
	}
	srcs, _ := h.lib.Sources(context.Background(), guildA)
	var added corpus.Info
	for _, s := range srcs {
		if s.Title == "Trawlers beat the storm" {
			added = s
		}
	}
	if added.Scope != guildA || added.AddedBy != "mod (discord:"+moderator.ID+")" || added.URL != "https://example.org/trawlers" {
		t.Errorf("stored source: %+v", added)
	}

	q := "how many trawlers did the harbour master count"
	m = h.send(ask(inGuildA, q))
	h.assertQuotesVerbatim(m)
	if !strings.Contains(m.Embeds[0].Footer.Text, added.ID) || !strings.HasPrefix(m.Embeds[0].URL, "https://example.org/trawlers#:~:text=") {
		t.Errorf("guild A did not get its source, linked at the quote: %+v", m.Embeds[0])
	}
	// The title's link finds the quote, and only it, in the stored text.
	src, err := h.lib.Get(context.Background(), added.ID, guildA)
	if err != nil {
		t.Fatal(err)
	}
	if sp, n := corpus.FindTextDirective(src.Text, m.Embeds[0].URL); n != 1 || !strings.Contains(unrender(m.Embeds[0].Description), src.Text[sp.Start:sp.End]) {
		t.Errorf("the link %s finds %q (%d matches)", m.Embeds[0].URL, src.Text[sp.Start:sp.End], n)
	}
	for _, other := range []discordtest.Invoker{inGuildB, inDM} {
		m = h.send(ask(other, q))
		for _, e := range m.Embeds {
			if strings.Contains(e.Footer.Text, added.ID) {
				t.Errorf("another server (or a DM) saw guild A's source")
			}
		}
	}
	// The same text again is refused, naming the source.
	m = h.send(submit())
	if !strings.Contains(m.Content, "Already in the library as `"+added.ID+"`") {
		t.Errorf("second add: %q", m.Content)
	}
}

func TestMemberCannotCurate(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	for _, i := range []*discordgo.Interaction{
		libraryAdd(inGuildA, "text"),
		libraryAdd(inGuildA, "url", discordtest.StringOption("url", "http://127.0.0.1:1/never-fetched")),
		discordtest.ModalSubmit(inGuildA, modalAddText, discordtest.TextValue{CustomID: "title", Value: "x"}, discordtest.TextValue{CustomID: "body", Value: "Forged body text."}),
	} {
		m := h.send(i)
		if m.Content != msgNotMod || m.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("member's %v: %q", i.Type, m.Content)
		}
	}
	if srcs, _ := h.lib.Sources(context.Background(), ""); len(srcs) != 5 {
		t.Errorf("library has %d sources after refused adds, want the 5 seeds", len(srcs))
	}
	// A configured moderator role is enough.
	h2 := start(t, Config{ModeratorRoles: []string{"400"}})
	inv := inGuildA
	inv.Roles = []string{"400"}
	if m := h2.send(discordtest.SlashCommand(inv, cmdLibrary, discordtest.SubCommand("remove", discordtest.StringOption("id", "nope")))); m.Content == msgNotMod {
		t.Error("a member with a moderator role was refused")
	}
}

func TestRemoveNeedsConfirmationByAModerator(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	doc, _ := corpus.ParseText([]byte("Quarry Story\n\nThe quarry closed after ninety years of blasting granite."))
	src, err := h.lib.Add(context.Background(), corpus.Draft{Doc: doc, Meta: corpus.Meta{Scope: guildA, AddedBy: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	m := h.send(discordtest.SlashCommand(modInGuildA, cmdLibrary, discordtest.SubCommand("remove", discordtest.StringOption("id", src.ID))))
	if !strings.Contains(m.Content, "Remove **Quarry Story**") || len(m.Components) == 0 {
		t.Fatalf("confirm: %q", m.Content)
	}
	msg := m.Result
	// A member pressing the moderator's button is refused.
	if r := h.send(discordtest.ButtonPress(inGuildA, msg, removeButton.prefix+":"+src.ID)); r.Content != msgNotMod {
		t.Errorf("member pressed remove: %q", r.Content)
	}
	if _, err := h.lib.Get(context.Background(), src.ID, ""); err != nil {
		t.Fatal("source removed by a member's button press")
	}
	// Another server's moderator cannot remove it with a forged button.
	modB := discordtest.InGuild(guildB, channelB, moderator, discordgo.PermissionManageMessages)
	if r := h.send(discordtest.ButtonPress(modB, msg, removeButton.prefix+":"+src.ID)); r.Content != msgGone {
		t.Errorf("other server's moderator: %q", r.Content)
	}
	// Nor a seed (global) source.
	seeds, _ := h.lib.Sources(context.Background(), corpus.GlobalScope)
	if r := h.send(discordtest.ButtonPress(modInGuildA, msg, removeButton.prefix+":"+seeds[0].ID)); !strings.Contains(r.Content, "global library") {
		t.Errorf("removing a global source: %q", r.Content)
	}
	r := h.send(discordtest.ButtonPress(modInGuildA, msg, removeButton.prefix+":"+src.ID))
	if r.Kind != discordtest.KindComponentUpdate || !strings.Contains(r.Content, "Removed **Quarry Story**") {
		t.Errorf("confirm: %s %q", r.Kind, r.Content)
	}
	if _, err := h.lib.Get(context.Background(), src.ID, ""); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("source still there: %v", err)
	}
}

func TestMentionRepliesToTheMessage(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	bot := h.fake.BotUser()
	msg := discordtest.UserMessage(guildA, channelA, member, "<@"+bot.ID+"> when was Robert Mueller appointed special counsel?")
	msg.Mentions = []*discordgo.User{&bot}
	if err := h.fake.DispatchMessage(msg); err != nil {
		t.Fatal(err)
	}
	m := h.waitMessage(func(m discordtest.Message) bool {
		return m.Kind == discordtest.KindChannelMessage && m.Reference != nil
	})
	if m.Reference.MessageID != msg.ID || m.ChannelID != channelA {
		t.Errorf("reply references %+v in %s", m.Reference, m.ChannelID)
	}
	h.assertQuotesVerbatim(m)
	assertNoPings(t, m)
	// A message without a mention, from a bot, or without an author is ignored.
	for _, ignored := range []*discordgo.Message{
		discordtest.UserMessage(guildA, channelA, member, "when was Robert Mueller appointed?"),
		func() *discordgo.Message {
			m := discordtest.UserMessage(guildA, channelA, &discordgo.User{ID: "9", Username: "otherbot", Bot: true}, "<@"+bot.ID+"> Mueller")
			m.Mentions = []*discordgo.User{&bot}
			return m
		}(),
	} {
		if err := h.fake.DispatchMessage(ignored); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.fake.Dispatch("MESSAGE_CREATE", map[string]any{"id": "77", "channel_id": channelA, "content": "<@" + bot.ID + "> hi", "mentions": []any{}}); err != nil {
		t.Fatal(err)
	}
	// Then a real mention still works (the bot survived the odd events).
	msg2 := discordtest.UserMessage(guildA, channelA, member, "<@!"+bot.ID+"> how many electoral votes did Trump receive in 2020?")
	msg2.Mentions = []*discordgo.User{&bot}
	if err := h.fake.DispatchMessage(msg2); err != nil {
		t.Fatal(err)
	}
	h.waitMessage(func(m discordtest.Message) bool { return m.Reference != nil && m.Reference.MessageID == msg2.ID })
	replies := 0
	for _, m := range h.fake.Messages() {
		if m.Kind == discordtest.KindChannelMessage {
			replies++
		}
	}
	if replies != 2 {
		t.Errorf("%d channel messages; ignored messages must get no reply", replies)
	}
}

func TestFindSourcesRepliesToTheMessage(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	target := discordtest.UserMessage(guildA, channelA, member, "Russia's embassy said Washington's actions do not lead to the normalization of bilateral relations")
	target.ID = "555000000000000001"
	i := discordtest.MessageCommand(inGuildA, cmdFindSources, target)
	m := h.send(i)
	if !strings.Contains(m.Content, "posted as a reply") {
		t.Errorf("interaction reply: %q", m.Content)
	}
	for _, d := range h.fake.Messages() {
		if d.InteractionID == i.ID && d.Kind == discordtest.KindDeferredReply && d.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Error("the note to the presser is not private")
		}
	}
	r := h.waitMessage(func(m discordtest.Message) bool { return m.Kind == discordtest.KindChannelMessage })
	if r.Reference == nil || r.Reference.MessageID != target.ID {
		t.Errorf("not a reply to the message: %+v", r.Reference)
	}
	h.assertQuotesVerbatim(r)
	assertNoPings(t, r)
}

func TestEveryoneInAQuotePingsNobody(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	doc, _ := corpus.ParseText([]byte("Ping Story\n\nThe flyer said @everyone and @here should attend the *secret* meeting about the lighthouse <@123456789012345678>."))
	_, err := h.lib.Add(context.Background(), corpus.Draft{Doc: doc, Meta: corpus.Meta{Scope: guildA, AddedBy: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	m := h.send(ask(inGuildA, "who should attend the secret lighthouse meeting"))
	assertNoPings(t, m)
	h.assertQuotesVerbatim(m)
	d := m.Embeds[0].Description
	if strings.Contains(d, "@everyone") || strings.Contains(d, "@here") || strings.Contains(d, "<@1") || strings.Contains(d, " *secret*") {
		t.Errorf("quote can ping or format: %q", d)
	}
}

func TestRateLimitedMemberIsToldWhenToRetry(t *testing.T) {
	t.Parallel()
	h := start(t, Config{MemberPerMinute: 1, MemberBurst: 2})
	for n := 0; n < 2; n++ {
		if m := h.send(ask(inGuildA, "Mueller")); len(m.Embeds) == 0 {
			t.Fatalf("ask %d refused: %q", n, m.Content)
		}
	}
	m := h.send(ask(inGuildA, "Mueller"))
	if !strings.Contains(m.Content, "try again in") || m.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("third ask: %q", m.Content)
	}
	// Another member is not limited by the first one's use.
	other := discordtest.InGuild(guildA, channelA, moderator, 0)
	if m := h.send(ask(other, "Mueller")); len(m.Embeds) == 0 {
		t.Errorf("another member refused: %q", m.Content)
	}
}

func TestDMAsksTheGlobalLibrary(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	m := h.send(ask(inDM, "When was Robert Mueller appointed special counsel?"))
	h.assertQuotesVerbatim(m)
	if m := h.send(libraryAdd(inDM, "text")); !strings.Contains(m.Content, "use this command in a server") {
		t.Errorf("library in DM: %q", m.Content)
	}
}

func TestButtons(t *testing.T) {
	t.Parallel()
	h := start(t, Config{MaxQuotes: 1})
	m := h.send(ask(inGuildA, manyAnswers))
	if len(m.Components) == 0 {
		t.Fatal("no buttons")
	}
	var ctxID, moreIDs string
	for _, row := range m.Components {
		for _, c := range row.(*discordgo.ActionsRow).Components {
			b := c.(*discordgo.Button)
			if strings.HasPrefix(b.CustomID, contextButton.prefix+":") {
				ctxID = b.CustomID
			}
			if strings.HasPrefix(b.CustomID, moreButton.prefix+":") {
				moreIDs = b.CustomID
			}
		}
	}
	if ctxID == "" || moreIDs == "" {
		t.Fatalf("want Context and More buttons, got %+v", m.Components)
	}
	// Context: the paragraph, privately, quote in bold.
	c := h.send(discordtest.ButtonPress(inGuildA, m.Result, ctxID))
	if c.Flags&discordgo.MessageFlagsEphemeral == 0 || len(c.Embeds) != 1 || !strings.Contains(c.Embeds[0].Description, "**") {
		t.Errorf("context: %+v", c)
	}
	// More: the next quote, a different one.
	more := h.send(discordtest.ButtonPress(inGuildA, m.Result, moreIDs))
	h.assertQuotesVerbatim(more)
	if more.Embeds[0].Description == m.Embeds[0].Description {
		t.Error("More repeated the first quote")
	}
	// Forged and foreign buttons.
	for _, id := range []string{"more:NOPE:1", "ctx:zzzz:0:10", "ctx:" + strings.Split(ctxID, ":")[1] + ":99999999:100000000", "nonsense", "more:x"} {
		if r := h.send(discordtest.ButtonPress(inGuildA, m.Result, id)); r.Content != msgExpired && r.Content != msgGone {
			t.Errorf("forged %q: %q", id, r.Content)
		}
	}
	// More pressed in another server: expired, not the other server's answer.
	if r := h.send(discordtest.ButtonPress(inGuildB, m.Result, moreIDs)); r.Content != msgExpired {
		t.Errorf("More from another server: %q", r.Content)
	}
}

func TestSourcesListShowAndAutocomplete(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	m := h.send(discordtest.SlashCommand(inGuildA, cmdSources, discordtest.SubCommand("list")))
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Title, "5 sources") || !strings.Contains(m.Embeds[0].Description, "TASS") {
		t.Fatalf("list: %+v", m.Embeds)
	}
	srcs, _ := h.lib.Sources(context.Background(), guildA)
	m = h.send(discordtest.SlashCommand(inGuildA, cmdSources, discordtest.SubCommand("show", discordtest.StringOption("id", srcs[0].ID))))
	if len(m.Embeds) != 1 || !strings.Contains(fmt.Sprint(m.Embeds[0].Fields[len(m.Embeds[0].Fields)-1].Value, m.Embeds[0].Fields[6].Value), srcs[0].SHA256) {
		t.Errorf("show: %+v", m.Embeds)
	}
	ac := discordtest.Autocomplete(inGuildA, cmdSources, discordtest.SubCommand("show", discordtest.Focused(discordtest.StringOption("id", "denies"))))
	if err := h.fake.DispatchInteraction(ac); err != nil {
		t.Fatal(err)
	}
	r := h.fake.Requests()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := h.fake.WaitFor(ctx, func(r discordtest.Request) bool {
		return strings.Contains(r.Path, "/interactions/"+ac.ID+"/") && strings.Contains(string(r.Body), "choices")
	})
	if err != nil {
		t.Fatalf("no autocomplete answer (%d requests): %v", len(r), err)
	}
	if !strings.Contains(string(req.Body), "Russia Denies Interfering") || strings.Contains(string(req.Body), "Foreign Ministry") {
		t.Errorf("autocomplete choices: %s", req.Body)
	}
}

func TestServerErrorsAndRateLimitsAreSurvived(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	h.fake.RateLimitNext("PATCH /webhooks/*/*/messages/*", 300*time.Millisecond)
	h.fake.FailNext("PATCH /webhooks/*/*/messages/*", http.StatusInternalServerError, 1)
	m := h.send(ask(inGuildA, "When was Robert Mueller appointed special counsel?"))
	h.assertQuotesVerbatim(m)
	var faults []string
	for _, r := range h.fake.Requests() {
		if r.Fault != "" {
			faults = append(faults, fmt.Sprint(r.Status))
		}
	}
	if len(faults) < 2 {
		t.Errorf("faults seen: %v; want a 429 and a 500 before the answer", faults)
	}
}

func TestGatewayDropIsResumed(t *testing.T) {
	t.Parallel()
	// A heartbeat longer than discordgo's 1 s sleep in Close: with a short
	// one, discordgo's old heartbeat goroutine may reconnect a second time
	// and close the resumed connection (see discordtest.WithHeartbeatInterval).
	h := start(t, Config{}, discordtest.WithHeartbeatInterval(3*time.Second))
	if err := h.fake.DropConnection(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := h.fake.Wait(ctx, func() bool { return h.fake.ResumeCount() >= 1 && h.fake.Connected() }); err != nil {
		t.Fatalf("no resume: %v", err)
	}
	if err := poll(ctx, h.bot.Ready); err != nil {
		t.Fatalf("bot not ready after the resume: %v", err)
	}
	m := h.send(ask(inGuildA, "When was Robert Mueller appointed special counsel?"))
	h.assertQuotesVerbatim(m)
	if n := h.fake.IdentifyCount(); n != 1 {
		t.Errorf("%d identifies; a drop should resume, not identify again", n)
	}
}

func TestCommandsRegistered(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	for _, g := range []string{guildA, guildB} {
		cmds := h.fake.Commands(g)
		names := map[string]*discordgo.ApplicationCommand{}
		for _, c := range cmds {
			names[c.Name] = c
		}
		for _, want := range []string{cmdAsk, cmdSources, cmdLibrary, cmdFindSources} {
			if names[want] == nil {
				t.Errorf("guild %s: %s not registered", g, want)
			}
		}
		if lib := names[cmdLibrary]; lib == nil || lib.DefaultMemberPermissions == nil || *lib.DefaultMemberPermissions&discordgo.PermissionManageMessages == 0 {
			t.Errorf("/library is not limited to moderators by default_member_permissions")
		}
		if ask := names[cmdAsk]; ask == nil || ask.DefaultMemberPermissions != nil {
			t.Errorf("/ask must be open to everyone")
		}
	}
}

func TestInteractionsWithMissingFieldsAreIgnored(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	// No member and no user.
	if err := h.fake.Dispatch("INTERACTION_CREATE", map[string]any{"id": "900", "application_id": h.fake.ApplicationID(), "type": 2, "token": "tok", "version": 1,
		"data": map[string]any{"name": "ask", "type": 1}}); err != nil {
		t.Fatal(err)
	}
	// Then a normal one is still answered.
	m := h.send(ask(inGuildA, "Mueller"))
	if len(m.Embeds) == 0 {
		t.Errorf("bot did not answer after an odd event: %q", m.Content)
	}
	// discordgo handles each event in its own goroutine: the warning may
	// come after the next answer.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := poll(ctx, func() bool { return strings.Contains(h.logs.String(), "interaction without a user") }); err != nil {
		t.Error("the odd event was not logged")
	}
}

func TestShutdownFinishesInFlightAnswers(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	i := ask(inGuildA, "When was Robert Mueller appointed special counsel?")
	// Slow the answer's delivery so it is in flight when the stop comes.
	h.fake.RateLimitNext("PATCH /webhooks/*/*/messages/*", 500*time.Millisecond)
	if err := h.fake.DispatchInteraction(i); err != nil {
		t.Fatal(err)
	}
	h.waitMessage(func(m discordtest.Message) bool {
		return m.InteractionID == i.ID && m.Kind == discordtest.KindDeferredReply
	})
	h.stop()
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatal(err)
		}
		h.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the stop")
	}
	var answered bool
	for _, m := range h.fake.Messages() {
		if m.InteractionID == i.ID && m.Kind == discordtest.KindEditOriginal && len(m.Embeds) > 0 {
			answered = true
		}
	}
	if !answered {
		t.Error("the answer in flight was dropped at shutdown")
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	h.bot.metrics.WatchSources(func() float64 { return 5 })
	h.bot.metrics.WatchSegments(func() float64 { return 3 })
	h.send(ask(inGuildA, "Mueller"))
	h.send(ask(inGuildA, "What is the capital of Australia?"))
	srv := httptest.NewServer(h.bot.metrics.Handler(h.bot.Health))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	// A library gone bad under a connected bot makes the process unhealthy.
	bad := httptest.NewServer(h.bot.metrics.Handler(func() error { return errors.New("library: the index is damaged") }))
	defer bad.Close()
	if resp, err := http.Get(bad.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with a damaged library: %v %v, want 503", resp, err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "index is damaged") {
			t.Errorf("healthz with a damaged library says %q", body)
		}
	}
	resp, err = http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, want := range []string{"verbatim_answers_total 1", "verbatim_no_answers_total 1", "verbatim_answer_seconds_count 2", "verbatim_sources 5", "verbatim_index_segments 3"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestAddURLAndFile(t *testing.T) {
	t.Parallel()
	page := `<html lang="en"><head><title>Ferry Strike Ends | Coast News</title>
<meta property="og:site_name" content="Coast News"><meta property="article:published_time" content="2024-05-02T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Ferry Strike Ends</h1>
<p>The ferry crews voted on Wednesday to end the strike after the operator agreed to hire forty new deckhands.</p>
<p>Services to the islands will resume on Friday morning, the union said.</p></article>
<aside><h2>Related</h2><a href="/x">Lighthouse keeper retires after forty years</a></aside>
<footer>© 2019 Coast News</footer></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ferry":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		case "/attachments/notes.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprint(w, "Bakery Story\n\nThe village bakery sold nine hundred loaves on the first day after it reopened.")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	h := startFetching(t, Config{}, fetchLocal())

	m := h.send(libraryAdd(modInGuildA, "url", discordtest.StringOption("url", srv.URL+"/ferry")))
	if !strings.Contains(m.Content, "Added **Ferry Strike Ends**") || !strings.Contains(m.Content, "Coast News") {
		t.Fatalf("add url: %q", m.Content)
	}
	a := h.send(ask(inGuildA, "when will the ferry services to the islands resume"))
	h.assertQuotesVerbatim(a)
	for _, e := range a.Embeds {
		if strings.Contains(e.Description, "Lighthouse") || strings.Contains(e.Description, "Home") {
			t.Errorf("quote from page furniture: %q", e.Description)
		}
	}
	// Refused addresses say why and store nothing.
	for _, bad := range []string{"http://169.254.169.254/latest/meta-data", "http://10.0.0.1/x", srv.URL + "/missing", "ftp://example.org/x"} {
		m := h.send(libraryAdd(modInGuildA, "url", discordtest.StringOption("url", bad)))
		if !strings.HasPrefix(m.Content, "Not added: ") {
			t.Errorf("%s: %q", bad, m.Content)
		}
	}

	// A file attachment, downloaded through the same guarded fetcher.
	i := libraryAdd(modInGuildA, "file", &discordgo.ApplicationCommandInteractionDataOption{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: "att1"})
	data := i.Data.(discordgo.ApplicationCommandInteractionData)
	data.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
		"att1": {ID: "att1", Filename: "notes.txt", Size: 100, URL: srv.URL + "/attachments/notes.txt"},
	}}
	i.Data = data
	m = h.send(i)
	if !strings.Contains(m.Content, "Added **Bakery Story**") {
		t.Fatalf("add file: %q", m.Content)
	}
	// An unsupported file type is refused before any download.
	i = libraryAdd(modInGuildA, "file", &discordgo.ApplicationCommandInteractionDataOption{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: "att2"})
	data = i.Data.(discordgo.ApplicationCommandInteractionData)
	data.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
		"att2": {ID: "att2", Filename: "../../evil.exe", Size: 100, URL: srv.URL + "/attachments/evil.exe"},
	}}
	i.Data = data
	if m = h.send(i); !strings.Contains(m.Content, "is not one") || !strings.Contains(m.Content, "evil.exe") || strings.Contains(m.Content, "../") {
		t.Errorf("exe: %q", m.Content)
	}
}

// choicesAnswer waits for the callback that answers interaction i (an
// autocomplete), checks that the fake accepted it, and returns its type
// and its list of choices, if it had one.
func (h *harness) choicesAnswer(i *discordgo.Interaction) (typ discordgo.InteractionResponseType, choices []any, hasChoices bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := h.fake.WaitFor(ctx, func(r discordtest.Request) bool { return r.Is("POST /interactions/" + i.ID + "/*/callback") })
	if err != nil {
		h.t.Fatalf("no answer to the autocomplete: %v\n%s", err, h.logs.String())
	}
	if req.Status != http.StatusNoContent {
		h.t.Errorf("the autocomplete's answer was refused: %s %s", req, req.Body)
	}
	var body struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data map[string]any                    `json:"data"`
	}
	if err := req.Decode(&body); err != nil {
		h.t.Fatal(err)
	}
	choices, hasChoices = body.Data["choices"].([]any)
	return body.Type, choices, hasChoices
}

// TestInteractionsWithoutDataDoNotPanic (issue 13, item 10): a
// Discord-compatible server may send an interaction without "data" (one did
// for an autocomplete). Nothing panics; an autocomplete is answered with no
// choices, never with a message; the other kinds are logged and not
// answered. An autocomplete the bot cannot complete, or that matches
// nothing, is answered with an empty list too (which Discord requires).
func TestInteractionsWithoutDataDoNotPanic(t *testing.T) {
	t.Parallel()
	h := start(t, Config{})
	kinds := []discordgo.InteractionType{discordgo.InteractionApplicationCommandAutocomplete, discordgo.InteractionApplicationCommand,
		discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit}
	var sent []*discordgo.Interaction
	for _, k := range kinds {
		i := discordtest.Dataless(inGuildA, k)
		if err := h.fake.DispatchInteraction(i); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, i)
	}
	typ, choices, ok := h.choicesAnswer(sent[0])
	if typ != discordgo.InteractionApplicationCommandAutocompleteResult || !ok || len(choices) != 0 {
		t.Errorf("dataless autocomplete answered with type %d, choices %v (present: %v); want type 8 and none", typ, choices, ok)
	}
	// Every one was seen and logged; once their handlers are done, none
	// but the autocomplete was answered.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := poll(ctx, func() bool { return strings.Count(h.logs.String(), "interaction without data") == len(kinds) }); err != nil {
		t.Fatalf("the dataless interactions were not all logged:\n%s", h.logs.String())
	}
	h.bot.inflight.Wait()
	for _, i := range sent[1:] {
		for _, r := range h.fake.Requests() {
			if strings.Contains(r.Path, "/interactions/"+i.ID+"/") {
				t.Errorf("a dataless %s was answered: %s %s", i.Type, r, r.Body)
			}
		}
	}
	for _, r := range h.logRecords() {
		if r["level"] == "ERROR" || strings.Contains(r["msg"], "panic") {
			t.Errorf("logged: %v", r)
		}
	}
	// Autocompletes with data that the bot cannot complete, or that match
	// nothing: an empty list, accepted.
	for _, i := range []*discordgo.Interaction{
		discordtest.Autocomplete(inGuildA, "nope", discordtest.Focused(discordtest.StringOption("id", "x"))),
		discordtest.Autocomplete(inGuildA, cmdSources, discordtest.SubCommand("show", discordtest.Focused(discordtest.StringOption("id", "no such title anywhere")))),
	} {
		if err := h.fake.DispatchInteraction(i); err != nil {
			t.Fatal(err)
		}
		if typ, choices, ok := h.choicesAnswer(i); typ != discordgo.InteractionApplicationCommandAutocompleteResult || !ok || len(choices) != 0 {
			t.Errorf("autocomplete %+v answered with type %d, choices %v (present: %v); want type 8 and none", i.Data, typ, choices, ok)
		}
	}
	// The bot still answers.
	if m := h.send(ask(inGuildA, "Mueller")); len(m.Embeds) == 0 {
		t.Errorf("no answer after the dataless interactions: %q", m.Content)
	}
	h.fake.AssertClean(t)
}

// TestAskRelativeDates: /ask's after and before take relative dates (7d,
// 2w, 3m, 1y, today, yesterday), read on the library's clock.
func TestAskRelativeDates(t *testing.T) {
	t.Parallel()
	h := start(t, noLimits)
	add := func(text string, published time.Time) corpus.Source {
		doc, _ := corpus.ParseText([]byte(text))
		src, err := h.lib.Add(context.Background(), corpus.Draft{Doc: doc, Meta: corpus.Meta{Scope: guildA, AddedBy: "test", Published: published.Format(time.DateOnly)}})
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	now := time.Now()
	old := add("Ferry Crews Walk Out\n\nThe harbour ferry crews walked out over pay, stranding commuters on both banks of the estuary.", now.AddDate(-1, 0, -10))
	recent := add("Ferry Strike Ends\n\nThe harbour ferry crews ended their strike after the council raised their pay by eight percent.", now.AddDate(0, 0, -2))
	for _, tc := range []struct {
		opts []*discordgo.ApplicationCommandInteractionDataOption
		want string
	}{
		{[]*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("after", "7d")}, recent.ID},
		{[]*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("before", "1m")}, old.ID},
		{[]*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("after", "2y"), discordtest.StringOption("before", "1y")}, old.ID},
	} {
		m := h.send(ask(inGuildA, "Why did the harbour ferry crews strike over pay?", tc.opts...))
		if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Footer.Text, tc.want) {
			t.Errorf("%s: want %s first: %q %+v", optionsText(tc.opts), tc.want, m.Content, m.Embeds)
			continue
		}
		for _, e := range m.Embeds {
			if tc.want == recent.ID && strings.Contains(e.Footer.Text, old.ID) || tc.want == old.ID && strings.Contains(e.Footer.Text, recent.ID) {
				t.Errorf("%s: the filtered-out source was quoted: %q", optionsText(tc.opts), e.Footer.Text)
			}
		}
	}
	m := h.send(ask(inGuildA, "ferry strike", discordtest.StringOption("after", "soon")))
	if !strings.Contains(m.Content, "After must be a date like 2021-03-17, or relative to today: 7d, 2w, 3m, 1y, today or yesterday") {
		t.Errorf("bad relative date: %q", m.Content)
	}
}

func optionsText(opts []*discordgo.ApplicationCommandInteractionDataOption) string {
	var parts []string
	for _, o := range opts {
		parts = append(parts, fmt.Sprintf("%s:%v", o.Name, o.Value))
	}
	return strings.Join(parts, " ")
}
