package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/pgstore"
	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
	"github.com/verbatim-bot/verbatim/retrieval"
)

// guildOfShard is a server id whose events Discord sends to shard of count.
func guildOfShard(shard, count int) string {
	return strconv.FormatUint(uint64(1000*count+shard)<<22|77, 10)
}

func TestShardsSetting(t *testing.T) {
	for _, tc := range []struct {
		s    Shards
		ok   bool
		name string
	}{
		{Shards{}, true, "shards 0 of 1"},
		{Shards{Count: 4}, true, "shards 0,1,2,3 of 4"},
		{Shards{Count: 4, IDs: []int{3, 1}}, true, "shards 1,3 of 4"},
		{Shards{Count: 4, IDs: []int{4}}, false, ""},
		{Shards{Count: 4, IDs: []int{1, 1}}, false, ""},
		{Shards{Count: -1}, false, ""},
	} {
		if err := tc.s.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: Validate() = %v", tc.s, err)
		}
		if tc.ok && tc.s.String() != tc.name {
			t.Errorf("%+v: String() = %q, want %q", tc.s, tc.s.String(), tc.name)
		}
	}
	for shard := range 4 {
		g := guildOfShard(shard, 4)
		if ShardOf(g, 4) != shard || discordtest.ShardOf(g, 4) != shard {
			t.Errorf("guild %s: shard %d (fake: %d), want %d", g, ShardOf(g, 4), discordtest.ShardOf(g, 4), shard)
		}
	}
	s := Shards{Count: 4, IDs: []int{1, 3}}
	if !s.Owns(guildOfShard(3, 4)) || s.Owns(guildOfShard(0, 4)) || s.Owns("") {
		t.Error("Owns does not follow the shards")
	}
	if (Shards{Count: 2}).Partition() != nil || (Shards{}).Partition() != nil {
		t.Error("a process running every shard indexes a partition")
	}
	if p := s.Partition(); p == nil || p.Name != "shards 1,3 of 4" || !p.Holds(guildOfShard(1, 4)) || p.Holds(guildOfShard(2, 4)) {
		t.Errorf("partition %+v", p)
	}
}

