package discordtest

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// guildOnShard is a guild id whose events go to shard of count.
func guildOnShard(shard, count, n int) string {
	return strconv.FormatUint(uint64(1000*count+shard+n*count)<<22|12345, 10)
}

// TestShards: two sessions identify as shards 0 and 1 of 2; each is told
// of its shard's guilds only, and receives only its guilds' interactions,
// and the DMs on shard 0, by Discord's rule (guild_id >> 22) % num_shards.
func TestShards(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	g0, g1 := guildOnShard(0, 2, 0), guildOnShard(1, 2, 0)
	if ShardOf(g0, 2) != 0 || ShardOf(g1, 2) != 1 || ShardOf("", 2) != 0 || ShardOf(g1, 1) != 0 {
		t.Fatal("ShardOf does not follow Discord's rule")
	}
	for _, g := range []string{g0, g1} {
		if err := srv.AddGuild(&discordgo.Guild{ID: g, Name: "g" + g}); err != nil {
			t.Fatal(err)
		}
	}
	type shard struct {
		s      *discordgo.Session
		ready  chan *discordgo.Ready
		guilds chan *discordgo.GuildCreate
		ics    chan *discordgo.InteractionCreate
	}
	var shards []shard
	for id := range 2 {
		sh := shard{s: srv.Session(t, ""), ready: make(chan *discordgo.Ready, 1), guilds: make(chan *discordgo.GuildCreate, 4), ics: make(chan *discordgo.InteractionCreate, 4)}
		sh.s.ShardID, sh.s.ShardCount = id, 2
		// discordgo's State fills in READY's guilds from GUILD_CREATE on
		// another goroutine: copy READY in a synchronous handler.
		sh.s.SyncEvents = true
		sh.s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
			cp := *r
			cp.Guilds = nil
			for _, g := range r.Guilds {
				cp.Guilds = append(cp.Guilds, &discordgo.Guild{ID: g.ID, Unavailable: g.Unavailable})
			}
			sh.ready <- &cp
		})
		sh.s.AddHandler(forward(sh.guilds))
		sh.s.AddHandler(forward(sh.ics))
		if err := sh.s.Open(); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, sh)
	}
	for id, sh := range shards {
		want := []string{g0, g1}[id]
		r := recv(ctx, t, sh.ready, "READY")
		if r.Shard == nil || *r.Shard != [2]int{id, 2} {
			t.Errorf("shard %d: READY shard = %v", id, r.Shard)
		}
		if len(r.Guilds) != 1 || r.Guilds[0].ID != want {
			t.Errorf("shard %d: READY lists %d guilds, want only %s", id, len(r.Guilds), want)
		}
		if g := recv(ctx, t, sh.guilds, "GUILD_CREATE"); g.ID != want {
			t.Errorf("shard %d: GUILD_CREATE of %s, want %s", id, g.ID, want)
		}
	}
	u := alice()
	for _, tc := range []struct {
		inv   Invoker
		shard int
	}{{InGuild(g0, "c0", u, 0), 0}, {InGuild(g1, "c1", u, 0), 1}, {InDM("d1", u), 0}} {
		i := SlashCommand(tc.inv, "ask")
		if err := srv.DispatchInteraction(i); err != nil {
			t.Fatal(err)
		}
		got := recv(ctx, t, shards[tc.shard].ics, "INTERACTION_CREATE")
		if got.ID != i.ID {
			t.Errorf("shard %d received interaction %s, want %s", tc.shard, got.ID, i.ID)
		}
		select {
		case other := <-shards[1-tc.shard].ics:
			t.Errorf("shard %d received interaction %s of guild %q", 1-tc.shard, other.ID, other.GuildID)
		case <-time.After(100 * time.Millisecond):
		}
	}

	// A shard outside num_shards is refused, as Discord refuses it (4010).
	bad := srv.Session(t, "")
	bad.ShardID, bad.ShardCount = 2, 2
	bad.ShouldReconnectOnError = false
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := bad.Open()
	if err == nil {
		err = srv.Wait(cctx, func() bool { return srv.IdentifyCount() > 2 })
		if err == nil {
			t.Error("an IDENTIFY of shard 2 of 2 was accepted")
		}
	}
	bad.Close()

	// An interaction of a guild whose shard has no session has nowhere to go.
	shards[1].s.Close()
	if err := srv.Wait(ctx, func() bool { return srv.DispatchInteraction(SlashCommand(InGuild(g1, "c1", u, 0), "ask")) != nil }); err != nil {
		t.Fatal(err)
	}
	if err := srv.DispatchInteraction(SlashCommand(InGuild(g1, "c1", u, 0), "ask")); !errors.Is(err, ErrNoGatewaySession) {
		t.Errorf("dispatching to a shard without a session: %v, want ErrNoGatewaySession", err)
	}
}
