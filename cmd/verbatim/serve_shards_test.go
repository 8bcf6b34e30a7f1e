package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/bot"
	"github.com/verbatim-bot/verbatim/bot/discordtest"
	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/corpus/storetest"
	"github.com/verbatim-bot/verbatim/pgstore"
	"github.com/verbatim-bot/verbatim/pgstore/pgtest"
)

// serveProc is one `verbatim serve` child process of
// TestShardedServeProcesses, with its config, index directory and log.
type serveProc struct {
	t      *testing.T
	name   string
	shards string // "0,1": what its config's discord.shards.ids say
	agent  string // the end of the User-Agent of its Discord calls
	cfg    string
	data   string
	token  string
	logs   []string // one log file a run
	cmd    *exec.Cmd
	exited chan error
}

// start runs the process (again, after a kill: same config and index).
func (p *serveProc) start() {
	p.t.Helper()
	argv, err := json.Marshal([]string{"serve", "--config", p.cfg, "--data", p.data})
	if err != nil {
		p.t.Fatal(err)
	}
	logPath := filepath.Join(filepath.Dir(p.cfg), fmt.Sprintf("%s-%d.log", p.name, len(p.logs)))
	logf, err := os.Create(logPath)
	if err != nil {
		p.t.Fatal(err)
	}
	p.logs = append(p.logs, logPath)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), childArgs+"="+string(argv), "DISCORD_TOKEN="+p.token)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		p.t.Fatalf("starting %s: %v", p.name, err)
	}
	p.cmd, p.exited = cmd, make(chan error, 1)
	go func() { p.exited <- cmd.Wait(); logf.Close() }()
}

// stop signals the process and waits for it to exit; SIGTERM is how an
// operator stops serve, SIGKILL how a machine loses it.
func (p *serveProc) stop(sig syscall.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signalling %s: %w", p.name, err)
	}
	select {
	case err := <-p.exited:
		p.exited = nil
		return err
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		return fmt.Errorf("%s did not exit within 20 s of %v", p.name, sig)
	}
}

// log is what the process wrote in all its runs.
func (p *serveProc) log() string {
	var b strings.Builder
	for _, path := range p.logs {
		data, _ := os.ReadFile(path)
		fmt.Fprintf(&b, "--- %s\n%s", filepath.Base(path), data)
	}
	return b.String()
}