// TestInteractionOfAnotherShardIsNotAnswered: an interaction of a server
// of a shard the process does not run reaches no handler and no Discord
// call, even if it arrives (Discord sends it to the owner's shard only).
func TestInteractionOfAnotherShardIsNotAnswered(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	lib, err := retrieval.Open(context.Background(), retrieval.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	b, err := New(Config{Token: fake.Token(), HTTPClient: fake.Client(), Shards: Shards{Count: 4, IDs: []int{1}}}, lib, corpus.NewFetcher(corpus.FetchOptions{}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{guildOfShard(0, 4), ""} {
		i := ask(discordtest.InGuild(g, channelA, member, 0), "who?")
		if g == "" {
			i = ask(discordtest.InDM(dmChan, member), "who?")
		}
		i.ID, i.Token, i.AppID = "1", "tok", fake.ApplicationID()
		b.onInteraction(b.Session(), &discordgo.InteractionCreate{Interaction: i})
		b.onMessage(b.Session(), &discordgo.MessageCreate{Message: discordtest.UserMessage(g, channelA, member, "<@"+fake.BotUser().ID+"> who?")})
	}
	b.inflight.Wait()
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("the bot made %d Discord calls for another shard's interactions and messages", n)
	}
}

// process is one `serve` process of a sharded bot: its bot, and its
// library on the shared store, with an index of its shards' servers.
type process struct {
	name string
	bot  *Bot
	lib  *retrieval.Library
	logs *syncBuffer
}

// taggingTransport marks each Discord call with the process that made it.
type taggingTransport struct {
	name string
	next http.RoundTripper
}

func (tt taggingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Process", tt.name)
	return tt.next.RoundTrip(r)
}

// startProcess runs a process with shards on the store at url against fake.
func startProcess(t *testing.T, fake *discordtest.Server, url, name string, shards Shards, guilds []string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("process", name)
	lib, err := retrieval.Open(ctx, retrieval.Options{Dir: t.TempDir(), Store: st, Partition: shards.Partition(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	cfg := noLimits
	cfg.Token, cfg.GuildIDs, cfg.Shards = fake.Token(), guilds, shards
	cfg.HTTPClient = &http.Client{Transport: taggingTransport{name: name, next: fake.Transport()}}
	cfg.retryDelays, cfg.identifyEvery = shortRetryDelays(), 10*time.Millisecond
	b, err := New(cfg, lib, corpus.NewFetcher(corpus.FetchOptions{}), log, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { lib.Follow(ctx) })
	runErr := make(chan error, 1)
	wg.Go(func() { runErr <- b.Run(ctx, 5*time.Second) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if err := <-runErr; err != nil {
			t.Errorf("%s: Run: %v", name, err)
		}
		lib.Close()
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, logs.String())
		}
	})
	return &process{name: name, bot: b, lib: lib, logs: logs}
}

// TestShardedProcessesOnOneStore: three processes serve the four shards
// of one bot (the first runs two) on one PostgreSQL store. A question in
// each server is answered by the process running its shard only; a
// moderator's add in one server is answered there and in no other server,
// and indexed by no other process; the operator's global add reaches every
// server within 5 s.
func TestShardedProcessesOnOneStore(t *testing.T) {
	t.Parallel()
	url := pgtest.Database(t)
	fake := discordtest.New(t, steady)
	const count = 4
	var guilds []string
	for shard := range count {
		g := guildOfShard(shard, count)
		guilds = append(guilds, g)
		if err := fake.AddGuild(&discordgo.Guild{ID: g, Name: "server " + strconv.Itoa(shard),
			Channels: []*discordgo.Channel{{ID: channelOf(shard), Name: "news", Type: discordgo.ChannelTypeGuildText}}}); err != nil {
			t.Fatal(err)
		}
	}
	procs := []*process{
		startProcess(t, fake, url, "p0", Shards{Count: count, IDs: []int{0, 1}}, guilds),
		startProcess(t, fake, url, "p1", Shards{Count: count, IDs: []int{2}}, guilds),
		startProcess(t, fake, url, "p2", Shards{Count: count, IDs: []int{3}}, guilds),
	}
	owner := func(shard int) *process { return procs[max(0, shard-1)] }
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := poll(ctx, func() bool {
		for _, p := range procs {
			if !p.bot.Ready() {
				return false
			}
		}
		return len(fake.Commands(guilds[count-1])) > 0
	}); err != nil {
		t.Fatalf("the processes did not come up: %v", err)
	}
	var shardsIdentified []int
	for _, id := range fake.Identifies() {
		if id.Shard == nil || id.Shard[1] != count {
			t.Errorf("IDENTIFY without shard of %d: %v", count, id.Shard)
			continue
		}
		shardsIdentified = append(shardsIdentified, id.Shard[0])
	}
	slices.Sort(shardsIdentified)
	if !slices.Equal(shardsIdentified, []int{0, 1, 2, 3}) {
		t.Errorf("shards identified: %v, want each of 0..3 once", shardsIdentified)
	}
	registrations := 0
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/commands") {
			registrations++
			if who := r.Header.Get("X-Test-Process"); who != "p0" {
				t.Errorf("commands registered by %s, not by the process running shard 0", who)
			}
		}
	}
	if registrations != count {
		t.Errorf("%d command registrations, want one per server (%d)", registrations, count)
	}

	// sendIn dispatches an interaction and returns the message that
	// finishes it, checking that the process running its shard answered.
	sendIn := func(shard int, i *discordgo.Interaction) discordtest.Message {
		t.Helper()
		if err := fake.DispatchInteraction(i); err != nil {
			t.Fatal(err)
		}
		m, err := fake.WaitMessage(ctx, func(m discordtest.Message) bool {
			return m.InteractionID == i.ID && m.Kind != discordtest.KindDeferredReply
		})
		if err != nil {
			t.Fatalf("no answer in server %d: %v", shard, err)
		}
		for _, r := range fake.Requests() {
			if strings.Contains(r.Path, "/interactions/"+i.ID+"/") || strings.Contains(r.Path, "/"+i.Token) {
				if who := r.Header.Get("X-Test-Process"); who != owner(shard).name {
					t.Errorf("server %d (shard %d): %s %s by %s, want %s", shard, shard, r.Method, r.Path, who, owner(shard).name)
				}
			}
		}
		return m
	}
	shows := func(m discordtest.Message, id string) bool {
		for _, e := range m.Embeds {
			if e.Footer != nil && strings.Contains(e.Footer.Text, id) {
				return true
			}
		}
		return false
	}
	for shard, g := range guilds {
		m := sendIn(shard, ask(discordtest.InGuild(g, channelOf(shard), member, 0), "did mueller find that trump colluded with russia?"))
		if len(m.Embeds) == 0 {
			t.Errorf("server %d: no quote from the global library: %q", shard, m.Content)
		}
	}

	// A moderator's add in server 2.
	before := passages(t, procs)
	modIn := discordtest.InGuild(guilds[2], channelOf(2), moderator, discordgo.PermissionViewChannel|discordgo.PermissionManageMessages)
	m := sendIn(2, discordtest.ModalSubmit(modIn, modalAddText,
		discordtest.TextValue{CustomID: "title", Value: "Trawlers beat the storm"},
		discordtest.TextValue{CustomID: "outlet", Value: "Harbour Gazette"},
		discordtest.TextValue{CustomID: "date", Value: "2024-02-06"},
		discordtest.TextValue{CustomID: "url", Value: "https://example.org/trawlers"},
		discordtest.TextValue{CustomID: "body", Value: "The harbour master counted eleven trawlers returning before the storm on Tuesday night.\n\nThe coastguard said no boat was lost."}))
	if !strings.Contains(m.Content, "Added **Trawlers beat the storm**") {
		t.Fatalf("add reply: %q", m.Content)
	}
	srcs, err := procs[1].lib.Sources(ctx, guilds[2])
	if err != nil {
		t.Fatal(err)
	}
	srcs = slices.DeleteFunc(srcs, func(i corpus.Info) bool { return i.Scope != guilds[2] })
	if len(srcs) != 1 {
		t.Fatalf("server 2's own sources: %d, want the one added", len(srcs))
	}
	local := srcs[0]
	const q = "how many trawlers did the harbour master count"
	for shard, g := range guilds {
		m := sendIn(shard, ask(discordtest.InGuild(g, channelOf(shard), member, 0), q))
		if got := shows(m, local.ID); got != (shard == 2) {
			t.Errorf("server %d: shows server 2's source = %v", shard, got)
		}
	}
	// Let every process follow past the add: none but p1 indexed it.
	for _, p := range procs {
		if _, err := p.lib.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	after := passages(t, procs)
	for n := range procs {
		want := before[n]
		if n == 1 {
			want += uint64(local.PassageCount)
		}
		if after[n] != want {
			t.Errorf("%s's index: %d passages, want %d", procs[n].name, after[n], want)
		}
	}

	// The operator adds to the global library (verbatim add --store ...).
	st, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	op, err := retrieval.Open(ctx, retrieval.Options{Dir: t.TempDir(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	doc, err := corpus.ParseText([]byte("Tram line opens\n\nThe city's first tram line opened to passengers on Sunday, carrying twelve thousand riders on its first day."))
	if err != nil {
		t.Fatal(err)
	}
	global, err := op.Add(ctx, corpus.Draft{Doc: doc, Meta: corpus.Meta{Scope: corpus.GlobalScope, AddedBy: "operator"}})
	if err != nil {
		t.Fatal(err)
	}
	added := time.Now()
	const qt = "how many riders did the tram line carry on its first day"
	for _, p := range procs {
		wctx, wcancel := context.WithDeadline(ctx, added.Add(5*time.Second))
		err := poll(wctx, func() bool {
			res, err := p.lib.Ask(wctx, retrieval.Question{Text: qt, Scope: corpus.GlobalScope})
			return err == nil && len(res.Answers) > 0 && res.Answers[0].Source.ID == global.ID
		})
		wcancel()
		if err != nil {
			t.Fatalf("%s does not answer with the global add within 5 s", p.name)
		}
	}
	t.Logf("every process answers with the global add %s after it", time.Since(added).Round(time.Millisecond))
	for shard, g := range guilds {
		if m := sendIn(shard, ask(discordtest.InGuild(g, channelOf(shard), member, 0), qt)); !shows(m, global.ID) {
			t.Errorf("server %d does not show the global add: %q %v", shard, m.Content, m.Embeds)
		}
	}
	fake.AssertClean(t)
}

// channelOf is the news channel of the server of shard.
func channelOf(shard int) string { return fmt.Sprintf("2100000000000000%02d", shard) }

// passages counts the passages each process's index holds.
func passages(t *testing.T, procs []*process) []uint64 {
	t.Helper()
	var out []uint64
	for _, p := range procs {
		st, err := p.lib.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st.Passages)
	}
	return out
}

// TestUserAgentNamesShards: every Discord call says which shards its
// process runs, after the User-Agent Discord asks for.
func TestUserAgentNamesShards(t *testing.T) {
	t.Parallel()
	lib, err := retrieval.Open(context.Background(), retrieval.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	for _, tc := range []struct {
		shards Shards
		want   string
	}{
		{Shards{}, " verbatim (shards 0 of 1)"},
		{Shards{Count: 4, IDs: []int{1, 0}}, " verbatim (shards 0,1 of 4)"},
	} {
		b, err := New(Config{Token: "t", Shards: tc.shards}, lib, corpus.NewFetcher(corpus.FetchOptions{}), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range b.sessions {
			if !strings.HasPrefix(s.UserAgent, "DiscordBot (") || !strings.HasSuffix(s.UserAgent, tc.want) {
				t.Errorf("%v: User-Agent %q, want DiscordBot (…)%s", tc.shards, s.UserAgent, tc.want)
			}
		}
	}
}
