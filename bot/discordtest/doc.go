// Package discordtest is a local fake of Discord that the real discordgo
// session talks to in tests: Discord's REST API (under /api/v9 and /api/v10),
// its CDN and its gateway (a WebSocket), on one HTTP server on 127.0.0.1.
//
// # How a test uses it
//
// New starts a Server that closes when the test ends. discordgo computes its
// endpoint URLs once, at package init, from https://discord.com, so tests do
// not change discordgo: they give the session an *http.Client whose transport
// sends every request for a Discord host to the fake (Server.Client, or
// Server.Session for a session ready to open). The gateway address then
// comes from the fake's answer to GET /gateway. A test then
//
//   - makes things known: AddGuild, AddChannel, AddMember (READY and
//     GUILD_CREATE carry the guilds, as on Discord);
//   - acts as users do: DispatchInteraction with an interaction built by
//     SlashCommand, ButtonPress, ModalSubmit, ... for an Invoker (InGuild,
//     InDM), or by Dataless for one without data, as a Discord-compatible
//     server may send; DispatchMessage for a message a user posts; Dispatch
//     for any other event;
//   - waits for what the bot does, instead of sleeping: WaitMessage, WaitFor,
//     or Wait on any condition. Every request (Requests) and every message
//     the bot sent or edited (Messages) is recorded;
//   - checks that the bot broke no rule: AssertClean.
//
// A typical test:
//
//	srv := discordtest.New(t)
//	s := srv.Session(t, "")
//	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) { ... })
//	if err := s.Open(); err != nil {
//		t.Fatal(err)
//	}
//	user := discordtest.NewUser("2000000000000000001", "alice")
//	i := discordtest.SlashCommand(discordtest.InGuild("g1", "c1", user, 0), "ask")
//	if err := srv.DispatchInteraction(i); err != nil {
//		t.Fatal(err)
//	}
//	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
//	defer cancel()
//	m, err := srv.WaitMessage(ctx, func(m discordtest.Message) bool { return m.InteractionID == i.ID })
//	...
//	srv.AssertClean(t)
//
// # What it covers
//
// REST: the gateway's address; users and the DM channel with one; channels
// and their messages (send, reply, get, edit, delete, with uploaded files
// served back by the CDN); guild members; global and guild application
// commands; interaction callbacks (types 4 to 9); follow-ups and edits
// through an interaction's webhook. Server.routes names the file that serves
// each. Any other route answers 404 and is recorded as unknown.
//
// The gateway: HELLO, IDENTIFY (READY, then a GUILD_CREATE per guild),
// heartbeats and their ACKs, RESUME with the events missed replayed,
// zlib-compressed payloads when asked for. Shards, by Discord's rule: a
// session that IDENTIFYs as shard [id, n] is told of (READY, GUILD_CREATE)
// and sent the events of the guilds with (guild_id >> 22) % n == id only,
// and the events of no guild (DMs) when id is 0 (ShardOf); a shard outside
// n is refused (4010); a session without a shard receives every event.
// Presence, voice state and member requests are accepted and ignored.
//
// Discord's rules: message, embed and component limits, empty messages, the
// 3-second interaction deadline, one callback per interaction, the
// 15-minute life of an interaction's token, valid command definitions. A
// request that breaks one is answered the way Discord answers it and
// recorded as a Violation.
//
// Faults a test injects: server errors (FailNext, FailEvery), rate limits
// with Discord's headers (RateLimitNext, RateLimitNextN), a request held in
// flight (HoldNext), a dropped connection (DropConnection), op 7
// (Reconnect) and op 9 (InvalidateSession). Options set the clock
// (WithClock, to pass a deadline without sleeping), the deadlines, the
// heartbeat interval, the token and the bot's identity.
//
// Not covered: permissions (the fake does not check them), rate limits
// other than injected 429s, and the rest of Discord's API (threads,
// reactions, roles, voice, ...).
//
// # Time
//
// discordgo's Session.Close sends a close frame and then sleeps one second,
// whatever the server does ("TODO: Wait for Discord to actually close the
// connection", in its wsapi.go), holding the session's lock. It does so too
// when a connection drops or op 7 arrives, before it reconnects. The fake
// cannot shorten that: a test that opens a session pays a second when it
// closes, and one more for each reconnect. Tests that open sessions should
// call t.Parallel, so that those seconds overlap.
package discordtest