// TestShardedServeProcesses runs the bot as an operator would across
// machines: three `verbatim serve` processes (real child processes, the
// first running two shards) serve the four shards of one bot on one
// PostgreSQL, against the fake Discord reached through discord.api_url.
// Through the fake, as members and moderators would:
//   - a question in each server is answered by the process running its
//     shard, and no other process touches it (each Discord call's
//     User-Agent names its process's shards);
//   - a moderator's add in server 1 is answered in server 1 and in no other
//     server (not even server 0, whose shard the same process runs);
//   - the operator's global `verbatim add --store` (a CLI process) is
//     answered in every server within 5 s of its commit;
//   - the process of shard 2, killed with SIGKILL while a moderator's add
//     and a CLI add into its server are in flight and restarted, loses
//     nothing: each article is absent or whole, and every stored one is
//     answered in server 2;
//   - every process stops on SIGTERM, and `verbatim check --config` of each
//     one's index is clean.
func TestShardedServeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	began := time.Now()
	url := pgtest.Database(t)
	// A callback deadline of 10 s, not Discord's 3 s: three processes,
	// PostgreSQL and a CLI add share this machine's cores.
	fake := discordtest.New(t, discordtest.WithInteractionDeadline(10*time.Second))
	const count = 4
	var guilds []string
	for shard := range count {
		g := strconv.FormatUint(uint64(1000*count+shard)<<22|55, 10)
		if bot.ShardOf(g, count) != shard {
			t.Fatalf("server %s is not on shard %d", g, shard)
		}
		guilds = append(guilds, g)
		if err := fake.AddGuild(&discordgo.Guild{ID: g, Name: "server " + strconv.Itoa(shard),
			Channels: []*discordgo.Channel{{ID: newsChannel(shard), Name: "news", Type: discordgo.ChannelTypeGuildText}}}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	var procs []*serveProc
	for n, ids := range []string{"0,1", "2", "3"} {
		p := &serveProc{t: t, name: fmt.Sprintf("p%d", n), shards: ids, token: fake.Token(),
			agent: " verbatim (shards " + ids + " of 4)",
			cfg:   filepath.Join(dir, fmt.Sprintf("p%d.yaml", n)), data: filepath.Join(dir, fmt.Sprintf("p%d", n))}
		conf := fmt.Sprintf("store: %q\n"+
			"discord:\n  api_url: %q\n  guild_ids: [%s]\n  shards: {count: %d, ids: [%s]}\n"+
			"limits: {member_per_minute: 60000, member_burst: 10000, guild_per_minute: 60000, guild_burst: 10000}\n"+
			"feeds: {poll: false}\nhttp: {listen: \"\"}\nshutdown_grace: 2s\n",
			url, fake.URL(), strings.Join(guilds, ", "), count, ids)
		if err := os.WriteFile(p.cfg, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	t.Cleanup(func() {
		for _, p := range procs {
			if p.exited != nil {
				p.cmd.Process.Kill()
				<-p.exited
			}
			if t.Failed() {
				t.Logf("%s's log:\n%s", p.name, p.log())
			}
		}
	})
	owner := func(shard int) *serveProc { return procs[max(0, shard-1)] }
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	st, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// identified counts the IDENTIFYs of each shard so far.
	identified := func() map[int]int {
		n := map[int]int{}
		for _, id := range fake.Identifies() {
			if id.Shard != nil && id.Shard[1] == count {
				n[id.Shard[0]]++
			}
		}
		return n
	}
	for _, p := range procs {
		p.start()
	}
	if err := fake.Wait(ctx, func() bool {
		n := identified()
		return n[0] == 1 && n[1] == 1 && n[2] == 1 && n[3] == 1 && len(fake.Commands(guilds[count-1])) > 0
	}); err != nil {
		t.Fatalf("the processes did not come up: identified %v: %v", identified(), err)
	}
	t.Logf("three processes serve four shards %v after the start", time.Since(began).Round(time.Millisecond))
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/commands") && !strings.HasSuffix(r.Header.Get("User-Agent"), procs[0].agent) {
			t.Errorf("commands registered by %q, not by the process running shard 0", r.Header.Get("User-Agent"))
		}
	}

	member := discordtest.NewUser("310000000000000003", "member")
	moderator := discordtest.NewUser("310000000000000004", "mod")
	asMember := func(shard int) discordtest.Invoker {
		return discordtest.InGuild(guilds[shard], newsChannel(shard), member, discordgo.PermissionViewChannel|discordgo.PermissionSendMessages)
	}
	asModerator := func(shard int) discordtest.Invoker {
		return discordtest.InGuild(guilds[shard], newsChannel(shard), moderator, discordgo.PermissionViewChannel|discordgo.PermissionManageMessages)
	}
	// send dispatches an interaction in the server of shard and returns
	// the message that finishes it, checking that every Discord call about
	// it came from the process running the shard.
	send := func(shard int, i *discordgo.Interaction) discordtest.Message {
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
		calls := 0
		for _, r := range fake.Requests() {
			if strings.Contains(r.Path, "/interactions/"+i.ID+"/") || strings.Contains(r.Path, "/"+i.Token) {
				calls++
				if ua := r.Header.Get("User-Agent"); !strings.HasSuffix(ua, owner(shard).agent) {
					t.Errorf("server %d: %s %s by %q, want the process of%s", shard, r.Method, r.APIPath(), ua, owner(shard).agent)
				}
			}
		}
		if calls == 0 {
			t.Errorf("server %d: no Discord call answered interaction %s", shard, i.ID)
		}
		return m
	}
	ask := func(shard int, q string) discordtest.Message {
		t.Helper()
		return send(shard, discordtest.SlashCommand(asMember(shard), "ask", discordtest.StringOption("question", q)))
	}
	shows := func(m discordtest.Message, id string) bool {
		for _, e := range m.Embeds {
			if e.Footer != nil && strings.Contains(e.Footer.Text, id) {
				return true
			}
		}
		return false
	}
	// stored returns the source of the store with this title, if any,
	// checking it is whole.
	stored := func(pred func(corpus.Info) bool) []corpus.Info {
		t.Helper()
		infos, err := st.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		infos = slices.DeleteFunc(infos, func(i corpus.Info) bool { return !pred(i) })
		for _, info := range infos {
			src, err := st.Get(ctx, info.ID)
			if err != nil {
				t.Fatalf("%s is listed but cannot be read: %v", info.Title, err)
			}
			if err := src.Validate(); err != nil {
				t.Errorf("%s is stored in part: %v", info.Title, err)
			}
		}
		return infos
	}
	addText := func(shard int, title, body string) *discordgo.Interaction {
		// "addtext" is the modal /library add text opens (bot.modalAddText).
		return discordtest.ModalSubmit(asModerator(shard), "addtext",
			discordtest.TextValue{CustomID: "title", Value: title},
			discordtest.TextValue{CustomID: "outlet", Value: "Harbour Gazette"},
			discordtest.TextValue{CustomID: "date", Value: "2024-02-06"},
			discordtest.TextValue{CustomID: "body", Value: body})
	}

	// Each server's question is answered from the global library by the
	// process of its shard.
	for shard := range count {
		if m := ask(shard, "did mueller find that trump colluded with russia?"); len(m.Embeds) == 0 {
			t.Errorf("server %d: no quote from the global library: %q", shard, m.Content)
		}
	}

	// A moderator's add in server 1 (on p0, which runs shard 0 as well).
	const trawlers = "Trawlers beat the storm"
	m := send(1, addText(1, trawlers, "The harbour master counted eleven trawlers returning before the storm on Tuesday night.\n\nThe coastguard said no boat was lost."))
	if !strings.Contains(m.Content, "Added **"+trawlers+"**") {
		t.Fatalf("add reply: %q", m.Content)
	}
	local := stored(func(i corpus.Info) bool { return i.Title == trawlers })
	if len(local) != 1 || local[0].Scope != guilds[1] {
		t.Fatalf("server 1's add in the store: %+v", local)
	}
	for shard := range count {
		m := ask(shard, "how many trawlers did the harbour master count")
		if got := shows(m, local[0].ID); got != (shard == 1) {
			t.Errorf("server %d shows server 1's add: %v", shard, got)
		}
	}

	// The operator's global add, by `verbatim add --store` in a process of
	// its own, answers in every server within 5 s of its commit.
	articles := t.TempDir()
	tram := filepath.Join(articles, "tram.txt")
	if err := os.WriteFile(tram, []byte("Tram line opens\n\nThe city's first tram line opened to passengers on Sunday, carrying twelve thousand riders on its first day.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) *exec.Cmd {
		argv, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), childArgs+"="+string(argv))
		return cmd
	}
	add := cli("add", "--store", url, "--data", t.TempDir(), tram)
	addOut := &strings.Builder{}
	add.Stdout, add.Stderr = addOut, addOut
	if err := add.Start(); err != nil {
		t.Fatal(err)
	}
	var global []corpus.Info
	for len(global) == 0 && ctx.Err() == nil {
		global = stored(func(i corpus.Info) bool { return i.Origin == "tram.txt" })
		if len(global) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	committed := time.Now()
	if len(global) != 1 || global[0].Scope != corpus.GlobalScope {
		t.Fatalf("the operator's add in the store: %+v", global)
	}
	for shard := range count {
		for {
			if shows(ask(shard, "how many riders did the tram line carry on its first day"), global[0].ID) {
				break
			}
			if time.Since(committed) > 5*time.Second {
				t.Fatalf("server %d does not answer with the operator's global add within 5 s", shard)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("every server answers with the operator's global add %v after its commit", time.Since(committed).Round(time.Millisecond))
	if err := add.Wait(); err != nil {
		t.Fatalf("verbatim add: %v\n%s", err, addOut)
	}

	// p1 (shard 2) is killed with SIGKILL in the middle of a moderator's
	// add in server 2, at two points: before the add is stored (its
	// acknowledgement to Discord held) and after it is stored but before
	// the moderator is told (its reply held). The second time, the
	// operator's CLI add of articles for server 2 is in flight too: p1 is
	// killed once its first batch is stored, while p1 follows the store.
	// Restarted each time, p1 has lost nothing: each article is absent or
	// whole, and every stored one answers in server 2.
	const many = 240 // three batches of the CLI's add
	reports := t.TempDir()
	words := map[string]string{}
	for i := range many {
		text, word := crashArticle(i)
		name := fmt.Sprintf("report-%03d.txt", i)
		if err := os.WriteFile(filepath.Join(reports, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		words[name] = word
	}
	ofServer2 := func(i corpus.Info) bool { return i.Scope == guilds[2] }
	for n, kp := range []struct {
		name   string
		hold   string // the call of p1 held when it is killed
		stored bool   // whether the moderator's add is then stored
		bulk   bool   // whether the CLI's add for server 2 is in flight
	}{
		{"before the add is stored", "POST /interactions/*/*/callback", false, false},
		{"after the add is stored, before the moderator is told", "PATCH /webhooks/*/*/messages/@original", true, true},
	} {
		var bulk *exec.Cmd
		bulkOut := &strings.Builder{}
		if kp.bulk {
			bulk = cli("add", "--store", url, "--data", t.TempDir(), "--scope", guilds[2], reports)
			bulk.Stdout, bulk.Stderr = bulkOut, bulkOut
			if err := bulk.Start(); err != nil {
				t.Fatal(err)
			}
			for ctx.Err() == nil && len(stored(func(i corpus.Info) bool { return words[i.Origin] != "" })) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		title := fmt.Sprintf("Gulls return to pier %d", n)
		hold := fake.HoldNext(kp.hold)
		i := addText(2, title, fmt.Sprintf("Wardens counted %d gulls nesting under pier %d this spring.\n\nThe council will keep the pier closed until August.", 400+n, n))
		if err := fake.DispatchInteraction(i); err != nil {
			t.Fatal(err)
		}
		select {
		case <-hold.Arrived():
		case <-ctx.Done():
			t.Fatalf("%s: p1's %s did not arrive", kp.name, kp.hold)
		}
		killErr := procs[1].stop(syscall.SIGKILL)
		hold.Release()
		atKill := len(stored(func(i corpus.Info) bool { return words[i.Origin] != "" }))
		if bulk != nil {
			if err := bulk.Wait(); err != nil {
				t.Fatalf("verbatim add --scope %s: %v\n%s", guilds[2], err, bulkOut)
			}
		}
		mod := stored(func(i corpus.Info) bool { return i.Title == title })
		if (len(mod) == 1) != kp.stored {
			t.Errorf("p1 killed %s: the moderator's add is stored: %v, want %v", kp.name, len(mod) == 1, kp.stored)
		}
		before := identified()[2]
		procs[1].start()
		if err := fake.Wait(ctx, func() bool { return identified()[2] > before }); err != nil {
			t.Fatalf("p1 did not come back: %v", err)
		}
		restarted := time.Now()
		ours := stored(ofServer2)
		for _, info := range ours {
			q := "How many grants did the " + words[info.Origin] + " committee approve?"
			if words[info.Origin] == "" {
				q = fmt.Sprintf("how many gulls nest under pier %s", strings.TrimPrefix(info.Title, "Gulls return to pier "))
			}
			if !shows(ask(2, q), info.ID) {
				t.Errorf("restarted p1 does not answer with %q (%s) in server 2", info.Title, info.Origin)
			}
		}
		t.Logf("p1 killed %s (%v) with %d of the CLI's %d articles stored; restarted, it answers with all %d sources of server 2 (%v)",
			kp.name, killErr, atKill, many, len(ours), time.Since(restarted).Round(time.Millisecond))
	}
	reported := stored(func(i corpus.Info) bool { return words[i.Origin] != "" && ofServer2(i) })
	if len(reported) != many {
		t.Fatalf("%d of the CLI's %d articles for server 2 are stored", len(reported), many)
	}
	// Server 2's sources answer in no other server.
	for _, shard := range []int{0, 1, 3} {
		if shows(ask(shard, "How many grants did the "+words[reported[0].Origin]+" committee approve?"), reported[0].ID) {
			t.Errorf("server %d answers with server 2's source %s", shard, reported[0].Origin)
		}
	}
	// Every process stops as the operator stops it, and each index agrees
	// with the part of the store it holds.
	for _, p := range procs {
		if err := p.stop(syscall.SIGTERM); err != nil {
			t.Errorf("%s on SIGTERM: %v", p.name, err)
		}
	}
	for _, p := range procs {
		if code, out, errs := cliEnv(t, nil, "", "check", "--config", p.cfg, "--data", p.data); code != 0 {
			t.Errorf("check --config of %s (shards %s): exit %d\n%s%s", p.name, p.shards, code, out, errs)
		}
	}
	t.Logf("the whole run took %v", time.Since(began).Round(time.Millisecond))
}

// newsChannel is the news channel of the server of shard.
func newsChannel(shard int) string { return fmt.Sprintf("2200000000000000%02d", shard) }

// TestServePrunesChangeLog: serve's pruning loop prunes the change log of
// a shared store of what is older than it keeps, and stops with its
// context.
func TestServePrunesChangeLog(t *testing.T) {
	ctx := context.Background()
	st, err := pgstore.Open(ctx, pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before, err := st.Generation()
	if err != nil {
		t.Fatal(err)
	}
	src := storetest.NewSource(t, "Pier report\n\nThe pier reopened on Monday after repairs, the council said.", corpus.Meta{Scope: corpus.GlobalScope}, 0)
	if err := st.Put(ctx, src); err != nil {
		t.Fatal(err)
	}
	var logs syncWriter
	logs.w = &bytes.Buffer{}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pruneChangeLog(pctx, st, 0, 10*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := st.ChangesSince(ctx, before, 10)
		if errors.Is(err, pgstore.ErrChangesPruned) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the change log is not pruned within 5 s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the pruning loop did not stop with its context")
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if !strings.Contains(logs.w.String(), "pruned the store's change log") {
		t.Errorf("log: %s", logs.w.String())
	}
}
